"""Quotes and their speakers from one parsed article.

Three kinds, as news writing uses them:
- direct: words in quote marks with a cue verb before ("Mr Blinken said: “…”") or after ("“…,” he said"),
  or a paragraph made only of a quote (it continues the previous speaker);
- partial: quoted fragments inside reported speech ("risked “jeopardising” Israel’s security"); the text
  is the reported clause that holds them, so the fragment keeps its context;
- indirect: reported speech without quote marks ("X said that …", "according to X, …").

Quote marks are found by scanning characters, not by the parser, so odd or mixed marks never raise: an
opening mark without its closing one runs to the end of its paragraph (multi-paragraph quotes).
The speaker is the subject of the cue verb (found by lemma); speakers are resolved in document order by
`pipeline.nlp.speakers` (pronouns with gender, titles, surnames, groups), and a cue-less quote continues the
speaker of the quote before it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.nlp.entities import PERSON, ArticleEntities, Mention
from pipeline.nlp.reference import Reference
from pipeline.nlp.speakers import Resolver

if TYPE_CHECKING:  # annotations only: spaCy loads with the model (see model.load_model)
    from spacy.tokens import Doc, Token

OPENERS = {"“": "”", "«": "»", "‘": "’", '"': '"'}
ELIDED_YEAR = re.compile(r"\d\d(?:s\b|(?![\w’]))")
TYPEWRITER_OPENERS = {"''": "''", "``": "''"}  # two apostrophes (or backticks) for a double quote mark
CLOSERS = frozenset({"”", "»", "’", '"'})
QUOTE_CHARS = frozenset("“”«»‘’\"'")
CLOSING_MARK_TOKENS = frozenset({"”", "»", "’", '"', "''"})
OPENING_MARK_TOKENS = frozenset({"“", '"', "''", "``"})
PARAGRAPH = re.compile(r"[^\n]+")
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
DASHES = frozenset({"—", "–", "-"})
DATELINE_ENDS = DASHES | {"(", ","}  # what follows a dateline's place: 'OSLO —', 'OSLO (AP)', 'OSLO, May 3'
CLAUSE_BREAKS = DASHES | {";", ":"}  # punctuation that ends one clause of a sentence before another
RELATIVE_PRONOUNS = frozenset({"who", "that", "which"})
QUESTION_WORDS = frozenset({"whether", "what", "why", "how", "who", "whom", "which", "where"})
QUESTION_VERBS = frozenset({"ask", "explain"})  # a question asked, or answered: "explained why …"
INVERTED_SUBJECT_DEPS = frozenset({"dobj", "npadvmod", "attr", "oprd", "dative", "appos"})
OBJECT_DEPS = frozenset({"dobj", "dative", "iobj", "pobj"})
WHEN = frozenset({"DATE", "TIME"})  # entity types that say when something was said, never who said it
# speech acts whose content is an infinitive: promises, appeals, requests, orders ("X asked Y to …")
COMMITMENT_VERBS = frozenset({"promise", "vow", "pledge", "urge", "threaten", "tell", "ask"})
# "X called it a disgrace", "X described it as a disgrace", "X referred to it as a disgrace"
NAMING_VERBS = frozenset({"call", "describe", "refer"})
NAMING_PARTICLES = frozenset({"for", "on", "off", "up", "back", "in", "out"})  # "called for", "called off"
ADDRESSEE_VERBS = frozenset({"tell", "ask", "urge", "assure", "remind", "warn", "inform"})
CUE_AFTER_WINDOW = 40  # tokens after a closing mark in which a cue may appear (appositions are long)
CUE_BEFORE_WINDOW = 25
EMPTY: Mapping[int, int] = {}
SHARED_SUBJECT_HOPS = 4  # verbs of one coordination or control chain walked up for their subject
FRAMING_PUNCT = frozenset(",?!")  # a quote ending so goes on into its frame: '“…,” she conceded.'
SET_OFF_TAIL = 8  # tokens after a set-off cue before its closing comma ("said in an interview on Friday,")
FRAME_WINDOW = 8  # tokens after a quote in which its frame's verb may come (after a name of a few words)
FRAME_OBJECT_DEPS = frozenset({"dobj", "obj", "ccomp", "xcomp", "attr", "oprd", "acomp", "dative"})


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
    speaker_role: str | None = None
    # how it was found (not published): the cue verb and the token whose speaker it names
    verb_i: int | None = None
    subj_i: int | None = None
    closed: bool = True
    speaker_label: str | None = None
    turn: bool = False  # a transcript turn or a signed quote: its speaker is known before any resolution


@dataclass
class Marked:
    """Characters between a pair of quote marks (marks excluded), within one paragraph."""

    start: int  # first character after the opening mark
    end: int  # position of the closing mark (or paragraph end when unclosed)
    open_at: int  # position of the opening mark
    para_start: int
    para_end: int
    closed: bool
    closer_len: int = 1

    @property
    def after(self) -> int:
        """Position just after the closing mark."""
        return self.end + self.closer_len


# ---------------------------------------------------------------- quote marks


def scan_paragraph(text: str, p_start: int, p_end: int) -> list[Marked]:
    """Pair quote marks left to right; nested marks stay inside; an unclosed quote runs to the end."""
    out: list[Marked] = []
    open_at: int | None = None
    closer = ""
    skip_to = p_start
    for i in range(p_start, p_end):
        if i < skip_to:
            continue
        ch, pair = text[i], text[i : i + 2]
        if open_at is None:
            if pair in TYPEWRITER_OPENERS and opens_typewriter(text, i, p_start, p_end):
                open_at, closer, skip_to = i, TYPEWRITER_OPENERS[pair], i + 2
            elif ch in OPENERS and opens_here(text, i, p_start, p_end):
                open_at, closer = i, OPENERS[ch]
        elif closer == "''":
            if pair == "''" and not (text[i + 2 : i + 3] or " ").isalnum():
                out.append(Marked(open_at + 2, i, open_at, p_start, p_end, True, closer_len=2))
                open_at, skip_to = None, i + 2
        elif ch in CLOSERS and closes_here(text, i, closer, p_end):
            out.append(Marked(open_at + 1, i, open_at, p_start, p_end, True))
            open_at = None
    if open_at is not None:
        out.append(Marked(open_at + len(closer), p_end, open_at, p_start, p_end, False, len(closer)))
    return out


def opens_typewriter(text: str, i: int, p_start: int, p_end: int) -> bool:
    """Two apostrophes open a quote (''We won,'' she said: typewriter text and older wire copy) where a
    word starts after them and none ends before them, so a possessive 'the bosses'' never opens."""
    nxt = text[i + 2] if i + 2 < p_end else " "
    return after_a_break(text, i, p_start) and not nxt.isspace()


def after_a_break(text: str, i: int, p_start: int) -> bool:
    """Position i starts a word: the paragraph's start, or after a space, bracket or dash."""
    return i == p_start or text[i - 1].isspace() or text[i - 1] in "([—–"


def opens_here(text: str, i: int, p_start: int, p_end: int) -> bool:
    """An opening mark starts a word; a single ‘ must follow a space so apostrophes never open."""
    nxt = text[i + 1] if i + 1 < p_end else " "
    if nxt.isspace():
        return False
    if text[i] == "‘":
        if ELIDED_YEAR.match(text, i + 1):
            return False  # "in ‘08", "the ‘90s": a year cut short, not a quote
        return after_a_break(text, i, p_start)
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
        """A reporting verb outside quote marks; 'call' and 'describe' only where they name something
        (they are cues of a judgement, 'called it a disgrace', not of any phrase they stand near)."""
        if tok.pos_ not in ("VERB", "AUX") or tok.i in self.quote_of_token:
            return False
        lemma = tok._.lemma.lower()
        if lemma in NAMING_VERBS:
            return naming_clause(tok) is not None
        return lemma in self.ref.reporting_verbs


def has_words(text: str, start: int, end: int) -> bool:
    return any(ch.isalnum() for ch in text[start:end])


# ---------------------------------------------------------------- speakers


def subject_of(verb: Token, quoted: Mapping[int, int] = EMPTY) -> Token | None:
    """The cue's subject; 'said Smith' puts it after the verb; 'and added' borrows the head's. A word
    inside quote marks (token index in `quoted`) never speaks for a cue outside them."""
    found = grammatical_subject(verb, quoted)
    if found is not None and is_dateline(found):
        found = after_dateline(found)  # "OSLO (AP) — Ann Berg said": the parser made the place the subject
    if found is not None and found.ent_type_ in WHEN:
        return None  # "WASHINGTON — …", "…,” said Sunday: where the story was filed, or when, not who
    if verb._.lemma.lower() in ADDRESSEE_VERBS and listened(verb):
        return agent_of(verb)  # "Hale was asked by X", "Asked by X whether …, Hale said": X spoke
    return found


def listened(verb: Token) -> bool:
    """The verb's subject is the one spoken to: 'Hale was asked', 'Asked whether …, she said', 'when
    told of it' (a passive, or a past participle with no 'have' before it)."""
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
        return True
    if verb.tag_ == "VBD" and verb.dep_ == "advcl":  # 'Asked what …, he said': tagged as a past tense
        return not any(c.dep_ in SUBJECT_DEPS or c.dep_ == "aux" for c in verb.children)
    return verb.tag_ == "VBN" and not any(
        c.dep_ == "aux" and c._.lemma.lower() == "have" for c in verb.children
    )


def listener_frame(verb: Token) -> bool:
    """'When asked', 'Hale was told': a cue naming who listened, and nobody who spoke."""
    return verb._.lemma.lower() in ADDRESSEE_VERBS and listened(verb) and agent_of(verb) is None


def is_dateline(tok: Token) -> bool:
    """An all-capitals place ('OSLO', 'SAN JOSE') opening its paragraph and followed by a dash or bracket."""
    doc, first = tok.doc, tok.left_edge.i
    while first < tok.i and doc[first].is_space:
        first += 1
    opens = first == 0 or "\n" in doc[first - 1].text or "\n" in doc[first - 1].whitespace_
    after = doc[tok.i + 1].text if tok.i + 1 < len(doc) else ""
    capitals = all(t.text.isupper() for t in doc[first : tok.i + 1])
    return opens and capitals and len(tok.text) > 2 and after[:1] in DATELINE_ENDS


def after_dateline(place: Token) -> Token | None:
    """The name after a dateline's dash that the parser hung on the place as its apposition."""
    dash = next((c for c in place.children if c.text in DASHES), None)
    if dash is None:
        return None
    return next((c for c in place.children if c.dep_ == "appos" and c.i > dash.i and c.pos_ == "PROPN"), None)


def follows_quote(verb: Token) -> bool:
    """The verb comes right after a closing quote mark, as in an inverted frame: '“…,” warned Ruiz'."""
    return verb.i > 0 and verb.doc[verb.i - 1].text in CLOSING_MARK_TOKENS


def agent_of(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    return None


def grammatical_subject(verb: Token, quoted: Mapping[int, int] = EMPTY) -> Token | None:
    # nearest first: 'Vardo, Lisk said, left …' gave the cue two subjects; the one beside it speaks
    for child in sorted(verb.children, key=lambda c: abs(c.i - verb.i)):
        if child.dep_ in SUBJECT_DEPS and child.i in quoted and verb.i not in quoted:
            continue  # '“Anyone who doubts it should look,” said Ana Ruiz': the parser took 'Anyone'
        if child.dep_ in SUBJECT_DEPS:
            if child.lower_ in RELATIVE_PRONOUNS and verb.dep_ == "relcl":
                return verb.head  # "Dalby, who noted that ..."
            return child
        if child.dep_ == "csubj" and child.i < verb.i:  # "Officials familiar with it said": misparsed
            inner = next((c for c in child.children if c.dep_ in SUBJECT_DEPS), None)
            if inner is not None and inner.pos_ in ("NOUN", "PROPN"):
                return inner
    head = verb.head
    if verb.dep_ == "pcomp" and head.dep_ == "prep":
        head = head.head  # "he was quoted as saying"
    elif verb.dep_ == "conj" and head.dep_ == "ccomp" and head.head.i != head.i:
        head = head.head  # 'X said “nobody knows …” and added': the parser joined the cue to the quote
    elif verb.tag_ == "VBG" and verb.dep_ in ("advcl", "xcomp") and head.dep_ == "ccomp":
        outer = next((c for c in head.head.children if c.dep_ in SUBJECT_DEPS), None)
        if outer is not None and framing_subject(outer):
            return outer  # 'X said that Y had failed, adding …': who adds is who said, not Y
    if verb.dep_ in ("conj", "xcomp", "advcl", "pcomp") and head.i != verb.i:
        for _ in range(SHARED_SUBJECT_HOPS):  # 'X supports A, opposes B and recalled C': X, two up
            shared = next((c for c in head.children if c.dep_ in SUBJECT_DEPS), None)
            if shared is not None and shared.lower_ in RELATIVE_PRONOUNS and head.dep_ == "relcl":
                return head.head  # "Ruiz, who backed the plan and said …": Ruiz, not 'who'
            if shared is not None:
                return shared
            if head.head.i == head.i or not (head.dep_ == "conj" or subject_controlled(head)):
                break
            head = head.head
    addressed = verb._.lemma.lower() in ADDRESSEE_VERBS  # "told the Courier": the listener
    for child in verb.rights:
        inverted = (
            child.dep_ in INVERTED_SUBJECT_DEPS
            and child.pos_ in ("PROPN", "PRON")
            and child.ent_type_ not in WHEN  # "said Sunday": when, not who
        )
        listener = addressed and child.dep_ in ("dobj", "dative") and not follows_quote(verb)
        if inverted and not listener:  # '“…,” warned the Ledger': no subject, the verb opens its frame
            return child
    prev = verb.i - 1
    while prev >= 0 and verb.doc[prev].pos_ in ("ADV", "AUX", "PART"):
        prev -= 1
    if prev < 0 or verb.doc[prev].sent != verb.sent:
        return None
    before = verb.doc[prev]
    if before.ent_type_ == "PERSON":
        return before  # "… tenants' advocate Rosa Lind told": a misparse left the person unattached
    if before.head.i == verb.i and before.pos_ in ("PROPN", "PRON") and before.dep_ not in OBJECT_DEPS:
        return before  # "Lowe said …" with "Lowe" parsed as a modifier of the verb: the name is its subject
    return None


def subject_controlled(verb: Token) -> bool:
    """'X tried to calm the room by interjecting': an open complement with no object before it in its
    head's clause does what the head's subject does ('urged Y to act' is Y's act, not the urger's)."""
    return verb.dep_ == "xcomp" and not any(
        c.dep_ in ("dobj", "dative") for c in verb.head.children if c.i < verb.i
    )


def written_mention(ctx: Context, subj: Token) -> tuple[str, Mention | None]:
    """The speaker as written ('Mr Miller', 'he', 'the spokesperson') and the entity mention behind it."""
    doc, text = ctx.doc, ctx.text
    mention = ctx.ents.by_token.get(subj.i)
    if mention is None:
        mention = apposed_person(ctx, subj)
    if mention is not None and mention.tok_start <= subj.i < mention.tok_end:
        start = mention.tok_start
        while start > 0 and doc[start - 1].text.rstrip(".").lower() in ctx.ref.honorifics:
            start -= 1
        return text[doc[start].idx : mention.end], mention
    if subj.pos_ == "PRON":
        return subj.text, mention
    left = subj.left_edge.i
    while left < subj.i and (doc[left].is_punct or doc[left].is_space):
        left += 1
    words = [t.text for t in doc[left : subj.i + 1]]
    if mention is None and (subj.pos_ == "PROPN" or subj.is_title):
        names = [w for w in words if w.rstrip(".").lower() not in ctx.ref.honorifics]
        mention = ctx.ents.lookup(names) or ctx.ents.lookup(words[-1:])
    return text[doc[left].idx : subj.idx + len(subj)], mention


def apposed_person(ctx: Context, subj: Token) -> Mention | None:
    """'the spokesperson, Nate Evans, said', 'the director of the museum, Ina Korsch, said': the name set
    off by commas after a description is who it is, even when the parse hangs it on the description's
    last noun ('museum') rather than on the description itself."""
    for tok in subj.subtree:
        if tok.i <= subj.i or tok.dep_ != "appos" or tok.i not in ctx.ents.by_token:
            continue
        mention = ctx.ents.by_token[tok.i]
        if tok.head.i == subj.i or (subj.pos_ == "NOUN" and mention.label == PERSON):
            return mention
    return None


def set_cue(found: Found, verb: Token, quoted: Mapping[int, int]) -> None:
    """Record the cue and the token that names its speaker; the speaker is resolved later, in order."""
    found.cue = verb.text
    found.verb_i = verb.i
    subj = subject_of(verb, quoted)
    found.subj_i = subj.i if subj is not None else None


# ---------------------------------------------------------------- cues


def token_after(ctx: Context, m: Marked) -> int:
    """Index of the first token after a quote's closing mark."""
    first = ctx.token_at(m.after)
    return first + 1 if ctx.doc[first].idx <= m.end else first


def cue_after(ctx: Context, m: Marked) -> Token | None:
    """A reporting verb after the closing mark, in the same sentence: '“…,” Mr Miller said.'"""
    if not m.closed or m.after >= m.para_end:
        return None
    doc = ctx.doc
    first = token_after(ctx, m)
    if first >= len(doc):
        return None
    window = 3 if ctx.text[m.start : m.end].rstrip().endswith(".") else CUE_AFTER_WINDOW
    # the window ends with the sentence; found token by token, as `Token.sent` walks the whole sentence
    # (in a 50,000-character paragraph without a full stop that made the quotes quadratic: found by fuzzing)
    for i in range(first, min(first + window, len(doc))):
        tok = doc[i]
        if i > first and tok.is_sent_start:
            return None
        if tok.idx >= m.para_end or i in ctx.quote_of_token or tok.text in OPENERS:
            return None
        if ctx.is_cue(tok):
            if window == 3 and listener_frame(tok):
                return None  # '“…” When asked about it, …': a new sentence, framing someone else
            return None if opens_own_clause(ctx, tok) else tok
    return None


def opens_own_clause(ctx: Context, verb: Token) -> bool:
    """'“… the depot.” He said he had asked …', 'Citing “a conflict,” her aide told us that …': a cue
    followed by an unquoted clause of its own reports that clause, not the quote before it."""
    span = clause_of(verb)
    return (
        span is not None
        and span[0] > verb.i
        and not any(i in ctx.quote_of_token for i in range(span[0], span[1]))
    )


def framing_verb(ctx: Context, m: Marked) -> Token | None:
    """The clause that frames a quote, whatever its verb: '“…,” Ruiz conceded.', '“…?” she pressed.',
    '“…,” recalled Ana Ruiz, a deckhand.'. A quote that ends in a comma, question or exclamation mark and
    is followed by a clause made only of a person (a name or a personal pronoun), a verb and the verb's
    circumstances (when, where, how, to whom) is attributed by that clause. A verb with an object or a
    clause of its own ('… she wrote the letter') is narration, not a frame."""
    said = ctx.text[m.start : m.end].rstrip()
    if not m.closed or not said or said[-1] not in FRAMING_PUNCT:
        return None
    doc = ctx.doc
    first = token_after(ctx, m)
    for i in range(first, min(first + FRAME_WINDOW, len(doc))):
        tok = doc[i]
        if tok.idx >= m.para_end or i in ctx.quote_of_token or (i > first and tok.is_sent_start):
            return None
        if tok.pos_ != "VERB":
            continue
        subj = grammatical_subject(tok, ctx.quote_of_token)
        if subj is None or not framing_subject(subj) or subj.head.i != tok.i or passive(tok):
            return None
        before_verb = subj.left_edge.i == first and subj.right_edge.i < i  # "Ruiz conceded"
        after_verb = i == first and subj.left_edge.i == i + 1  # "conceded Ruiz"
        if not (before_verb or after_verb) or not only_circumstances(ctx, tok, subj):
            return None
        return tok
    return None


def passive(verb: Token) -> bool:
    """'… is intrigued by', 'was told': a state or something done to the subject, not a frame."""
    return any(
        c.dep_ in ("auxpass", "nsubjpass") or (c.dep_ == "aux" and c._.lemma.lower() == "be")
        for c in verb.children
    )


def only_circumstances(ctx: Context, verb: Token, subj: Token) -> bool:
    """Nothing but the verb's circumstances follows in its sentence: no object or clause of its own."""
    return not any(
        child.dep_ in FRAME_OBJECT_DEPS and child.i not in ctx.quote_of_token
        for child in verb.children
        if child.i != subj.i
    )


def naming_frame(ctx: Context, m: Marked) -> Token | None:
    """'a country that NAME called “our worst foe”', 'what she described as “a farce”': a quoted name
    given right after 'call' (or 'describe … as') by a person or organisation is their words, even in
    a relative clause, where the naming serves another sentence."""
    doc = ctx.doc
    outside = doc[ctx.token_at(m.start)]
    while outside.i in ctx.quote_of_token and outside.head.i != outside.i:
        outside = outside.head  # up from the quote's first word to the word it depends on outside it
    verb = outside.head if outside.lower_ == "as" else outside
    if verb.pos_ != "VERB" or verb._.lemma.lower() not in NAMING_VERBS or listened(verb) or ctx.is_cue(verb):
        return None  # a cue already reports its whole naming clause ('called the plan “a farce”')
    if not named_thing(verb):
        return None  # "… were referred to as “X”": a name in use, given by nobody here
    subj = grammatical_subject(verb, ctx.quote_of_token)
    if subj is None or subj.i > verb.i:
        return None
    return verb if introduces(ctx, subj) or subj.lower_ in ("it", "they") else None


def named_thing(verb: Token) -> bool:
    """The naming verb names something: its object ('which X called', 'called the plan'), or the
    object of 'to' after 'refer'."""
    for child in verb.children:
        if child.dep_ == "dobj":
            return True
        if child.dep_ == "prep" and child.lower_ == "to" and any(c.dep_ == "pobj" for c in child.children):
            return True
    return False


def colon_intro(ctx: Context, m: Marked) -> Token | None:
    """A clause ending in a colon right before the quote, on its line or the line before, introduces
    it with any verb: 'NAME leaned in and boomed: “…”', 'As NAME put it:¶“…”', 'The Port Authority was
    blunt about it: “…”'. The clause's top verb is the cue when its subject is a person or an
    organisation (a name, a personal pronoun, or a noun with a name in apposition), so 'The plan has
    three parts:' is not. The parser often joins the clause to the quote's sentence, so the clause is
    read from its line, not from the parse's sentence."""
    text, end = ctx.text, m.open_at
    while end > 0 and text[end - 1].isspace():  # scanned back, not copied: articles hold many quotes
        end -= 1
    if end == 0 or text[end - 1] != ":" or text.count("\n", end, m.open_at) > 2:
        return None
    doc = ctx.doc
    colon = doc[ctx.token_at(end - 1)]
    if colon.i in ctx.quote_of_token:
        return None
    first = ctx.token_at(text.rfind("\n", 0, end - 1) + 1)
    for i in range(colon.i - 1, first - 1, -1):
        if (doc[i].text in (".", "!", "?") and doc[i + 1].is_sent_start) or i in ctx.quote_of_token:
            first = i + 1  # the clause starts after the sentence or quote before it on its line
            break
    for verb in doc[first : colon.i]:
        top = verb.head.i == verb.i or not first <= verb.head.i < colon.i
        if not top or verb.pos_ not in ("VERB", "AUX") or verb.dep_ in ("aux", "auxpass"):
            continue
        subj = subject_of(verb, ctx.quote_of_token)
        if subj is not None and first <= subj.i < colon.i and introduces(ctx, subj):
            return verb
    return None


def introduces(ctx: Context, subj: Token) -> bool:
    """A subject that can introduce a quote: a person or an organisation, however written."""
    if framing_subject(subj):
        return True
    named = [subj, *(c for c in subj.children if c.dep_ == "appos")]
    return any(
        (mention := ctx.ents.by_token.get(t.i)) is not None and mention.label in (PERSON, "ORG")
        for t in named
    )


def framing_subject(subj: Token) -> bool:
    """A person as a frame's subject: a name or a personal pronoun, not 'it' or 'this'."""
    if subj.pos_ == "PRON":
        return subj.lower_ in ("he", "she", "they", "we", "i")
    return subj.pos_ == "PROPN"


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
        if ctx.is_cue(tok) and not listener_frame(tok):  # 'Asked whether …, Ruiz shot back: “…”'
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
    if verb._.lemma.lower() in NAMING_VERBS:
        return naming_clause(verb)
    best = None
    clauses = [c for c in verb.children if c.dep_ == "ccomp" or unmarked_clause(verb, c)]
    for child in clauses:
        span = (child.left_edge.i, child.right_edge.i + 1)
        if best is None or span[1] - span[0] > best[1] - best[0]:
            best = span
    after = [c for c in clauses if c.i > verb.i]
    if len(after) > 1:  # 'said it’s “not that A, not that B”': the parse split one statement in two
        best = (min(c.left_edge.i for c in after), max(c.right_edge.i for c in after) + 1)
    if best is None:
        best = misattached_complement(verb) or gerund_clause(verb)
    if best is None and verb._.lemma.lower() in COMMITMENT_VERBS:
        best = infinitive_clause(verb)
    if best is None and verb._.lemma.lower() in QUESTION_VERBS:
        best = question_asked(verb)
    if best is None and cue_after_statement(verb):
        best = statement_before(verb)
    if best is None and (phrase := set_off(verb)) is not None and sentence_goes_on(verb.doc, phrase[1], 3):
        best = interrupted_statement(verb, phrase)  # "In both cases, Berg said, those gifts paid …"
    if best is None and verb.dep_ == "parataxis" and verb.head.i < verb.i:
        # "The plan had two aims, Lowe writes": the statement is the clause the cue interrupts
        first = min([verb.left_edge.i, *(c.i for c in verb.children if c.dep_ in SUBJECT_DEPS)])
        start = verb.head.left_edge.i
        if first - start >= 3:
            best = (start, first)
    elif best is None and verb.dep_ == "parataxis" and verb.head.pos_ in ("VERB", "AUX"):
        # "The test, the ministry said, was the largest": the cue sits inside the statement it reports
        head = verb.head
        if verb.left_edge.i - head.left_edge.i >= 2 and head.right_edge.i - verb.right_edge.i >= 3:
            best = (head.left_edge.i, head.right_edge.i + 1)
    return clip_to_paragraph(verb, best) if best else None


def cue_after_statement(verb: Token) -> bool:
    """A cue with its own subject after a comma, parsed as the conjunct or an adverbial clause of the
    clause before it (no 'and', 'when' or 'as' between them): 'The pier was built for storms, a
    spokeswoman said.', 'Fares will climb next spring, the finance office reported.'"""
    head, doc = verb.head, verb.doc
    return (
        verb.dep_ in ("conj", "advcl")
        and head.i < verb.i
        and head.pos_ in ("VERB", "AUX")
        and doc[verb.left_edge.i - 1].text == ","
        and any(c.dep_ in SUBJECT_DEPS and c.i < verb.i for c in verb.children)
        and not any(c.dep_ in ("cc", "mark") and c.i < verb.i for c in verb.children)
        and verb.left_edge.i - 1 - head.left_edge.i >= 3
    )


def statement_before(verb: Token) -> tuple[int, int]:
    """The clause a cue_after_statement reports: from its head's first word (after a dateline, 'OSLO --')
    to the comma before the cue's phrase."""
    doc, start = verb.doc, verb.head.left_edge.i
    if is_dateline(doc[start]):
        start += 1
        while start < verb.i and (doc[start].is_punct or doc[start].is_space):
            start += 1
    return start, verb.left_edge.i - 1


def set_off(verb: Token) -> tuple[int, int] | None:
    """The cue phrase, when it stands between commas inside its sentence: '…, his campaign said, …',
    'After the vote, Brandt said on Monday, most …'. The phrase is the verb's subtree, or (where the
    parser hung the words before the cue on it) its subject, the verb and what follows the verb."""
    # sentence starts are read token by token: `Token.sent` walks the whole sentence, and every cue asks
    doc = verb.doc
    left, right = verb.left_edge.i, verb.right_edge.i
    if doc[left].text == "," and doc[right].text == "," and not doc[left].is_sent_start:
        return left + 1, right
    subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS and c.i < verb.i]
    if not subjects:
        return None
    start = subjects[-1].left_edge.i
    if doc[start].is_sent_start or doc[start - 1].text != ",":
        return None
    for end in range(verb.i + 1, min(verb.i + SET_OFF_TAIL, len(doc))):
        tok = doc[end]
        if tok.is_sent_start:
            return None
        if tok.text == ",":  # "…, Berg said on Friday, …": the phrase ends at the next comma
            return start, end
        if tok.is_punct or (
            tok.head.i == verb.i and tok.dep_ in FRAME_OBJECT_DEPS and not listener(verb, tok)
        ):
            return None  # "…, the court suggested a new approach, …": a verb with an object says more
    return None


def listener(verb: Token, obj: Token) -> bool:
    """The object is whom the cue is addressed to: 'he told me', 'Trump told CNN'."""
    return obj.pos_ == "PRON" or (obj.dep_ in ("dobj", "dative") and verb._.lemma.lower() in ADDRESSEE_VERBS)


def sentence_goes_on(doc: Doc, i: int, n: int) -> bool:
    """At least `n` more tokens of the same sentence follow token `i`."""
    return i + n < len(doc) and not any(doc[j].is_sent_start for j in range(i + 1, i + n + 1))


def interrupted_statement(verb: Token, phrase: tuple[int, int]) -> tuple[int, int]:
    """'Recently, he said, he has moved on', 'and the permit, his campaign said, was late': the
    statement a set-off cue phrase interrupts runs from the clause's start (after a dash or semicolon
    that ends an earlier clause) to the end of the sentence, whatever the parser attached its first
    words to; after 'But, she said,' it is what follows the cue."""
    doc, sent = verb.doc, verb.sent
    start = phrase[0]
    while start > sent.start and doc[start - 1].text not in CLAUSE_BREAKS:
        start -= 1
    while start < phrase[0] and (doc[start].is_punct or doc[start].dep_ == "cc"):
        start += 1
    if not any(t.is_alpha for t in doc[start : phrase[0]]):
        start = phrase[1] + 1  # 'But, she said, it is late': only a conjunction came before
    return start, max(verb.head.right_edge.i, phrase[1], verb.sent.end - 1) + 1


def infinitive_clause(verb: Token) -> tuple[int, int] | None:
    """'X promised to cut the fare', 'X urged the council to act', 'X told the crew to wait': what a
    promise, an appeal or an order says is its infinitive (with whoever is urged)."""
    for child in verb.children:
        if (
            child.dep_ in ("xcomp", "ccomp")
            and child.i > verb.i
            and any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children)
        ):
            start = child.left_edge.i
            addressee = [c for c in verb.children if c.dep_ in ("dobj", "dative") and c.i < child.i]
            if addressee:
                start = min(start, addressee[0].left_edge.i)
            return start, child.right_edge.i + 1
    return None


def misattached_complement(verb: Token) -> tuple[int, int] | None:
    """'He told a crowd of dock workers that no crane had been serviced …', 'telling the crew during a meeting
    that they should …': the parser hung the cue's 'that' clause on the noun before it as a relative or
    adjectival clause. A clause with 'that' as its complementiser (not as its subject or object) and a
    subject of its own, hung on a noun of the cue's object or circumstance after it, is what the cue
    reports."""
    for child in verb.children:
        if child.i < verb.i or child.dep_ not in ("dobj", "dative", "prep", "npadvmod"):
            continue
        for tok in child.subtree:
            if tok.dep_ not in ("relcl", "acl") or tok.head.pos_ not in ("NOUN", "PROPN"):
                continue
            marks = [c for c in tok.children if c.dep_ == "mark" and c.lower_ == "that"]
            if marks and any(c.dep_ in SUBJECT_DEPS for c in tok.children):
                return marks[0].i, tok.right_edge.i + 1
    return None


def gerund_clause(verb: Token) -> tuple[int, int] | None:
    """'X said raising the fee would hurt', 'Y says taxing sugar helps': a clause whose subject is a
    gerund, which the parser may hang on the cue as its own open complement. A gerund right after the
    cue whose phrase holds a finite verb is the subject of what was said, not something the speaker did."""
    doc = verb.doc
    if verb.i + 1 >= len(doc):
        return None
    child = doc[verb.i + 1]
    if child.head.i != verb.i or child.dep_ != "xcomp" or child.tag_ != "VBG":
        return None
    if not any(t.tag_ in FINITE_TAGS for t in child.subtree if t.i > child.i):
        return None
    return child.left_edge.i, child.right_edge.i + 1


def question_put(verb: Token) -> bool:
    """'X asked why …', 'X explained how …': a question asked or answered, which is saying something;
    not 'X did not explain why …'."""
    return verb._.lemma.lower() in QUESTION_VERBS and not any(c.dep_ == "neg" for c in verb.children)


def question_asked(verb: Token) -> tuple[int, int] | None:
    """'X asked Y if the port would stay open', 'X asked Y about the plan': the question is what X
    said, introduced by 'if' or 'whether' (which the parser may call adverbial) or by 'about'."""
    for child in verb.children:
        if child.i < verb.i:
            continue
        if child.dep_ == "advcl" and any(
            c.dep_ == "mark" and c.lower_ in ("if", "whether") for c in child.children
        ):
            return child.left_edge.i, child.right_edge.i + 1
        if child.dep_ == "prep" and child.lower_ == "about":
            return child.i, child.right_edge.i + 1
    return None


def unmarked_clause(verb: Token, child: Token) -> bool:
    """'X said after the vote he would resign': a clause after the cue with a subject of its own and no
    'if'/'because' to introduce it is what was said, even when the parser calls it adverbial."""
    return (
        child.dep_ == "advcl"
        and child.i > verb.i
        and any(c.dep_ in SUBJECT_DEPS for c in child.children)
        and not any(c.dep_ == "mark" for c in child.children)
    )


def naming_clause(verb: Token) -> tuple[int, int] | None:
    """'X called the plan “a disgrace”', 'X described the plan as a disgrace': what is named and what
    it is called, together, are X's words. Not 'called for', 'called off', nor a passive 'was called'."""
    children = list(verb.children)
    perfect = any(c.dep_ == "aux" and c._.lemma.lower() == "have" for c in children)
    if verb.dep_ in ("acl", "relcl", "amod") or (verb.tag_ == "VBN" and not perfect and verb.dep_ != "conj"):
        return None  # "a plan called X", "what she called X", "was called X": nobody's words here
    if any(c.dep_ == "prt" or (c.lower_ in NAMING_PARTICLES and c.i == verb.i + 1) for c in children):
        return None
    if any(c.dep_ in ("nsubjpass", "auxpass") or c._.lemma.lower() == "be" for c in children):
        return None
    if any(c.tag_ in ("WP", "WDT") for c in children):
        return None  # "in what he called …": the naming serves another clause
    named = next((c for c in children if c.dep_ in ("dobj", "nsubj") and c.i > verb.i), None)
    if named is not None and named.lower_.endswith(("self", "selves")):
        return None  # "calling themselves …": a name, not a judgement
    if verb._.lemma.lower() == "call":
        said = next(
            (c for c in children if c.dep_ in ("oprd", "ccomp", "xcomp", "attr") and c.i > verb.i), None
        )
        if said is None and named is not None:  # "called it a disgrace" parsed as one object phrase
            said = next((c for c in named.children if c.dep_ in ("appos", "attr", "npadvmod")), None)
        if said is None and named is not None:  # "called the plans to open a dock “a waste”"
            quoted = quoted_after(verb, named)
            return clip_to_paragraph(verb, (named.left_edge.i, quoted)) if quoted else None
    else:
        if named is None:  # "referred to him as a builder"
            to = next((c for c in children if c.dep_ == "prep" and c.lower_ == "to"), None)
            named = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
            if named is None and verb._.lemma.lower() == "refer":
                return None  # "were referred to as …": named by nobody in particular
        said = next((c for c in children if c.dep_ == "prep" and c.lower_ == "as"), None)
        if said is None and named is not None:  # "described the seabed under the pier as …"
            said = next(
                (t for t in verb.subtree if t.lower_ == "as" and t.dep_ == "prep" and t.i > named.i), None
            )
    if said is None:
        return None
    start = min(t.left_edge.i for t in ([named] if named is not None else []) + [said])
    end = said.right_edge.i + 1
    return clip_to_paragraph(verb, (start, end)) if end - start >= 2 else None


def quoted_after(verb: Token, named: Token) -> int | None:
    """End (exclusive token index) of a quote that opens right after the named thing, in the verb's
    sentence: the name it is given, however the parser attached it."""
    doc = verb.doc
    stop = min(verb.sent.end, named.right_edge.i + 2)
    opening = next((i for i in range(named.i + 1, stop) if doc[i].text in OPENING_MARK_TOKENS), None)
    if opening is None:
        return None
    for i in range(opening + 1, min(verb.sent.end, opening + 40)):
        if doc[i].text in CLOSING_MARK_TOKENS:
            return i + 1
    return None


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
    """All quotes of one parsed article, sorted by position, with their speakers."""
    ctx = Context(doc, ents, ref)
    cues = [t for t in doc if ctx.is_cue(t)]
    clauses = {v.i: c for v in cues if (c := clause_of(v)) is not None}
    partial_of: dict[int, list[Marked]] = {}
    direct: list[tuple[Marked, Token | None, bool]] = []
    for m in ctx.marked:
        is_embedded = embedded(ctx, m)
        holder = clause_holding(ctx, m, cues, clauses) if is_embedded else None
        if holder is not None:
            partial_of.setdefault(holder.i, []).append(m)
            continue
        verb = (naming_frame(ctx, m) if is_embedded else None) or cue_after(ctx, m) or cue_before(ctx, m)
        verb = verb or (None if is_embedded else framing_verb(ctx, m)) or colon_intro(ctx, m)
        if verb is None and is_embedded:
            continue  # scare quotes: a quoted word with no one saying it
        direct.append((m, verb, is_embedded))
    found_quotes = direct_quotes(ctx, direct)
    used = {f.verb_i for f in found_quotes if f.verb_i is not None}
    found_quotes.extend(reported(ctx, cues, clauses, partial_of, used, found_quotes))
    found_quotes.extend(according_to(ctx, found_quotes))
    turns = transcript_turns(ctx)
    if turns:  # a turn of a transcript is one quote: quoted words inside it are part of it
        found_quotes = [f for f in found_quotes if not any(overlap(f, t) for t in turns)]
        found_quotes.extend(turns)
    found_quotes.sort(key=lambda f: f.start)
    return attribute_all(ctx, found_quotes)


def overlap(a: Found, b: Found) -> bool:
    return a.start < b.end and b.start < a.end


# a transcript's line, sometimes pasted inside an opening quote mark: '"WALLACE: Let's start …'
TURN = re.compile(r"^[\"“]?(?P<label>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}): +(?P<words>\S.*)$", re.M)


SIGNATURE = re.compile(r"[ \t]*\n*[ \t]*[—―–-]+[ \t]*(?=[A-Z])")


def sign(ctx: Context, m: Marked, found: Found) -> None:
    """A quote signed with a dash and a name, after it or on the next line ('“…” — Ana Ruiz',
    '-Ana Ruiz, writing on X'): the name is its speaker, as a caption or pull quote credits it."""
    if not m.closed:
        return
    after = m.after  # the signature follows on the quote's own line, or opens the next one
    rest_start = after if ctx.text[after : m.para_end].strip() else m.para_end
    dash = SIGNATURE.match(ctx.text, rest_start)
    if dash is None or ctx.text[rest_start : dash.end()].count("\n") > 2:
        return
    first = ctx.token_at(dash.end())
    names = []
    for tok in ctx.doc[first : first + 5]:
        if tok.pos_ != "PROPN":
            break
        names.append(tok)
        if "\n" in tok.whitespace_:
            break  # the name ends with its line
    if not names:
        return
    mention = ctx.ents.by_token.get(names[0].i)
    if mention is not None and mention.label == PERSON:
        found.speaker, found.speaker_entity_id = mention.name, mention.entity_id
    else:
        words = [t.text for t in names if t.text.rstrip(".").lower() not in ctx.ref.honorifics]
        person = ctx.ents.lookup(words) or ctx.ents.lookup(words[-1:])
        if person is not None and person.label != PERSON:
            return  # '— Reuters', '— AP': an agency credit, not a speaker
        found.speaker = person.name if person is not None else " ".join(words)
        found.speaker_entity_id = person.entity_id if person is not None else None
    found.speaker_mention = ctx.text[names[0].idx : names[-1].idx + len(names[-1])]
    found.speaker_label, found.turn, found.cue = PERSON, True, "—"


def transcript_turns(ctx: Context) -> list[Found]:
    """Interviews and debates printed as a transcript: 'TAPPER: And you support him?' is one turn, the
    person the label names says it. A label counts only when it names a person of the article (so
    headings such as 'WATCH:' or 'ANALYSIS:' never speak) and the turn has a few words."""
    out = []
    for line in TURN.finditer(ctx.text):
        words = line.group("words")
        if len(words.split()) < 4:
            continue
        person = ctx.ents.lookup(line.group("label").split()) or ctx.ents.lookup(
            line.group("label").split()[-1:]
        )
        if person is None or person.label != PERSON:
            continue
        start, end = trim(ctx.text, line.start("words"), line.end("words"))
        found = Found(start, end, "direct", speaker=person.name, speaker_entity_id=person.entity_id, cue=":")
        found.speaker_mention, found.speaker_label, found.turn = line.group("label"), PERSON, True
        out.append(found)
    return out


def clause_holding(
    ctx: Context, m: Marked, cues: list[Token], clauses: dict[int, tuple[int, int]]
) -> Token | None:
    """The cue whose reported clause contains this quoted fragment and more words besides."""
    end = m.end
    while end > m.start + 1 and not ctx.text[end - 1].isalnum():  # 'was “appropriate.”': the period
        end -= 1  # belongs to the sentence, not to the reported clause
    first, last = ctx.token_at(m.start), ctx.token_at(end - 1)
    best, best_len = None, 0
    for verb in cues:
        span = clauses.get(verb.i)
        if span is None or not (span[0] <= first and last < span[1]):
            continue
        if not words_outside(ctx, span, m):
            continue
        if best is None or span[1] - span[0] < best_len:
            best, best_len = verb, span[1] - span[0]
    return best or clause_running_on(ctx, m, first, last, cues, clauses)


def clause_running_on(
    ctx: Context, m: Marked, first: int, last: int, cues: list[Token], clauses: dict[int, tuple[int, int]]
) -> Token | None:
    """'He said Ruiz “knows every boat. Nobody works harder.”': the quote opens inside a cue's
    clause, after words of its own, and runs on past the clause's sentence. The clause is extended to
    the quote's end: what follows the opening mark is still the speaker's."""
    for verb in cues:
        span = clauses.get(verb.i)
        if span is None or not span[0] < first < span[1] <= last:
            continue
        if not any(tok.is_alpha for tok in ctx.doc[span[0] : first]):
            continue
        clauses[verb.i] = (span[0], last + 1)
        return verb
    return None


def words_outside(ctx: Context, span: tuple[int, int], m: Marked) -> bool:
    """The clause says more than the quote itself: it has words outside the marks."""
    return any(tok.is_alpha and not (m.open_at <= tok.idx <= m.end) for tok in ctx.doc[span[0] : span[1]])


def direct_quotes(ctx: Context, items: list[tuple[Marked, Token | None, bool]]) -> list[Found]:
    """Quotes in marks, with their cue when there is one; speakers come later, in document order."""
    out = []
    for m, verb, is_embedded in items:
        start, end = trim(ctx.text, m.start, m.end)
        if start >= end:
            continue
        found = Found(start, end, "partial" if is_embedded else "direct", closed=m.closed)
        if verb is not None:
            set_cue(found, verb, ctx.quote_of_token)
            no_subject = found.subj_i is None and grammatical_subject(verb, ctx.quote_of_token) is None
            if no_subject and verb.idx > m.end:
                found.subj_i = frame_name(ctx, m, verb)
        elif not is_embedded:
            sign(ctx, m, found)
        out.append(found)
    return out


def frame_name(ctx: Context, m: Marked, verb: Token) -> int | None:
    """'“…,” said Brierly, explaining …', '“…,” Hensly, an adviser, said': when the parse hung the name
    of a quote's frame elsewhere (an adverb, an apposition inside the quote), the first name the
    article knows between the closing mark and the cue, or right after the cue, is its speaker."""
    doc = ctx.doc
    after = verb.i + 1
    while after < len(doc) and doc[after].is_title and doc[after].idx < m.para_end:
        after += 1  # "said Bill Skelly": the whole name after the cue
    for i in range(token_after(ctx, m), after):
        tok = doc[i]
        if tok.is_sent_start and i > verb.i:
            break
        mention = ctx.ents.by_token.get(i) or (ctx.ents.lookup([tok.text]) if tok.is_title else None)
        if mention is not None and mention.label in (PERSON, "ORG"):
            return i
    return None


# ---------------------------------------------------------------- speakers, in document order


def attribute_all(ctx: Context, quotes: list[Found]) -> list[Found]:
    """Resolve every cue's speaker in order; a cue-less quote continues the speaker before it (or, for a
    quote left open at a paragraph's end, the one that continues it). Cue-less quotes nobody can be
    credited with, and too short to be speech, are dropped."""
    spans = sorted((f.start, f.end) for f in quotes)
    starts = [s for s, _ in spans]

    def outside(char: int) -> bool:  # names inside quoted or reported words are not antecedents
        k = bisect.bisect_right(starts, char) - 1
        return not ctx.in_quote_char(char) and not (k >= 0 and spans[k][0] <= char < spans[k][1])

    resolver = Resolver(ctx.doc, ctx.ents.mentions, ctx.ref, outside)
    previous: Found | None = None
    for found in quotes:
        if found.turn:
            previous = found
            resolver.add_speaker(found.start, found.speaker, found.speaker_entity_id, PERSON)
            continue
        if found.subj_i is not None:
            speak(ctx, resolver, found)
        elif found.verb_i is None and previous is not None and continues(ctx, previous, found):
            narration = paragraph_end(ctx.text, previous.end)  # after the previous quote's own paragraph
            newcomer = resolver.introduced_between(narration, found.start, previous.speaker)
            if newcomer is None or same_paragraph(ctx, previous, found):
                inherit(found, previous)
            else:  # narration in between introduced someone: the quote after it is theirs
                found.speaker, found.speaker_entity_id = newcomer.name, newcomer.entity_id
        elif found.verb_i is None and found.closed and len(ctx.text[found.start : found.end].split()) >= 4:
            # a quote paragraph after narration: whoever the narration is about, and the quotes that
            # continue it follow this speaker, not the one before the narration
            person = resolver.recent_person(found.start)
            if person is not None:
                found.speaker, found.speaker_entity_id = person.name, person.entity_id
        if found.speaker:
            previous = found
            if found.verb_i is not None:
                resolver.add_speaker(
                    found.start,
                    found.speaker,
                    found.speaker_entity_id,
                    found.speaker_label or "GROUP",
                    not subordinate(ctx.doc[found.verb_i]),
                )
    for k in range(len(quotes) - 2, -1, -1):  # “… (no closing mark)¶“…,” she said.
        found, nxt = quotes[k], quotes[k + 1]
        if found.verb_i is None and not found.closed and nxt.speaker and next_paragraph(ctx, found, nxt):
            inherit(found, nxt)
    kept = []
    for found in quotes:
        if found.verb_i is None and not found.speaker:
            if len(ctx.text[found.start : found.end].split()) < 4:
                continue  # a few quoted words ("platform", "toxic") are mentions of words, not quotes
            person = resolver.recent_person(found.start)
            if person is not None:
                found.speaker, found.speaker_entity_id = person.name, person.entity_id
        kept.append(found)
    return kept


def speak(ctx: Context, resolver: Resolver, found: Found) -> None:
    subj = ctx.doc[found.subj_i]
    written, mention = written_mention(ctx, subj)
    before = min(found.start, subj.idx)
    who = resolver.resolve(subj, written, mention, before)
    found.speaker_mention = who.written
    found.speaker, found.speaker_entity_id = who.name, who.entity_id
    found.speaker_role = who.role
    found.speaker_label = who.label


def subordinate(verb: Token) -> bool:
    """The cue is in a clause introduced by 'although', 'while', 'if', …: its speaker is not the topic."""
    return verb.dep_ == "advcl" and any(c.dep_ == "mark" for c in verb.children)


def inherit(found: Found, source: Found) -> None:
    found.speaker, found.speaker_entity_id = source.speaker, source.speaker_entity_id
    found.speaker_role, found.speaker_label = source.speaker_role, source.speaker_label


def paragraph_start(text: str, char: int) -> int:
    return text.rfind("\n", 0, char) + 1


def paragraph_end(text: str, char: int) -> int:
    end = text.find("\n", char)
    return len(text) if end < 0 else end


def same_paragraph(ctx: Context, previous: Found, found: Found) -> bool:
    return previous.start >= paragraph_start(ctx.text, found.start)


def continues(ctx: Context, previous: Found, found: Found) -> bool:
    """A cue-less quote continues the previous speaker when it shares the paragraph, or fills its own
    paragraph (a quote paragraph with no words outside the marks) not far after."""
    text = ctx.text
    p_start = paragraph_start(text, found.start)
    if previous.start >= p_start:
        return True
    p_end = text.find("\n", found.end)
    p_end = len(text) if p_end < 0 else p_end
    outside = text[p_start : found.start] + text[found.end : p_end]
    return not any(ch.isalnum() for ch in outside)


def next_paragraph(ctx: Context, found: Found, nxt: Found) -> bool:
    between = ctx.text[found.end : nxt.start]
    return "\n" in between and not any(ch.isalnum() for ch in between)


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
        if span is None or verb.i in used or subject_of(verb, ctx.quote_of_token) is None:
            continue
        if verb.i not in partial_of and any(i in ctx.quote_of_token for i in range(*span)):
            span = before_nested_cue(ctx, verb, span)
            if span is None:
                continue
        start, end = clause_chars(ctx, span)
        if end - start < 12 or any(s < end and start < e for s, e in taken):
            continue
        if ctx.doc[span[0]].lower_ in QUESTION_WORDS and not question_put(verb):
            continue  # "did not say whether …": an open question, not a statement; "asked why" is one
        found = Found(start, end, "partial" if verb.i in partial_of else "indirect")
        set_cue(found, verb, ctx.quote_of_token)
        out.append(found)
        taken.append((start, end))
    return out


def before_nested_cue(ctx: Context, verb: Token, span: tuple[int, int]) -> tuple[int, int] | None:
    """'X said he saw no need to change, telling Y that “…”': the quote belongs to the nested cue; X's
    reported words end where that cue's phrase begins. None when quoted words remain before it."""
    nested = [t for t in ctx.doc[span[0] : span[1]] if t.i > verb.i and ctx.is_cue(t)]
    for cue in nested:
        end = cue.left_edge.i
        while end > span[0] and (ctx.doc[end - 1].is_punct or ctx.doc[end - 1].lower_ in ("and", "but")):
            end -= 1
        if end - span[0] >= 3 and not any(i in ctx.quote_of_token for i in range(span[0], end)):
            return span[0], end
    return None


def clause_chars(ctx: Context, span: tuple[int, int]) -> tuple[int, int]:
    """Character range of a token range, without edge punctuation or quote marks."""
    doc = ctx.doc
    start, end = doc[span[0]].idx, doc[span[1] - 1].idx + len(doc[span[1] - 1])
    start, end = trim(ctx.text, start, end)
    while end > start and ctx.text[end - 1] in ".!?":
        end -= 1
    return start, end


def has_verb(tokens) -> bool:
    return any(t.pos_ in ("VERB", "AUX") for t in tokens)


def clause_just_before(tok: Token) -> tuple[int, int] | None:
    """The clause an 'according to' phrase follows, whatever the parser hung the phrase on: '… when
    militants killed 40 people, according to X, and …' (that clause, not the sentence's main one)."""
    doc, i = tok.doc, tok.i - 1
    while i > tok.sent.start and doc[i].is_punct:
        i -= 1
    word = doc[i]
    while word.pos_ not in ("VERB", "AUX") and word.head.i != word.i:
        word = word.head
    if word.pos_ not in ("VERB", "AUX") or word.i > tok.i:
        return None
    return word.left_edge.i, word.right_edge.i + 1


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
        if not has_verb(
            ctx.doc[sent.start : tok.i]
        ):  # "According to X, …", "But on Friday, according to X, …"
            span = (phrase_end, sent.end)
        elif not has_verb(ctx.doc[phrase_end : sent.end]):  # "…, according to X (in a filing)."
            span = (sent.start, tok.i)
        elif tok.head.pos_ in ("VERB", "AUX") and tok.head.i != tok.i and not ctx.is_cue(tok.head):
            # mid-sentence: X vouches for the clause the phrase modifies ("A, according to X, and B")
            span = (tok.head.left_edge.i, tok.head.right_edge.i + 1)
        elif (clause := clause_just_before(tok)) is not None:
            # … unless that clause is someone else's speech ("N acknowledged …, when militants killed 40
            # people, according to X, …"): then the clause just before the phrase
            span = clause
        else:
            continue
        if span[1] - span[0] < 3:
            continue
        start, end = clause_chars(ctx, span)
        if end - start < 12 or any(s < end and start < e for s, e in taken):
            continue
        found = Found(start, end, "indirect", cue="according to", verb_i=tok.i, subj_i=obj.i)
        out.append(found)
    return out
