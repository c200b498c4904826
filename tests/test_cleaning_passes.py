"""The cleaning passes give the same rows, in the same order, on the workers a run starts early as here."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import polars as pl

from pipeline.cleaning_passes import (
    candidates_by_batch,
    clean_with_furniture,
    cleaned_by_batch,
    first_pass,
    provisional_bodies,
    read_by_batch,
    site_furniture,
)
from pipeline.ingest import InputLimits, read_input_folder
from pipeline.landing import read_batch_files
from pipeline.nlp.workers import on_started_workers, started_early
from pipeline.text.reference import DEFAULT_SEEDS_DIR, load_reference

SEED_ARTICLES = Path(__file__).resolve().parents[1] / "seeds" / "articles"
FURNITURE = "Reader Offers and Puzzles"  # label-shaped, on every copy: site furniture


def _with_furniture(text: str, n: int) -> str:
    paragraphs = text.split("\n\n")
    middle = len(paragraphs) // 2
    return "\n\n".join([*paragraphs[:middle], FURNITURE, *paragraphs[middle:], f"Copy {n}."])


def _raws() -> dict[str, pl.DataFrame]:
    """Two batches of the seed articles, copied with a line every copy repeats (furniture)."""
    raw, _ = read_input_folder(SEED_ARTICLES)
    copies = [
        raw.with_columns(
            (pl.col("article_id") + f"-{n}").alias("article_id"),
            pl.col("text").map_elements(lambda text, n=n: _with_furniture(text, n), return_dtype=pl.String),
        )
        for n in range(7)
    ]
    every = pl.concat(copies)
    return {"b1": every.head(9), "b2": every.slice(9)}


def test_functions_run_on_the_started_workers_in_order_else_here() -> None:
    assert on_started_workers(os.getpid, [(), ()]) == [os.getpid()] * 2
    with started_early(100, batch_size=2, n_process=2):
        assert os.getpid() not in on_started_workers(os.getpid, [()] * 4)
        assert on_started_workers(pow, [(2, n) for n in range(9)]) == [2**n for n in range(9)]


def test_cleaning_on_the_workers_gives_the_rows_of_cleaning_here() -> None:
    raws = _raws()
    ref = load_reference(DEFAULT_SEEDS_DIR)
    here = {key: first_pass(raw, ref) for key, raw in raws.items()}
    furniture = site_furniture(pl.concat(here.values()))
    expected = {key: clean_with_furniture(raw, here[key], furniture, ref) for key, raw in raws.items()}
    assert sum(frame.height for frame, _ in expected.values()) == 14
    assert furniture["line_key"].to_list() == [FURNITURE.casefold()] * 2  # of both publishers
    with started_early(100, batch_size=2, n_process=2):
        candidates = candidates_by_batch(raws, DEFAULT_SEEDS_DIR)
        cleaned = cleaned_by_batch(raws, candidates, furniture, DEFAULT_SEEDS_DIR)
    assert list(candidates) == list(cleaned) == ["b1", "b2"]
    for key in raws:
        assert candidates[key].equals(here[key])
        assert cleaned[key][0].equals(expected[key][0])
        assert cleaned[key][1].equals(expected[key][1])
    assert cleaned["b1"][1].filter(pl.col("kind") == "site_repeat").height == 9  # once in each article
    assert cleaned_by_batch({}, {}, furniture, DEFAULT_SEEDS_DIR) == {}


def test_the_first_pass_cleaning_is_kept_for_articles_without_furniture() -> None:
    """The first pass cleans every article already; the second cleans again only those with a line of
    furniture, and the rows are those of cleaning every article twice. Before the second pass, the bodies
    of the others are final (they are parsed ahead)."""
    raws = _raws()
    raws["b2"] = raws["b2"].with_columns(  # a batch of articles without the furniture line
        pl.col("text").str.replace(FURNITURE, "", literal=True), pl.col("article_id") + "-plain"
    )
    ref = load_reference(DEFAULT_SEEDS_DIR)
    here = {key: first_pass(raw, ref) for key, raw in raws.items()}
    furniture = site_furniture(pl.concat(here.values()))
    expected = {key: clean_with_furniture(raw, here[key], furniture, ref) for key, raw in raws.items()}
    candidates = candidates_by_batch(raws, DEFAULT_SEEDS_DIR)
    bodies = provisional_bodies()
    cleaned = cleaned_by_batch(raws, candidates, furniture, DEFAULT_SEEDS_DIR)
    again = cleaned_by_batch(raws, candidates, furniture, DEFAULT_SEEDS_DIR)  # the first pass's are gone
    for key in raws:
        for result in (cleaned, again):
            assert result[key][0].equals(expected[key][0])
            assert result[key][1].equals(expected[key][1])
    final = pl.concat(frame for frame, _ in expected.values()).select("article_id", "body")
    early = bodies.join(final, on="article_id", suffix="_final")
    assert early.height == final.height == 14
    same = early.filter(pl.col("body") == pl.col("body_final"))["article_id"].to_list()
    assert sorted(same) == sorted(raws["b2"]["article_id"].to_list())  # those without furniture


def test_reading_on_the_workers_gives_each_batch_what_reading_it_here_gives(tmp_path: Path) -> None:
    """Decoded articles, refused contents and files changed since registration, per batch, in order."""
    for path in SEED_ARTICLES.glob("*.txt"):
        for n in range(3):
            (tmp_path / f"{n}-{path.name}").write_text(f"{path.read_text(encoding='utf-8')}\n\nCopy {n}.\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "changed.txt").write_text("Registered with other bytes.\n")
    names = sorted(path.name for path in tmp_path.iterdir())
    digests = [hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() for name in names]
    digests[names.index("changed.txt")] = "0" * 64
    files = pl.DataFrame({"source_path": names, "content_sha256": digests})
    batches = {"b1": files.head(4), "b2": files.slice(4)}
    limits = InputLimits()
    here = {key: read_batch_files(tmp_path, batch, limits) for key, batch in batches.items()}
    assert sum(read.raw.height for read in here.values()) == len(names) - 2
    assert [read.refused["reason"].to_list() for read in here.values()] == [[], ["empty"]]
    assert [read.skipped for read in here.values()] == [0, 1]
    with started_early(100, batch_size=2, n_process=2):
        on_workers = read_by_batch(tmp_path, batches, limits)
    assert list(on_workers) == list(here)
    for key, read in here.items():
        assert on_workers[key].raw.equals(read.raw)
        assert on_workers[key].refused.equals(read.refused)
        assert on_workers[key].skipped == read.skipped
