"""Parsing and extraction spread over worker processes, returned chunk by chunk as small frames.

spaCy's own `nlp.pipe(n_process=N)` parses in workers but sends every Doc back to the parent, which
deserialises it and runs the extraction itself: a third busy process on a two-core machine, and every Doc
crossing a pipe. Here each worker loads the model once, parses a chunk of articles with `nlp.pipe` and runs
the extraction beside the parse, returning only the rows. The parent holds rows, never Docs, so memory stays
flat however large the corpus, and it receives chunks as they finish, so the caller can checkpoint them.
`wirehouse run` starts the workers before its steps (`started_early`), so that their start-up (imports and
model) overlaps reading and cleaning instead of delaying the first chunk.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

import polars as pl

from pipeline.nlp.extract import extract
from pipeline.nlp.model import load_model
from pipeline.progress import advanced

# about 20,000 tokens: a spaCy batch of ordinary articles, a few long ones. A worker's memory while it
# parses a chunk grows with the chunk's tokens (the parser and NER precompute their hidden layer for every
# token of the batch): on the longest BBC bodies 200,000 characters took a worker from 0.22 GB to 0.83 GB,
# 100,000 to 0.58 GB, at the same speed (README, Performance)
CHUNK_CHARS = 100_000
# a worker is replaced after this many chunks (~3,000 articles): its vocabulary grows with what it has
# parsed, and a fresh one costs two seconds
TASKS_PER_WORKER = 100
# what one parse worker holds at its peak (the model, a chunk's Docs, the extraction): 0.6 GB
WORKER_BYTES = 600 * 1024**2

logger = logging.getLogger(__name__)
T = TypeVar("T")


def choose_workers(cores: int, available_bytes: int, articles: int, chunk: int) -> int:
    """How many processes to parse `articles` with, `chunk` articles a task: one per core available, no more
    than the available memory holds (WORKER_BYTES each), and none without a chunk of work to do. 1 means
    parse in the calling process (no worker is started: starting one costs a model load)."""
    by_memory = available_bytes // WORKER_BYTES
    by_work = articles // max(chunk, 1)
    return int(max(1, min(cores, by_memory, by_work)))


def cores_available() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a container's cpuset), not the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def memory_available() -> int:
    """MemAvailable from /proc/meminfo in bytes (what can be allocated without swapping); unknown: 0.6 GB
    per core, so memory does not decide."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return cores_available() * WORKER_BYTES


def workers_for(
    articles: int, batch_size: int, n_process: int | None, log: Callable[[str], None] | None = None
) -> int:
    """`n_process` when set (WIREHOUSE_N_PROCESS), else the workers started early if any, else
    `choose_workers` for this machine; said in one line to `log` (e.g. a Dagster step's `context.log.info`;
    by default this module's logger)."""
    if n_process is not None:
        return n_process
    if started_workers():  # loaded already: using them costs nothing, stopping them costs their start
        (log or logger.info)(
            f"parsing {articles} article(s) on the {started_workers()} worker(s) started early"
        )
        return started_workers()
    return _chosen(articles, batch_size, log or logger.info)


def _chosen(articles: int, batch_size: int, log: Callable[[str], None]) -> int:
    """`choose_workers` for this machine, said in one line to `log`."""
    cores, available = cores_available(), memory_available()
    chosen = choose_workers(cores, available, articles, batch_size)
    log(
        f"parsing {articles} article(s) in {chosen} process(es): {cores} core(s) available, "
        f"{available / 1024**3:.1f} GB memory available ({WORKER_BYTES / 1024**3:.1f} GB a worker), "
        f"chunks of {batch_size} articles; WIREHOUSE_N_PROCESS overrides"
    )
    return chosen


@dataclass(frozen=True)
class Extracted:
    """The entity mentions and quotes of one chunk of articles."""

    article_ids: list[str]
    mentions: pl.DataFrame
    quotes: pl.DataFrame


def chunks(articles: pl.DataFrame, size: int, max_chars: int = CHUNK_CHARS) -> list[pl.DataFrame]:
    """At most `size` articles and about `max_chars` characters per chunk, longest bodies first.

    Longest first, so the chunks that finish last are the shortest and the workers end together; the
    character budget keeps a chunk of long articles from holding the parses of 64 of them in memory at once
    (a worker parsing 64 of the longest BBC bodies together reached 3 GB)."""
    ordered = articles.select("article_id", "body").sort(
        pl.col("body").fill_null("").str.len_bytes(), "article_id", descending=[True, False]
    )
    lengths = ordered["body"].fill_null("").str.len_chars().to_list()
    parts, start, chars = [], 0, 0
    for end, length in enumerate(lengths):
        if end > start and (end - start >= size or chars + length > max_chars):
            parts.append(ordered.slice(start, end - start))
            start, chars = end, 0
        chars += length
    if start < len(lengths):
        parts.append(ordered.slice(start, len(lengths) - start))
    return parts


def extract_chunk(chunk: pl.DataFrame, batch_size: int) -> Extracted:
    mentions, quotes = extract(chunk, load_model(), batch_size=batch_size)
    _release_freed_memory()
    return Extracted(chunk["article_id"].to_list(), mentions, quotes)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:  # not glibc
        return None


def _release_freed_memory() -> None:
    """Hand the memory a chunk's parse freed back to the system (glibc keeps it otherwise: a worker that
    parsed a chunk of long articles stayed at 0.5 GB instead of its 0.22 GB after the model loaded)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def extract_in_chunks(
    articles: pl.DataFrame, batch_size: int = 64, n_process: int | None = 1
) -> Iterator[Extracted]:
    """Mentions and quotes of every article, yielded chunk by chunk in the order the chunks finish; each
    finished chunk is reported as `articles parsed n/N` (`pipeline.progress`). `n_process` None: as many
    processes as `workers_for` chooses for this machine and this much work."""
    n_process = workers_for(articles.height, batch_size, n_process)
    done = 0
    for chunk in _chunks_as_they_finish(articles, batch_size, n_process):
        done += len(chunk.article_ids)
        advanced("parse", done, articles.height, "articles parsed")
        yield chunk


def _chunks_as_they_finish(articles: pl.DataFrame, batch_size: int, n_process: int) -> Iterator[Extracted]:
    # a few articles (those cleaning changed after they were parsed ahead) go to every worker, not one
    parts = chunks(articles, min(batch_size, max(1, -(-articles.height // n_process))))
    workers = min(n_process, len(parts))
    pool = _take_started(n_process)  # workers started early, as many as wanted: used for any amount of work
    if pool is None and workers <= 1:
        for part in parts:
            yield extract_chunk(part, batch_size)
        return
    pool = pool or _new_pool(workers)
    try:
        # a few chunks in flight per worker: enough to keep them busy, few enough to keep memory flat
        queued = iter(parts)
        running: set[Future[Extracted]] = set()
        while True:
            while len(running) < 2 * n_process and (part := next(queued, None)) is not None:
                running.add(pool.submit(extract_chunk, part, batch_size))
            if not running:
                return
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    except BrokenProcessPool as error:
        raise RuntimeError(
            "a spaCy worker process stopped abruptly (killed, or out of memory: try fewer processes with "
            "WIREHOUSE_N_PROCESS; a script that runs the pipeline at import time needs the "
            "`if __name__ == '__main__':` guard, as worker processes are spawned); parsed chunks are cached"
        ) from error
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _ReplacingPool(ProcessPoolExecutor):
    """A pool that replaces every worker that exits after `max_tasks_per_child` tasks.

    Python 3.11's pool skips the replacement when its count of idle workers is above zero (CPython
    gh-115634, fixed in later versions): after enough quick tasks (cleaning slices) the pool dwindled to no
    worker and the parse waited forever (a 10x run hung 8 minutes in, both workers gone)."""

    def _adjust_process_count(self) -> None:
        processes = self._processes  # type: ignore[attr-defined]
        if processes is not None and len(processes) < self._max_workers:  # None: shut down
            self._spawn_process()  # type: ignore[attr-defined]


def _new_pool(workers: int, tasks_per_worker: int = TASKS_PER_WORKER) -> ProcessPoolExecutor:
    return _ReplacingPool(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),  # forking a threaded parent (Polars) can hang
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
        max_tasks_per_child=tasks_per_worker,
    )


# workers started before the parse (`started_early`), by their count: at most one pool
_started: dict[int, ProcessPoolExecutor] = {}


@contextlib.contextmanager
def started_early(articles: int, batch_size: int, n_process: int | None) -> Iterator[None]:
    """Start the parse workers for about `articles` new articles now, each loading the model while the
    caller reads and cleans (two workers took 14 s to import and load under load 5 on this 2-core machine,
    all of it before their first chunk). A parse inside the block that wants as many workers takes them;
    any other parse starts its own (or none) and these stop at once; the block's end stops them if no parse
    took them. The count is `workers_for`'s for that many articles (silently), or `n_process` bounded by
    their chunks."""
    if n_process is None:
        count = _chosen(articles, batch_size, logger.info)
    else:
        count = min(n_process, -(-articles // max(batch_size, 1)))
    if count > 1 and not _started:
        pool = _new_pool(count)
        for _ in range(count):  # one each: a worker busy loading leaves the next task to a fresh one
            pool.submit(_load_model)
        _started[count] = pool
    try:
        yield
    finally:
        _take_started(0)


def started_workers() -> int:
    """How many workers were started early and not taken yet (0: none)."""
    return next(iter(_started), 0)


def started_pool() -> ProcessPoolExecutor | None:
    """The workers started early and not taken yet, left in place (`pipeline.nlp.ahead` parses on them)."""
    return next(iter(_started.values()), None)


def on_started_workers(function: Callable[..., T], calls: list[tuple]) -> list[T]:
    """`function(*call)` for each call, results in order: on the workers started early, which would
    otherwise wait idle for the parse (the run cleans meanwhile), or in this process when there are none
    (a launched run, one worker, tests) or one of them stopped abruptly. `function` must be importable
    by a worker (a module-level function of a module without Dagster keeps the workers small)."""
    pool = next(iter(_started.values()), None)
    if pool is not None and len(calls) > 1:
        try:
            return list(pool.map(function, *zip(*calls, strict=True)))
        except BrokenProcessPool:
            logger.warning("a worker started early stopped abruptly: the rest runs in this process")
            _started.clear()
    return [function(*call) for call in calls]


def stop_started() -> None:
    """Stop the workers started early that no parse took (e.g. everything was parsed ahead): the steps
    after the parse need their memory more than they need them."""
    _take_started(0)


def _take_started(workers: int) -> ProcessPoolExecutor | None:
    """The workers started early if there are `workers` of them; others are stopped (their model loads are
    finished first: they started long before)."""
    pool = _started.pop(workers, None)
    for other in _started.values():
        other.shutdown(wait=True, cancel_futures=True)
    _started.clear()
    return pool


def _load_model() -> None:
    load_model()


def _exit_with_parent(parent_pid: int) -> None:
    """A worker whose parent was killed exits too, instead of waiting on its queue forever."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()
