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
    body = "In a written reply, Helena Marsh said she remains “fully committed to a fair review of the deal.”"
    q = find(quotes_of(nlp, body), "fully committed")
    assert q["quote_type"] == "partial"
    assert q["text"].startswith("she remains")
    assert q["speaker"] == "Helena Marsh"


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
        "Volunteers met at the library on Saturday.\n\n"
        "Housing as election theme\n\n"
        'Halvorsen said he\'s "nowhere near a final answer," adding that he has lived in town for 38 years.'
    )
    q = find(quotes_of(nlp, body), "nowhere near a final answer")
    assert q["speaker"] == "Halvorsen"


def test_a_document_speaks_for_its_author(nlp):
    body = (
        "A study by the Linden Policy Centre reviewed 11 recent bridge projects in the province.\n\n"
        "“It is striking how rarely anyone checks the costs once the ribbon is cut,” the report said.\n\n"
        "“The province has not delivered the savings it promised,” analyst Miriam Osei wrote in a new "
        "report for the Eastgate Forum.\n\n"
        "Since 2015, road maintenance budgets have grown just 4.2 per cent after inflation, the report said."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "how rarely anyone checks")["speaker"] == "Linden Policy Centre"
    assert find(quotes, "road maintenance budgets")["speaker"] == "Miriam Osei"
    assert find(quotes, "road maintenance budgets")["speaker_mention"] == "the report"


def test_a_statement_speaks_for_the_group_just_named(nlp):
    body = (
        "The Canadian relief charity Northwind said two of its drivers were injured. A statement said "
        'the charity was "deeply troubled" by the attack on its convoy.'
    )
    q = find(quotes_of(nlp, body), "the charity was")
    assert q["speaker"] == "Northwind"


def test_quoted_as_saying(nlp):
    body = (
        "Mayor Gerald Pike voiced strong doubts about the city's borrowing.\n\n"
        "“When I saw the final figures, I was frankly alarmed,” he was quoted as saying on Monday."
    )
    assert find(quotes_of(nlp, body), "frankly alarmed")["speaker"] == "Gerald Pike"


def test_speaker_of_a_subordinate_cue_is_not_the_topic(nlp):
    body = (
        "The phrase has dominated the debate over whether Premier Walter Grieve's office misled the "
        "legislature.\n\n"
        "College spokesman Ivan Halloran said the college counted about 2,400 entries in its online poll. "
        'Although Grieve has repeatedly insisted that there was "no cover-up" and "cover-up" was among the '
        "most popular entries, its selection should not be read as a partisan message. Instead, students "
        "were simply tired of hearing the phrase every day, he said."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "no cover-up")["speaker"] == "Walter Grieve"
    assert find(quotes, "students were simply tired")["speaker"] == "Ivan Halloran"


def test_cue_joined_to_the_quote_keeps_the_speaker(nlp):
    body = (
        "Kowalczyk said “no one saw the letter before it went out,” and added: “I can assure you, the "
        "people responsible have been spoken to.”"
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "no one saw the letter")["speaker"] == "Kowalczyk"
    assert find(quotes, "I can assure you")["speaker"] == "Kowalczyk"


def test_the_listener_of_told_is_not_the_speaker(nlp):
    body = (
        "Story continues below.\n\n"
        "Vancouver city councillor and housing advocate Rosa Lindqvist told the Harbour Gazette the rules "
        "around evictions favour the landlord, not the renter."
    )
    q = find(quotes_of(nlp, body), "favour the landlord")
    assert q["speaker"] == "Rosa Lindqvist"


def test_a_person_described_by_party_or_as_former(nlp):
    body = (
        "Senate Minority Whip Harold Brandt spoke on Wednesday.\n\n"
        "“A handful of critics twisted a short clip of the hearing,” the Ohio Democrat said.\n\n"
        "Peter Lindgren, who ran the inquiry, was in Halifax that week.\n\n"
        "The former chief of staff to the premier said he's weighing a bid for the party leadership."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "handful of critics")["speaker"] == "Harold Brandt"
    assert find(quotes, "weighing a bid")["speaker"] == "Peter Lindgren"


def test_pronoun_goes_to_the_person_just_introduced(nlp):
    body = (
        "Halifax pensioner Gordon Ashby says the walking club gave him his energy back. “My knees have not "
        "felt this good in years,” he adds. The club also brought real gains for Dartmouth bus driver "
        "Kwabena Mensah, 52. “I had tried the gym before, but this group kept me going,” he says."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "My knees have not")["speaker"] == "Gordon Ashby"
    assert find(quotes, "tried the gym before")["speaker"] == "Kwabena Mensah"


def test_speaker_the_model_missed_is_a_person(nlp):
    body = (
        "Many villagers said they had no warning before the landslide.\n\n"
        "Sumarni, a resident of Bandung in West Java, was hanging out the washing when she heard the "
        "hillside give way.\n\n"
        "“There was a loud crack and I thought it was thunder,” she said."
    )
    assert find(quotes_of(nlp, body), "loud crack")["speaker"] == "Sumarni"


def annotated_doc(nlp, words: list[str], ents: list[str], spaces: list[bool] | None = None) -> Doc:
    """A Doc with the model's vocabulary and entity tags chosen here, so an entity rule is tested on
    exactly the mistake it repairs."""
    sent_starts = [True] + [False] * (len(words) - 1)
    return Doc(nlp.vocab, words=words, spaces=spaces, ents=ents, sent_starts=sent_starts)


def test_titles_and_credits_tagged_as_people_are_repaired(nlp):
    words = ["Read", "Songs", "of", "Quiet", "Harbours", "by", "Maya", "Thornton", "/", "AP", "and"]
    words += ["Park", "Seo", "-", "yeon", "."]
    spaces = [True] * 12 + [False, False, False, False]
    ents = ["O", "B-PERSON", "I-PERSON", "I-PERSON", "I-PERSON", "O", "B-PERSON", "I-PERSON", "I-PERSON"]
    ents += ["I-PERSON", "O", "B-PERSON", "I-PERSON", "I-PERSON", "I-PERSON", "O"]
    mentions = article_entities(annotated_doc(nlp, words, ents, spaces), load_reference()).mentions
    labels = {m.text: m.label for m in mentions}
    assert labels == {
        "Songs of Quiet Harbours": "WORK_OF_ART",
        "Maya Thornton": "PERSON",
        "Park Seo-yeon": "PERSON",
    }


def test_full_name_tagged_as_a_place_is_a_person_when_its_surname_is(nlp):
    words = ["Lars", "Oberholzer", "scored", ".", "Oberholzer", "smiled", "."]
    ents = ["B-GPE", "I-GPE", "O", "O", "B-PERSON", "O", "O"]
    mentions = article_entities(annotated_doc(nlp, words, ents), load_reference()).mentions
    assert [(m.text, m.label, m.name) for m in mentions] == [
        ("Lars Oberholzer", "PERSON", "Lars Oberholzer"),
        ("Oberholzer", "PERSON", "Lars Oberholzer"),
    ]


def test_the_office_of_a_person_speaks_for_that_person(nlp):
    """'X's office said': the owner named inside the subject phrase is credited, as written it stays."""
    body = (
        "Premier Colin Mabry spoke to supporters in Moncton on Friday evening.\n\n"
        "Mabry's office said about 700 people attended the rally at the curling club."
    )
    q = find(quotes_of(nlp, body), "about 700 people")
    assert q["speaker"] == "Colin Mabry"
    assert q["speaker_mention"] == "Mabry's office"


def test_an_acronym_takes_the_name_the_article_spells_out(nlp):
    body = (
        "The Independent Transit Auditor published a detailed review of the ferry contract on Tuesday.\n\n"
        "The ITA said the estimate assumes the new vessels will arrive on schedule and within budget."
    )
    q = find(quotes_of(nlp, body), "arrive on schedule")
    assert q["speaker"] == "Independent Transit Auditor"


def test_city_staff_stay_unnamed_when_no_city_is_named(nlp):
    body = "The pool will close in April.\n\nCity staff said there is no plan to reopen the old rinks."
    assert find(quotes_of(nlp, body), "no plan to reopen")["speaker"] == "City staff"


def test_he_is_not_the_person_he_speaks_to(nlp):
    body = (
        "“I have slept in this park for six winters,” Curtis Vance said.\n\n"
        "Asked what he would tell Mayor Frank Delaney about the shelters, he said: “Come and see it "
        "yourself. We are still here.”"
    )
    q = find(quotes_of(nlp, body), "Come and see it")
    assert q["speaker"] == "Curtis Vance"


def test_his_father_is_the_father_named_before(nlp):
    body = (
        "Marco Bellini was among the climbers killed in the avalanche.\n\n"
        "Bellini's father, Enzo, says his son was raised in Turin and loved the mountains.\n\n"
        "Bellini moved to Chile four years ago. His father said he guided groups for a small local "
        "tour company."
    )
    q = find(quotes_of(nlp, body), "guided groups")
    assert q["speaker"] == "Enzo"


def test_a_quote_paragraph_after_narration_leads_the_quotes_after_it(nlp):
    body = (
        "“We will not respond to the findings until we have studied them,” Harriet Nakamura said.\n\n"
        "In March, the province asked Desmond Okoro, a retired auditor, to examine the agency.\n\n"
        "“The failures that led to this review did not start last year,” Okoro writes.\n\n"
        "“Given how deep the problems run, the review found that sweeping changes are required.”"
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "did not start last year")["speaker"] == "Desmond Okoro"
    assert find(quotes, "sweeping changes")["speaker"] == "Desmond Okoro"


def test_photo_captions_are_cleaned_away_before_they_can_speak(nlp):
    from pipeline.text.clean import clean_article

    raw = (
        "Settlement worker Marisol Quintero said the waiting times differ widely between cities.\n\n"
        "Newcomer Tariq Mansour watches as his sons Adam, right, and Yusuf, centre, play in their yard "
        "in Brampton, Ont.\n\n"
        "Tariq Mansour, a former teacher, looks at letters before a hearing. ( THE CANADIAN PRESS FILE "
        "PHOTO )\n\n"
        "Paying the application fees can be nearly impossible for some newcomers, she said."
    )
    body = clean_article(raw).body
    assert "Adam, right" not in body and "FILE PHOTO" not in body
    assert find(quotes_of(nlp, body), "nearly impossible")["speaker"] == "Marisol Quintero"


# --- reported speech beyond "said that" -------------------------------------------------------------------


def test_called_it_a_judgement_is_the_speakers_words(nlp):
    quotes = quotes_of(nlp, "Senator Mara Quint called the merger “a disaster for farmers” on Monday.")
    q = find(quotes, "a disaster for farmers")
    assert q["speaker"] == "Mara Quint" and q["cue"] == "called"
    assert q["text"].startswith("the merger")


def test_described_as_is_the_speakers_words(nlp):
    q = find(quotes_of(nlp, "Quint described the budget as a betrayal of rural voters."), "betrayal")
    assert (q["speaker"], q["cue"], q["quote_type"]) == ("Quint", "described", "indirect")
    assert q["text"] == "the budget as a betrayal of rural voters"


@pytest.mark.parametrize(
    "body",
    [
        "Lowe called for a recount after the vote.",
        "Lowe called on the council to act before the winter.",
        "Doctors were placed on what the hospital called Code Amber.",
        "Ortiz spent the night in what he called the worst hotel in the county.",
    ],
)
def test_call_for_call_on_and_a_name_serving_another_clause_are_not_quotes(nlp, body):
    assert not [q for q in quotes_of(nlp, body) if q["cue"] in ("called", "call")]


def test_a_clause_the_parser_calls_adverbial_is_still_what_was_said(nlp):
    q = find(quotes_of(nlp, "Lowe said after the meeting she would not sign the contract."), "not sign")
    assert q["speaker"] == "Lowe" and q["quote_type"] == "indirect"


def test_reported_words_end_where_a_nested_cue_takes_its_own_quote(nlp):
    body = "Quint said he saw no need to change the plan, telling reporters that “nothing has changed” yet."
    quotes = quotes_of(nlp, body)
    q = find(quotes, "saw no need")
    assert q["text"] == "he saw no need to change the plan"
    assert q["speaker"] == "Quint"


# --- discourse state ---------------------------------------------------------------------------------------


def test_a_quote_paragraph_after_a_newcomer_is_the_newcomers(nlp):
    body = (
        "“We will rebuild the pier by spring,” harbour master Tomas Brandt said.\n\n"
        "The plan worries fisher Ruth Hale, who has moored at the pier for thirty years.\n\n"
        "“Nobody asked the people who work here what they need.”"
    )
    q = find(quotes_of(nlp, body), "Nobody asked the people")
    assert q["speaker"] == "Ruth Hale"


def test_a_quote_paragraph_continues_the_speaker_when_nobody_new_came_in(nlp):
    body = (
        "“We will rebuild the pier by spring,” harbour master Tomas Brandt said.\n\n"
        "The pier was damaged in the storm in October.\n\n"
        "“The money is already in the budget.”"
    )
    assert find(quotes_of(nlp, body), "already in the budget")["speaker"] == "Tomas Brandt"


def test_plural_descriptions_are_groups_not_the_last_person(nlp):
    body = (
        "Governor Elena Marsh visited the flooded district on Friday.\n\n"
        "The officials said the repairs would take at least two years."
    )
    q = find(quotes_of(nlp, body), "repairs would take")
    assert q["speaker"] == "officials" and q["speaker_entity_id"] is None


def test_the_union_is_the_organisation_whose_name_holds_that_noun(nlp):
    body = (
        "The Harbour Workers Union met the Port Authority of Calder on Monday.\n\n"
        "The Port Authority of Calder published its offer on Tuesday.\n\n"
        "The union said the offer ignored the night shifts."
    )
    q = find(quotes_of(nlp, body), "ignored the night shifts")
    assert q["speaker"] == "Harbour Workers Union"


def test_they_after_an_organisation_spoke_is_that_organisation(nlp):
    body = (
        "The Harbour Workers Union said on Monday that it would strike in March.\n\n"
        "They said the offer ignored the night shifts."
    )
    q = find(quotes_of(nlp, body), "ignored the night shifts")
    assert q["speaker"] == "Harbour Workers Union"


def test_a_pronoun_skips_a_nearer_person_of_the_other_gender(nlp):
    body = (
        "Ms Okafor criticised the plan put forward by Mr Dalby on Monday.\n\n"
        "She said the plan would close two clinics."
    )
    assert find(quotes_of(nlp, body), "close two clinics")["speaker"] == "Okafor"


def test_a_description_takes_the_person_it_was_apposed_to(nlp):
    body = (
        "Priya Natarajan, the spokeswoman for the port authority, declined to comment on Monday.\n\n"
        "Harbour pilot Joel Brenner said the channel was still closed.\n\n"
        "On Tuesday the spokeswoman said the berth would reopen within a week."
    )
    assert find(quotes_of(nlp, body), "berth would reopen")["speaker"] == "Priya Natarajan"


def test_an_acronym_in_brackets_is_the_same_organisation(nlp):
    body = (
        "The Committee for Safe Harbours (CSH) wrote to the minister in May.\n\n"
        "CSH said the new rules would push small boats out of the bay."
    )
    assert find(quotes_of(nlp, body), "push small boats")["speaker"] == "Committee for Safe Harbours"


def test_a_transcript_turn_is_said_by_the_person_its_label_names(nlp):
    body = (
        "Senator Ruth Hale spoke to host Peter Walsh on Sunday.\n\n"
        "WALSH: Do you support the new pipeline through the valley?\n\n"
        "HALE: I support the jobs, but not at any price for the river.\n\n"
        "WATCH: Hale defends her record on the river"
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "support the new pipeline")["speaker"] == "Peter Walsh"
    turn = find(quotes, "not at any price")
    assert (turn["speaker"], turn["speaker_mention"], turn["quote_type"]) == ("Ruth Hale", "HALE", "direct")
    assert not [q for q in quotes if "defends her record" in q["text"]]


def test_a_dateline_is_where_the_story_was_filed_not_who_spoke(nlp):
    body = "MILLBANK — Senator Ruth Hale said on Monday that the bill would fail."
    q = find(quotes_of(nlp, body), "bill would")
    assert q["speaker"] == "Ruth Hale"
    assert all(q["speaker"] != "MILLBANK" for q in quotes_of(nlp, "MILLBANK — The bill would fail, it said."))


def test_the_person_who_was_asked_is_not_the_one_asking(nlp):
    body = "Hale spoke after the vote. “Will you run again in the spring?” Hale was asked."
    assert find(quotes_of(nlp, body), "run again")["speaker"] is None
    body = "“Will you run again in the spring?” Hale was asked by reporter Tom Reed."
    assert find(quotes_of(nlp, body), "run again")["speaker"] == "Tom Reed"


def test_a_promise_or_an_appeal_says_its_infinitive(nlp):
    q = find(quotes_of(nlp, "Mayor Ann Lowe promised to cut bus fares before the winter."), "cut bus fares")
    assert (q["speaker"], q["text"]) == ("Ann Lowe", "to cut bus fares before the winter")
    body = "Hale urged the council to reopen the clinic by March."
    q = find(quotes_of(nlp, body), "reopen the clinic")
    assert q["speaker"] == "Hale" and q["text"].startswith("the council to reopen")
    assert not quotes_of(nlp, "Hale hoped to reopen the clinic by March.")


def test_a_cue_inside_the_statement_reports_the_whole_statement(nlp):
    body = (
        "Governor Elena Marsh toured the dam on Friday. All of these repairs, she said, would be paid by May."
    )
    q = find(quotes_of(nlp, body), "would be paid by May")
    assert q["speaker"] == "Elena Marsh"
    assert q["text"].startswith("All of these repairs")


def test_a_party_the_seeds_know_is_no_person_even_when_tagged_as_one(nlp):
    words = ["Labour", "rejected", "the", "plan", "on", "Monday", "."]
    ents = ["B-PERSON", "O", "O", "O", "O", "O", "O"]
    mentions = article_entities(annotated_doc(nlp, words, ents), load_reference()).mentions
    assert [(m.text, m.label) for m in mentions] == [("Labour", "ORG")]


def test_he_or_she_is_never_credited_to_an_organisation():
    from pipeline.nlp.canonical import personal_pronouns_need_a_person

    quotes = pl.DataFrame(
        {
            "speaker": ["Harbour Party", "Ruth Hale", "Harbour Party"],
            "speaker_entity_id": ["org1", "per1", "org1"],
            "speaker_mention": ["He", "she", "it"],
        }
    )
    out = personal_pronouns_need_a_person(quotes, ["per1"])
    assert out["speaker"].to_list() == [None, "Ruth Hale", "Harbour Party"]
    assert out["speaker_entity_id"].to_list() == [None, "per1", "org1"]


def test_a_frame_after_a_quote_attributes_it_whatever_its_verb(nlp):
    body = (
        "Councillor Mara Quist spoke first at the depot hearing.\n\n"
        "Transit director Owen Falk defended the new timetable for an hour.\n\n"
        "“Would you ride the night bus yourself with a child?” Quist pressed.\n\n"
        "“Every single evening, and I would feel safe,” Falk countered."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "ride the night bus")["speaker"] == "Mara Quist"
    assert find(quotes, "Every single evening")["speaker"] == "Owen Falk"


def test_a_frame_is_only_a_verb_with_its_circumstances(nlp):
    body = (
        "Owen Falk ran the depot.\n\nNina Hart drove the night bus.\n\n"
        "“Never again, not ever,” Hart sighed at the end of her shift and walked out.\n\n"
        "“Starling Express,” Falk painted the new name on every bus.\n\n"
        "“It will rain all week,” the old driver is convinced by the forecast."
    )
    quotes = quotes_of(nlp, body)
    sighed = find(quotes, "Never again")
    assert sighed["cue"] == "sighed" and sighed["speaker"].endswith("Hart")  # the verb goes on: still hers
    named = [q for q in quotes if "Starling Express" in q["text"]]
    assert not named or named[0]["cue"] != "painted"  # a verb with an object of its own: narration
    state = [q for q in quotes if "rain all week" in q["text"]]
    assert not state or state[0]["cue"] != "convinced"  # a state of the subject, not a frame


def test_an_inverted_frame_names_its_speaker_after_the_verb(nlp):
    body = (
        "The harbour co-op met on Monday.\n\n"
        "“We never sell the catch before dawn,” grumbled Marta Olsen, the co-op’s manager.\n\n"
        "“The nets are older than I am,” recalled Piet Janssen, a deckhand.\n\n"
        "“Keep the boats in,” Olsen snapped at the two reporters.\n\n"
        "“Prices will fall before spring,” warned the Harbour Gazette.\n\n"
        "“The pier must go to the town,” Ada Brent, who chairs the Pier Trust, tells the Harbour Gazette."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "before dawn")["speaker"] == "Marta Olsen"
    assert find(quotes, "older than I am")["speaker"] == "Piet Janssen"
    assert find(quotes, "Keep the boats in")["speaker"] == "Marta Olsen"  # not the last speaker, Janssen
    assert find(quotes, "Prices will fall")["speaker"] == "Harbour Gazette"  # warned right after the quote
    assert find(quotes, "must go to the town")["speaker"] == "Ada Brent"  # whom she tells is the listener


def test_a_quote_signed_with_a_dash_is_the_signers(nlp):
    body = (
        "Readers told us what the new ferry timetable means to them.\n\n"
        "“The early boat is gone and my shift starts at six.” — Lena Brauer\n\n"
        "“I finally get home before my children are asleep.” — Tomas Okafor\n\n"
        "“Nobody asked the islanders before changing anything.”\n"
        "- Priya Raman, a fisher on the north shore"
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "early boat is gone")["speaker"] == "Lena Brauer"
    assert find(quotes, "home before my children")["speaker"] == "Tomas Okafor"
    assert find(quotes, "Nobody asked the islanders")["speaker"] == "Priya Raman"


def test_an_agency_credit_after_a_dash_is_not_a_speaker(nlp):
    body = (
        "Mayor Ann Lowe opened the bridge on Monday.\n\n"
        "“This bridge joins two halves of one town,” she said.\n\n"
        "“It took eleven years of planning and argument to get here.” — Reuters"
    )
    quote = find(quotes_of(nlp, body), "eleven years of planning")
    assert quote["speaker"] != "Reuters"


def test_a_word_inside_the_quote_is_never_the_speaker_of_its_cue(nlp):
    body = (
        "The harbour board met in public for the first time in a decade.\n\n"
        "“My apologies to every rider,” said Owen Falk, the depot manager."
    )
    quote = find(quotes_of(nlp, body), "apologies to every rider")  # the parse makes "apologies" said's
    assert quote["speaker"] == "Owen Falk"  # subject; the speaker is the name after the verb


def test_a_sentence_ending_in_a_colon_introduces_the_quote_after_it(nlp):
    body = (
        "Owen Falk spoke before the vote and warned of delays.\n\n"
        "Nina Hart sent a blunt message to Owen Falk:\n\n"
        "“We will rebuild the pier before the summer and nobody will stop us.”\n\n"
        "The rebuilding plan has three parts:\n\n"
        "“Fix the roof, paint the hall and open the doors to everyone again.”"
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "rebuild the pier")["speaker"] == "Nina Hart"  # not the person named last
    assert find(quotes, "Fix the roof")["cue"] != "has"  # a plan is not a speaker


def test_a_participle_after_reported_speech_belongs_to_who_reported(nlp):
    body = (
        "The depot inquiry heard from two drivers on Tuesday.\n\n"
        "Nina Hart told the inquiry that Owen Falk had ignored every complaint, adding, “Nobody at the "
        "depot was ever asked what the night shift needed.”"
    )
    quote = find(quotes_of(nlp, body), "Nobody at the depot")
    assert quote["speaker"] == "Nina Hart"  # not Falk, the subject of the clause the parse hangs it on


def test_coordinated_verbs_share_the_first_ones_subject(nlp):
    body = (
        "The depot inquiry sat for a second day.\n\n"
        "Nina Hart backs the new timetable, opposes the fare rise and said the night depot must stay "
        "open all winter."
    )
    quote = find(quotes_of(nlp, body), "night depot must stay open")
    assert quote["speaker"] == "Nina Hart"


def test_a_name_ending_in_a_capital_keeps_its_full_stop_apart(nlp):
    doc = nlp("Revenue fell, according to the agency ZenithQ.\n\nThe U.S. figures came from NASA.")
    words = [t.text for t in doc if not t.is_space]
    assert "ZenithQ" in words and "ZenithQ." not in words
    assert "U.S." in words  # abbreviations with inner full stops stay whole


def test_two_apostrophes_mark_a_quote_as_typewriter_text_writes_it(nlp):
    body = (
        "Rosa Lind runs the shelter on Main Street.\n\n"
        "''We are full every night,'' Ms. Lind said. ''Nobody should sleep outside in January.''\n\n"
        "The volunteers' rota is posted on the door and the bosses'' offices are upstairs."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "We are full every night")["speaker"] == "Rosa Lind"
    assert find(quotes, "Nobody should sleep outside")["speaker"] == "Rosa Lind"
    assert not any("rota" in q["text"] or "offices" in q["text"] for q in quotes)  # possessives never open


def test_a_cue_after_a_finished_quote_reports_its_own_clause(nlp):
    body = (
        "Mayor Rosa Lind spoke on Friday.\n\n"
        "The mayor put out a notice about “a broken water main under the square.” "
        "She said she had asked the city crews to close the square until the pipe is mended."
    )
    quotes = quotes_of(nlp, body)
    reported = find(quotes, "she had asked the city crews")
    assert reported["quote_type"] == "indirect" and reported["speaker"] == "Rosa Lind"
    assert not any("water main" in q["text"] and q["cue"] == "said" for q in quotes)


def test_a_cue_set_off_by_commas_reports_the_sentence_it_interrupts(nlp):
    body = (
        "Nina Hart met the depot workers on Friday.\n\n"
        "Recently, Ms. Hart said, the night shift has lost three drivers to the new airport line.\n\n"
        "But, Owen Falk said, the timetable will not change before the winter."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "the night shift has lost three drivers")["speaker"] == "Nina Hart"
    falk = find(quotes, "the timetable will not change")
    assert falk["speaker"] == "Owen Falk" and not falk["text"].startswith("But")


def test_a_quoted_phrase_before_a_cue_with_its_own_clause_is_not_what_was_said(nlp):
    body = (
        "Owen Falk will not attend the convention.\n\n"
        "Pleading “a family emergency,” the coach's assistant told the club that Falk would miss the "
        "derby in Leeds."
    )
    quotes = quotes_of(nlp, body)
    reported = find(quotes, "would miss the derby")
    assert reported["quote_type"] == "indirect" and reported["cue"] == "told"
    assert not any("emergency" in q["text"] and q["cue"] == "told" for q in quotes)


def test_the_name_in_a_quotes_frame_speaks_when_the_parse_hangs_it_elsewhere(nlp):
    # surnames ending in -ly are parsed as adverbs in a frame; the article knows them as people
    body = (
        "Tomas Brierly, a longtime data analyst, and Ana Hensly, a senior adviser, met the board.\n\n"
        "“Keeping the archive open and two clerks who know it is worth the money,” said Brierly, "
        "explaining he worked more closely with the county office.\n\n"
        "“There is a severe disconnect between this office and our staff,” said Hensly on the radio."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "Keeping the archive open")["speaker"] == "Tomas Brierly"
    assert find(quotes, "severe disconnect")["speaker"] == "Ana Hensly"


def test_a_statement_the_parse_split_in_two_is_reported_whole(nlp):
    body = (
        "Lena Ortiz spoke at the pier on Monday.\n\n"
        "Ortiz said it’s “not that the ferry is slow, not that the fares are high.”"
    )
    quote = find(quotes_of(nlp, body), "not that the ferry is slow")
    assert quote["speaker"] == "Lena Ortiz"
    assert "fares are high" in quote["text"]


def test_a_year_cut_short_never_opens_a_quote(nlp):
    body = "Hank Jonas said in ‘98 that the new bridge cut the drive to the coast by an hour."
    quote = find(quotes_of(nlp, body), "the new bridge cut the drive")
    assert quote["quote_type"] == "indirect" and quote["speaker"] == "Hank Jonas"


def test_a_name_apposed_to_a_description_is_its_speaker_wherever_the_parse_hangs_it(nlp):
    body = (
        "Vin Webber spoke first at the hearing.\n\n"
        "The director of the Lakeside museum, Maria Kessler, told the panel that the grant had run out in "
        "March."
    )
    quote = find(quotes_of(nlp, body), "the grant had run out")
    assert quote["speaker"] == "Maria Kessler"  # not the person named before her


def test_according_to_after_an_opening_phrase_vouches_for_the_rest_of_the_sentence(nlp):
    body = (
        "The ferry board met on Friday.\n\n"
        "But the next morning, according to Rosa Lind, the board cut the winter timetable by half.\n\n"
        "The harbour lost two berths to the storm, according to the port authority in a statement."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "the board cut the winter timetable")["speaker"] == "Rosa Lind"
    assert find(quotes, "The harbour lost two berths")["cue"] == "according to"


def test_a_cue_sharing_a_relative_clauses_subject_speaks_for_the_clauses_antecedent(nlp):
    body = (
        "Senator Bernd Sandor, who backed the harbour bill in the spring and said he would vote for the "
        "second reading too, was absent on Tuesday."
    )
    assert find(quotes_of(nlp, body), "he would vote for the second reading")["speaker"] == "Bernd Sandor"


def test_a_part_of_a_group_speaks_as_that_part(nlp):
    body = (
        "The council heard from the harbour residents on Monday.\n\n"
        "Some of the residents say the plant should close before the summer. "
        "Half of the fishermen said they had not decided how to vote."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "the plant should close")["speaker"] == "Some of the residents"
    assert find(quotes, "they had not decided")["speaker"] == "Half of the fishermen"


def test_a_day_after_the_cue_is_never_its_speaker(nlp):
    body = (
        "The harbour board met twice last week.\n\n"
        "“Nobody will sell the pier while I chair this board,” said Sunday."
    )
    assert all(q["speaker"] != "Sunday" for q in quotes_of(nlp, body))


def test_a_colon_clause_introduces_the_quote_after_it_whoever_its_subject(nlp):
    body = (
        "The harbour board met on Monday.\n\n"
        "The Oregon Port Authority was blunt about the dredging: “The east channel is too shallow.”\n\n"
        "A longtime critic, councillor Jon Faulk, spoke first on Tuesday: "
        "“Nobody asked the fishermen before drawing this map.”\n\n"
        "As Dr. Mia Lund, head of the co-op, put it: “Fish do not wait for permits. Neither will we.”\n\n"
        "The plan has three parts: “dredge, rebuild and reopen the old quay.”"
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "east channel")["speaker"] == "Oregon Port Authority"
    assert find(quotes, "Nobody asked the fishermen")["speaker"] == "Jon Faulk"  # named in apposition
    assert find(quotes, "wait for permits")["speaker"] == "Mia Lund"  # 'Dr.' does not end her clause
    parts = [q for q in quotes if "dredge, rebuild" in q["text"]]
    assert not parts or parts[0]["cue"] != "has"  # a plan introduces nobody's words


def test_a_cue_the_parse_joined_to_the_statement_before_it_reports_that_statement(nlp):
    body = (
        "The ferry firm bought two old tugs for the winter storms, a spokeswoman, Ilse Marek, said on "
        "Saturday, and it has sent them out three times since."
    )
    q = find(quotes_of(nlp, body), "bought two old tugs")
    assert (q["quote_type"], q["speaker"], q["cue"]) == ("indirect", "Ilse Marek", "said")


def test_a_question_asked_is_said_by_the_asker_not_by_whoever_was_asked(nlp):
    body = (
        "Ruth Calder runs the port.\n\n"
        "Host Dan Pike asked Calder about the new fishing quotas and the closed canneries.\n\n"
        "Calder asked whether the port could stay open all winter.\n\n"
        "Asked how the ferries would cope next winter, Calder said the boats were too old.\n\n"
        "When asked about the night boat, she said it would sail again in March."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "about the new fishing quotas")["speaker"] == "Dan Pike"
    assert find(quotes, "whether the port could stay open")["speaker"] == "Ruth Calder"
    assert not [q for q in quotes if "cope next winter" in q["text"]]  # Calder was asked it: not her words
    assert not [q for q in quotes if "about the night boat" in q["text"]]
    assert find(quotes, "boats were too old")["speaker"] == "Ruth Calder"


def test_a_statement_sent_by_someone_is_theirs(nlp):
    body = (
        "Judge Amos Pell ruled against the station on Monday.\n\n"
        "A statement sent to the Ledger by Rina Solberg, the station's new chair, said "
        "“We will appeal the ruling within the month.”"
    )
    assert find(quotes_of(nlp, body), "appeal the ruling")["speaker"] == "Rina Solberg"


def test_a_quote_opening_in_reported_speech_and_running_on_is_one_partial_quote(nlp):
    body = (
        "Piet Olsen backed Marta Ruiz in November. He said Ruiz “knows every boat in the bay by name. "
        "Nobody works the nets harder than she does.”"
    )
    q = find(quotes_of(nlp, body), "every boat in the bay")
    assert q["quote_type"] == "partial" and q["speaker"] == "Piet Olsen"
    assert q["text"].startswith("Ruiz “knows") and "works the nets harder" in q["text"]


def test_a_cue_set_off_by_commas_inside_its_statement_whatever_the_parse_hung_on_it(nlp):
    body = (
        "When the ferry fares doubled last spring, Brandt said, most of the island shops lost half their "
        "trade.\n\n"
        "Vardo, Lisk said, left him wondering who still owns the ferry company.\n\n"
        "Officials familiar with the plan said that it showed the council had run out of money for the pier."
    )
    quotes = quotes_of(nlp, body)
    fares = find(quotes, "island shops")
    assert fares["speaker"] == "Brandt" and fares["text"].startswith("When the ferry fares")
    vardo = find(quotes, "left him wondering")
    assert vardo["speaker"] == "Lisk" and vardo["text"].startswith("Vardo")  # not 'Vardo'
    assert find(quotes, "run out of money")["speaker_mention"] == "Officials"


def test_a_quoted_name_given_in_a_relative_clause_is_the_namers_words(nlp):
    body = (
        "The co-op met. Critics say the toll plan, which Tom Lisk called “pure theatre,” will fail. "
        "The board wants what it calls “a fair fee” for every mooring.\n\n"
        "The old ferry, now called “Sea Star,” sails on Fridays."
    )
    quotes = quotes_of(nlp, body)
    theatre = find(quotes, "pure theatre")
    assert (theatre["quote_type"], theatre["speaker"], theatre["cue"]) == ("partial", "Tom Lisk", "called")
    assert find(quotes, "a fair fee")["cue"] == "calls"  # 'it': the board
    assert not [q for q in quotes if "Sea Star" in q["text"]]  # a name given, by nobody


def test_a_that_clause_the_parse_hung_on_the_noun_before_it_is_the_cues(nlp):
    body = (
        "Nils Berg told a crowd of dock workers that no crane had been serviced since the spring.\n\n"
        "Olsen mocked the plan, telling the crew during a meeting that they should keep the old boat.\n\n"
        "The crew told a story that nobody on the quay believed."
    )
    quotes = quotes_of(nlp, body)
    cranes = find(quotes, "no crane had been serviced")
    assert cranes["speaker"] == "Nils Berg" and cranes["text"].startswith("that no crane")
    assert find(quotes, "keep the old boat")["cue"] == "telling"
    assert not [q for q in quotes if "nobody on the quay" in q["text"]]  # a relative clause: nobody's words


def test_an_order_or_a_request_says_its_infinitive(nlp):
    body = "Ruth Calder tells the fishermen at the quay to “bring every boat to the vote on Sunday.”"
    q = find(quotes_of(nlp, body), "bring every boat")
    assert (q["speaker"], q["cue"]) == ("Ruth Calder", "tells")


def test_a_cue_after_the_statement_parsed_as_an_adverbial_clause_reports_it(nlp):
    body = (
        "BERGEN --  Ferry fares will climb again next spring, earlier than hoped, the harbour board's "
        "finance office reported.\n\nThe boat sank in minutes, as the captain said later."
    )
    quotes = quotes_of(nlp, body)
    fares = find(quotes, "fares will climb")
    assert fares["cue"] == "reported" and fares["text"].startswith("Ferry fares")  # not the dateline
    assert not [q for q in quotes if "sank in minutes" in q["text"]]  # 'as …': not a frame of it


def test_a_question_answered_is_said_but_not_one_left_unanswered(nlp):
    body = (
        "Harbour master Ines Moreau spoke on Monday.\n\n"
        "Moreau explained why the night ferry had been cancelled for the winter.\n\n"
        "She did not explain how the crews would be paid."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "why the night ferry")["speaker"] == "Ines Moreau"
    assert not [q for q in quotes if "crews would be paid" in q["text"]]


def test_according_to_in_mid_sentence_vouches_for_the_clause_it_modifies(nlp):
    body = (
        "The harbour report came out on Monday.\n\n"
        "Most ferry tickets are sold online, according to the Harbour Office, and only a few are bought "
        "at the quay."
    )
    q = find(quotes_of(nlp, body), "ferry tickets are sold online")
    assert q["cue"] == "according to" and q["speaker"] == "Harbour Office"
    assert "bought at the quay" in q["text"]  # the clause joined to it by 'and' too


def test_a_name_given_is_found_however_the_parse_hung_it(nlp):
    body = (
        "In May, Calder called the council's plans to build a new marina in Vardo “a total waste,” and "
        "threatened to sue.\n\n"
        "Divers described the seabed under the pier as ''wet sponge.''\n\n"
        "Calder had referred to him as a “builder” in the past.\n\n"
        "The old ferries, sometimes referred to fondly as “the tubs,” still sail."
    )
    quotes = quotes_of(nlp, body)
    waste = find(quotes, "a total waste")
    assert waste["cue"] == "called" and waste["text"].startswith("the council's plans")
    assert find(quotes, "wet sponge")["text"].startswith("the seabed")
    assert find(quotes, "builder")["text"].startswith("him as")
    assert not [q for q in quotes if "the tubs" in q["text"]]  # named so by nobody in particular


def test_a_lowercase_word_tagged_as_a_name_is_no_speaker_name(nlp):
    body = "Tom Brandt leads. During the debate, the wealthy front-runner said the senator was weak."
    q = find(quotes_of(nlp, body), "senator was weak")
    assert q["speaker"] != "runner"


def test_a_transcript_pasted_inside_opening_quote_marks_is_still_turns(nlp):
    body = (
        "Host Chris Walsh spoke to Governor Ruth Hale on Sunday. Here is part of the transcript:\n\n"
        '"WALSH: Let us start with the news on the pipeline through the valley.\n\n'
        '"HALE: I support the jobs, but not at any price for the river.'
    )
    quotes = quotes_of(nlp, body)
    assert [(q["speaker"], q["text"][:12]) for q in quotes] == [
        ("Chris Walsh", "Let us start"),
        ("Ruth Hale", "I support th"),
    ]


def test_a_set_off_cue_reports_the_whole_sentence_around_it_whatever_its_parse(nlp):
    body = (
        "Hans Berg runs a charity.\n\n"
        'In both years, Berg said, those gifts paid for "sponsorships" at the golf day.\n\n'
        "In its 2019 ruling, the Harbour Court suggested a softer approach, allowing the boats to stay."
    )
    quotes = quotes_of(nlp, body)
    gifts = find(quotes, "gifts paid for")
    assert gifts["speaker"] == "Hans Berg" and gifts["text"].startswith("In both years")
    assert not [q for q in quotes if "softer approach" in q["text"]]  # a verb with an object of its own


def test_according_to_after_someone_elses_speech_vouches_for_the_clause_before_it(nlp):
    body = (
        "Mayor Ada Brent acknowledged the navy's help after the storm, when floods cut off about 300 homes "
        "on the coast, according to local officials, and closed two schools."
    )
    quotes = quotes_of(nlp, body)
    q = find(quotes, "floods cut off")
    assert q["cue"] == "according to" and "acknowledged" not in q["text"]  # Brent's own words are hers


def test_a_statement_whose_subject_is_a_gerund_is_reported_whole(nlp):
    body = (
        "The fair opened on Monday in the old market hall.\n\n"
        "Tom Reyes said seeing so many police cars at Harvest Fest was a comfort.\n\n"
        "Lena Ward said, smiling at the crowd."
    )
    quotes = quotes_of(nlp, body)
    q = find(quotes, "seeing so many police cars")
    assert (q["speaker"], q["cue"]) == ("Tom Reyes", "said")
    assert q["text"].endswith("was a comfort")
    assert not [q for q in quotes if "smiling" in q["text"]]  # a gerund that says nothing is no statement


def test_words_shouted_or_boasted_are_said_by_whoever_shouted_them(nlp):
    body = (
        "The Charter affirms: “No resident shall be denied a hearing before the board.”\n\n"
        "Pam Rudd tried to calm the room by interjecting, “Only the budget matters.”\n\n"
        "Ivo Marsh boasted that his ward had paved more roads than any other."
    )
    quotes = quotes_of(nlp, body)
    assert find(quotes, "Only the budget matters")["speaker"] == "Pam Rudd"
    paved = find(quotes, "paved more roads")
    assert (paved["speaker"], paved["cue"]) == ("Ivo Marsh", "boasted")


def test_a_name_the_parse_hung_on_a_dateline_speaks_not_the_place(nlp):
    from pipeline.nlp.quotes import subject_of

    words = ["OSLO", ",", "May", "3", "(", "UPI", ")", "—", "Ann", "Berg", "told", "reporters", "that"]
    words += ["fares", "would", "rise", "."]
    heads = [10, 0, 0, 2, 5, 0, 5, 0, 9, 0, 10, 10, 15, 15, 15, 10, 10]
    deps = ["nsubj", "punct", "npadvmod", "nummod", "punct", "appos", "punct", "punct", "compound", "appos"]
    deps += ["ROOT", "dobj", "mark", "nsubj", "aux", "ccomp", "punct"]
    pos = ["PROPN", "PUNCT", "PROPN", "NUM", "PUNCT", "PROPN", "PUNCT", "PUNCT", "PROPN", "PROPN", "VERB"]
    pos += ["NOUN", "SCONJ", "NOUN", "AUX", "VERB", "PUNCT"]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, pos=pos)  # the parser's reading, as it gave it
    assert subject_of(doc[10]).text == "Berg"
    place_deps = ["nsubj", "punct", "npadvmod", "nummod", "punct", "appos", "punct", "punct", "ROOT", "punct"]
    place_heads = [8, 0, 0, 2, 5, 0, 5, 0, 8, 8]
    place_pos = [*pos[:8], "VERB", "PUNCT"]
    doc = Doc(nlp.vocab, words=[*words[:8], "told", "."], heads=place_heads, deps=place_deps, pos=place_pos)
    assert subject_of(doc[8]) is None  # a place alone is never who spoke
