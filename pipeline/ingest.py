"""Read an input folder into a frame of raw articles, quarantining what cannot be read.

Every `*.txt` below the folder ends up either in `raw_articles` or in `quarantine` with a reason.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from pipeline.text.decode import UndecodableInput, decode_bytes

RAW_SCHEMA = {
    "article_id": pl.String,
    "source_path": pl.String,
    "content_sha256": pl.String,
    "encoding": pl.String,
    "byte_size": pl.Int64,
    "text": pl.String,
}
QUARANTINE_SCHEMA = {"source_path": pl.String, "reason": pl.String, "detail": pl.String}


def list_input_files(input_dir: Path) -> list[Path]:
    """All `*.txt` files below `input_dir`, in a stable order."""
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder {input_dir} does not exist or is not a folder")
    return sorted(input_dir.rglob("*.txt"))


def article_id_for(content_sha256: str) -> str:
    """Articles are identified by content: the same bytes are the same article in every run."""
    return content_sha256[:16]


def read_input_folder(input_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(raw_articles, quarantine) for every `*.txt` below `input_dir`; exact duplicates are read once."""
    articles: list[dict[str, object]] = []
    quarantined: list[dict[str, str]] = []
    first_path_by_hash: dict[str, str] = {}
    for path in list_input_files(input_dir):
        relative = path.relative_to(input_dir).as_posix()
        try:
            data = path.read_bytes()
            decoded = decode_bytes(data)
        except UndecodableInput as refused:
            quarantined.append({"source_path": relative, "reason": refused.reason, "detail": refused.detail})
            continue
        except OSError as error:
            reason = "vanished" if isinstance(error, FileNotFoundError) else "unreadable"
            quarantined.append({"source_path": relative, "reason": reason, "detail": str(error)})
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in first_path_by_hash:
            detail = f"same bytes as {first_path_by_hash[digest]}"
            quarantined.append({"source_path": relative, "reason": "duplicate", "detail": detail})
            continue
        first_path_by_hash[digest] = relative
        articles.append(
            {
                "article_id": article_id_for(digest),
                "source_path": relative,
                "content_sha256": digest,
                "encoding": decoded.encoding,
                "byte_size": len(data),
                "text": decoded.text,
            }
        )
    return pl.DataFrame(articles, schema=RAW_SCHEMA), pl.DataFrame(quarantined, schema=QUARANTINE_SCHEMA)


def folder_fingerprint(input_dir: Path) -> str:
    """A cheap signature of the input files (path, size, modification time) to notice new or changed files."""
    digest = hashlib.sha256()
    for path in list_input_files(input_dir):
        stat = path.stat()
        digest.update(
            f"{path.relative_to(input_dir).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()
        )
    return digest.hexdigest()
