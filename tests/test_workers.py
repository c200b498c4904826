"""Parsing in worker processes gives the rows of one in-process pass, chunk by chunk."""

from __future__ import annotations

import multiprocessing

import polars as pl

from pipeline.nlp.extract import extract
from pipeline.nlp.workers import _new_pool, chunks, extract_in_chunks, started_early
from tests.conftest import seed_body


def _articles() -> pl.DataFrame:
    bodies = [seed_body("000"), seed_body("003")]
    bodies += [
        f'"We will look again at case {n}," Judge Ann Brown said in Leeds on Monday.' for n in range(5)
    ]
    return pl.DataFrame({"article_id": [f"a{n:02d}" for n in range(len(bodies))], "body": bodies})


def test_chunks_hold_every_article_once_longest_first() -> None:
    articles = _articles()
    parts = chunks(articles, 3)
    assert [part.height for part in parts] == [3, 3, 1]
    ids = pl.concat(parts)["article_id"].to_list()
    assert sorted(ids) == sorted(articles["article_id"].to_list())
    lengths = pl.concat(parts)["body"].str.len_bytes().to_list()
    assert lengths == sorted(lengths, reverse=True)


def test_a_chunk_of_long_articles_holds_fewer_of_them() -> None:
    articles = pl.DataFrame(
        {"article_id": ["a", "b", "c", "d"], "body": ["x" * 900, "x" * 800, "x" * 90, "x" * 80]}
    )
    parts = chunks(articles, size=64, max_chars=1000)
    assert [part["article_id"].to_list() for part in parts] == [["a"], ["b", "c", "d"]]


def test_two_worker_processes_give_the_rows_of_one_pass(nlp) -> None:
    articles = _articles()
    mentions, quotes = extract(articles, nlp)
    parts = list(extract_in_chunks(articles, batch_size=2, n_process=2))
    assert len(parts) == 4
    assert sorted(a for part in parts for a in part.article_ids) == sorted(articles["article_id"])
    in_workers = pl.concat([part.mentions for part in parts]).sort("mention_id")
    assert in_workers.equals(mentions.sort("mention_id"))
    assert pl.concat([part.quotes for part in parts]).sort("quote_id").equals(quotes.sort("quote_id"))
    assert quotes.filter(pl.col("speaker") == "Ann Brown").height == 5


def test_workers_started_early_parse_and_are_stopped(nlp) -> None:
    """The workers started before the parse (while a run reads and cleans) are the ones that parse, with
    the rows of one pass; started and never used, they are stopped when the block ends."""
    articles = _articles()
    mentions, _ = extract(articles, nlp)
    before = {child.pid for child in multiprocessing.active_children()}
    with started_early(articles.height, batch_size=2, n_process=2):
        early = {child.pid for child in multiprocessing.active_children()} - before
        assert len(early) == 2
        parts = []
        for part in extract_in_chunks(articles, batch_size=2, n_process=2):
            parts.append(part)
            assert {child.pid for child in multiprocessing.active_children()} - before <= early
        assert {child.pid for child in multiprocessing.active_children()} - before == set()
    in_workers = pl.concat([part.mentions for part in parts]).sort("mention_id")
    assert in_workers.equals(mentions.sort("mention_id"))
    with started_early(articles.height, batch_size=2, n_process=2):
        assert len({child.pid for child in multiprocessing.active_children()} - before) == 2
    assert {child.pid for child in multiprocessing.active_children()} - before == set()


def test_workers_started_early_parse_even_one_chunk_and_a_parse_in_one_process_stops_them() -> None:
    """Loaded workers parse whatever is left, however little (the model is not loaded again here);
    WIREHOUSE_N_PROCESS=1 still parses here, and the workers are stopped."""
    articles = _articles().head(1)
    before = {child.pid for child in multiprocessing.active_children()}
    with started_early(100, batch_size=2, n_process=2):
        parts = list(extract_in_chunks(articles, batch_size=2, n_process=None))
        assert {child.pid for child in multiprocessing.active_children()} - before == set()
    assert [part.article_ids for part in parts] == [["a00"]]
    with started_early(100, batch_size=2, n_process=2):
        assert len({child.pid for child in multiprocessing.active_children()} - before) == 2
        parts = list(extract_in_chunks(articles, batch_size=2, n_process=1))  # here
        assert {child.pid for child in multiprocessing.active_children()} - before == set()
    assert [part.article_ids for part in parts] == [["a00"]]


def test_a_few_articles_left_are_shared_by_the_workers() -> None:
    articles = _articles().head(4)
    with started_early(100, batch_size=64, n_process=2):
        parts = list(extract_in_chunks(articles, batch_size=64, n_process=None))
    assert sorted(len(part.article_ids) for part in parts) == [2, 2]


def test_workers_past_their_task_limit_are_replaced_and_the_pool_never_runs_dry() -> None:
    """Python 3.11's own pool stopped replacing workers after many quick tasks (CPython gh-115634): it ran
    out of workers and waited forever (a 10x run hung in its parse)."""
    pool = _new_pool(2, tasks_per_worker=3)
    try:
        for _ in range(2):
            assert list(pool.map(abs, range(-10, 0), timeout=60)) == list(range(10, 0, -1))
            assert [pool.submit(abs, -n).result(timeout=60) for n in range(4)] == list(range(4))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
