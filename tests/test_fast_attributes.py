"""The cheaper attribute ruler and on-demand lemmas give exactly what the stock pipeline gives."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.attrs import DEP, LEMMA, MORPH, NORM, POS, TAG
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from pipeline.nlp.fast_attributes import FastAttributeRuler
from pipeline.nlp.model import MODEL_NAME
from tests.conftest import seed_body

WRITTEN = (
    "The minister's aides weren't told, she'd said: \"We can't wait.\"\n\n"
    "Officials in Brussels were meeting on Tuesday; the talks, which had been running for 3 days, "
    "ended late. Shares in BAE Systems rose 2.5% after the firm's results were better than analysts "
    "had expected. Ms O'Neill is gonna say that it ain't over."
)
# words the model's exceptions name, several of them only in patterns of two tokens or with a regex
EXCEPTIONS = (
    "Y'all ain't seen nothin' yet, and we're gonna prove it, he said. Let's go: c'mon, we gotta win.  "
    "There is no doubt and there are reasons.\nI'd have done it if I could. She did. They had it. Do it!\t"
    "He gets what he got. Somebody told me that nobody knows anything; whether it's true, who'd know? "
    "Nuthin' but trouble, ol' friend, 'nuff said. I'll tell 'em, y' all know it. You and I saw it, "
    "it saw you and me. Being there, having been there, does it matter? Am I, are we? Ain't it so. "
    "The cat that sat is his; hers is the other. Those which were sold went well. But it rained.\n\n\n"
    "  Doin' fine, goin' home, somethin' else. Once upon a time, then there was this and that."
)


@pytest.fixture(scope="module")
def stock():
    return spacy.load(MODEL_NAME)


def token_attributes(doc, lemma) -> list[tuple]:
    """Everything the parse gives a token that the extraction could read."""
    return [
        (t.text, t.tag_, t.pos_, str(t.morph), t.morph.key, lemma(t), t.dep_, t.head.i, t.is_sent_start, *ent)
        for t in doc
        for ent in [(t.ent_type_, t.ent_iob_, t.norm_)]
    ]


@pytest.mark.parametrize("text", [seed_body("000"), seed_body("003"), WRITTEN, EXCEPTIONS])
def test_every_token_as_the_stock_pipeline_gives_it(nlp, stock, text: str) -> None:
    assert "lemmatizer" not in nlp.pipe_names  # taken out of the pipeline, applied on demand
    expected, got = stock(text), nlp(text)
    assert token_attributes(got, lambda t: t._.lemma) == token_attributes(expected, lambda t: t.lemma_)
    assert [(e.start, e.end, e.label_) for e in got.ents] == [
        (e.start, e.end, e.label_) for e in expected.ents
    ]


def test_lemmas_from_rules_and_from_exceptions(nlp) -> None:
    lemmas = {t.text: t._.lemma for t in nlp(WRITTEN)}
    assert (lemmas["said"], lemmas["were"], lemmas["ca"], lemmas["n't"], lemmas["aides"]) == (
        "say",
        "be",
        "can",
        "not",
        "aide",
    )


def test_the_exceptions_of_several_tokens_and_regexes_are_exercised(nlp) -> None:
    """The written text reaches the patterns matched as sequences (without them, the test above would
    compare nothing of theirs)."""
    lemmas = [(t.lower_, t._.lemma) for t in nlp(EXCEPTIONS)]
    for pair in [("gon", "go"), ("na", "to"), ("ta", "to"), ("ai", "be"), ("nothin'", "nothing")]:
        assert pair in lemmas
    for pair in [("nuthin'", "nothing"), ("c'm", "come"), ("'em", "them"), ("ol'", "old")]:
        assert pair in lemmas


def test_the_model_exceptions_all_run_as_arrays(nlp) -> None:
    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler, FastAttributeRuler)
    patterns = len(ruler.attrs)
    # 179 patterns: 170 single-token ones in the table, 9 of several tokens or a regex matched as sequences
    assert ruler.residual == {}
    assert sorted(p.position for p in ruler.sequences) == [147, 153, 158, 159, 160, 161, 162, 163, 174]
    assert patterns == 179 and ruler.table is not None


def test_a_later_pattern_overrides_an_earlier_one_whichever_way_it_is_matched() -> None:
    nlp = spacy.blank("en")
    patterns = [
        {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN", "LEMMA": "thing"}},
        {"patterns": [[{"LOWER": "us", "TAG": "NN"}]], "attrs": {"POS": "PROPN"}},  # table, later: wins
        {"patterns": [[{"LOWER": "us"}, {"LOWER": "open"}]], "attrs": {"LEMMA": "US"}},  # sequence
        {"patterns": [[{"TAG": "NN"}]], "attrs": {"LEMMA": "noun"}},  # table, after the sequence: wins
        {"patterns": [[{"LOWER": "us", "OP": "+"}]], "attrs": {"NORM": "u.s."}},  # Matcher
        {"patterns": [[{"LOWER": {"REGEX": "^op"}}]], "attrs": {"POS": "VERB"}},  # regex sequence
    ]
    doc = Doc(nlp.vocab, words=["US", "open", "us"], tags=["NN", "NN", "NN"])
    expected = stock_ruler(nlp, patterns)(doc.copy())
    got = FastAttributeRuler(nlp, "fast", patterns)(doc.copy())
    us, verb = ("PROPN", "noun", "u.s."), ("VERB", "noun", "open")
    assert [(t.pos_, t.lemma_, t.norm_) for t in got] == [us, verb, us]
    assert [(t.pos_, t.lemma_, t.norm_) for t in got] == [(t.pos_, t.lemma_, t.norm_) for t in expected]


def stock_ruler(nlp, patterns: list[dict]) -> AttributeRuler:
    ruler = AttributeRuler(nlp.vocab)
    ruler.add_patterns(patterns)
    return ruler


WORDS = ["a", "A", "the", "is", "'s", "n't", "gon", "na", "us", " ", "\n", "open", "It"]
TAGS = ["NN", "DT", "VBZ", "RB", "_SP", "PRP"]
DEPS = ["ROOT", "nsubj", "expl", "aux", "dep", "det"]
KEYS = {"LOWER": WORDS, "ORTH": WORDS, "TEXT": WORDS, "TAG": TAGS, "DEP": DEPS, "NORM": WORDS}


@st.composite
def token_specs(draw) -> dict:
    spec: dict = {}
    for key in draw(st.lists(st.sampled_from([*KEYS, "IS_SPACE", "REGEX", "OP"]), max_size=3, unique=True)):
        if key == "IS_SPACE":
            spec[key] = draw(st.booleans())
        elif key == "REGEX":
            spec["LOWER"] = {"REGEX": draw(st.sampled_from(["^n", "a$", "^.$", "'"]))}
        elif key == "OP":
            spec[key] = draw(st.sampled_from(["?", "+", "!"]))
        else:
            pool = st.sampled_from(KEYS[key])
            spec[key] = draw(
                st.one_of(
                    pool,
                    st.fixed_dictionaries({"IN": st.lists(pool, max_size=3)}),
                    st.fixed_dictionaries({"NOT_IN": st.lists(pool, max_size=3)}),
                )
            )
    return spec


@st.composite
def ruler_patterns(draw) -> dict:
    alternatives = draw(st.lists(st.lists(token_specs(), min_size=1, max_size=3), min_size=1, max_size=2))
    length = min(len(a) for a in alternatives)
    if any(spec.get("OP") in ("?", "+") for a in alternatives for spec in a):
        length = 1  # a match of an optional or repeated token may be shorter than the pattern
    attrs = draw(
        st.dictionaries(
            st.sampled_from(["POS", "TAG", "MORPH", "LEMMA", "DEP", "NORM"]),
            st.sampled_from(["NOUN", "VERB", "x", "Number=Sing", "Case=Nom|Number=Plur", "_"]),
            min_size=1,
        )
    )
    if "POS" in attrs:
        attrs["POS"] = draw(st.sampled_from(["NOUN", "VERB", "AUX", "PART"]))
    if "MORPH" in attrs:
        attrs["MORPH"] = draw(st.sampled_from(["Number=Sing", "Case=Nom|Number=Plur", "_", ""]))
    return {"patterns": alternatives, "attrs": attrs, "index": draw(st.integers(-length, length - 1))}


@st.composite
def docs_words(draw) -> list[tuple[str, str, str]]:
    return draw(
        st.lists(
            st.tuples(st.sampled_from(WORDS), st.sampled_from(TAGS), st.sampled_from(DEPS)),
            min_size=1,
            max_size=12,
        )
    )


BLANK = spacy.blank("en")  # one vocabulary for every example: building a pipeline costs 50 ms


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patterns=st.lists(ruler_patterns(), min_size=1, max_size=8), tokens=docs_words())
def test_random_patterns_give_what_spacys_ruler_gives(patterns: list[dict], tokens: list) -> None:
    """Tables, sequences and the Matcher together, in any order, against spaCy's own ruler; the Doc's
    words, tags and dependencies drawn from what the patterns name, so that they match often."""
    nlp = BLANK
    words, tags, deps = (list(column) for column in zip(*tokens, strict=True))
    doc = Doc(nlp.vocab, words=words, tags=tags, deps=deps, heads=list(range(len(words))))
    columns = [POS, TAG, MORPH, LEMMA, DEP, NORM]
    try:
        expected = stock_ruler(nlp, patterns)(doc.copy()).to_array(columns)
    except ValueError:  # an index outside a match (possible with operators): ours must refuse too
        with pytest.raises(ValueError):
            FastAttributeRuler(nlp, "fast", patterns)(doc.copy())
        return
    got = FastAttributeRuler(nlp, "fast", patterns)(doc.copy()).to_array(columns)
    assert got.tolist() == expected.tolist()
