"""One test (or parametrised case) per boilerplate kind the cleaning issue names, plus headline-less texts and
normalisation. Every text is invented for the test, in the style of a news page."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import pytest

from pipeline.text.clean import CleanedArticle, clean_article

NBSP = "\u00a0"
HEADLINE = "Harbour council approves new flood barrier after long debate"
OPENING = "The harbour council approved a new flood barrier on Tuesday after a debate that lasted six hours."
CLOSING = "Construction is expected to start in the spring and to take two years to complete."


def page(*middle: str, head: str = HEADLINE) -> str:
    """A small page: headline, first paragraph, the lines under test, last paragraph (blank-line
    separated)."""
    return "\n\n".join([head, OPENING, *middle, CLOSING]) + "\n"


def removed(article: CleanedArticle) -> dict[str, tuple[str, str]]:
    """Removed line (stripped, normalised) -> (kind, rule)."""
    return {" ".join(r.text.split()): (r.kind, r.rule) for r in article.removed}


def paragraphs(article: CleanedArticle) -> list[str]:
    return article.body.split("\n\n") if article.body else []


def assert_only_line_removed(line: str, kind: str) -> CleanedArticle:
    """The page around `line` keeps its headline and both paragraphs; `line` is removed with `kind`."""
    article = clean_article(page(line))
    assert article.title == HEADLINE
    assert paragraphs(article) == [OPENING, CLOSING]
    got = removed(article)
    assert " ".join(line.split()) in got, got
    assert got[" ".join(line.split())][0] == kind
    return article


# ---------------------------------------------------------------------------------------------------------
# captions, each credit form


@pytest.mark.parametrize(
    "line",
    [
        "Workers inspect the old sea wall near the fish market before the vote. AP",
        "Workers inspect the old sea wall. Photograph: Mia Santos/Getty Images",
        "Workers inspect the old sea wall near the fish market (AP)",
        "Workers inspect the old sea wall near the fish market. REUTERS/Amir Cohen",
        "Workers inspect the old sea wall near the fish market. (Kim Lee/CBC)",
        "Workers inspect the old sea wall near the fish market [File: Reuters]",
        "Image caption Workers inspect the old sea wall near the fish market",
        "In this file photo taken on March 3, workers inspect the old sea wall near the fish market.",
    ],
)
def test_photo_caption_with_each_credit_form(line):
    article = assert_only_line_removed(line, "caption")
    assert "sea wall" not in article.body


def test_caption_split_over_two_lines_takes_its_text_line_too():
    article = clean_article(page("Workers inspect the old sea wall\n(Mia Santos / Associated Press)"))
    got = removed(article)
    assert got["Workers inspect the old sea wall"] == ("caption", "above_credit_line")
    assert got["(Mia Santos / Associated Press)"][0] == "caption"
    assert paragraphs(article) == [OPENING, CLOSING]


# ---------------------------------------------------------------------------------------------------------
# notices, links and media labels


@pytest.mark.parametrize(
    ("line", "kind", "rule"),
    [
        ("Powered by automated translation", "translation_notice", "pattern:automated_translation"),
        ("Live updates: Follow the latest on the storm", "related_link", "pattern:live_updates"),
        ("Read more: Why sea levels are rising faster", "related_link", "pattern:read_more"),
        ("READ MORE: Council to vote on parking charges", "related_link", "pattern:read_more"),
        ("The mayor explains the barrier plan – video", "video_label", "pattern:dash_video"),
        ("The harbour through the years – in pictures", "gallery_label", "pattern:dash_in_pictures"),
        ("Media playback is unsupported on your device", "video_label", "pattern:media_unsupported"),
        ("Advertisement", "advert", "pattern:advertisement"),
        ("ADVERTISEMENT", "advert", "pattern:advertisement"),
        ("Story continues below advertisement", "advert", "pattern:advertisement"),
    ],
)
def test_notices_links_and_labels(line, kind, rule):
    article = assert_only_line_removed(line, kind)
    assert removed(article)[line][1] == rule


@pytest.mark.parametrize(
    ("label", "title_kind"), [("– video", "video_title"), ("– in pictures", "gallery_title")]
)
def test_headline_repeated_as_video_or_gallery_title(label, title_kind):
    title = "How the new barrier will hold back the sea"
    article = clean_article(page(f"{title} {label}", title, title))
    got = [(r.kind, r.rule) for r in article.removed if r.text == title]
    assert len(got) == 2
    assert {kind for kind, _ in got} == {title_kind}
    assert paragraphs(article) == [OPENING, CLOSING]


def test_line_before_a_video_label_is_not_taken_as_its_title():
    """The article's headline may be the same words as a later "– video" label; it stays the headline."""
    text = page("Storm barrier approved – video", head="Storm barrier approved")
    article = clean_article(text)
    assert article.title == "Storm barrier approved"


# ---------------------------------------------------------------------------------------------------------
# timestamps, bylines


@pytest.mark.parametrize(
    ("line", "published", "updated"),
    [
        ("Updated: March 22, 2024, 6:51 PM", None, datetime(2024, 3, 22, 18, 51)),
        ("Published: 14 October 2023, 07:45", datetime(2023, 10, 14, 7, 45), None),
        ("Published 5 January 2024", datetime(2024, 1, 5), None),
        ("Last updated on 2 May 2022 at 10:05 BST", None, datetime(2022, 5, 2, 10, 5)),
        ("Tue 12 Mar 2024 09.30 GMT", datetime(2024, 3, 12, 9, 30), None),
    ],
)
def test_timestamp_lines_are_removed_and_parsed(line, published, updated):
    article = clean_article("\n\n".join([HEADLINE, line, OPENING, CLOSING]))
    assert removed(article)[line][0] == "timestamp"
    assert article.published_at == published
    assert article.updated_at == updated
    assert paragraphs(article) == [OPENING, CLOSING]


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("By Jane Smith", "by_name"),
        ("By Jane Smith and Omar Haddad, CNN", "by_name"),
        ("Jeff Moreno, The Associated Press", "name_and_publisher"),
        ("Marta Ruiz, senior video producer", "pattern:name_and_role"),
        ("Reporting by Ana Costa; Editing by Tom Brown", "pattern:reporting_by"),
    ],
)
def test_bylines(line, rule):
    article = clean_article("\n\n".join([HEADLINE, line, OPENING, CLOSING]))
    assert removed(article)[line] == ("byline", rule)
    assert paragraphs(article) == [OPENING, CLOSING]


# ---------------------------------------------------------------------------------------------------------
# share, follow, newsletter


@pytest.mark.parametrize(
    "line",
    [
        "Share this with Facebook",
        "Share on Twitter",
        "Copy link",
        "Follow us on Instagram",
        "Sign up to our daily newsletter",
        "Get our free morning briefing newsletter",
        "WhatsApp",
    ],
)
def test_share_follow_and_newsletter_lines(line):
    assert_only_line_removed(line, "share")


# ---------------------------------------------------------------------------------------------------------
# blank lines


def test_nbsp_only_and_zero_width_lines_are_blank_and_plain_empty_lines_are_separators():
    text = page(NBSP, f"  {NBSP}\u202f ", "\u200b", "   ")
    article = clean_article(text)
    blanks = [(r.kind, r.rule) for r in article.removed]
    assert blanks == [("blank", "nbsp_only"), ("blank", "nbsp_only"), ("blank", "whitespace_only")]
    assert paragraphs(article) == [OPENING, CLOSING]


# ---------------------------------------------------------------------------------------------------------
# navigation and trailing furniture


def test_related_headline_list_is_navigation():
    article = clean_article(
        page(
            "Mayor faces questions over travel expenses\n"
            "Ferry fares to rise by 5% in April\n"
            "Fishing fleet returns after record season"
        )
    )
    kinds = {kind for kind, _ in removed(article).values()}
    assert kinds == {"navigation"}
    assert paragraphs(article) == [OPENING, CLOSING]


def test_labelled_related_list_is_related_links():
    article = clean_article(
        page(
            "Related articles",
            "Mayor faces questions over travel expenses",
            "Ferry fares to rise by 5% in April",
        )
    )
    assert {kind for kind, _ in removed(article).values()} == {"related_link"}
    assert paragraphs(article) == [OPENING, CLOSING]


def test_trailing_furniture_most_popular_tags_and_footer():
    text = (
        page()
        + "\nMost popular\n\nBus drivers vote to strike over pay\n\nSchool wins national science prize\n\n"
        "Topics\n\nFlooding\n\nLocal government\n\n© 2024 Harbour Gazette. All rights reserved.\n\n"
        "Terms of use\n\nPrivacy policy\n"
    )
    article = clean_article(text)
    assert paragraphs(article) == [OPENING, CLOSING]
    got = removed(article)
    assert got["Most popular"] == ("related_link", "list_label")
    assert got["Bus drivers vote to strike over pay"][0] == "related_link"
    assert got["© 2024 Harbour Gazette. All rights reserved."][0] == "copyright"
    assert got["Privacy policy"][0] == "navigation"
    assert {"Topics", "Flooding", "Local government", "Terms of use"} <= got.keys()


def test_author_bio_at_the_end_without_final_period():
    bio = "Dana Brooks is a climate reporter for the Harbour Gazette, covering water and energy"
    article = clean_article(page() + "\n" + bio + "\n")
    assert removed(article)[bio] == ("byline", "author_bio")
    assert paragraphs(article) == [OPENING, CLOSING]


# ---------------------------------------------------------------------------------------------------------
# no headline


def test_text_without_headline_keeps_first_paragraph_in_body():
    text = f"{OPENING}\n\n{CLOSING}\n"
    article = clean_article(text)
    assert article.title is None
    assert article.subtitle is None
    assert paragraphs(article) == [OPENING, CLOSING]
    assert article.removed == ()


def test_short_first_paragraph_is_not_taken_for_a_headline():
    text = "Officials said the work was finished.\n\nThe barrier will be tested next month, engineers said.\n"
    article = clean_article(text)
    assert article.title is None
    assert paragraphs(article)[0] == "Officials said the work was finished."


# ---------------------------------------------------------------------------------------------------------
# normalisation in the cleaned output


def test_body_is_nfc_with_nbsp_as_space_and_keeps_curly_quotes_and_dashes():
    decomposed = "The cafe\u0301 owner said:\u00a0“We’ll reopen – maybe — soon.”"
    article = clean_article(page(decomposed))
    expected = "The café owner said: “We’ll reopen – maybe — soon.”"
    assert expected in paragraphs(article)
    assert unicodedata.is_normalized("NFC", article.body)
    assert NBSP not in article.body
    for char in "“”’–—":
        assert char in article.body


def test_removed_lines_keep_their_raw_text():
    line = f"Advertisement{NBSP}"
    article = clean_article(page(line))
    assert [r.text for r in article.removed] == [line]


@pytest.mark.parametrize(
    "sentence",
    [
        "Research by handset maker Nokia shows that more people now use their phones for every call.",
        "Produced by a small studio in Leeds, the game sold a million copies in its first month.",
    ],
)
def test_sentences_starting_like_a_credit_line_are_content(sentence):
    article = clean_article(page(sentence))
    assert sentence in paragraphs(article)
    assert article.removed == ()


@pytest.mark.parametrize(
    "headline",
    ["Analysis: Can the barrier hold back the sea?", "Latest flood barrier design passes its first test"],
)
def test_first_line_shaped_like_a_link_label_is_the_headline_when_prose_follows(headline):
    article = clean_article(page(head=headline))
    assert article.title == headline
    assert paragraphs(article) == [OPENING, CLOSING]
