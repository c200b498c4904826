"""Copy check: no text of the development sets in ../shared/eval may be in the repository.

Reports, for every file tracked by git (uv.lock and binary files skipped):

* every run of 8 or more consecutive words that also occurs in an eval text (the `text` field of each
  `*.jsonl` line, and every `*.txt` file, gold/*.txt included). Words are `[A-Za-z0-9']+`, lowercased,
  with curly apostrophes read as straight ones. Each file is read as ONE sequence of words, so a sentence
  split over several lines (string literals, comments, wrapped prose) is still caught; a hit is reported
  at the line where its run starts: `path:line: words...`;
* in pipeline/ and tests/ only: every full name of a quotes-dev gold speaker (the `reference` and the
  `speaker` field, each when it has two or more capitalised tokens: a generic "the union" is no name),
  matched case-sensitively at word boundaries: `path:line: dev speaker name "X"`.

    .venv/bin/python .ci/copy_check.py                # from the project's root; exit 1 on any hit
    .venv/bin/python .ci/copy_check.py --eval DIR     # another eval folder (default ../shared/eval)

Exit status 0 when clean, and 0 with a message when the eval folder is absent (nothing to compare with).
The functions `find_copies`, `find_names` and `check` take a file list and an eval folder, for tests.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

N = 8
WORD = re.compile(r"[A-Za-z0-9']+")
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
SKIP = {"uv.lock"}
NAME_FOLDERS = ("pipeline/", "tests/")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = PROJECT_ROOT.parent / "shared" / "eval"
SHOWN_WORDS = 16


@dataclass(frozen=True, order=True)
class Hit:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def words_of(text: str) -> list[re.Match[str]]:
    return list(WORD.finditer(text.translate(APOSTROPHES)))


def eval_texts(eval_root: Path) -> Iterator[str]:
    """Every eval text: the `text` field of each jsonl line and every .txt file (gold/ included)."""
    for path in sorted(eval_root.rglob("*")):
        if not path.is_file() or "corpora" in path.parts:
            continue
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.strip():
                    text = json.loads(line).get("text")
                    if isinstance(text, str):
                        yield text
        elif path.suffix == ".txt":
            yield path.read_text(encoding="utf-8", errors="replace")


@functools.cache
def eval_shingles(eval_root: Path) -> frozenset[tuple[str, ...]]:
    """Every run of N consecutive lowercased words of every eval text."""
    seen: set[tuple[str, ...]] = set()
    for text in eval_texts(eval_root):
        words = [m.group().lower() for m in words_of(text)]
        seen.update(tuple(words[i : i + N]) for i in range(len(words) - N + 1))
    return frozenset(seen)


@functools.cache
def dev_speaker_names(eval_root: Path) -> tuple[str, ...]:
    """Full names of the quotes-dev gold speakers, longest first: `reference` and `speaker` when they have
    two or more capitalised tokens (so "Jane Roe" and "the Kentucky Senator" count, "the union" does not)."""
    gold = eval_root / "quotes-dev" / "gold.jsonl"
    names: set[str] = set()
    if gold.is_file():
        for line in gold.read_text(encoding="utf-8", errors="replace").splitlines():
            if not line.strip():
                continue
            for quote in json.loads(line).get("quotes") or []:
                for field in ("reference", "speaker"):
                    name = " ".join(str(quote.get(field) or "").split()).strip(" ,;:'\"")
                    if capitalised(name) >= 2:
                        names.add(name)
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def capitalised(name: str) -> int:
    return sum(token[:1].isupper() for token in name.split())


def read_text(path: Path) -> str | None:
    """The file's text, or None for a binary (NUL bytes or not UTF-8) or unreadable file."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]


def resolve(path: Path | str, root: Path | None) -> tuple[Path, str]:
    path = Path(path)
    full = path if path.is_absolute() or root is None else root / path
    return full, path.as_posix()


def find_copies(files: Iterable[Path | str], eval_root: Path, root: Path | None = None) -> list[Hit]:
    """Runs of N+ consecutive words of `files` (relative to `root` when given) found in an eval text.

    Each file is one sequence of words, whatever the lines; one Hit per maximal run, at its first line."""
    seen = eval_shingles(Path(eval_root))
    hits: list[Hit] = []
    for name in files:
        full, shown = resolve(name, root)
        text = read_text(full)
        if not text:
            continue
        matches = words_of(text)
        words = [m.group().lower() for m in matches]
        flagged = [tuple(words[i : i + N]) in seen for i in range(len(words) - N + 1)]
        starts = None
        i = 0
        while i < len(flagged):
            if not flagged[i]:
                i += 1
                continue
            first = i
            while i + 1 < len(flagged) and flagged[i + 1]:
                i += 1
            last_word = i + N - 1
            starts = starts or line_starts(text)
            line = bisect.bisect_right(starts, matches[first].start())
            run = [m.group() for m in matches[first : last_word + 1]]
            shown_words = " ".join(run[:SHOWN_WORDS]) + (" ..." if len(run) > SHOWN_WORDS else "")
            hits.append(Hit(shown, line, shown_words))
            i += 1
    return hits


@functools.cache
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    if not names:
        return None
    alternatives = [r"\s+".join(re.escape(token) for token in name.split()) for name in names]
    return re.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + r")(?!\w)")


def find_names(files: Iterable[Path | str], eval_root: Path, root: Path | None = None) -> list[Hit]:
    """Full names of quotes-dev gold speakers written in `files` (case-sensitive, at word boundaries)."""
    pattern = _names_pattern(dev_speaker_names(Path(eval_root)))
    hits: list[Hit] = []
    if pattern is None:
        return hits
    for name in files:
        full, shown = resolve(name, root)
        text = read_text(full)
        if not text:
            continue
        starts = None
        for match in pattern.finditer(text):
            starts = starts or line_starts(text)
            line = bisect.bisect_right(starts, match.start())
            found = " ".join(match.group().split())
            hits.append(Hit(shown, line, f'dev speaker name "{found}"'))
    return hits


def tracked_files(root: Path) -> list[str]:
    """The files git tracks in `root` (that still exist), uv.lock left out."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    return [f for f in listed.split("\0") if f and Path(f).name not in SKIP and (root / f).is_file()]


def check(root: Path, eval_root: Path, files: list[str] | None = None) -> list[Hit]:
    """Both checks on `files` (default: every tracked file of `root`); names only in pipeline/ and tests/."""
    files = tracked_files(root) if files is None else files
    named = [f for f in files if Path(f).as_posix().startswith(NAME_FOLDERS)]
    return sorted(set(find_copies(files, eval_root, root) + find_names(named, eval_root, root)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="eval folder (../shared/eval)")
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help="the repository to scan")
    args = parser.parse_args(argv)
    if not args.eval.is_dir():
        print(f"copy check: {args.eval} is absent, nothing to compare with")
        return 0
    hits = check(args.root.resolve(), args.eval.resolve())
    for hit in hits:
        print(hit)
    if hits:
        print(f"copy check: {len(hits)} hit(s) of eval text or dev speaker names", file=sys.stderr)
        return 1
    print("copy check: clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
