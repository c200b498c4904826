"""Write, the first step of write-audit-publish: a run's tables staged in a DuckDB file of their own.

The suites audit the staged file; publishing merges it into the warehouse. A batch that fails its audit
stays in `<warehouse>/staging/` for inspection and is never seen through `news.duckdb`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.warehouse import connect

STAGING_FOLDER = "staging"


def staging_path(warehouse_dir: Path, run_id: str) -> Path:
    return warehouse_dir / STAGING_FOLDER / f"{run_id}.duckdb"


def stage_batch(
    path: Path, tables: Mapping[str, pl.DataFrame], run_id: str, input_fingerprint: str
) -> dict[str, int]:
    """Write every table of the batch, all or nothing (a crash leaves no half-written batch)."""
    missing = [name for name in TABLE_NAMES if name not in tables]
    if missing:
        raise ValueError(f"cannot stage the batch: tables missing: {', '.join(missing)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
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
    return {name: tables[name].height for name in TABLE_NAMES}


def audit_frame(path: Path, table: str, audit_sql: str | None = None) -> pl.DataFrame:
    """The frame a suite validates: the staged table, or the suite's audit SELECT over the batch."""
    con = connect(path, read_only=True)
    try:
        return con.sql(audit_sql or f'SELECT * FROM "{table}"').pl()
    finally:
        con.close()


def failed_batches(warehouse_dir: Path) -> list[Path]:
    """Batches that were staged but never published (a failed audit), oldest first."""
    folder = warehouse_dir / STAGING_FOLDER
    return sorted(folder.glob("*.duckdb"), key=lambda path: path.stat().st_mtime) if folder.is_dir() else []
