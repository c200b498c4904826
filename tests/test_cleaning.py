"""Tests for the cleaning/structuring layer (pipeline.text). Texts are invented in the style of news pages,
except the last group, which runs on the two real articles in seeds/articles/."""

from __future__ import annotations

import random
import shutil
import unicodedata
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from pipeline.text.clean import CleanedArticle, clean_article, clean_articles
from pipeline.text.normalise import normalise_text, split_lines
from pipeline.text.reference import DEFAULT_SEEDS_DIR, load_reference

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
NBSP = "\u00a0"


def kinds(article: CleanedArticle) -> dict[str, str]:
    """Removed line text (stripped) -> kind."""
    return {r.text.strip(): r.kind for r in article.removed}


def rules(article: CleanedArticle) -> dict[str, str]:
    return {r.text.strip(): r.rule for r in article.removed}


def paragraphs(article: CleanedArticle) -> list[str]:
    return article.body.split("\n\n") if article.body else []


def assert_every_line_accounted(text: str, article: CleanedArticle) -> None:
    """Each non-empty input line is in the title, subtitle, body or removed; the counts add up."""
    removed_nos = [r.line_no for r in article.removed]
    assert len(removed_nos) == len(set(removed_nos))
    body = paragraphs(article)
    non_empty = 0
    for no, raw in enumerate(split_lines(text), start=1):
        if raw.strip(" \t") == "":
            assert no not in removed_nos
            continue
        non_empty += 1
        if no not in removed_nos:
            clean = " ".join(normalise_text(raw).split())
            assert clean in body or clean in (article.title, article.subtitle), (no, raw)
    placed = len(body) + len(removed_nos) + (article.title is not None) + (article.subtitle is not None)
    assert placed == non_empty


# ---------------------------------------------------------------------------------------------------------
# normalise


def test_normalise_composes_unicode_and_replaces_nbsp_variants():
    text = "Cafe\u0301 owners\u00a0met\u202fthe\u2007mayor"
    assert normalise_text(text) == "Café owners met the mayor"
    assert unicodedata.is_normalized("NFC", normalise_text(text))


def test_normalise_unifies_newlines_and_strips_trailing_whitespace_only():
    text = "  Indented line  \r\nsecond\t\rthird \n"
    assert normalise_text(text) == "  Indented line\nsecond\nthird\n"


def test_normalise_loses_no_words():
    text = "Minister:\u00a0“We’ll see”\r\n\r\n— 12,000 people\u2007left"
    assert normalise_text(text).split() == ["Minister:", "“We’ll", "see”", "—", "12,000", "people", "left"]


# ---------------------------------------------------------------------------------------------------------
# reference


def test_reference_loads_default_seeds_and_is_cached():
    ref = load_reference()
    assert ref is load_reference(DEFAULT_SEEDS_DIR)
    assert DEFAULT_SEEDS_DIR == SEEDS
    assert ref.publisher_for("CNN") == "CNN"
    assert ref.publisher_for("AP") == "Associated Press"
    assert ref.publisher_for("the Guardian") == "The Guardian"
    assert any(p.rule == "pattern:automated_translation" for p in ref.patterns)


def _seed_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir(parents=True)
    for name in ("boilerplate_patterns.csv", "publishers.csv", "agency_credits.csv", "list_labels.csv"):
        shutil.copy(SEEDS / name, folder / name)
    return folder


def test_reference_bad_regex_names_file_and_row(tmp_path):
    folder = _seed_copy(tmp_path)
    with (folder / "boilerplate_patterns.csv").open("a", encoding="utf-8") as fh:
        fh.write('advert,broken,"^(unclosed"\n')
    rows = len((folder / "boilerplate_patterns.csv").read_text(encoding="utf-8").splitlines())
    with pytest.raises(ValueError, match=rf"boilerplate_patterns\.csv: row {rows}: invalid regex"):
        load_reference(folder)


def test_reference_wrong_field_count_and_header_are_errors(tmp_path):
    folder = _seed_copy(tmp_path)
    (folder / "publishers.csv").write_text("name,aliases\nCNN,CNN Business,extra\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"publishers\.csv: row 2: 3 fields"):
        load_reference(folder)
    other = _seed_copy(tmp_path / "b")
    (other / "agency_credits.csv").write_text("agency\nAP\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"agency_credits\.csv: row 1: header"):
        load_reference(other)


def test_reference_missing_file_is_value_error(tmp_path):
    folder = _seed_copy(tmp_path)
    (folder / "list_labels.csv").unlink()
    with pytest.raises(ValueError, match=r"list_labels\.csv"):
        load_reference(folder)


# ---------------------------------------------------------------------------------------------------------
# clean_article: the National-style page

NATIONAL_STYLE = """Harbour city votes to close its last coal plant two years early

Council backs plan despite warnings from unions over jobs and household bills

Protesters gather outside the town hall in Port Ellis before the vote. AFP
Powered by automated translation

Live updates: Follow the latest news on the energy transition

The council of Port Ellis voted 31 to 9 on Tuesday to close the Northgate coal plant in 2027.

“This is the day the town chose its own future,” council leader Ana Ferreira told The National.

“We owe it to our children.”

Ana Ferreira explains the closure plan – video

Ana Ferreira explains the closure plan

Ana Ferreira explains the closure plan

Unions warned that as many as 400 jobs could be lost without a retraining fund.

Northgate plant through the years – in pictures

The plant's owner said it would study the decision before commenting.

Updated: March 5, 2024, 9:15 AM
"""


def test_national_style_page_structure():
    article = clean_article(NATIONAL_STYLE)
    assert article.title == "Harbour city votes to close its last coal plant two years early"
    assert article.subtitle == "Council backs plan despite warnings from unions over jobs and household bills"
    assert article.publisher == "The National"
    assert article.updated_at == datetime(2024, 3, 5, 9, 15)
    assert article.published_at is None
    assert paragraphs(article) == [
        "The council of Port Ellis voted 31 to 9 on Tuesday to close the Northgate coal plant in 2027.",
        "“This is the day the town chose its own future,” council leader Ana Ferreira told The National.",
        "“We owe it to our children.”",
        "Unions warned that as many as 400 jobs could be lost without a retraining fund.",
        "The plant's owner said it would study the decision before commenting.",
    ]
    assert_every_line_accounted(NATIONAL_STYLE, article)


def test_national_style_page_removed_kinds_and_rules():
    article = clean_article(NATIONAL_STYLE)
    got = kinds(article)
    assert got["Protesters gather outside the town hall in Port Ellis before the vote. AFP"] == "caption"
    assert got["Powered by automated translation"] == "translation_notice"
    assert got["Live updates: Follow the latest news on the energy transition"] == "related_link"
    assert got["Ana Ferreira explains the closure plan – video"] == "video_label"
    assert got["Ana Ferreira explains the closure plan"] == "video_title"
    assert got["Northgate plant through the years – in pictures"] == "gallery_label"
    assert got["Updated: March 5, 2024, 9:15 AM"] == "timestamp"
    video_titles = [r for r in article.removed if r.kind == "video_title"]
    lines = NATIONAL_STYLE.splitlines()
    expected = [
        no for no, line in enumerate(lines, start=1) if line == "Ana Ferreira explains the closure plan"
    ]
    assert len(expected) == 2
    assert [r.line_no for r in video_titles] == expected
    assert {r.rule for r in video_titles} == {"repeat_of_video_label"}
    assert rules(article)["Powered by automated translation"] == "pattern:automated_translation"


# ---------------------------------------------------------------------------------------------------------
# title and subtitle


def test_title_is_none_when_text_starts_with_a_paragraph():
    text = (
        "The harbour authority said on Monday that dredging would resume next month after a pause.\n\n"
        "Shipping firms welcomed the news.\n"
    )
    article = clean_article(text)
    assert article.title is None
    assert article.subtitle is None
    assert len(paragraphs(article)) == 2


def test_subtitle_is_none_when_second_line_is_a_sentence():
    text = (
        "Ferry strike ends after three days of talks\n\n"
        "Ferry crews on the northern routes returned to work on Thursday after unions accepted a revised pay "
        "offer.\n\n"
        "Services will run to a reduced timetable until Saturday.\n"
    )
    article = clean_article(text)
    assert article.title == "Ferry strike ends after three days of talks"
    assert article.subtitle is None
    assert paragraphs(article)[0].startswith("Ferry crews on the northern routes")


def test_section_labels_before_headline_are_removed_and_standfirst_with_dateline_is_subtitle():
    text = (
        "World\n\nEurope\n\n"
        "Storm closes Alpine passes as snow piles up\n\n"
        "Forecasters expect another metre of snow before the weekend.\n\n"
        "By Lena Hoffmann\n"
        "12 February 2024 08:30 GMT\n\n"
        "Three Alpine passes were closed on Monday after heavy snowfall cut power to several villages.\n\n"
        "Rescue teams reached two stranded buses near the border.\n"
    )
    article = clean_article(text)
    assert article.title == "Storm closes Alpine passes as snow piles up"
    assert article.subtitle == "Forecasters expect another metre of snow before the weekend."
    assert article.published_at == datetime(2024, 2, 12, 8, 30)
    got = kinds(article)
    assert got["World"] == got["Europe"] == "navigation"
    assert got["By Lena Hoffmann"] == "byline"
    assert paragraphs(article)[0].startswith("Three Alpine passes")


# ---------------------------------------------------------------------------------------------------------
# blank lines and NBSP


def test_nbsp_only_lines_are_recorded_as_blank_and_empty_lines_are_not():
    text = (
        "Talks resume in Vienna as envoys meet again\n\n"
        f"Diplomats met{NBSP}on Friday for a new round.\n\n{NBSP}\n   \n\nThe meeting lasted four hours.\n"
    )
    article = clean_article(text)
    assert [(r.line_no, r.text, r.kind, r.rule) for r in article.removed] == [(5, NBSP, "blank", "nbsp_only")]
    assert paragraphs(article) == [
        "Diplomats met on Friday for a new round.",
        "The meeting lasted four hours.",
    ]
    assert NBSP not in article.body


def test_removed_text_is_the_raw_line_and_line_numbers_follow_crlf():
    text = (
        "Markets slide as oil prices jump\r\n\r\nAdvertisement  \r\nOil rose 4% on Monday, traders said.\r\n"
    )
    article = clean_article(text)
    assert [(r.line_no, r.text, r.kind) for r in article.removed] == [(3, "Advertisement  ", "advert")]


# ---------------------------------------------------------------------------------------------------------
# generic boilerplate rules


GENERIC = """Floods force thousands from homes in river valley

By Jane Smith

Rescue crews evacuated more than 3,000 people overnight as the river burst its banks in four places.

Residents wade through flood water. Photograph: Tom Reyes/Getty Images

Media playback is unsupported on your device

Read more: How climate change is making floods worse

Officials said the water was still rising on Monday morning.

Share this with Facebook
Share on Twitter

Volunteers fill sandbags at the town square (AP)

Army engineers build a barrier near the old bridge. REUTERS/Ana Costa

Officials said the water was still rising on Monday morning.

Sign up to our newsletter for daily updates

Advertisement

The regional government has declared a state of emergency.

Published: 14 October 2023, 07:45
"""


def test_generic_rules_remove_captions_links_share_and_ads():
    article = clean_article(GENERIC)
    got = kinds(article)
    assert got["By Jane Smith"] == "byline"
    assert got["Residents wade through flood water. Photograph: Tom Reyes/Getty Images"] == "caption"
    assert got["Volunteers fill sandbags at the town square (AP)"] == "caption"
    assert got["Media playback is unsupported on your device"] == "video_label"
    assert got["Read more: How climate change is making floods worse"] == "related_link"
    assert got["Share this with Facebook"] == got["Share on Twitter"] == "share"
    assert got["Sign up to our newsletter for daily updates"] == "share"
    assert got["Advertisement"] == "advert"
    assert got["Published: 14 October 2023, 07:45"] == "timestamp"
    assert article.published_at == datetime(2023, 10, 14, 7, 45)
    # a photo caption credit in REUTERS/Name form
    assert got["Army engineers build a barrier near the old bridge. REUTERS/Ana Costa"] == "caption"


def test_repeated_line_is_kept_once_and_recorded_as_duplicate():
    article = clean_article(GENERIC)
    assert article.body.count("Officials said the water was still rising on Monday morning.") == 1
    dup = [r for r in article.removed if r.kind == "duplicate_line"]
    repeated = "Officials said the water was still rising on Monday morning."
    occurrences = [no for no, ln in enumerate(GENERIC.splitlines(), start=1) if ln == repeated]
    assert [r.line_no for r in dup] == occurrences[1:]
    assert dup[0].rule == "repeat_of_earlier_line"
    assert_every_line_accounted(GENERIC, article)


def test_run_of_short_headlines_is_navigation_but_lone_subheading_and_short_quote_stay():
    text = """Port workers end strike after pay deal

Dock workers voted on Friday to accept a 6% pay rise, ending a two-week strike at the port.

What the deal means

The agreement runs for three years and includes a review of night-shift rules.

“Finally,” said one crane driver.

Most read

Minister resigns over expenses claims
Heatwave warning issued for the south
Football club fined for crowd trouble

Shipping lines expect delays to ease by the end of next week.

Europe
Asia
Africa
"""
    article = clean_article(text)
    assert "What the deal means" in paragraphs(article)
    assert "“Finally,” said one crane driver." in paragraphs(article)
    got = kinds(article)
    assert got["Most read"] == "related_link"
    assert got["Minister resigns over expenses claims"] == "related_link"
    assert got["Football club fined for crowd trouble"] == "related_link"
    assert got["Europe"] == got["Africa"] == "navigation"
    assert paragraphs(article)[-1] == "Shipping lines expect delays to ease by the end of next week."


def test_list_introduced_by_colon_and_bullets_are_content():
    text = """Union sets out its demands for the talks

The union published its list on Tuesday. It wants the following:

Guaranteed jobs for all staff
A retraining fund for the town

· Monthly talks with management
· Independent safety checks

Management said it would respond next week.
"""
    article = clean_article(text)
    for line in (
        "Guaranteed jobs for all staff",
        "A retraining fund for the town",
        "· Monthly talks with management",
        "· Independent safety checks",
    ):
        assert line in paragraphs(article)
    assert article.removed == ()


def test_time_phrases_and_dated_sentences_are_not_bylines_or_timestamps():
    text = """Bridge repairs to finish early

By Friday the last lane should reopen, engineers said.

By March

Published in 2019, an earlier survey found cracks in two of the supports.

Engineers said the work was on budget.
"""
    article = clean_article(text)
    assert article.removed == ()
    assert "By March" in paragraphs(article)


def test_credit_lines_captions_and_author_bio():
    text = """Jeff Moreno, The Associated Press

Lake levels fell to a record low this summer, the water authority said on Wednesday.

A dry riverbed near the dam on Tuesday. (Kim Lee/CBC)

Marta Ruiz, senior video producer

Farmers say they have already cut their planting for next year.

One virus, two harvests
Why rain is not enough

Officials will meet again next month to decide on further restrictions.

Dana Brooks is a climate reporter for the Valley Courier, covering water and energy.
"""
    article = clean_article(text)
    got = kinds(article)
    assert rules(article)["Jeff Moreno, The Associated Press"] == "name_and_publisher"
    assert article.title is None
    assert article.publisher == "Associated Press"
    assert got["A dry riverbed near the dam on Tuesday. (Kim Lee/CBC)"] == "caption"
    assert got["Marta Ruiz, senior video producer"] == "byline"
    assert got["One virus, two harvests"] == got["Why rain is not enough"] == "navigation"
    assert rules(article)[text.splitlines()[-1]] == "author_bio"
    assert paragraphs(article) == [
        "Lake levels fell to a record low this summer, the water authority said on Wednesday.",
        "Farmers say they have already cut their planting for next year.",
        "Officials will meet again next month to decide on further restrictions.",
    ]


def test_two_blank_separated_short_lines_are_kept():
    text = """Village school saved by late donation

The school will stay open after a former pupil donated enough to cover its costs for five years.

A pupil's drawing of the school

A long wait

Parents had campaigned for two years to keep the doors open.
"""
    article = clean_article(text)
    assert article.removed == ()
    assert "A long wait" in paragraphs(article)


def test_copyright_ends_the_article():
    text = """Court clears activists of trespass charges

A court on Monday cleared six activists who had occupied the roof of a power station in protest against coal.

The judge said the prosecution had failed to prove intent to cause damage.

© 2023 Northern News Ltd. All rights reserved.

More from Northern News

Teenager wins national chess title at 14 after a final lasting more than six hours.
"""
    article = clean_article(text)
    got = kinds(article)
    assert got["© 2023 Northern News Ltd. All rights reserved."] == "copyright"
    teaser = "Teenager wins national chess title at 14 after a final lasting more than six hours."
    assert got[teaser] == "footer"
    assert len(paragraphs(article)) == 2


# ---------------------------------------------------------------------------------------------------------
# publisher and dates


@pytest.mark.parametrize(
    ("text", "publisher"),
    [
        ("Talks stall\n\nLONDON (Reuters) - Talks stalled on Monday, officials said.\n", "Reuters"),
        ("Talks stall\n\nGeneva (CNN)Talks stalled on Monday, officials said.\n", "CNN"),
        ("Talks stall\n\nTalks stalled, an official told the Guardian on Tuesday.\n", "The Guardian"),
        ("Talks stall\n\nTalks stalled on Monday, an official told CNN Thursday.\n", "CNN"),
        ("Talks stall\n\nTalks stalled, a spokesman told the Independent Electoral Commission.\n", None),
        ("Talks stall\n\nTalks stalled on Monday.\n\nBy Omar Haddad, Al Jazeera\n", "Al Jazeera"),
        ("Talks stall\n\nTalks stalled on Monday, officials said.\n", None),
    ],
)
def test_publisher_signals(text, publisher):
    assert clean_article(text).publisher == publisher


def test_published_and_updated_on_one_line():
    text = (
        "Rail fares to rise in January\n\n"
        "PUBLISHED: 07:52, Wed, Mar 4, 2020 | UPDATED: 16:09, Wed, Mar 4, 2020\n\n"
        "Rail fares will rise by 2.7% in January, the operators said on Wednesday.\n"
    )
    article = clean_article(text)
    assert article.published_at == datetime(2020, 3, 4, 7, 52)
    assert article.updated_at == datetime(2020, 3, 4, 16, 9)
    assert kinds(article)[text.splitlines()[2]] == "timestamp"


# ---------------------------------------------------------------------------------------------------------
# robustness


NASTY = [
    "",
    "\n",
    "\r\n\r\n",
    NBSP,
    "\u200b\u200b\n\ufeff",
    "x",
    "?!.,;:",
    "\ufeffTitle with a byte-order mark before it\n\nA sentence follows here, ending properly.",
    "By",
    "Updated:",
    "Published: 99/99/9999 99:99",
    "Updated: March 45, 20245",
    "()",
    "(",
    "— (@)",
    "a" * 20000,
    "word " * 5000,
    "\x00\x01\x02 control\x7f",
    "🙂 emoji only 🎉\n\n🙂",
    "e\u0301\u0301\u0301",
    "\u202e reversed text \u202c",
    "Line\n" * 3000,
]


@pytest.mark.parametrize("text", NASTY)
def test_clean_article_never_raises(text):
    article = clean_article(text)
    assert isinstance(article.body, str)
    assert all(r.line_no >= 1 for r in article.removed)


def test_clean_article_never_raises_on_random_unicode():
    rng = random.Random(20240322)
    alphabet = "abc XYZ.,:;!?“”‘’–—-()[]/|©@#0123456789\n\r\t" + NBSP + "\u202f\u2007\u200béßçØ漢字🙂"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        article = clean_article(text)
        assert isinstance(article, CleanedArticle)


# ---------------------------------------------------------------------------------------------------------
# clean_articles


ARTICLE_DTYPES = {
    "article_id": pl.String,
    "title": pl.String,
    "subtitle": pl.String,
    "body": pl.String,
    "publisher": pl.String,
    "published_at": pl.Datetime("us"),
    "updated_at": pl.Datetime("us"),
    "word_count": pl.Int64,
}
LINE_DTYPES = {
    "article_id": pl.String,
    "line_no": pl.Int64,
    "text": pl.String,
    "kind": pl.String,
    "rule": pl.String,
}


def test_clean_articles_frames_have_exact_schema_and_order():
    raw = pl.DataFrame(
        {
            "article_id": ["b", "a", "c"],
            "text": [NATIONAL_STYLE, "Short piece\n\nOne sentence only, nothing else here.", ""],
            "source_path": ["x.txt", "y.txt", "z.txt"],
        }
    )
    articles, lines = clean_articles(raw)
    assert dict(articles.schema) == ARTICLE_DTYPES
    assert dict(lines.schema) == LINE_DTYPES
    assert articles["article_id"].to_list() == ["b", "a", "c"]
    first = articles.row(0, named=True)
    assert first["publisher"] == "The National"
    assert first["updated_at"] == datetime(2024, 3, 5, 9, 15)
    assert first["word_count"] == len(clean_article(NATIONAL_STYLE).body.split())
    assert articles.row(2, named=True)["body"] == ""
    assert set(lines["article_id"].unique().to_list()) == {"b"}
    assert lines.filter(pl.col("kind") == "translation_notice")["line_no"].to_list() == [6]


def test_clean_articles_empty_input_keeps_schema():
    raw = pl.DataFrame(schema={"article_id": pl.String, "text": pl.String})
    articles, lines = clean_articles(raw)
    assert articles.height == 0 and lines.height == 0
    assert dict(articles.schema) == ARTICLE_DTYPES
    assert dict(lines.schema) == LINE_DTYPES


def test_clean_articles_null_text_is_empty_article():
    raw = pl.DataFrame(
        {"article_id": ["n"], "text": [None]}, schema={"article_id": pl.String, "text": pl.String}
    )
    articles, _ = clean_articles(raw)
    assert articles.row(0, named=True)["body"] == ""
    assert articles.row(0, named=True)["word_count"] == 0


# ---------------------------------------------------------------------------------------------------------
# the two real articles in seeds/articles/


def _seed(name: str) -> str:
    return (SEEDS / "articles" / name).read_text(encoding="utf-8")


def test_seed_national_article():
    text = _seed("000_3f48738312f68a75.txt")
    article = clean_article(text)
    assert article.title == (
        "Blinken’s latest Middle East trip yields few results amid row with Israel over Rafah"
    )
    assert article.subtitle == (
        "Benjamin Netanyahu declares Israel will go ahead with ground operations after talks "
        "with US Secretary of State"
    )
    assert article.publisher == "The National"
    assert article.updated_at == datetime(2024, 3, 22, 18, 51)
    by_kind: dict[str, list[str]] = {}
    for r in article.removed:
        by_kind.setdefault(r.kind, []).append(r.text)
    assert len(by_kind["caption"]) == 1 and by_kind["caption"][0].endswith("before leaving Israel. AP")
    assert by_kind["translation_notice"] == ["Powered by automated translation"]
    assert by_kind["related_link"] == ["Live updates: Follow the latest news on Israel-Gaza"]
    video_title = "Benjamin Netanyahu acknowledges debate with US over plan to invade Rafah"
    assert by_kind["video_label"] == [f"{video_title} – video"]
    assert by_kind["video_title"] == [video_title, video_title]
    assert by_kind["gallery_label"] == ["Israel targets Rafah with air strikes – in pictures"]
    assert by_kind["timestamp"] == ["Updated: March 22, 2024, 6:51 PM"]
    assert len(article.removed) == 8
    body = paragraphs(article)
    assert len(body) == 22
    assert body[0].startswith("A three-day diplomatic blitz")
    assert "“You have a huge crisis of confidence" in article.body  # quote paragraph without a cue
    assert body[-1].startswith("After the vote, Mr Blinken said:")
    assert_every_line_accounted(text, article)


def test_seed_cnn_article():
    text = _seed("003_aae34b095bee0b31.txt")
    article = clean_article(text)
    assert article.title == "Blinken meets with Netanyahu in Israel as diplomatic efforts ramp up"
    assert article.subtitle is None
    assert article.publisher == "CNN"
    assert paragraphs(article)[0].startswith("US: Secretary of State Antony Blinken met with")
    assert [(r.kind, r.rule) for r in article.removed] == [("blank", "nbsp_only")] * 2
    assert NBSP not in article.body
    assert "in Gaza and deter an Israeli offensive" in article.body
    assert_every_line_accounted(text, article)


def test_a_line_written_on_every_row_of_a_plan_is_a_table_column_not_an_echo():
    days = [
        f"Day {n}\n\nBreakfast at seven\n\nWalk for thirty minutes after lunch\n\n{meal}\n\n"
        for n, meal in enumerate(["Lentil soup with bread", "Grilled fish and rice", "Bean chilli"], start=1)
    ]
    text = (
        "A three-day plan for the busy cook\n\n"
        "The plan below keeps every day simple, so it can be followed even on a working week.\n\n"
        + "".join(days)
        + "Each day ends with an early night, which the trainers say matters as much as the food.\n\n"
        "A three-day plan for the busy cook\n"
    )
    article = clean_article(text)
    assert article.body.count("Walk for thirty minutes after lunch") == 3
    assert article.body.count("Breakfast at seven") == 3
    removed = {r.text: r.kind for r in article.removed}
    assert removed.get("A three-day plan for the busy cook") == "duplicate_line"  # the echoed title
    assert_every_line_accounted(text, article)
