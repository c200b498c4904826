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

from pipeline.ingest import (
    QUARANTINE_SCHEMA,
    RAW_SCHEMA,
    InputLimits,
    InputListing,
    article_id_for,
    check_text,
    list_settled_inputs,
    outside_input_detail,
    read_file_bytes,
)
from pipeline.text.decode import UndecodableInput, decode_bytes

REGISTRY_SCHEMA = {"content_sha256": pl.String, "source_path": pl.String, "batch": pl.String}
REFUSED_SCHEMA = {"content_sha256": pl.String, "reason": pl.String, "detail": pl.String}
CURRENT_SCHEMA = {"position": pl.Int64, "source_path": pl.String, "content_sha256": pl.String}
UNREADABLE_SCHEMA = {"position": pl.Int64, **QUARANTINE_SCHEMA}
DEFAULT_BATCH_FILES = 500


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
    input_dir: Path, warehouse_dir: Path, batch_size: int = DEFAULT_BATCH_FILES, settle_seconds: float = 0.0
) -> list[Batch]:
    """Find files whose content was never registered, register them in batches, return the new batches."""
    listing = list_settled_inputs(input_dir, settle_seconds)
    return register_listed_files(listing, warehouse_dir, batch_size).batches


def register_listed_files(
    listing: InputListing, warehouse_dir: Path, batch_size: int = DEFAULT_BATCH_FILES
) -> Registration:
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


def registered_keys(warehouse_dir: Path) -> list[str]:
    """Every batch registered in this warehouse's landing folder, oldest first."""
    folder = landing_dir(warehouse_dir) / "batches"
    return sorted(path.stem for path in folder.glob("*.json")) if folder.is_dir() else []


def is_registered(warehouse_dir: Path, key: str) -> bool:
    return (landing_dir(warehouse_dir) / "batches" / f"{key}.json").exists()


@dataclass(frozen=True)
class BatchRead:
    """One landing batch read: decoded articles, and contents refused (by content hash, with the reason)."""

    raw: pl.DataFrame
    refused: pl.DataFrame
    skipped: int  # files changed or gone since the batch was registered: their new state is another batch's


def read_batch_files(input_dir: Path, files: pl.DataFrame, limits: InputLimits) -> BatchRead:
    """Decode the files of one batch (source_path, content_sha256). A file whose bytes are no longer the
    registered content is skipped: the batch stands for the content, and the current folder decides which
    contents are published (see `list_current_inputs`)."""
    articles: list[dict[str, object]] = []
    refused: list[dict[str, str]] = []
    skipped = 0
    for source_path, digest in files.select("source_path", "content_sha256").iter_rows():
        try:
            data = read_file_bytes(input_dir / source_path, limits.max_file_bytes)
        except UndecodableInput:
            skipped += 1  # unreadable now: the current listing quarantines it with the reason
            continue
        if hashlib.sha256(data).hexdigest() != digest:
            skipped += 1
            continue
        try:
            decoded = decode_bytes(data)
            check_text(decoded, limits)
        except UndecodableInput as problem:
            refused.append({"content_sha256": digest, "reason": problem.reason, "detail": problem.detail})
            continue
        articles.append(
            {
                "article_id": article_id_for(digest),
                "source_path": source_path,
                "content_sha256": digest,
                "encoding": decoded.encoding,
                "byte_size": len(data),
                "text": decoded.text,
            }
        )
    return BatchRead(
        pl.DataFrame(articles, schema=RAW_SCHEMA), pl.DataFrame(refused, schema=REFUSED_SCHEMA), skipped
    )


def list_current_inputs(input_dir: Path, limits: InputLimits) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The folder as it is now: (position, source_path, content_sha256) of every readable file in listing
    order, and the files that cannot be read at all (position and quarantine columns: outside_input,
    unreadable, vanished, too_large), never hashed past the size limit."""
    listing = list_settled_inputs(input_dir, 0.0)
    current: list[tuple[int, str, str]] = []
    refused: list[tuple[int, str, str, str]] = []
    for position, listed in enumerate(listing.settled):
        relative = listed.relative
        if listed.outside_input:
            reason, detail = "outside_input", outside_input_detail(relative)
            refused.append((position, relative, reason, detail))
            continue
        try:
            data = read_file_bytes(listed.path, limits.max_file_bytes)
        except UndecodableInput as problem:
            refused.append((position, relative, problem.reason, problem.detail))
            continue
        current.append((position, relative, hashlib.sha256(data).hexdigest()))
    return (
        pl.DataFrame(current, schema=CURRENT_SCHEMA, orient="row"),
        pl.DataFrame(refused, schema=UNREADABLE_SCHEMA, orient="row"),
    )


def current_contents(
    current: pl.DataFrame, unreadable: pl.DataFrame, decoded: pl.DataFrame, refused: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """What the next version holds: (article_id, source_path, position) of every current article, and the
    quarantine, as one read of the whole folder would give them.

    `decoded` (article_id, content_sha256) and `refused` (content_sha256, reason, detail) are the batches'
    outputs. A refused content is quarantined at every path holding it; of the paths holding the same
    decoded content the first is the article, the others duplicates; a content no batch holds yet (not
    registered) waits for its batch."""
    article_of = dict(decoded.select("content_sha256", "article_id").unique().iter_rows())
    refusal = {row[0]: row[1:] for row in refused.unique("content_sha256").iter_rows()}
    first_path: dict[str, str] = {}
    articles: list[tuple[str, str, int]] = []
    quarantined: list[tuple[int, str, str, str]] = []
    for position, source_path, digest in current.iter_rows():
        if digest in refusal:
            quarantined.append((position, source_path, *refusal[digest]))
        elif digest in first_path:
            quarantined.append((position, source_path, "duplicate", f"same bytes as {first_path[digest]}"))
        elif digest in article_of:
            first_path[digest] = source_path
            articles.append((article_of[digest], source_path, position))
    quarantine = (
        pl.DataFrame(quarantined + list(unreadable.iter_rows()), schema=UNREADABLE_SCHEMA, orient="row")
        .sort("position", "source_path")
        .drop("position")
    )
    current_articles = pl.DataFrame(
        articles,
        schema={"article_id": pl.String, "source_path": pl.String, "position": pl.Int64},
        orient="row",
    )
    return current_articles, quarantine
