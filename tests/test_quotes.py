"""Quotes and speakers, with the real spaCy model, on sentences written here and the seed articles."""

from __future__ import annotations

import polars as pl
import pytest
from spacy.tokens import Doc

from pipeline.nlp.entities import article_entities, entity_id
from pipeline.nlp.extract import QUOTES_SCHEMA, extract
from pipeline.nlp.paragraphs import paragraph_doc
from pipeline.nlp.reference import load_reference
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


# ---------------------------------------------------------------- paragraphs, documents, parse repairs


def test_paragraph_breaks_are_sentence_starts(nlp):
    doc = nlp(paragraph_doc(nlp, "A heading without a stop\n\nMaria Lopez said the plan works.\nA new line"))
    starts = [sent.text.strip() for sent in doc.sents]
    assert "A heading without a stop" in starts
    assert "Maria Lopez said the plan works." in starts
    assert "A new line" in starts


def test_heading_without_a_stop_does_not_become_the_speaker(nlp):
    body = (
        "Residents gathered at the hall on Monday.\n\n"
        "Language as priority issue\n\n"
        'Vickers said he\'s a "long ways from making a decision," noting that he has served for 43 years.'
    )
    q = find(quotes_of(nlp, body), "long ways from making a decision")
    assert q["speaker"] == "Vickers"


def test_a_document_speaks_for_its_author(nlp):
    body = (
        "A study by the Fraser Institute analyzed 13 recent transit projects in the region.\n\n"
        "“It is remarkable how little scrutiny is brought to bear on them,” the report said.\n\n"
        "“The government has not produced the promised boom,” economist Philip Cross wrote in a recent "
        "report for the Macdonald-Laurier Institute.\n\n"
        "Since 2016, infrastructure spending has increased only 8.7 per cent in volume, the report said."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "how little scrutiny")["speaker"] == "Fraser Institute"
    assert find(quotes, "infrastructure spending has increased")["speaker"] == "Philip Cross"
    assert find(quotes, "infrastructure spending has increased")["speaker_mention"] == "the report"


def test_a_statement_speaks_for_the_group_just_named(nlp):
    body = (
        "The British aid group Gatsby said its programs director was among those killed. A statement said "
        'the group was "shocked and saddened" to confirm his death.'
    )
    q = find(quotes_of(nlp, body), "the group was")
    assert q["speaker"] == "Gatsby"


def test_quoted_as_saying(nlp):
    body = (
        "Mayor Doug McCallum expressed serious concern about the city's debt.\n\n"
        "“When the books were shown to me, I was deeply dismayed,” he was quoted as saying in the release."
    )
    assert find(quotes_of(nlp, body), "deeply dismayed")["speaker"] == "Doug McCallum"


def test_speaker_of_a_subordinate_cue_is_not_the_topic(nlp):
    body = (
        "The term is at the centre of the investigation into whether President Donald Trump's campaign "
        "co-ordinated with Russia.\n\n"
        "University spokesman John Shibley said the school received about 3,000 votes through its website. "
        'Although Trump has repeatedly tweeted that there was "no collusion" and "collusion" was among the '
        "top vote-getters, its inclusion should not be interpreted as a political statement. Rather, voters "
        "were just irritated by hearing the word so often, he said."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "no collusion")["speaker"] == "Donald Trump"
    assert find(quotes, "voters were just irritated")["speaker"] == "John Shibley"


def test_cue_joined_to_the_quote_keeps_the_speaker(nlp):
    body = (
        "Nienaber said “nobody knows the story behind it,” and added: “I promise you, those people got "
        "talked to.”"
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "nobody knows")["speaker"] == "Nienaber"
    assert find(quotes, "I promise you")["speaker"] == "Nienaber"


def test_the_listener_of_told_is_not_the_speaker(nlp):
    body = (
        "Story continues below.\n\n"
        "Toronto city councillor and tenants advocate Josh Matlow told HuffPost Canada the laws around "
        "renovating a unit favour the property owner, not the tenant."
    )
    q = find(quotes_of(nlp, body), "favour the property owner")
    assert q["speaker"] == "Josh Matlow"


def test_a_person_described_by_party_or_as_former(nlp):
    body = (
        "Senate Majority Leader Mitch McConnell spoke on Tuesday.\n\n"
        "“Far-left activists isolated a few seconds of video,” the Kentucky Republican said.\n\n"
        "Kevin Vickers, who fired the shots, was in Ottawa that day.\n\n"
        "The former sergeant-at-arms of the House of Commons said he's considering a run for the leadership."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "Far-left activists")["speaker"] == "Mitch McConnell"
    assert find(quotes, "considering a run")["speaker"] == "Kevin Vickers"


def test_pronoun_goes_to_the_person_just_introduced(nlp):
    body = (
        "Toronto retiree Doug Purdy says the program changed his life. “My blood pressure is down to normal "
        "now,” he adds. Regular exercise also produced positive results for Mississauga accountant "
        "Babatunji Farinloye, 50. “I had a health club membership, but this program really helped me,” he "
        "says."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "blood pressure is down")["speaker"] == "Doug Purdy"
    assert find(quotes, "health club membership")["speaker"] == "Babatunji Farinloye"


def test_speaker_the_model_missed_is_a_person(nlp):
    body = (
        "Many coastal residents reported not seeing any warning signs.\n\n"
        "Yuni, a resident of Lampung in Sumatra, was watching television at home when she heard the water "
        "coming.\n\n"
        "“I heard a rumbling sound and I thought it was the wind,” she said."
    )
    assert find(quotes_of(nlp, body), "rumbling sound")["speaker"] == "Yuni"


def annotated_doc(nlp, words: list[str], ents: list[str], spaces: list[bool] | None = None) -> Doc:
    """A Doc with the model's vocabulary and entity tags chosen here, so an entity rule is tested on
    exactly the mistake it repairs."""
    sent_starts = [True] + [False] * (len(words) - 1)
    return Doc(nlp.vocab, words=words, spaces=spaces, ents=ents, sent_starts=sent_starts)


def test_titles_and_credits_tagged_as_people_are_repaired(nlp):
    words = [
        "Read",
        "Birth",
        "of",
        "Modern",
        "Canada",
        "by",
        "Kerry",
        "Brown",
        "/",
        "AP",
        "and",
        "Kim",
        "Jong",
    ]
    words += ["-", "un", "."]
    spaces = [True] * 12 + [False, False, False, False]
    ents = ["O", "B-PERSON", "I-PERSON", "I-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON", "I-PERSON"]
    ents += ["I-PERSON", "O", "B-PERSON", "I-PERSON", "I-PERSON", "I-PERSON", "O"]
    mentions = article_entities(annotated_doc(nlp, words, ents, spaces), load_reference()).mentions
    labels = {m.text: m.label for m in mentions}
    assert labels == {
        "Birth of Modern Canada": "WORK_OF_ART",
        "Kerry Brown": "PERSON",
        "Kim Jong-un": "PERSON",
    }


def test_full_name_tagged_as_a_place_is_a_person_when_its_surname_is(nlp):
    words = ["Nino", "Niederreiter", "scored", ".", "Niederreiter", "smiled", "."]
    ents = ["B-GPE", "I-GPE", "O", "O", "B-PERSON", "O", "O"]
    mentions = article_entities(annotated_doc(nlp, words, ents), load_reference()).mentions
    assert [(m.text, m.label, m.name) for m in mentions] == [
        ("Nino Niederreiter", "PERSON", "Nino Niederreiter"),
        ("Niederreiter", "PERSON", "Nino Niederreiter"),
    ]


def test_an_office_or_staff_of_a_person_is_not_the_person(nlp):
    body = (
        "Prime Minister Justin Trudeau spoke to supporters in Regina on Thursday night.\n\n"
        "Trudeau's office said roughly 900 people attended the town hall at the university."
    )
    q = find(quotes_of(nlp, body), "roughly 900 people")
    assert q["speaker"] == "Trudeau's office"
    assert q["speaker_entity_id"] is None


def test_an_acronym_takes_the_name_the_article_spells_out(nlp):
    body = (
        "The Parliamentary Budget Officer released a long report on the pipeline on Thursday.\n\n"
        "The PBO said the valuation assumes the project will be finished on time and on budget."
    )
    q = find(quotes_of(nlp, body), "finished on time")
    assert q["speaker"] == "Parliamentary Budget Officer"


def test_city_staff_are_the_staff_of_the_city_the_article_is_about(nlp):
    body = (
        "Surrey Mayor Doug McCallum wants to cancel the new arena in Cloverdale.\n\n"
        "City of Surrey council will vote on the plan in March.\n\n"
        "But city staff said there are no plans to close the old rinks this year."
    )
    q = find(quotes_of(nlp, body), "no plans to close")
    assert q["speaker"] == "Surrey city staff"


def test_city_staff_stay_unnamed_when_no_city_is_named(nlp):
    body = "The arena will close in March.\n\nCity staff said there are no plans to reopen the old rinks."
    assert find(quotes_of(nlp, body), "no plans to reopen")["speaker"] == "City staff"


def test_he_is_not_the_person_he_speaks_to(nlp):
    body = (
        "“I have been on the street for twenty years,” Dennis Brooks said.\n\n"
        "Asked what he would tell Mayor John Tory about being homeless, he said: “Just listen to us. We "
        "are people.”"
    )
    q = find(quotes_of(nlp, body), "Just listen to us")
    assert q["speaker"] == "Dennis Brooks"


def test_his_father_is_the_father_named_before(nlp):
    body = (
        "Jason Spindler was among the victims of the attack.\n\n"
        "Spindler's father, Joseph, says his son grew up in Houston and loved his work.\n\n"
        "Spindler moved to Kenya five years ago. His father said he worked with local companies to "
        "build partnerships."
    )
    q = find(quotes_of(nlp, body), "worked with local companies")
    assert q["speaker"] == "Joseph"


def test_a_quote_paragraph_after_narration_leads_the_quotes_after_it(nlp):
    body = (
        "“We cannot comment on the report until we have read it,” Alvin Fiddler said.\n\n"
        "In July, the commission asked Murray Sinclair, a retired judge, to look into the board.\n\n"
        "“The circumstances that gave rise to this investigation are not new phenomena in this city,” "
        "Sinclair concludes.\n\n"
        "“Given the troubling circumstances, the investigation determined that bold measures are "
        "needed.”"
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "not new phenomena")["speaker"] == "Murray Sinclair"
    assert find(quotes, "bold measures")["speaker"] == "Murray Sinclair"


def test_photo_captions_are_cleaned_away_before_they_can_speak(nlp):
    from pipeline.text.clean import clean_article

    raw = (
        "Immigration lawyer Ronalee Carey said the support varies a lot between families.\n\n"
        "Syrian refugee Omar Haddad watches as his daughters Judy, centre, and Lina, left, play at their "
        "home in Mississauga, Ont.\n\n"
        "Omar Haddad, a retired porter, looks at photos before a ceremony. ( THE CANADIAN PRESS FILE "
        "PHOTO )\n\n"
        "Meeting the fee costs can be almost impossible for some refugees, she said."
    )
    body = clean_article(raw).body
    assert "Judy, centre" not in body and "FILE PHOTO" not in body
    assert find(quotes_of(nlp, body), "almost impossible")["speaker"] == "Ronalee Carey"
