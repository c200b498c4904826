"""Shapes of page furniture that hold across sites: post-meta lines, comment sections, author bios and reader
pitches; and one shape of content that menu rules must not take, embedded posts.

Each signal is a shape (how the line is built) and, where the shape alone is not enough, a position (before
the first paragraph, after the last one, in the second half of the page). None names a site.

- meta line: a stamp of the post rather than a sentence of it, made of segments ("October 3, 2018 | by Ana",
  "By Ana Ruiz | May 2, 2019 at 4:10 PM - Updated May 2", "Posted in Notes | Permalink | 4 Comments",
  "Northern Bureau | Updated : 2 May 2019, 09:01 AM");
- comment section: the head of the readers' comments ("12 responses to ...", "Ana Ruiz on May 2, 2019 at 4:47
  pm said:", "someuser says:", "Leave a comment", "Comments are closed."); what follows it is not the article;
- author bio: near the end, a third-person sentence about the writer ("Ana Ruiz is a senior editor at ...",
  "Staff columnist Ana Ruiz writes ...", or the byline's name followed by a verb: "Ana covers ...");
- embedded post: a social post quoted in the text, signed "— Ana Ruiz (@anaruiz) May 2, 2019"; the signature
  and the post above it are content;
- reader pitch: a short line in which the site asks the reader to subscribe or to follow it on a platform
  ("Harbour news in your inbox", "Message us on WhatsApp"), never a quotation or a reported statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pipeline.text.boilerplate import (
    MONTH_NAMES,
    Line,
    Verdict,
    Verdicts,
    content_lines,
    is_date_line,
    is_sentence_like,
)

# ---------------------------------------------------------------------------------------------------------
# Meta lines

# Segment separators: pipes, bullets, spaced dashes, slashes that are not inside a numeric date (11/19/2019).
_SEGMENT_SPLIT = re.compile(r"\s*(?:\||•|·|\s[–—-]\s|(?<!\b\d)(?<!\b\d\d)/)\s*")
_BY_SEGMENT = re.compile(r"^(?:(?:written|posted|words|reported|story) )?by:?\s+\S", re.IGNORECASE)
_COUNT_SEGMENT = re.compile(
    r"^\d[\d,.]*k?\s*(?:comments?|replies|reply|responses?|shares?|views?|reads?)$", re.IGNORECASE
)
_PLACE_SEGMENT = re.compile(r"^(?:posted |filed |published )?(?:in|under)\s+\S.{0,40}$", re.IGNORECASE)
_WORD_SEGMENT = re.compile(r"^(?:permalink|comments?|share|print|e-?mail)$", re.IGNORECASE)
_NAME_TOKEN = re.compile(r"^(?:[A-Z][\w.'’&-]*|of|the|and|de|van|von)$")
MAX_META_WORDS = 25
MAX_BY_WORDS = 7
MAX_NAME_WORDS = 6  # "Northern Region, City Bureau"


def _is_name(text: str) -> bool:
    """A short run of capitalised words: a person, a bureau or a publisher ("Northern Bureau", "CBS News")."""
    words = text.replace(",", " ").split()
    return 0 < len(words) <= MAX_NAME_WORDS and all(_NAME_TOKEN.match(w) for w in words) and text[0].isupper()


def _is_by(text: str) -> bool:
    return bool(_BY_SEGMENT.match(text)) and len(text.split()) <= MAX_BY_WORDS and not text.endswith(".")


_MONTH = "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
_STRONG_DATE = re.compile(rf"(?i)\b(?:{_MONTH})\b|\b(?:19|20)\d\d\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b")


def _is_dated(text: str) -> bool:
    """A date with a month name or a year, or a name/byline followed by one ("Wire Service May 2, 2019",
    "by Ana on May 2, 2019"). A bare clock time or price-like figure is not enough."""
    if not _STRONG_DATE.search(text):
        return False
    if is_date_line(text):
        return True
    words = text.split()
    for cut in range(1, min(len(words), MAX_BY_WORDS + 1)):
        head, rest = " ".join(words[:cut]).rstrip(","), " ".join(words[cut:])
        if rest.lower().startswith("on "):
            rest = rest[3:]
        if is_date_line(rest) and (_is_by(head) or _is_name(head)):
            return True
    return False


def is_meta_line(text: str) -> bool:
    """A post's stamp: segments that are each a date, a byline, a category, a counter or a short name, with
    at least one date, byline or counter, and more than a bare date (which the date rules take)."""
    if len(text.split()) > MAX_META_WORDS:
        return False
    segments = [s.strip(" ,") for s in _SEGMENT_SPLIT.split(text) if s.strip(" ,")]
    if len(segments) == 1:
        return _is_dated(segments[0]) and not is_date_line(segments[0])
    anchored = False
    for seg in segments:
        if _is_dated(seg) or _is_by(seg) or _COUNT_SEGMENT.match(seg):
            anchored = True
        elif not (_PLACE_SEGMENT.match(seg) or _WORD_SEGMENT.match(seg) or _is_name(seg)):
            return False
    return anchored


MAX_META_RUN = 2  # three stamped lines in a row are a table of dated entries, not one post's stamp


def mark_meta_lines(lines: list[Line], verdicts: Mapping[int, Verdict], skip: Iterable[int] = ()) -> Verdicts:
    """Meta lines that do not stand in a run of such lines."""
    shaped = [ln.index for ln in content_lines(lines, verdicts, skip) if is_meta_line(ln.text)]
    order = {ln.index: n for n, ln in enumerate(ln for ln in lines if ln.text and not ln.is_separator)}
    found: Verdicts = {}
    for index in shaped:
        near = [i for i in shaped if abs(order[i] - order[index]) <= MAX_META_RUN]
        if len(near) <= MAX_META_RUN:
            found[index] = Verdict("header", "meta_line")
    return found


# ---------------------------------------------------------------------------------------------------------
# Comment sections

_DATE_SAID = re.compile(r"^.{1,60}? on (?P<when>.{4,50}?\d.{0,30}?) (?:said|says|wrote):$")
# a site handle: lower case, and long or with digits/underscores ("quaysidewatcher", "ana_r77"), not "he"
_HANDLE_SAYS = re.compile(r"^(?=[a-z0-9_.-]*(?:[0-9_]|[a-z.-]{8}))[a-z0-9_.-]+\s(?:says|said|wrote):$")
_COMMENT_HEAD = re.compile(
    r"(?i)^(?:\d[\d,]*\s+(?:responses?|comments?|replies|thoughts)\s+(?:to|on)\s+.{1,200}"
    r"|leave a (?:comment|reply)|comments are closed\.?|post a comment|add a comment"
    r"|you (?:must|need to) (?:be )?log(?:ged)? ?in to (?:post|leave|add) a comment\.?)$"
)


def is_comment_head(text: str) -> bool:
    """The first line of a readers' comment section, or a comment's attribution line."""
    if _COMMENT_HEAD.match(text):
        return True
    if _HANDLE_SAYS.match(text):
        return True
    match = _DATE_SAID.match(text)
    return bool(match) and is_date_line(match.group("when"))


def mark_comment_section(
    lines: list[Line], verdicts: Mapping[int, Verdict], skip: Iterable[int] = (), keep: Iterable[int] = ()
) -> Verdicts:
    """Everything after the first comment-section head in the second half of the page, once some prose has
    come before it."""
    non_empty = [ln for ln in lines if ln.text and not ln.is_separator]
    if not non_empty:
        return {}
    half = non_empty[len(non_empty) // 2].index
    prose_seen = False
    start: int | None = None
    for ln in non_empty:
        if ln.index not in verdicts and is_sentence_like(ln.text):
            if ln.index >= half and prose_seen and is_comment_head(ln.text):
                start = ln.index
                break
            prose_seen = True
            continue
        if ln.index >= half and prose_seen and is_comment_head(ln.text):
            start = ln.index
            break
    if start is None:
        return {}
    kept = set(skip) | set(keep)
    found = {start: Verdict("footer", "comment_section")} if start not in verdicts else {}
    found.update(
        {
            ln.index: Verdict("footer", "comment_section")
            for ln in content_lines(lines, verdicts, kept)
            if ln.index > start
        }
    )
    return found


# ---------------------------------------------------------------------------------------------------------
# Author bios

_ROLE = (
    r"(?i:reporter|correspondent|editor|writer|journalist|columnist|critic|producer|contributor|author"
    r"|blogger|curator|host|presenter|anchor|fellow|educator|analyst|photographer)s?"
)
_NAME = r"[A-Z][\w.’'-]+(?: (?:[A-Z][\w.’'-]*|de|van|von|al))+"
_BIO = re.compile(
    rf"^(?:(?:[\w’'-]+ ){{0,4}}?{_ROLE} )?(?P<name>{_NAME})(?: \(@\w+\))?,?"
    rf" (?:is|was|has been) (?:an?|the|[\w-]+['’]s) (?:[\w’'-]+,? (?:and )?){{0,5}}?{_ROLE}\b"
)
# "Staff columnist Ana Ruiz writes ...": with the role in front, a reporting verb is enough.
_ROLE_LED_BIO = re.compile(rf"^(?:[\w’'-]+ ){{0,4}}?{_ROLE} {_NAME} (?:covers|writes|reports|hosts)\b")
BIO_TAIL_PROSE = 3  # a bio is among the last few prose lines of the page
_THIRD_PERSON_VERB = re.compile(r"^[a-z]+s\b")


def is_author_bio(text: str, authors: Iterable[str] = ()) -> bool:
    """A sentence about a writer: "[role] Name (@handle) is a <role> ..." or "Name writes/covers ...", or
    a sentence opening with a byline name (full or first) followed by a third-person verb."""
    if _BIO.match(text) or _ROLE_LED_BIO.match(text):
        return True
    for author in authors:
        for name in {author, author.split()[0]}:
            if text.startswith(name + " ") and _THIRD_PERSON_VERB.match(text[len(name) + 1 :]):
                return True
    return False


_BYLINE_NAME = re.compile(r"^(?:By|BY|by)\s+(?P<name>[A-Z][\w’'-]+(?: [A-Z][\w.’'-]+){1,2})")


def byline_names(lines: list[Line], verdicts: Mapping[int, Verdict]) -> set[str]:
    """Names the page gives as its author: in byline lines, or a bare name the masthead rules took."""
    names = set()
    for ln in lines:
        verdict = verdicts.get(ln.index)
        if verdict is None or verdict.kind not in {"byline", "header"}:
            continue
        if m := _BYLINE_NAME.match(ln.text):
            names.add(m.group("name"))
        elif re.fullmatch(r"[A-Z][\w’'-]+(?: [A-Z][\w.’'-]+){1,2}", ln.text):
            names.add(ln.text)
    return names


def mark_author_bios(
    lines: list[Line], verdicts: Mapping[int, Verdict], skip: Iterable[int] = (), keep: Iterable[int] = ()
) -> Verdicts:
    """Bio-shaped lines among the last prose lines, in the second half of the page."""
    non_empty = [ln for ln in lines if ln.text and not ln.is_separator]
    if not non_empty:
        return {}
    half = non_empty[len(non_empty) // 2].index
    authors = byline_names(lines, verdicts)
    prose = [ln for ln in content_lines(lines, verdicts, set(skip) | set(keep)) if is_sentence_like(ln.text)]
    return {
        ln.index: Verdict("byline", "author_bio")
        for ln in prose[-BIO_TAIL_PROSE:]
        if ln.index >= half and is_author_bio(ln.text, authors)
    }


# ---------------------------------------------------------------------------------------------------------
# Embedded posts

# "— Ana Ruiz (@anaruiz) May 2, 2019": the attribution line a social-media embed puts under the post's text.
_EMBED_ATTRIBUTION = re.compile(r"^[—–-]\s*(?P<name>[^()]{1,60}?)\s*\(@\w{1,30}\)\s+(?P<when>.{4,40})$")


def is_embed_attribution(text: str) -> bool:
    """The signature of an embedded post: a dash, the account's name and handle, and the post's date."""
    match = _EMBED_ATTRIBUTION.match(text)
    return bool(match) and is_date_line(match.group("when"))


_EMBED_TEXT_RECLAIMABLE = frozenset({"duplicate_line"})


def embedded_posts(lines: list[Line], verdicts: Mapping[int, Verdict]) -> set[int]:
    """Lines of posts quoted in the article: each attribution line and the post's text right above it (short
    and unpunctuated as posts are, or a repeat of an earlier post). They are content, not a menu or a
    duplicate, though no rule should take them for one."""
    found: set[int] = set()
    non_empty = [ln for ln in lines if ln.text and not ln.is_separator]
    for position, line in enumerate(non_empty):
        if not is_embed_attribution(line.text):
            continue
        found.add(line.index)
        if position == 0:
            continue
        above = non_empty[position - 1]
        verdict = verdicts.get(above.index)
        if verdict is None or verdict.kind in _EMBED_TEXT_RECLAIMABLE:
            found.add(above.index)
    return found


# ---------------------------------------------------------------------------------------------------------
# Reader pitches

# What a site asks readers to do besides reading: subscribe, or follow it on a platform. A platform's name
# inside an address ("pic.twitter.com") does not count.
_PITCH_OBJECT = re.compile(
    r"(?i)(?<![\w./])(?:subscrib(?:e|ed|ing)|subscriptions?|newsletters?|inbox|opt-in|membership"
    r"|facebook|twitter|instagram|messenger|whatsapp|youtube|telegram|tiktok|linkedin|pinterest|snapchat"
    r"|flipboard|podcasts?)\b(?!\.\w)"
)
_READER_OR_SITE = re.compile(r"(?i)\b(?:you|your|me|us|our)\b")
# Signs of the article's own text: a quotation, a reported statement, a link (an embedded post).
_REPORTED = re.compile(r"[“”\"]|''|\b(?:said|says|wrote|writes|told|tweeted)\b|https?://|www\.")
MAX_PITCH_WORDS = 30


def is_reader_pitch(text: str) -> bool:
    """A short line in which the site speaks to the reader about subscribing or following it ("Harbour news in
    your inbox", "Become a member and save", "Message us on WhatsApp"): a sign-up box or a social call to
    action, in any wording. A quotation, a reported statement or a line with a link (someone in the article
    speaking of newsletters or Twitter, an embedded post) is not one."""
    return (
        len(text.split()) <= MAX_PITCH_WORDS
        and bool(_PITCH_OBJECT.search(text))
        and bool(_READER_OR_SITE.search(text))
        and not _REPORTED.search(text)
    )


def mark_reader_pitches(
    lines: list[Line], verdicts: Mapping[int, Verdict], skip: Iterable[int] = ()
) -> Verdicts:
    """Reader pitches among the lines no rule has claimed (`skip`: title, standfirst, list items)."""
    return {
        ln.index: Verdict("share", "reader_pitch")
        for ln in content_lines(lines, verdicts, skip)
        if is_reader_pitch(ln.text)
    }
