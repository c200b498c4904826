"""Site furniture found by repetition across the articles of one publisher in one clean_articles run."""

from __future__ import annotations

import polars as pl

from pipeline.text.clean import clean_article, clean_articles
from pipeline.text.repetition import MIN_ARTICLES, find_site_repeats

PROMO = "Harbour Gazette Extra"
STOCK = "A spokesman for the council declined to comment on the figures."


def story(n: int, *extra: str, publisher: str = "The National") -> str:
    """A distinct article naming its publisher ("told The National"), with `extra` lines before the end."""
    return "\n\n".join(
        [
            f"Ferry route number {n} to close after years of losses",
            f"The operator of ferry route {n} said on Monday it would close the service in June, "
            f"the company's chief executive told {publisher}.",
            *extra,
            f"About {n * 100} passengers a week used route {n} last year, down from twice that in 2019.",
        ]
    )


def run(texts: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    raw = pl.DataFrame({"article_id": [f"a{i}" for i in range(len(texts))], "text": texts})
    return clean_articles(raw)


def test_line_repeated_across_a_publishers_articles_is_site_furniture():
    articles, lines = run([story(n, PROMO) for n in range(1, 5)])
    assert articles["publisher"].to_list() == ["The National"] * 4
    assert not any(PROMO in body for body in articles["body"])
    promo = lines.filter(pl.col("text") == PROMO)
    assert promo.height == 4
    assert set(promo["kind"]) == {"site_repeat"}
    assert set(promo["rule"]) == {"repeated_across_publisher_articles"}
    # one article alone keeps the line: the signal needs the run
    assert PROMO in clean_article(story(1, PROMO)).body


def test_fewer_articles_than_the_minimum_keep_the_line():
    articles, lines = run([story(n, PROMO) for n in range(1, MIN_ARTICLES)])
    assert all(PROMO in body for body in articles["body"])
    assert lines.filter(pl.col("kind") == "site_repeat").height == 0


def test_repetition_counts_within_one_publisher_only():
    texts = [story(1, PROMO), story(2, PROMO, publisher="CNN"), story(3, PROMO, publisher="the Guardian")]
    articles, _ = run(texts)
    assert articles["publisher"].to_list() == ["The National", "CNN", "The Guardian"]
    assert all(PROMO in body for body in articles["body"])


def test_shared_prose_sentences_are_never_site_furniture():
    """Stock sentences and background paragraphs recur across versions of a story: they are content."""
    articles, lines = run([story(n, STOCK) for n in range(1, 6)])
    assert all(STOCK in body for body in articles["body"])
    assert lines.height == 0


def test_articles_without_a_publisher_are_not_compared():
    texts = [
        f"Route {n} closes\n\nThe ferry on route {n} will stop running in June, the operator said."
        f"\n\n{PROMO}\n\n"
        f"About {n * 100} passengers a week used it last year, the operator said."
        for n in range(1, 6)
    ]
    articles, _ = run(texts)
    assert articles["publisher"].null_count() == 5
    assert all(PROMO in body for body in articles["body"])


def test_lines_shared_by_a_small_share_of_a_big_publisher_stay():
    texts = [story(n, PROMO) for n in range(1, 4)] + [story(n) for n in range(4, 40)]
    articles, _ = run(texts)
    assert sum(PROMO in body for body in articles["body"]) == 3


def test_content_lists_and_titles_are_never_site_furniture():
    fixtures = ["Rovers v Athletic", "Northgate v Eastfield", "Westbury v Rangers"]
    texts = [story(n, *fixtures) for n in range(1, 5)]
    articles, lines = run(texts)
    assert all("Rovers v Athletic" in body for body in articles["body"])
    assert lines.height == 0


def test_find_site_repeats_positions_and_keys():
    keys = frozenset({"promo", "menu"})
    found = find_site_repeats(["P", "P", "P", "Q", None], [keys, keys, frozenset({"promo"}), keys, keys])
    assert found == {0: frozenset({"promo"}), 1: frozenset({"promo"}), 2: frozenset({"promo"})}


def test_clean_articles_with_site_repeats_keeps_order_and_schema():
    texts = [story(n, PROMO) for n in range(1, 4)] + ["", "Just one line of text, nothing else."]
    articles, lines = run(texts)
    assert articles["article_id"].to_list() == ["a0", "a1", "a2", "a3", "a4"]
    assert lines.filter(pl.col("kind") == "site_repeat")["article_id"].to_list() == ["a0", "a1", "a2"]
    assert lines.select("article_id", "line_no").is_duplicated().sum() == 0
