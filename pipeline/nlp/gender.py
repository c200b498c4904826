"""A person's gender from what the articles say about them, never from their first name.

Evidence is counted over the whole corpus after entity resolution, so every item counts for the canonical
entity. One item per occurrence, of three kinds (the gendered words are in seeds/gender_terms.csv):

- honorific: a gendered title directly before a mention of the person ("Mr Blinken", "Dame Ann Lowe"), or
  opening the mention's own text. It needs the bodies: without `articles`, no honorific is counted;
- noun: a gendered noun at the head of the person's role or apposition, before any "of", "for", "who", ...
  ("spokeswoman for the ministry", "mother of three"; not "son" in "her son's lawyer"): the `role` of the
  person's mentions, and the role or the common-noun speaker ("the actress said", "his father said") of
  the quotes the resolver gave to the person, each distinct phrase once per article and only when no
  mention's role already holds it;
- pronoun: a quote whose speaker is written "he" or "she" and was resolved to the person.

The first name is no evidence (seeds/first_names.csv is not read here): "Daniela said ..." alone leaves the
gender NULL.

The rule: male items only -> male; female items only -> female; both -> the larger side wins only when it
has at least CLEAR_MIN items and at least CLEAR_RATIO times as many as the other side (so 3 against 1 is
male or female, 2 against 0 too, but 5 against 2 or 2 against 1 is NULL). Only PERSON entities get a
gender. `gender_evidence` lists every item counted, winning or not: "honorific Mr x3; pronoun he x2;
noun spokesman x1" (NULL when there is none).
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.nlp.reference import SEEDS_DIR, read_column

PERSON = "PERSON"
GENDERS = ("female", "male")
KINDS = ("honorific", "pronoun", "noun")  # the order of the evidence string
PRONOUNS = {"he": "male", "she": "female"}
# a clear majority over conflicting evidence: at least this many items, and this many times the other side
CLEAR_MIN = 3
CLEAR_RATIO = 3
GENDER_TERMS_FILE = "gender_terms.csv"

ENTITY_GENDER_SCHEMA = {"gender": pl.String, "gender_evidence": pl.String}
QUOTE_GENDER_SCHEMA = {"speaker_gender": pl.String}
EVIDENCE_SCHEMA = {"entity_id": pl.String, "kind": pl.String, "term": pl.String, "gender": pl.String}

# the last word before a mention, capitalised, with an optional dot: "Mr ", "Mrs. ", "Dame "
WORD_BEFORE = re.compile(r"(?<![\w.'’-])([A-Z][A-Za-z]*)\.?[ \t\u00a0]+$")
# a role's head ends where its complement starts: "chairman of the board", "a mother who ..."
HEAD_STOP = frozenset(
    """of for to at in on with from by who whose which that whom since after before during under over
    about as than""".split()  # noqa: SIM905
)
HEAD_END = re.compile(r"[,;:()\[\]—–]|\s-\s")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]*)?")
# a speaker written as a common noun phrase ("the actress", "his father"), not a name ("King Charles")
COMMON_NOUN_SPEAKER = re.compile(r"(?i)^(?:the|a|an|his|her|their|its|our|my|your)\s")


@dataclass(frozen=True)
class GenderReference:
    """Gendered words from seeds/gender_terms.csv (term, kind, gender)."""

    honorifics: dict[str, tuple[str, str]]  # lower case, no dot -> (as the seed writes it, gender)
    nouns: dict[str, str]  # lower-case noun -> gender


@functools.lru_cache(maxsize=4)
def load_gender_reference(seeds_dir: Path = SEEDS_DIR) -> GenderReference:
    """Read seeds/gender_terms.csv once; ValueError naming the file on a bad kind or gender."""
    path = seeds_dir / GENDER_TERMS_FILE
    terms, kinds, genders = (read_column(path, c) for c in ("term", "kind", "gender"))
    if not len(terms) == len(kinds) == len(genders):
        raise ValueError(f"{path}: every row needs term, kind and gender")
    honorifics: dict[str, tuple[str, str]] = {}
    nouns: dict[str, str] = {}
    for term, kind, gender in zip(terms, kinds, genders, strict=True):
        if gender not in GENDERS:
            raise ValueError(f"{path}: gender must be one of {list(GENDERS)}, got {gender!r} for {term!r}")
        if kind not in ("honorific", "noun"):
            raise ValueError(f"{path}: kind must be 'honorific' or 'noun', got {kind!r} for {term!r}")
        key = term.lower().rstrip(".")
        table: dict = honorifics if kind == "honorific" else nouns
        known = table.get(key)
        if known is not None and (known[1] if kind == "honorific" else known) != gender:
            raise ValueError(f"{path}: {term!r} is listed as both female and male")
        table[key] = (term.rstrip("."), gender) if kind == "honorific" else gender
    return GenderReference(honorifics=honorifics, nouns=nouns)


# ---------------------------------------------------------------- evidence


def honorific_before(body: str, start: int, text: str, ref: GenderReference) -> tuple[str, str] | None:
    """(honorific as the seed writes it, gender) for a mention at `start` whose text is `text`: the word
    right before it ('Mr Blinken'), else the mention's own first word when a name follows ('Lady Ann')."""
    match = WORD_BEFORE.search(body, max(0, start - 24), start)
    if match and match.group(1).lower() in ref.honorifics:
        return ref.honorifics[match.group(1).lower()]
    words = text.split()
    if len(words) > 1 and words[0][:1].isupper():
        return ref.honorifics.get(words[0].rstrip(".").lower())
    return None


def head_nouns(phrase: str, ref: GenderReference) -> list[str]:
    """The gendered nouns at the head of a role phrase: 'the spokeswoman for the ministry' -> spokeswoman;
    'mother-of-three' -> mother; 'her son's lawyer' -> none (the son is someone else)."""
    head = HEAD_END.split(phrase, maxsplit=1)[0].lower()
    found = []
    for word in WORD.findall(head):
        if word in HEAD_STOP:
            break
        if word[-1:] in "'’" or word.endswith(("'s", "’s")):
            continue
        if word in ref.nouns:
            found.append(word)
    return found


def _persons(mentions: pl.DataFrame) -> pl.DataFrame:
    return mentions.filter(pl.col("label") == PERSON)


def honorific_evidence(
    mentions: pl.DataFrame, articles: pl.DataFrame | None, ref: GenderReference
) -> pl.DataFrame:
    """One row per PERSON mention with a gendered honorific before it (none without the bodies)."""
    rows: list[tuple[str, str, str, str]] = []
    persons = _persons(mentions)
    if articles is not None and persons.height:
        bodies = dict(
            articles.filter(pl.col("article_id").is_in(persons["article_id"].unique().implode()))
            .select("article_id", "body")
            .iter_rows()
        )
        for article_id, entity, text, start in persons.select(
            "article_id", "entity_id", "text", "start_char"
        ).iter_rows():
            found = honorific_before(bodies.get(article_id) or "", start, text or "", ref)
            if found is not None:
                rows.append((entity, "honorific", *found))
    return pl.DataFrame(rows, schema=EVIDENCE_SCHEMA, orient="row")


def noun_evidence(mentions: pl.DataFrame, quotes: pl.DataFrame, ref: GenderReference) -> pl.DataFrame:
    """One row per gendered head noun in a PERSON mention's role, and per distinct role or common-noun
    speaker phrase of the quotes resolved to that person in an article (unless a mention's role has it)."""
    rows: list[tuple[str, str, str, str]] = []
    persons = _persons(mentions)
    roles: dict[tuple[str, str], list[str]] = defaultdict(list)
    if "role" in persons.columns:
        for article_id, entity, role in (
            persons.filter(pl.col("role").is_not_null()).select("article_id", "entity_id", "role").iter_rows()
        ):
            roles[(article_id, entity)].append(_normal(role))
            rows.extend((entity, "noun", noun, ref.nouns[noun]) for noun in head_nouns(role, ref))
    ids = set(persons["entity_id"].to_list())
    phrases = [c for c in ("speaker_role", "speaker_mention") if c in quotes.columns]
    seen: set[tuple[str, str, str]] = set()
    for row in quotes.filter(pl.col("speaker_entity_id").is_in(list(ids))).iter_rows(named=True):
        key = (row["article_id"], row["speaker_entity_id"])
        for column in phrases:
            phrase = row[column]
            if not phrase or (column == "speaker_mention" and not COMMON_NOUN_SPEAKER.match(phrase)):
                continue
            normal = _normal(phrase)
            if (*key, normal) in seen or any(r in normal or normal in r for r in roles.get(key, [])):
                continue
            seen.add((*key, normal))
            rows.extend((key[1], "noun", noun, ref.nouns[noun]) for noun in head_nouns(phrase, ref))
    return pl.DataFrame(rows, schema=EVIDENCE_SCHEMA, orient="row")


def pronoun_evidence(mentions: pl.DataFrame, quotes: pl.DataFrame) -> pl.DataFrame:
    """One row per quote whose speaker is written 'he' or 'she' and resolved to a PERSON entity."""
    ids = _persons(mentions)["entity_id"].unique().implode()
    written = pl.col("speaker_mention").str.strip_chars().str.to_lowercase()
    return (
        quotes.filter(pl.col("speaker_entity_id").is_in(ids) & written.is_in(list(PRONOUNS)))
        .select(
            pl.col("speaker_entity_id").alias("entity_id"),
            pl.lit("pronoun").alias("kind"),
            written.alias("term"),
            written.replace_strict(PRONOUNS, return_dtype=pl.String).alias("gender"),
        )
        .cast(EVIDENCE_SCHEMA)
    )


def gender_evidence(
    mentions: pl.DataFrame,
    quotes: pl.DataFrame,
    articles: pl.DataFrame | None = None,
    reference: GenderReference | None = None,
) -> pl.DataFrame:
    """Every evidence item: (entity_id, kind, term, gender), one row per occurrence."""
    ref = reference or load_gender_reference()
    return pl.concat(
        [
            honorific_evidence(mentions, articles, ref),
            pronoun_evidence(mentions, quotes),
            noun_evidence(mentions, quotes, ref),
        ]
    )


# ---------------------------------------------------------------- decision


def decide(male: int, female: int) -> str | None:
    """The rule: one side only wins; with both, a side wins with >= CLEAR_MIN items and >= CLEAR_RATIO
    times the other's; else None."""
    if not male and not female:
        return None
    if not female:
        return "male"
    if not male:
        return "female"
    win, lose, side = (male, female, "male") if male > female else (female, male, "female")
    return side if win >= CLEAR_MIN and win >= CLEAR_RATIO * lose else None


def describe(items: Counter[tuple[str, str]]) -> str:
    """'honorific Mr x3; pronoun he x2; noun spokesman x1' from (kind, term) counts."""
    order = {kind: i for i, kind in enumerate(KINDS)}
    ranked = sorted(items.items(), key=lambda kv: (order.get(kv[0][0], 99), -kv[1], kv[0][1]))
    return "; ".join(f"{kind} {term} x{n}" for (kind, term), n in ranked)


def infer_genders(
    mentions: pl.DataFrame,
    quotes: pl.DataFrame,
    articles: pl.DataFrame | None = None,
    reference: GenderReference | None = None,
) -> dict[str, tuple[str | None, str]]:
    """entity_id -> (gender or None, evidence) for every PERSON entity with some evidence."""
    items = gender_evidence(mentions, quotes, articles, reference)
    counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    sides: dict[str, Counter[str]] = defaultdict(Counter)
    for entity, kind, term, gender in items.iter_rows():
        counts[entity][(kind, term)] += 1
        sides[entity][gender] += 1
    return {
        entity: (decide(sides[entity]["male"], sides[entity]["female"]), describe(counts[entity]))
        for entity in sorted(counts)
    }


def add_gender(
    mentions: pl.DataFrame,
    quotes: pl.DataFrame,
    entities: pl.DataFrame,
    articles: pl.DataFrame | None = None,
    reference: GenderReference | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(quotes, entities) with `speaker_gender` and `gender`, `gender_evidence` added (rows and order
    kept); ids must be the final canonical ones, in all three frames."""
    found = infer_genders(mentions, quotes, articles, reference)
    genders = {entity: gender for entity, (gender, _) in found.items() if gender is not None}
    evidence = {entity: text for entity, (_, text) in found.items()}
    person = pl.col("label") == PERSON
    entities = entities.with_columns(
        gender=pl.when(person).then(
            pl.col("entity_id").replace_strict(genders, default=None, return_dtype=pl.String)
        ),
        gender_evidence=pl.when(person).then(
            pl.col("entity_id").replace_strict(evidence, default=None, return_dtype=pl.String)
        ),
    ).cast(ENTITY_GENDER_SCHEMA)
    published = dict(
        entities.filter(pl.col("gender").is_not_null()).select("entity_id", "gender").iter_rows()
    )
    quotes = quotes.with_columns(
        speaker_gender=pl.col("speaker_entity_id").replace_strict(
            published, default=None, return_dtype=pl.String
        )
    )
    return quotes, entities


def _normal(phrase: str) -> str:
    """A role phrase for comparison: lower case, single spaces, without a leading article."""
    text = re.sub(r"\s+", " ", phrase).strip().lower()
    return re.sub(r"^(?:the|a|an) ", "", text)
