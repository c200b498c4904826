"""Article structure: title, standfirst, masthead, publisher, dates and body.

These functions read the classified lines (see `boilerplate.py`) and decide what the article's parts are.
They are deliberately conservative: a title is only a title when it looks like a headline, and header
lines are only dropped when a date or byline shows where the masthead ends.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from dateutil import parser as date_parser

from pipeline.text.boilerplate import (
    MONTH_NAMES,
    Line,
    Verdict,
    Verdicts,
    content_lines,
    is_bullet,
    is_sentence_like,
)
from pipeline.text.reference import CleaningReference
from pipeline.text.shapes import is_meta_line

# ---------------------------------------------------------------------------------------------------------
# Title and standfirst

TITLE_SCAN_LINES = 6  # the headline is among the first few unclaimed lines
MIN_TITLE_WORDS = 4  # shorter lines at the top are section labels ("World", "Company Town")
MIN_SHORT_TITLE_WORDS = 2
MAX_TITLE_WORDS = 30
MAX_SUBTITLE_WORDS = 60
MASTHEAD_SCAN_LINES = 12
BODY_START_WORDS = 12  # a sentence this long means the article body has begun
SHORT_TITLE_BODY_WORDS = 8  # a prose sentence this long right after a 2-3 word line makes it the headline
_HEADER_KINDS = frozenset({"timestamp", "byline"})
_TITLE_BAD_END = re.compile(r"(?<!\.\.)[.,;:]$")  # "Rivals of the £400 Apple..." is fine
_TITLE_OPENING = re.compile(r"^(?:[$£€¥]?\d|[a-z]+[A-Z])")  # "$1m payoff ...", "£400 ...", "iTunes ..."
_FIRST_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Head:
    """Indices of the title and standfirst lines (None when absent)."""

    title: int | None
    subtitle: int | None


def looks_like_title(text: str, min_words: int = MIN_TITLE_WORDS) -> bool:
    """Headline shape: a handful of words, no final period/comma, starts with a capital (or a quote), a
    figure ("$1m payoff for ...") or a brand in camel case ("iTunes ...")."""
    words = len(text.split())
    if not min_words <= words <= MAX_TITLE_WORDS or _TITLE_BAD_END.search(text):
        return False
    if text.isupper() and words <= 5:
        return False  # all-caps kickers ("BLACK DEATH FEARS") are labels, not the headline
    if _TITLE_OPENING.match(text):
        return True
    first = _FIRST_LETTER.search(text)
    return bool(first) and first.group().isupper()  # type: ignore[union-attr]


def looks_like_body_start(text: str) -> bool:
    """A long prose sentence: nothing after it can be the headline."""
    return is_sentence_like(text) and len(text.split()) >= BODY_START_WORDS


def follows_as_prose(text: str) -> bool:
    """A prose sentence long enough to show that the short line above it is a headline, not a label."""
    return is_sentence_like(text) and len(text.split()) >= SHORT_TITLE_BODY_WORDS


def find_title(lines: list[Line], verdicts: Mapping[int, Verdict]) -> int | None:
    """Index of the headline: the first headline-shaped line near the top, before any prose paragraph. A
    very short line ("Gaza truce holds") is the headline only when prose follows it directly; otherwise it
    is a section label ("Company Town", "Coronavirus in numbers")."""
    candidates = content_lines(lines, verdicts)[:TITLE_SCAN_LINES]
    for position, line in enumerate(candidates):
        if looks_like_body_start(line.text):
            return None
        following = candidates[position + 1 : position + 2]
        if following and _echoes(line.text, following[0].text):
            return following[0].index
        if looks_like_title(line.text):
            return line.index
        short_title = looks_like_title(line.text, MIN_SHORT_TITLE_WORDS)
        if short_title and following and follows_as_prose(following[0].text):
            return line.index
    return None


def _echoes(line: str, following: str) -> bool:
    """Is `line` the next line's kicker ("Fact Check" above "Fact Check: Is ...?") or a breadcrumb ending in
    it ("Home News Business <headline>" above "<headline>")? Then the next line is the headline."""
    if len(following.split()) < MIN_TITLE_WORDS or line == following:
        return False
    kicker = following.startswith(line) and len(line.split()) <= MIN_TITLE_WORDS
    breadcrumb = line.endswith(following)
    return (kicker or breadcrumb) and looks_like_title(following)


def _next_lines(lines: list[Line], after: int, count: int) -> list[Line]:
    """The next `count` non-empty lines after index `after`."""
    return [ln for ln in lines[after + 1 :] if ln.text and not ln.is_separator][:count]


def find_subtitle(lines: list[Line], verdicts: Mapping[int, Verdict], title: int | None) -> int | None:
    """The standfirst: the line right after the headline when it reads like one. Without a final period it
    qualifies on its own; with one, only when a byline/date block follows it (so it is still masthead)."""
    if title is None:
        return None
    following = _next_lines(lines, title, 1)
    if not following or following[0].index in verdicts:
        return None
    candidate = following[0]
    if not 4 <= candidate.words <= MAX_SUBTITLE_WORDS or is_bullet(candidate.text):
        return None
    if is_meta_line(candidate.text):
        return None  # "June 3, 2018 | by Ana Ruiz" is the post's stamp, not its standfirst
    if not _TITLE_BAD_END.search(candidate.text) and not candidate.text.endswith(("!", "?")):
        return candidate.index
    if candidate.text.endswith(".") and last_header_line(lines, verdicts, candidate.index) is not None:
        return candidate.index
    return None


def last_header_line(lines: list[Line], verdicts: Mapping[int, Verdict], start: int) -> int | None:
    """Index of the last byline/date line in the block right after `start`, before the body begins."""
    last: int | None = None
    for ln in _next_lines(lines, start, MASTHEAD_SCAN_LINES):
        verdict = verdicts.get(ln.index)
        if verdict is None and looks_like_body_start(ln.text):
            break
        if verdict is not None and verdict.kind in _HEADER_KINDS:
            last = ln.index
    return last


_HEADLINE_LOOKALIKES = frozenset({"related_link"})


def release_leading_headline(lines: list[Line], verdicts: Verdicts) -> Verdicts:
    """The first line of a text that a link rule took ("Analysis: Can the barrier hold?", "Latest barrier
    design passes test") is the headline when it looks like one and a prose paragraph follows it directly:
    a list label introduces links, not an article. Returns the verdicts without it."""
    first = _next_lines(lines, -1, 2)
    if len(first) < 2:
        return verdicts
    top, following = first
    verdict = verdicts.get(top.index)
    if verdict is None or verdict.kind not in _HEADLINE_LOOKALIKES or following.index in verdicts:
        return verdicts
    if looks_like_title(top.text) and looks_like_body_start(following.text):
        return {i: v for i, v in verdicts.items() if i != top.index}
    return verdicts


def find_head(lines: list[Line], verdicts: Mapping[int, Verdict]) -> Head:
    title = find_title(lines, verdicts)
    return Head(title, find_subtitle(lines, verdicts, title))


def mark_masthead(lines: list[Line], verdicts: Mapping[int, Verdict], head: Head) -> Verdicts:
    """Lines above the headline are section labels; lines between the headline (or standfirst) and the
    last byline/date line of the header block are masthead furniture (author names, kickers, counters)."""
    if head.title is None:
        return {}
    found: Verdicts = {
        ln.index: Verdict("navigation", "before_title")
        for ln in content_lines(lines, verdicts)
        if ln.index < head.title
    }
    start = head.subtitle if head.subtitle is not None else head.title
    last_header = last_header_line(lines, verdicts, start)
    if last_header is not None:
        found.update(
            {
                ln.index: Verdict("header", "between_title_and_dateline")
                for ln in content_lines(lines, verdicts)
                if start < ln.index < last_header and not is_bullet(ln.text)
            }
        )
    else:
        found.update(mark_author_names(lines, verdicts, start))
    return found


_PERSON_NAME = re.compile(r"^[A-Z][a-z’'-]+(?: (?:[A-Z]\.|[A-Z][a-z’'-]+|de|van|von|al|bin)){1,3}$")


def mark_author_names(lines: list[Line], verdicts: Mapping[int, Verdict], start: int) -> Verdicts:
    """Without a dateline, a bare person name between the headline block and the first paragraph is the
    author ("Jane Smith")."""
    found: Verdicts = {}
    for ln in _next_lines(lines, start, MASTHEAD_SCAN_LINES):
        if ln.index in verdicts:
            continue
        if not _PERSON_NAME.match(ln.text):
            break
        found[ln.index] = Verdict("byline", "author_name")
    return found


# ---------------------------------------------------------------------------------------------------------
# Dates

_STAMP_LABEL = re.compile(
    r"(?P<label>first published|published|last updated|updated|last modified|posted)\b\s*(?:on|at)?\s*:?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_DOTTED_TIME = re.compile(r"\b(\d{1,2})\.(\d{2})\b(?!\.\d)")
_NOISE = re.compile(r"[|/•·()\[\]–—]")
_WORD = re.compile(r"[^\W\d_]+")
UPDATE_LABELS = frozenset({"updated", "last updated", "last modified"})
HEADER_DATE_LINES = 15  # a bare date counts as publication date only near the top
# What a stamp leaves out is the first of the month (or year) at midnight, not today's day and month as in
# dateutil's default: "March 2024" must parse the same on every day it is run.
_MISSING_PARTS = datetime(2000, 1, 1)
# Dates outside the range the articles suite accepts (expectations/articles.json) are misreadings ("JAN:1900",
# a film's release year); published, they would block the whole run, so such a stamp gives no date.
PLAUSIBLE_DATES = (datetime(1990, 1, 1), datetime(2100, 1, 1))


def parse_datetime(fragment: str) -> datetime | None:
    """Naive datetime from a free-text stamp ("Tue, Nov 19, 2019 | 10:48"), None when there is no year or
    the date is implausible (see PLAUSIBLE_DATES)."""
    if not _YEAR.search(fragment):
        return None
    cleaned = _DOTTED_TIME.sub(r"\1:\2", _NOISE.sub(" ", fragment))
    attempts = [cleaned]
    month_at = next((m.start() for m in _WORD.finditer(cleaned) if m.group().lower() in MONTH_NAMES), None)
    if month_at:
        attempts.append(cleaned[month_at:])
    for attempt in attempts:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                parsed = date_parser.parse(attempt, fuzzy=True, ignoretz=True, default=_MISSING_PARTS)
        except (ValueError, OverflowError, TypeError):
            continue
        parsed = parsed.replace(tzinfo=None)
        if PLAUSIBLE_DATES[0] <= parsed <= PLAUSIBLE_DATES[1]:
            return parsed
    return None


def stamp_segments(text: str) -> list[tuple[str, str]]:
    """Split a stamp line into (label, text) pairs: "PUBLISHED: x | UPDATED: y" gives two. Text before any
    label is labelled "published"."""
    labels = list(_STAMP_LABEL.finditer(text))
    if not labels:
        return [("published", text)]
    segments = []
    if labels[0].start() > 0 and _YEAR.search(text[: labels[0].start()]):
        segments.append(("published", text[: labels[0].start()]))
    for i, match in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        segments.append((match.group("label").lower(), text[match.end() : end]))
    return segments


def stamp_blocks(lines: list[Line], verdicts: Mapping[int, Verdict]) -> list[tuple[int, str]]:
    """Timestamp lines, with directly adjacent ones joined ("Nov. 19, 2019" + "5:50 PM"); each block comes
    with its position among the non-empty lines."""
    blocks: list[tuple[int, str]] = []
    position = 0
    previous: int | None = None
    for line in lines:
        if not line.text or line.is_separator:
            continue
        position += 1
        verdict = verdicts.get(line.index)
        if verdict is None or verdict.kind != "timestamp":
            continue
        if previous is not None and previous == line.index - 1 and blocks:
            blocks[-1] = (blocks[-1][0], f"{blocks[-1][1]} {line.text}")
        else:
            blocks.append((position, line.text))
        previous = line.index
    return blocks


def find_dates(lines: list[Line], verdicts: Mapping[int, Verdict]) -> tuple[datetime | None, datetime | None]:
    """(published_at, updated_at) from the timestamp lines; the first stamp of each sort wins. An unlabelled
    date counts as the publication date only near the top of the page."""
    published: datetime | None = None
    updated: datetime | None = None
    for position, text in stamp_blocks(lines, verdicts):
        labelled = bool(_STAMP_LABEL.search(text))
        for label, fragment in stamp_segments(text):
            if not labelled and position > HEADER_DATE_LINES:
                continue
            value = parse_datetime(fragment)
            if value is None:
                continue
            if label in UPDATE_LABELS:
                updated = updated or value
            else:
                published = published or value
    return published, updated


# ---------------------------------------------------------------------------------------------------------
# Publisher

DATELINE_PARAGRAPHS = 3


def find_publisher(
    body_paragraphs: list[str], removed: Iterable[tuple[str, Verdict]], ref: CleaningReference
) -> str | None:
    """Publisher from, in order of trust: a "(CNN)" / "BAGHDAD (AP) —" dateline in the first paragraphs, a
    byline credit ("By Jane Smith, CNN"), "told The National" in the body, a copyright notice, and a
    removed line that is only an agency name ("By Reuters", "The Associated Press")."""
    rx = ref.publisher_regexes
    removed = list(removed)
    for paragraph in body_paragraphs[:DATELINE_PARAGRAPHS]:
        if m := rx.dateline.search(paragraph):
            return ref.publisher_for(m.group("alias"))
    for text, verdict in removed:
        if verdict.kind == "byline" and (m := rx.byline.search(text) or rx.name_credit.match(text)):
            return ref.publisher_for(m.group("alias"))
    told = Counter(ref.publisher_for(m.group("alias")) for p in body_paragraphs for m in rx.told.finditer(p))
    if told:
        return told.most_common(1)[0][0]
    for text, verdict in removed:
        if verdict.kind in {"copyright", "credit"} and (m := rx.anywhere.search(text)):
            return ref.publisher_for(m.group("alias"))
    for text, _verdict in removed:
        if m := rx.whole.match(text):
            return ref.publisher_for(m.group("alias"))
    return None
