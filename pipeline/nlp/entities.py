"""Entity mentions from one parsed article, resolved to one canonical name per entity, and the entities table.

spaCy's NER gives spans; news style needs a little more: "Mr Netanyahu", "Netanyahu" and "Benjamin
Netanyahu" are one person, "State" in "Secretary of State" is not an organisation, and the small model
mislabels some surnames. Each rule below is cheap evidence from the same article.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from pipeline.nlp.reference import Reference

if TYPE_CHECKING:  # annotations only: spaCy loads with the model (see model.load_model)
    from spacy.tokens import Doc, Span

KEEP_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT", "LANGUAGE"}
)
PERSON = "PERSON"
POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
LEADING_DROP = frozenset({"the"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
SPEAKER_LABELS = frozenset({PERSON, "ORG", "GPE", "NORP"})
# lower-case words that do belong in people's names ("Ludwig van Beethoven", "Osama bin Laden")
NAME_PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "du",
        "la",
        "le",
        "bin",
        "ibn",
        "al",
        "el",
        "y",
        "ter",
        "ten",
        "st",
        "dos",
        "das",
        "do",
    }
)

ENTITIES_SCHEMA = {
    "entity_id": pl.String,
    "name": pl.String,
    "label": pl.String,
    "aliases": pl.List(pl.String),
    "mention_count": pl.Int64,
    "article_count": pl.Int64,
}


def entity_id(label: str, name: str) -> str:
    """Deterministic id from label and canonical name, so every run and every article agree."""
    return hashlib.sha1(f"{label}|{name.casefold()}".encode()).hexdigest()[:16]


@dataclass
class Mention:
    """One entity mention; offsets are indices into the article body (== doc.text)."""

    start: int
    end: int
    text: str
    label: str
    sentence_no: int
    tok_start: int
    tok_end: int
    role: str | None = None
    is_subject: bool = False
    name: str = ""
    key: tuple[str, ...] = field(default=())

    @property
    def entity_id(self) -> str:
        return entity_id(self.label, self.name)


@dataclass
class ArticleEntities:
    """Mentions of one article plus the lookups quote attribution needs."""

    mentions: list[Mention]
    by_token: dict[int, Mention]
    by_key: dict[tuple[str, ...], Mention]  # lower-cased name words (full or surname) -> a resolved mention

    def lookup(self, words: list[str]) -> Mention | None:
        """A resolved mention for a written name ("Mr Miller", "Miller"), if the article knows it."""
        return self.by_key.get(tuple(w.lower() for w in words))


# ---------------------------------------------------------------- spans


def sentence_index(doc: Doc) -> list[int]:
    """Start token of every sentence, for bisecting a token to its 0-based sentence number."""
    return [s.start for s in doc.sents] if len(doc) else []


def sentence_no(starts: list[int], token_i: int) -> int:
    return max(bisect.bisect_right(starts, token_i) - 1, 0)


def trim_tokens(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop a leading 'the', trailing punctuation/possessives, and anything after a line break."""
    for i in range(start, end):
        if "\n" in doc[i].text or (i > start and "\n" in doc[i - 1].whitespace_):
            end = i
            break
    while start < end and doc[start].lower_ in LEADING_DROP:
        start += 1
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].text in POSSESSIVE):
        end -= 1
    return start, end


def strip_possessive(text: str) -> str:
    for suffix in ("'s", "’s"):
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def role_pattern(ref: Reference) -> re.Pattern[str]:
    """One alternation of all role phrases, longest first, matched as whole words."""
    return re.compile(r"\b(?:" + "|".join(re.escape(r) for r in ref.roles) + r")\b", re.IGNORECASE)


_ROLE_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def find_roles(text: str, ref: Reference) -> list[tuple[int, int]]:
    """Character spans of role phrases in the text (non-overlapping, left to right)."""
    pattern = _ROLE_PATTERNS.get(ref.roles)
    if pattern is None:
        pattern = _ROLE_PATTERNS.setdefault(ref.roles, role_pattern(ref))
    return [m.span() for m in pattern.finditer(text)]


def name_words(text: str, label: str, ref: Reference) -> list[str]:
    """The words that name the entity: a person's leading honorifics ('Mr', 'Dr.') are not part of it."""
    words = text.split()
    if label == PERSON:
        while len(words) > 1 and words[0].rstrip(".").lower() in ref.honorifics:
            words = words[1:]
    return words


# ---------------------------------------------------------------- raw mentions


def raw_mentions(doc: Doc, ref: Reference, roles: list[tuple[int, int]]) -> list[Mention]:
    """Trimmed NER spans with kept labels; role words ('State' in 'Secretary of State') removed."""
    starts = sentence_index(doc)
    out = []
    for ent in doc.ents:
        if ent.label_ not in KEEP_LABELS:
            continue
        mention = make_mention(doc, ent, starts, roles, ref)
        if mention is not None:
            out.append(mention)
    return out


def make_mention(
    doc: Doc, ent: Span, starts: list[int], roles: list[tuple[int, int]], ref: Reference
) -> Mention | None:
    """One Mention from an entity span, or None when nothing nameable is left after trimming."""
    start, end = trim_tokens(doc, ent.start, ent.end)
    if start >= end:
        return None
    label = ent.label_
    if label not in SPEAKER_LABELS and speaks(doc, start, end, ref):
        label = PERSON  # "Riverton's Ada Kimura said" can come out as WORK_OF_ART
    if label == PERSON:
        start = after_possessor(doc, start, end)
        end = before_credit(doc, start, end)
    role = None
    for r_start, r_end in roles:
        overlaps = r_start < doc[end - 1].idx + len(doc[end - 1]) and doc[start].idx < r_end
        if not overlaps:
            continue
        if label != PERSON:
            return None
        # a person span that swallowed its title: "Secretary of State Antony Blinken"
        while start < end and doc[start].idx < r_end:
            start += 1
        role = doc.text[r_start:r_end]
    if start >= end:
        return None
    if label == PERSON and not name_like(doc[start:end]):
        label = "WORK_OF_ART"  # a book or film title: "Birth of a Harbour Town", "Call Me Later: A Memoir"
    char_start = doc[start].idx
    text = strip_possessive(doc[start:end].text)  # not doc.text[...]: that joins the whole article each time
    char_end = char_start + len(text)
    if not any(ch.isalnum() for ch in text):
        return None
    return Mention(
        start=char_start,
        end=char_end,
        text=text,
        label=label,
        sentence_no=sentence_no(starts, start),
        tok_start=start,
        tok_end=end,
        role=role,
        is_subject=is_subject(doc, start, end),
    )


def name_like(span: Span) -> bool:
    """A person's name is capitalised words: a lower-case word (not a particle like 'van'), a colon or
    two function words mark a title that the model took for a person."""
    function_words = 0
    named = False  # lower-case words before the name are a title the model swallowed ("spokesperson")
    for tok in span:
        named = named or tok.text[:1].isupper()
        if not named:
            continue
        in_word = tok.i > span.start and not tok.doc[tok.i - 1].whitespace_  # "Jong-un"
        lower = tok.is_alpha and tok.is_lower and tok.text not in NAME_PARTICLES and not in_word
        if tok.text == ":" or lower:
            return False
        function_words += tok.is_stop and tok.is_alpha
    return function_words < 2


def speaks(doc: Doc, start: int, end: int, ref: Reference) -> bool:
    """The span is the subject of a reporting verb: a speaker, so a person or an organisation."""
    for tok in doc[start:end]:
        head = tok.head
        if (
            tok.dep_ in SUBJECT_DEPS
            and not (start <= head.i < end)
            and head._.lemma.lower() in ref.reporting_verbs
        ):
            return True
    return False


def before_credit(doc: Doc, start: int, end: int) -> int:
    """'Kerry Brown / AP' is a photo credit: the person's name ends at the slash."""
    for i in range(start + 1, end):
        if doc[i].text in ("/", "|"):
            return i
    return end


def after_possessor(doc: Doc, start: int, end: int) -> int:
    """'Riverton's Ada Kimura' names Ada Kimura: a person span starts after an inner possessive."""
    for i in range(end - 2, start, -1):
        if doc[i].tag_ == "POS":
            return i + 1
    return start


def is_subject(doc: Doc, start: int, end: int) -> bool:
    """The span heads a clause subject: such persons are the likely antecedents of 'he'/'she'."""
    return any(tok.dep_ in SUBJECT_DEPS and not (start <= tok.head.i < end) for tok in doc[start:end])


# ---------------------------------------------------------------- article-level resolution


# ", the spokesperson for ..." / ", a former Prime Minister ...": where an appositive role may start
APPOSITIVE = re.compile(r",[ \t\u00a0]+(?:(?:the|a|an)\s+)?(?:(?:former|then|current|acting|senior|top)\s+)?")
ROLE_END = re.compile(r"[,;.:\n\"“”()]|\s[-–—]\s")


def attach_roles(mentions: list[Mention], text: str, roles: list[tuple[int, int]]) -> None:
    """A role phrase right before a person ('House Speaker Mike Johnson') becomes that mention's role;
    so does an appositive after it, up to its comma ('Nate Evans, the spokesperson for the US Mission
    to the UN, said' -> 'spokesperson for the US Mission to the UN')."""
    by_end = {r_end: (r_start, r_end) for r_start, r_end in roles}
    by_start = {r_start: (r_start, r_end) for r_start, r_end in roles}
    for m in mentions:
        if m.label != PERSON or m.role:
            continue
        pos = m.start
        while pos > 0 and text[pos - 1] in " \t\u00a0":
            pos -= 1
        found = by_end.get(pos)
        if found:
            m.role = text[found[0] : found[1]]
            continue
        after = APPOSITIVE.match(text, m.end)
        found = by_start.get(after.end()) if after else None
        if found:
            stop = ROLE_END.search(text, found[1])
            end = stop.start() if stop and stop.start() - found[1] <= 80 else found[1]
            m.role = text[found[0] : end].strip()


# No person's name has more words. The model can tag a run of thousands of tokens as one PERSON ("x/ x/ …");
# indexing every tail of such a "name" took the time and memory of its length squared (found by fuzzing).
MAX_NAME_WORDS = 10


def has_tails(m: Mention) -> bool:
    """A person's name of several words, whose tails ('miller' of 'david miller') name them too."""
    return m.label == PERSON and 1 < len(m.key) <= MAX_NAME_WORDS


def full_name_index(mentions: list[Mention]) -> dict[tuple[str, ...], list[Mention]]:
    """Every tail of every multi-word PERSON name ('netanyahu', 'david miller') -> the full names."""
    index: dict[tuple[str, ...], list[Mention]] = defaultdict(list)
    for m in mentions:
        if has_tails(m):
            for k in range(len(m.key)):
                index[m.key[k:]].append(m)
    return index


def preceded_by_honorific(doc: Doc, m: Mention, ref: Reference) -> bool:
    if m.tok_start == 0:
        return False
    prev = doc[m.tok_start - 1]
    return prev.text.rstrip(".").lower() in ref.honorifics and prev.text[:1].isupper()


def fix_labels(doc: Doc, mentions: list[Mention], ref: Reference) -> None:
    """One label per written name in an article, chosen by evidence from the same article."""
    persons = full_name_index(mentions)
    labels: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    person_evidence = set(persons)
    for m in mentions:
        labels[m.key][m.label] += 1
        if preceded_by_honorific(doc, m, ref):
            person_evidence.add(m.key)
    # a full name tagged as a place once, its surname only ever as a person: a person
    for m in mentions:
        if m.label == PERSON or not 2 <= len(m.key) <= 3 or not all(w[:1].isupper() for w in m.text.split()):
            continue
        tail = labels.get(m.key[-1:])
        if tail and set(tail) == {PERSON}:
            person_evidence.add(m.key)
    chosen = {key: choose_label(key, counts, key in person_evidence) for key, counts in labels.items()}
    for key in chosen:  # a name the seeds know as a party, a company or a place ("Labour") is not a person
        seeded = ref.alias_labels.get(" ".join(key))
        if seeded is not None and seeded != PERSON and key not in person_evidence:
            chosen[key] = seeded
    for m in mentions:
        m.label = chosen[m.key]


def place_qualifiers(doc: Doc, mentions: list[Mention]) -> None:
    """'Mississauga, Ont.': a one-word name set after a place as its apposition is a place (a province,
    a state), though the model may call it a person."""
    places = {i for m in mentions if m.label == "GPE" for i in range(m.tok_start, m.tok_end)}
    found = set()
    for m in mentions:
        if m.label != PERSON or m.tok_end - m.tok_start != 1:
            continue
        tok = doc[m.tok_start]
        before = doc[tok.i - 1] if tok.i > 0 else tok
        if tok.dep_ == "appos" and tok.head.i in places and before.text == ",":
            found.add(m.key)
    for m in mentions:
        if m.key in found and m.label == PERSON:
            m.label = "GPE"


def choose_label(key: tuple[str, ...], counts: Counter[str], person_evidence: bool) -> str:
    """PERSON on evidence (a full name ends with it, an honorific precedes it); else the majority label,
    except that a lone word tagged PERSON here and GPE there is most likely not a person."""
    if person_evidence:
        return PERSON
    others = Counter({label: n for label, n in counts.items() if label != PERSON})
    if len(key) == 1 and others:
        return others.most_common(1)[0][0]
    return counts.most_common(1)[0][0]


def unnamed_speakers(doc: Doc, mentions: list[Mention], starts: list[int], ref: Reference) -> list[Mention]:
    """Proper names the model missed that are the subject of a reporting verb ('Okafor said') or are
    described as a person ('Marit, a resident of …'): people. A name the article also tags as something
    else (an organisation, a place) is left alone."""
    covered = covered_tokens(mentions)
    known = {w for m in mentions for w in m.key}
    out = []
    for tok in doc:
        if (
            tok.dep_ not in SUBJECT_DEPS
            or tok.pos_ != "PROPN"
            or tok.i in covered
            or not (tok.is_alpha and tok.text[:1].isupper() and not tok.is_upper)
            or not (tok.head._.lemma.lower() in ref.reporting_verbs or described_as_person(tok, ref))
        ):
            continue
        start = tok.i
        while start > 0 and doc[start - 1].dep_ == "compound" and doc[start - 1].head.i == tok.i:
            prev = doc[start - 1]
            if prev.pos_ != "PROPN" or not prev.text[:1].isupper() or prev.i in covered:
                break
            start -= 1
        words = [t.text for t in doc[start : tok.i + 1] if t.text.rstrip(".").lower() not in ref.honorifics]
        key = tuple(w.lower() for w in words)
        if not key or any(w in known or w in ref.speaker_nouns for w in key):
            continue  # "Director, security response at …, said": a title, not a name
        first = tok.i - len(words) + 1
        out.append(
            Mention(
                start=doc[first].idx,
                end=tok.idx + len(tok),
                text=doc[first : tok.i + 1].text,
                label=PERSON,
                sentence_no=sentence_no(starts, tok.i),
                tok_start=first,
                tok_end=tok.i + 1,
                is_subject=True,
                key=key,
            )
        )
    return out


def described_as_person(tok, ref: Reference) -> bool:
    """'Marit, a resident of Eastmoor, was watching …': an apposition names what the subject is."""
    return any(
        c.dep_ == "appos" and ref.speaker_nouns.get(c._.lemma.lower()) == "person" for c in tok.children
    )


def described_organisations(
    doc: Doc, mentions: list[Mention], starts: list[int], ref: Reference
) -> list[Mention]:
    """Proper names the model missed that are introduced by what they are: 'media company Lumenor',
    'the charity Brightwater' (a noun the seeds know as an organisation, compounded or apposed to the
    name). Later 'the company' or 'the charity' can then find them."""
    covered = covered_tokens(mentions)
    out = []
    for tok in doc:
        if tok.pos_ != "PROPN" or tok.i in covered or not tok.text[:1].isupper() or tok.is_upper:
            continue
        described = any(
            c.dep_ in ("compound", "appos")
            and c.i < tok.i
            and c.pos_ == "NOUN"
            and ref.speaker_nouns.get(c._.lemma.lower()) == "org"
            for c in tok.children
        )
        if not described or tok.lower_ in ref.first_names or beside_a_name(doc, tok):
            continue  # a one-word name only: 'party chairman Reince Priebus', 'firm Informa Media'
        out.append(token_mention(tok, "ORG", starts))
    return out


def beside_a_name(doc: Doc, tok) -> bool:
    """The proper noun is one word of a longer name (which the model, not this rule, must group)."""
    return any(0 <= i < len(doc) and doc[i].pos_ == "PROPN" for i in (tok.i - 1, tok.i + 1))


GROUP_LABELS = frozenset({"ORG", "NORP"})  # one-word names of bodies that speak as 'they' or 'it'


def recover_surnames(
    doc: Doc, mentions: list[Mention], starts: list[int], speakers: list[Mention] = ()
) -> list[Mention]:
    """Proper-noun tokens spaCy missed that repeat a known person's surname ('Blinken reiterated'), the
    name of a speaker it missed ('Okafor said' … 'sent to Okafor'), or a one-word organisation or group
    it found once ('The Liberals launched …' … 'the Liberals’ offer'): one name, one entity, all through
    the article."""
    person_words = {w for m in mentions if m.label == PERSON for w in m.key}
    labels = {
        m.key[0]: m.label
        for m in mentions
        if m.label in GROUP_LABELS and len(m.key) == 1 and m.key[0] not in person_words
    }
    labels.update((m.key[-1], PERSON) for m in mentions if m.label == PERSON and len(m.key) > 1)
    labels.update((m.key[-1], PERSON) for m in speakers)
    if not labels:
        return []
    covered = covered_tokens(mentions)
    extra = []
    for tok in doc:
        if tok.i in covered or not tok.text[:1].isupper() or tok.pos_ != "PROPN":
            continue
        label = labels.get(tok.lower_)
        if label == PERSON or (label is not None and not in_longer_name(doc, tok)):
            extra.append(token_mention(tok, label, starts))
    return extra


def in_longer_name(doc: Doc, tok) -> bool:
    """The token is one word of a longer name ('Toronto Star', 'Heart and Stroke Foundation',
    'Crown-Indigenous'): not the one-word name it spells alone."""

    def capital(i: int) -> bool:
        return 0 <= i < len(doc) and doc[i].text[:1].isupper() and not doc[i].is_sent_start

    before = doc[tok.i - 1].text if tok.i > 0 else ""
    after = doc[tok.i + 1].text if tok.i + 1 < len(doc) else ""
    joined = (after.lower() in ("of", "and", "&") and capital(tok.i + 2)) or (
        before.lower() in ("of", "and", "&") and capital(tok.i - 2)
    )
    return capital(tok.i - 1) or capital(tok.i + 1) or joined or "-" in (before, after)


def token_mention(tok, label: str, starts: list[int]) -> Mention:
    """A mention of one proper-noun token the model left untagged."""
    return Mention(
        start=tok.idx,
        end=tok.idx + len(tok),
        text=tok.text,
        label=label,
        sentence_no=sentence_no(starts, tok.i),
        tok_start=tok.i,
        tok_end=tok.i + 1,
        is_subject=tok.dep_ in SUBJECT_DEPS,
        key=(tok.lower_,),
    )


def covered_tokens(mentions: list[Mention]) -> set[int]:
    """Indexes of the tokens some mention already spans."""
    return {i for m in mentions for i in range(m.tok_start, m.tok_end)}


def canonical_names(mentions: list[Mention], ref: Reference, text: str = "") -> None:
    """Short forms of a person take the longest full name in the article that ends with them; an
    acronym ('RHA') takes the full name the article spells out ('Regional Health Authority')."""
    persons = full_name_index(mentions)
    frequency = Counter(m.key for m in mentions if m.label == PERSON)
    expanded: dict[str, str | None] = {}
    for m in mentions:
        words = name_words(m.text, m.label, ref)
        if m.label == PERSON and m.key in persons:
            best = max(persons[m.key], key=lambda f: (len(f.key), frequency[f.key], -f.start))
            words = name_words(best.text, PERSON, ref)
        elif m.label != PERSON and ACRONYM.fullmatch(m.text):
            if m.text not in expanded:
                expanded[m.text] = acronym_expansion(text, m.text)
            words = (expanded[m.text] or m.text).split()
        elif m.label == "ORG" and len(m.key) == 1 and ref.speaker_nouns.get(m.key[0]) == "org":
            longer = named_before(mentions, m)  # "the Council" after "UN Security Council"
            words = longer.name.split() if longer is not None else words
        if m.label in TITLED_LABELS and titled_with_the(text, m.start):
            words = ["The", *words]  # "told The National": a title that includes its article
        m.name = " ".join(words)


TITLED_LABELS = frozenset({"ORG", "WORK_OF_ART"})


def titled_with_the(text: str, start: int) -> bool:
    """A capitalised 'The' right before a name in mid-sentence belongs to the name ('an interview with
    The Courier'); at the start of a sentence it is only the capital every sentence has."""
    if not text[:start].endswith("The "):
        return False
    before = text[: start - 4].rstrip(" \"“‘'(")
    return bool(before) and before[-1] not in ".!?:\n"


def named_before(mentions: list[Mention], short: Mention) -> Mention | None:
    """The latest organisation named before a generic one-word name that ends with that word: the
    council, committee or union the article has just named in full."""
    word = short.key[0]
    found = None
    for m in mentions:
        if m.start >= short.start:
            break
        if m.label == "ORG" and len(m.key) > 1 and m.key[-1] == word:
            found = m
    return found


ACRONYM = re.compile(r"[A-Z]{2,6}")
ACRONYM_GLUE = r"(?:(?:of|the|and|for|on|de|du|des|la|le|&)[ \u00a0]+)*"


def acronym_expansion(text: str, acronym: str) -> str | None:
    """The capitalised words whose initials spell the acronym, first spelled out in the article:
    'RHA' -> 'Regional Health Authority', 'CPJ' -> 'Committee to Protect Journalists'. Small words
    ('of', 'the', 'and') may sit between them; None when the article never spells it out."""
    if not ACRONYM.fullmatch(acronym):
        return None
    parts = [rf"{letter}[a-z][\w'’-]*" for letter in acronym]
    pattern = r"\b" + (r"[ \u00a0]+" + ACRONYM_GLUE).join(parts) + r"\b"  # within one line
    found = re.search(pattern, text)
    return found.group(0) if found else None


def article_entities(doc: Doc, ref: Reference) -> ArticleEntities:
    """All kept mentions of one parsed article, each with its canonical name, label and role."""
    text = doc.text
    roles = find_roles(text, ref)
    mentions = raw_mentions(doc, ref, roles)
    for m in mentions:
        m.key = tuple(w.lower() for w in name_words(m.text, m.label, ref))
    fix_labels(doc, mentions, ref)
    place_qualifiers(doc, mentions)
    starts = sentence_index(doc)
    speakers = unnamed_speakers(doc, mentions, starts, ref)
    mentions.extend(speakers)
    mentions.extend(described_organisations(doc, mentions, starts, ref))
    mentions.extend(recover_surnames(doc, mentions, starts, speakers))
    mentions.sort(key=lambda m: m.start)
    attach_roles(mentions, text, roles)
    canonical_names(mentions, ref, text)
    by_token = {i: m for m in mentions for i in range(m.tok_start, m.tok_end)}
    return ArticleEntities(mentions=mentions, by_token=by_token, by_key=key_index(mentions))


def key_index(mentions: list[Mention]) -> dict[tuple[str, ...], Mention]:
    """Written name -> mention; persons win, and every tail of a full name points at that person."""
    by_key: dict[tuple[str, ...], Mention] = {}
    for m in mentions:
        current = by_key.get(m.key)
        if current is None or (m.label == PERSON and current.label != PERSON):
            by_key[m.key] = m
    for m in mentions:
        if has_tails(m):
            for k in range(1, len(m.key)):
                current = by_key.get(m.key[k:])
                if current is None or current.label != PERSON:
                    by_key[m.key[k:]] = m
    return by_key


# ---------------------------------------------------------------- entities table


def build_entities(mentions: pl.DataFrame) -> pl.DataFrame:
    """entity_mentions -> entities: one row per entity_id with its aliases and counts."""
    if mentions.height == 0:
        return pl.DataFrame(schema=ENTITIES_SCHEMA)
    out = (
        mentions.group_by("entity_id")
        .agg(
            pl.col("name").mode().sort().first().alias("name"),
            pl.col("label").first().alias("label"),
            pl.col("text").unique().sort().alias("aliases"),
            pl.len().cast(pl.Int64).alias("mention_count"),
            pl.col("article_id").n_unique().cast(pl.Int64).alias("article_count"),
        )
        .sort("entity_id")
    )
    return out.select([pl.col(c).cast(t) for c, t in ENTITIES_SCHEMA.items()])
