"""The caches that let a re-run skip work: per-article NLP shards and a whole step's last result."""

from __future__ import annotations

import os
import time
from pathlib import Path

import polars as pl

from pipeline.storage.cache import FrameCache, LastResult, frame_digest

ROWS = pl.DataFrame({"article_id": ["a", "a", "b"], "text": ["Ann Lee", "Leeds", "Bob Ray"]})


def test_shards_answer_their_keys_even_without_rows(tmp_path: Path) -> None:
    cache = FrameCache(tmp_path, "fp1", ("mentions",))
    cache.store({"a": "a:1", "b": "b:1", "c": "c:1"}, {"mentions": ROWS})
    frames, hits = cache.lookup(pl.Series(["a:1", "c:1", "d:1"]))
    assert hits == {"a:1", "c:1"}  # c has no mention rows, and is still a hit
    assert frames["mentions"]["text"].to_list() == ["Ann Lee", "Leeds"]
    assert FrameCache(tmp_path, "fp2", ("mentions",)).lookup(pl.Series(["a:1"])) == ({}, set())


def test_a_shard_a_killed_run_left_half_written_is_removed_once_old(tmp_path: Path) -> None:
    cache = FrameCache(tmp_path, "fp1", ("mentions",))
    old, recent = tmp_path / "fp1" / ".old.partial", tmp_path / "fp1" / ".recent.partial"
    for partial in (old, recent):
        partial.mkdir(parents=True)
        (partial / "mentions.parquet").write_bytes(b"half")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert cache.lookup(pl.Series(["a:1"])) == ({}, set())
    assert not old.exists() and recent.exists()  # a recent one may be a concurrent run's


def test_a_half_written_shard_is_never_read_even_with_its_keys_file_begun(tmp_path: Path) -> None:
    cache = FrameCache(tmp_path, "fp1", ("mentions",))
    cache.store({"a": "a:1"}, {"mentions": ROWS.head(2)})
    killed = tmp_path / "fp1" / ".killed.partial"  # a run killed while writing its last file
    killed.mkdir()
    (killed / "mentions.parquet").write_bytes(b"half")
    (killed / "keys.parquet").write_bytes(b"ha")
    frames, hits = cache.lookup(pl.Series(["a:1"]))
    assert hits == {"a:1"} and frames["mentions"].height == 2


def test_the_last_result_is_kept_for_its_exact_input_only(tmp_path: Path) -> None:
    first, second = LastResult(tmp_path, "k1"), LastResult(tmp_path, "k2")
    assert first.load(("rows",)) is None
    first.store({"rows": ROWS})
    assert first.load(("rows",))["rows"].equals(ROWS)
    second.store({"rows": ROWS.head(1)})
    assert first.load(("rows",)) is None  # replaced: the cache holds one entry
    assert [path.name for path in tmp_path.iterdir()] == ["k2"]
    (tmp_path / "k2" / "rows.parquet").write_bytes(b"not parquet")
    assert second.load(("rows",)) is None  # unreadable: the step runs again


def test_the_digest_follows_content_not_layout() -> None:
    assert frame_digest(pl.concat([ROWS.head(1), ROWS.tail(2)])) == frame_digest(ROWS)
    assert frame_digest(ROWS.with_columns(pl.col("text").str.replace("Leeds", "Hull"))) != frame_digest(ROWS)
