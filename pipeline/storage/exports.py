"""Parquet exports for notebooks.

- `exports/<table>/<table>.parquet`: the current version (glob `exports/<table>/*.parquet`);
- `exports/history/<table>.parquet`: every row ever published with `valid_from`/`valid_to`, so a notebook
  can rebuild any version;
- `export_version(...)` (`wirehouse export --version N`): the tables as of version N, into any folder.

Each file is written beside its final name and swapped in with `os.replace`, so a notebook never reads
half a file; `exports/_version.json` says which version the current files hold.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.warehouse import WarehouseError, connect_read_only, current_version


def export_current(database_path: Path, exports_dir: Path) -> dict[str, Path]:
    """The current version per table, plus each table's full history; returns the current files."""
    con = connect_read_only(database_path)
    try:
        version = current_version(con)
        written = {
            table: _copy(con, f"SELECT * FROM main.{table}", exports_dir / table / f"{table}.parquet")
            for table in TABLE_NAMES
        }
        for table in TABLE_NAMES:
            _copy(
                con,
                f"SELECT * EXCLUDE (_row_hash) FROM history.{table}",
                exports_dir / "history" / f"{table}.parquet",
            )
    finally:
        con.close()
    manifest = {"version": version, "tables": {name: str(path) for name, path in written.items()}}
    (exports_dir / "_version.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return written


def export_version(database_path: Path, version: int, out_dir: Path) -> dict[str, Path]:
    """Every table as of `version`, as `<out_dir>/<table>/<table>.parquet`."""
    con = connect_read_only(database_path)
    try:
        published = {row[0] for row in con.sql("SELECT version FROM versions").fetchall()}
        if version not in published:
            raise WarehouseError(
                f"version {version} was never published in {database_path} (have {sorted(published)})"
            )
        return {
            table: _copy(
                con, f"SELECT * FROM {table}_at({int(version)})", out_dir / table / f"{table}.parquet"
            )
            for table in TABLE_NAMES
        }
    finally:
        con.close()


def _copy(con: duckdb.DuckDBPyConnection, query: str, final: Path) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(f".{final.name}.partial")
    con.execute(f"COPY ({query}) TO '{partial}' (FORMAT parquet, COMPRESSION zstd)")
    os.replace(partial, final)
    return final
