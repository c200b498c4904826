"""`make profile`: where the time of one `wirehouse run` goes, sampled with py-spy (all processes).

Runs `wirehouse run` on the corpus into a fresh warehouse under py-spy (`--subprocesses`, so the parse
workers are sampled too; idle threads are not) with the defaults a user gets (WIREHOUSE_N_PROCESS only
if set), keeps the collapsed stacks (speedscope.app and flamegraph.pl read them), and prints the CPU
seconds per part of the run (pipeline steps, parse workers) and inside the parse workers (spaCy
components, our extraction).
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bbc"
RATE = 100  # samples per second

# the first of these found in a stack (outermost first) names the part of the run it belongs to
PARTS = (
    ("extract_chunk", "parse worker"),
    ("_first_pass_in", "parse worker: cleaning's first pass (line_candidates)"),
    ("_clean_in", "parse worker: cleaning (clean)"),
    ("read_batch_files (", "reading the files (read_inputs; on the parse workers when started)"),
    ("spawn_main", "parse worker: start-up"),
    ("rerun.py", "unchanged re-run check"),
    ("validate (", "suites: Great Expectations"),
    ("preload-gx", "suites: Great Expectations import (background)"),
    ("clean (", "clean"),
    ("read_inputs (", "read"),
    ("parse (", "parse (main process)"),
    ("resolve_entities (", "resolve_entities"),
    ("staged_batch (", "stage"),
    ("warehouse (", "publish"),
    ("parquet_exports (", "exports"),
    ("build_sql_models", "SQL models"),
    ("execute_in_process", "Dagster"),
    ("_find_and_load", "imports"),
)
WORKER_DETAIL = (
    ("doc_rows (", "extraction (entities, quotes, speakers)"),
    ("paragraph_doc (", "tokenizer and paragraph marks"),
    ("attributeruler.py", "attribute ruler: word exceptions (spaCy's ruler)"),
    ("fast_attributes.py", "attribute ruler: table and sequence lookups"),
    ("thinc/", "neural network layers (tok2vec, tagger, parser, ner)"),
    ("_pipe (", "parser and ner transitions (Cython, below spaCy's pipe loop)"),
)


def part_of(stack: str, table: tuple[tuple[str, str], ...]) -> str:
    for marker, name in table:
        if marker in stack:
            return name
    return "other"


def summarise(raw: Path) -> None:
    parts: collections.Counter[str] = collections.Counter()
    worker: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        part = part_of(stack, PARTS)
        parts[part] += samples
        if part == "parse worker":
            worker[part_of(stack, WORKER_DETAIL)] += samples
    total = sum(parts.values())
    print(f"\nCPU seconds sampled: {total / RATE:.1f} (all processes)")
    for name, samples in parts.most_common():
        print(f"  {name:<62} {samples / RATE:7.1f} s  {samples / total:6.1%}")
    inside = sum(worker.values())
    print("\ninside the parse workers:")
    for name, samples in worker.most_common():
        print(f"  {name:<62} {samples / RATE:7.1f} s  {samples / max(inside, 1):6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=Path("profile"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "WIREHOUSE_INPUT_DIR": str(args.corpus)}
    spy = Path(sys.executable).with_name("py-spy")
    wirehouse = Path(sys.executable).with_name("wirehouse")
    with tempfile.TemporaryDirectory(prefix="wirehouse-profile-") as warehouse:
        env["WIREHOUSE_WAREHOUSE_DIR"] = warehouse
        env["DAGSTER_HOME"] = str(Path(warehouse) / ".dagster")  # not the project's instance
        raw = args.out / "wirehouse-run.txt"
        command = [str(spy), "record", "--subprocesses", "-r", str(RATE), "-f", "raw", "-o", str(raw)]
        subprocess.run([*command, "--", str(wirehouse), "run"], env=env, check=True)
    summarise(raw)
    print(f"\ncollapsed stacks in {raw} (open with https://www.speedscope.app or flamegraph.pl)")


if __name__ == "__main__":
    main()
