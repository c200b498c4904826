"""The landing folder's registry: which file contents have arrived, grouped into batches.

A batch is a set of new or changed files (by content hash) registered together; each becomes a
dynamic partition of `landing_batch`, so every arrival is visible, and can be re-run, in the UI.
The registry lives beside the warehouse (`<warehouse>/landing/`): a Parquet table of registered
contents and one JSON manifest per batch.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipeline.ingest import list_input_files

REGISTRY_SCHEMA = {"content_sha256": pl.String, "source_path": pl.String, "batch": pl.String}


@dataclass(frozen=True)
class Batch:
    key: str
    files: tuple[tuple[str, str], ...]  # (source_path, content_sha256)


def landing_dir(warehouse_dir: Path) -> Path:
    return warehouse_dir / "landing"


def register_new_files(input_dir: Path, warehouse_dir: Path, batch_size: int = 500) -> list[Batch]:
    """Find files whose content was never registered, register them in batches, return the new batches."""
    folder = landing_dir(warehouse_dir)
    registry_path = folder / "registry.parquet"
    registry = (
        pl.read_parquet(registry_path) if registry_path.exists() else pl.DataFrame(schema=REGISTRY_SCHEMA)
    )
    known = set(registry["content_sha256"].to_list())
    new: list[tuple[str, str]] = []
    for path in list_input_files(input_dir):
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue  # vanished or unreadable: the run's ingest step quarantines it with the reason
        if digest not in known:
            known.add(digest)
            new.append((path.relative_to(input_dir).as_posix(), digest))
    if not new:
        return []
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    batches = [
        Batch(key=f"{stamp}-{number:03d}", files=tuple(new[start : start + batch_size]))
        for number, start in enumerate(range(0, len(new), batch_size))
    ]
    (folder / "batches").mkdir(parents=True, exist_ok=True)
    for batch in batches:
        manifest = {
            "batch": batch.key,
            "files": [{"source_path": p, "content_sha256": h} for p, h in batch.files],
        }
        _write_atomically(folder / "batches" / f"{batch.key}.json", json.dumps(manifest, indent=1))
    rows = [(digest, path, batch.key) for batch in batches for path, digest in batch.files]
    added = pl.DataFrame(rows, schema=REGISTRY_SCHEMA, orient="row")
    partial = registry_path.with_name(".registry.parquet.partial")
    pl.concat([registry, added]).write_parquet(partial)
    os.replace(partial, registry_path)
    return batches


def read_batch(warehouse_dir: Path, key: str) -> pl.DataFrame:
    """The files of one registered batch (source_path, content_sha256)."""
    path = landing_dir(warehouse_dir) / "batches" / f"{key}.json"
    if not path.exists():
        raise FileNotFoundError(f"landing batch {key} has no manifest at {path}")
    files = json.loads(path.read_text(encoding="utf-8"))["files"]
    return pl.DataFrame(files, schema={"source_path": pl.String, "content_sha256": pl.String})


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
