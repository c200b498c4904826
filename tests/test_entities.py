"""Entity mentions and the entities table, with the real spaCy model."""

from __future__ import annotations

import re

import polars as pl
import pytest

from pipeline.nlp.entities import build_entities, entity_id
from pipeline.nlp.extract import MENTIONS_SCHEMA, QUOTES_SCHEMA, extract
from pipeline.nlp.model import MODEL_NAME, load_model, model_version
from pipeline.nlp.reference import load_reference, read_column
from tests.conftest import seed_body


@pytest.fixture(scope="module")
def seed_mentions(nlp) -> pl.DataFrame:
    articles = pl.DataFrame({"article_id": ["000", "003"], "body": [seed_body("000"), seed_body("003")]})
    mentions, _ = extract(articles, nlp)
    return mentions


def mentions_of(nlp, body: str) -> pl.DataFrame:
    return extract(pl.DataFrame({"article_id": ["a1"], "body": [body]}), nlp)[0]


def test_model_loads_and_names_its_version(nlp):
    assert load_model() is nlp
    assert model_version(nlp) == f"{MODEL_NAME}-3.8.0"
    with pytest.raises(RuntimeError, match="not_a_model_xyz"):
        load_model("not_a_model_xyz")


def test_entity_id_is_stable_and_case_blind():
    assert entity_id("PERSON", "Antony Blinken") == entity_id("PERSON", "antony blinken")
    assert entity_id("PERSON", "Antony Blinken") != entity_id("ORG", "Antony Blinken")
    assert re.fullmatch(r"[0-9a-f]{16}", entity_id("GPE", "Israel"))


@pytest.mark.parametrize(
    ("article", "people"),
    [
        ("000", ["Antony Blinken", "Benjamin Netanyahu", "Aaron David Miller"]),
        ("003", ["Antony Blinken", "Benjamin Netanyahu", "Nate Evans", "Linda Thomas-Greenfield"]),
        ("003", ["Chuck Schumer", "Mike Johnson", "Bill Burns"]),
    ],
)
def test_seed_people_are_one_person_entity_each(seed_mentions, article, people):
    rows = seed_mentions.filter(pl.col("article_id") == article)
    for person in people:
        surname = person.split()[-1]
        mine = rows.filter(pl.col("text").str.contains(surname, literal=True))
        assert mine.height > 0, person
        assert mine["name"].unique().to_list() == [person]
        assert mine["label"].unique().to_list() == ["PERSON"]
        assert mine["entity_id"].unique().to_list() == [entity_id("PERSON", person)]


def test_short_forms_resolve_to_full_name_in_seed(seed_mentions):
    blinken = seed_mentions.filter((pl.col("article_id") == "000") & (pl.col("name") == "Antony Blinken"))
    assert {"Antony Blinken", "Blinken"} <= set(blinken["text"].to_list())
    assert blinken.height >= 6


def test_offsets_match_body_and_types_are_exact(seed_mentions):
    assert dict(seed_mentions.schema) == MENTIONS_SCHEMA
    bodies = {"000": seed_body("000"), "003": seed_body("003")}
    for row in seed_mentions.iter_rows(named=True):
        assert bodies[row["article_id"]][row["start_char"] : row["end_char"]] == row["text"]
    assert seed_mentions["mention_id"].n_unique() == seed_mentions.height


def test_role_words_are_not_entities_and_roles_attach(seed_mentions):
    assert "State" not in seed_mentions["text"].to_list()
    roles = {
        (r["name"], r["role"])
        for r in seed_mentions.filter(pl.col("role").is_not_null()).iter_rows(named=True)
    }
    assert ("Antony Blinken", "Secretary of State") in roles
    assert ("Chuck Schumer", "Senate Minority Leader") in roles
    assert ("Mike Johnson", "House Speaker") in roles
    assert ("Linda Thomas-Greenfield", "Ambassador to the UN") in roles


def test_numeric_labels_are_dropped(seed_mentions):
    assert not set(seed_mentions["label"].to_list()) & {"DATE", "TIME", "CARDINAL", "PERCENT", "MONEY"}


def test_honorific_surname_and_possessive_resolve(nlp):
    body = (
        "Prime Minister Benjamin Netanyahu met the envoy in Jerusalem on Monday.\n\n"
        "Mr Netanyahu said little afterwards. Netanyahu's office later issued a statement."
    )
    rows = mentions_of(nlp, body).filter(pl.col("text").str.contains("Netanyahu"))
    assert rows.height == 3
    assert rows["name"].unique().to_list() == ["Benjamin Netanyahu"]
    assert "Netanyahu's" not in rows["text"].to_list()  # the possessive is trimmed off
    assert rows["role"].to_list()[0] == "Prime Minister"
    assert rows["sentence_no"].to_list() == [0, 1, 2]


def test_leading_the_is_trimmed(nlp):
    body = "Officials at the Halden Institute for Coastal Policy disagreed with the report."
    rows = mentions_of(nlp, body)
    texts = rows["text"].to_list()
    assert "Halden Institute for Coastal Policy" in texts
    assert not any(t.lower().startswith("the ") for t in texts)


def test_build_entities_counts_and_types(seed_mentions):
    ents = build_entities(seed_mentions)
    assert dict(ents.schema) == {
        "entity_id": pl.String,
        "name": pl.String,
        "label": pl.String,
        "aliases": pl.List(pl.String),
        "mention_count": pl.Int64,
        "article_count": pl.Int64,
    }
    assert ents["entity_id"].n_unique() == ents.height
    blinken = ents.filter(pl.col("entity_id") == entity_id("PERSON", "Antony Blinken")).row(0, named=True)
    assert blinken["article_count"] == 2
    assert blinken["aliases"] == sorted(blinken["aliases"])
    assert blinken["mention_count"] == seed_mentions.filter(pl.col("name") == "Antony Blinken").height


def test_build_entities_on_empty_mentions():
    empty = pl.DataFrame(schema=MENTIONS_SCHEMA)
    ents = build_entities(empty)
    assert ents.height == 0
    assert ents.schema["mention_count"] == pl.Int64


def test_extract_on_no_articles_and_empty_bodies(nlp):
    mentions, quotes = extract(
        pl.DataFrame({"article_id": [], "body": []}, schema={"article_id": pl.String, "body": pl.String}), nlp
    )
    assert dict(mentions.schema) == MENTIONS_SCHEMA and mentions.height == 0
    assert dict(quotes.schema) == QUOTES_SCHEMA and quotes.height == 0
    mentions, quotes = extract(pl.DataFrame({"article_id": ["x", "y"], "body": ["", None]}), nlp)
    assert mentions.height == 0 and quotes.height == 0


def test_reference_seeds_load_and_bad_csv_names_the_file(tmp_path):
    ref = load_reference()
    assert {"say", "tell", "add", "reiterate"} <= ref.reporting_verbs
    assert "mr" in ref.honorifics
    assert "Secretary of State" in ref.roles
    bad = tmp_path / "reporting_verbs.csv"
    bad.write_text("verb\nsay\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"reporting_verbs\.csv"):
        read_column(bad, "lemma")
    bad.write_text("lemma\nsay\n\n,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"reporting_verbs\.csv"):
        read_column(bad, "lemma")


def test_appositive_role_after_a_person_is_kept_as_the_role(nlp, seed_mentions):
    evans = seed_mentions.filter((pl.col("article_id") == "003") & (pl.col("name") == "Nate Evans"))
    assert evans["role"].to_list()[0] == "spokesperson for the US Mission to the UN"
    body = (
        "Rishi Sunak, a former Prime Minister, disagreed with the plan.\n\n"
        "Jane Smith, who lives nearby, said nothing."
    )
    rows = mentions_of(nlp, body).filter(pl.col("label") == "PERSON")
    roles = dict(zip(rows["name"].to_list(), rows["role"].to_list(), strict=True))
    assert roles == {"Rishi Sunak": "Prime Minister", "Jane Smith": None}
    assert "Prime Minister" not in mentions_of(nlp, body)["text"].to_list()


def test_an_acronym_is_an_alias_of_its_spelled_out_name():
    from pipeline.nlp.entities import acronym_expansion

    text = "The Royal Canadian Mounted Police said on Monday. The RCMP declined to comment."
    assert acronym_expansion(text, "RCMP") == "Royal Canadian Mounted Police"
    assert (
        acronym_expansion("The Department of National Defence said.", "DND")
        == "Department of National Defence"
    )
    assert acronym_expansion("The RCMP declined to comment.", "RCMP") is None
    assert acronym_expansion("Some text.", "Rcmp") is None


def test_a_province_after_a_town_is_a_place(nlp):
    from spacy.tokens import Doc

    from pipeline.nlp.entities import article_entities

    doc = nlp(Doc(nlp.vocab, words=["She", "moved", "to", "Millbank", ",", "Ont", "."]))
    doc.ents = [doc.char_span(13, 21, "GPE"), doc.char_span(24, 27, "PERSON")]
    labels = {m.text: m.label for m in article_entities(doc, load_reference()).mentions}
    assert labels == {"Millbank": "GPE", "Ont": "GPE"}


def test_a_title_keeps_its_capital_the_in_mid_sentence(nlp):
    names = mentions_of(nlp, "The mayor told The Courier that the bridge would reopen.")["name"].to_list()
    assert "The Courier" in names


def test_the_seed_publisher_interview_is_the_publisher_not_a_fragment(seed_mentions):
    orgs = seed_mentions.filter(pl.col("label") == "ORG")["name"].to_list()
    assert "National" not in orgs and "The National" in orgs


def test_a_generic_one_word_organisation_is_the_one_just_named_in_full(nlp):
    body = "The Regional Water Council met on Friday.\n\nThe Council voted to raise the tariff by a tenth."
    mentions = mentions_of(nlp, body).filter(pl.col("label") == "ORG")
    assert set(mentions["name"]) == {"Regional Water Council"}


def test_a_name_introduced_by_what_it_is_is_an_organisation_the_description_finds_later(nlp):
    from pipeline.nlp.extract import extract

    body = (
        "Advertising spending on radio will fall again next year, according to media buying company "
        "Lumenor.\n\nThe company said smaller stations would suffer most."
    )
    _, quotes = extract(pl.DataFrame({"article_id": ["t"], "body": [body]}), nlp)
    later = [q for q in quotes.to_dicts() if "smaller stations" in q["text"]]
    assert later and later[0]["speaker"] == "Lumenor"  # the model tags no entity there


def test_a_one_word_organisation_the_model_tagged_once_is_that_entity_everywhere(nlp):
    from pipeline.nlp.entities import article_entities
    from pipeline.nlp.paragraphs import paragraph_doc
    from pipeline.nlp.quotes import article_quotes

    body = (
        "The Liberals launched a housing plan on Monday.\n\n"
        "Behind the Liberals’ offer of a cheaper bus pass is a plan to win over Scots’ students. "
        "Every route, they say, will run until midnight, as the Toronto Liberals’ old scheme did."
    )
    doc = nlp(paragraph_doc(nlp, body))
    tagged = [("Liberals", "ORG"), ("Scots", "NORP")]  # the model tags each once, as it may
    doc.ents = [doc.char_span(body.index(w), body.index(w) + len(w), label=label) for w, label in tagged]
    ents = article_entities(doc, load_reference())
    liberals = [m for m in ents.mentions if m.text == "Liberals"]
    assert len(liberals) == 2  # the repeat is found; the word inside 'Toronto Liberals' is not
    assert len({m.entity_id for m in liberals}) == 1
    quotes = article_quotes(doc, ents, load_reference())
    quote = next(q for q in quotes if "Every route" in doc.text[q.start : q.end])
    assert quote.speaker == "Liberals"  # 'they' is the party the paragraph is about, not the Scots
