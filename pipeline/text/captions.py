"""Photo captions and their credits, split out of the removed boilerplate lines.

The cleaner records captions as boilerplate lines of kind `caption`. Analysts want them as data: what the
picture shows and who took or supplied it. `extract_captions` splits each caption line into the caption
text and its credit ("AP", "Getty Images", "REUTERS/Amir Cohen", "Tom Reyes/Getty Images"), using the
agency credits seed (`seeds/agency_credits.csv`) and the shapes credits are written in:

- after the caption's last sentence: "... before leaving Israel. AP";
- labelled: "... Photograph: Tom Reyes/Getty Images", "...harbourCredit: EPA", "(Image: GETTY )";
- in brackets: "(AP)", "(Kim Lee/CBC)", "[File: Reuters]", "(City Council via AP, File)";
- photographer and agency joined by a slash: "REUTERS/Ana Costa", "Omar NASSER / AFP";
- on a line of their own: "Image copyright Getty Images", "(Rosa Vance / Associated Press)". Such a
  credit is also given to the caption right below it (some sites put the credit under the caption) or, failing
  that, just above it (BBC style: "Image copyright ..." then "Image caption ...").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import polars as pl

from pipeline.text.normalise import normalise_line, squash_spaces
from pipeline.text.reference import CleaningReference, load_reference

CAPTIONS_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String(),
    "line_no": pl.Int64(),
    "caption": pl.String(),
    "credit": pl.String(),
}
CAPTION_KIND = "caption"
MAX_CREDIT_CHARS = 80
# A credit on its own line lends itself to a caption this many lines below or above it.
CREDIT_REACH_BELOW = 1
CREDIT_REACH_ABOVE = 2

_PREFIX = re.compile(
    r"^(?:(?:image|media|video|picture|photo) caption\s*:?"
    r"|(?:image|picture|pictures|photo|photograph|pictured|file photo|caption)\s*:)\s*",
    re.IGNORECASE,
)
_LABEL = r"(?:photograph|photo|picture|image|credit|illustration|file)s?(?:\s+photo)?\s?:\s?"
_CREDIT_TOKEN = (
    r"(?:[A-Z]\.|[A-Z][\w'’&-]*)"  # "Jane", "NASSER", an initial "A."; not "Foto." ending a sentence
)
_NAME = rf"{_CREDIT_TOKEN}(?:\s+{_CREDIT_TOKEN}){{0,3}}"


@dataclass(frozen=True)
class CreditPatterns:
    """The credit shapes, compiled once per agency list."""

    copyright_line: re.Pattern[str]  # "Image copyright Getty Images"
    bracketed: re.Pattern[str]  # "(Kim Lee/CBC)", "[File: Reuters]", "(Image: GETTY )"
    labelled: re.Pattern[str]  # "Photograph: Tom Reyes/Getty Images", "harbourCredit: EPA"
    slashed: re.Pattern[str]  # "REUTERS/Ana Costa", "Omar NASSER / AFP", "Ana Lopez/The Canadian Press"
    after_sentence: re.Pattern[str]  # "... before leaving Israel. AP"
    agency_only: re.Pattern[str]  # "Getty Images"
    agency_anywhere: re.Pattern[str]  # "City Council via AP, File"


@functools.lru_cache(maxsize=8)
def credit_patterns(agency_regex: str) -> CreditPatterns:
    """Compile the credit shapes around the agency alternation from the seed."""
    agency = f"(?:{agency_regex})"
    return CreditPatterns(
        copyright_line=re.compile(
            r"^(?:(?:image|media|video|photo|picture)\s+)?copyright\s*:?\s*(?P<credit>.{1,80})$",
            re.IGNORECASE,
        ),
        bracketed=re.compile(
            rf"\s*[(\[]\s*(?P<label>(?i:{_LABEL}))?(?P<credit>[^()\[\]]{{1,{MAX_CREDIT_CHARS}}}?)\s*[)\]]$"
        ),
        labelled=re.compile(rf"\s*(?i:{_LABEL})+(?P<credit>[^:]{{1,{MAX_CREDIT_CHARS}}})$"),
        slashed=re.compile(
            rf"(?<![\w'’])(?P<credit>{_NAME}(?:\s?/\s?{_NAME})*\s?/\s?(?:{agency}|{_NAME})"
            r"(?:\s+(?:file|via\s+Getty\s+Images))?)$"
        ),
        after_sentence=re.compile(rf"(?<=[.!?'\"”’)])\s*(?P<credit>{agency})$"),
        agency_only=re.compile(rf"^{agency}$"),
        agency_anywhere=re.compile(rf"(?<![\w-]){agency}(?![\w-])"),
    )


def _tidy(text: str) -> str:
    """Spaces squashed, stray separators at the ends dropped ("GETTY " -> "GETTY")."""
    return squash_spaces(text).strip(" -–—|,;")


def _is_bracketed_credit(label: str | None, credit: str, patterns: CreditPatterns) -> bool:
    """A bracketed note is a credit when labelled, slashed ("Name/Agency") or naming an agency; "(left)" is
    not."""
    return bool(label) or "/" in credit or bool(patterns.agency_anywhere.search(credit))


def split_credit(text: str, patterns: CreditPatterns) -> tuple[str, str | None]:
    """(caption, credit) for one normalised caption line; credit is None when none is found and the caption
    is "" when the line is only a credit."""
    if match := patterns.copyright_line.match(text):
        return "", _tidy(match.group("credit")) or None
    body = _PREFIX.sub("", text, count=1)
    if patterns.agency_only.match(body):
        return "", body
    match = patterns.bracketed.search(body)
    whole_line = match is not None and match.start() == 0  # "(Walt Disney Co.)" under a caption
    if match and (whole_line or _is_bracketed_credit(match.group("label"), match.group("credit"), patterns)):
        return _tidy(body[: match.start()]), _tidy(match.group("credit")) or None
    for pattern in (patterns.labelled, patterns.slashed, patterns.after_sentence):
        if match := pattern.search(body):
            credit = _tidy(match.group("credit"))
            if credit:
                return _tidy(body[: match.start()]), credit
    return _tidy(body), None


def _lend_credits(rows: list[list]) -> None:
    """Give a credit that stands on its own line to the uncredited caption next to it, in place. Rows are
    [article_id, line_no, caption, credit], sorted by article and line."""
    credit_lines = {(r[0], r[1]): r[3] for r in rows if r[2] == "" and r[3] is not None}
    for row in rows:
        if row[3] is not None or not row[2]:
            continue
        article_id, line_no = row[0], row[1]
        below = [line_no + d for d in range(1, CREDIT_REACH_BELOW + 1)]
        above = [line_no - d for d in range(1, CREDIT_REACH_ABOVE + 1)]
        for other in (*below, *above):
            if (article_id, other) in credit_lines:
                row[3] = credit_lines[(article_id, other)]
                break


def extract_captions(
    boilerplate_lines: pl.DataFrame, reference: CleaningReference | None = None
) -> pl.DataFrame:
    """One row per `caption` line of `boilerplate_lines` (article_id, line_no, text, kind, rule): the caption
    text without its credit (normalised) and the credit (None when there is none). Never raises on odd
    text; the schema is CAPTIONS_SCHEMA even when there are no captions."""
    ref = reference or load_reference()
    patterns = credit_patterns(ref.agency_regex)
    captions = boilerplate_lines.filter(pl.col("kind") == CAPTION_KIND).sort("article_id", "line_no")
    rows: list[list] = []
    for article_id, line_no, raw in captions.select("article_id", "line_no", "text").iter_rows():
        caption, credit = split_credit(squash_spaces(normalise_line(raw or "")), patterns)
        rows.append([article_id, line_no, caption, credit])
    _lend_credits(rows)
    return pl.DataFrame(rows, schema=CAPTIONS_SCHEMA, orient="row")
