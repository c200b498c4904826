"""A content-addressed cache of per-article outputs, so unchanged articles are never parsed again.

Entries live under `<root>/<fingerprint>/<shard>/`: one Parquet file per table plus `keys.parquet`
(the keys a shard answers, so an article with no rows in a table is still a hit). The fingerprint names
everything the outputs depend on besides the article (code, seeds, model version): change any of it and
the cache misses. Shards are written atomically (a folder renamed into place).

`LastResult` is the simpler memory of a whole-input step (cleaning compares articles with each other, so
it is cached for its exact input as a whole).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import polars as pl

KEY_COLUMN = "_cache_key"
ABANDONED_AFTER_SECONDS = 3600.0


def fingerprint(parts: Iterable[str], files: Iterable[Path]) -> str:
    """A short hash of the given strings and of the contents of the given files."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() + b"\0")
    for path in sorted(files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


PACKAGE_DIR = Path(__file__).resolve().parents[1]


DEFAULT_SEEDS_DIR = PACKAGE_DIR.parent / "seeds"


@functools.cache
def code_fingerprint(seeds_dir: Path = DEFAULT_SEEDS_DIR) -> str:
    """The code's fingerprint, by the caches' recipe over every file any cache fingerprint covers (all of
    `pipeline/**/*.py`, by relative path, and the run's `seeds/*.csv`): whatever makes a cache miss changes
    it. Recorded as `versions.code_version` and printed by `wirehouse --version`."""
    code = sorted(PACKAGE_DIR.rglob("*.py"))
    seeds = sorted(seeds_dir.glob("*.csv"))
    names = [str(path.relative_to(PACKAGE_DIR.parent)) for path in code] + [f"seeds/{p.name}" for p in seeds]
    return fingerprint(names, [*code, *seeds])


class FrameCache:
    """Per-article frames keyed by a content key, for one fingerprint of the code that made them."""

    def __init__(self, root: Path, fingerprint: str, tables: tuple[str, ...]) -> None:
        self.folder = root / fingerprint
        self.tables = tables

    def lookup(self, keys: pl.Series, rows: bool = True) -> tuple[dict[str, pl.DataFrame], set[str]]:
        """The cached rows of every table for the keys found (none when `rows` is false), and which keys
        were found."""
        self.remove_abandoned()
        shards = sorted(  # not a `.<name>.partial` folder a killed run left half-written (glob matches dots)
            path
            for path in (self.folder.glob("*/keys.parquet") if self.folder.is_dir() else [])
            if not path.parent.name.startswith(".")
        )
        if not shards:
            return {}, set()
        wanted = keys.unique().to_list()
        found = (
            pl.scan_parquet([str(path) for path in shards])
            .filter(pl.col(KEY_COLUMN).is_in(wanted))
            .unique(KEY_COLUMN)
            .collect()
        )
        hits = set(found[KEY_COLUMN].to_list())
        if not hits or not rows:
            return {}, hits
        frames = {}
        for table in self.tables:
            # a key may have been stored by several shards (two runs racing): keep the first shard's rows
            rows = (
                pl.scan_parquet(
                    [str(path.parent / f"{table}.parquet") for path in shards], include_file_paths="_shard"
                )
                .filter(pl.col(KEY_COLUMN).is_in(list(hits)))
                .collect()
            )
            first_shard = rows.group_by(KEY_COLUMN).agg(pl.col("_shard").min())
            frames[table] = rows.join(first_shard, on=[KEY_COLUMN, "_shard"]).drop(KEY_COLUMN, "_shard")
        return frames, hits

    def remove_abandoned(self, older_than_seconds: float = ABANDONED_AFTER_SECONDS) -> list[Path]:
        """Shards a killed run left half-written (never renamed into place); a recent one may be a
        concurrent run's, still being written, so only old ones go."""
        now = time.time()
        abandoned = [
            partial
            for partial in (self.folder.glob(".*.partial") if self.folder.is_dir() else [])
            if now - partial.stat().st_mtime > older_than_seconds
        ]
        for partial in abandoned:
            shutil.rmtree(partial, ignore_errors=True)
        return abandoned

    def store(self, keys_by_article: Mapping[str, str], frames: Mapping[str, pl.DataFrame]) -> None:
        """Remember each table's rows under the key of their article (`article_id` column)."""
        if not keys_by_article:
            return
        keys = pl.DataFrame(
            {"article_id": list(keys_by_article), KEY_COLUMN: list(keys_by_article.values())},
            schema={"article_id": pl.String, KEY_COLUMN: pl.String},
        )
        partial = self.folder / f".{uuid.uuid4().hex}.partial"
        partial.mkdir(parents=True)
        for table in self.tables:
            keyed = frames[table].join(keys, on="article_id", how="inner")
            keyed.write_parquet(partial / f"{table}.parquet", compression="zstd")
        keys.select(KEY_COLUMN).write_parquet(partial / "keys.parquet")
        os.replace(partial, self.folder / partial.name.removeprefix(".").removesuffix(".partial"))


def frame_digest(frame: pl.DataFrame) -> str:
    """A hash of a frame's exact content (schema and values), from its Arrow IPC bytes."""
    return hashlib.sha256(frame.rechunk().write_ipc(None, compression="uncompressed").getbuffer()).hexdigest()


class LastResult:
    """The frames a step produced for its last exact input, so a re-run over the same input skips the step.

    One entry per folder: storing a new result replaces the previous one, so the cache never grows."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.entry = folder / key

    def load(self, names: tuple[str, ...]) -> dict[str, pl.DataFrame] | None:
        try:
            return {name: pl.read_parquet(self.entry / f"{name}.parquet") for name in names}
        except (OSError, pl.exceptions.PolarsError):
            return None  # no entry for this input, or an unreadable one: compute

    def store(self, frames: Mapping[str, pl.DataFrame]) -> None:
        partial = self.folder / f".{uuid.uuid4().hex}.partial"
        partial.mkdir(parents=True)
        for name, frame in frames.items():
            frame.write_parquet(partial / f"{name}.parquet")
        for older in self.folder.iterdir():
            if older != partial:
                shutil.rmtree(older, ignore_errors=True)
        os.replace(partial, self.entry)
