"""The parse started on the workers as soon as the first cleaning pass has given each article a body.

Cleaning needs a corpus-level step (site furniture) before it can say an article's final body, yet almost
every article's body is known after the first pass already (it changes only where a line of it is furniture
of its publisher: 58 lines in the whole BBC corpus). A run that has started its workers early parses those
bodies at once, while its main process finds the furniture, cleans, and runs Dagster's steps up to the
parse. Results go into the NLP cache under the key of the body they were parsed from, so the parse step
finds them there like any cached article, and parses only what changed: the outputs are those of parsing
the final bodies by construction.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline.nlp.model import extraction_fingerprint
from pipeline.nlp.workers import Extracted, chunks, extract_chunk, started_pool, started_workers
from pipeline.progress import advanced, stage
from pipeline.storage.cache import FrameCache

NLP_TABLES = ("entity_mentions", "quotes")
CHECKPOINT_ARTICLES = 1000  # parsed articles are cached at least this often, so a stopped run loses little

logger = logging.getLogger(__name__)


def nlp_cache(cache_dir: Path) -> FrameCache:
    """The cache of parsed articles' rows, for this model, code and seeds."""
    return FrameCache(cache_dir / "nlp", extraction_fingerprint(), NLP_TABLES)


def cache_keys(articles: pl.DataFrame) -> pl.Series:
    """An article's NLP outputs depend on its id (in every row id) and its cleaned body."""
    return pl.Series(
        "key",
        [
            f"{article_id}:{hashlib.sha256((body or '').encode()).hexdigest()[:16]}"
            for article_id, body in articles.select("article_id", "body").iter_rows()
        ],
        dtype=pl.String,
    )


def store_chunks(cache: FrameCache, done: list[Extracted], key_of: dict[str, str]) -> None:
    """The rows of finished chunks, cached under their articles' keys."""
    cache.store(
        {article: key_of[article] for chunk in done for article in chunk.article_ids},
        {
            "entity_mentions": pl.concat([chunk.mentions for chunk in done]),
            "quotes": pl.concat([chunk.quotes for chunk in done]),
        },
    )


@dataclass
class _Ahead:
    """The articles sent ahead and how many of them are cached; what stopped it, if anything."""

    total: int
    stored: set[str] = field(default_factory=set)
    errors: list[BaseException] = field(default_factory=list)
    thread: threading.Thread | None = None


_running: list[_Ahead] = []  # at most one


def start(articles: pl.DataFrame, cache: FrameCache, batch_size: int) -> int:
    """Parse `articles` (article_id, body) not in `cache` on the workers started early, caching the rows
    as chunks finish; returns how many were sent (0: no workers started, or nothing to parse). The caller
    goes on at once; `finish` waits."""
    finish()  # an earlier start's work is cached first (one at a time)
    pool = started_pool()
    if pool is None or articles.height == 0:
        return 0
    articles = articles.unique("article_id", keep="first", maintain_order=True)
    keys = cache_keys(articles)
    _, hits = cache.lookup(keys, rows=False)
    missing = ~keys.is_in(list(hits))
    todo = articles.filter(missing)
    if todo.height == 0:
        return 0
    stage("parse ahead")
    logger.info(f"parsing {todo.height} article(s) ahead on {started_workers()} worker(s)")
    key_of = dict(zip(todo["article_id"], keys.filter(missing), strict=True))
    # every chunk is queued now: the pool hands them to its workers one at a time, longest first
    futures = {pool.submit(extract_chunk, part, batch_size) for part in chunks(todo, batch_size)}
    ahead = _Ahead(todo.height)
    ahead.thread = threading.Thread(
        target=_cache_as_they_finish, args=(futures, cache, key_of, ahead), name="parse-ahead", daemon=True
    )
    ahead.thread.start()
    _running.append(ahead)
    return todo.height


def running() -> bool:
    """Is a parse started ahead not finished yet (as far as `finish` is concerned)?"""
    return bool(_running)


def finish() -> set[str]:
    """Wait for the parse started ahead (if any) and return the cache keys of the articles it cached. A
    failure there (a worker killed) is logged: whatever it did not cache is parsed by the parse step."""
    parsed: set[str] = set()
    while _running:
        ahead = _running.pop()
        if ahead.thread is not None:
            ahead.thread.join()
        parsed |= ahead.stored
        for error in ahead.errors:
            logger.warning(f"the parse ahead stopped ({error!r}); the parse step parses the rest")
    return parsed


def _cache_as_they_finish(
    futures: set[Future[Extracted]], cache: FrameCache, key_of: dict[str, str], ahead: _Ahead
) -> None:
    """Each finished chunk's rows, cached every CHECKPOINT_ARTICLES. A future is dropped from `futures` once
    its rows are taken: a future holds its result, so the finished ones kept every row of the parse in this
    process until its end (at 10x the corpus, 21,270 articles, the main process was at 0.93 GB then)."""
    pending: list[Extracted] = []
    try:
        for future in as_completed(futures):
            futures.discard(future)
            pending.append(future.result())
            if sum(len(c.article_ids) for c in pending) >= CHECKPOINT_ARTICLES:
                _store(cache, pending, key_of, ahead)
        _store(cache, pending, key_of, ahead)
    except Exception as error:  # reported by `finish`; the parse step parses what is not cached
        ahead.errors.append(error)
        for future in futures:
            future.cancel()
        if pending:
            _store(cache, pending, key_of, ahead)


def _store(cache: FrameCache, pending: list[Extracted], key_of: dict[str, str], ahead: _Ahead) -> None:
    if pending:
        store_chunks(cache, pending, key_of)
        ahead.stored |= {key_of[article] for chunk in pending for article in chunk.article_ids}
        advanced("parse ahead", len(ahead.stored), ahead.total, "articles parsed ahead")
        pending.clear()


def discard() -> None:
    """Forget a parse ahead that no parse step took (a run that failed first): its workers are stopped with
    the run's (`started_early`), which cancels what they had not begun."""
    for ahead in _running:
        ahead.errors.clear()
    finish()
