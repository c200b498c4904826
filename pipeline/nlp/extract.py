"""Frame-level entry point: one spaCy pass over article bodies gives entity mentions and quotes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

import polars as pl

from pipeline.nlp.entities import ArticleEntities, Mention, article_entities
from pipeline.nlp.paragraphs import paragraph_doc
from pipeline.nlp.quotes import Found, article_quotes
from pipeline.nlp.reference import Reference, load_reference

if TYPE_CHECKING:  # annotations only: spaCy loads with the model (see model.load_model)
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

MENTIONS_SCHEMA = {
    "mention_id": pl.String,
    "article_id": pl.String,
    "entity_id": pl.String,
    "name": pl.String,
    "text": pl.String,
    "label": pl.String,
    "role": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "sentence_no": pl.Int64,
}
QUOTES_SCHEMA = {
    "quote_id": pl.String,
    "article_id": pl.String,
    "text": pl.String,
    "quote_type": pl.String,
    "speaker": pl.String,
    "speaker_entity_id": pl.String,
    "speaker_mention": pl.String,
    "cue": pl.String,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "speaker_role": pl.String,  # "the spokesperson for the US Mission to the UN"
}


def mention_rows(article_id: str, mentions: list[Mention]) -> list[dict]:
    return [
        {
            "mention_id": f"{article_id}-m{n:04d}",
            "article_id": article_id,
            "entity_id": m.entity_id,
            "name": m.name,
            "text": m.text,
            "label": m.label,
            "role": m.role,
            "start_char": m.start,
            "end_char": m.end,
            "sentence_no": m.sentence_no,
        }
        for n, m in enumerate(mentions)
    ]


OPENING_MARKS = "“‘«\"'"


def trimmed(body: str, start: int, end: int) -> tuple[int, int]:
    """A quote span without blanks at its edges or an opening mark left dangling at its end."""
    while start < end and body[start].isspace():
        start += 1
    while end > start and (body[end - 1].isspace() or body[end - 1] in OPENING_MARKS):
        end -= 1
    return start, end


def quote_rows(article_id: str, body: str, quotes: list[Found]) -> list[dict]:
    rows = []
    for q in quotes:
        start, end = trimmed(body, q.start, q.end)
        if start == end:
            continue
        rows.append(
            {
                "quote_id": f"{article_id}-q{len(rows):04d}",
                "article_id": article_id,
                "text": body[start:end],
                "quote_type": q.quote_type,
                "speaker": q.speaker,
                "speaker_entity_id": q.speaker_entity_id,
                "speaker_mention": q.speaker_mention,
                "cue": q.cue,
                "start_char": start,
                "end_char": end,
                "speaker_role": q.speaker_role,
            }
        )
    return rows


def doc_rows(article_id: str, doc: Doc, ref: Reference) -> tuple[list[dict], list[dict]]:
    """Mentions and quotes of one Doc; a failure costs that article's rows, never the run."""
    try:
        ents = article_entities(doc, ref)
    except Exception:  # never let one odd article stop the batch
        log.exception("entity extraction failed for article %s", article_id)
        ents = ArticleEntities(mentions=[], by_token={}, by_key={})
    try:
        quotes = article_quotes(doc, ents, ref)
    except Exception:
        log.exception("quote extraction failed for article %s", article_id)
        quotes = []
    return mention_rows(article_id, ents.mentions), quote_rows(article_id, doc.text, quotes)


def bodies(articles: pl.DataFrame, nlp: Language) -> Iterator[tuple[Doc, str]]:
    """Tokenised bodies with paragraph breaks marked as sentence starts, ready for the parser."""
    for article_id, body in articles.select("article_id", "body").iter_rows():
        yield (paragraph_doc(nlp, body or ""), str(article_id))


def extract(
    articles: pl.DataFrame, nlp: Language, batch_size: int = 64, n_process: int = 1
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """articles(article_id, body) -> (entity_mentions, quotes): one streamed nlp.pipe pass."""
    ref = load_reference()
    mentions: list[dict] = []
    quotes: list[dict] = []
    docs = nlp.pipe(bodies(articles, nlp), as_tuples=True, batch_size=batch_size, n_process=n_process)
    for doc, article_id in docs:
        m_rows, q_rows = doc_rows(article_id, doc, ref)
        mentions.extend(m_rows)
        quotes.extend(q_rows)
    return (
        pl.DataFrame(mentions, schema=MENTIONS_SCHEMA),
        pl.DataFrame(quotes, schema=QUOTES_SCHEMA),
    )
