"""Lists inside an article (fixtures, seedings, award winners, results) are content; runs of related headlines
and menus are navigation. Texts are invented in the style of agency sport and arts reports, where the list
often follows the last paragraph with no label in front of it."""

from __future__ import annotations

import pytest

from pipeline.text.boilerplate import has_list_item_shape, is_content_list
from pipeline.text.clean import CleanedArticle, clean_article

HEADLINE = "Rovers handed home tie in cup quarter-finals"
FIRST = (
    "Rovers will play at home in the quarter-finals of the county cup after the draw was made on "
    "Monday night, "
    "with holders United facing a trip to the coast."
)
LAST = "The ties will be played on the weekend of 12 and 13 March, with replays ten days later."


def body_lines(article: CleanedArticle) -> list[str]:
    return article.body.split("\n\n") if article.body else []


def report(*items: str, after: str | None = None) -> str:
    """Headline, two paragraphs, then the list items (blank-line separated), then optionally a paragraph."""
    parts = [HEADLINE, FIRST, LAST, *items]
    if after:
        parts.append(after)
    return "\n\n".join(parts) + "\n"


FIXTURES = [
    "Rovers v Athletic",
    "Harbour Town or Millside v United",
    "Northgate v Eastfield",
    "Westbury v Rangers",
]
SEEDS = ["1 Ana Kovac (Croatia)", "2 Lena Hoffmann (Germany)", "3 Mia Santos (Brazil)", "4 Ada Obi (Nigeria)"]
AWARDS = [
    " - Best actress - Clare Moss for The Harbour at the Lyric ",
    " - Best actor - Tom Reyes for Old Bridges at the Royal ",
    " - Best new play - The Harbour by Ada Obi at the Lyric ",
]
LABELLED = ["Drama - The Lighthouse Keepers", "Animation - Paper Boats", "Factual - Rivers of the North"]
NOTES = ["Ana Kovac (Northgate)", "Tom Reyes (Harbour Town)", "Lena Hoffmann (Westbury)"]
RECORD = ["4th Division One", "FINALISTS (three times)", "9th Division Two", "FINALISTS (once)"]


@pytest.mark.parametrize("items", [FIXTURES, SEEDS, AWARDS, LABELLED, NOTES, RECORD])
def test_trailing_content_list_stays_in_body(items):
    article = clean_article(report(*items))
    assert article.removed == ()
    assert body_lines(article) == [FIRST, LAST, *(" ".join(item.split()) for item in items)]


@pytest.mark.parametrize("items", [FIXTURES, SEEDS, LABELLED])
def test_content_list_between_paragraphs_stays(items):
    after = "Rovers last reached the semi-finals in 1998, when they lost to United after a replay."
    article = clean_article(report(*items, after=after))
    assert article.removed == ()
    assert body_lines(article)[-1] == after


def test_list_introduced_by_colon_stays_even_at_the_end():
    text = "\n\n".join(
        [
            HEADLINE,
            FIRST,
            "The full draw for the quarter-finals is as follows:",
            "Rovers at home",
            "United away",
            "Athletic at home",
        ]
    )
    article = clean_article(text)
    assert article.removed == ()
    assert body_lines(article)[-1] == "Athletic at home"


def test_list_item_claimed_as_a_caption_is_restored():
    """ "The Lighthouse (Paper Boat Films/Channel 9)" looks like a photo credit on its own, not in a list."""
    items = [
        "Ana Kovac (Northgate)",
        "The Lighthouse (Paper Boat Films/Channel 9)",
        "Tom Reyes (Harbour Town)",
    ]
    article = clean_article(report(*items))
    assert article.removed == ()
    assert body_lines(article)[-3:] == items


def test_related_headlines_after_the_article_are_still_navigation():
    headlines = [
        "Bus drivers vote to strike over pay",
        "School wins national science prize",
        "Mayor faces questions over travel expenses",
    ]
    article = clean_article(report(*headlines))
    assert body_lines(article) == [FIRST, LAST]
    assert {r.kind for r in article.removed} == {"navigation"}
    assert [r.text for r in article.removed] == headlines


def test_menu_next_to_a_content_list_still_goes():
    """A run that is partly a fixture list and partly a menu (separated by a share line): the fixtures stay,
    the menu entries go."""
    text = report(*FIXTURES[:3]) + "\nShare\n\nNews\nSport\nWeather\n"
    article = clean_article(text)
    assert body_lines(article) == [FIRST, LAST, *FIXTURES[:3]]
    assert {r.text: r.kind for r in article.removed} == {
        "Share": "share",
        "News": "navigation",
        "Sport": "navigation",
        "Weather": "navigation",
    }


def test_two_bullets_after_the_last_paragraph_stay_but_a_lone_trailing_bullet_goes():
    text = report("• Rovers v Athletic", "• Northgate v Eastfield")
    article = clean_article(text)
    assert article.removed == ()
    lone = clean_article(report() + "\n• Twitter: jsmith | Instagram: jsmith\n")
    assert [r.kind for r in lone.removed] == ["footer"]
    with_address = clean_article(report() + "\n• Email: jsmith@example.com | Twitter: jsmith\n")
    assert [r.kind for r in with_address.removed] == ["byline"]  # the contact line rule takes it first


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        ("Millside v Harbour Town", True),
        ("Reading or Swansea vs Leicester", True),
        ("16 Ana Kovac (Croatia)", True),
        ("3rd place", True),
        ("Animation - Paper Boats", True),
        ("FINALISTS (once)", True),
        ("Watch the moment the bridge opened (2:34)", False),
        ("33%of voters back the plan", False),
        ("Minister resigns over expenses claims", False),
        ("AVOIDING CONTACT: The rules on self-isolation", False),
    ],
)
def test_list_item_shapes(text, shaped):
    assert has_list_item_shape(text) is shaped


def test_content_list_needs_most_items_shaped():
    assert is_content_list(["Rovers v Athletic", "Northgate v Eastfield", "Group winners play in the final"])
    assert not is_content_list(["Rovers v Athletic", "Bus drivers vote to strike", "School wins prize"])
    assert not is_content_list(["Rovers v Athletic"])


def test_repeated_item_of_a_content_list_is_not_a_duplicate():
    items = ["Rovers v Athletic", "Northgate v Eastfield", "Group winners play in the final"]
    items += ["Westbury v Rangers", "Millside v United", "Group winners play in the final"]
    article = clean_article(report(*items))
    assert article.removed == ()
    assert body_lines(article).count("Group winners play in the final") == 2


def test_lowercase_parenthetical_note_is_not_a_credit():
    article = clean_article(report("(holders in capitals)", *FIXTURES))
    assert article.removed == ()
    assert "(holders in capitals)" in body_lines(article)
