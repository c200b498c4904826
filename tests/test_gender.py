"""Speaker gender from the text: honorifics, role nouns, resolved pronouns; never the first name."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipeline.nlp.canonical import resolve_entities
from pipeline.nlp.entities import entity_id
from pipeline.nlp.extract import MENTIONS_SCHEMA, QUOTES_SCHEMA
from pipeline.nlp.gender import (
    CLEAR_MIN,
    CLEAR_RATIO,
    decide,
    head_nouns,
    infer_genders,
    load_gender_reference,
)
from pipeline.nlp.reference import SEEDS_DIR, load_reference, read_pairs


def article(article_id: str, body: str, mentions: list[tuple], quotes: list[tuple] = ()):
    """Frames by hand over an invented body. mentions: (text, name, label[, role]), found left to right;
    quotes: (speaker_mention, name, label[, speaker_role]) resolved to that entity (name None: nobody)."""
    rows, pos = [], 0
    for n, (text, name, label, *role) in enumerate(mentions):
        start = body.index(text, pos)
        pos = start + len(text)
        rows.append(
            {
                "mention_id": f"{article_id}-m{n:04d}",
                "article_id": article_id,
                "entity_id": entity_id(label, name),
                "name": name,
                "text": text,
                "label": label,
                "role": role[0] if role else None,
                "start_char": start,
                "end_char": pos,
                "sentence_no": 0,
            }
        )
    quote_rows = [
        {
            "quote_id": f"{article_id}-q{n:04d}",
            "article_id": article_id,
            "text": "x",
            "quote_type": "direct",
            "speaker": name,
            "speaker_entity_id": entity_id(label, name) if name else None,
            "speaker_mention": written,
            "cue": "said",
            "start_char": 0,
            "end_char": 1,
            "speaker_role": role[0] if role else None,
        }
        for n, (written, name, label, *role) in enumerate(quotes)
    ]
    return (
        pl.DataFrame(rows, schema=MENTIONS_SCHEMA),
        pl.DataFrame(quote_rows, schema=QUOTES_SCHEMA),
        pl.DataFrame({"article_id": [article_id], "body": [body]}),
    )


def resolved(mentions, quotes, articles):
    """Through the real hook: resolve_entities -> (quotes, entities by name)."""
    _, out_quotes, entities = resolve_entities(mentions, quotes, articles=articles)
    return out_quotes, {row["name"]: row for row in entities.iter_rows(named=True)}


def test_honorifics_before_a_mention_decide_the_gender():
    body = (
        "Ms Okonkwo-Hale opened the ferry terminal on Tuesday. Later Mrs. Okonkwo-Hale toured the docks "
        "with Dame Ottilie Brann, and Sir Marek Volny sent a letter."
    )
    mentions, quotes, articles = article(
        "a1",
        body,
        [
            ("Okonkwo-Hale", "Okonkwo-Hale", "PERSON"),
            ("Okonkwo-Hale", "Okonkwo-Hale", "PERSON"),
            ("Dame Ottilie Brann", "Ottilie Brann", "PERSON"),  # the honorific inside the mention's text
            ("Marek Volny", "Marek Volny", "PERSON"),
        ],
    )
    _, entities = resolved(mentions, quotes, articles)
    assert (entities["Okonkwo-Hale"]["gender"], entities["Okonkwo-Hale"]["gender_evidence"]) == (
        "female",
        "honorific Mrs x1; honorific Ms x1",
    )
    assert (entities["Ottilie Brann"]["gender"], entities["Ottilie Brann"]["gender_evidence"]) == (
        "female",
        "honorific Dame x1",
    )
    assert (entities["Marek Volny"]["gender"], entities["Marek Volny"]["gender_evidence"]) == (
        "male",
        "honorific Sir x1",
    )
    # without the bodies no honorific can be seen: nothing is decided
    _, _, no_bodies = resolve_entities(mentions, quotes)
    assert no_bodies["gender"].null_count() == no_bodies.height
    assert no_bodies["gender_evidence"].null_count() == no_bodies.height


def test_a_lower_case_word_or_a_title_alone_is_no_honorific():
    body = "Fans will miss Tamsin Greaves. Prince played at the harbour, said Lord."
    mentions, quotes, articles = article(
        "a1", body, [("Tamsin Greaves", "Tamsin Greaves", "PERSON"), ("Prince", "Prince", "PERSON")]
    )
    _, entities = resolved(mentions, quotes, articles)
    assert entities["Tamsin Greaves"]["gender"] is None and entities["Prince"]["gender"] is None


def test_a_gendered_role_noun_decides_the_gender():
    body = (
        "Ines Carvalho-Brandt, spokeswoman for the harbour authority, spoke first. Then Teodor Lisk, "
        "chairman of the board, and Rui Anand, her son's lawyer, spoke."
    )
    mentions, quotes, articles = article(
        "a1",
        body,
        [
            (
                "Ines Carvalho-Brandt",
                "Ines Carvalho-Brandt",
                "PERSON",
                "spokeswoman for the harbour authority",
            ),
            ("Teodor Lisk", "Teodor Lisk", "PERSON", "chairman of the board"),
            ("Rui Anand", "Rui Anand", "PERSON", "her son's lawyer"),  # the son is someone else
        ],
        # "the actress said", resolved to Ines, is one more noun; her apposition, repeated as a quote's
        # speaker role, is not counted twice
        [
            ("the actress", "Ines Carvalho-Brandt", "PERSON", "the actress"),
            ("Ines", "Ines Carvalho-Brandt", "PERSON", "the spokeswoman for the harbour authority"),
        ],
    )
    _, entities = resolved(mentions, quotes, articles)
    ines = entities["Ines Carvalho-Brandt"]
    assert (ines["gender"], ines["gender_evidence"]) == ("female", "noun actress x1; noun spokeswoman x1")
    assert (entities["Teodor Lisk"]["gender"], entities["Teodor Lisk"]["gender_evidence"]) == (
        "male",
        "noun chairman x1",
    )
    assert entities["Rui Anand"]["gender"] is None and entities["Rui Anand"]["gender_evidence"] is None


def test_head_nouns_stop_at_the_complement():
    ref = load_gender_reference()
    assert head_nouns("mother-of-three from Leeds", ref) == ["mother"]
    assert head_nouns("the widow of a businessman", ref) == ["widow"]
    assert head_nouns("a former businesswoman and actress", ref) == ["businesswoman", "actress"]
    assert head_nouns("the man's wife", ref) == ["wife"]
    assert head_nouns("spokesperson for the US Mission", ref) == []


def test_a_pronoun_resolved_to_the_person_decides_the_gender():
    body = "Halvard Quist runs the ferry company. The timetable will change, she said. It is final, he said."
    mentions, quotes, articles = article(
        "a1",
        body,
        [("Halvard Quist", "Halvard Quist", "PERSON"), ("ferry company", "Ferry Company", "ORG")],
        [("she", "Halvard Quist", "PERSON"), ("He", "Ferry Company", "ORG")],
    )
    out_quotes, entities = resolved(mentions, quotes, articles)
    quist = entities["Halvard Quist"]
    assert (quist["gender"], quist["gender_evidence"]) == ("female", "pronoun she x1")
    # an organisation has no gender, whatever pronoun the resolver gave it
    assert (
        entities["Ferry Company"]["gender"] is None and entities["Ferry Company"]["gender_evidence"] is None
    )
    assert out_quotes["speaker_gender"].to_list() == ["female", None]
    # the pronoun counts without the bodies too
    _, _, no_bodies = resolve_entities(mentions, quotes)
    assert no_bodies.filter(pl.col("name") == "Halvard Quist")["gender"].to_list() == ["female"]


def test_conflicting_evidence_is_null_unless_one_side_clearly_outnumbers_the_other():
    body = "Mr Sorel arrived. Mr Sorel left. Mr Sorel returned. Mrs Sorel waved."
    mentions, quotes, articles = article("a1", body, [("Sorel", "Sorel", "PERSON")] * 4)
    _, entities = resolved(mentions, quotes, articles)
    assert (entities["Sorel"]["gender"], entities["Sorel"]["gender_evidence"]) == (
        "male",
        "honorific Mr x3; honorific Mrs x1",
    )
    _, entities = resolved(mentions[1:], quotes, articles)  # Mr x2 against Mrs x1: not clear enough
    assert (entities["Sorel"]["gender"], entities["Sorel"]["gender_evidence"]) == (
        None,
        "honorific Mr x2; honorific Mrs x1",
    )
    conflicted = pl.concat([mentions[1:2], mentions[3:4]])  # Mr x1 against Mrs x1
    _, entities = resolved(conflicted, quotes, articles)
    assert (entities["Sorel"]["gender"], entities["Sorel"]["gender_evidence"]) == (
        None,
        "honorific Mr x1; honorific Mrs x1",
    )
    assert (CLEAR_MIN, CLEAR_RATIO) == (3, 3)
    cases = {(0, 0): None, (1, 0): "male", (0, 2): "female", (1, 1): None, (2, 1): None, (3, 1): "male",
             (5, 2): None, (6, 2): "male", (1, 4): "female"}  # fmt: skip
    assert {(m, f): decide(m, f) for m, f in cases} == cases


def test_a_first_name_alone_is_no_evidence():
    body = "Daniela said the bridge would reopen. Alicia Brannigan said it would not."
    mentions, quotes, articles = article(
        "a1",
        body,
        [("Daniela", "Daniela", "PERSON"), ("Alicia Brannigan", "Alicia Brannigan", "PERSON")],
        [("Daniela", "Daniela", "PERSON"), ("Alicia Brannigan", "Alicia Brannigan", "PERSON")],
    )
    out_quotes, entities = resolved(mentions, quotes, articles)
    # "alicia" is a female first name in the seed: still no evidence from the text
    assert read_pairs(SEEDS_DIR / "first_names.csv", "first_name", "gender", frozenset("mf"))["alicia"] == "f"
    for name in ("Daniela", "Alicia Brannigan"):
        assert (entities[name]["gender"], entities[name]["gender_evidence"]) == (None, None)
    assert out_quotes["speaker_gender"].to_list() == [None, None]


def test_quotes_carry_their_speakers_gender():
    body = "Mr Pellow spoke. The council said no. Ms Arden agreed, as did Jo Tamm."
    mentions, quotes, articles = article(
        "a1",
        body,
        [
            ("Pellow", "Pellow", "PERSON"),
            ("council", "Council", "ORG"),
            ("Arden", "Arden", "PERSON"),
            ("Jo Tamm", "Jo Tamm", "PERSON"),
        ],
        [
            ("Mr Pellow", "Pellow", "PERSON"),
            ("The council", "Council", "ORG"),
            ("Ms Arden", "Arden", "PERSON"),
            ("Jo Tamm", "Jo Tamm", "PERSON"),
            ("they", None, None),
        ],
    )
    out_quotes, entities = resolved(mentions, quotes, articles)
    assert out_quotes["speaker_gender"].to_list() == ["male", None, "female", None, None]
    assert out_quotes.columns == [*QUOTES_SCHEMA, "speaker_gender"]
    genders = {row["entity_id"]: row["gender"] for row in entities.values()}
    for row in out_quotes.iter_rows(named=True):
        assert row["speaker_gender"] == genders.get(row["speaker_entity_id"])
    # empty input: the columns are there all the same
    _, empty_quotes, empty_entities = resolve_entities(pl.DataFrame(schema=MENTIONS_SCHEMA), quotes)
    assert empty_quotes["speaker_gender"].null_count() == quotes.height
    assert {"gender", "gender_evidence"} <= set(empty_entities.columns)


def test_the_gender_seed_loads_and_its_honorifics_are_honorifics(tmp_path):
    ref = load_gender_reference()
    assert ref.honorifics["mr"] == ("Mr", "male") and ref.honorifics["mrs"] == ("Mrs", "female")
    assert ref.nouns["spokeswoman"] == "female" and ref.nouns["businessman"] == "male"
    # the entity code strips every gendered honorific from names: they must be honorifics there too
    assert set(ref.honorifics) <= load_reference().honorifics
    (tmp_path / "gender_terms.csv").write_text("term,kind,gender\nMr,honorific,m\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"gender_terms\.csv"):
        load_gender_reference(tmp_path)
    assert infer_genders(pl.DataFrame(schema=MENTIONS_SCHEMA), pl.DataFrame(schema=QUOTES_SCHEMA)) == {}


# ---------------------------------------------------------------- the seeds' warehouse


@pytest.fixture(scope="module")
def con(seed_run):
    settings, _ = seed_run
    connection = duckdb.connect(str(settings.database_path), read_only=True)
    yield connection
    connection.close()


def test_seed_speakers_are_male_from_their_honorifics_and_pronouns(con):
    rows = {
        name: (gender, evidence)
        for name, gender, evidence in con.sql(
            "SELECT name, gender, gender_evidence FROM entities WHERE label = 'PERSON'"
        ).fetchall()
    }
    assert rows["Antony Blinken"] == ("male", "honorific Mr x6; pronoun he x3")
    assert rows["Benjamin Netanyahu"] == ("male", "honorific Mr x3; pronoun he x1")
    assert rows["Aaron David Miller"] == ("male", "honorific Mr x1")
    # the seeds say nothing about the others' gender; a female first name alone does not count
    assert rows["Linda Thomas-Greenfield"] == (None, None)
    assert con.sql("SELECT count(*) FROM entities WHERE gender IS NOT NULL AND label <> 'PERSON'").fetchall()[
        0
    ] == (0,)


def test_published_quotes_carry_the_speaker_entitys_gender(con):
    mismatched = con.sql(
        "SELECT count(*) FROM quotes q LEFT JOIN entities e ON e.entity_id = q.speaker_entity_id "
        "WHERE q.speaker_gender IS DISTINCT FROM e.gender"
    ).fetchall()[0]
    assert mismatched == (0,)
    assert con.sql("SELECT count(*) FROM quotes WHERE speaker_gender = 'male'").fetchall()[0][0] > 0


def test_quote_share_by_gender_matches_a_count_of_the_quotes(con):
    expected = {
        (publisher, month, gender): (quotes, speakers)
        for publisher, month, gender, quotes, speakers in con.sql(
            """
            SELECT coalesce(a.publisher, '(unknown)'), CAST(date_trunc('month', a.published_at) AS DATE),
                   coalesce(q.speaker_gender, 'unknown'), count(*),
                   count(DISTINCT coalesce(q.speaker_entity_id, q.speaker))
            FROM quotes q JOIN articles a USING (article_id)
            GROUP BY ALL
            """
        ).fetchall()
    }
    mart = con.sql("SELECT * FROM quote_share_by_gender").pl()
    assert {
        (r["publisher"], r["month"], r["speaker_gender"]): (r["quotes"], r["speakers"])
        for r in mart.iter_rows(named=True)
    } == expected
    assert mart["quotes"].sum() == con.sql("SELECT count(*) FROM quotes").fetchall()[0][0]
    assert set(mart["speaker_gender"]) <= {"female", "male", "unknown"}
    assert mart["month"].null_count() == mart.height  # the seeds carry no publication date: kept as NULL
    for key, shares in mart.group_by("publisher", "month"):
        assert abs(shares["share"].sum() - 1) < 1e-3, key
        for row in shares.iter_rows(named=True):
            assert row["share"] == pytest.approx(row["quotes"] / shares["quotes"].sum(), abs=1e-4)
