"""Property-based tests (hypothesis) of the domain functions: decoding, cleaning, quotes and extraction.

The stages catch their own exceptions so that one odd article never stops a batch (cleaning keeps the
article whole, extraction drops its rows) and log them; a property holds only if nothing was caught and
logged either, so these tests see the bugs the safety nets would hide. Example counts stay modest so that
`make test` stays fast; WIREHOUSE_FUZZ_SCALE=50 multiplies them for a longer fuzzing run.
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.ingest import QUARANTINE_REASONS
from pipeline.nlp.entities import article_entities
from pipeline.nlp.extract import extract
from pipeline.nlp.paragraphs import paragraph_doc
from pipeline.nlp.quotes import article_quotes
from pipeline.nlp.reference import load_reference as load_nlp_reference
from pipeline.text.boilerplate import make_lines
from pipeline.text.clean import clean_article, clean_articles
from pipeline.text.decode import UndecodableInput, decode_bytes
from pipeline.text.normalise import split_lines
from tests.conftest import SEED_ARTICLES

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")
SCALE = int(os.environ.get("WIREHOUSE_FUZZ_SCALE", "1"))  # e.g. 50 for a long fuzzing run
FAST = 200 * SCALE  # examples for the pure-Python functions
SLOW = 60 * SCALE  # examples for the ones that run spaCy


class _Caught(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def nothing_caught(*loggers: str) -> Iterator[None]:
    """Fail if a stage's safety net caught (and logged) an exception inside the block."""
    handler = _Caught()
    for name in loggers:
        logging.getLogger(name).addHandler(handler)
    try:
        yield
    finally:
        for name in loggers:
            logging.getLogger(name).removeHandler(handler)
    messages = [f"{r.getMessage()}\n{r.exc_text or ''}" for r in handler.records]
    assert not handler.records, f"an exception was caught and logged: {messages}"


# --------------------------------------------------------------------------------------------- decoding

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1"]


@st.composite
def encoded_text(draw: st.DrawFn) -> bytes:
    """Text in one of the usual encodings, sometimes behind a binary signature or with junk appended."""
    text = draw(st.text(max_size=300))
    encoding = draw(st.sampled_from(_ENCODINGS))
    data = text.encode(encoding, errors="ignore")
    prefix = draw(
        st.sampled_from([b"", b"", b"\x89PNG", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"<html>"])
    )
    return prefix + data + draw(st.binary(max_size=8))


@settings(max_examples=FAST * 2)
@given(st.one_of(st.binary(max_size=600), encoded_text()))
@example(b"\xff\xfe\x00")  # a UTF-16 BOM and half a character
@example(b"<![if x]>")  # markup html.parser gives up on
@example(b"\x00a\x00b\x00c")
def test_decode_bytes_raises_only_undecodable_input(data: bytes) -> None:
    try:
        decoded = decode_bytes(data)
    except UndecodableInput as refused:
        assert refused.reason in QUARANTINE_REASONS
        assert refused.detail
        return
    assert decoded.text.strip()
    assert "\r" not in decoded.text
    assert not _CONTROLS.search(decoded.text), "control characters left in decoded text"
    decoded.text.encode("utf-8")  # no lone surrogates: polars and DuckDB need valid UTF-8
    assert decoded.encoding


_PRINTABLE = st.characters(
    blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="<\ufeff\ufffe\uffff"
)


@settings(max_examples=FAST)
@given(st.text(_PRINTABLE, min_size=1, max_size=200), st.sampled_from(["\n", "\r\n", "\r"]))
def test_utf8_text_round_trips_with_newlines_unified(text: str, newline: str) -> None:
    lines = text.split(" ")
    decoded_or_refused = _decode(newline.join(lines).encode())
    if decoded_or_refused is None:
        assert not text.strip()
        return
    assert decoded_or_refused.text == "\n".join(lines)
    assert decoded_or_refused.encoding == "utf-8"


_LEGACY_WORDS = ["café", "“Quoted,”", "naïve", "—", "€5", "Müller", "said", "the", "résumé", "‘yes’", "£3"]


@settings(max_examples=FAST)
@given(st.lists(st.sampled_from([*_LEGACY_WORDS, "ports", "storm", "a", "in"]), min_size=1, max_size=40))
def test_cp1252_text_is_read_back_exactly(words: list[str]) -> None:
    text = " ".join(words)
    decoded = decode_bytes(text.encode("cp1252"))
    assert decoded.text == text
    assert decoded.encoding in {"utf-8", "cp1252"}  # utf-8 when every word drawn was ASCII


def _decode(data: bytes):  # type: ignore[no-untyped-def]
    try:
        return decode_bytes(data)
    except UndecodableInput:
        return None


# --------------------------------------------------------------------------------------------- cleaning

# Lines shaped like the boilerplate the rules look for, so that the rules fire, mixed with random text.
_BOILERPLATE_LIKE = [
    "Share",
    "Share this with Facebook",
    "Image source, Getty Images",
    "Image caption, Ana Müller at the port on Tuesday",
    "Updated: 12 March 2024, 09:30 GMT",
    "Published 3 hours ago",
    "Live updates: Storm closes ports",
    "Storm closes ports – video",
    "Powered by automated translation",
    "Related Topics",
    "By Ana Müller, BBC News",
    "Reuters",
    "(Reporting by Ana Müller; Editing by Tom Brown)",
    "Copyright 2024 The Associated Press. All rights reserved.",
    "Advertisement",
    "Sign up for our newsletter",
    "Storm closes three ports",
    "• Ferry services were cancelled",
    "- Three ports closed",
    "1. The first port",
    "Read more:",
    "“We have never seen waves like this,” said harbour master Ana Müller.",
    "Ferry services were cancelled on Tuesday after the storm closed three ports on the south coast.",
    "What happens next?",
    "",
    "",
    " ",
    "\t",
    "\u00a0",
]
_SEED_LINES = sorted(
    {
        line
        for article in SEED_ARTICLES.glob("*.txt")
        for line in article.read_text(encoding="utf-8").splitlines()
    }
)
_LINE = st.one_of(
    st.sampled_from(_BOILERPLATE_LIKE),
    st.sampled_from(_SEED_LINES),
    # no lone surrogates: decoding never yields them (see the decode property) and frames cannot hold them
    st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=80),
    st.lists(st.sampled_from(["Storm", "said", "the", "ports", "2024", "BBC", "“", "”", ":", "-", "|"])).map(
        " ".join
    ),
)


def _key(line: str) -> str:
    return make_lines([line])[0].text


def _accounted_lines(cleaned) -> Counter[str]:  # type: ignore[no-untyped-def]
    parts = [cleaned.title or "", cleaned.subtitle or "", *cleaned.body.split("\n\n")]
    parts += [_key(r.text) for r in cleaned.removed]
    return Counter(p for p in parts if p)


def _input_lines(text: str) -> Counter[str]:
    return Counter(k for k in (_key(line) for line in split_lines(text)) if k)


@settings(max_examples=FAST)
@given(st.lists(_LINE, max_size=30), st.sampled_from(["\n", "\r\n", "\r"]))
@example(["Storm closes ports", "", "Storm closes ports", "", "Share"], "\n")
@example(["\x0b", "a\u2028b", "\x1c"], "\n")
def test_cleaning_never_raises_and_never_loses_a_line(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    with nothing_caught("pipeline.text.clean"):
        cleaned = clean_article(text)
    missing = _input_lines(text) - _accounted_lines(cleaned)
    assert not missing, f"lines lost: {list(missing)}"
    line_count = len(split_lines(text))
    assert all(1 <= r.line_no <= line_count for r in cleaned.removed)
    assert all(r.text == split_lines(text)[r.line_no - 1] for r in cleaned.removed)


@settings(max_examples=FAST // 4)
@given(st.lists(st.lists(_LINE, min_size=1, max_size=12), min_size=1, max_size=6))
def test_cleaning_a_batch_never_loses_a_line(articles: list[list[str]]) -> None:
    """The frame-level cleaner also removes lines repeated across a publisher's articles; those too must
    be recorded."""
    publisher_lines = ["Reuters", "Follow us on Twitter", "The Daily Harbour"]
    texts = ["\n".join([*lines, *publisher_lines]) for lines in articles]
    raw = pl.DataFrame({"article_id": [f"a{i}" for i in range(len(texts))], "text": texts})
    with nothing_caught("pipeline.text.clean"):
        frame, removed = clean_articles(raw)
    assert frame.height == len(texts)
    for i, text in enumerate(texts):
        row = frame.row(i, named=True)
        parts = [row["title"] or "", row["subtitle"] or "", *row["body"].split("\n\n")]
        parts += [_key(t) for t in removed.filter(pl.col("article_id") == f"a{i}")["text"]]
        missing = _input_lines(text) - Counter(p for p in parts if p)
        assert not missing, f"article {i}: lines lost: {list(missing)}"


# ------------------------------------------------------------------------------------- quotes, extraction

_NLP_LOGGERS = (
    "pipeline.nlp.extract",
    "pipeline.nlp.entities",
    "pipeline.nlp.quotes",
    "pipeline.nlp.speakers",
)
_QUOTE_PIECES = st.one_of(
    st.sampled_from(["“", "”", "‘", "’", '"', "'", "«", "»", "„", "‹", "›"]),
    st.sampled_from(
        [
            "she said",
            "said Ana Müller",
            "Ana Müller, the harbour master, said",
            "the minister told reporters",
            "he added",
            "according to the police",
            "Mr Brown said that",
            "We have never seen waves like this",
            "the ports will stay closed",
            "don't",
            "it's",
            "the 90s",
            "The coastguard",
            "BBC News",
            "Tuesday",
        ]
    ),
    st.sampled_from([",", ".", "?", "!", ":", ";", "—", "–", "(", ")"]),
    st.text(max_size=6),
)
_SEPARATORS = st.sampled_from([" ", " ", " ", "", "\n", "\n\n"])


@st.composite
def quoted_text(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.tuples(_QUOTE_PIECES, _SEPARATORS), min_size=1, max_size=40))
    return "".join(piece + sep for piece, sep in pieces).strip()


def _check_offsets(body: str, mentions: pl.DataFrame, quotes: pl.DataFrame) -> None:
    for q in quotes.iter_rows(named=True):
        start, end = q["start_char"], q["end_char"]
        assert 0 <= start < end <= len(body), q
        assert body[start:end] == q["text"], q
    for m in mentions.iter_rows(named=True):
        start, end = m["start_char"], m["end_char"]
        assert 0 <= start < end <= len(body), m
        assert body[start:end] == m["text"], m


def _extract_one(nlp, body: str) -> tuple[pl.DataFrame, pl.DataFrame]:  # type: ignore[no-untyped-def]
    with nothing_caught(*_NLP_LOGGERS):
        return extract(pl.DataFrame({"article_id": ["p"], "body": [body]}), nlp)


@settings(max_examples=SLOW)
@given(body=quoted_text())
@example(body="“We have never seen waves like this,” she said.")
@example(body="“Unclosed quote she said\n\n” said Ana Müller")
@example(body="'’ ‘")
def test_quote_offsets_index_the_body(nlp, body: str) -> None:
    mentions, quotes = _extract_one(nlp, body)
    _check_offsets(body, mentions, quotes)


@settings(max_examples=SLOW)
@given(body=quoted_text())
@example(body="said Ana Müller — she said “ ?")
def test_quote_text_has_no_surrounding_blanks(nlp, body: str) -> None:
    _, quotes = _extract_one(nlp, body)
    for text in quotes["text"]:
        assert text.strip() == text, f"quote text not trimmed: {text!r}"


@settings(max_examples=SLOW)
@given(body=st.text(max_size=300))
@example(body="")
@example(body="\n\n\n")
@example(body="\u2028\u2029\x0b\x0c\x1c\x85")
@example(body="Mr. ” “ ‘ ’")
def test_extraction_on_arbitrary_unicode_never_raises(nlp, body: str) -> None:
    mentions, quotes = _extract_one(nlp, body)
    _check_offsets(body, mentions, quotes)
    # and the two steps behind the safety net, called directly
    doc = nlp(paragraph_doc(nlp, body))
    article_quotes(doc, article_entities(doc, load_nlp_reference()), load_nlp_reference())
