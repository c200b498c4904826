"""Cross-article canonicalisation: one entity_id per real-world entity across the corpus.

`extract` names entities canonically within one article ("Mr Netanyahu" -> Benjamin Netanyahu); across
articles the same entity still comes under several names and labels ("US", "U.S.", "United States";
"Blair" in an article that never says "Tony"; "Yukos" tagged PERSON here and ORG there). This module
rewrites the mentions, the quotes' speakers and the entities table so they agree on one id per entity:

1. noise is removed: names without letters ("747", "7:39.89"), one-character names, photo credits
   ("Getty Images"; agency names like "AP" only where they stand as a credit, which needs the bodies);
2. every name gets a match key (case, dots, apostrophes, hyphens and a leading "the" ignored): "U.S."
   and "US" share one;
3. seed aliases (seeds/entity_aliases.csv) give the canonical name and label of common entities;
4. labels are corrected by evidence over the corpus: the majority label of a key, except that a name
   tagged PERSON needs person evidence when it is also seen with another label (one word: it is a known
   surname; several words: it starts with a known first name, or the other labels are rare), and a name
   ending in an organisation word ("Manchester United", "Lib Dems") is an ORG;
5. aliases from the data: a lone surname goes to the one full name in the corpus that ends with it
   (or to the full name found in at least 80% of the articles of all such names), when it is not a
   first name and not far more common than that full name; a short ORG name goes to the one longer
   ORG name that ends with it (or adds only "Party", "plc", ...), corpus-wide or else within its article;
6. the canonical name of each entity is the seed's canonical name, or the most frequent spelling of its
   key, and entity_id = entities.entity_id(label, name): the id depends on the entity, never on row
   order, so it is stable across runs and versions.

Everything is pure Polars over frames; the Python dictionaries are per distinct name, not per mention.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.nlp.entities import PERSON, build_entities, entity_id
from pipeline.nlp.reference import SEEDS_DIR, read_column

ORG = "ORG"
# a tie between labels goes to the first of these
LABEL_PRIORITY = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW")
# last words that make a multi-word name an organisation, whatever the model said
ORG_HEADS = frozenset(
    """united rovers wanderers albion athletic hotspur fc afc party plc ltd inc corp corporation group
    bank council commission committee association federation dems democrats republicans airways
    airlines motors records studios entertainment police ministry department agency institute
    university college school club society trust foundation organisation organization authority
    parliament court board network holdings industries systems technologies communications
    telecom securities fund exchange""".split()  # noqa: SIM905
)
# words a longer ORG name may add after the short one and still be the same organisation
ORG_SUFFIXES = frozenset(
    "party plc ltd inc corp corporation co group holdings ag sa nv fc afc company".split()  # noqa: SIM905
)
# "University of Copenhagen" is not a kind of Copenhagen: no head after these words
COMPLEMENT_WORDS = frozenset({"of", "for", "the", "and", "to", "de", "du", "di", "in", "at", "on", "von"})
# seed credits that are always picture credits, whatever the context
PHOTO_CREDIT = re.compile(r"(?i)\b(?:images?|photos?|via|file|wire|pool|handout|supplied)\b")
PHOTO_AGENCIES = frozenset(
    {"shutterstock", "alamy", "rex", "rex features", "nurphoto", "sipa", "sipa usa", "zuma press", "epa efe"}
)
CREDIT_BEFORE = re.compile(r"(?i)(?:(?:photo(?:graph)?|picture|image|credit|source)s?\s*[:/]\s*|[©|(/]\s*)$")
CREDIT_AFTER = re.compile(r"(?i)^\s*(?:/|\)|\||photo\b|images?\b|via\b|file\b|\s*$)")
# a full name must be found in at least this share of the articles of all full names ending in a surname
DOMINANT_SHARE = 0.8
# a short form found in more than this many times the articles of its long form is its own entity
MAX_SHORT_FORM_RATIO = 2.0
# a PERSON name without person evidence yields to another label with at least this share of its mentions
OTHER_LABEL_SHARE = {1: 0.15, 2: 0.25}


@dataclass(frozen=True)
class CanonicalReference:
    """Seeds for cross-article resolution, keyed by match key."""

    aliases: dict[str, tuple[str, str]]  # alias key -> (canonical name, label)
    credits: frozenset[str]  # keys of every agency credit
    photo_credits: frozenset[str]  # keys of credits that are never anything else
    first_names: frozenset[str]  # lower-case


def match_key(name: str) -> str:
    """The key two spellings of one name share: 'U.S.' and 'US', "the Lib Dems" and 'Lib Dems', 'UK’s'
    and 'UK'. Hyphens stay: 'Thomas-Greenfield' is one word."""
    key = re.sub(r"[’‘`]", "'", name).replace(".", "")
    key = re.sub(r"[‐‑–—]", "-", key)
    key = re.sub(r"\s+", " ", key).strip().lower()
    key = re.sub(r"'s$", "", key)
    return key[4:] if key.startswith("the ") else key


def match_key_expr(column: str) -> pl.Expr:
    """match_key as a Polars expression (kept identical to the Python function; tested)."""
    return (
        pl.col(column)
        .str.replace_all(r"[’‘`]", "'")
        .str.replace_all(".", "", literal=True)
        .str.replace_all(r"[‐‑–—]", "-")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .str.to_lowercase()
        .str.replace(r"'s$", "")
        .str.replace(r"^the ", "")
    )


@functools.lru_cache(maxsize=4)
def load_canonical_reference(seeds_dir: Path = SEEDS_DIR) -> CanonicalReference:
    """Read seeds/entity_aliases.csv, seeds/agency_credits.csv and seeds/first_names.csv once."""
    path = seeds_dir / "entity_aliases.csv"
    aliases_col = read_column(path, "alias")
    canon_col = read_column(path, "canonical")
    label_col = read_column(path, "label")
    if not len(aliases_col) == len(canon_col) == len(label_col):
        raise ValueError(f"{path}: every row needs alias, canonical and label")
    aliases: dict[str, tuple[str, str]] = {}
    for alias, canonical, label in zip(aliases_col, canon_col, label_col, strict=True):
        for key in (match_key(alias), match_key(canonical)):
            known = aliases.get(key)
            if known is not None and known != (canonical, label):
                raise ValueError(f"{path}: {alias!r} is an alias of both {known} and {(canonical, label)}")
            aliases[key] = (canonical, label)
    credits = read_column(seeds_dir / "agency_credits.csv", "credit")
    photo = {
        match_key(c)
        for c in credits
        if PHOTO_CREDIT.search(c) or match_key(c) in PHOTO_AGENCIES or c.lower().startswith("getty")
    }
    first = read_column(seeds_dir / "first_names.csv", "first_name")
    return CanonicalReference(
        aliases=aliases,
        credits=frozenset(match_key(c) for c in credits),
        photo_credits=frozenset(photo),
        first_names=frozenset(f.lower() for f in first),
    )


# ---------------------------------------------------------------- noise


def noise_mask(mentions: pl.DataFrame, ref: CanonicalReference, articles: pl.DataFrame | None) -> pl.Series:
    """True for mentions that are no entity: no letters, one character, or a picture credit."""
    key = pl.col("_key")
    noise = (
        ~pl.col("name").str.contains(r"\p{L}")
        | (pl.col("name").str.replace_all(r"[^\p{L}\p{N}]", "").str.len_chars() <= 1)
        | key.is_in(list(ref.photo_credits))
    )
    mask = mentions.select(noise.fill_null(True)).to_series()
    if articles is None or mentions.height == 0:
        return mask
    credits = mentions.with_columns(_pos=pl.int_range(pl.len())).filter(
        pl.col("_key").is_in(list(ref.credits))
    )
    if credits.height == 0:
        return mask
    bodies = dict(articles.select("article_id", "body").iter_rows())
    rows = []
    for row, article_id, start, end in credits.select(
        "_row", "article_id", "start_char", "end_char"
    ).iter_rows():
        body = bodies.get(article_id) or ""
        if credit_context(body, start, end):
            rows.append(row)
    if rows:
        hit = pl.Series(range(mentions.height)).is_in(rows)
        mask = mask | hit
    return mask


def credit_context(body: str, start: int, end: int) -> bool:
    """An agency name standing as a picture credit: 'Photo: AP', '(Reuters)', 'AP/John Smith', or alone
    on its line."""
    line_start = body.rfind("\n", 0, start) + 1
    line_end = body.find("\n", end)
    line_end = len(body) if line_end < 0 else line_end
    before, after = body[line_start:start], body[end:line_end]
    if not before.strip() and not after.strip():
        return True
    return bool(CREDIT_BEFORE.search(before)) or bool(
        after.strip() and CREDIT_AFTER.match(after) and len(body[line_start:line_end]) < 200
    )


# ---------------------------------------------------------------- labels


def choose_labels(counts: pl.DataFrame, ref: CanonicalReference, evidence: set[str]) -> dict[str, str]:
    """key -> label from (key, label, n) counts: the majority, but PERSON only with person evidence
    (`evidence`: surnames of full names, full names written short) or when other labels are rare."""
    by_key: dict[str, Counter[str]] = defaultdict(Counter)
    for key, label, n in counts.iter_rows():
        by_key[key][label] += n
    order = {label: i for i, label in enumerate(LABEL_PRIORITY)}
    chosen = {}
    for key, labels in by_key.items():
        seed = ref.aliases.get(key)
        if seed is not None:
            chosen[key] = seed[1]
            continue
        ranked = sorted(labels.items(), key=lambda kv: (-kv[1], order.get(kv[0], 99), kv[0]))
        label = ranked[0][0]
        words = key.split()
        others = [kv for kv in ranked if kv[0] != PERSON]
        if label == PERSON and others and key not in evidence:
            first_name = len(words) > 1 and words[0] in ref.first_names
            share = OTHER_LABEL_SHARE[min(len(words), 2)]
            if not first_name and others[0][1] >= share * sum(labels.values()):
                label = others[0][0]  # "Yukos", "Glasgow", "Sri Lanka": seen as PERSON, but no person
        if label in (PERSON, "GPE", "NORP") and len(words) > 1 and words[-1] in ORG_HEADS:
            label = ORG  # "Manchester United", "Lib Dems"
        chosen[key] = label
    return chosen


# ---------------------------------------------------------------- aliases from the data


def person_evidence(persons: pl.DataFrame, ref: CanonicalReference) -> set[str]:
    """Multi-word PERSON keys that look like people: a known first name or an initial first ('F Ongaro'),
    or written short in some article ('Bekele' for Kenenisa Bekele). 'Bullet Boy', 'Def Jam' are not."""
    full = persons.filter(pl.col("_key").str.contains(" "))
    short = full.filter(
        (pl.col("text") != pl.col("name")) & pl.col("name").str.ends_with(" " + pl.col("text"))
    )
    out = set(short["_key"].to_list())
    for key in full["_key"].unique().to_list():
        first = key.split()[0]
        if first in ref.first_names or (len(first) == 1 and first.isalpha()):
            out.add(key)
    return out


def surname_targets(
    keyed: pl.DataFrame, ref: CanonicalReference, final: dict[tuple[str, str], str], people: set[str]
) -> dict[str, str]:
    """Lone PERSON surname key -> the full-name key it stands for, where the corpus makes that clear."""
    persons = keyed.filter(pl.col("_label") == PERSON)
    arts = dict(persons.group_by("_key").agg(pl.col("article_id").n_unique()).iter_rows())
    by_surname: dict[str, set[str]] = defaultdict(set)
    as_first: Counter[str] = Counter()  # "David" starts more full names than it ends: a first name
    for key in arts:
        if " " in key:
            by_surname[key.split()[-1]].add(final.get((PERSON, key), key))
            as_first[key.split()[0]] += 1
    full_arts: Counter[str] = Counter()
    for key, n in arts.items():
        full_arts[final.get((PERSON, key), key)] += n
    out = {}
    for key, n in arts.items():
        if " " in key or key not in by_surname or as_first[key] >= len(by_surname[key]):
            continue
        candidates = sorted(by_surname[key], key=lambda c: (-full_arts[c], c))
        best = candidates[0]
        total = sum(full_arts[c] for c in candidates)
        if len(candidates) > 1 and full_arts[best] < DOMINANT_SHARE * total:
            continue  # "Keane": Roy or Robbie
        if best not in people:
            continue  # "Def Jam", "Bullet Boy": the model's persons, not people
        if n > MAX_SHORT_FORM_RATIO * full_arts[best]:
            continue  # "Bolton" in 11 articles, "John Bolton" in one: the town's club
        out[key] = best
    return out


def org_suffix_candidates(key: str, org_keys: set[str] | list[str]) -> set[str]:
    """Longer ORG keys whose head is this one ('security council' in 'un security council'; not
    'copenhagen' in 'university of copenhagen'), or that add only a legal or party word ('labour party')."""
    out = set()
    for other in org_keys:
        if len(other) <= len(key) or " and " in other or " to " in other:
            continue
        if other.endswith(" " + key):
            before = other[: -len(key) - 1].split()
            if before and before[-1] not in COMPLEMENT_WORDS:
                out.add(other)
        elif other.startswith(key + " ") and other[len(key) + 1 :] in ORG_SUFFIXES:
            out.add(other)
    return out


def org_targets(
    keyed: pl.DataFrame, final: dict[tuple[str, str], str]
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Short ORG key -> longer ORG key: corpus-wide for names of two words or more when one longer
    name (seen in two articles or more) is the only candidate; else within an article."""
    orgs = keyed.filter(pl.col("_label") == ORG)
    arts = dict(orgs.group_by("_key").agg(pl.col("article_id").n_unique()).iter_rows())
    # "another Blue Gene/L", "bank UFJ Holdings": spaCy swallowed a lower-case word, not a name
    sloppy = {
        key
        for key, name in orgs.select("_key", "name").unique().iter_rows()
        if "," in name or any(w[:1].islower() and w not in COMPLEMENT_WORDS for w in name.split())
    }
    names = [k for k in arts if k not in sloppy]
    target_arts: Counter[str] = Counter()
    for key, n in arts.items():
        target_arts[final.get((ORG, key), key)] += n
    corpus: dict[str, str] = {}

    def resolved(k: str) -> str:
        return final.get((ORG, k)) or corpus.get(k) or k

    by_suffix: dict[str, set[str]] = defaultdict(set)
    for key in names:
        words = key.split()
        for i in range(1, len(words)):
            by_suffix[" ".join(words[i:])].add(key)
        if len(words) > 1 and words[-1] in ORG_SUFFIXES:
            by_suffix[" ".join(words[:-1])].add(key)
    # longest first, so that every longer name is resolved before the shorter ones it contains
    for key, n in sorted(arts.items(), key=lambda kv: (-len(kv[0]), kv[0])):
        if (ORG, key) in final or " " not in key or key not in by_suffix:
            continue
        targets = {resolved(k) for k in org_suffix_candidates(key, by_suffix[key])} - {key}
        if len(targets) == 1:
            (target,) = targets
            if target_arts[target] >= 2 and n <= MAX_SHORT_FORM_RATIO * target_arts[target]:
                corpus[key] = target
    per_article: dict[tuple[str, str], str] = {}
    pairs = orgs.select("article_id", "_key").unique().sort("article_id", "_key")
    for (article_id,), group in pairs.group_by(["article_id"], maintain_order=True):
        keys = [k for k in group["_key"].to_list() if k not in sloppy]
        for key in group["_key"].to_list():
            if key in corpus or (ORG, key) in final:
                continue
            targets = {resolved(k) for k in org_suffix_candidates(key, keys)}
            targets.discard(key)
            if len(targets) == 1:
                per_article[(article_id, key)] = targets.pop()
    return corpus, per_article


# ---------------------------------------------------------------- the whole step


def resolve_entities(
    mentions: pl.DataFrame,
    quotes: pl.DataFrame,
    *,
    articles: pl.DataFrame | None = None,
    reference: CanonicalReference | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(entity_mentions, quotes) from `extract` -> (entity_mentions, quotes, entities), canonical across
    the corpus. Columns and dtypes are kept (extra columns too); noise mentions are dropped; `name`,
    `label` and `entity_id` of mentions and `speaker`, `speaker_entity_id` of quotes are rewritten.
    `articles` (article_id, body) is optional: with it, agency names standing as picture credits go too."""
    ref = reference or load_canonical_reference()
    columns = mentions.columns
    if mentions.height == 0:
        return mentions, quotes, build_entities(mentions)
    keyed = mentions.with_row_index("_row").with_columns(_key=match_key_expr("name"))
    noise = noise_mask(keyed, ref, articles)
    removed = keyed.filter(noise).select("article_id", "entity_id").unique()
    keyed = keyed.filter(~noise)

    # labels: seeds, else evidence over the corpus
    persons = keyed.filter(pl.col("label") == PERSON)
    people = person_evidence(persons, ref)
    surnames = {key.split()[-1] for key in people}
    evidence = surnames | people
    counts = keyed.group_by("_key", "label").len().sort("_key", "label")
    labels = choose_labels(counts, ref, evidence)
    keyed = keyed.with_columns(_label=pl.col("_key").replace_strict(labels, return_dtype=pl.String))

    # aliases: seed canonical names, then surnames and short ORG forms found in the data
    final: dict[tuple[str, str], str] = {}
    seed_names: dict[tuple[str, str], str] = {}
    for key, label in labels.items():
        seed = ref.aliases.get(key)
        if seed is not None:
            final[(label, key)] = match_key(seed[0])
            seed_names[(label, match_key(seed[0]))] = seed[0]
    for key, target in surname_targets(keyed, ref, final, people).items():
        final[(PERSON, key)] = target
    corpus_orgs, article_orgs = org_targets(keyed, final)
    for key, target in corpus_orgs.items():
        final[(ORG, key)] = target

    map_frame = pl.DataFrame(
        [(label, key, target) for (label, key), target in final.items()],
        schema={"_label": pl.String, "_key": pl.String, "_target": pl.String},
        orient="row",
    )
    article_frame = pl.DataFrame(
        [(a, key, ORG, target) for (a, key), target in article_orgs.items()],
        schema={"article_id": pl.String, "_key": pl.String, "_label": pl.String, "_atarget": pl.String},
        orient="row",
    )
    keyed = (
        keyed.join(map_frame, on=["_label", "_key"], how="left")
        .join(article_frame, on=["article_id", "_key", "_label"], how="left")
        .with_columns(_final=pl.coalesce("_atarget", "_target", "_key"))
    )

    # the canonical spelling of each final key: the seed's, else its most frequent spelling
    spellings = (
        keyed.filter(pl.col("_key") == pl.col("_final"))
        .group_by("_label", "_final", "name")
        .len()
        .sort(["_label", "_final", "len", "name"], descending=[False, False, True, False])
        .group_by("_label", "_final", maintain_order=True)
        .first()
        .select("_label", "_final", pl.col("name").alias("_canon"))
    )
    if seed_names:
        seeds = pl.DataFrame(
            [(label, key, name) for (label, key), name in seed_names.items()],
            schema={"_label": pl.String, "_final": pl.String, "_seed": pl.String},
            orient="row",
        )
        spellings = spellings.join(seeds, on=["_label", "_final"], how="full", coalesce=True).select(
            "_label", "_final", pl.coalesce("_seed", "_canon").alias("_canon")
        )
    keyed = keyed.join(spellings, on=["_label", "_final"], how="left").with_columns(
        pl.coalesce("_canon", "name").alias("_canon")
    )
    ids = keyed.select("_label", "_canon").unique()
    ids = ids.with_columns(
        _id=pl.Series([entity_id(label, name) for label, name in ids.iter_rows()], dtype=pl.String)
    )
    keyed = keyed.join(ids, on=["_label", "_canon"], how="left")

    remap = (
        keyed.group_by("article_id", "entity_id")
        .agg(pl.col("_id").first(), pl.col("_canon").first())
        .rename({"entity_id": "speaker_entity_id"})
    )
    out = (
        keyed.sort("_row")
        .with_columns(name=pl.col("_canon"), label=pl.col("_label"), entity_id=pl.col("_id"))
        .select(columns)
    )
    out = out.select([pl.col(c).cast(mentions.schema[c]) for c in columns])
    entities = build_entities(out)
    return out, remap_quotes(quotes, remap, removed, set(entities["entity_id"].to_list())), entities


def remap_quotes(
    quotes: pl.DataFrame, remap: pl.DataFrame, removed: pl.DataFrame, known: set[str]
) -> pl.DataFrame:
    """Point each quote's speaker at its merged entity; a speaker that was noise is no speaker."""
    if quotes.height == 0:
        return quotes
    columns = quotes.columns
    globally = remap.group_by("speaker_entity_id").agg(
        pl.col("_id").mode().sort().first().alias("_gid"),
        pl.col("_canon").mode().sort().first().alias("_gcanon"),
    )
    dropped = removed.rename({"entity_id": "speaker_entity_id"}).with_columns(_noise=pl.lit(True))
    q = (
        quotes.with_row_index("_row")
        .join(remap, on=["article_id", "speaker_entity_id"], how="left")
        .join(globally, on="speaker_entity_id", how="left")
        .join(dropped, on=["article_id", "speaker_entity_id"], how="left")
        .sort("_row")
    )
    new_id = pl.coalesce("_id", "_gid")
    noise = pl.col("_noise").fill_null(False) & pl.col("_id").is_null()
    q = q.with_columns(
        speaker=pl.when(noise).then(None).otherwise(pl.coalesce("_canon", "_gcanon", "speaker")),
        speaker_entity_id=pl.when(noise | ~new_id.is_in(list(known))).then(None).otherwise(new_id),
    )
    return q.select([pl.col(c).cast(quotes.schema[c]) for c in columns])
