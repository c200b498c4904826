"""The model's attribute ruler and lemmatizer, made cheap without changing what they produce.

Profiled on BBC bodies, the stock `attribute_ruler` and `lemmatizer` took 19% of the parse. The ruler's
tag -> POS/MORPH patterns match every token, and it applies each match in Python; the lemmatizer is a
Python call per token, while the extraction reads the lemmas of a few dozen tokens per article. So:

- the single-token, tag-only patterns (the model lists them first) become one array lookup per Doc; the
  other patterns, word-specific exceptions, still run through spaCy's AttributeRuler after it, in their
  original order, so a later pattern still overrides an earlier one;
- the lemmatizer stays loaded but is taken out of the pipeline: `token._.lemma` applies it to one token on
  demand, with the same rules, tables and cache, and keeps a lemma an exception already set.

`tests/test_fast_attributes.py` checks POS, MORPH and lemmas against the stock pipeline on real text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

FACTORY = "wirehouse_attribute_ruler"


def speed_up(nlp: Language) -> Language:
    """Swap in the fast attribute ruler and on-demand lemmas; a model without them is left alone."""
    from spacy.tokens import Token

    if "attribute_ruler" in nlp.pipe_names:
        patterns = nlp.get_pipe("attribute_ruler").patterns
        _register_factory()
        nlp.replace_pipe("attribute_ruler", FACTORY, config={"patterns": patterns})
    if "lemmatizer" in nlp.pipe_names:
        lemmatizer = nlp.get_pipe("lemmatizer")
        nlp.disable_pipe("lemmatizer")
        Token.set_extension("lemma", getter=lambda token: lemma_of(token, lemmatizer), force=True)
    else:
        Token.set_extension("lemma", getter=lambda token: token.lemma_, force=True)
    return nlp


def lemma_of(token: Token, lemmatizer: Any) -> str:
    """What the stock lemmatizer (overwrite off) would have set: an exception's lemma, else its rules."""
    return token.lemma_ if token.lemma else lemmatizer.lemmatize(token)[0]


def split_patterns(patterns: list[dict]) -> tuple[dict[str, dict], list[dict]]:
    """The leading single-token, tag-only patterns as {tag: attrs}, and every pattern after them."""
    by_tag: dict[str, dict] = {}
    for position, pattern in enumerate(patterns):
        tokens = pattern["patterns"]
        if not (
            len(tokens) == 1
            and len(tokens[0]) == 1
            and set(tokens[0][0]) == {"TAG"}
            and isinstance(tokens[0][0]["TAG"], str)
            and pattern.get("index", 0) == 0
            and tokens[0][0]["TAG"] not in by_tag
        ):
            return by_tag, patterns[position:]
        by_tag[tokens[0][0]["TAG"]] = pattern["attrs"]
    return by_tag, []


class FastAttributeRuler:
    """Tag-wide attributes by array lookup, then the remaining patterns with spaCy's own ruler."""

    def __init__(self, nlp: Language, name: str, patterns: list[dict]) -> None:
        from spacy.attrs import MORPH, POS, TAG
        from spacy.parts_of_speech import IDS as POS_IDS
        from spacy.pipeline import AttributeRuler

        self.name = name
        self.columns = [TAG, POS, MORPH]
        by_tag, rest = split_patterns(patterns)
        strings, morphology = nlp.vocab.strings, nlp.vocab.morphology
        tags = sorted(by_tag, key=strings.add)
        pos = [by_tag[tag].get("POS") for tag in tags]
        morph = [by_tag[tag].get("MORPH") for tag in tags]
        self.tags = np.array([strings.add(tag) for tag in tags], dtype=np.uint64)
        self.pos = np.array([POS_IDS[value] if value else 0 for value in pos], dtype=np.uint64)
        self.has_pos = np.array([value is not None for value in pos])
        self.morph = np.array([morphology.add(v) if v is not None else 0 for v in morph], dtype=np.uint64)
        self.has_morph = np.array([value is not None for value in morph])
        self.exceptions = AttributeRuler(nlp.vocab, name=f"{name}_exceptions")
        self.exceptions.add_patterns(rest)

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) and len(self.tags):
            values = doc.to_array(self.columns)
            where = np.searchsorted(self.tags, values[:, 0]).clip(max=len(self.tags) - 1)
            known = self.tags[where] == values[:, 0]
            values[:, 1] = np.where(known & self.has_pos[where], self.pos[where], values[:, 1])
            values[:, 2] = np.where(known & self.has_morph[where], self.morph[where], values[:, 2])
            doc.from_array(self.columns[1:], values[:, 1:])
        return self.exceptions(doc)


def _register_factory() -> None:
    from spacy.language import Language

    if not Language.has_factory(FACTORY):
        Language.factory(FACTORY, func=FastAttributeRuler)
