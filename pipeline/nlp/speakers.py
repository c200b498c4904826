"""Who a cue's subject is: an entity of the article, a group as written, or nobody.

News writing names a speaker once and then says "he", "the minister", "Mr Miller" or "the company". The
resolver walks back from the cue over the article's entity mentions (outside quotes) and the speakers of
the quotes already attributed, and takes the latest one that fits:
- "he"/"she": a person of that gender (first names seed, Mr/Ms before a mention), preferring persons in
  subject position ("salient") over persons merely mentioned;
- "the minister", "the 26-year-old forward": a person whose role or apposition holds that noun, else the
  latest salient person; "the union", "the company": the organisation whose name or description holds
  that noun, else the latest one; "it": the latest organisation; "they": the organisation, party or
  group the paragraph is about (never one person); "the officials": a group, never one person;
- a quote paragraph after narration that first names someone is theirs (`introduced_between`);
- a surname the NER missed: the longest proper name in the article that ends with it;
- any other noun phrase ("Some experts", "police", "a spokesperson"): the phrase itself, with no entity.
Everything comes from the one parsed Doc; the per-article work is a few list scans.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.nlp.entities import PERSON, SPEAKER_LABELS, Mention

if TYPE_CHECKING:  # annotations only: spaCy loads with the model (see model.load_model)
    from spacy.tokens import Token

MALE_HONORIFICS = frozenset({"mr", "sir", "lord", "king", "prince", "father"})
FEMALE_HONORIFICS = frozenset({"ms", "mrs", "miss", "dame", "lady", "queen", "princess", "sister"})
GENDERED_NOUNS = {
    "spokesman": "m",
    "chairman": "m",
    "businessman": "m",
    "congressman": "m",
    "spokeswoman": "f",
    "chairwoman": "f",
    "businesswoman": "f",
    "congresswoman": "f",
}
PRONOUN_GENDER = {"he": "m", "she": "f"}
POSSESSIVE_GENDER = {"his": "m", "her": "f"}
DOCUMENT_LOOKBACK = 250  # tokens searched back for an earlier mention of a document with its author
ORG_PRONOUNS = frozenset({"it"})
GROUP_PRONOUNS = frozenset({"we"})  # "they" is resolved to a body or group (group_topic)
UNRESOLVED_PRONOUNS = frozenset({"i", "you", "one", "who", "that", "which", "this", "these", "those"})
DEFINITE = frozenset({"the", "this", "that"})
PERSON_MODIFIERS = frozenset({"old", "former", "retired", "late"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
OBJECT_DEPS = frozenset({"dobj", "dative", "iobj"})
SUBORDINATE_DEPS = frozenset({"advcl", "relcl", "acl"})
LOOKBACK = 40  # candidates considered, newest first
GROUP = "GROUP"  # a speaker named by a phrase, not an entity ("Some experts")
GROUP_PHRASE_TOKENS = 14
ENTITY_PREFERENCE = ("PERSON", "ORG", "GPE", "NORP")
PLACE_NAME = r"([A-Z][a-z][\w'’-]*(?: [A-Z][a-z][\w'’-]*)?)"
CITY_OF = re.compile(r"\b(?:City|city|Town|town) of " + PLACE_NAME)
CITY_BEFORE = re.compile(PLACE_NAME + r"(?:'s|’s)? (?:[Mm]ayor|[Cc]ity [Cc]ouncil|[Cc]ity [Hh]all)\b")
NOT_PLACE_WORDS = frozenset(
    {"the", "former", "deputy", "acting", "interim", "then", "late", "current", "new"}
)


@dataclass
class Candidate:
    """A possible antecedent: an entity mention, or the speaker of an earlier quote."""

    start: int
    name: str
    entity_id: str | None
    label: str
    gender: str | None
    salient: bool
    mention: Mention | None = None
    paragraph: int = 0


@dataclass
class Speaker:
    name: str | None = None
    entity_id: str | None = None
    label: str = GROUP
    written: str | None = None
    role: str | None = None


class Resolver:
    """Per-article candidates, built once; `resolve` is called per cue in document order."""

    def __init__(self, doc, mentions: list[Mention], ref, outside_quotes) -> None:
        self.doc = doc
        self.ref = ref
        self.mentions = mentions
        text = doc.text  # paragraph breaks: the first newline of each run ("\n\n" is one break)
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n" and (i == 0 or text[i - 1] != "\n")]
        self.genders = person_genders(doc, mentions, ref)
        self.candidates: list[Candidate] = []
        for m in mentions:
            if m.label in SPEAKER_LABELS and outside_quotes(m.start):
                gender = self.genders.get(m.name) if m.label == PERSON else None
                self.candidates.append(
                    Candidate(
                        m.start,
                        m.name,
                        m.entity_id,
                        m.label,
                        gender,
                        salient(doc, m),
                        m,
                        self.paragraph(m.start),
                    )
                )
        self.starts = [c.start for c in self.candidates]
        self.first_seen: dict[str, int] = {}  # person -> where the article first names them
        for m in mentions:
            if m.label == PERSON:
                self.first_seen.setdefault(m.name, m.start)
        self.sentence_starts = [sent.start_char for sent in doc.sents]
        self.surnames = {m.key[-1]: m for m in mentions if m.label == PERSON and m.key}
        self.by_token = {i: m for m in mentions for i in range(m.tok_start, m.tok_end)}
        self._city: tuple[str, str | None, str] | bool | None = False  # computed when first asked

    def paragraph(self, char: int) -> int:
        return bisect.bisect_left(self.newlines, char)

    # ------------------------------------------------------------ candidates

    def add_speaker(
        self, at: int, name: str, entity_id: str | None, label: str, salient: bool = True
    ) -> None:
        """The speaker of a quote just attributed: a salient antecedent for what follows (unless the cue
        sits in a subordinate clause: "Although Brandt has argued that …")."""
        gender = self.genders.get(name) if label == PERSON else None
        k = bisect.bisect_right(self.starts, at)
        candidate = Candidate(at, name, entity_id, label, gender, salient, None, self.paragraph(at))
        self.candidates.insert(k, candidate)
        self.starts.insert(k, at)

    def walk(self, before: int, fits, salient_only: bool = False) -> Candidate | None:
        """The latest fitting salient candidate before a position; a fitting one that is merely
        mentioned wins when no salient one shares its paragraph."""
        k = bisect.bisect_left(self.starts, before)
        fallback = None
        for c in reversed(self.candidates[max(0, k - LOOKBACK) : k]):
            if fallback is not None and c.paragraph < fallback.paragraph:
                break
            if not fits(c):
                continue
            if c.salient:
                return c
            fallback = fallback or c
        return None if salient_only else fallback

    def sentence(self, char: int) -> int:
        return bisect.bisect_right(self.sentence_starts, char) - 1

    def newcomer(self, before: int, gender: str | None = None) -> Candidate | None:
        """A person introduced in the sentence before (or this one) by a mere mention, with no person as
        that sentence's subject: '… the scheme also helped retired nurse Tomasz Wilk, 71.
        “I walk every day now,” he says.' The new person speaks, not the older topic."""
        k = bisect.bisect_left(self.starts, before)
        first = self.sentence(before) - 1
        found = None
        for c in reversed(self.candidates[max(0, k - LOOKBACK) : k]):
            if self.sentence(c.start) < first:
                break
            if c.label != PERSON:
                continue
            if c.salient or c.mention is None:
                return None  # a person is the subject here, or has just spoken: the usual walk decides
            if found is None and c.gender in (None, gender or c.gender):
                found = c
        return found

    def bound(self, c: Candidate, pronoun: str) -> bool:
        """The candidate is the object of a verb whose subject is the same pronoun ('Asked what he would
        tell Mayor Ann Lowe …, he said'): the pronoun cannot stand for it."""
        if c.mention is None:
            return False
        tok = mention_root(self.doc, c.mention)
        if tok.dep_ not in OBJECT_DEPS:
            return False
        return any(child.dep_ in SUBJECT_DEPS and child.lower_ == pronoun for child in tok.head.children)

    def introduced_between(self, start: int, end: int, known: str | None) -> Candidate | None:
        """A person first named between two positions, other than `known`: a quote after that narration
        is not simply the previous speaker's any more."""
        lo, hi = bisect.bisect_left(self.starts, start), bisect.bisect_left(self.starts, end)
        for c in reversed(self.candidates[lo:hi]):
            if c.label == PERSON and c.name != known and self.first_seen.get(c.name) == c.start:
                return c
        return None

    def recent_person(self, before: int) -> Candidate | None:
        return self.walk(before, lambda c: c.label == PERSON)

    # ------------------------------------------------------------ resolution

    def resolve(self, subj: Token, written: str, mention: Mention | None, before: int) -> Speaker:
        """The speaker behind a cue's subject token, as resolved as the article allows."""
        out = Speaker(written=written, role=apposition_role(subj))
        lower = subj.lower_
        # a lowercase word the tagger called a proper noun ("the front-runner") is a description
        pos = "NOUN" if subj.pos_ == "PROPN" and subj.text.islower() else subj.pos_
        if mention is not None and mention.label == "NORP" and is_definite(subj) and subj.tag_ == "NNP":
            mention = None  # "the Ohio Democrat said": a person described by party or origin
            out.role = out.role or written
            found = self.by_role(subj._.lemma.lower(), before) or self.recent_person(before)
            if found is not None:
                out.name, out.entity_id, out.label = found.name, found.entity_id, found.label
            return out
        if mention is not None and mention.label in SPEAKER_LABELS:
            out.name, out.entity_id, out.label = mention.name, mention.entity_id, mention.label
            out.role = out.role or mention.role
            return out
        found: Candidate | None = None
        if lower in PRONOUN_GENDER:
            gender = PRONOUN_GENDER[lower]
            found = self.newcomer(before, gender) or self.walk(
                before,
                lambda c: c.label == PERSON and c.gender in (None, gender) and not self.bound(c, lower),
            )
        elif lower in ORG_PRONOUNS:
            found = self.walk(before, lambda c: c.label == "ORG", salient_only=True)
        elif lower == "they":
            found = self.group_topic(before)  # "The union said … They added": a body speaks as "they"
        elif part_of_group(subj):
            out.name = group_phrase(subj)  # "Most of the senators said": that part of the group
            return out
        elif lower in GROUP_PRONOUNS or lower in UNRESOLVED_PRONOUNS or pos == "PRON":
            return out
        elif pos == "NOUN" and plural(subj) and self.noun_kind(subj) is not None:
            out.name = group_phrase(subj)  # "the officials", "the companies": several, never one of them
            return out
        elif pos == "NOUN" and self.noun_kind(subj) == "document":
            found = self.author(subj, before)
            out.role = None
        elif pos == "NOUN" and is_definite(subj) and self.noun_kind(subj) is not None:
            if self.noun_kind(subj) == "person":
                out.role = out.role or written
                found = self.by_role(subj._.lemma.lower(), before) or self.recent_person(before)
            else:
                found = self.by_description(subj._.lemma.lower(), before) or self.walk(
                    before, lambda c: c.label == "ORG", salient_only=True
                )
        elif pos == "PROPN":
            full = self.full_name(subj)
            if full is not None:
                out.name, out.entity_id, out.label = full.name, full.entity_id, PERSON
            else:
                out.name, out.label = plain_name(subj, self.ref), PERSON
            return out
        if found is not None:
            out.name, out.entity_id, out.label = found.name, found.entity_id, found.label
            return out
        if pos == "NOUN" and self.noun_kind(subj) == "person" and possessed(subj):
            # "His father said": the person introduced with that noun ("Okafor's father, Daniel")
            found = self.by_role(subj._.lemma.lower(), before)
            if found is not None:
                out.name, out.entity_id, out.label = found.name, found.entity_id, found.label
                return out
        if pos == "NOUN" and subj.lower_ == "city" and is_definite(subj):
            city = self.city()  # "the city said": the city the article is about
            if city is not None:
                out.name, out.entity_id, out.label = city
            return out
        if pos in ("NOUN", "PROPN"):
            inner = self.inner_entity(subj)
            if inner is not None:  # "Okafor's office", "a spokesperson for Lakeside Transit"
                out.name, out.entity_id, out.label = inner.name, inner.entity_id, inner.label
            elif not is_definite(subj):
                out.name = group_phrase(subj)  # "Some experts", "police": a speaker without a name
        return out

    # ------------------------------------------------------------ documents

    def author(self, subj: Token, before: int) -> Candidate | None:
        """'The report said', 'according to the post': a document speaks for its author. The author is
        named with it ('her report', 'a study by X', 'the Harbour Institute study'), or with a document
        mentioned shortly before ('X wrote in a recent report'), or is whoever the paragraph (or the one
        before) is about ('The charity Brightwater said … A statement said …')."""
        found = self.owner(subj)
        if found is not None:
            return found
        paragraph = self.paragraph(subj.idx)
        doc = self.doc
        earlier = []
        for i in range(subj.i - 1, max(subj.i - DOCUMENT_LOOKBACK, 0) - 1, -1):
            tok = doc[i]
            if tok.pos_ in ("NOUN", "PROPN") and self.noun_kind(tok) == "document":
                if self.paragraph(tok.idx) < paragraph - 2:
                    break
                earlier.append(tok)
        # the same document first ("the study" after "the Harbour Institute study"), then any other
        earlier.sort(key=lambda t: t._.lemma != subj._.lemma)
        for tok in earlier:
            found = self.owner(tok)
            if found is not None:
                return found
        if subj.tag_ in ("NNS", "NNPS") or any(c.dep_ == "nummod" for c in subj.children):
            return None  # "city documents say", "one submission": not one author's document
        return self.walk(
            before,
            lambda c: c.label in ("PERSON", "ORG") and c.paragraph >= paragraph - 1,
            salient_only=True,
        )

    def owner(self, tok: Token) -> Candidate | None:
        """The author named with one mention of a document: possessor, compound, 'by'/'from' phrase (on
        the noun or on a participle after it: 'a report sent to the council by X'), or the subject of the
        verb it is the means of ('X wrote in a report', 'X stated in a post')."""
        for child in tok.children:
            if child.dep_ == "poss" or (child.dep_ == "compound" and child.pos_ == "PROPN"):
                found = self.named(child)
                if found is not None:
                    return found
        participles = [c for c in tok.children if c.dep_ == "acl"]
        for child in (c for t in (tok, *participles) for c in t.children):
            if (child.dep_ == "prep" and child.lower_ in ("by", "from")) or child.dep_ == "agent":
                for obj in child.children:
                    if obj.dep_ == "pobj" and (found := self.named(obj)) is not None:
                        return found
        head = tok.head
        if tok.dep_ == "pobj" and head.lower_ in ("in", "on", "via", "through") and head.head.pos_ == "VERB":
            verb = head.head
            if (lemma := verb._.lemma.lower()) in self.ref.reporting_verbs or lemma in ("publish", "post"):
                for child in verb.children:
                    if child.dep_ in SUBJECT_DEPS and (found := self.named(child)) is not None:
                        return found
        return None

    def named(self, tok: Token) -> Candidate | None:
        """The entity a token names, or the person a possessive pronoun ('her report') stands for."""
        m = self.by_token.get(tok.i)
        if m is None:
            for t in tok.subtree:  # "the University of Eastmoor's School of Nursing"
                m = self.by_token.get(t.i)
                if m is not None:
                    break
        if m is not None and m.label in ("PERSON", "ORG"):
            return Candidate(m.start, m.name, m.entity_id, m.label, None, True, m)
        gender = POSSESSIVE_GENDER.get(tok.lower_)
        if gender is not None:
            return self.walk(tok.idx, lambda c: c.label == PERSON and c.gender in (None, gender))
        return None

    def inner_entity(self, subj: Token) -> Mention | None:
        """An entity named inside the subject's phrase: its owner, author or employer."""
        lo, hi = subj.left_edge.i, min(subj.right_edge.i + 1, subj.left_edge.i + GROUP_PHRASE_TOKENS)
        inside = [m for m in self.mentions if lo <= m.tok_start and m.tok_end <= hi]
        for label in ENTITY_PREFERENCE:
            for m in inside:
                if m.label == label:
                    return m
        return None

    def city(self) -> tuple[str, str | None, str] | None:
        """The city the article is about, as (name, entity id, label): the place most often written
        with a mayor, a city council or city hall ('Brookfield Mayor Ann Lowe', 'the City of Brookfield');
        None when the article names no such place."""
        if self._city is False:
            counts: Counter[str] = Counter()
            for found in CITY_OF.finditer(self.doc.text):
                counts[found.group(1)] += 1
            for found in CITY_BEFORE.finditer(self.doc.text):
                words = found.group(1).split()
                while words and words[0].lower() in NOT_PLACE_WORDS:
                    words = words[1:]
                if words:
                    counts[" ".join(words)] += 1
            self._city = None
            if counts:
                name = counts.most_common(1)[0][0]
                place = next((m for m in self.mentions if m.name == name and m.label == "GPE"), None)
                self._city = (name, place.entity_id if place else None, "GPE")
        return self._city

    def noun_kind(self, subj: Token) -> str | None:
        kind = self.ref.speaker_nouns.get(subj._.lemma.lower())
        if kind is None and any("year-old" in t.lower_ or t.lower_ in PERSON_MODIFIERS for t in subj.lefts):
            kind = "person"  # "the 32-year-old labourer", "the former sergeant-at-arms"
        return kind

    def by_role(self, noun: str, before: int) -> Candidate | None:
        """'the mayor' -> the latest person introduced with 'mayor' in their title or apposition."""

        def fits(c: Candidate) -> bool:
            return c.label == PERSON and c.mention is not None and noun in role_words(self.doc, c.mention)

        return self.walk(before, fits)

    def by_description(self, noun: str, before: int) -> Candidate | None:
        """'the union' -> the latest organisation whose name or description holds that noun ('the
        Harbour Workers Union', 'Brightwater, the regional transit agency', 'media company Lumen')."""

        def fits(c: Candidate) -> bool:
            if c.label != "ORG":
                return False
            if noun in c.name.lower().split():
                return True
            return c.mention is not None and noun in role_words(self.doc, c.mention)

        return self.walk(before, fits)

    def group_topic(self, before: int) -> Candidate | None:
        """'they': the organisation, party or group this paragraph (or the one before) is about, its
        subject first, else the one it names; nobody when a person is the subject (a reader would not
        say 'they' of one)."""
        paragraph = self.paragraph(before)
        found = self.walk(
            before, lambda c: c.label in (PERSON, "ORG", "NORP", GROUP) and c.paragraph >= paragraph - 1
        )
        return found if found is not None and found.label != PERSON else None

    def full_name(self, subj: Token) -> Mention | None:
        """A surname alone ('Okafor said'): the person of the article whose name ends with it."""
        m = self.surnames.get(subj.lower_)
        return m if m is not None and len(m.key) > 1 else None


# ---------------------------------------------------------------- helpers


def person_genders(doc, mentions: list[Mention], ref) -> dict[str, str]:
    """Canonical person name -> 'm'/'f', from Mr/Ms before any of its mentions, a gendered title, or the
    first name; conflicting evidence leaves the person without a gender."""
    votes: dict[str, set[str]] = {}
    for m in mentions:
        if m.label != PERSON:
            continue
        found = votes.setdefault(m.name, set())
        if m.tok_start > 0:
            prev = doc[m.tok_start - 1].text.rstrip(".").lower()
            if prev in MALE_HONORIFICS:
                found.add("m")
            elif prev in FEMALE_HONORIFICS:
                found.add("f")
        for word in (m.role or "").lower().split():
            if word in GENDERED_NOUNS:
                found.add(GENDERED_NOUNS[word])
    out = {}
    for name, found in votes.items():
        if not found:
            first = name.split()[0].lower() if " " in name else ""
            if first in ref.first_names:
                found = {ref.first_names[first]}
        if len(found) == 1:
            out[name] = next(iter(found))
    return out


def mention_root(doc, m: Mention) -> Token:
    for tok in doc[m.tok_start : m.tok_end]:
        if not (m.tok_start <= tok.head.i < m.tok_end) or tok.head.i == tok.i:
            return tok
    return doc[m.tok_end - 1]


def salient(doc, m: Mention) -> bool:
    """The mention is what its clause is about: a subject (or apposed/compounded into one), the source
    of 'according to', or a name standing before its sentence's main verb."""
    tok = mention_root(doc, m)
    seen = 0
    while tok.dep_ in ("compound", "appos", "conj", "flat") and tok.head.i != tok.i and seen < 4:
        tok, seen = tok.head, seen + 1
    if tok.dep_ in SUBJECT_DEPS:
        # the subject of a subordinate clause is not what the sentence is about ("Although Brandt has
        # argued …, the plan …"; "a letter that Lowe sent to Okafor")
        return tok.head.dep_ not in SUBORDINATE_DEPS
    if m.is_subject:
        return True
    if tok.dep_ == "pobj" and tok.head.lower_ == "to" and tok.head.head.lower_ == "according":
        return True
    root = tok.sent.root
    return root.pos_ in ("VERB", "AUX") and m.tok_end <= root.i


def role_words(doc, m: Mention) -> set[str]:
    """Lower-case nouns that describe a person where it is named: its title, its apposition, the
    noun phrase it is apposed to ('the mayor, Ann Lowe')."""
    words = {w.lower() for w in (m.role or "").split()}
    root = mention_root(doc, m)
    tokens = list(doc[root.left_edge.i : m.tok_start])
    for child in root.children:
        if child.dep_ == "appos":
            tokens.extend(child.subtree)
    if root.dep_ == "appos":
        tokens.extend(doc[root.head.left_edge.i : root.head.i + 1])
    words.update(t._.lemma.lower() for t in tokens if t.pos_ in ("NOUN", "PROPN"))
    return words


def is_definite(tok: Token) -> bool:
    return any(c.dep_ in ("det", "poss") and c.lower_ in DEFINITE for c in tok.children)


def plural(tok: Token) -> bool:
    """'officials' (lemma 'official'), not 'the sergeant-at-arms' that the tagger calls plural too."""
    hyphenated = tok.i > 0 and tok.doc[tok.i - 1].tag_ == "HYPH"
    return tok.tag_ == "NNS" and tok._.lemma.lower() != tok.lower_ and not hyphenated


def possessed(tok: Token) -> bool:
    """'his father', 'her lawyer': a noun owned by a pronoun."""
    return any(c.dep_ == "poss" and c.lower_ in POSSESSIVE_GENDER for c in tok.children)


def plain_name(subj: Token, ref) -> str:
    """A proper-noun subject without a known entity: its name words ('Mr. Dalby' -> 'Dalby')."""
    words = [t.text for t in subj.subtree if t.pos_ == "PROPN" and t.i <= subj.i and not t.is_punct]
    words = [w for w in words if w.rstrip(".").lower() not in ref.honorifics] or [subj.text]
    return " ".join(words)


QUANTIFIERS = frozenset({"most", "some", "many", "few", "several", "all", "both", "half", "none", "majority"})


def part_of_group(subj: Token) -> bool:
    """'Most of the senators', 'Some of the residents', 'Half of the voters': a part of a plural group."""
    if subj.lower_ not in QUANTIFIERS:
        return False
    of = next((c for c in subj.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    group = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    return group is not None and group.tag_ in ("NNS", "NNPS")


def group_phrase(subj: Token) -> str:
    """The subject's phrase as written, up to a comma or line break: 'administration officials'."""
    doc = subj.doc
    toks = []
    for t in doc[subj.left_edge.i : min(subj.right_edge.i + 1, subj.left_edge.i + GROUP_PHRASE_TOKENS)]:
        if t.is_space and not toks:
            continue  # a paragraph's sentence opens with its line break
        if "\n" in t.text or (t.i > subj.i and t.text in ",;:—–()"):
            break
        toks.append(t)
    while toks and (toks[0].is_punct or toks[0].lower_ in ("the",)):
        toks = toks[1:]
    while toks and toks[-1].is_punct:
        toks = toks[:-1]
    if not toks:
        return subj.text
    return doc[toks[0].i : toks[-1].i + 1].text


def apposition_role(subj: Token) -> str | None:
    """'Nate Evans, the spokesperson for the US Mission to the UN, told CNN' -> the apposition's words."""
    for child in subj.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN":
            toks = [t for t in child.subtree if "\n" not in t.text]
            if toks:
                text = subj.doc[toks[0].i : toks[-1].i + 1].text.strip(" ,;:")
                return text or None
    return None
