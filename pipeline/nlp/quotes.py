"""Quotes and their speakers from one parsed article.

Three kinds, as news writing uses them:
- direct: words in quote marks with a cue verb before ("Mr Blinken said: “…”") or after ("“…,” he said"),
  or a paragraph made only of a quote (it continues the previous speaker);
- partial: quoted fragments inside reported speech ("risked “jeopardising” Israel’s security"); the text
  is the reported clause that holds them, so the fragment keeps its context;
- indirect: reported speech without quote marks ("X said that …", "according to X, …").

Quote marks are found by scanning characters, not by the parser, so odd or mixed marks never raise: an
opening mark without its closing one runs to the end of its paragraph (multi-paragraph quotes).
The speaker is the subject of the cue verb (found by lemma), resolved through the article's entities.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from pipeline.nlp.entities import PERSON, SPEAKER_LABELS, ArticleEntities, Mention
from pipeline.nlp.reference import Reference

OPENERS = {"“": "”", "«": "»", "‘": "’", '"': '"'}
CLOSERS = frozenset({"”", "»", "’", '"'})
QUOTE_CHARS = frozenset("“”«»‘’\"'")
PARAGRAPH = re.compile(r"[^\n]+")
PERSONAL_PRONOUNS = frozenset({"he", "she"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
INVERTED_SUBJECT_DEPS = frozenset({"dobj", "npadvmod", "attr", "oprd", "dative", "appos"})
TITLE_NOUNS = frozenset(
    {
        "leader",
        "minister",
        "president",
        "mayor",
        "premier",
        "senator",
        "governor",
        "ambassador",
        "diplomat",
        "secretary",
        "chancellor",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "chairman",
        "chairwoman",
        "coach",
        "manager",
        "captain",
        "director",
        "chief",
        "executive",
        "lawyer",
        "officer",
        "envoy",
    }
)
CUE_AFTER_WINDOW = 40  # tokens after a closing mark in which a cue may appear (appositions are long)
CUE_BEFORE_WINDOW = 25


@dataclass
class Found:
    """A quote as found, before numbering; offsets index the article body."""

    start: int
    end: int
    quote_type: str
    speaker: str | None = None
    speaker_entity_id: str | None = None
    speaker_mention: str | None = None
    cue: str | None = None


@dataclass
class Marked:
    """Characters between a pair of quote marks (marks excluded), within one paragraph."""

    start: int  # first character after the opening mark
    end: int  # position of the closing mark (or paragraph end when unclosed)
    open_at: int  # position of the opening mark
    para_start: int
    para_end: int
    closed: bool


# ---------------------------------------------------------------- quote marks


def scan_paragraph(text: str, p_start: int, p_end: int) -> list[Marked]:
    """Pair quote marks left to right; nested marks stay inside; an unclosed quote runs to the end."""
    out: list[Marked] = []
    open_at: int | None = None
    closer = ""
    for i in range(p_start, p_end):
        ch = text[i]
        if open_at is None:
            if ch in OPENERS and opens_here(text, i, p_start, p_end):
                open_at, closer = i, OPENERS[ch]
        elif ch in CLOSERS and closes_here(text, i, closer, p_end):
            out.append(Marked(open_at + 1, i, open_at, p_start, p_end, True))
            open_at = None
    if open_at is not None:
        out.append(Marked(open_at + 1, p_end, open_at, p_start, p_end, False))
    return out


def opens_here(text: str, i: int, p_start: int, p_end: int) -> bool:
    """An opening mark starts a word; a single ‘ must follow a space so apostrophes never open."""
    nxt = text[i + 1] if i + 1 < p_end else " "
    if nxt.isspace():
        return False
    if text[i] == "‘":
        return i == p_start or text[i - 1].isspace() or text[i - 1] in "([—–"
    return True


def closes_here(text: str, i: int, closer: str, p_end: int) -> bool:
    """Closing marks of either style close a double quote (mixed marks are common); ’ only ends a ‘."""
    ch = text[i]
    if closer == "’":
        nxt = text[i + 1] if i + 1 < p_end else " "
        return ch == "’" and not nxt.isalnum()
    return ch in {"”", '"', "»"}


def find_marked(text: str) -> list[Marked]:
    """All quoted stretches of the text, paragraph by paragraph."""
    out = []
    for para in PARAGRAPH.finditer(text):
        out.extend(scan_paragraph(text, para.start(), para.end()))
    return out


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding blanks, marks and a trailing comma so the text is the words only."""
    while start < end and (text[start].isspace() or text[start] in QUOTE_CHARS or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:" or text[end - 1] in "“«‘"):
        end -= 1
    return start, end


# ---------------------------------------------------------------- article context


class Context:
    """Per-article lookups built once: token positions, quote membership, reporting verbs."""

    def __init__(self, doc: Doc, ents: ArticleEntities, ref: Reference) -> None:
        self.doc = doc
        self.text = doc.text
        self.ents = ents
        self.ref = ref
        self.tok_starts = [t.idx for t in doc]
        self.marked = [m for m in find_marked(self.text) if has_words(self.text, m.start, m.end)]
        self.quote_of_token = self.token_quotes()
        self.persons = [m for m in ents.mentions if m.label == PERSON and not self.in_quote_char(m.start)]
        self.person_starts = [m.start for m in self.persons]

    def token_at(self, char: int) -> int:
        """Index of the token containing (or just before) a character offset."""
        return max(bisect.bisect_right(self.tok_starts, char) - 1, 0)

    def token_quotes(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for q, m in enumerate(self.marked):
            if m.end <= m.start:
                continue
            for i in range(self.token_at(m.start), self.token_at(m.end - 1) + 1):
                tok = self.doc[i]
                if tok.idx >= m.start and tok.idx < m.end:
                    out[i] = q
        return out

    def in_quote_char(self, char: int) -> bool:
        return self.token_at(char) in self.quote_of_token

    def is_cue(self, tok: Token) -> bool:
        return (
            tok.pos_ in ("VERB", "AUX")
            and tok.lemma_.lower() in self.ref.reporting_verbs
            and tok.i not in self.quote_of_token
        )


def has_words(text: str, start: int, end: int) -> bool:
    return any(ch.isalnum() for ch in text[start:end])


# ---------------------------------------------------------------- speakers


def subject_of(verb: Token) -> Token | None:
    """The cue's subject; 'said Smith' puts it after the verb; 'and added' borrows the head's."""
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
    if verb.dep_ in ("conj", "xcomp", "advcl") and verb.head is not verb:
        for child in verb.head.children:
            if child.dep_ in SUBJECT_DEPS:
                return child
    for child in verb.rights:
        if child.dep_ in INVERTED_SUBJECT_DEPS and child.pos_ in ("PROPN", "PRON"):
            return child
    return None


def written_mention(ctx: Context, subj: Token) -> tuple[str, Mention | None]:
    """The speaker as written ('Mr Miller', 'he', 'the spokesperson') and the entity mention behind it."""
    doc, text = ctx.doc, ctx.text
    mention = ctx.ents.by_token.get(subj.i)
    if mention is None:
        for child in subj.children:  # "the spokesperson, Nate Evans, said"
            if child.dep_ == "appos" and child.i in ctx.ents.by_token:
                mention = ctx.ents.by_token[child.i]
                break
    if mention is not None and mention.tok_start <= subj.i < mention.tok_end:
        start = mention.tok_start
        while start > 0 and doc[start - 1].text.rstrip(".").lower() in ctx.ref.honorifics:
            start -= 1
        return text[doc[start].idx : mention.end], mention
    if subj.pos_ == "PRON":
        return subj.text, mention
    left = subj.left_edge.i
    while left < subj.i and doc[left].is_punct:
        left += 1
    words = [t.text for t in doc[left : subj.i + 1]]
    if mention is None and subj.pos_ == "PROPN":
        names = [w for w in words if w.rstrip(".").lower() not in ctx.ref.honorifics]
        mention = ctx.ents.lookup(names) or ctx.ents.lookup(words[-1:])
    return text[doc[left].idx : subj.idx + len(subj)], mention


def definite_title(subj: Token) -> bool:
    """'the long-time Israeli leader', 'the mayor': a titled person already named in the article."""
    return (
        subj.pos_ == "NOUN"
        and subj.lemma_.lower() in TITLE_NOUNS
        and any(c.dep_ == "det" and c.lower_ == "the" for c in subj.children)
    )


def recent_person(ctx: Context, before: int) -> Mention | None:
    """Antecedent for 'he'/'she': the latest person outside quotes, preferring clause subjects."""
    k = bisect.bisect_left(ctx.person_starts, before)
    fallback = None
    for m in reversed(ctx.persons[max(0, k - 30) : k]):
        if m.is_subject:
            return m
        fallback = fallback or m
    return fallback


def attribute(ctx: Context, found: Found, verb: Token, previous: Found | None) -> None:
    """Fill cue and speaker of a quote from its cue verb."""
    found.cue = verb.text
    subj = subject_of(verb)
    if subj is None:
        return
    written, mention = written_mention(ctx, subj)
    found.speaker_mention = written
    if mention is None and (subj.lower_ in PERSONAL_PRONOUNS or definite_title(subj)):
        mention = recent_person(ctx, min(found.start, subj.idx))
        if mention is None and previous is not None and previous.speaker:
            found.speaker, found.speaker_entity_id = previous.speaker, previous.speaker_entity_id
            return
    if mention is not None and mention.label in SPEAKER_LABELS:
        found.speaker, found.speaker_entity_id = mention.name, mention.entity_id


def inherit(found: Found, source: Found | None) -> None:
    if source is not None:
        found.speaker, found.speaker_entity_id = source.speaker, source.speaker_entity_id


# ---------------------------------------------------------------- cues


def cue_after(ctx: Context, m: Marked) -> Token | None:
    """A reporting verb after the closing mark, in the same sentence: '“…,” Mr Miller said.'"""
    if not m.closed or m.end + 1 >= m.para_end:
        return None
    doc = ctx.doc
    first = ctx.token_at(m.end + 1)
    if doc[first].idx <= m.end:
        first += 1
    if first >= len(doc):
        return None
    window = 3 if ctx.text[m.start : m.end].rstrip().endswith(".") else CUE_AFTER_WINDOW
    limit = min(doc[first].sent.end, first + window, len(doc))
    for i in range(first, limit):
        tok = doc[i]
        if tok.idx >= m.para_end or i in ctx.quote_of_token or tok.text in OPENERS:
            return None
        if ctx.is_cue(tok):
            return tok
    return None


def cue_before(ctx: Context, m: Marked) -> Token | None:
    """A reporting verb before the opening mark: 'Mr Blinken said: “…”', 'said Smith, “…”'."""
    before = ctx.text[m.para_start : m.open_at].rstrip()
    if not before:
        return None
    doc = ctx.doc
    last = ctx.token_at(len(before) + m.para_start - 1)
    if not (before[-1] in ":," or ctx.is_cue(doc[last])):
        return None
    first_allowed = ctx.token_at(m.para_start)
    for i in range(last, max(first_allowed, last - CUE_BEFORE_WINDOW) - 1, -1):
        tok = doc[i]
        if i in ctx.quote_of_token:
            return None
        if ctx.is_cue(tok):
            return tok
    return None


def embedded(ctx: Context, m: Marked) -> bool:
    """The quote continues a sentence ('risked “jeopardising”') rather than starting one."""
    before = ctx.text[m.para_start : m.open_at].rstrip()
    if not before or before[-1] in ":,.?!;—–-([":
        return False
    prev = ctx.doc[ctx.token_at(m.para_start + len(before) - 1)]
    return not ctx.is_cue(prev)


def clause_of(verb: Token) -> tuple[int, int] | None:
    """Token range of the reported clause: the cue's largest clausal complement, within its paragraph."""
    best = None
    for child in verb.children:
        if child.dep_ == "ccomp":
            span = (child.left_edge.i, child.right_edge.i + 1)
            if best is None or span[1] - span[0] > best[1] - best[0]:
                best = span
    return clip_to_paragraph(verb, best) if best else None


def clip_to_paragraph(verb: Token, span: tuple[int, int]) -> tuple[int, int] | None:
    """Parses sometimes run across a line break; reported speech does not."""
    doc = verb.doc
    start, end = span
    for i in range(verb.i - 1, start - 1, -1):
        if "\n" in doc[i].text or "\n" in doc[i].whitespace_:
            start = i + 1
            break
    for i in range(verb.i, end):
        if "\n" in doc[i].text or "\n" in doc[i].whitespace_:
            end = i + 1 if "\n" not in doc[i].text else i
            break
    return (start, end) if end > start else None


# ---------------------------------------------------------------- the pass over one article


def article_quotes(doc: Doc, ents: ArticleEntities, ref: Reference) -> list[Found]:
    """All quotes of one parsed article, sorted by position."""
    ctx = Context(doc, ents, ref)
    cues = [t for t in doc if ctx.is_cue(t)]
    clauses = {v.i: c for v in cues if (c := clause_of(v)) is not None}
    partial_of: dict[int, list[Marked]] = {}
    direct: list[tuple[Marked, Token | None, bool]] = []
    for m in ctx.marked:
        holder = clause_holding(ctx, m, cues, clauses) if embedded(ctx, m) else None
        if holder is not None:
            partial_of.setdefault(holder.i, []).append(m)
            continue
        verb = cue_after(ctx, m) or cue_before(ctx, m)
        is_embedded = embedded(ctx, m)
        if verb is None and is_embedded:
            continue  # scare quotes: a quoted word with no one saying it
        direct.append((m, verb, is_embedded))
    found = direct_quotes(ctx, direct)
    used = {f.cue_i for f in found if f.cue_i is not None}
    found_quotes = [f.found for f in found]
    found_quotes.extend(reported(ctx, cues, clauses, partial_of, used, found_quotes))
    found_quotes.extend(according_to(ctx, found_quotes))
    found_quotes.sort(key=lambda f: f.start)
    return found_quotes


def clause_holding(
    ctx: Context, m: Marked, cues: list[Token], clauses: dict[int, tuple[int, int]]
) -> Token | None:
    """The cue whose reported clause contains this quoted fragment and more words besides."""
    first, last = ctx.token_at(m.start), ctx.token_at(max(m.end - 1, m.start))
    best, best_len = None, 0
    for verb in cues:
        span = clauses.get(verb.i)
        if span is None or not (span[0] <= first and last < span[1]):
            continue
        if not words_outside(ctx, span, m):
            continue
        if best is None or span[1] - span[0] < best_len:
            best, best_len = verb, span[1] - span[0]
    return best


def words_outside(ctx: Context, span: tuple[int, int], m: Marked) -> bool:
    """The clause says more than the quote itself: it has words outside the marks."""
    return any(tok.is_alpha and not (m.open_at <= tok.idx <= m.end) for tok in ctx.doc[span[0] : span[1]])


@dataclass
class Attributed:
    found: Found
    cue_i: int | None


def direct_quotes(ctx: Context, items: list[tuple[Marked, Token | None, bool]]) -> list[Attributed]:
    """Direct quotes with speakers; cue-less ones continue the previous (or next) quote's speaker."""
    out: list[Attributed] = []
    previous: Found | None = None
    pending: list[tuple[Found, Marked]] = []
    for m, verb, is_embedded in items:
        start, end = trim(ctx.text, m.start, m.end)
        if start >= end:
            continue
        found = Found(start, end, "partial" if is_embedded else "direct")
        if verb is not None:
            attribute(ctx, found, verb, previous)
        elif previous is not None and previous_paragraph_continues(ctx, m, previous):
            inherit(found, previous)
        elif not m.closed:
            pending.append((found, m))
        out.append(Attributed(found, verb.i if verb is not None else None))
        if verb is not None or found.speaker:
            previous = found
            for waiting, _ in pending:  # an unclosed quote whose cue came in the next paragraph
                if waiting.speaker is None:
                    inherit(waiting, found)
            pending = []
    return [a for a in out if a.cue_i is not None or a.found.speaker or keep_cueless(ctx, a.found)]


def keep_cueless(ctx: Context, found: Found) -> bool:
    """A quote nobody is cued for: a sentence-long one is still speech, credited to the person in
    focus; a few quoted words ("platform", "toxic") are mentions of words, not quotes."""
    if len(ctx.text[found.start : found.end].split()) < 4:
        return False
    mention = recent_person(ctx, found.start)
    if mention is not None:
        found.speaker, found.speaker_entity_id = mention.name, mention.entity_id
    return True


def previous_paragraph_continues(ctx: Context, m: Marked, previous: Found) -> bool:
    """A cue-less quote belongs to the previous speaker when it shares the paragraph or fills one."""
    if previous.start >= m.para_start:
        return True
    outside = ctx.text[m.para_start : m.open_at] + ctx.text[min(m.end + 1, m.para_end) : m.para_end]
    return not any(ch.isalnum() for ch in outside)


def reported(
    ctx: Context,
    cues: list[Token],
    clauses: dict[int, tuple[int, int]],
    partial_of: dict[int, list[Marked]],
    used: set[int],
    direct: list[Found],
) -> list[Found]:
    """Reported speech: the clause of a cue that is not a direct quote's cue (partial when it quotes)."""
    out = []
    taken = [(f.start, f.end) for f in direct]
    for verb in cues:
        span = clauses.get(verb.i)
        if span is None or verb.i in used or subject_of(verb) is None:
            continue
        start, end = clause_chars(ctx, span)
        if end - start < 12 or any(s < end and start < e for s, e in taken):
            continue
        if verb.i not in partial_of and any(i in ctx.quote_of_token for i in range(*span)):
            continue
        found = Found(start, end, "partial" if verb.i in partial_of else "indirect")
        attribute(ctx, found, verb, direct[-1] if direct else None)
        out.append(found)
        taken.append((start, end))
    return out


def clause_chars(ctx: Context, span: tuple[int, int]) -> tuple[int, int]:
    """Character range of a token range, without edge punctuation or quote marks."""
    doc = ctx.doc
    start, end = doc[span[0]].idx, doc[span[1] - 1].idx + len(doc[span[1] - 1])
    start, end = trim(ctx.text, start, end)
    while end > start and ctx.text[end - 1] in ".!?":
        end -= 1
    return start, end


def according_to(ctx: Context, existing: list[Found]) -> list[Found]:
    """'According to X, …': the rest of the sentence is X's reported statement."""
    out = []
    taken = [(f.start, f.end) for f in existing]
    for tok in ctx.doc:
        if tok.lower_ != "according" or tok.i in ctx.quote_of_token:
            continue
        to = next((c for c in tok.children if c.lower_ == "to"), None)
        obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
        if obj is None:
            continue
        sent = tok.sent
        phrase_end = max(obj.right_edge.i + 1, tok.i + 2)
        if tok.i - sent.start <= 1:  # "According to X, ..."
            span = (phrase_end, sent.end)
        elif sent.end - phrase_end <= 1:  # "..., according to X."
            span = (sent.start, tok.i)
        else:  # mid-sentence: which part X vouches for is unclear
            continue
        if span[1] - span[0] < 3:
            continue
        start, end = clause_chars(ctx, span)
        if end - start < 12 or any(s < end and start < e for s, e in taken):
            continue
        found = Found(start, end, "indirect", cue="according to")
        written, mention = written_mention(ctx, obj)
        found.speaker_mention = written
        if mention is not None and mention.label in SPEAKER_LABELS:
            found.speaker, found.speaker_entity_id = mention.name, mention.entity_id
        out.append(found)
    return out
