"""Read an input folder into a frame of raw articles, quarantining what cannot be read.

Every `*.txt` below the folder ends up either in `raw_articles` or in `quarantine` with a reason, and one
bad file never stops the others. The reasons (kept in sync with `expectations/quarantine.json`):

- `empty`: 0 bytes, or only whitespace and control characters;
- `binary`: a known binary signature (PNG, zip, PDF, ...) or full of control bytes;
- `undecodable`: a byte-order mark that the rest of the file contradicts;
- `html_without_text`: an HTML page with no visible text;
- `too_large`: over WIREHOUSE_MAX_FILE_BYTES bytes (default 5 MB), or once decoded over
  WIREHOUSE_MAX_TEXT_CHARS characters (default 200,000, ~33,000 words: longer than any news article, and
  the NLP stage's time grows faster than the length);
- `not_english`: the text is not English (see `pipeline.text.language`); the English model would mis-parse
  it (WIREHOUSE_CHECK_LANGUAGE=0 turns the check off);
- `unreadable`: not a regular file, a symlink loop or a broken symlink, no permission, an I/O error;
- `vanished`: listed, then gone before it could be read;
- `duplicate`: the same bytes as a file read earlier in the run.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.text.decode import DecodedText, UndecodableInput, decode_bytes
from pipeline.text.language import guess_language

RAW_SCHEMA = {
    "article_id": pl.String,
    "source_path": pl.String,
    "content_sha256": pl.String,
    "encoding": pl.String,
    "byte_size": pl.Int64,
    "text": pl.String,
}
QUARANTINE_SCHEMA = {"source_path": pl.String, "reason": pl.String, "detail": pl.String}
QUARANTINE_REASONS = (
    "empty",
    "binary",
    "undecodable",
    "html_without_text",
    "too_large",
    "not_english",
    "unreadable",
    "vanished",
    "duplicate",
)


@dataclass(frozen=True)
class InputLimits:
    """What an input file may be; each limit can be set with its WIREHOUSE_* environment variable."""

    max_file_bytes: int = 5_000_000  # WIREHOUSE_MAX_FILE_BYTES: a saved web page with its scripts fits
    max_text_chars: int = 200_000  # WIREHOUSE_MAX_TEXT_CHARS: the decoded (and de-HTMLed) text
    check_language: bool = True  # WIREHOUSE_CHECK_LANGUAGE=0 lets non-English text through

    @classmethod
    def from_env(cls) -> InputLimits:
        env = os.environ
        return cls(
            max_file_bytes=int(env.get("WIREHOUSE_MAX_FILE_BYTES", cls.max_file_bytes)),
            max_text_chars=int(env.get("WIREHOUSE_MAX_TEXT_CHARS", cls.max_text_chars)),
            check_language=env.get("WIREHOUSE_CHECK_LANGUAGE", "1").strip().lower()
            not in {"0", "false", "no"},
        )


def list_input_files(input_dir: Path) -> list[Path]:
    """All `*.txt` files below `input_dir`, in a stable order."""
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder {input_dir} does not exist or is not a folder")
    return sorted(input_dir.rglob("*.txt"))


def article_id_for(content_sha256: str) -> str:
    """Articles are identified by content: the same bytes are the same article in every run."""
    return content_sha256[:16]


def read_file_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file, refusing what is not one or is too large before reading it all.

    Raises `UndecodableInput` with reason `unreadable`, `vanished` or `too_large`."""
    try:
        info = path.stat()  # follows symlinks: a loop or a broken link fails here
        if not stat.S_ISREG(info.st_mode):
            raise UndecodableInput("unreadable", f"not a regular file ({_file_kind(info.st_mode)})")
        if info.st_size > max_bytes:
            raise UndecodableInput("too_large", _too_large_bytes(info.st_size, max_bytes))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat
    except FileNotFoundError as error:
        if path.is_symlink():
            raise UndecodableInput("unreadable", f"broken symbolic link to {os.readlink(path)}") from error
        raise UndecodableInput("vanished", f"listed but gone before it was read: {error}") from error
    except OSError as error:
        raise UndecodableInput("unreadable", f"{type(error).__name__}: {error}") from error
    if len(data) > max_bytes:
        raise UndecodableInput("too_large", _too_large_bytes(len(data), max_bytes, "at least "))
    return data


def check_text(decoded: DecodedText, limits: InputLimits) -> None:
    """Refuse decoded text the later stages should not see (`too_large`, `not_english`)."""
    if len(decoded.text) > limits.max_text_chars:
        raise UndecodableInput(
            "too_large",
            f"{len(decoded.text):,} characters of text, over the limit of {limits.max_text_chars:,} "
            "(WIREHOUSE_MAX_TEXT_CHARS): no news article is that long",
        )
    if limits.check_language:
        language = guess_language(decoded.text)
        if not language.is_english:
            raise UndecodableInput("not_english", language.detail)


def _too_large_bytes(size: int, limit: int, qualifier: str = "") -> str:
    return (
        f"{qualifier}{size:,} bytes, over the limit of {limit:,} bytes (WIREHOUSE_MAX_FILE_BYTES): "
        "no news article is that large"
    )


def _file_kind(mode: int) -> str:
    kinds = {stat.S_ISDIR: "a directory", stat.S_ISFIFO: "a named pipe", stat.S_ISSOCK: "a socket"}
    return next((name for test, name in kinds.items() if test(mode)), "a device or special file")


def read_input_folder(
    input_dir: Path, limits: InputLimits | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(raw_articles, quarantine) for every `*.txt` below `input_dir`; exact duplicates are read once."""
    limits = limits or InputLimits.from_env()
    articles: list[dict[str, object]] = []
    quarantined: list[dict[str, str]] = []
    first_path_by_hash: dict[str, str] = {}
    for path in list_input_files(input_dir):
        relative = path.relative_to(input_dir).as_posix()
        try:
            data = read_file_bytes(path, limits.max_file_bytes)
            decoded = decode_bytes(data)
            check_text(decoded, limits)
        except UndecodableInput as refused:
            quarantined.append({"source_path": relative, "reason": refused.reason, "detail": refused.detail})
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
        try:
            info = path.stat()
            signature = f"{info.st_size}\0{info.st_mtime_ns}"
        except OSError as error:  # vanished, a symlink loop, ...: the run will quarantine it
            signature = f"{type(error).__name__}"
        digest.update(f"{path.relative_to(input_dir).as_posix()}\0{signature}\n".encode())
    return digest.hexdigest()
