"""Signals that hold on sites nobody tuned to (issue 17): closing emoji and the other shapes added for it.
Every line here is invented for the construction it tests."""

from __future__ import annotations

import pytest

from pipeline.text.boilerplate import (
    is_contact_line,
    is_machine_text,
    is_sentence_like,
    without_closing_emoji,
)
from pipeline.text.clean import clean_article
from pipeline.text.shapes import is_embed_attribution, is_reader_pitch
from tests.cleaning_pages import CLOSING, HEADLINE, MIDDLE, OPENING, page, removed

# ---------------------------------------------------------------------------------------------------------
# closing emoji


@pytest.mark.parametrize(
    "line",
    [
        "Hope you can all join us at the harbour open day next spring! \U0001f642",
        "Bring the whole family along to the harbour festival on Saturday \U0001f609",
        "The quay was packed with visitors from early morning until late at night. \U0001f389\U0001f389",
    ],
)
def test_a_closing_emoji_ends_a_sentence(line: str) -> None:
    assert is_sentence_like(line)


@pytest.mark.parametrize("line", ["Harbour festival \U0001f389", "Photos from the quay \U0001f4f7"])
def test_a_short_line_closed_by_an_emoji_is_still_a_label(line: str) -> None:
    assert not is_sentence_like(line)


def test_without_closing_emoji_leaves_plain_lines_alone() -> None:
    assert without_closing_emoji("A plain line.") == "A plain line."
    assert without_closing_emoji("\U0001f642") == "\U0001f642"


def test_emoji_closed_lines_after_the_text_are_not_a_menu() -> None:
    first = "Thank you to everyone who came down to the quay for the opening of the new barrier! \U0001f642"
    second = "We will keep posting photos of the works every week until the barrier is finished \U0001f609"
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, CLOSING, first, second))
    assert first in article.body and second in article.body


# ---------------------------------------------------------------------------------------------------------
# short lines between a paragraph and a short sentence


STEPS = ["Walk the lower quay", "Cross the old lock", "Climb to the viewpoint"]


def test_steps_between_a_short_sentence_and_a_paragraph_stay() -> None:
    article = clean_article(page(HEADLINE, OPENING, "Here is the route!", *STEPS, MIDDLE, CLOSING))
    for step in STEPS:
        assert step in article.body


def test_a_packing_list_with_a_one_word_item_between_a_short_sentence_and_a_paragraph_stays() -> None:
    items = ["spare rain jacket", "flask of tea", "map", "walking boots"]
    article = clean_article(page(HEADLINE, OPENING, "We packed light.", "\n".join(items), MIDDLE, CLOSING))
    for item in items:
        assert item in article.body


def test_one_word_fields_between_a_short_sentence_and_a_paragraph_go() -> None:
    text = page(HEADLINE, OPENING, MIDDLE, "Name\nCity\nPostcode", "Sorry, that did not work.", CLOSING)
    article = clean_article(text)
    assert removed(article)["Postcode"] == ("navigation", "short_line_run")


def test_steps_between_two_short_sentences_are_still_a_menu() -> None:
    article = clean_article(
        page(HEADLINE, OPENING, MIDDLE, "Here is the route!", *STEPS, "Enjoy it!", CLOSING)
    )
    assert removed(article)[STEPS[0]] == ("navigation", "short_line_run")


# ---------------------------------------------------------------------------------------------------------
# the writer's address


@pytest.mark.parametrize(
    "line",
    ["Write to Ana Ruiz at ana.ruiz@harbour-gazette.example", "ana.ruiz@harbour-gazette.example @anaruiz"],
)
def test_a_short_line_with_an_address_is_a_contact_line(line: str) -> None:
    assert is_contact_line(line)
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, line, CLOSING))
    assert removed(article)[line] == ("byline", "contact_email")


def test_a_sentence_giving_an_address_is_text() -> None:
    line = "Readers who saw the flooding can write to the council at floods@harbour.example before Friday."
    assert not is_contact_line(line)
    assert not is_contact_line("Write to Ana Ruiz")


# ---------------------------------------------------------------------------------------------------------
# embedded posts

POST = "Barrier works start Monday, expect closures on the lower quay all week"
SIGNATURE = "— Harbour Council (@harbourcouncil) May 2, 2019"


def test_an_embedded_post_and_its_signature_stay() -> None:
    assert is_embed_attribution(SIGNATURE)
    article = clean_article(page(HEADLINE, OPENING, f"{POST}\n{SIGNATURE}", MIDDLE, CLOSING))
    assert POST in article.body and SIGNATURE in article.body


def test_an_embedded_post_quoted_twice_is_not_a_duplicate() -> None:
    embed = f"{POST}\n{SIGNATURE}"
    article = clean_article(page(HEADLINE, OPENING, embed, MIDDLE, embed, CLOSING))
    assert article.body.count(SIGNATURE) == 2
    assert article.body.count(POST) == 2


@pytest.mark.parametrize(
    "line",
    [
        "— Harbour Council (@harbourcouncil)",
        "Harbour Council (@harbourcouncil) May 2, 2019",
        "— Ana (@ana) said",
    ],
)
def test_other_lines_are_no_signature(line: str) -> None:
    assert not is_embed_attribution(line)


# ---------------------------------------------------------------------------------------------------------
# teasers led by "Also" or "Related post"


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        (
            "Also on harbourgazette.example.com Council names the firm that will build the barrier",
            "also_on_site",
        ),
        ("Also: the barrier in numbers", "read_more"),
        ("Related post: Ten walks along the lower quay", "read_more"),
        ("Related stories | The barrier vote explained", "read_more"),
    ],
)
def test_teasers_led_by_also_or_related_go(line: str, rule: str) -> None:
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, line, CLOSING))
    assert removed(article)[line] == ("related_link", f"pattern:{rule}")


def test_a_sentence_with_also_stays() -> None:
    line = "Also at the meeting, councillors agreed to fund a new lifeboat station: it opens next year."
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, line, CLOSING))
    assert line in article.body


# ---------------------------------------------------------------------------------------------------------
# reader pitches: subscribing, following


@pytest.mark.parametrize(
    "line",
    [
        "Harbour news lands in your inbox every Friday.",
        "With a harbour club membership you save a third!",
        "Tick the opt-in box if you want our flood alerts.",
        "Confirm your subscription with the link we sent you.",
        "Send us a question on WhatsApp any time.",
        "Harbour photos every day on our Instagram, come and see.",
    ],
)
def test_a_reader_pitch_goes(line: str) -> None:
    assert is_reader_pitch(line)
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, line, CLOSING))
    assert removed(article)[line] == ("share", "reader_pitch")


@pytest.mark.parametrize(
    "line",
    [
        "The council said subscriptions to its flood alerts had doubled since the storm.",
        "The mayor posted the flood map on Facebook on Monday night.",
        "“Follow us on Twitter for updates,” the council wrote in a letter to residents.",
        "''Our inbox is full of flood photos,'' the harbour master said on Monday.",
        "She said your neighbours can join the newsletter too.",
        "See you at the quay! pic.twitter.com/abc123",
        "“You can subscribe to the alerts for free,” the mayor told residents at the meeting.",
        "Residents who want the alerts can subscribe on the council website, where you will also find "
        "the maps of every street at risk along the lower quay and the dates of the next public meetings.",
    ],
)
def test_sentences_about_subscriptions_and_platforms_stay(line: str) -> None:
    assert not is_reader_pitch(line)
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, line, CLOSING))
    assert line in article.body


# ---------------------------------------------------------------------------------------------------------
# echoes of removed furniture


def test_the_opening_of_a_removed_call_to_action_goes_too() -> None:
    echo = "Never miss a tide."
    pitch = "Never miss a tide. Our weekly newsletter brings the harbour to you."
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, CLOSING, pitch, echo))
    assert removed(article)[echo] == ("share", "echo_of_removed_line")


def test_a_paragraph_opening_like_a_removed_line_of_a_menu_stays() -> None:
    echo = "Harbour barrier works and closures"
    article = clean_article(
        page(HEADLINE, OPENING, echo, MIDDLE, CLOSING, "News\nHarbour barrier works and closures map\nSport")
    )
    assert echo in article.body


# ---------------------------------------------------------------------------------------------------------
# the standfirst written twice

DECK = "Residents have waited ten years for the new barrier on the lower quay"


def test_a_standfirst_repeated_before_the_text_is_a_duplicate() -> None:
    article = clean_article(
        page(HEADLINE, DECK, "By Ana Ruiz", "May 2, 2019", DECK, OPENING, MIDDLE, CLOSING)
    )
    assert article.subtitle == DECK
    assert DECK not in article.body
    assert removed(article)[DECK] == ("duplicate_line", "repeat_of_earlier_line")


def test_a_standfirst_quoted_again_inside_the_text_stays() -> None:
    article = clean_article(
        page(HEADLINE, DECK, "By Ana Ruiz", "May 2, 2019", OPENING, DECK, MIDDLE, CLOSING)
    )
    assert article.subtitle == DECK
    assert DECK in article.body


# ---------------------------------------------------------------------------------------------------------
# text the page's code left behind


@pytest.mark.parametrize(
    "line",
    [
        "quay_photo_03_en",
        "%2Fnews%2Fharbour-barrier-2019%2F",
        "https://harbour.example/uploads/2019/05/quay_03.jpg 800 600 siteadmin https://harbour.example/logo.png",
    ],
)
def test_machine_text_goes(line: str) -> None:
    assert is_machine_text(line)
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, line, CLOSING))
    assert removed(article)[line] == ("markup", "machine_text")


@pytest.mark.parametrize(
    "line",
    [
        "Route 66",
        "B-52",
        "2019-20",
        "The plans are at https://harbour.example/plans and www.harbour.example/maps.",
    ],
)
def test_words_with_digits_or_links_in_text_are_not_machine_text(line: str) -> None:
    assert not is_machine_text(line)


# ---------------------------------------------------------------------------------------------------------
# picture credits without a known agency


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Boats moored at the lower quay on Monday. © Harbour Photos / Ana Ruiz", "copyright_sign_credit"),
        ("The new lock gate from the bridge. © Quayside Studio", "copyright_sign_credit"),
        ("Ana K. Ruiz/Harbour Gazette", "person_slash_outlet"),
        ("Tom Reyes / QuayPix", "person_slash_outlet"),
    ],
)
def test_picture_credits_without_a_known_agency_are_captions(line: str, rule: str) -> None:
    article = clean_article(page(HEADLINE, OPENING, line, MIDDLE, CLOSING))
    assert removed(article)[line] == ("caption", f"pattern:{rule}")


@pytest.mark.parametrize(
    "line",
    [
        "© 2019 Harbour Gazette. All rights reserved.",
        "Copyright © 2019 Harbour Gazette",
        "Input/Output",
        "The vote was 12/3 in favour of the barrier.",
    ],
)
def test_copyright_notices_and_slashed_words_are_no_picture_credit(line: str) -> None:
    article = clean_article(page(HEADLINE, OPENING, MIDDLE, CLOSING, line))
    assert removed(article).get(line, ("", ""))[0] != "caption"
