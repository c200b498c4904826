"""The parse started ahead (while cleaning finishes) caches the rows a parse of the same bodies gives, and
the parse step then parses only the articles whose body changed since."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.nlp import ahead
from pipeline.nlp.extract import extract
from pipeline.nlp.workers import started_early
from tests.conftest import seed_body


def _articles() -> pl.DataFrame:
    bodies = [seed_body("000"), seed_body("003"), seed_body("000")]
    bodies += [f'"Case {n} is closed," Judge Ann Brown said in Leeds on Monday.' for n in range(3)]
    ids = ["a0", "a1", "a0", "a3", "a4", "a5"]  # a0 twice (an exact duplicate file): parsed once
    return pl.DataFrame({"article_id": ids, "body": bodies})


def test_without_workers_started_nothing_is_parsed_ahead(tmp_path: Path) -> None:
    assert ahead.start(_articles(), ahead.nlp_cache(tmp_path), batch_size=2) == 0
    assert ahead.finish() == set()


def test_rows_parsed_ahead_are_those_of_one_pass_and_cached_by_body(tmp_path: Path, nlp) -> None:
    articles = _articles()
    cache = ahead.nlp_cache(tmp_path)
    with started_early(articles.height, batch_size=2, n_process=2):
        assert ahead.running() is False
        assert ahead.start(articles, cache, batch_size=2) == 5
        assert ahead.running() is True
        parsed = ahead.finish()
    distinct = articles.unique("article_id", keep="first", maintain_order=True)
    assert parsed == set(ahead.cache_keys(distinct))
    cached, hits = cache.lookup(ahead.cache_keys(distinct))
    assert hits == parsed
    mentions, quotes = extract(distinct, nlp)
    assert (
        cached["entity_mentions"]
        .select(mentions.columns)
        .sort("mention_id")
        .equals(mentions.sort("mention_id"))
    )
    assert cached["quotes"].select(quotes.columns).sort("quote_id").equals(quotes.sort("quote_id"))
    assert quotes.filter(pl.col("speaker") == "Ann Brown").height == 3
    # a body changed by cleaning afterwards is another key: a miss, which the parse step parses
    changed = distinct.with_columns(
        pl.when(pl.col("article_id") == "a3").then(pl.lit("Other.")).otherwise("body").alias("body")
    )
    assert cache.lookup(ahead.cache_keys(changed), rows=False)[1] == parsed - {ahead.cache_keys(distinct)[2]}
    # what is cached already is not sent again
    with started_early(articles.height, batch_size=2, n_process=2):
        assert ahead.start(articles, cache, batch_size=2) == 0
