"""Line classification: which input lines are web boilerplate, of what kind, and by which rule.

Classification runs in passes over the lines of one article. The first pass looks at each line alone
(seed patterns from `seeds/boilerplate_patterns.csv` plus a few generic shapes: blank, symbol-only, date,
byline, the writer's e-mail contact line, text left by the page's code, list label). Later passes use context:
repeats of earlier lines, lists that follow a "Related" label, runs of short headline-like lines (navigation),
and echoes of lines already taken for calls to action or teasers. Lists that belong to the article
(introduced by a colon, bulleted, or shaped like data: fixtures, rankings, "label - value" pairs) are found
first and no navigation or footer rule may take them. Each pass only labels lines that are still unlabelled,
so the first rule that fires is the one recorded.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pipeline.text.normalise import normalise_line, squash_spaces
from pipeline.text.reference import CleaningReference


@dataclass(frozen=True)
class Verdict:
    """Why a line is not article content."""

    kind: str
    rule: str


@dataclass(frozen=True)
class Line:
    """One input line: its 0-based index, the raw text, and the normalised, space-squashed text."""

    index: int
    raw: str
    text: str

    @property
    def is_separator(self) -> bool:
        """A purely empty line (only ordinary spaces/tabs): a paragraph break, not content."""
        return self.raw.strip(" \t") == ""

    @property
    def words(self) -> int:
        return len(self.text.split())


Verdicts = dict[int, Verdict]


def make_lines(raw_lines: Iterable[str]) -> list[Line]:
    """Pair each raw line with its normalised text."""
    return [Line(i, raw, squash_spaces(normalise_line(raw))) for i, raw in enumerate(raw_lines)]


# ---------------------------------------------------------------------------------------------------------
# Line shapes


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]»]*$")
_QUESTION_END = re.compile(r"\?[\"'”’)\]»]*$")
_BULLET = re.compile(r"^[•·▪◦*‣-]\s*\S")
LETTER = re.compile(r"[^\W\d_]")

LONG_LINE_WORDS = 25  # a line this long is a paragraph even without final punctuation
SHORT_QUESTION_WORDS = 8  # "How is the disease spread?" is a subheading, not a sentence
# Emoji, modifiers and joiners: blog posts close sentences with them, after the final mark or instead of it.
_TRAILING_EMOJI = re.compile(r"(?:\s*[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D])+$")


def without_closing_emoji(text: str) -> str:
    """The line with its closing emoji read as punctuation: dropped after a final mark ("See you! [smile]"),
    a full stop in place of one when the line is as long as a sentence ("... on Saturday [wink]")."""
    bare = _TRAILING_EMOJI.sub("", text)
    if not bare or bare == text or _SENTENCE_END.search(bare) or bare.endswith(":"):
        return bare or text
    return bare + "." if len(bare.split()) >= SHORT_QUESTION_WORDS else bare


def is_sentence_like(text: str) -> bool:
    """Does the line read as running prose (a paragraph) rather than a headline, label or link?"""
    text = without_closing_emoji(text)
    words = len(text.split())
    if words >= LONG_LINE_WORDS:
        return True
    if text.endswith(":") and words >= 4:
        return True  # "After the vote, the minister said:" introduces a quote paragraph
    if not _SENTENCE_END.search(text):
        return False
    if _QUESTION_END.search(text) and words < SHORT_QUESTION_WORDS:
        return False
    return words >= 2


MAX_HEADLINE_WORDS = 20


def is_headline_like(text: str) -> bool:
    """A link/headline shape: not prose, or a short exclaiming/asking headline ('... "We got her!"')."""
    if not is_sentence_like(text):
        return True
    return len(text.split()) <= MAX_HEADLINE_WORDS and not text.rstrip("\"'”’)]»").endswith((".", ":"))


def is_bullet(text: str) -> bool:
    """List items inside an article ("· Police suspect ...") are content even when short."""
    return bool(_BULLET.match(text))


# ---------------------------------------------------------------------------------------------------------
# Dates and bylines (generic, not site data)

_MONTHS = [
    *("january", "february", "march", "april", "may", "june", "july", "august"),
    *("september", "october", "november", "december"),
    *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
]
_DATE_WORDS = frozenset(
    [
        *_MONTHS,
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"),
        *("am", "pm", "a", "m", "p", "gmt", "utc", "est", "edt", "bst", "cet", "cest", "hkt", "pst", "pdt"),
        *("cst", "cdt", "mst", "mdt", "ist", "aest", "aedt", "gst", "et", "pt", "ct", "uk", "local", "time"),
        *("updated", "published", "posted", "last", "modified", "first", "on", "at", "ago"),
        *(
            "hour",
            "hours",
            "minute",
            "minutes",
            "min",
            "mins",
            "h",
            "d",
            "day",
            "days",
            "st",
            "nd",
            "rd",
            "th",
        ),
    ]
)
MONTH_NAMES = frozenset(_MONTHS)
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\b|\b\d{1,2}\s*[ap]\.?m\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_ALPHA = re.compile(r"[^\W\d_]+")
_DATE_PREFIX = re.compile(
    r"^(?:first published|published|updated|last updated|last modified|posted|date|created)\b"
    r"\s*(?:on|at)?\s*:?",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:By|BY)\s+[A-Z][\w.’'-]*")
_RELATIVE_TIME = re.compile(r"\b\d+\s*(?:h|m|d|hours?|minutes?|mins?|days?)\s+ago\b", re.IGNORECASE)

MAX_DATE_LINE_WORDS = 20
MAX_BYLINE_WORDS = 14


def _unknown_words(text: str) -> int:
    """Alphabetic words in `text` that are not date/time vocabulary."""
    return sum(1 for w in _ALPHA.findall(text) if w.lower().rstrip(".") not in _DATE_WORDS)


def _has_date_anchor(text: str) -> bool:
    """A month name, a clock time or "N hours ago": what makes digits a date rather than a count."""
    if _TIME.search(text) or _RELATIVE_TIME.search(text):
        return True
    return any(w.lower() in MONTH_NAMES for w in _ALPHA.findall(text))


def is_date_line(text: str) -> bool:
    """A line that is only a date/time stamp, optionally led by "Updated:" / "Published" etc."""
    if not _DIGIT.search(text) or len(text.split()) > MAX_DATE_LINE_WORDS:
        return False
    if _DATE_PREFIX.match(text):
        rest = text[_DATE_PREFIX.match(text).end() :]  # type: ignore[union-attr]
        return _has_date_anchor(rest) and _unknown_words(rest) <= 3
    return _has_date_anchor(text) and _unknown_words(text) <= 1


def is_byline(text: str) -> bool:
    """ "By Jane Smith", "By Jane Smith, CNN" or "By Jane Smith – 18 hours ago" (not "By Friday, ... .")."""
    if not _BYLINE.match(text) or len(text.split()) > MAX_BYLINE_WORDS:
        return False
    if _unknown_words(text[2:]) == 0:
        return False  # "By Friday", "By March 2025": a time phrase, not a name
    return not _SENTENCE_END.search(text) or text.endswith(("ago", "Jr.", "Sr."))


_MACHINE_TOKEN = re.compile(r"^(?=\S*[_%])(?=\S*\d)[\w%.-]+$")  # "img_0412_large", "%2Fsport%2F2019"
_URL = r"(?:https?://|www\.)\S+"
_URL_LED = re.compile(rf"^{_URL}\s.*{_URL}")


def is_machine_text(text: str) -> bool:
    """Text a page's code left behind, not words for a reader: a lone file name or encoded path (a word with
    underscores or percent codes and digits), or a line that opens with a link and holds another one (an
    image record: address, size, uploader, address)."""
    return bool(_MACHINE_TOKEN.match(text) or _URL_LED.match(text))


_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
MAX_CONTACT_WORDS = 10


def is_contact_line(text: str) -> bool:
    """The writer's address under an article ("Write to Ana Ruiz at ana@example.com", "ana@example.com
    @anaruiz"): a short line with an e-mail address that is not a sentence. A sentence that gives an address
    ("Email the writer at ... if you know more.") is the article's own text."""
    return bool(_EMAIL.search(text)) and len(text.split()) <= MAX_CONTACT_WORDS and not is_sentence_like(text)


# ---------------------------------------------------------------------------------------------------------
# Pass 1: each line alone

_NBSP_ONLY = re.compile(r"^[ \t\u00a0\u202f\u2007]+$")
MAX_LABEL_WORDS = 6


def blank_verdict(line: Line) -> Verdict | None:
    """Whitespace-only lines that are not plain empty lines (NBSP, zero-width, ...) are recorded."""
    if line.is_separator or line.text.strip("\u200b\u200c\u200d\u2060\ufeff"):
        return None
    return Verdict("blank", "nbsp_only" if _NBSP_ONLY.match(line.raw) else "whitespace_only")


def is_list_label(text: str, ref: CleaningReference) -> bool:
    """A short heading that introduces a list of links ("Related articles", "Most read")."""
    return len(text.split()) <= MAX_LABEL_WORDS and any(p.search(text) for p in ref.list_labels)


@functools.lru_cache(maxsize=8)
def _agency_line(agency_regex: str) -> re.Pattern[str]:
    """A line that is only a photo agency's name (from seeds/agency_credits.csv)."""
    return re.compile(f"(?:{agency_regex})")


def classify_line(text: str, ref: CleaningReference) -> Verdict | None:
    """Verdict for a non-empty normalised line judged on its own, or None when it may be content."""
    if not LETTER.search(text):
        return Verdict("symbol_line", "no_letters")
    for pattern in ref.patterns:
        if pattern.regex.search(text):
            return Verdict(pattern.kind, pattern.rule)
    if is_list_label(text, ref):
        return Verdict("related_link", "list_label")
    if ref.publisher_regexes.whole.match(text):
        return Verdict("credit", "publisher_name_only")
    if ref.publisher_regexes.name_credit.match(text):
        return Verdict("byline", "name_and_publisher")
    if _agency_line(ref.agency_regex).fullmatch(text):
        return Verdict("credit", "agency_only")  # "Getty", "Shutterstock": a picture credit on its own line
    if is_byline(text):
        return Verdict("byline", "by_name")
    if is_contact_line(text):
        return Verdict("byline", "contact_email")
    if is_machine_text(text):
        return Verdict("markup", "machine_text")
    if is_date_line(text):
        return Verdict("timestamp", "labelled_date" if _DATE_PREFIX.match(text) else "date_line")
    return None


def classify_each(lines: list[Line], ref: CleaningReference) -> Verdicts:
    """Pass 1: verdicts from the line's own text."""
    verdicts: Verdicts = {}
    for line in lines:
        if line.is_separator:
            continue
        verdict = blank_verdict(line) or (classify_line(line.text, ref) if line.text else None)
        if verdict:
            verdicts[line.index] = verdict
    return verdicts


# ---------------------------------------------------------------------------------------------------------
# Context passes

_MEDIA_SUFFIX = {
    "video_label": re.compile(r"\s[–—-]\s*video$", re.IGNORECASE),
    "gallery_label": re.compile(r"(?:\s[–—-]\s*|\s)in pictures$", re.IGNORECASE),
}
_MEDIA_TITLE = {"video_label": "video_title", "gallery_label": "gallery_title"}


def content_lines(lines: list[Line], verdicts: Mapping[int, Verdict], skip: Iterable[int] = ()) -> list[Line]:
    """Non-empty lines that no rule has claimed yet (and that are not in `skip`)."""
    skipped = set(skip)
    return [
        ln
        for ln in lines
        if ln.text and ln.index not in verdicts and ln.index not in skipped and not ln.is_separator
    ]


def mark_repeats(lines: list[Line], verdicts: Mapping[int, Verdict]) -> Verdicts:
    """Lines repeating an earlier line of the same article (video and gallery titles echoed by the player,
    duplicated headlines, pull quotes). The first occurrence stays, except that the headline of a "... –
    video" or "... – in pictures" label, repeated after it, is the player's or gallery's title (before the
    label it may be the article's own headline). An echo comes once; a short line written again and again
    is a table's column ("Rest day", "Eat every two hours", `is_table_cell`) and stays."""
    found: Verdicts = {}
    seen: set[str] = set()
    media_titles: dict[str, str] = {}  # casefolded title -> kind of the label that announced it
    occurrences = Counter(
        line.text.casefold()
        for line in lines
        if line.text and not line.is_separator and line.index not in verdicts
    )
    for line in lines:
        if not line.text or line.is_separator:
            continue
        key = line.text.casefold()
        verdict = verdicts.get(line.index)
        if verdict is not None:
            if verdict.kind in _MEDIA_SUFFIX:
                title = _MEDIA_SUFFIX[verdict.kind].sub("", line.text).casefold()
                media_titles.setdefault(title, _MEDIA_TITLE[verdict.kind])
        elif key in media_titles:
            kind = media_titles[key]
            found[line.index] = Verdict(kind, f"repeat_of_{kind.removesuffix('_title')}_label")
        elif key in seen and line.words >= 2 and not is_table_cell(line, occurrences[key]):
            found[line.index] = Verdict("duplicate_line", "repeat_of_earlier_line")
        seen.add(key)
    return found


TABLE_REPEATS = 3
TABLE_CELL_WORDS = 10


def is_table_cell(line: Line, occurrences: int) -> bool:
    """A line written TABLE_REPEATS times or more, short or prose: a column of a table or schedule, or
    the same instruction on each day of a plan, not an echo. A headline-shaped line repeated that often
    is still a teaser."""
    return occurrences >= TABLE_REPEATS and (line.words <= TABLE_CELL_WORDS or is_sentence_like(line.text))


_LIST_TRANSPARENT = frozenset({"related_link", "blank", "symbol_line", "duplicate_line"})


def mark_list_followers(
    lines: list[Line], verdicts: Mapping[int, Verdict], skip: Iterable[int] = ()
) -> Verdicts:
    """Short headline lines right after a list label ("Related articles") are the list's links. Lines in
    `skip` (the title and standfirst already chosen) end a list: they cannot be both."""
    found: Verdicts = {}
    in_list = False
    skipped = set(skip)
    for line in lines:
        if not line.text or line.is_separator:
            continue
        if line.index in skipped:
            in_list = False
            continue
        verdict = verdicts.get(line.index)
        if verdict is not None:
            in_list = verdict.rule == "list_label" or (in_list and verdict.kind in _LIST_TRANSPARENT)
            continue
        if in_list and is_headline_like(line.text) and not is_bullet(line.text):
            found[line.index] = Verdict("related_link", "after_list_label")
        else:
            in_list = False
    return found


MAX_CAPTION_HEAD_WORDS = 25


def mark_caption_heads(lines: list[Line], verdicts: Mapping[int, Verdict]) -> Verdicts:
    """A photo caption split over two lines: a short unpunctuated line directly above (no blank line between)
    a credit-only line such as "(Jane Doe / Agency)" is the caption's text."""
    found: Verdicts = {}
    for above, below in itertools.pairwise(lines):
        verdict = verdicts.get(below.index)
        if verdict is None or verdict.kind != "caption" or below.words > MAX_LABEL_WORDS:
            continue
        if above.index in verdicts or not above.text or above.is_separator:
            continue
        if not is_sentence_like(above.text) and above.words <= MAX_CAPTION_HEAD_WORDS:
            found[above.index] = Verdict("caption", "above_credit_line")
    return found


MIN_NAV_RUN = 2
MIN_LIST_SHARE = 2 / 3  # share of a run's items that must have a content-list shape for the run to stay

# Shapes of items in lists that are part of an article (fixtures, seedings, award lists, results), as opposed
# to lists of related headlines: "Rovers v Athletic", "16 Ana Kovac (Croatia)", "Drama - Paper Boats".
_FIXTURE = re.compile(r"\S\s(?:v|vs\.?|versus)\s\S")
_LEADING_NUMBER = re.compile(r"^\(?\d{1,3}(?:st|nd|rd|th|\.|\))?\s+\S")
_PAREN_TAIL = re.compile(r"\((?![\d:.\s]+\))[^()]*\)$")  # "(Germany)", not a video length "(2:34)"
_LABEL_DASH = re.compile(r"^[^\s–—-][^–—]{0,50}?\s[–—-]\s+\S")


# ---------------------------------------------------------------------------------------------------------
# Data lists whose items share one written form (see is_content_list)

_TEMPLATE_CHARS = re.compile(r"[():;=%$£€]")
MIN_TEMPLATE_ITEMS = 3
MAX_VALUE_WORDS = 4  # "Label: value" items; "Review: a headline after a kicker" is longer


def template(text: str) -> str:
    """The punctuation skeleton of a line: "Rovers (Group A): 3rd entry" -> "():", "Stalls : 4,000" -> ":".
    A line whose only mark is a colon before a headline-length tail has none (a kicker and a headline)."""
    skeleton = "".join(_TEMPLATE_CHARS.findall(text))
    if skeleton == ":" and len(text.rsplit(":", 1)[1].split()) > MAX_VALUE_WORDS:
        return ""
    return skeleton


def templated_stretches(texts: list[str]) -> list[range]:
    """Stretches of at least MIN_TEMPLATE_ITEMS consecutive items that share one non-empty skeleton, each of
    two words or more (form fields such as "Name(required)" are single tokens)."""
    stretches: list[range] = []
    start = 0
    for end in range(1, len(texts) + 1):
        if (
            end < len(texts)
            and template(texts[end]) == template(texts[start])
            and len(texts[end].split()) > 1
        ):
            continue
        if template(texts[start]) and end - start >= MIN_TEMPLATE_ITEMS and len(texts[start].split()) > 1:
            stretches.append(range(start, end))
        start = end
    return stretches


@dataclass(frozen=True)
class Run:
    """Consecutive short, unpunctuated lines (blank and classified lines between them are transparent)."""

    indices: tuple[int, ...]
    after_colon: bool  # introduced by a line ending in ":" ("The draw:")


def has_list_item_shape(text: str) -> bool:
    """An item of a data list: a fixture, a numbered/ranked entry, a "label - value" pair or an entry with a
    parenthesised note."""
    return bool(
        _FIXTURE.search(text)
        or _LEADING_NUMBER.match(text)
        or _PAREN_TAIL.search(text)
        or _LABEL_DASH.match(text)
    )


def is_content_list(texts: list[str]) -> bool:
    """Most items of the run share a data-list shape: related headlines and menus do not."""
    if len(texts) < MIN_NAV_RUN:
        return False
    shaped = sum(1 for t in texts if has_list_item_shape(t))
    return shaped >= MIN_LIST_SHARE * len(texts)


def find_short_runs(
    lines: list[Line],
    verdicts: Mapping[int, Verdict],
    barriers: Iterable[int] = (),
    *,
    split_at_claimed: bool = False,
) -> list[Run]:
    """Runs of unclaimed short, non-prose, non-bullet lines; prose, bullets and `barriers` end a run. Lines
    already claimed by a rule are skipped over, or end the run with `split_at_claimed`."""
    barrier_set = set(barriers)
    runs: list[Run] = []
    current: list[int] = []
    after_colon = False
    for line in lines:
        if not line.text or line.is_separator:
            continue
        if line.index in verdicts:
            if split_at_claimed and current:
                runs.append(Run(tuple(current), after_colon))
                current, after_colon = [], False
            continue
        if line.index in barrier_set or is_sentence_like(line.text) or is_bullet(line.text):
            if current:
                runs.append(Run(tuple(current), after_colon))
                current = []
            after_colon = line.text.endswith(":") and line.index not in barrier_set
        else:
            current.append(line.index)
    if current:
        runs.append(Run(tuple(current), after_colon))
    return runs


def bullet_groups(lines: list[Line], verdicts: Mapping[int, Verdict]) -> list[tuple[int, ...]]:
    """Groups of consecutive unclaimed bullet lines ("- Best actress - ..."), ignoring blank lines."""
    groups: list[tuple[int, ...]] = []
    current: list[int] = []
    for line in content_lines(lines, verdicts):
        if is_bullet(line.text) and (
            not current or _only_gaps_between(lines, verdicts, current[-1], line.index)
        ):
            current.append(line.index)
            continue
        if len(current) >= MIN_NAV_RUN:
            groups.append(tuple(current))
        current = [line.index] if is_bullet(line.text) else []
    if len(current) >= MIN_NAV_RUN:
        groups.append(tuple(current))
    return groups


def _only_gaps_between(lines: list[Line], verdicts: Mapping[int, Verdict], start: int, end: int) -> bool:
    """Nothing but empty or already-classified lines between two indices."""
    return all(not ln.text or ln.is_separator or ln.index in verdicts for ln in lines[start + 1 : end])


def content_list_lines(
    lines: list[Line], verdicts: Mapping[int, Verdict], barriers: Iterable[int] = ()
) -> set[int]:
    """Lines of lists that belong to the article: introduced by a colon, shaped like data, or bulleted. No
    navigation or footer rule may take them. A run is judged whole, then piecewise between lines other rules
    claimed (so a data list next to a menu stays while the menu goes). An item of a content list that a
    caption or repeat rule claimed is an item too, and is returned (see `listed_claims`)."""
    keep: set[int] = set()
    for run in find_short_runs(lines, verdicts, barriers):
        if run.after_colon or is_content_list([lines[i].text for i in run.indices]):
            keep.update(run.indices)
            keep.update(listed_claims(lines, verdicts, run))
    for run in find_short_runs(lines, verdicts, barriers, split_at_claimed=True):
        texts = [lines[i].text for i in run.indices]
        if is_content_list(texts):
            keep.update(run.indices)
        for stretch in templated_stretches(texts):
            keep.update(run.indices[k] for k in stretch)
    for group in bullet_groups(lines, verdicts):
        keep.update(group)
    return keep


MIN_FRAMED_RUN = 3  # two headlines between paragraphs are as often a pair of related links as a list
_LIST_INNER_KINDS = frozenset({"duplicate_line", "symbol_line", "blank"})  # repeated items, prices
MIN_FRAME_WORDS = 10  # a paragraph, not a one-line call to action ("Choose a plan that suits you!")


HEADLINE_WORDS = (5, 12)


def _is_headline_sized(text: str) -> bool:
    """A line the size and shape of a linked headline: 5-12 words, a capital first, no data-list shape."""
    low, high = HEADLINE_WORDS
    return low <= len(text.split()) <= high and text[:1].isupper() and not has_list_item_shape(text)


def between_paragraphs(
    lines: list[Line], verdicts: Mapping[int, Verdict], run: Run, barriers: Iterable[int] = ()
) -> bool:
    """Is the run framed by prose paragraphs of the article on both sides: the nearest non-blank lines
    above and below are unclaimed sentences (not the title or standfirst, not a player, label or credit)?
    Such a run is a list, a table or a set of subheadings inside the text; menus and related headlines
    stand above or below the article, or come with a label ("Related", "Watch") that another rule takes."""
    barrier_set = set(barriers)
    non_empty = [ln for ln in lines if ln.text and not ln.is_separator and not _is_blank(verdicts, ln.index)]
    before = [ln for ln in non_empty if ln.index < run.indices[0]]
    after = [ln for ln in non_empty if ln.index > run.indices[-1]]
    if not before or not after:
        return False
    if all(_is_headline_sized(lines[i].text) for i in run.indices):
        return False  # every item a full headline: a block of related links without a label
    inside = (verdicts.get(i) for i in range(run.indices[0], run.indices[-1] + 1))
    if any(v is not None and v.kind not in _LIST_INNER_KINDS for v in inside):
        return False  # a credit, byline, date or share line among the items: page furniture
    frames = (before[-1], after[0])
    if not all(
        ln.index not in verdicts
        and ln.index not in barrier_set
        and is_sentence_like(ln.text)
        and not is_bullet(ln.text)
        for ln in frames
    ):
        return False
    paragraphs = sum(1 for ln in frames if ln.words >= MIN_FRAME_WORDS)
    return paragraphs == len(frames) or (paragraphs == 1 and _reads_as_text(lines, run))


MIN_TEXT_ITEM_WORDS = 2  # on average: "rain jacket", "flask of tea", "map" is a packing list


def _reads_as_text(lines: list[Line], run: Run) -> bool:
    """Items of two words or more on average: steps, points or a packing list ("Stir for a minute"), not
    the one-word fields of a form ("Name", "City", "Postcode") or the entries of a menu."""
    words = sum(lines[i].words for i in run.indices)
    return words >= MIN_TEXT_ITEM_WORDS * len(run.indices)


def _is_blank(verdicts: Mapping[int, Verdict], index: int) -> bool:
    verdict = verdicts.get(index)
    return verdict is not None and verdict.kind == "blank"


_LIST_RECLAIMABLE = frozenset({"caption", "duplicate_line"})


def listed_claims(lines: list[Line], verdicts: Mapping[int, Verdict], run: Run) -> set[int]:
    """Lines inside a content list's span that another rule took for a credit or a repeat: an item shaped
    like the list's ("The Lighthouse (Paper Boat Films/Channel 9)" is no photo credit there), or an item
    repeated in the list ("Group winners play in the final" after each group's fixtures)."""
    first, last = run.indices[0], run.indices[-1]
    items = {ln.text.casefold() for ln in lines[first : last + 1] if ln.text}
    after = (ln.index for ln in lines[last + 1 :] if ln.text and ln.index not in verdicts)
    end = next(after, len(lines))  # claimed lines right after the last item belong to the span too
    found = set()
    for ln in lines[first:end]:
        verdict = verdicts.get(ln.index)
        if verdict is None or verdict.kind not in _LIST_RECLAIMABLE:
            continue
        if ln.index > last:  # after the last item, only a repeat of an item is taken back
            if verdict.kind == "duplicate_line" and ln.text.casefold() in items:
                found.add(ln.index)
        elif verdict.kind == "duplicate_line" or has_list_item_shape(ln.text):
            found.add(ln.index)
    return found


def mark_short_runs(
    lines: list[Line], verdicts: Mapping[int, Verdict], barriers: Iterable[int] = (), keep: Iterable[int] = ()
) -> Verdicts:
    """Runs of consecutive short, unpunctuated lines are navigation (lists of headlines, menus, tags): three
    or more, or two written on adjacent lines. Lines already classified are transparent; a lone short line
    between paragraphs is a subheading and stays, and so do lists that belong to the article (`keep`, see
    `content_list_lines`), and runs of three or more framed by paragraphs (see `between_paragraphs`).
    `barriers` (title, subtitle) end a run."""
    found: Verdicts = {}
    kept = set(keep)
    for run in find_short_runs(lines, verdicts, barriers):
        indices = run.indices
        adjacent_pair = len(indices) == MIN_NAV_RUN and indices[1] == indices[0] + 1
        if len(indices) >= MIN_FRAMED_RUN and between_paragraphs(lines, verdicts, run, barriers):
            continue  # a list or a set of subheadings inside the text
        if (len(indices) > MIN_NAV_RUN or adjacent_pair) and not run.after_colon:
            found.update({i: Verdict("navigation", "short_line_run") for i in indices if i not in kept})
    return found


MAX_FOOTER_LINE_WORDS = 15
_AUTHOR_BIO = re.compile(
    r"^[A-Z][\w.’'-]+(?: [A-Z][\w.’'-]+){1,3} (?:is|was|has been) (?:an? |the )?(?:[\w-]+ ){0,4}"
    r"(?:reporter|correspondent|editor|writer|journalist|columnist|critic|producer|contributor)\b"
    r".{0,40}\b(?:for|at|with|of)\b"
)


def mark_author_bio(lines: list[Line], verdicts: Mapping[int, Verdict], skip: Iterable[int] = ()) -> Verdicts:
    """The last prose line, or the last line at all, when it is the author's bio ("Jane Smith is a health
    reporter for ..."), with or without a final period."""
    remaining = content_lines(lines, verdicts, skip)
    prose = [ln for ln in remaining if is_sentence_like(ln.text)]
    candidates = {ln.index: ln for ln in (prose[-1:] + remaining[-1:])}
    return {i: Verdict("byline", "author_bio") for i, ln in candidates.items() if _AUTHOR_BIO.match(ln.text)}


def mark_after(
    lines: list[Line],
    verdicts: Mapping[int, Verdict],
    start: int,
    verdict: Verdict,
    *,
    short_only: bool,
    keep: Iterable[int] = (),
) -> Verdicts:
    """Label the unclaimed lines after index `start` but those in `keep`; with `short_only`, only short
    non-prose lines (a long unpunctuated last line is more likely a truncated paragraph than a menu)."""
    return {
        ln.index: verdict
        for ln in content_lines(lines, verdicts, keep)
        if ln.index > start
        and not (short_only and (is_sentence_like(ln.text) or ln.words > MAX_FOOTER_LINE_WORDS))
    }


# Kinds that end an article's text: a list that only comes after one of them is not the article's.
_TAIL_FURNITURE = frozenset(
    {"share", "navigation", "byline", "related_link", "header", "footer", "site_repeat"}
)


def mark_footer(
    lines: list[Line], verdicts: Mapping[int, Verdict], skip: Iterable[int] = (), keep: Iterable[int] = ()
) -> Verdicts:
    """Footer: everything after a copyright notice in the second half of the page, and the short lines that
    follow the last prose paragraph (menus, tag lists, social links) unless they form a content list (`keep`).
    `skip` (title, standfirst) never counts as the last paragraph and is never footer."""
    found: Verdicts = {}
    non_empty = [ln for ln in lines if ln.text and not ln.is_separator]
    half = non_empty[len(non_empty) // 2].index if non_empty else 0
    copyright_at = [i for i, v in verdicts.items() if v.kind == "copyright" and i >= half]
    if copyright_at:
        found.update(
            mark_after(
                lines,
                verdicts,
                min(copyright_at),
                Verdict("footer", "after_copyright"),
                short_only=False,
                keep=skip,
            )
        )
    merged = {**verdicts, **found}
    found.update(mark_author_bio(lines, merged, skip))
    merged = {**verdicts, **found}
    prose = [ln.index for ln in content_lines(lines, merged, skip) if is_sentence_like(ln.text)]
    if prose:
        last = max(prose)
        barrier = next((i for i in sorted(merged) if i > last and merged[i].kind in _TAIL_FURNITURE), None)
        kept = [
            i for i in keep if barrier is None or i < barrier
        ]  # a list past the tail's furniture is links
        found.update(
            mark_after(
                lines,
                merged,
                last,
                Verdict("footer", "after_last_paragraph"),
                short_only=True,
                keep=kept,
            )
        )
    return found


# Kinds whose text a page may echo in part elsewhere: the echo is the same furniture.
_ECHOED_KINDS = frozenset({"share", "related_link", "advert", "video_label", "gallery_label", "byline"})
MIN_ECHO_WORDS = 3


def mark_furniture_echoes(
    lines: list[Line], verdicts: Mapping[int, Verdict], skip: Iterable[int] = ()
) -> Verdicts:
    """Unclaimed lines that repeat the opening of a line another rule took for a call to action, a teaser
    or a byline ("Never miss a tide." above "Never miss a tide. Join the harbour letter."; a teaser's
    headline without its quote): the same furniture, written twice by the page. Returned as that line's
    verdict."""
    claimed = [(lines[i].text.casefold(), v) for i, v in verdicts.items() if v.kind in _ECHOED_KINDS]
    found: Verdicts = {}
    for ln in content_lines(lines, verdicts, skip):
        if ln.words < MIN_ECHO_WORDS:
            continue
        key = ln.text.casefold()
        match = next((v for text, v in claimed if text != key and text.startswith(key)), None)
        if match is not None:
            found[ln.index] = Verdict(match.kind, "echo_of_removed_line")
    return found
