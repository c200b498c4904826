"""Cross-site shapes of page furniture (pipeline/text/shapes.py) and data lists kept by their template. Every
line here is invented for the construction it tests."""

from __future__ import annotations

import pytest

from pipeline.text.boilerplate import templated_stretches
from pipeline.text.clean import clean_article
from pipeline.text.shapes import is_author_bio, is_comment_head, is_meta_line
from tests.cleaning_pages import CLOSING, HEADLINE, MIDDLE, OPENING, page, removed

# ---------------------------------------------------------------------------------------------------------
# meta lines


@pytest.mark.parametrize(
    "line",
    [
        "October 3, 2018 | by Ana Ruiz",
        "Posted in Garden notes | Permalink | 4 Comments",
        "By Ana Ruiz | May 2, 2019 at 4:10 PM - Updated May 2 at 6:00 PM",
        "Wire Service May 2, 2019, 9:02 AM",
        "by Ana Ruiz on Monday, May 6th, 2019 at 11:08 a.m.",
        "March 4, 2017/2 Comments/in Harbour News /by siteadmin",
        "Northern Bureau | Updated : 4 March 2019, 09:01 AM",
    ],
)
def test_meta_line_shapes(line: str) -> None:
    assert is_meta_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "The council met on May 2, 2019 to vote on the barrier.",
        "Get the blender for $58.56",
        "Morning Digest 5.6.19",
        "May 2, 2019",  # a bare date is the date rules' business
        "Rovers | Athletic | Town",
    ],
)
def test_not_meta_lines(line: str) -> None:
    assert not is_meta_line(line)


def test_meta_line_between_title_and_body_is_removed() -> None:
    article = clean_article(page(HEADLINE, "June 3, 2018 | by Ana Ruiz", OPENING, MIDDLE, CLOSING))
    assert removed(article)["June 3, 2018 | by Ana Ruiz"][1] == "meta_line"
    assert article.body.split("\n\n") == [OPENING, MIDDLE, CLOSING]


def test_rows_of_dated_entries_stay() -> None:
    rows = [f"June {d}, 2018 | Harbour Rowing Club | by Ana Ruiz" for d in (3, 10, 17)]
    article = clean_article(page(HEADLINE, OPENING, "The season so far:", *rows, CLOSING))
    for row in rows:
        assert row in article.body


# ---------------------------------------------------------------------------------------------------------
# comment sections


@pytest.mark.parametrize(
    "line",
    [
        "12 responses to “Harbour council approves barrier”",
        "Ana Ruiz on May 2, 2019 at 4:47 pm said:",
        "quaysidewatcher says:",
        "Leave a comment",
        "Comments are closed.",
        "You need to be logged in to leave a comment.",
    ],
)
def test_comment_heads(line: str) -> None:
    assert is_comment_head(line)


@pytest.mark.parametrize("line", ["The minister says:", "Smith says:", "he said:", "Comments"])
def test_not_comment_heads(line: str) -> None:
    assert not is_comment_head(line)


def test_comment_section_after_the_article_is_removed() -> None:
    comment = "I walk along the quay every day and this barrier is long overdue in my opinion."
    article = clean_article(
        page(
            HEADLINE,
            OPENING,
            MIDDLE,
            CLOSING,
            "3 responses to “Harbour barrier”",
            "quaysidewatcher says:",
            comment,
        )
    )
    assert article.body.split("\n\n") == [OPENING, MIDDLE, CLOSING]
    assert removed(article)[comment] == ("footer", "comment_section")


def test_comment_head_in_the_first_half_ends_nothing() -> None:
    article = clean_article(page(HEADLINE, "Leave a comment", OPENING, MIDDLE, CLOSING))
    assert article.body.split("\n\n")[-3:] == [OPENING, MIDDLE, CLOSING]


# ---------------------------------------------------------------------------------------------------------
# author bios


@pytest.mark.parametrize(
    "line",
    [
        "Ana Ruiz is a senior editor at the Harbour Gazette, where she has covered the port since 2012.",
        "Ana Ruiz (@anaruiz) is an Ideas contributor at the Gazette and hosts a weekly podcast.",
        "Tom Brandt is the Gazette's shipping correspondent.",
        "Staff columnist Tom Brandt writes a daily blog on harbour affairs.",
        "Tom Brandt is an award-winning writer based in the north who has covered ports for years.",
    ],
)
def test_bio_shapes(line: str) -> None:
    assert is_author_bio(line)


@pytest.mark.parametrize(
    "line",
    [
        "Writer Tom Brandt is among the judges who will hear aspiring writers read their work.",
        "Harbour Lights is based on the novel of the same name written by journalist Ana Ruiz.",
        "Mayor Ana Ruiz is expected to sign the order on Friday.",
    ],
)
def test_not_bios(line: str) -> None:
    assert not is_author_bio(line)


def test_bio_after_the_last_paragraph_is_removed() -> None:
    bio = "Tom Brandt is a reporter covering the harbour and the city council."
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, CLOSING, bio))
    assert removed(article)[bio] == ("byline", "author_bio")
    assert article.body.split("\n\n") == [OPENING, MIDDLE, CLOSING]


def test_bio_shaped_sentence_early_in_the_article_stays() -> None:
    bio = "Tom Brandt is a reporter covering the harbour and the city council."
    article = clean_article(page(HEADLINE, bio, OPENING, MIDDLE, CLOSING, CLOSING.replace("two", "three")))
    assert bio in article.body


# ---------------------------------------------------------------------------------------------------------
# data lists by template


def test_lines_sharing_a_template_between_paragraphs_stay() -> None:
    items = [
        "Rovers (Group A): fourth visit",
        "Athletic (Group B): first visit",
        "Town (Group C): 11th visit",
        "United (Group D): second visit",
    ]
    article = clean_article(page(HEADLINE, OPENING, "Who is through", *items, MIDDLE, CLOSING))
    for item in items:
        assert item in article.body


def test_template_stretches_need_words_and_length() -> None:
    assert templated_stretches(["Name(required)", "Email(required)", "Comment(required)"]) == []
    assert templated_stretches(["Stalls : 40", "Circle : 30", "Box : 60"]) == [range(0, 3)]
    headlines = [
        "Review: a new kettle that boils water twice as fast as before",
        "Bestseller: the espresso maker that fits in a coat pocket easily",
        "Review: charge nine phones at once from this camping battery pack",
    ]
    assert templated_stretches(headlines) == []


# ---------------------------------------------------------------------------------------------------------
# calls to action, buttons and credit-only lines


@pytest.mark.parametrize(
    ("line", "kind", "rule"),
    [
        ("Click to share on Mastodon (Opens in new window)", "share", "pattern:share_word"),
        ("Click here to subscribe to the Quayside Bulletin", "share", "pattern:click_to_share"),
        ("Tap to email this to a friend", "share", "pattern:click_to_share"),
        ("READ LATER", "share", "pattern:ui_button"),
        ("Learn more", "share", "pattern:ui_button"),
        ("Enlarge Image", "share", "pattern:ui_button"),
        ("Getty", "credit", "agency_only"),
        ("Shutterstock", "credit", "agency_only"),
        ("Courtesy of Ana Ruiz", "caption", "pattern:courtesy_credit"),
        ("Photo by Tom Brandt", "caption", "pattern:courtesy_credit"),
    ],
)
def test_calls_to_action_and_credit_lines(line: str, kind: str, rule: str) -> None:
    article = clean_article(page(HEADLINE, OPENING, line, MIDDLE, CLOSING))
    assert removed(article)[line] == (kind, rule)
    assert article.body.split("\n\n") == [OPENING, MIDDLE, CLOSING]


@pytest.mark.parametrize(
    "line",
    [
        "Click here to get more information about the barrier and the building timetable.",
        "Tap the image above to read the council's plans for the quay.",
    ],
)
def test_instructions_that_point_at_content_stay(line: str) -> None:
    article = clean_article(page(HEADLINE, OPENING, line, MIDDLE, CLOSING))
    assert line in article.body


@pytest.mark.parametrize(
    "line", ["Thanks for subscribing to the Quay Letter!", "You have successfully signed up."]
)
def test_signup_confirmations(line: str) -> None:
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, line, CLOSING))
    assert removed(article)[line] == ("share", "pattern:signup_confirmation")


# ---------------------------------------------------------------------------------------------------------
# lists after the article's tail furniture


def test_numbered_links_after_the_tags_are_footer() -> None:
    links = ["5 Walks Along the Quay", "6 Walks Along the River", "7 Walks Along the Canal"]
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, CLOSING, "Share this:", *links))
    for link in links:
        assert removed(article)[link] == ("footer", "after_last_paragraph")


def test_numbered_list_right_after_the_last_paragraph_stays() -> None:
    items = ["1 Rovers 12 points", "2 Athletic 10 points", "3 Town 9 points"]
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, CLOSING, *items))
    for item in items:
        assert item in article.body


# ---------------------------------------------------------------------------------------------------------
# short lines framed by paragraphs


STEPS = ["Morning session", "Warm up for ten minutes", "Row two kilometres at an easy pace"]


def test_short_lines_between_two_paragraphs_stay() -> None:
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, *STEPS, CLOSING, MIDDLE.replace("four", "five")))
    for step in STEPS:
        assert step in article.body


def test_two_headlines_between_paragraphs_are_still_links() -> None:
    pair = "\n".join(["Quay traders fear a long winter", "Ferry fares rise again in spring"])
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, pair, CLOSING, MIDDLE.replace("four", "five")))
    assert "Quay traders fear a long winter" not in article.body


def test_short_lines_after_a_player_label_are_not_framed() -> None:
    article = clean_article(
        page(HEADLINE, OPENING, MIDDLE, "Watch now", *STEPS, CLOSING, OPENING[:-1] + " again.")
    )
    for step in STEPS:
        assert step not in article.body


def test_short_lines_with_a_byline_among_them_are_not_framed() -> None:
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, STEPS[0], "By Ana Ruiz", *STEPS[1:], CLOSING))
    for step in STEPS:
        assert step not in article.body


# ---------------------------------------------------------------------------------------------------------
# tag lines


@pytest.mark.parametrize(
    "line",
    [
        "Filed Under:Harbour, flood barrier, council",
        "Tags: harbour, quay, ferries",
        "Filed under harbour ,  council ,  weather",
        "In This Article: harbour council, Ana Ruiz, flood defences",
        "tags #Harbour #Quay",
    ],
)
def test_tag_lines(line: str) -> None:
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, line, CLOSING))
    assert removed(article)[" ".join(line.split())] == ("navigation", "pattern:tag_line")


def test_a_bare_tags_label_takes_its_tags() -> None:
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, CLOSING, "Tags:", "Ana Ruiz"))
    assert removed(article)["Ana Ruiz"] == ("related_link", "after_list_label")


def test_in_this_article_as_prose_stays() -> None:
    line = "In this article, and in the weeks to come, I look at how the quay was rebuilt."
    article = clean_article(page(HEADLINE, OPENING, line, MIDDLE, CLOSING))
    assert line in article.body


@pytest.mark.parametrize(
    "line",
    [
        "If you buy something through a link on this page, the Gazette may earn a small commission.",
        "We could collect a commission when readers click our shop links and buy a kettle, says the Gazette.",
    ],
)
def test_affiliate_disclosures(line: str) -> None:
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, line, CLOSING))
    assert removed(article)[line] == ("advert", "pattern:affiliate_disclosure")


def test_a_commission_mentioned_in_the_news_stays() -> None:
    line = "The regulator said the broker may receive a commission of up to two percent on each ferry sold."
    article = clean_article(page(HEADLINE, OPENING, line, MIDDLE, CLOSING))
    assert line in article.body


# ---------------------------------------------------------------------------------------------------------
# a headline echoed by its kicker or by a breadcrumb


def test_kicker_that_opens_the_headline_is_a_label() -> None:
    headline = "Fact Check: Did the harbour council really ban rowing boats on Sundays?"
    article = clean_article(page("Fact Check", headline, OPENING, MIDDLE, CLOSING))
    assert article.title == headline
    assert article.body.split("\n\n") == [OPENING, MIDDLE, CLOSING]


def test_breadcrumb_ending_in_the_headline_is_navigation() -> None:
    article = clean_article(page("Home News Local News " + HEADLINE, HEADLINE, OPENING, MIDDLE, CLOSING))
    assert article.title == HEADLINE
    assert removed(article)["Home News Local News " + HEADLINE][0] == "navigation"


def test_bureau_and_update_stamp_is_a_meta_line() -> None:
    assert is_meta_line("Port Town, Gazette Coast Bureau | Updated : 4 March 2019, 09:01 AM")


@pytest.mark.parametrize(
    "line", ["Share Tweet", "Tweet on Twitter", "Sharing is caring!", "312shares", "1.2k Shares"]
)
def test_share_counters(line: str) -> None:
    article = clean_article(page(HEADLINE, line, OPENING, MIDDLE, CLOSING))
    assert removed(article)[line] == ("share", "pattern:share_counter")
