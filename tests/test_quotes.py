"""Quotes and speakers, with the real spaCy model, on sentences written here and the seed articles."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.nlp.entities import entity_id
from pipeline.nlp.extract import QUOTES_SCHEMA, extract
from tests.conftest import seed_body


def quotes_of(nlp, body: str) -> list[dict]:
    _, quotes = extract(pl.DataFrame({"article_id": ["t"], "body": [body]}), nlp)
    assert dict(quotes.schema) == QUOTES_SCHEMA
    for q in quotes.iter_rows(named=True):
        assert body[q["start_char"] : q["end_char"]] == q["text"]
    return quotes.to_dicts()


def find(quotes: list[dict], fragment: str) -> dict:
    hits = [q for q in quotes if fragment in q["text"]]
    assert hits, f"no quote contains {fragment!r}: {[q['text'] for q in quotes]}"
    return hits[0]


@pytest.fixture(scope="module")
def seed_quotes(nlp) -> dict[str, list[dict]]:
    bodies = {"000": seed_body("000"), "003": seed_body("003")}
    _, quotes = extract(pl.DataFrame({"article_id": list(bodies), "body": list(bodies.values())}), nlp)
    for q in quotes.iter_rows(named=True):
        assert bodies[q["article_id"]][q["start_char"] : q["end_char"]] == q["text"]
    return {a: quotes.filter(pl.col("article_id") == a).to_dicts() for a in bodies}


@pytest.mark.parametrize(
    ("article", "fragment", "speaker", "mention"),
    [
        ("000", "we will do it alone", "Benjamin Netanyahu", "he"),
        ("000", "I greatly appreciate the fact", "Benjamin Netanyahu", "Mr Netanyahu"),
        ("000", "They're angry, they're frustrated", "Aaron David Miller", "Mr Miller"),
        ("000", "much more fundamental to the US-Israeli", "Aaron David Miller", "Aaron David Miller"),
        ("000", "sense of urgency about getting a ceasefire", "Antony Blinken", "Mr Blinken"),
        ("003", "Israel needs to do more", "Antony Blinken", "he"),
        ("003", "This Resolution is an opportunity", "Nate Evans", "Nate Evans"),
        ("003", "Russia put politics over progress", "Linda Thomas-Greenfield", "Thomas-Greenfield"),
        ("003", "a major military operation in Rafah would be a mistake", "Antony Blinken", "Blinken"),
    ],
)
def test_seed_direct_quotes_and_speakers(seed_quotes, article, fragment, speaker, mention):
    q = find(seed_quotes[article], fragment)
    assert q["quote_type"] == "direct"
    assert q["speaker"] == speaker
    assert q["speaker_mention"] == mention
    assert q["speaker_entity_id"] == entity_id("PERSON", speaker)
    assert not q["text"].startswith(("“", '"')) and not q["text"].endswith(("”", '"'))


def test_seed_floating_quote_keeps_previous_speaker(seed_quotes):
    q = find(seed_quotes["000"], "You have a huge crisis of confidence")
    assert q["speaker"] == "Aaron David Miller"
    assert q["cue"] is None
    q = find(seed_quotes["000"], "Almost by definition")
    assert q["speaker"] == "Antony Blinken"


def test_seed_partial_quote(seed_quotes):
    q = find(seed_quotes["000"], "jeopardising")
    assert q["quote_type"] == "partial"
    assert q["speaker"] == "Antony Blinken"
    assert "long-term security and standing" in q["text"]


def test_cue_after_with_inverted_subject(nlp):
    quotes = quotes_of(nlp, "“We will not back down on this,” said Maria Lopez, the union's president.")
    assert len(quotes) == 1
    assert quotes[0]["text"] == "We will not back down on this"
    assert quotes[0]["speaker"] == "Maria Lopez"
    assert quotes[0]["cue"] == "said"


def test_cue_before_with_colon(nlp):
    body = (
        "Chancellor Olaf Scholz spoke in Berlin.\n\n"
        "After the vote, Mr Scholz said: “This is a good day for Europe.”"
    )
    q = find(quotes_of(nlp, body), "good day for Europe")
    assert q["quote_type"] == "direct"
    assert q["speaker"] == "Olaf Scholz"
    assert q["speaker_mention"] == "Mr Scholz"


def test_pronoun_resolves_to_recent_person(nlp):
    body = (
        "Sarah Okafor runs the food bank in Leeds.\n\n"
        "“Demand has doubled since the winter and we are running out of space,” she said."
    )
    q = find(quotes_of(nlp, body), "Demand has doubled")
    assert q["speaker"] == "Sarah Okafor"
    assert q["speaker_mention"] == "she"


def test_multi_paragraph_quote_runs_to_paragraph_end(nlp):
    body = (
        "“The first thing we did was count the boats in the harbour,” said harbour master Tom Reilly.\n\n"
        "“Then we counted them again, because nobody believed the number\n\n"
        "“In the end there were forty of them.”"
    )
    quotes = quotes_of(nlp, body)
    second = find(quotes, "Then we counted them again")
    assert second["text"].endswith("believed the number")
    assert second["speaker"] == "Tom Reilly"
    assert find(quotes, "forty of them")["speaker"] == "Tom Reilly"


def test_indirect_speech(nlp):
    body = (
        "Health Minister Anna Berg said that the hospital would reopen in May.\n\n"
        "According to the regional council, the repairs will cost more than expected."
    )
    quotes = quotes_of(nlp, body)
    said = find(quotes, "the hospital would reopen in May")
    assert said["quote_type"] == "indirect"
    assert said["speaker"] == "Anna Berg"
    assert said["cue"] == "said"
    council = find(quotes, "the repairs will cost more than expected")
    assert council["quote_type"] == "indirect"
    assert council["cue"] == "according to"
    assert council["speaker_mention"] == "the regional council"


def test_told_reporters(nlp):
    body = "Police chief Dana White told reporters the suspect had left the country."
    q = find(quotes_of(nlp, body), "the suspect had left the country")
    assert q["quote_type"] == "indirect"
    assert q["speaker"] == "Dana White"


def test_scare_quotes_are_not_quotes(nlp):
    body = "The so-called “smart” meters were installed across the town last year."
    assert quotes_of(nlp, body) == []


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   \n\n  ",
        "“",
        '"',
        "”Closing first,” he said “and never opened",
        "He said: “this one never closes.\n\nAnd the next paragraph has none.",
        'Mixed "straight and “curly” marks" here,” she said. “ ',
        "A ‘single’ quote, an apostrophe’s trap and ‘an unclosed one",
        "“”“”“”",
        '""" said said said "',
    ],
)
def test_odd_quote_marks_never_raise(nlp, body):
    quotes = quotes_of(nlp, body)
    for q in quotes:
        assert q["text"].strip() == q["text"] and q["text"]
        assert q["quote_type"] in {"direct", "partial", "indirect"}
        assert q["speaker_entity_id"] is None or q["speaker"] is not None


def test_ids_are_numbered_per_article(nlp):
    body = "“One thing,” Ana Silva said.\n\n“Another thing,” Ana Silva said."
    _, quotes = extract(pl.DataFrame({"article_id": ["a", "b"], "body": [body, body]}), nlp)
    assert quotes["quote_id"].to_list() == ["a-q0000", "a-q0001", "b-q0000", "b-q0001"]


def test_seed_indirect_with_definite_title_speaker(seed_quotes):
    q = find(seed_quotes["000"], "his country's forces would go into Rafah")
    assert q["quote_type"] == "indirect"
    assert q["cue"] == "added"
    assert q["speaker_mention"] == "the long-time Israeli leader"
    assert q["speaker"] == "Benjamin Netanyahu"


def test_cue_in_the_middle(nlp):
    body = "“We are not finished,” said Olivia Grant, “and we will be back next spring.”"
    quotes = quotes_of(nlp, body)
    assert find(quotes, "We are not finished")["speaker"] == "Olivia Grant"
    assert find(quotes, "back next spring")["speaker"] == "Olivia Grant"


def test_pronouns_agree_in_gender(nlp):
    body = (
        "Rachel Moore met Thomas Keller at the plant on Monday.\n\n"
        "“The line will stay open until June,” he said.\n\n"
        "“We were told nothing about the closure until this week,” she said."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "stay open until June")["speaker"] == "Thomas Keller"
    assert find(quotes, "told nothing about the closure")["speaker"] == "Rachel Moore"


def test_pronoun_skips_names_inside_reported_words(nlp):
    body = (
        "Mayor Linda Park said the deal with developer Robert Chen was signed last year.\n\n"
        "“It is the best deal this city has ever made,” she said."
    )
    assert find(quotes_of(nlp, body), "best deal this city")["speaker"] == "Linda Park"


def test_definite_title_resolves_to_the_person_with_that_role(nlp):
    body = (
        "Mayor Doug Harper opened the new arena on Friday with coach Brian Walsh.\n\n"
        "“This rink will serve the whole city for decades,” the mayor told reporters."
    )
    q = find(quotes_of(nlp, body), "serve the whole city")
    assert q["speaker"] == "Doug Harper"
    assert q["speaker_mention"] == "the mayor"


def test_apposition_gives_speaker_and_role(nlp):
    body = (
        "Nate Evans, the spokesperson for the city council, told reporters that the budget would be "
        "published on Friday."
    )
    q = find(quotes_of(nlp, body), "the budget would be published on Friday")
    assert q["quote_type"] == "indirect"
    assert q["speaker"] == "Nate Evans"
    assert q["speaker_role"] == "the spokesperson for the city council"


def test_floating_quote_follows_reported_speech(nlp):
    body = (
        "Anna Kowalski said the shelter had run out of beds in December.\n\n"
        "“We turned away forty people in one night. Nobody should sleep outside in this cold.”"
    )
    q = find(quotes_of(nlp, body), "We turned away forty people")
    assert q["cue"] is None
    assert q["speaker"] == "Anna Kowalski"


def test_unnamed_group_speaker_is_kept_as_written(nlp):
    body = "Some economists say the housing market will cool down by the end of the year."
    q = find(quotes_of(nlp, body), "the housing market will cool down")
    assert q["speaker"] == "Some economists"
    assert q["speaker_entity_id"] is None


def test_added_that_and_according_to_a_person(nlp):
    body = (
        "Finance Minister Paul Dufresne added that the tax cut would take effect in April.\n\n"
        "According to Dufresne, the province will balance its budget by 2021."
    )
    quotes = quotes_of(nlp, body)
    added = find(quotes, "the tax cut would take effect in April")
    assert (added["quote_type"], added["cue"], added["speaker"]) == ("indirect", "added", "Paul Dufresne")
    according = find(quotes, "the province will balance its budget")
    assert according["cue"] == "according to"
    assert according["speaker"] == "Paul Dufresne"


def test_partial_quote_ending_the_sentence(nlp):
    body = "In her statement, Karen Liu said she has “every confidence in the fairness of the process.”"
    q = find(quotes_of(nlp, body), "every confidence")
    assert q["quote_type"] == "partial"
    assert q["text"].startswith("she has")
    assert q["speaker"] == "Karen Liu"


def test_reported_questions_are_not_quotes(nlp):
    body = "Daniel Brooks did not say whether the plant would close before the summer."
    assert quotes_of(nlp, body) == []


def test_company_resolves_to_the_organisation(nlp):
    body = (
        "Maple Freight Inc. cut 300 jobs in Winnipeg on Tuesday.\n\n"
        "The company said the cuts were needed to keep the business running."
    )
    q = find(quotes_of(nlp, body), "the cuts were needed")
    assert q["speaker_mention"] == "The company"
    assert q["speaker"] == "Maple Freight Inc."
