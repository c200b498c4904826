"""Cross-article canonicalisation of entities: seeds' people, aliases, labels, noise, quotes, stability."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.nlp.canonical import (
    load_canonical_reference,
    match_key,
    match_key_expr,
    resolve_entities,
)
from pipeline.nlp.entities import ENTITIES_SCHEMA, entity_id
from pipeline.nlp.extract import MENTIONS_SCHEMA, QUOTES_SCHEMA, extract
from pipeline.nlp.gender import ENTITY_GENDER_SCHEMA, QUOTE_GENDER_SCHEMA
from tests.conftest import seed_body

SEED_PEOPLE = {
    "Antony Blinken": {"000", "003"},
    "Benjamin Netanyahu": {"000", "003"},
    "Aaron David Miller": {"000"},
    "Nate Evans": {"003"},
    "Linda Thomas-Greenfield": {"003"},
    "Chuck Schumer": {"003"},
    "Mike Johnson": {"003"},
    "Bill Burns": {"003"},
}


@pytest.fixture(scope="module")
def seed_resolved(nlp):
    articles = pl.DataFrame({"article_id": ["000", "003"], "body": [seed_body("000"), seed_body("003")]})
    mentions, quotes = extract(articles, nlp)
    return mentions, quotes, resolve_entities(mentions, quotes, articles=articles)


def frame(rows: list[tuple], extra: dict | None = None) -> pl.DataFrame:
    """Mentions by hand: (article_id, name, label[, text]); offsets are made up, names as extract gives."""
    out = []
    for n, row in enumerate(rows):
        article_id, name, label = row[:3]
        text = row[3] if len(row) > 3 else name
        out.append(
            {
                "mention_id": f"{article_id}-m{n:04d}",
                "article_id": article_id,
                "entity_id": entity_id(label, name),
                "name": name,
                "text": text,
                "label": label,
                "role": None,
                "start_char": n * 10,
                "end_char": n * 10 + len(text),
                "sentence_no": n,
                **(extra or {}),
            }
        )
    schema = {**MENTIONS_SCHEMA, **{k: pl.Float64 for k in extra or {}}}
    return pl.DataFrame(out, schema=schema)


NO_QUOTES = pl.DataFrame(schema=QUOTES_SCHEMA)


def names_of(mentions: pl.DataFrame) -> dict[str, tuple[str, str]]:
    return {r["mention_id"]: (r["name"], r["label"]) for r in mentions.iter_rows(named=True)}


# ---------------------------------------------------------------- the seeds


def test_seed_people_are_one_person_entity_each_across_both_articles(seed_resolved):
    _, _, (mentions, _, entities) = seed_resolved
    for person, articles in SEED_PEOPLE.items():
        surname = person.split()[-1]
        mine = mentions.filter(pl.col("text").str.contains(surname, literal=True))
        assert mine["name"].unique().to_list() == [person], person
        assert mine["label"].unique().to_list() == ["PERSON"], person
        assert mine["entity_id"].unique().to_list() == [entity_id("PERSON", person)], person
        assert set(mine["article_id"].to_list()) == articles, person
        # no duplicate: no other entity carries the surname
        same = entities.filter(pl.col("name").str.contains(surname, literal=True))
        assert same.height == 1, same
        row = same.row(0, named=True)
        assert (row["label"], row["article_count"]) == ("PERSON", len(articles))
        assert row["mention_count"] == mine.height


def test_seed_state_is_not_an_org_and_un_bodies_merge(seed_resolved):
    _, _, (mentions, _, entities) = seed_resolved
    assert entities.filter((pl.col("name") == "State") & (pl.col("label") == "ORG")).height == 0
    assert "State" not in mentions["text"].to_list()
    council = entities.filter(pl.col("name") == "UN Security Council").row(0, named=True)
    assert council["label"] == "ORG"
    assert {"UN Security Council", "Security Council"} <= set(council["aliases"])
    assert council["article_count"] == 2
    us = entities.filter(pl.col("name") == "United States").row(0, named=True)
    assert (us["label"], us["article_count"]) == ("GPE", 2)
    assert entities.filter(pl.col("name").is_in(["US", "U.S."])).height == 0


def test_seed_outputs_are_consistent_and_typed(seed_resolved):
    before, quotes_before, (mentions, quotes, entities) = seed_resolved
    assert dict(mentions.schema) == dict(before.schema) == MENTIONS_SCHEMA
    assert dict(quotes.schema) == {**QUOTES_SCHEMA, **QUOTE_GENDER_SCHEMA}
    assert dict(entities.schema) == {**ENTITIES_SCHEMA, **ENTITY_GENDER_SCHEMA}
    assert quotes.height == quotes_before.height
    assert quotes["quote_id"].to_list() == quotes_before["quote_id"].to_list()
    assert mentions["mention_id"].is_in(before["mention_id"].implode()).all()
    # every mention's entity exists, counts agree, aliases are the sorted surface forms
    counts = mentions.group_by("entity_id").agg(
        pl.len().alias("n"), pl.col("article_id").n_unique().alias("a"), pl.col("text").unique().sort()
    )
    joined = entities.join(counts, on="entity_id", how="full", coalesce=True)
    assert joined.height == entities.height == counts.height
    assert (joined["mention_count"] == joined["n"]).all()
    assert (joined["article_count"] == joined["a"]).all()
    assert joined["aliases"].to_list() == joined["text"].to_list()
    # speakers point at existing entities, under their canonical names
    ids = dict(zip(entities["entity_id"].to_list(), entities["name"].to_list(), strict=True))
    spoken = quotes.filter(pl.col("speaker_entity_id").is_not_null())
    assert spoken.height > 10
    for speaker, sid in spoken.select("speaker", "speaker_entity_id").iter_rows():
        assert ids[sid] == speaker


def test_seed_speaker_ids_follow_the_merge(seed_resolved):
    _, quotes_before, (_, quotes, _) = seed_resolved
    us_before = quotes_before.filter(pl.col("speaker") == "US")
    assert us_before.height >= 1  # "... the US said"
    us_after = quotes.filter(pl.col("quote_id").is_in(us_before["quote_id"].implode()))
    assert us_after["speaker"].unique().to_list() == ["United States"]
    assert us_after["speaker_entity_id"].unique().to_list() == [entity_id("GPE", "United States")]


# ---------------------------------------------------------------- aliases


def test_country_aliases_merge_on_written_sentences(nlp):
    articles = pl.DataFrame(
        {
            "article_id": ["a1", "a2", "a3"],
            "body": [
                "The US imposed new tariffs on steel on Monday, officials in Washington said.",
                "U.S. officials met their counterparts from France in Paris on Tuesday.",
                "The United States and Britain signed the agreement, while the UK economy slowed.",
            ],
        }
    )
    mentions, quotes = extract(articles, nlp)
    out, _, entities = resolve_entities(mentions, quotes)
    gpe = entities.filter(pl.col("name") == "United States").row(0, named=True)
    assert gpe["label"] == "GPE"
    assert gpe["article_count"] == 3
    assert {"US", "U.S.", "United States"} <= set(gpe["aliases"])
    uk = entities.filter(pl.col("name") == "United Kingdom").row(0, named=True)
    assert {"Britain", "UK"} <= set(uk["aliases"])
    assert entities.filter(pl.col("name").is_in(["US", "U.S.", "UK", "Britain"])).height == 0
    assert set(out["entity_id"].to_list()) == set(entities["entity_id"].to_list())


def test_case_and_punctuation_variants_share_one_entity():
    mentions = frame(
        [
            ("a1", "George W. Bush", "PERSON"),
            ("a2", "George W Bush", "PERSON"),
            ("a3", "George W Bush", "PERSON"),
            ("a4", "Opec", "ORG"),
            ("a5", "OPEC", "ORG"),
            ("a6", "the Lib Dems", "ORG"),
        ]
    )
    out, _, _ = resolve_entities(mentions, NO_QUOTES)
    names = names_of(out)
    assert {names[f"a{i}-m{i - 1:04d}"] for i in (1, 2, 3)} == {("George W Bush", "PERSON")}
    assert names["a4-m0003"] == names["a5-m0004"] == ("OPEC", "ORG")
    assert names["a6-m0005"] == ("Liberal Democrats", "ORG")
    assert match_key("U.S.") == match_key("US") == "us"
    assert match_key("the UK’s") == "uk"
    assert match_key("Thomas-Greenfield") == "thomas-greenfield"
    words = ["U.S.", "the Lib Dems", "Thomas–Greenfield", "UK’s", "  New   York ", "St. John's"]
    expr = pl.DataFrame({"n": words}).select(match_key_expr("n")).to_series().to_list()
    assert expr == [match_key(w) for w in words]


def test_lone_surname_takes_the_one_full_name_in_the_corpus():
    labour, brown = ("Labour Party", "ORG"), ("Gordon Brown", "PERSON")
    mentions = frame(
        [
            ("a1", "Tony Blair", "PERSON"),
            ("a1", "Tony Blair", "PERSON", "Blair"),
            ("a1", *labour),
            ("a1", *brown),
            ("a2", "Tony Blair", "PERSON"),
            ("a2", *labour),
            ("a2", *brown),
            ("a3", "Blair", "PERSON"),  # an article that only says "Mr Blair", about Labour and Brown
            ("a3", *labour),
            ("a3", *brown),
            ("a4", "Blair", "ORG"),  # the model never called it a person here: left alone
            ("a4", *labour),
            ("a4", *brown),
            ("a5", "Roy Keane", "PERSON"),
            ("a6", "Robbie Keane", "PERSON"),
            ("a7", "Keane", "PERSON"),  # Roy or Robbie: left alone
            ("a8", "David", "PERSON"),  # more often a first name than a surname
            ("a9", "Craig David", "PERSON"),
            ("b1", "David Beckham", "PERSON"),
            ("b2", "David Blunkett", "PERSON"),
            ("b3", "Blair", "PERSON"),  # "Blair" in an article that shares nothing with Tony Blair's
            ("b3", "Scotland", "GPE"),
        ]
    )
    out, _, entities = resolve_entities(mentions, NO_QUOTES)
    names = names_of(out)
    assert names["a3-m0007"] == ("Tony Blair", "PERSON")
    blair = entities.filter(pl.col("name") == "Tony Blair").row(0, named=True)
    assert (blair["mention_count"], blair["article_count"]) == (4, 3)
    assert blair["aliases"] == ["Blair", "Tony Blair"]
    assert names["a4-m0010"][0] == "Blair"
    assert names["b3-m0020"] == ("Blair", "PERSON")
    assert names["a7-m0015"] == ("Keane", "PERSON")
    assert names["a8-m0016"] == ("David", "PERSON")


def person_corpus(lone: list[tuple], body: str | None = None, sections: tuple[str, str] = ("s", "s")):
    """Two articles about a full name and one with the lone surname, all sharing Arsenal and Highbury;
    with `body`, the lone article's text, its mentions found in it in order."""
    rows = [
        ("a1", "John Wilkinson", "PERSON"),
        ("a1", "Arsenal", "ORG"),
        ("a1", "Highbury", "FAC"),
        ("a2", "John Wilkinson", "PERSON"),
        ("a2", "Arsenal", "ORG"),
        ("a2", "Highbury", "FAC"),
        *[("a3", *r) for r in lone],
        ("a3", "Arsenal", "ORG"),
        ("a3", "Highbury", "FAC"),
        *[(f"z{i}", "Paris", "GPE") for i in range(6)],
    ]
    mentions = frame(rows)
    bodies = {a: "" for a in mentions["article_id"].unique().to_list()}
    if body is not None:
        bodies["a3"] = body
        starts, ends, pos = [], [], 0
        for article_id, text, start, end in mentions.select(
            "article_id", "text", "start_char", "end_char"
        ).iter_rows():
            if article_id == "a3":
                start = body.index(text, pos)
                end, pos = start + len(text), start + len(text)
            starts.append(start)
            ends.append(end)
        mentions = mentions.with_columns(start_char=pl.Series(starts), end_char=pl.Series(ends))
    articles = pl.DataFrame(
        {
            "article_id": list(bodies),
            "body": list(bodies.values()),
            "source_path": [f"bbc_{sections[1] if a == 'a3' else sections[0]}_{i:03d}.txt"
                            for i, a in enumerate(bodies)],
        }
    )  # fmt: skip
    out, _, _ = resolve_entities(mentions, NO_QUOTES, articles=articles)
    return out.filter(pl.col("article_id") == "a3")["name"].to_list()


def test_lone_surname_merges_only_with_context_and_no_conflict():
    # shared context: the surname joins the full name
    assert person_corpus([("Wilkinson", "PERSON")])[0] == "John Wilkinson"
    body = "Wilkinson scored for Arsenal at Highbury."
    assert person_corpus([("Wilkinson", "PERSON")], body)[0] == "John Wilkinson"
    # "Mrs Wilkinson" is not John
    body = "Mrs Wilkinson watched Arsenal at Highbury."
    assert person_corpus([("Wilkinson", "PERSON", "Mrs Wilkinson")], body)[0] == "Wilkinson"
    # a word of a title: "Paying the Wilkinson" is a report, not a person
    body = "The report Paying the Wilkinson was read by Arsenal fans at Highbury."
    assert person_corpus([("Wilkinson", "PERSON")], body)[0] == "Wilkinson"
    # another section of the publisher: another Wilkinson
    assert person_corpus([("Wilkinson", "PERSON")], sections=("sport", "entertainment"))[0] == "Wilkinson"
    assert person_corpus([("Wilkinson", "PERSON")], sections=("sport", "sport"))[0] == "John Wilkinson"


def test_short_org_forms_merge_into_the_one_longer_name():
    mentions = frame(
        [
            ("a1", "Fox Entertainment Group", "ORG"),
            ("a2", "Fox Entertainment Group", "ORG"),
            ("a3", "Fox Entertainment", "ORG"),  # corpus-wide: one longer name adds a legal suffix
            ("a4", "Security Council", "ORG"),  # the seed
            ("a5", "European Commission", "ORG"),
            ("a5", "Commission", "ORG"),  # within its article
            ("a6", "Commission", "ORG"),  # alone: which commission? left alone
            ("a7", "University of Copenhagen", "ORG"),
            ("a7", "Copenhagen", "ORG"),  # not a kind of Copenhagen
        ]
    )
    out, _, _ = resolve_entities(mentions, NO_QUOTES)
    names = [n for n, _ in names_of(out).values()]
    assert names[2] == "Fox Entertainment Group"
    assert names[3] == "UN Security Council"
    assert names[5] == "European Commission"
    assert names[6] == "Commission"
    assert names[8] == "Copenhagen"


def test_org_names_merge_only_by_suffix_qualifier_or_name_words():
    mentions = frame(
        [
            ("a1", "New University of Ulster", "ORG"),
            ("a1", "University of Ulster", "ORG"),  # "New" is no qualifier
            ("a2", "Lenovo Group", "ORG"),
            ("a2", "Lenovo", "ORG"),  # a legal suffix
            ("a3", "US Senate", "ORG"),
            ("a3", "Senate", "ORG"),  # a qualifier before a generic name
            ("a4", "Bookmakers Ladbrokes", "ORG"),
            ("a4", "Ladbrokes", "ORG"),  # "bookmakers" is a common word
            ("a5", "Kiki Musampa", "ORG"),
            ("a5", "Musampa", "ORG"),  # a person the model called an organisation
            ("a6", "Dinamo Bucharest FC", "ORG"),
            ("a6", "Bucharest FC", "ORG"),  # a name before it, within the article
        ]
    )
    articles = pl.DataFrame(
        {"article_id": [f"a{i}" for i in range(1, 7)], "body": ["the new bookmakers said"] * 6}
    )
    out, _, _ = resolve_entities(mentions, NO_QUOTES, articles=articles)
    names = [n for n, _ in names_of(out).values()]
    assert names[1] == "University of Ulster"
    assert names[3] == "Lenovo Group"
    assert names[5] == "US Senate"
    assert names[7] == "Ladbrokes"
    assert names[9] == "Musampa"
    assert names[11] == "Dinamo Bucharest FC"


def test_well_attested_organisation_is_not_made_a_person_and_lowercase_is_noise():
    mentions = frame(
        [
            *[(f"a{i}", "Universal", "ORG") for i in range(4)],
            *[(f"b{i}", "Universal", "PERSON") for i in range(6)],
            ("c1", "Vivendi Universal", "PERSON"),
            ("c1", "Vivendi Universal", "PERSON", "Universal"),  # written short: a "surname"
            ("c2", "polish", "NORP"),
            ("c3", "Polish", "NORP"),
            ("c4", "Cia.", "ORG"),  # Companhia, not the CIA
            ("c5", "CIA", "ORG"),
            ("c6", "Fed", "ORG"),  # the seed's own spelling
        ]
    )
    out, _, entities = resolve_entities(mentions, NO_QUOTES)
    labels = dict(zip(entities["name"].to_list(), entities["label"].to_list(), strict=True))
    assert labels["Universal"] == "ORG"
    assert "polish" not in out["name"].to_list()
    names = names_of(out)
    assert names["c3-m0013"] == ("Polish", "NORP")
    assert names["c4-m0014"][0] == "Cia."
    assert names["c5-m0015"] == ("CIA", "ORG")
    assert names["c6-m0016"] == ("Federal Reserve", "ORG")


# ---------------------------------------------------------------- labels and noise


def test_majority_label_wins_and_person_needs_evidence():
    mentions = frame(
        [
            ("a1", "Yukos", "ORG"),
            ("a2", "Yukos", "ORG"),
            ("a3", "Yukos", "PERSON"),
            ("a4", "Yukos", "ORG"),
            ("a5", "Glasgow", "PERSON"),  # PERSON 2 : GPE 1, but nobody is called Glasgow
            ("a6", "Glasgow", "PERSON"),
            ("a7", "Glasgow", "GPE"),
            ("a8", "Manchester United", "PERSON"),  # the model's favourite mistake
            ("a9", "Rafael Nadal", "PERSON"),
            ("a9", "Rafael Nadal", "PERSON", "Nadal"),
            ("b1", "Rafael Nadal", "ORG"),
        ]
    )
    out, _, entities = resolve_entities(mentions, NO_QUOTES)
    labels = dict(zip(entities["name"].to_list(), entities["label"].to_list(), strict=True))
    assert labels == {"Yukos": "ORG", "Glasgow": "GPE", "Manchester United": "ORG", "Rafael Nadal": "PERSON"}
    assert out.filter(pl.col("name") == "Yukos")["entity_id"].unique().to_list() == [
        entity_id("ORG", "Yukos")
    ]
    assert out.filter(pl.col("name") == "Yukos")["label"].unique().to_list() == ["ORG"]


def test_noise_is_removed_and_agency_credits_only_as_credits():
    body = "Reuters reported the deal on Monday.\nThe minister arrives. Photo: Reuters\nGetty Images"
    articles = pl.DataFrame({"article_id": ["a1"], "body": [body]})
    rows = [
        ("a1", "Reuters", "ORG", 0, 7),
        ("a1", "Reuters", "ORG", body.index("Photo: Reuters") + 7, body.index("Photo: Reuters") + 14),
        ("a1", "Getty Images", "ORG", body.index("Getty"), len(body)),
        ("a1", "747", "PRODUCT", 0, 3),
        ("a1", "8:11.22", "PERSON", 0, 7),
        ("a1", "I.", "ORG", 0, 2),
        ("a1", "Ford", "ORG", 0, 4),
    ]
    mentions = frame([r[:3] for r in rows]).with_columns(
        start_char=pl.Series([r[3] for r in rows]), end_char=pl.Series([r[4] for r in rows])
    )
    quotes = pl.DataFrame(
        [
            {"quote_id": "a1-q0000", "article_id": "a1", "text": "x", "quote_type": "direct",
             "speaker": "Getty Images", "speaker_entity_id": entity_id("ORG", "Getty Images"),
             "speaker_mention": "Getty Images", "cue": "said", "start_char": 0, "end_char": 1,
             "speaker_role": None},
            {"quote_id": "a1-q0001", "article_id": "a1", "text": "y", "quote_type": "direct",
             "speaker": "Reuters", "speaker_entity_id": entity_id("ORG", "Reuters"),
             "speaker_mention": "Reuters", "cue": "reported", "start_char": 1, "end_char": 2,
             "speaker_role": None},
        ],
        schema=QUOTES_SCHEMA,
    )  # fmt: skip
    out, q, entities = resolve_entities(mentions, quotes, articles=articles)
    assert out["mention_id"].to_list() == ["a1-m0000", "a1-m0006"]
    assert sorted(entities["name"].to_list()) == ["Ford", "Reuters"]
    assert q["speaker"].to_list() == [None, "Reuters"]
    assert q["speaker_entity_id"].to_list() == [None, entity_id("ORG", "Reuters")]
    # without the bodies there is no context: the agency name stays, the photo credit still goes
    out, _, _ = resolve_entities(mentions, quotes)
    assert out["mention_id"].to_list() == ["a1-m0000", "a1-m0001", "a1-m0006"]


# ---------------------------------------------------------------- stability and edges


def test_ids_are_stable_when_the_input_order_changes(seed_resolved):
    before, quotes, (mentions, _, entities) = seed_resolved
    shuffled = before.sample(fraction=1.0, shuffle=True, seed=7)
    articles = pl.DataFrame({"article_id": ["003", "000"], "body": [seed_body("003"), seed_body("000")]})
    again, quotes_again, entities_again = resolve_entities(shuffled, quotes.reverse(), articles=articles)
    assert again["mention_id"].to_list() == shuffled["mention_id"].to_list()  # input order kept
    pairs = dict(zip(mentions["mention_id"].to_list(), mentions["entity_id"].to_list(), strict=True))
    assert dict(zip(again["mention_id"].to_list(), again["entity_id"].to_list(), strict=True)) == pairs
    assert entities_again.sort("entity_id").equals(entities.sort("entity_id"))
    assert set(quotes_again["speaker_entity_id"].drop_nulls()) <= set(entities["entity_id"])


def test_extra_columns_are_kept_and_empty_frames_work():
    mentions = frame([("a1", "US", "GPE"), ("a2", "U.S.", "GPE")], extra={"confidence": 0.5})
    out, _, entities = resolve_entities(mentions, NO_QUOTES)
    assert out.columns == mentions.columns
    assert out["confidence"].to_list() == [0.5, 0.5]
    assert entities.height == 1
    empty, q, ents = resolve_entities(pl.DataFrame(schema=MENTIONS_SCHEMA), NO_QUOTES)
    assert empty.height == 0 and q.height == 0 and ents.height == 0
    assert dict(ents.schema) == {**ENTITIES_SCHEMA, **ENTITY_GENDER_SCHEMA}


def test_alias_seed_loads_and_conflicts_name_the_file(tmp_path):
    ref = load_canonical_reference()
    assert ref.aliases["us"] == ("United States", "GPE")
    assert ref.aliases["security council"] == ("UN Security Council", "ORG")
    assert "getty images" in ref.photo_credits and "ap" not in ref.photo_credits
    for name in ("agency_credits.csv", "first_names.csv"):
        (tmp_path / name).write_text((load_canonical_reference.__wrapped__.__globals__["SEEDS_DIR"] / name)
                                     .read_text(encoding="utf-8"), encoding="utf-8")  # fmt: skip
    (tmp_path / "entity_aliases.csv").write_text(
        "alias,canonical,label\nUS,United States,GPE\nUS,Ulster Scots,NORP\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"entity_aliases\.csv"):
        load_canonical_reference(tmp_path)


def test_an_organisation_written_both_ways_is_named_with_its_acronym(nlp):
    articles = pl.DataFrame(
        {
            "article_id": ["b1", "b2"],
            "body": [
                "The Committee for Safe Harbours (CSH) wrote to the minister in May.\n\n"
                "CSH said the new rules would push small boats out of the bay.",
                "The Harbour Pilots Guild met on Friday.\n\n"
                "The Harbour Pilots Guild said the channel needs dredging before winter.",
            ],
        }
    )
    mentions, quotes = extract(articles, nlp)
    _, quotes, entities = resolve_entities(mentions, quotes, articles=articles)
    speakers = dict(zip(quotes["text"], quotes["speaker"], strict=True))
    both = next(s for t, s in speakers.items() if "push small boats" in t)
    assert both == "Committee for Safe Harbours (CSH)"  # found under either name
    assert both in entities["name"].to_list()
    spelled = next(s for t, s in speakers.items() if "needs dredging" in t)
    assert spelled == "Harbour Pilots Guild"  # never written as an acronym: no acronym is made up


def test_an_acronym_is_added_only_when_its_letters_are_the_initials():
    mentions = frame(
        [
            ("c1", "Wirral Ferry Board", "ORG"),
            ("c1", "Wirral Ferry Board", "ORG", "WFC"),  # some other body's letters, resolved here by mistake
            ("c2", "Tidal Energy Agency", "ORG"),
            ("c2", "Tidal Energy Agency", "ORG", "TEA"),
        ]
    )
    out, _, _ = resolve_entities(mentions, NO_QUOTES)
    names = [n for n, _ in names_of(out).values()]
    assert names == ["Wirral Ferry Board"] * 2 + ["Tidal Energy Agency (TEA)"] * 2
