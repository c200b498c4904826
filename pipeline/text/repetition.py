"""Site furniture found by repetition across the articles of one publisher in the same run.

A menu entry, a promo ("Gazette Extra", "Reader Offers") or a teaser that the per-article rules
miss shows up verbatim on many pages of the same site. Real content rarely does, with two exceptions this
module refuses to touch:

- prose sentences: several versions of one wire story, or stock phrases ("He declined to comment."), recur
  verbatim across a publisher's articles and are content, so sentence-like lines never count;
- lists that belong to an article (fixtures, results: "Arsenal v Chelsea" in a preview and a report).

A line is site furniture when it recurs in at least MIN_ARTICLES articles of a publisher and in at least
MIN_SHARE of that publisher's articles in the run (so that with thousands of articles, a subheading shared
by a handful of them is not taken). Articles whose publisher is unknown are never compared: without a
publisher there is no "same site".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from pipeline.text.boilerplate import LETTER, Line, Verdict, Verdicts, is_sentence_like

MIN_ARTICLES = 3
MIN_SHARE = 0.1
SITE_REPEAT = Verdict("site_repeat", "repeated_across_publisher_articles")


def repeat_key(text: str) -> str:
    """The form in which two lines count as the same: normalised text, case-folded."""
    return text.casefold()


def is_candidate(text: str) -> bool:
    """Only headline/label-shaped lines with letters can be furniture; prose sentences never are."""
    return bool(text) and bool(LETTER.search(text)) and not is_sentence_like(text)


def candidate_keys(
    lines: Sequence[Line], verdicts: Mapping[int, Verdict], protected: Iterable[int]
) -> frozenset[str]:
    """Keys of the lines an article keeps in its body that could be site furniture (`protected`: title,
    standfirst and content-list lines)."""
    skip = set(protected)
    return frozenset(
        repeat_key(ln.text)
        for ln in lines
        if not ln.is_separator and ln.index not in verdicts and ln.index not in skip and is_candidate(ln.text)
    )


def find_site_repeats(
    publishers: Sequence[str | None], candidates: Sequence[frozenset[str]]
) -> dict[int, frozenset[str]]:
    """For each article position (in the order given), the keys of its lines that are site furniture of its
    publisher. Articles without a publisher or without such lines are absent."""
    positions: dict[str, list[int]] = defaultdict(list)
    for position, publisher in enumerate(publishers):
        if publisher is not None:
            positions[publisher].append(position)
    found: dict[int, frozenset[str]] = {}
    for members in positions.values():
        if len(members) < MIN_ARTICLES:
            continue
        counts = Counter(key for position in members for key in candidates[position])
        needed = max(MIN_ARTICLES, MIN_SHARE * len(members))
        furniture = frozenset(key for key, count in counts.items() if count >= needed)
        if not furniture:
            continue
        for position in members:
            if hits := candidates[position] & furniture:
                found[position] = hits
    return found


def mark_site_repeats(
    lines: Sequence[Line], verdicts: Mapping[int, Verdict], protected: Iterable[int], keys: frozenset[str]
) -> Verdicts:
    """Verdicts for the body lines of one article whose key is site furniture."""
    if not keys:
        return {}
    skip = set(protected)
    return {
        ln.index: SITE_REPEAT
        for ln in lines
        if not ln.is_separator
        and ln.index not in verdicts
        and ln.index not in skip
        and is_candidate(ln.text)
        and repeat_key(ln.text) in keys
    }
