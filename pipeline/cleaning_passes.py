"""Reading and the passes of corpus cleaning as plain functions over frames, run on the parse workers when
a run has started them (`pipeline.nlp.workers.started_early`).

Reading (decoding each file, the language check) treats each file alone: a batch's files are read in slices
on the workers, loaded by then, instead of one after the other in the main process (1.6 s on BBC).

Cleaning compares a publisher's articles with each other, so it runs in two passes around one corpus-level
step: each article's candidate lines of site furniture (`first_pass`), the furniture of each publisher over
every current article (`site_furniture`), then each article cleaned with it (`clean_with_furniture`). Both
per-article passes treat each article alone, so a batch can be cut in slices and cleaned on several processes
with the same rows, in the same order. `wirehouse run` has its parse workers loaded and idle while its main
process cleans: the first pass runs there, in slices, instead. The first pass cleans every article already
(without furniture); that cleaning is kept in this process (`provisional_bodies`), so that the parse can
start on it at once (`pipeline.nlp.ahead`) and the second pass only cleans again the articles that hold a
line of furniture (a few: 58 lines in the whole BBC corpus). This module holds no Dagster, so a worker that
imports it stays small; the passes themselves are plain functions of `pipeline.text.clean`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.ingest import InputLimits
from pipeline.landing import BatchRead, read_batch_files
from pipeline.nlp.workers import on_started_workers, started_workers
from pipeline.storage.cache import frame_digest
from pipeline.text.clean import (
    CleanedArticle,
    clean_with_furniture,
    first_pass,
    first_pass_outcomes,
    site_furniture,
)
from pipeline.text.reference import load_reference

__all__ = [
    "candidates_by_batch",
    "clean_with_furniture",
    "cleaned_by_batch",
    "first_pass",
    "provisional_bodies",
    "read_by_batch",
    "site_furniture",
]

SLICES_PER_WORKER = 4  # a few slices each, so that the workers finish together

# the first pass's cleaning of each batch of the last `candidates_by_batch`, by batch key: (what it was made
# from, the cleaned articles in row order)
_provisional: dict[str, tuple[str, list[tuple[str, CleanedArticle]]]] = {}


# --- the same, batch by batch, in slices on the workers started early -------------------------------------


def read_by_batch(
    input_dir: Path, files: dict[str, pl.DataFrame], limits: InputLimits
) -> dict[str, BatchRead]:
    """`read_batch_files` of every batch's files (source_path, content_sha256), on the started workers if
    any: the same rows in the same order as one call per batch."""
    sliced = _slices(files)
    done = on_started_workers(read_batch_files, [(input_dir, piece, limits) for _, piece in sliced])
    raw = _joined(files, sliced, [read.raw for read in done])
    refused = _joined(files, sliced, [read.refused for read in done])
    skipped = dict.fromkeys(files, 0)
    for (key, _), read in zip(sliced, done, strict=True):
        skipped[key] += read.skipped
    return {key: BatchRead(raw[key], refused[key], skipped[key]) for key in files}


def candidates_by_batch(raws: dict[str, pl.DataFrame], seeds_dir: Path) -> dict[str, pl.DataFrame]:
    """`first_pass` of every batch (on the started workers if any): each batch's frame, rows in order. Each
    article as the pass cleaned it is kept for `provisional_bodies` and `cleaned_by_batch`."""
    sliced = _slices(raws)
    done = on_started_workers(_first_pass_in, [(piece, seeds_dir) for _, piece in sliced])
    _provisional.clear()
    cleaned: dict[str, list[tuple[str, CleanedArticle]]] = {key: [] for key in raws}
    for (key, _), (_, articles) in zip(sliced, done, strict=True):
        cleaned[key].extend(articles)
    for key, raw in raws.items():
        _provisional[key] = (_made_from(raw, seeds_dir), cleaned[key])
    return _joined(raws, sliced, [candidates for candidates, _ in done])


def provisional_bodies() -> pl.DataFrame:
    """(article_id, body) of every article the last first pass cleaned, once each: the body it will have
    unless a line of it is site furniture."""
    rows = {
        (article_id, article.body)
        for _, articles in _provisional.values()
        for article_id, article in articles
    }
    return pl.DataFrame(sorted(rows), schema={"article_id": pl.String, "body": pl.String}, orient="row")


def cleaned_by_batch(
    raws: dict[str, pl.DataFrame],
    candidates: dict[str, pl.DataFrame],
    furniture: pl.DataFrame,
    seeds_dir: Path,
) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """`clean_with_furniture` of every batch: (articles, removed lines). A batch the last first pass cleaned
    here is finished in this process, only its articles with furniture cleaned again (the workers are
    parsing meanwhile); others on the started workers if any."""
    ref = load_reference(seeds_dir)
    results: dict[str, tuple[pl.DataFrame, pl.DataFrame]] = {}
    for key, raw in raws.items():
        made_from, articles = _provisional.pop(key, ("", []))
        if made_from and made_from == _made_from(raw, seeds_dir):
            provisional = [article for _, article in articles]
            results[key] = clean_with_furniture(raw, candidates[key], furniture, ref, provisional)
    rest = {key: raw for key, raw in raws.items() if key not in results}
    sliced = _slices(rest)
    calls = [(piece, candidates[key], furniture, seeds_dir) for key, piece in sliced]
    done = on_started_workers(_clean_in, calls)
    articles = _joined(rest, sliced, [d[0] for d in done])
    removed = _joined(rest, sliced, [d[1] for d in done])
    results |= {key: (articles[key], removed[key]) for key in rest}
    _provisional.clear()  # the run's cleaning is done: what is left was remembered from an earlier run
    return {key: results[key] for key in raws}


def _made_from(raw: pl.DataFrame, seeds_dir: Path) -> str:
    return f"{seeds_dir}:{frame_digest(raw.select('article_id', 'text'))}"


def _first_pass_in(
    raw: pl.DataFrame, seeds_dir: Path
) -> tuple[pl.DataFrame, list[tuple[str, CleanedArticle]]]:
    candidates, cleaned = first_pass_outcomes(raw, load_reference(seeds_dir))
    return candidates, list(zip(raw["article_id"].to_list(), cleaned, strict=True))


def _clean_in(
    raw: pl.DataFrame, candidates: pl.DataFrame, furniture: pl.DataFrame, seeds_dir: Path
) -> tuple[pl.DataFrame, pl.DataFrame]:
    return clean_with_furniture(raw, candidates, furniture, load_reference(seeds_dir))


def _slices(raws: dict[str, pl.DataFrame]) -> list[tuple[str, pl.DataFrame]]:
    """(batch key, consecutive rows of it): each batch in about 4 slices per worker over the whole run, at
    least one per batch (a batch is never mixed with another: an article's id may recur across batches)."""
    total = sum(frame.height for frame in raws.values())
    size = max(1, -(-total // max(1, SLICES_PER_WORKER * started_workers())))
    return [
        (key, frame.slice(start, size))
        for key, frame in raws.items()
        for start in range(0, max(frame.height, 1), size)
    ]


def _joined(
    raws: dict[str, pl.DataFrame],
    sliced: list[tuple[str, pl.DataFrame]],
    done: list[pl.DataFrame],
) -> dict[str, pl.DataFrame]:
    """Each batch's slices' results, concatenated in slice order."""
    parts: dict[str, list[pl.DataFrame]] = {key: [] for key in raws}
    for (key, _), frame in zip(sliced, done, strict=True):
        parts[key].append(frame)
    return {key: pl.concat(frames) for key, frames in parts.items()}  # every batch has a slice
