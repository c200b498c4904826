"""The landing folder's registry: which file contents have arrived, grouped into batches.

A batch is a set of new or changed files (by content hash) registered together; each becomes a
dynamic partition of `landing_batch`, so every arrival is visible, and can be re-run, in the UI.
The registry lives beside the warehouse (`<warehouse>/landing/`): a Parquet table of registered
contents and one JSON manifest per batch. Only settled files are registered (see
`pipeline.ingest.list_settled_inputs`): a file still being written waits for a later pass, so a
truncated version of it is never registered as content of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipeline.ingest import InputListing, list_settled_inputs

REGISTRY_SCHEMA = {"content_sha256": pl.String, "source_path": pl.String, "batch": pl.String}


@dataclass(frozen=True)
class Batch:
    key: str
    files: tuple[tuple[str, str], ...]  # (source_path, content_sha256)


def landing_dir(warehouse_dir: Path) -> Path:
    return warehouse_dir / "landing"


@dataclass(frozen=True)
class Registration:
    """One pass of the sensor: the new batches, the files left for later, the cursor to remember."""

    batches: list[Batch]
    deferred: tuple[str, ...]  # still being written: not registered, looked at again on the next pass
    fingerprint: str  # of the files this pass settled; a deferred file changes it once it settles


def register_new_files(
    input_dir: Path, warehouse_dir: Path, batch_size: int = 500, settle_seconds: float = 0.0
) -> list[Batch]:
    """Find files whose content was never registered, register them in batches, return the new batches."""
    listing = list_settled_inputs(input_dir, settle_seconds)
    return register_listed_files(listing, warehouse_dir, batch_size).batches


def register_listed_files(listing: InputListing, warehouse_dir: Path, batch_size: int = 500) -> Registration:
    """Register the never-seen contents among the settled files of `listing`, `batch_size` files a batch.

    A file that changes while it is hashed is deferred like one still being written, so partial content
    is never registered (it would be new content again once complete: processed twice)."""
    folder = landing_dir(warehouse_dir)
    registry = _read_registry(folder / "registry.parquet")
    new, changed_while_hashed = _new_contents(listing, set(registry["content_sha256"].to_list()))
    deferred = tuple(sorted((*listing.deferred, *changed_while_hashed)))
    fingerprint = listing.fingerprint(leaving_out=set(changed_while_hashed))
    if not new:
        return Registration([], deferred, fingerprint)
    batches = _split_into_batches(folder, new, batch_size)
    _write_manifests(folder, batches)
    _append_to_registry(folder / "registry.parquet", registry, batches)
    return Registration(batches, deferred, fingerprint)


def _read_registry(registry_path: Path) -> pl.DataFrame:
    if registry_path.exists():
        return pl.read_parquet(registry_path)
    return pl.DataFrame(schema=REGISTRY_SCHEMA)


def _new_contents(listing: InputListing, known: set[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """((source_path, sha256) of contents not in `known`, files that changed while being hashed)."""
    new: list[tuple[str, str]] = []
    changed: list[str] = []
    for listed in listing.settled:
        if listed.outside_input:
            continue  # never read, not even hashed: the run's ingest step quarantines it
        try:
            digest = hashlib.sha256(listed.path.read_bytes()).hexdigest()
        except OSError:
            continue  # vanished or unreadable: the run's ingest step quarantines it with the reason
        if listing.settle_seconds > 0 and not listed.unchanged():
            changed.append(listed.relative)
        elif digest not in known:
            known.add(digest)
            new.append((listed.relative, digest))
    return new, changed


def _split_into_batches(folder: Path, new: list[tuple[str, str]], batch_size: int) -> list[Batch]:
    """Batches keyed `<UTC time>-<number>`; numbers go on after any batch registered in the same second."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    first = len(list((folder / "batches").glob(f"{stamp}-*.json")))
    return [
        Batch(key=f"{stamp}-{first + number:03d}", files=tuple(new[start : start + batch_size]))
        for number, start in enumerate(range(0, len(new), batch_size))
    ]


def _write_manifests(folder: Path, batches: list[Batch]) -> None:
    (folder / "batches").mkdir(parents=True, exist_ok=True)
    for batch in batches:
        manifest = {
            "batch": batch.key,
            "files": [{"source_path": p, "content_sha256": h} for p, h in batch.files],
        }
        _write_atomically(folder / "batches" / f"{batch.key}.json", json.dumps(manifest, indent=1))


def _append_to_registry(registry_path: Path, registry: pl.DataFrame, batches: list[Batch]) -> None:
    """The registry is replaced whole (write, then rename): a reader never sees half of it."""
    rows = [(digest, path, batch.key) for batch in batches for path, digest in batch.files]
    added = pl.DataFrame(rows, schema=REGISTRY_SCHEMA, orient="row")
    partial = registry_path.with_name(".registry.parquet.partial")
    pl.concat([registry, added]).write_parquet(partial)
    os.replace(partial, registry_path)


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
