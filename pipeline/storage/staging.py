"""Write, the first step of write-audit-publish: a run's tables staged in a DuckDB file of their own.

The suites audit the staged file; publishing merges it into the warehouse. A batch that fails its audit
stays in `<warehouse>/staging/` for inspection and is never seen through `news.duckdb`.

A run killed part way leaves its traces here: a half-written `<run_id>.duckdb.partial` (removed by the
next run), a complete batch never published (kept, like a failed audit's: `wirehouse versions` lists
it), or a batch published just before the kill (removed). The next run says what it found in one line.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipeline.settings import DATABASE_FILE
from pipeline.storage.connection import connect
from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.warehouse import exclusive

logger = logging.getLogger(__name__)

STAGING_FOLDER = "staging"
PARTIAL_SUFFIX = ".partial"
LOCK_FILE = ".lock"


@dataclass(frozen=True)
class Leftovers:
    """What runs that ended without cleaning up left in the staging folder."""

    half_written: list[Path]  # removed: a run killed while staging
    published: list[Path]  # removed: published, the run killed before it removed its batch
    unpublished: list[Path]  # kept for inspection: staged since the last publish, never published

    def summary(self) -> str:
        parts = []
        if self.half_written:
            parts.append(f"removed {_counted(self.half_written, 'half-written batch')}")
        if self.published:
            parts.append(f"removed {_counted(self.published, 'batch already published')}")
        if self.unpublished:
            parts.append(
                f"kept {_counted(self.unpublished, 'batch never published')} for inspection "
                "(`wirehouse versions` lists it; delete it when done)"
            )
        return "; ".join(parts)


@dataclass(frozen=True)
class _Published:
    run_ids: frozenset[str]
    last_published_at: datetime | None


def staging_path(warehouse_dir: Path, run_id: str) -> Path:
    return warehouse_dir / STAGING_FOLDER / f"{run_id}.duckdb"


def stage_batch(
    path: Path, tables: Mapping[str, pl.DataFrame], run_id: str, input_fingerprint: str
) -> dict[str, int]:
    """Write every table of the batch, all or nothing (a crash leaves no half-written batch).

    In a warehouse's staging folder, leftovers of interrupted runs are swept first (and reported)."""
    missing = [name for name in TABLE_NAMES if name not in tables]
    if missing:
        raise ValueError(f"cannot stage the batch: tables missing: {', '.join(missing)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with exclusive(path.parent / LOCK_FILE):  # a sweep never removes a batch being written
        if path.parent.name == STAGING_FOLDER:
            report_leftovers(path.parent, sweep_leftovers(path.parent.parent))
        _write_batch(path, tables, run_id, input_fingerprint)
    return {name: tables[name].height for name in TABLE_NAMES}


def _write_batch(path: Path, tables: Mapping[str, pl.DataFrame], run_id: str, input_fingerprint: str) -> None:
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    _remove_with_wal(partial)
    con = connect(partial)
    try:
        for name in TABLE_NAMES:
            frame = tables[name]
            con.register("frame", frame)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM frame')
            con.unregister("frame")
        con.execute(
            "CREATE TABLE batch_info AS SELECT ? AS run_id, ? AS staged_at, ? AS input_fingerprint",
            [run_id, datetime.now(UTC).replace(tzinfo=None), input_fingerprint],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(partial, path)


def sweep_leftovers(warehouse_dir: Path) -> Leftovers:
    """Remove what is of no use (half-written or already published batches); keep the rest.

    Call it holding the staging lock, so no batch is being written meanwhile."""
    folder = warehouse_dir / STAGING_FOLDER
    half_written = sorted(
        {path.with_name(path.name.removesuffix(".wal")) for path in folder.glob(f"*.duckdb{PARTIAL_SUFFIX}*")}
    )
    for partial in half_written:
        _remove_with_wal(partial)
    published = _published(warehouse_dir)
    batches = sorted(folder.glob("*.duckdb"))
    done = [batch for batch in batches if published and batch.stem in published.run_ids]
    for batch in done:
        _remove_with_wal(batch)
    recent = [
        batch
        for batch in batches
        if batch not in done and (published is None or _staged_after(batch, published.last_published_at))
    ]
    return Leftovers(half_written=half_written, published=done, unpublished=recent)


def report_leftovers(folder: Path, leftovers: Leftovers) -> None:
    summary = leftovers.summary()
    if summary:
        logger.warning(f"leftovers of interrupted or failed runs in {folder}: {summary}")


def failed_batches(warehouse_dir: Path) -> list[Path]:
    """Batches that were staged but never published (a failed audit, a killed run), oldest first."""
    folder = warehouse_dir / STAGING_FOLDER
    if not folder.is_dir():
        return []
    published = _published(warehouse_dir)
    run_ids = published.run_ids if published else frozenset()
    unpublished = [path for path in folder.glob("*.duckdb") if path.stem not in run_ids]
    return sorted(unpublished, key=lambda path: path.stat().st_mtime)


def _published(warehouse_dir: Path) -> _Published | None:
    """The runs that published a version, or None when the warehouse cannot be read right now."""
    database = warehouse_dir / DATABASE_FILE
    if not database.exists():
        return _Published(frozenset(), None)
    try:
        con = connect(database, read_only=True)
    except duckdb.Error:
        return None  # e.g. open for writing elsewhere: decide nothing, remove nothing
    try:
        rows = con.sql("SELECT run_id, published_at FROM versions").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return _Published(frozenset(row[0] for row in rows), max((row[1] for row in rows), default=None))


def _staged_after(batch: Path, moment: datetime | None) -> bool:
    staged = datetime.fromtimestamp(batch.stat().st_mtime, UTC).replace(tzinfo=None)
    return moment is None or staged > moment


def _remove_with_wal(database_file: Path) -> None:
    """A DuckDB file and its write-ahead log."""
    database_file.unlink(missing_ok=True)
    database_file.with_name(database_file.name + ".wal").unlink(missing_ok=True)


def _counted(paths: list[Path], what: str) -> str:
    """`1 half-written batch (a.duckdb)`, `2 half-written batches (a.duckdb, b.duckdb)`."""
    described = what if len(paths) == 1 else what.replace("batch", "batches", 1)
    return f"{len(paths)} {described} ({', '.join(path.name for path in paths)})"
