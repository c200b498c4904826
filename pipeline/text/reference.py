"""Reference data for cleaning, loaded from the seed CSVs.

Site-specific knowledge (boilerplate phrases, publisher names, photo-agency credits, list labels) lives in
CSV files under `seeds/` so it can be reviewed and extended without touching code. This module turns those
files into one immutable, pre-compiled `CleaningReference`.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"

PATTERNS_FILE = "boilerplate_patterns.csv"
PUBLISHERS_FILE = "publishers.csv"
AGENCY_FILE = "agency_credits.csv"
LIST_LABELS_FILE = "list_labels.csv"

# Placeholder usable inside boilerplate patterns: expands to an alternation of the agency credits.
AGENCY_PLACEHOLDER = "{agency}"
_KIND_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class BoilerplatePattern:
    """One row of boilerplate_patterns.csv, compiled."""

    kind: str
    rule: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Publisher:
    """A publisher's canonical name and the spellings that refer to it."""

    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class PublisherRegexes:
    """Contexts in which a publisher's name identifies the publisher (compiled once per alias set)."""

    told: re.Pattern[str]  # "told CNN", "speaking to The National"
    dateline: re.Pattern[str]  # "BAGHDAD (AP) —", "(CNN)"
    anywhere: re.Pattern[str]  # inside a copyright or credit line
    byline: re.Pattern[str]  # "By Jane Smith, CNN Business"
    whole: re.Pattern[str]  # a line that is only "Reuters" / "By Reuters"
    name_credit: re.Pattern[str]  # "Jeff Karoub, The Associated Press"


_WEEKDAYS_MONTHS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    "August|September|October|November|December"
)
DATELINE_SPAN = 80


def _publisher_regexes(alias_regex: str) -> PublisherRegexes:
    alias = f"(?P<alias>{alias_regex})"
    # "told CNN Thursday" names CNN; "told the Independent Electoral Commission" names no publisher
    not_longer_name = rf"(?!\s+(?!(?:{_WEEKDAYS_MONTHS})\b)[A-Z][a-z])"
    return PublisherRegexes(
        told=re.compile(
            rf"\b(?:told|in an interview with|speaking to|speaking with)\s+{alias}\b{not_longer_name}"
        ),
        dateline=re.compile(rf"^[^()]{{0,{DATELINE_SPAN}}}?\({alias}(?:\s[A-Z]\w*)?\)"),
        anywhere=re.compile(rf"(?<![\w-]){alias}(?![\w-])"),
        byline=re.compile(rf"^(?:By|BY)\b.*?(?:,\s*|\bfor\s+){alias}\b"),
        whole=re.compile(rf"^(?:By\s+)?{alias}$"),
        name_credit=re.compile(rf"^(?:By\s+)?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){{1,3}},\s+{alias}$"),
    )


@dataclass(frozen=True)
class CleaningReference:
    """Everything the cleaner knows about sites, publishers and credits, ready to use."""

    patterns: tuple[BoilerplatePattern, ...]
    publishers: tuple[Publisher, ...]
    agency_credits: tuple[str, ...]
    list_labels: tuple[re.Pattern[str], ...]
    # alias -> canonical publisher name (aliases as written, plus a lowercase-"the" variant)
    alias_to_publisher: tuple[tuple[str, str], ...]
    # one alternation of every alias, longest first, for "told X", "(X)" and copyright signals
    alias_regex: str
    agency_regex: str
    publisher_regexes: PublisherRegexes

    def publisher_for(self, alias: str) -> str | None:
        """Canonical publisher name for an alias as written, or None."""
        return dict(self.alias_to_publisher).get(alias)


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV with exactly `columns` as header; (line number, row) pairs. Raises ValueError."""
    if not path.is_file():
        raise ValueError(f"{path}: reference file not found")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise ValueError(f"{path}: empty file, expected header {','.join(columns)}") from None
        except csv.Error as exc:
            raise ValueError(f"{path}: row 1: {exc}") from exc
        if tuple(h.strip() for h in header) != columns:
            raise ValueError(f"{path}: row 1: header {header!r}, expected {','.join(columns)}")
        rows: list[tuple[int, dict[str, str]]] = []
        try:
            for record in reader:
                line_no = reader.line_num
                if not record or all(not cell.strip() for cell in record):
                    continue
                if len(record) != len(columns):
                    raise ValueError(
                        f"{path}: row {line_no}: {len(record)} fields, expected {len(columns)} ({record!r})"
                    )
                rows.append((line_no, dict(zip(columns, record, strict=True))))
        except csv.Error as exc:
            raise ValueError(f"{path}: row {reader.line_num}: {exc}") from exc
    return rows


def _compile(path: Path, line_no: int, pattern: str) -> re.Pattern[str]:
    """Compile a regex from a CSV cell, naming file and row when it is invalid."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{path}: row {line_no}: invalid regex {pattern!r}: {exc}") from exc


def _load_agency_credits(path: Path) -> tuple[str, ...]:
    credits = []
    for line_no, row in _read_rows(path, ("credit",)):
        credit = row["credit"].strip()
        if not credit:
            raise ValueError(f"{path}: row {line_no}: empty credit")
        credits.append(credit)
    return tuple(credits)


def _alternation(words: list[str] | tuple[str, ...]) -> str:
    """Regex alternation of literal words, longest first so that the longest spelling wins."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _load_patterns(path: Path, agency_regex: str) -> tuple[BoilerplatePattern, ...]:
    patterns = []
    for line_no, row in _read_rows(path, ("kind", "rule", "pattern")):
        kind, rule, pattern = row["kind"].strip(), row["rule"].strip(), row["pattern"]
        if not _KIND_RE.match(kind):
            raise ValueError(f"{path}: row {line_no}: kind {kind!r} must be lower_snake_case")
        if not rule:
            raise ValueError(f"{path}: row {line_no}: empty rule")
        if not pattern.strip():
            raise ValueError(f"{path}: row {line_no}: empty pattern")
        pattern = pattern.replace(AGENCY_PLACEHOLDER, f"(?:{agency_regex})")
        patterns.append(BoilerplatePattern(kind, f"pattern:{rule}", _compile(path, line_no, pattern)))
    return tuple(patterns)


def _load_publishers(path: Path) -> tuple[Publisher, ...]:
    publishers = []
    for line_no, row in _read_rows(path, ("name", "aliases")):
        name = row["name"].strip()
        if not name:
            raise ValueError(f"{path}: row {line_no}: empty publisher name")
        aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
        publishers.append(Publisher(name, (name, *aliases)))
    return tuple(publishers)


def _load_list_labels(path: Path) -> tuple[re.Pattern[str], ...]:
    labels = []
    for line_no, row in _read_rows(path, ("pattern",)):
        if not row["pattern"].strip():
            raise ValueError(f"{path}: row {line_no}: empty pattern")
        labels.append(_compile(path, line_no, row["pattern"]))
    return tuple(labels)


def _alias_map(publishers: tuple[Publisher, ...]) -> tuple[tuple[str, str], ...]:
    """Alias -> name, adding "the X" for every "The X" (running text lowercases the article)."""
    pairs: dict[str, str] = {}
    for pub in publishers:
        for alias in pub.aliases:
            pairs.setdefault(alias, pub.name)
            if alias.startswith("The "):
                pairs.setdefault("the " + alias[4:], pub.name)
    return tuple(pairs.items())


@functools.lru_cache(maxsize=8)
def _load_cached(seeds_dir: Path) -> CleaningReference:
    credits = _load_agency_credits(seeds_dir / AGENCY_FILE)
    agency_regex = _alternation(credits)
    publishers = _load_publishers(seeds_dir / PUBLISHERS_FILE)
    alias_pairs = _alias_map(publishers)
    alias_regex = _alternation([alias for alias, _ in alias_pairs])
    return CleaningReference(
        patterns=_load_patterns(seeds_dir / PATTERNS_FILE, agency_regex),
        publishers=publishers,
        agency_credits=credits,
        list_labels=_load_list_labels(seeds_dir / LIST_LABELS_FILE),
        alias_to_publisher=alias_pairs,
        alias_regex=alias_regex,
        agency_regex=agency_regex,
        publisher_regexes=_publisher_regexes(alias_regex),
    )


def load_reference(seeds_dir: Path | str | None = None) -> CleaningReference:
    """Load (once per folder) the cleaning reference from `seeds_dir` (default: the repo's seeds/)."""
    path = Path(seeds_dir) if seeds_dir is not None else DEFAULT_SEEDS_DIR
    return _load_cached(path.resolve())
