"""The passes of corpus cleaning as plain functions over frames, run on the parse workers when a run has
started them (`pipeline.nlp.workers.started_early`).

Cleaning compares a publisher's articles with each other, so it runs in two passes around one corpus-level
step: each article's candidate lines of site furniture (`first_pass`), the furniture of each publisher over
every current article (`site_furniture`), then each article cleaned with it (`clean_with_furniture`). Both
per-article passes treat each article alone, so a batch can be cut in slices and cleaned on several processes
with the same rows, in the same order. `wirehouse run` has its parse workers loaded and idle while its main
process cleans (about 7 s of the BBC corpus on one core): the passes run there, in slices, instead. This
module holds no Dagster, so a worker that imports it stays small; the passes themselves are plain functions
of `pipeline.text.clean`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.nlp.workers import on_started_workers, started_workers
from pipeline.text.clean import clean_with_furniture, first_pass, site_furniture
from pipeline.text.reference import load_reference

__all__ = ["candidates_by_batch", "clean_with_furniture", "cleaned_by_batch", "first_pass", "site_furniture"]

SLICES_PER_WORKER = 4  # a few slices each, so that the workers finish together


# --- the same, batch by batch, in slices on the workers started early -------------------------------------


def candidates_by_batch(raws: dict[str, pl.DataFrame], seeds_dir: Path) -> dict[str, pl.DataFrame]:
    """`first_pass` of every batch (on the started workers if any): each batch's frame, rows in order."""
    sliced = _slices(raws)
    done = on_started_workers(_first_pass_in, [(piece, seeds_dir) for _, piece in sliced])
    return _joined(raws, sliced, done)


def cleaned_by_batch(
    raws: dict[str, pl.DataFrame],
    candidates: dict[str, pl.DataFrame],
    furniture: pl.DataFrame,
    seeds_dir: Path,
) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """`clean_with_furniture` of every batch (on the started workers if any): (articles, removed lines)."""
    sliced = _slices(raws)
    calls = [(piece, candidates[key], furniture, seeds_dir) for key, piece in sliced]
    done = on_started_workers(_clean_in, calls)
    articles = _joined(raws, sliced, [d[0] for d in done])
    removed = _joined(raws, sliced, [d[1] for d in done])
    return {key: (articles[key], removed[key]) for key in raws}


def _first_pass_in(raw: pl.DataFrame, seeds_dir: Path) -> pl.DataFrame:
    return first_pass(raw, load_reference(seeds_dir))


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
