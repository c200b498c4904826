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
- `duplicate`: the same bytes as a file read earlier in the run;
- `outside_input`: a symbolic link (or a chain of them) whose real path lies outside the input folder. A
  landing folder is where other people drop files: such a link is never read, not even hashed, and its
  detail names the link, never the target's content. Links that stay inside the folder work as files.

Files still being written are not inputs yet: temporary names (dotfiles, `~` names, `*.partial.txt`, ...)
are never listed, and a file changed within the last WIREHOUSE_SETTLE_SECONDS (default 2) is watched for
that long; if it is still changing, or changes while it is read, it is deferred to the next tick or run.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path, PurePath

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
    "outside_input",
)
DEFAULT_SETTLE_SECONDS = 2.0  # a producer writing in pieces pauses less than this between two pieces
TEMPORARY_STEM_SUFFIXES = (".partial", ".part", ".tmp")  # `story.partial.txt`: renamed when complete


@dataclass(frozen=True)
class InputLimits:
    """What an input file may be. Given by the run's settings (`Settings.input_limits`, where
    WIREHOUSE_MAX_FILE_BYTES, WIREHOUSE_MAX_TEXT_CHARS and WIREHOUSE_CHECK_LANGUAGE are read); the
    defaults here are the settings' defaults."""

    max_file_bytes: int = 5_000_000  # a saved web page with its scripts fits
    max_text_chars: int = 200_000  # the decoded (and de-HTMLed) text
    check_language: bool = True  # False lets non-English text through


def list_input_files(input_dir: Path) -> list[Path]:
    """All `*.txt` files below `input_dir` that are not temporary names, in a stable order.

    Symbolic links to directories are not descended into (what they hold inside the folder is listed at its
    real place); one that leads outside the folder is listed itself, so the run quarantines it."""
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder {input_dir} does not exist or is not a folder")
    root = input_dir.resolve()
    found: list[Path] = []
    for folder, subfolders, files in os.walk(input_dir):
        here = Path(folder)
        found.extend(here / name for name in files if name.endswith(".txt"))
        found.extend(
            here / name
            for name in subfolders
            if name.endswith(".txt") or ((here / name).is_symlink() and leads_outside(here / name, root))
        )
    return sorted(path for path in found if not is_temporary_name(path.relative_to(input_dir)))


def leads_outside(path: Path, root: Path) -> bool:
    """Whether `path`, every link of a chain followed, ends outside the folder `root` (already resolved)."""
    return not Path(os.path.realpath(path)).is_relative_to(root)


def is_temporary_name(relative: PurePath) -> bool:
    """Producers write under a temporary name and rename when done: such a file is not an input yet.

    Dotfiles and anything in a dot-folder (rsync, scp and most uploaders), `~`-prefixed names (editors,
    office lock files) and `name.partial.txt`-style stems (`.partial`, `.part`, `.tmp`) are skipped;
    `name.txt.partial` and `name.txt~` do not end in `.txt` and were never inputs."""
    if any(part.startswith((".", "~")) for part in relative.parts):
        return True
    return relative.stem.lower().endswith(TEMPORARY_STEM_SUFFIXES)


@dataclass(frozen=True)
class ListedFile:
    """An input file as listed: its path, and its size and modification time (or the stat error)."""

    path: Path
    relative: str
    signature: str
    outside_input: bool = False  # a link leading out of the folder: listed to be quarantined, never read

    def unchanged(self) -> bool:
        """Still the same size and modification time as when listed (a writer has not touched it)."""
        return stat_signature(self.path)[0] == self.signature


@dataclass(frozen=True)
class InputListing:
    """The files ready to read, and those still being written (deferred to the next tick or run)."""

    settled: tuple[ListedFile, ...]
    deferred: tuple[str, ...]
    settle_seconds: float

    def fingerprint(self, leaving_out: Collection[str] = ()) -> str:
        """A cheap signature of the settled files: it changes when one is added, changed or settles."""
        digest = hashlib.sha256()
        for listed in self.settled:
            if listed.relative not in leaving_out:
                digest.update(f"{listed.relative}\0{listed.signature}\n".encode())
        return digest.hexdigest()


def stat_signature(path: Path) -> tuple[str, float | None]:
    """("size, mtime" or the stat error's name, the modification time in seconds or None)."""
    try:
        info = path.stat()
    except OSError as error:  # vanished, a symlink loop, ...: the run quarantines it with the reason
        return type(error).__name__, None
    return f"{info.st_size}\0{info.st_mtime_ns}", info.st_mtime_ns / 1e9


def list_settled_inputs(input_dir: Path, settle_seconds: float = 0.0) -> InputListing:
    """The input files, each either settled (unchanged for `settle_seconds`) or deferred.

    Files modified within the last `settle_seconds` are watched once, for at most `settle_seconds`: those
    still changing are being written and are deferred; a complete file copied in just now waits a moment
    but is read in this pass. A stat error counts as settled: reading it quarantines it with the reason."""
    listed, fresh = _list_with_ages(input_dir, settle_seconds)
    if not fresh:
        return InputListing(tuple(listed), (), settle_seconds)
    time.sleep(settle_seconds - min(age for _, age in fresh))  # until the youngest is old enough
    still_written = {file.relative for file, _ in fresh if not file.unchanged()}
    settled = tuple(file for file in listed if file.relative not in still_written)
    return InputListing(settled, tuple(sorted(still_written)), settle_seconds)


def _list_with_ages(
    input_dir: Path, settle_seconds: float
) -> tuple[list[ListedFile], list[tuple[ListedFile, float]]]:
    """Every input file with its signature, and those younger than `settle_seconds` with their age."""
    listed: list[ListedFile] = []
    fresh: list[tuple[ListedFile, float]] = []
    root = input_dir.resolve()
    for path in list_input_files(input_dir):
        relative = path.relative_to(input_dir).as_posix()
        if leads_outside(path, root):
            listed.append(ListedFile(path, relative, "outside_input", outside_input=True))
            continue
        signature, modified = stat_signature(path)
        file = ListedFile(path, relative, signature)
        listed.append(file)
        age = time.time() - modified if modified is not None else None
        if settle_seconds > 0 and age is not None and age < settle_seconds:
            fresh.append((file, max(0.0, age)))
    return listed, fresh


def describe_deferred(deferred: Collection[str], settle_seconds: float, shown: int = 5) -> str:
    """One line naming the files still being written, for a log line or a sensor's skip reason."""
    names = sorted(deferred)
    listed = ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")
    return (
        f"{len(names)} file(s) still being written (changed within the last {settle_seconds:g} s, "
        f"WIREHOUSE_SETTLE_SECONDS) deferred to the next pass: {listed}"
    )


def outside_input_detail(relative: str) -> str:
    """Names the link only: where it leads and what it holds are someone else's files."""
    return f"symbolic link {relative} leads outside the input folder; it was not read"


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


@dataclass(frozen=True)
class FolderRead:
    """What one pass over the input folder found: articles, refused files, files still being written."""

    raw: pl.DataFrame
    quarantine: pl.DataFrame
    deferred: tuple[str, ...]
    settle_seconds: float


def read_input_folder(
    input_dir: Path, limits: InputLimits | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(raw_articles, quarantine) for every `*.txt` below `input_dir`, as it is now (no settling)."""
    found = read_settled_input_folder(input_dir, limits, settle_seconds=0.0)
    return found.raw, found.quarantine


def read_settled_input_folder(
    input_dir: Path, limits: InputLimits | None = None, settle_seconds: float = 0.0
) -> FolderRead:
    """Every settled `*.txt` below `input_dir` read or quarantined; exact duplicates are read once.

    With `settle_seconds` > 0, files still being written, or changed while being read, are deferred:
    a truncated article is never read, and the next run reads the whole file."""
    limits = limits or InputLimits()
    listing = list_settled_inputs(input_dir, settle_seconds)
    articles: list[dict[str, object]] = []
    quarantined: list[dict[str, str]] = []
    changed_while_read: list[str] = []
    first_path_by_hash: dict[str, str] = {}
    for listed in listing.settled:
        relative = listed.relative
        if listed.outside_input:
            quarantined.append(
                {"source_path": relative, "reason": "outside_input", "detail": outside_input_detail(relative)}
            )
            continue
        try:
            data = read_file_bytes(listed.path, limits.max_file_bytes)
            if settle_seconds > 0 and not listed.unchanged():
                changed_while_read.append(relative)
                continue
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
    return FolderRead(
        pl.DataFrame(articles, schema=RAW_SCHEMA),
        pl.DataFrame(quarantined, schema=QUARANTINE_SCHEMA),
        tuple(sorted((*listing.deferred, *changed_while_read))),
        settle_seconds,
    )


def folder_fingerprint(input_dir: Path) -> str:
    """A cheap signature of the input files (path, size, modification time) to notice new or changed files."""
    return list_settled_inputs(input_dir).fingerprint()
