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
        assert (q["speaker"] is None) == (q["speaker_entity_id"] is None)


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
