"""Paragraph breaks as sentence boundaries, set on the tokenised Doc before the parser runs.

Cleaned bodies separate paragraphs by a blank line, and headings or captions often end without a full
stop; left alone, the parser runs a heading into the next paragraph's sentence ("'Garden of
neighbours' opens in spring¶Ada Kimura, the organiser, said …" can make "Garden" the subject of
"said"). The parser keeps boundaries that are set before it, so marking every blank line
costs nothing and still leaves one parse per article.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: spaCy loads with the model (see model.load_model)
    from spacy.language import Language
    from spacy.tokens import Doc


def mark_paragraphs(doc: Doc) -> Doc:
    """Start a sentence at every blank line, with the blank token opening the paragraph's sentence.

    Marking the word after the blank instead makes the parser split that word off ("¶Okafor said …"
    gave a one-word sentence "Okafor"); leaving the blank a sentence of its own shifts sentence numbers.
    A single newline is not a paragraph break: it is a line wrapped inside a sentence as often as not."""
    for tok in doc[1:]:
        if tok.is_space and tok.text.count("\n") >= 2:
            tok.is_sent_start = True
            if tok.i + 1 < len(doc) and not doc[tok.i + 1].is_space:
                doc[tok.i + 1].is_sent_start = False
    return doc


# No word is this long. spaCy's tokenizer strips prefix and suffix marks one character at a time, copying the
# rest each time: 10,000 "!" or "“" in a row took 8-10 s and 100,000 would take about 15 minutes (found by
# fuzzing), so such a run is made one token without going through the tokenizer.
LONG_RUN_CHARS = 500
_LONG_RUN = re.compile(rf"\S{{{LONG_RUN_CHARS},}}")


def tokenize(nlp: Language, text: str) -> Doc:
    """`nlp.make_doc(text)`, except that every run of LONG_RUN_CHARS or more characters without a blank is one
    token: the tokenizer sees letters of the same length in its place, so every offset stays the same."""
    if not _LONG_RUN.search(text):
        return nlp.make_doc(text)
    from spacy.tokens import Doc  # spaCy is loaded with the model (see model.load_model)

    shape = nlp.make_doc(_LONG_RUN.sub(lambda run: "x" * len(run.group()), text))
    words = [text[token.idx : token.idx + len(token)] for token in shape]
    return Doc(nlp.vocab, words=words, spaces=[bool(token.whitespace_) for token in shape])


def paragraph_doc(nlp: Language, text: str) -> Doc:
    """The tokenised, not yet parsed Doc of one body, with paragraph starts marked."""
    return mark_paragraphs(tokenize(nlp, text))
