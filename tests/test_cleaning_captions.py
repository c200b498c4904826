"""extract_captions: caption lines of boilerplate_lines split into caption text and credit."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.text.captions import extract_captions
from pipeline.text.clean import BOILERPLATE_SCHEMA, clean_articles

CAPTION_DTYPES = {"article_id": pl.String, "line_no": pl.Int64, "caption": pl.String, "credit": pl.String}
SCENE = "Workers inspect the old sea wall near the fish market."


def frame(*rows: tuple[str, int, str, str]) -> pl.DataFrame:
    """A boilerplate_lines frame from (article_id, line_no, text, kind) rows."""
    return pl.DataFrame(
        [(a, n, t, k, "pattern:test") for a, n, t, k in rows], schema=BOILERPLATE_SCHEMA, orient="row"
    )


def split(text: str) -> tuple[str, str | None]:
    row = extract_captions(frame(("a", 1, text, "caption"))).row(0)
    return row[2], row[3]


@pytest.mark.parametrize(
    ("text", "caption", "credit"),
    [
        (f"{SCENE} AP", SCENE, "AP"),
        (f"{SCENE} Getty Images", SCENE, "Getty Images"),
        (f"{SCENE} REUTERS/Amir Cohen", SCENE, "REUTERS/Amir Cohen"),
        (f"{SCENE} Photograph: Mia Santos/Getty Images", SCENE, "Mia Santos/Getty Images"),
        (f"{SCENE} (AP)", SCENE, "AP"),
        (f"{SCENE} (AP Photo/Jane Doe, File)", SCENE, "AP Photo/Jane Doe, File"),
        (f"{SCENE} (Kim Lee/CBC)", SCENE, "Kim Lee/CBC"),
        (f"{SCENE} (Kim Lee / CBC News)", SCENE, "Kim Lee / CBC News"),
        (f"{SCENE} [File: Reuters]", SCENE, "Reuters"),
        ("Workers inspect the old sea wall (Image: GETTY )", "Workers inspect the old sea wall", "GETTY"),
        ("Workers inspect the old sea wallCredit: EPA", "Workers inspect the old sea wall", "EPA"),
        (f"{SCENE} Omar Nasser / AFP", SCENE, "Omar Nasser / AFP"),
        (f"{SCENE} Ana Lopez/The Associated Press", SCENE, "Ana Lopez/The Associated Press"),
        (f"{SCENE} Ana Lopez/AFP/Getty Images", SCENE, "Ana Lopez/AFP/Getty Images"),
        ("Image copyright Getty Images", "", "Getty Images"),
        ("(Rosa Vance / Associated Press)", "", "Rosa Vance / Associated Press"),
        ("(Harbour Gazette)", "", "Harbour Gazette"),
        (f"Image caption {SCENE}", SCENE, None),
        (f"Image: {SCENE}", SCENE, None),
        (
            "The mayor, left, meets harbour workers (left)",
            "The mayor, left, meets harbour workers (left)",
            None,
        ),
    ],
)
def test_caption_and_credit_forms(text, caption, credit):
    assert split(text) == (caption, credit)


def test_caption_text_is_normalised():
    caption, credit = split("Workers\u00a0inspect the  cafe\u0301 wall. AP  ")
    assert (caption, credit) == ("Workers inspect the café wall.", "AP")


def test_only_caption_lines_one_row_each_with_exact_schema():
    lines = frame(
        ("b", 3, f"{SCENE} AP", "caption"),
        ("b", 5, "Advertisement", "advert"),
        ("a", 7, f"{SCENE} (Kim Lee/CBC)", "caption"),
        ("a", 2, "By Jane Smith", "byline"),
    )
    captions = extract_captions(lines)
    assert dict(captions.schema) == CAPTION_DTYPES
    assert captions.select("article_id", "line_no").rows() == [("a", 7), ("b", 3)]
    assert captions["credit"].to_list() == ["Kim Lee/CBC", "AP"]


def test_empty_input_keeps_schema():
    captions = extract_captions(pl.DataFrame(schema=BOILERPLATE_SCHEMA))
    assert captions.height == 0
    assert dict(captions.schema) == CAPTION_DTYPES


def test_credit_on_its_own_line_is_lent_to_the_caption_next_to_it():
    lines = frame(
        ("bbc", 10, "Image copyright Reuters", "caption"),
        ("bbc", 12, "Image caption Mourners gather outside the chapel", "caption"),
        ("lat", 4, "The harbour master, who runs the new port", "caption"),
        ("lat", 5, "(Rosa Vance / Associated Press)", "caption"),
        ("lat", 20, "A crowd outside the studio gates", "caption"),
    )
    rows = {(r[0], r[1]): (r[2], r[3]) for r in extract_captions(lines).rows()}
    assert rows[("bbc", 12)] == ("Mourners gather outside the chapel", "Reuters")
    assert rows[("bbc", 10)] == ("", "Reuters")
    assert rows[("lat", 4)] == (
        "The harbour master, who runs the new port",
        "Rosa Vance / Associated Press",
    )
    assert rows[("lat", 20)] == ("A crowd outside the studio gates", None)  # too far from any credit


@pytest.mark.parametrize("text", ["", " ", "()", "(", "[]", "/", "AP", "Credit:", "\u200b", "a" * 5000])
def test_never_raises_on_odd_text(text):
    captions = extract_captions(frame(("a", 1, text, "caption")))
    assert captions.height == 1


def test_captions_from_cleaned_articles():
    text = (
        "Harbour council approves new flood barrier\n\n"
        "The harbour council approved a new flood barrier on Tuesday after a debate that lasted six "
        "hours.\n\n"
        "Workers inspect the old sea wall near the fish market before the vote. AFP\n\n"
        "Construction is expected to start in the spring and to take two years to complete.\n"
    )
    _, lines = clean_articles(pl.DataFrame({"article_id": ["x"], "text": [text]}))
    captions = extract_captions(lines)
    assert captions.rows() == [
        ("x", 5, "Workers inspect the old sea wall near the fish market before the vote.", "AFP")
    ]
