"""Parquet exports of the current version for notebooks: `<warehouse>/exports/<table>/*.parquet`.

Each file is written beside its final name and swapped in with `os.replace`, so a notebook never reads
half a file; `exports/_version.json` says which version the files hold.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.warehouse import connect_read_only, current_version


def export_current(database_path: Path, exports_dir: Path) -> dict[str, Path]:
    """Write every published table of the current version to Parquet (zstd); return the paths."""
    con = connect_read_only(database_path)
    written: dict[str, Path] = {}
    try:
        version = current_version(con)
        for table in TABLE_NAMES:
            folder = exports_dir / table
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / f"{table}.parquet"
            partial = folder / f".{table}.parquet.partial"
            con.execute(
                f"COPY (SELECT * FROM main.{table}) TO '{partial}' (FORMAT parquet, COMPRESSION zstd)"
            )
            os.replace(partial, final)
            written[table] = final
    finally:
        con.close()
    manifest = {"version": version, "tables": {name: str(path) for name, path in written.items()}}
    (exports_dir / "_version.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return written
