"""The one way the pipeline opens DuckDB, in a module of its own so every storage module can use it."""

from __future__ import annotations

from pathlib import Path

import duckdb

DUCKDB_MEMORY_LIMIT = "1GB"  # DuckDB's default is 80% of RAM; beyond this, joins and sorts spill to disk


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Every connection the pipeline opens: no progress bar drawn on the run's stdout, and a memory bound
    so a large corpus's SQL models spill to disk instead of taking the parse workers' memory."""
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    return con
