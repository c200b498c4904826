"""Public entry points of the cleaning layer: one article (`clean_article`) or a frame (`clean_articles`).

Every input line ends up somewhere: in the title, the standfirst, the body, or in `removed` with the kind of
boilerplate and the rule that decided it. Plain empty lines are paragraph separators and are not recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from pipeline.text.boilerplate import (
    Line,
    Verdict,
    Verdicts,
    classify_each,
    content_list_lines,
    is_sentence_like,
    make_lines,
    mark_caption_heads,
    mark_footer,
    mark_furniture_echoes,
    mark_list_followers,
    mark_repeats,
    mark_short_runs,
)
from pipeline.text.normalise import split_lines
from pipeline.text.reference import CleaningReference, load_reference
from pipeline.text.repetition import candidate_keys, find_site_repeats, mark_site_repeats
from pipeline.text.shapes import (
    embedded_posts,
    mark_author_bios,
    mark_comment_section,
    mark_meta_lines,
    mark_reader_pitches,
)
from pipeline.text.structure import (
    Head,
    find_dates,
    find_head,
    find_publisher,
    mark_masthead,
    release_leading_headline,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RemovedLine:
    """An input line that is not article content."""

    line_no: int  # 1-based, after CRLF/CR -> LF
    text: str  # exactly as in the input
    kind: str
    rule: str


@dataclass(frozen=True)
class CleanedArticle:
    """An article split into its parts, with an account of every line that was left out."""

    title: str | None
    subtitle: str | None
    body: str
    publisher: str | None
    published_at: datetime | None
    updated_at: datetime | None
    removed: tuple[RemovedLine, ...]

    @property
    def word_count(self) -> int:
        return len(self.body.split())


ARTICLE_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String(),
    "title": pl.String(),
    "subtitle": pl.String(),
    "body": pl.String(),
    "publisher": pl.String(),
    "published_at": pl.Datetime("us"),
    "updated_at": pl.Datetime("us"),
    "word_count": pl.Int64(),
}
BOILERPLATE_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String(),
    "line_no": pl.Int64(),
    "text": pl.String(),
    "kind": pl.String(),
    "rule": pl.String(),
}


def keep_standfirst_repeat(lines: list[Line], verdicts: Verdicts, head: Head) -> Verdicts:
    """A site may quote its standfirst again inside the text, after paragraphs of it: that copy is body text,
    not a duplicate. A copy before any paragraph is the masthead written twice (standfirst, byline block,
    standfirst again) and stays a duplicate."""
    if head.subtitle is None:
        return verdicts
    standfirst = lines[head.subtitle].text.casefold()
    return {
        i: v
        for i, v in verdicts.items()
        if not (
            v.kind == "duplicate_line"
            and lines[i].text.casefold() == standfirst
            and _prose_between(lines, verdicts, head.subtitle, i)
        )
    }


def _prose_between(lines: list[Line], verdicts: Verdicts, start: int, end: int) -> bool:
    """Is there an unclaimed prose line strictly between two indices?"""
    return any(
        ln.text and ln.index not in verdicts and is_sentence_like(ln.text) for ln in lines[start + 1 : end]
    )


@dataclass(frozen=True)
class Classified:
    """The verdicts on an article's lines, its head, and the lines of content lists no rule may take."""

    verdicts: Verdicts
    head: Head
    lists: frozenset[int]

    @property
    def protected(self) -> frozenset[int]:
        """Lines that stay whatever repeats: title, standfirst and content-list items."""
        return self.lists | {i for i in (self.head.title, self.head.subtitle) if i is not None}


def classify_lines(lines: list[Line], ref: CleaningReference) -> Classified:
    """Run the classification passes in order of confidence; each pass only labels unlabelled lines."""
    verdicts = classify_each(lines, ref)
    verdicts |= mark_caption_heads(lines, verdicts)
    verdicts |= mark_repeats(lines, verdicts)
    verdicts = release_leading_headline(lines, verdicts)
    head = find_head(lines, verdicts)
    verdicts = keep_standfirst_repeat(lines, verdicts, head)
    kept = {i for i in (head.title, head.subtitle) if i is not None}
    verdicts |= mark_masthead(lines, verdicts, head)
    verdicts |= mark_list_followers(lines, verdicts, skip=kept)
    lists = content_list_lines(lines, verdicts, barriers=kept) | embedded_posts(lines, verdicts)
    verdicts = {i: v for i, v in verdicts.items() if i not in lists}  # list items a caption rule took
    verdicts |= mark_comment_section(lines, verdicts, skip=kept, keep=lists)
    verdicts |= mark_author_bios(lines, verdicts, skip=kept, keep=lists)
    verdicts |= mark_short_runs(lines, verdicts, barriers=kept, keep=lists)
    verdicts |= mark_meta_lines(lines, verdicts, skip=kept | lists)
    verdicts |= mark_reader_pitches(lines, verdicts, skip=kept | lists)
    verdicts |= mark_footer(lines, verdicts, skip=kept, keep=lists)
    verdicts |= mark_furniture_echoes(lines, verdicts, skip=kept | lists)
    return Classified(verdicts, head, frozenset(lists))


def _assemble(lines: list[Line], verdicts: Verdicts, head: Head, ref: CleaningReference) -> CleanedArticle:
    """Build the article from classified lines."""
    roles = {head.title, head.subtitle}
    paragraphs = [
        ln.text
        for ln in lines
        if ln.text and not ln.is_separator and ln.index not in verdicts and ln.index not in roles
    ]
    removed = tuple(
        RemovedLine(ln.index + 1, ln.raw, verdicts[ln.index].kind, verdicts[ln.index].rule)
        for ln in lines
        if ln.index in verdicts
    )
    published_at, updated_at = find_dates(lines, verdicts)
    removed_pairs = [(lines[r.line_no - 1].text, Verdict(r.kind, r.rule)) for r in removed]
    return CleanedArticle(
        title=lines[head.title].text if head.title is not None else None,
        subtitle=lines[head.subtitle].text if head.subtitle is not None else None,
        body="\n\n".join(paragraphs),
        publisher=find_publisher(paragraphs, removed_pairs, ref),
        published_at=published_at,
        updated_at=updated_at,
        removed=removed,
    )


def _keep_everything(lines: list[Line]) -> CleanedArticle:
    """Fallback when a rule fails unexpectedly: lose nothing, claim nothing."""
    body = "\n\n".join(ln.text for ln in lines if ln.text)
    return CleanedArticle(None, None, body, None, None, None, ())


@dataclass(frozen=True)
class _Outcome:
    """A cleaned article and the keys of its body lines that could be site furniture (see repetition.py)."""

    article: CleanedArticle
    candidates: frozenset[str]


def _clean(text: str, ref: CleaningReference, site_furniture: frozenset[str] = frozenset()) -> _Outcome:
    """Clean one text; lines whose key is in `site_furniture` are removed as site repeats. Never raises."""
    lines = make_lines(split_lines(text if isinstance(text, str) else ""))
    try:
        classified = classify_lines(lines, ref)
        verdicts = classified.verdicts
        candidates = candidate_keys(lines, verdicts, classified.protected)
        verdicts |= mark_site_repeats(lines, verdicts, classified.protected, site_furniture)
        return _Outcome(_assemble(lines, verdicts, classified.head, ref), candidates)
    except Exception:  # a cleaning bug must not stop a batch; the article is kept whole instead
        log.exception("cleaning failed; keeping every line")
        return _Outcome(_keep_everything(lines), frozenset())


def clean_article(text: str, reference: CleaningReference | None = None) -> CleanedArticle:
    """Split one raw article into title, standfirst, body and removed boilerplate. Never raises."""
    return _clean(text, reference or load_reference()).article


def _article_row(article_id: str, cleaned: CleanedArticle) -> tuple:
    return (
        article_id,
        cleaned.title,
        cleaned.subtitle,
        cleaned.body,
        cleaned.publisher,
        cleaned.published_at,
        cleaned.updated_at,
        cleaned.word_count,
    )


def clean_articles(
    raw: pl.DataFrame, reference: CleaningReference | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Clean every row of `raw` (columns article_id, text). Returns (articles, boilerplate_lines) frames with
    fixed schemas (see ARTICLE_SCHEMA, BOILERPLATE_SCHEMA), one article row per input row, same order.
    Seeing the whole frame, it also removes lines that recur across many articles of one publisher (site
    furniture, see repetition.py): those articles are cleaned a second time without them."""
    ref = reference or load_reference()
    ids = raw.get_column("article_id").to_list()
    texts = [text or "" for text in raw.get_column("text").to_list()]
    outcomes = [_clean(text, ref) for text in texts]
    furniture = find_site_repeats([o.article.publisher for o in outcomes], [o.candidates for o in outcomes])
    for position, keys in furniture.items():
        outcomes[position] = _clean(texts[position], ref, keys)
    return article_frames(ids, [o.article for o in outcomes])


def article_frames(ids: list[str], cleaned: list[CleanedArticle]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(articles, boilerplate_lines) frames of cleaned articles, in their order."""
    article_rows = [_article_row(i, article) for i, article in zip(ids, cleaned, strict=True)]
    removed_rows = [
        (i, r.line_no, r.text, r.kind, r.rule)
        for i, article in zip(ids, cleaned, strict=True)
        for r in article.removed
    ]
    articles = pl.DataFrame(article_rows, schema=ARTICLE_SCHEMA, orient="row")
    boilerplate = pl.DataFrame(removed_rows, schema=BOILERPLATE_SCHEMA, orient="row")
    return articles, boilerplate


# The same cleaning as `clean_articles`, in two per-article passes around one corpus-level step, so that the
# per-article passes can run on several processes (see pipeline/cleaning_passes.py).

CANDIDATES_SCHEMA = {"article_id": pl.String, "publisher": pl.String, "candidates": pl.List(pl.String)}
FURNITURE_SCHEMA = {"publisher": pl.String, "line_key": pl.String}


def first_pass(raw: pl.DataFrame, ref: CleaningReference) -> pl.DataFrame:
    """Each article's publisher and the keys of its body lines that could be site furniture."""
    return first_pass_outcomes(raw, ref)[0]


def first_pass_outcomes(
    raw: pl.DataFrame, ref: CleaningReference
) -> tuple[pl.DataFrame, list[CleanedArticle]]:
    """`first_pass`, and each article as the pass cleaned it (without site furniture). That is already its
    final cleaning unless a line of it turns out to be furniture of its publisher (`clean_with_furniture`
    takes it as `provisional`), so its body can be parsed before the corpus-level step has run."""
    rows, cleaned = [], []
    for article_id, text in raw.select("article_id", "text").iter_rows():
        outcome = _clean(text or "", ref)
        rows.append((article_id, outcome.article.publisher, sorted(outcome.candidates)))
        cleaned.append(outcome.article)
    return pl.DataFrame(rows, schema=CANDIDATES_SCHEMA, orient="row"), cleaned


def site_furniture(candidates: pl.DataFrame) -> pl.DataFrame:
    """(publisher, line key) of every line that is furniture of its publisher over these articles."""
    publishers = candidates["publisher"].to_list()
    found = find_site_repeats(publishers, [frozenset(keys) for keys in candidates["candidates"].to_list()])
    rows = {(publishers[position], key) for position, keys in found.items() for key in keys}
    return pl.DataFrame(sorted(rows), schema=FURNITURE_SCHEMA, orient="row")


def clean_with_furniture(
    raw: pl.DataFrame,
    candidates: pl.DataFrame,
    furniture: pl.DataFrame,
    ref: CleaningReference,
    provisional: Sequence[CleanedArticle] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(articles, boilerplate_lines) of `raw` as `clean_articles` over the whole corpus gives them.
    `provisional`: the first pass's cleaning of each row (`first_pass_outcomes`), taken as it is for the
    articles none of whose lines is furniture (the same call would give the same article)."""
    by_publisher: dict[str, set[str]] = {}
    for publisher, key in furniture.iter_rows():
        by_publisher.setdefault(publisher, set()).add(key)
    first = {row[0]: row[1:] for row in candidates.iter_rows()}
    ids, cleaned = [], []
    for row, (article_id, text) in enumerate(raw.select("article_id", "text").iter_rows()):
        publisher, keys = first[article_id]
        hits = frozenset(keys) & by_publisher.get(publisher, set()) if publisher is not None else frozenset()
        ids.append(article_id)
        if provisional is not None and not hits:
            cleaned.append(provisional[row])
        else:
            cleaned.append(_clean(text or "", ref, hits).article)
    return article_frames(ids, cleaned)
