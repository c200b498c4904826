"""`make bench`: the whole pipeline against bare spaCy on the BBC corpus, and how it grows.

Each measurement runs in its own process, sampled for peak RSS (the process and its children, e.g. spaCy's
workers): bare `nlp.pipe` over the corpus texts with the pipeline's model, batch size and process count;
`wirehouse run` into a fresh warehouse (wall time per Dagster step); the same run again (incremental); and
the corpus repeated with small edits (10x by default) to show how time and memory grow.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bbc"

BARE_SPACY = """
import json, sys, time
from pathlib import Path
import spacy
from pipeline.nlp.model import MODEL_NAME
# the distinct texts: the pipeline parses each distinct file once (exact duplicates are quarantined)
paths = sorted(Path(sys.argv[1]).rglob("*.txt"))
texts = list(dict.fromkeys(p.read_text(encoding="utf-8", errors="replace") for p in paths))
nlp = spacy.load(MODEL_NAME)  # the stock pipeline, every component enabled
start = time.perf_counter()
tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=int(sys.argv[2]), n_process=int(sys.argv[3])))
print(json.dumps({"seconds": time.perf_counter() - start, "articles": len(texts), "tokens": tokens}))
"""

PIPELINE = """
import json, sys, time
from pathlib import Path
from pipeline.orchestrate import run_pipeline
from pipeline.settings import Settings
settings = Settings.from_env(input_dir=Path(sys.argv[1]), warehouse_dir=Path(sys.argv[2]))
start = time.perf_counter()
outcome = run_pipeline(settings)
seconds = time.perf_counter() - start
steps = {e.step_key: e.event_specific_data.duration_ms / 1000 for e in outcome.result.all_events
         if e.event_type_value == "STEP_SUCCESS"}
parsed = [e.event_specific_data.materialization.metadata for e in outcome.result.all_events
          if e.event_type_value == "ASSET_MATERIALIZATION"
          and e.event_specific_data.materialization.asset_key.to_user_string() == "parsed_quotes"]
print(json.dumps({"seconds": seconds, "success": outcome.success, "reason": outcome.reason, "steps": steps,
                  "articles_parsed": parsed[0]["articles_parsed"].value if parsed else None}))
"""


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


def measure(script: str, *args: str) -> dict:
    """Run a measurement in its own process; add its wall time and peak RSS (process tree)."""
    process = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    start = time.perf_counter()
    sampler.start()
    out, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"measurement failed (exit {process.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(process_seconds=time.perf_counter() - start, peak_rss_mb=peak / 1024)
    return result


def scaled_corpus(source: Path, target: Path, times: int) -> Path:
    """The corpus repeated `times` times, each copy edited slightly so every file is new content."""
    for copy in range(times):
        folder = target / f"copy{copy:02d}"
        folder.mkdir(parents=True)
        for path in sorted(source.glob("*.txt")):
            text = path.read_text(encoding="utf-8", errors="replace")
            (folder / path.name).write_text(
                text.rstrip("\n") + f"\n\nEdition {copy + 1}.\n", encoding="utf-8"
            )
    return target


def report_pipeline(label: str, run: dict, bare: dict | None = None) -> None:
    articles = bare["articles"] if bare else None
    print(
        f"\n{label}: {run['seconds']:.1f} s wall ({run['process_seconds']:.1f} s for the whole process, with "
        f"interpreter start and imports), peak RSS {run['peak_rss_mb']:.0f} MB, "
        f"articles parsed {run['articles_parsed']}" + ("" if run["success"] else f", FAILED: {run['reason']}")
    )
    if bare:
        print(
            f"  {articles / run['seconds']:.1f} articles/s, {bare['tokens'] / run['seconds']:.0f} tokens/s, "
            f"ratio pipeline / bare spaCy = {run['seconds'] / bare['seconds']:.2f}"
        )
    for step, seconds in sorted(run["steps"].items(), key=lambda item: -item[1]):
        print(f"  {step:<22} {seconds:7.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES", "1 10"), help='e.g. "1 10"')
    args = parser.parse_args()
    batch_size = os.environ.setdefault("WIREHOUSE_BATCH_SIZE", "64")
    n_process = os.environ.setdefault("WIREHOUSE_N_PROCESS", "2")
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus} (expected ../shared/corpora/bbc beside the checkout)")
    print(f"corpus {args.corpus}, batch_size {batch_size}, n_process {n_process}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="wirehouse-bench-") as scratch:
        for scale in (int(value) for value in args.scales.split()):
            corpus = (
                args.corpus if scale == 1 else scaled_corpus(args.corpus, Path(scratch) / f"x{scale}", scale)
            )
            bare = measure(BARE_SPACY, str(corpus), batch_size, n_process)
            print(f"\n== {scale}x corpus: {bare['articles']} articles, {bare['tokens']} tokens")
            rate = bare["articles"] / bare["seconds"]
            print(
                f"bare spaCy nlp.pipe: {bare['seconds']:.1f} s, {rate:.1f} articles/s, "
                f"{bare['tokens'] / bare['seconds']:.0f} tokens/s, peak RSS {bare['peak_rss_mb']:.0f} MB"
            )
            warehouse = Path(scratch) / f"warehouse-x{scale}"
            report_pipeline(
                "wirehouse run (fresh warehouse)", measure(PIPELINE, str(corpus), str(warehouse)), bare
            )
            if scale == 1:
                report_pipeline(
                    "wirehouse run again (unchanged input)", measure(PIPELINE, str(corpus), str(warehouse))
                )
            print(f"  warehouse: {(warehouse / 'news.duckdb').stat().st_size / 1e6:.1f} MB")
            shutil.rmtree(warehouse, ignore_errors=True)


if __name__ == "__main__":
    main()
