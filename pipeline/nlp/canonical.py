"""Cross-article canonicalisation: one entity_id per real-world entity across the corpus.

`extract` names entities canonically within one article ("Mr Netanyahu" -> Benjamin Netanyahu); across
articles the same entity still comes under several names and labels ("US", "U.S.", "United States";
"Blair" in an article that never says "Tony"; "Yukos" tagged PERSON here and ORG there). This module
rewrites the mentions, the quotes' speakers and the entities table so they agree on one id per entity:

1. noise is removed: names without letters ("747", "7:39.89"), one-character names, names without a
   capital letter ("polish", "fed"), photo credits ("Getty Images"; agency names like "AP" only where
   they stand as a credit, which needs the bodies);
2. every name gets a match key (case, dots, apostrophes, hyphens and a leading "the" ignored): "U.S."
   and "US" share one; a short title-case name the seed only knows as an acronym ("Cia.", "Us") keeps
   its own;
3. seed aliases (seeds/entity_aliases.csv) give the canonical name and label of common entities;
4. labels are corrected by evidence over the corpus: the majority label of a key, except that a name
   tagged PERSON needs person evidence when it is also seen with another label (one word: it is the
   surname of full names seen more often than the other label, so "Premiership" and "Universal" stay
   ORG; several words: it starts with a known first name, or the other labels are rare), and a name
   ending in an organisation word ("Manchester United", "Lib Dems") is an ORG;
5. aliases from the data, with evidence: a lone surname goes to the one full name in the corpus that
   ends with it (or to the full name found in at least 80% of the articles of all such names), when it
   is not a first name and not far more common than that full name, and then only in the articles
   where the model calls it a person, no honorific contradicts the first name ("Mrs Wilkinson"), it is
   no word of a capitalised phrase ("Paying the Price", "Governor's Ball"), and the article shares
   distinctive entities with the full name's articles (and their section, when the articles say it);
   a short ORG name goes to a longer one that adds a legal or party suffix ("Lenovo Group") across the
   corpus, and within an article also to one that adds a qualifier before a generic name ("US Senate")
   or words that look like a name ("Dinamo Bucharest"; not "Bookmakers Ladbrokes", "New University of
   Ulster", nor a person the model called an organisation, "Kiki Musampa");
6. the canonical name of each entity is the seed's canonical name, or the most frequent spelling of its
   key, and entity_id = entities.entity_id(label, name): the id depends on the entity, never on row
   order, so it is stable across runs and versions. An organisation the corpus also writes as its
   acronym is named with both, "Associated Press (AP)", so either finds it;
7. last, each person's gender from the evidence in the text over the corpus (pipeline/nlp/gender.py):
   `entities.gender`, `entities.gender_evidence` and `quotes.speaker_gender`.

Everything is pure Polars over frames; the Python dictionaries are per distinct name, not per mention.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline.nlp.entities import PERSON, build_entities, entity_id
from pipeline.nlp.gender import add_gender
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
# words before a generic organisation name that keep it the same organisation ("US Senate", "BBC Radio 4")
QUALIFIERS = frozenset(
    """us uk un eu bbc european british scottish welsh irish english national federal international
    royal""".split()  # noqa: SIM905
)
# one-word organisation names generic enough to take a qualifier ("Senate" -> "US Senate")
GENERIC_ORG_WORDS = ORG_HEADS | frozenset(
    "senate congress treasury government army navy assembly executive cabinet commons".split()  # noqa: SIM905
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
OTHER_LABEL_SHARE = {1: 0.15, 2: 0.1}
# a label seen this many times is well attested: evidence for PERSON must outweigh it
MIN_ATTESTED = 3


@dataclass(frozen=True)
class CanonicalReference:
    """Seeds for cross-article resolution, keyed by match key."""

    aliases: dict[str, tuple[str, str]]  # alias key -> (canonical name, label)
    credits: frozenset[str]  # keys of every agency credit
    photo_credits: frozenset[str]  # keys of credits that are never anything else
    first_names: frozenset[str]  # lower-case
    genders: dict[str, str] = field(default_factory=dict)  # lower-case first name -> "m" or "f"
    spellings: frozenset[str] = frozenset()  # aliases and canonical names exactly as the seed writes them


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
    with (seeds_dir / "first_names.csv").open(encoding="utf-8", newline="") as fh:
        genders = {
            (row.get("first_name") or "").strip().lower(): (row.get("gender") or "").strip().lower()
            for row in csv.DictReader(fh)
        }
    return CanonicalReference(
        aliases=aliases,
        credits=frozenset(match_key(c) for c in credits),
        photo_credits=frozenset(photo),
        first_names=frozenset(f.lower() for f in first),
        genders={k: v for k, v in genders.items() if k and v in ("m", "f")},
        spellings=frozenset(aliases_col) | frozenset(canon_col),
    )


# ---------------------------------------------------------------- noise


def noise_mask(mentions: pl.DataFrame, ref: CanonicalReference, articles: pl.DataFrame | None) -> pl.Series:
    """True for mentions that are no entity: no letters, one character, no capital letter ('polish',
    'fed'), or a picture credit."""
    key = pl.col("_key")
    noise = (
        ~pl.col("name").str.contains(r"\p{L}")
        | (pl.col("name").str.replace_all(r"[^\p{L}\p{N}]", "").str.len_chars() <= 1)
        | key.is_in(list(ref.photo_credits))
        # "polish", "fed", "scan", "west coast": common words, not names (web addresses may be lowercase)
        | (~pl.col("name").str.contains(r"\p{Lu}") & ~pl.col("name").str.contains(".", literal=True))
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


def choose_labels(
    counts: pl.DataFrame, ref: CanonicalReference, evidence: dict[str, float]
) -> dict[str, str]:
    """key -> label from (key, label, n) counts: the majority, but PERSON only with person evidence
    (`evidence`: surnames of full names, with the mentions of those full names; full names written
    short) or when other labels are rare. A surname of a few full names does not make a well-attested
    organisation a person: 'Premiership' (for 'Zurich Premiership'), 'Universal' (for 'Vivendi
    Universal') stay ORG."""
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
        elif label == PERSON and others and len(words) == 1:
            other = others[0][1]
            attested = other >= MIN_ATTESTED and other >= OTHER_LABEL_SHARE[1] * sum(labels.values())
            if attested and other > evidence[key]:
                label = others[0][0]
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


FEMALE_HONORIFIC = re.compile(r"(?i)\b(?:mrs|ms|miss|lady|dame|madam|madame|mme|queen|princess|duchess)\b\.?")
MALE_HONORIFIC = re.compile(r"(?i)\b(?:mr|sir|lord|king|prince|duke|monsieur)\b\.?")
# capitalised words that may stand before a surname without making a title of it ("Coach Warnock")
ROLE_WORDS = frozenset(
    """mr mrs ms miss dr sir lord lady dame president prime minister chancellor secretary coach manager
    captain skipper judge justice senator governor chairman chief boss striker midfielder defender keeper
    goalkeeper winger forward full-back fly-half scrum-half lock prop hooker centre flanker number""".split()  # noqa: SIM905
)
# a lone surname in an article shares context with its full name's articles when an entity of its article
# is at least this many times more frequent among the full name's articles than in the corpus
MIN_CONTEXT_LIFT = 3.0
# ... and it needs this many such entities: one club in common does not make the Brazilian Ronaldo Cristiano
MIN_SHARED_CONTEXT = 2


def sections_of(articles: pl.DataFrame | None) -> dict[str, str]:
    """article_id -> the publisher's section, when the articles say it: a `section` column, or the name
    of the source file without its number ('bbc_sport_095.txt' -> 'bbc_sport'). Empty when unknown or
    when it does not group articles."""
    if articles is None or articles.height == 0:
        return {}
    if "section" in articles.columns:
        pairs = articles.select("article_id", "section").iter_rows()
    elif "source_path" in articles.columns:
        pairs = (
            (a, re.sub(r"[\W_]*\d+$", "", Path(p).stem) if p else None)
            for a, p in articles.select("article_id", "source_path").iter_rows()
        )
    else:
        return {}
    out = {a: s for a, s in pairs if s}
    distinct = len(set(out.values()))
    return out if 1 < distinct < len(out) else {}


def honorific_gender(text: str) -> str | None:
    """'f' for 'Mrs Wilkinson', 'm' for 'Mr Price', else None."""
    if FEMALE_HONORIFIC.search(text):
        return "f"
    if MALE_HONORIFIC.search(text):
        return "m"
    return None


def _bare(word: str) -> str:
    return re.sub(r"(?:['’]s|['’])$", "", word.strip('"“”‘(),;:'))


def in_title_phrase(body: str, start: int, end: int, covered: list[tuple[int, int]]) -> bool:
    """True when the name is a word of a capitalised phrase that is no name: 'Paying the Price', "the
    Governor's Ball", 'Toulouse Cup'. Capitalised neighbours that are other mentions, roles, or the first
    word of a sentence do not count."""
    line_start = body.rfind("\n", 0, start) + 1
    before = body[line_start:start]
    words = before.split()
    pos = start

    def is_mention(word_end: int) -> bool:
        return any(s < word_end <= e for s, e in covered)

    if words:
        prev = words[-1]
        prev_end = line_start + before.rstrip().__len__()
        earlier = words[:-1]
        bare = _bare(prev)
        possessive = bool(re.search(r"['’]s?$", prev))
        if bare.lower() in {"the", "of", "for", "and", "de", "la", "du"} and earlier:
            head = earlier[-1]
            if (
                head[:1].isupper()
                and not is_mention(prev_end - len(prev) - 1)
                and not head.endswith((".", ":", "!", "?"))
            ):
                return True
        elif bare[:1].isupper() and not prev.endswith((".", ":", ";", "!", "?", ",", '"', "”")):
            sentence_start = not earlier or earlier[-1].endswith((".", ":", "!", "?", '"', "”"))
            role = bare.lower() in ROLE_WORDS and not possessive
            # "Chelsea's Gudjohnsen" is a name after another entity; "Swiss Re", "Governor's Ball" are not
            if (
                not role
                and (not possessive or not is_mention(prev_end))
                and (possessive or not sentence_start)
            ):
                return True
    pos = end
    after = body[pos : body.find("\n", pos) if body.find("\n", pos) >= 0 else len(body)]
    m = re.match(r" ([A-Z][\w'’-]*)", after)
    return (
        bool(m) and _bare(m.group(1)).lower() not in ROLE_WORDS and not is_mention(pos + 1 + len(m.group(1)))
    )


def surname_links(
    keyed: pl.DataFrame,
    targets: dict[str, str],
    final: dict[tuple[str, str], str],
    ref: CanonicalReference,
    articles: pl.DataFrame | None,
) -> dict[tuple[str, str], str]:
    """(article_id, lone surname key) -> full-name key, for the articles where the corpus-wide candidate
    from `surname_targets` is borne out: some mention there is a PERSON for the model; no honorific says
    another sex than the full name's first name; no mention is a word of a capitalised phrase; the article
    shares a distinctive entity with the full name's articles (and their section, when known)."""
    if not targets:
        return {}
    per_article: dict[str, set[str]] = defaultdict(set)
    for article_id, label, key in keyed.select("article_id", "_label", "_key").unique().iter_rows():
        per_article[article_id].add(final.get((label, key), key))
    n_articles = len(per_article)
    df: Counter[str] = Counter(k for keys in per_article.values() for k in keys)
    wanted = set(targets.values())
    full_articles: dict[str, list[str]] = defaultdict(list)
    for article_id in sorted(per_article):
        for key in per_article[article_id] & wanted:
            full_articles[key].append(article_id)
    sections = sections_of(articles)
    bodies = dict(articles.select("article_id", "body").iter_rows()) if articles is not None else {}
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    lone = keyed.filter(pl.col("_key").is_in(list(targets)) & (pl.col("_label") == PERSON))
    if bodies:
        for article_id, start, end in (
            keyed.filter(pl.col("article_id").is_in(lone["article_id"].unique().implode()))
            .select("article_id", "start_char", "end_char")
            .iter_rows()
        ):
            spans[article_id].append((start, end))
    out = {}
    for (article_id, key), group in lone.group_by(["article_id", "_key"]):
        target = targets[key]
        homes = full_articles.get(target, [])
        if not homes or "PERSON" not in group["label"].to_list():
            continue
        first = target.split()[0]
        gender = ref.genders.get(first)
        body = bodies.get(article_id)
        ok = True
        for text, start, end in group.select("text", "start_char", "end_char").iter_rows():
            before = body[max(0, start - 12) : start] if body else ""
            said = honorific_gender(text) or honorific_gender(before.split()[-1] if before.split() else "")
            if said and gender and said != gender:
                ok = False  # "Mrs Wilkinson" is not Jonny; "Mr Ball" not Zoe; unknown first name: no
            if body and in_title_phrase(
                body, start, end, [s for s in spans[article_id] if s != (start, end)]
            ):
                ok = False
        if not ok:
            continue
        if sections and sections.get(article_id) not in {sections.get(a) for a in homes}:
            continue  # a footballer Spector in the sport pages is not Phil Spector
        context: Counter[str] = Counter(k for a in homes for k in per_article[a])
        lifts = [
            (context[e] / len(homes)) / (df[e] / n_articles)
            for e in per_article[article_id] - {key, target}
            if context[e]
        ]
        if article_id in homes or sum(lift >= MIN_CONTEXT_LIFT for lift in lifts) >= MIN_SHARED_CONTEXT:
            out[(article_id, key)] = target
    return out


def org_extension(key: str, other: str) -> str | None:
    """How a longer ORG key extends a shorter one, if it may name the same organisation: 'suffix' adds
    a legal or party word ('lenovo group', 'veritas party'); 'qualifier' puts a country or body before a
    generic name ('us senate', 'bbc radio 4', 'european commission'); 'prefix' puts other words before
    it ('dinamo bucharest', 'bookmakers ladbrokes': only within an article, and only if they look like a
    name). None for everything else ('university of copenhagen', 'new university of ulster' is a
    'prefix' that common words rule out)."""
    if len(other) <= len(key) or " and " in other or " to " in other:
        return None
    if other.startswith(key + " ") and other[len(key) + 1 :] in ORG_SUFFIXES:
        return "suffix"
    if not other.endswith(" " + key):
        return None
    before = other[: -len(key) - 1].split()
    if not before or before[-1] in COMPLEMENT_WORDS:
        return None
    if len(before) == 1 and before[0] in QUALIFIERS and (" " in key or key in GENERIC_ORG_WORDS):
        return "qualifier"
    return "prefix"


def org_suffix_candidates(key: str, org_keys: set[str] | list[str]) -> set[str]:
    """Longer ORG keys that extend this one by a suffix or a qualifier ('security council' in 'un security
    council', 'labour' in 'labour party'; not 'copenhagen' in 'university of copenhagen')."""
    return {other for other in org_keys if org_extension(key, other) in ("suffix", "qualifier")}


def proper_prefix(key: str, other: str, names: dict[str, str], common: set[str], norp: set[str]) -> bool:
    """The words 'prefix' adds are a name: capitalised as written, never seen as a lower-case word in the
    corpus, not a nationality ('Dinamo Bucharest', 'Los Angeles Times'; not 'Praising Celtic', 'Rapper 50
    Cent', 'Sony Net Minidisc', 'British Tolkien')."""
    written = names.get(other, "").split()
    added = written[: len(written) - len(key.split())]
    if not added:
        return False
    return all(
        re.fullmatch(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?", w) and w.lower() not in common and w.lower() not in norp
        for w in added
    )


def org_targets(
    keyed: pl.DataFrame,
    final: dict[tuple[str, str], str],
    ref: CanonicalReference,
    articles: pl.DataFrame | None = None,
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Short ORG key -> longer ORG key: corpus-wide for names of two words or more when one longer
    name (seen in two articles or more) is the only one that adds a legal or party suffix; else within an
    article, by suffix, qualifier ('Senate' -> 'US Senate') or added words that look like a name. A
    short name that is a person's surname does not go to a longer 'organisation' that is a person's
    name ('Connor' -> 'Keith Connor')."""
    orgs = keyed.filter(pl.col("_label") == ORG)
    arts = dict(orgs.group_by("_key").agg(pl.col("article_id").n_unique()).iter_rows())
    # "another Blue Gene/L", "bank UFJ Holdings": spaCy swallowed a lower-case word, not a name
    sloppy = {
        key
        for key, name in orgs.select("_key", "name").unique().iter_rows()
        if "," in name or any(w[:1].islower() and w not in COMPLEMENT_WORDS for w in name.split())
    }
    written = dict(
        orgs.group_by("_key", "name").len().sort(["_key", "len", "name"], descending=[False, True, False])
        .group_by("_key", maintain_order=True).first().select("_key", "name").iter_rows()
    )  # fmt: skip
    persons = keyed.filter(pl.col("label") == PERSON)["_key"].unique().to_list()
    surnames = {k.split()[-1] for k in persons if " " in k} | {k for k in persons if " " not in k}
    norp = set(keyed.filter(pl.col("_label") == "NORP")["_key"].unique().to_list())
    common: set[str] = set()
    if articles is not None:
        for body in articles["body"].to_list():
            common.update(re.findall(r"(?<![\w'’-])[a-z][a-z]+(?![\w'’-])", body or ""))

    def personal(short: str, long: str, kind: str = "suffix") -> bool:
        words = long.split()
        if words[-1] in ORG_HEADS:
            return False
        if words[0] in ref.first_names or len(words[0]) == 1 or (" " not in short and short in surnames):
            return True
        # "Kiki Musampa", "Pim Fortuyn": a person the model called an organisation
        return kind == "prefix" and len(words) == 2 and " " not in short

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
        # corpus-wide only a legal or party suffix: "Central Bank" alone may be any country's
        found = {k for k in by_suffix[key] if org_extension(key, k) == "suffix" and not personal(key, k)}
        targets = {resolved(k) for k in found} - {key}
        if len(targets) == 1:
            (target,) = targets
            if target_arts[target] >= 2 and n <= MAX_SHORT_FORM_RATIO * target_arts[target]:
                corpus[key] = target
    per_article: dict[tuple[str, str], str] = {}
    # each article's keys in order, grouped in Python: a Polars frame per article cost a second on BBC
    keys_of: dict[str, list[str]] = defaultdict(list)
    for article_id, key in orgs.select("article_id", "_key").unique().sort("article_id", "_key").iter_rows():
        keys_of[article_id].append(key)
    for article_id, article_keys in keys_of.items():
        keys = [k for k in article_keys if k not in sloppy]
        for key in article_keys:
            if key in corpus or (ORG, key) in final:
                continue
            found = set()
            for other in keys:
                kind = org_extension(key, other)
                if kind is None or personal(key, other, kind):
                    continue
                if kind != "prefix" or proper_prefix(key, other, written, common, norp):
                    found.add(other)
            targets = {resolved(k) for k in found}
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
    `label` and `entity_id` of mentions and `speaker`, `speaker_entity_id` of quotes are rewritten;
    entities get `gender` and `gender_evidence`, quotes `speaker_gender` (see pipeline/nlp/gender.py).
    `articles` (article_id, body) is optional: with it, agency names standing as picture credits go too,
    and honorifics count as gender evidence."""
    ref = reference or load_canonical_reference()
    columns = mentions.columns
    if mentions.height == 0:
        return mentions, *add_gender(mentions, quotes, build_entities(mentions), articles)
    keyed = mentions.with_row_index("_row").with_columns(_key=match_key_expr("name"))
    # "Cia." (Companhia) and "Us" (Us Weekly) are not the seeds' "CIA" and "US": a short name written in
    # title case keeps its own key when the seed's acronym is its only meaning
    acronyms = [k for k in ref.aliases if len(k) <= 4 and " " not in k]
    keyed = keyed.with_columns(
        _key=pl.when(
            pl.col("name").str.contains(r"^[A-Z][a-z]{1,3}\.?$")
            & pl.col("_key").is_in(acronyms)
            & ~pl.col("name").str.strip_chars_end(".").is_in(list(ref.spellings))
        )
        .then(pl.col("_key") + " (" + pl.col("name") + ")")
        .otherwise(pl.col("_key"))
    )
    noise = noise_mask(keyed, ref, articles)
    removed = keyed.filter(noise).select("article_id", "entity_id").unique()
    keyed = keyed.filter(~noise)

    # labels: seeds, else evidence over the corpus
    persons = keyed.filter(pl.col("label") == PERSON)
    people = person_evidence(persons, ref)
    counts = keyed.group_by("_key", "label").len().sort("_key", "label")
    # surname -> mentions of the full names ending with it; a full name is its own evidence
    evidence: dict[str, float] = defaultdict(float)
    for key, label, n in counts.iter_rows():
        if key in people and label == PERSON:
            evidence[key.split()[-1]] += n
    evidence.update(dict.fromkeys(people, float("inf")))
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
    targets = surname_targets(keyed, ref, final, people)
    article_people = surname_links(keyed, targets, final, ref, articles)
    corpus_orgs, article_orgs = org_targets(keyed, final, ref, articles)
    for key, target in corpus_orgs.items():
        final[(ORG, key)] = target

    map_frame = pl.DataFrame(
        [(label, key, target) for (label, key), target in final.items()],
        schema={"_label": pl.String, "_key": pl.String, "_target": pl.String},
        orient="row",
    )
    article_frame = pl.DataFrame(
        [(a, key, ORG, target) for (a, key), target in article_orgs.items()]
        + [(a, key, PERSON, target) for (a, key), target in article_people.items()],
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
    keyed = with_acronyms(keyed)
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
    quotes = remap_quotes(quotes, remap, removed, set(entities["entity_id"].to_list()))
    people = entities.filter(pl.col("label") == PERSON)["entity_id"].to_list()
    quotes = personal_pronouns_need_a_person(quotes, people)
    quotes, entities = add_gender(out, quotes, entities, articles)  # on the final ids
    return out, quotes, entities


def with_acronyms(keyed: pl.DataFrame) -> pl.DataFrame:
    """An organisation written both in full and as its acronym is named with both, 'Associated Press
    (AP)', as style guides introduce it: readers and queries find it under either, and the acronym
    is only added where the corpus wrote it for that entity and its letters are the name's initials."""
    written = (
        keyed.filter((pl.col("_label") == ORG) & pl.col("text").str.contains(r"^[A-Z]{2,6}$"))
        .filter(pl.col("text") != pl.col("_canon"))
        .group_by("_canon", "text")
        .len()
        .sort(["_canon", "len", "text"], descending=[False, True, False])
        .group_by("_canon", maintain_order=True)
        .first()
    )
    display = {
        canon: f"{canon} ({acronym})"
        for canon, acronym, _ in written.iter_rows()
        if initials(canon) == acronym
    }
    if not display:
        return keyed
    return keyed.with_columns(
        _canon=pl.when(pl.col("_label") == ORG)
        .then(pl.col("_canon").replace(display))
        .otherwise(pl.col("_canon"))
    )


def initials(name: str) -> str:
    """'Committee to Protect Journalists' -> 'CPJ': the first letters of its capitalised words."""
    return "".join(word[0] for word in name.split() if word[:1].isupper())


PERSONAL_PRONOUNS = ("he", "she", "him", "her")


def personal_pronouns_need_a_person(quotes: pl.DataFrame, people: list[str]) -> pl.DataFrame:
    """'He said' credited to what the corpus knows is a party or a company ('Labour', tagged as a person
    in one article) is a wrong resolution: the speaker is left unknown rather than wrong."""
    if quotes.height == 0 or "speaker_mention" not in quotes.columns:
        return quotes
    wrong = pl.col("speaker_mention").str.to_lowercase().is_in(PERSONAL_PRONOUNS) & ~pl.col(
        "speaker_entity_id"
    ).is_in(people)
    return quotes.with_columns(
        speaker=pl.when(wrong).then(None).otherwise(pl.col("speaker")),
        speaker_entity_id=pl.when(wrong).then(None).otherwise(pl.col("speaker_entity_id")),
    )


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
