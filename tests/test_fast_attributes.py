"""The cheaper attribute ruler and on-demand lemmas give exactly what the stock pipeline gives."""

from __future__ import annotations

import pytest
import spacy

from pipeline.nlp.fast_attributes import split_patterns
from pipeline.nlp.model import MODEL_NAME
from tests.conftest import seed_body

WRITTEN = (
    "The minister's aides weren't told, she'd said: \"We can't wait.\"\n\n"
    "Officials in Brussels were meeting on Tuesday; the talks, which had been running for 3 days, "
    "ended late. Shares in BAE Systems rose 2.5% after the firm's results were better than analysts "
    "had expected. Ms O'Neill is gonna say that it ain't over."
)


@pytest.fixture(scope="module")
def stock():
    return spacy.load(MODEL_NAME)


def token_attributes(doc, lemma) -> list[tuple]:
    return [
        (t.text, t.tag_, t.pos_, str(t.morph), lemma(t), t.dep_, t.head.i, t.ent_type_, t.ent_iob_)
        for t in doc
    ]


@pytest.mark.parametrize("text", [seed_body("000"), seed_body("003"), WRITTEN])
def test_same_tags_morphology_and_lemmas_as_the_stock_pipeline(nlp, stock, text: str) -> None:
    assert "lemmatizer" not in nlp.pipe_names  # taken out of the pipeline, applied on demand
    expected = token_attributes(stock(text), lambda t: t.lemma_)
    assert token_attributes(nlp(text), lambda t: t._.lemma) == expected


def test_lemmas_from_rules_and_from_exceptions(nlp) -> None:
    lemmas = {t.text: t._.lemma for t in nlp(WRITTEN)}
    assert (lemmas["said"], lemmas["were"], lemmas["ca"], lemmas["n't"], lemmas["aides"]) == (
        "say",
        "be",
        "can",
        "not",
        "aide",
    )


def test_only_leading_tag_patterns_become_a_lookup() -> None:
    tag = {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}}
    word = {"patterns": [[{"LOWER": "us", "TAG": "NNP"}]], "attrs": {"POS": "PROPN"}}
    later_tag = {"patterns": [[{"TAG": "VB"}]], "attrs": {"POS": "VERB"}}
    by_tag, rest = split_patterns([tag, word, later_tag])
    # a tag pattern after a word exception stays with spaCy's ruler, so the order of precedence holds
    assert by_tag == {"NN": {"POS": "NOUN"}}
    assert rest == [word, later_tag]
