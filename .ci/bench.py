"""`make bench`: the whole pipeline against bare spaCy on the BBC corpus, and how it grows.

One run reports: the machine (cores available, load before each measurement); bare `nlp.pipe` over the corpus
texts (the stock model, the pipeline's batch size) with two processes, the reference, and with one; `wirehouse
run` into a fresh warehouse with the defaults a user gets (no WIREHOUSE_N_PROCESS: the machine's choice) and
with each process count of BENCH_PROCESSES (1x only); the ratio of each to bare spaCy; an unchanged re-run as
a whole `wirehouse run` process (interpreter start included); and the same at each scale of BENCH_SCALES
(the corpus repeated with small edits, default "1 10").

The acceptance ratio (defaults against bare spaCy with two processes) is taken at 1x over BENCH_ROUNDS rounds
(default 2), interleaved so that neither side always runs first (bare then pipeline, pipeline then bare, ...),
and is the median of the pipeline's runs over the median of bare spaCy's: bare spaCy alone varied from 98 s to
120 s between runs on this machine, more than the difference measured. Larger scales run one round each.

Every measurement runs in its own process, whose whole tree (spaCy's or our parse workers, Dagster's log
tailers) is sampled every 0.2 s from /proc: the peak of the summed RSS, when it happened (seconds in, and the
pipeline stage then running), and what each process held at that moment.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bbc"
PROJECT = Path(__file__).resolve().parents[1]
WIREHOUSE = str(Path(sys.executable).with_name("wirehouse"))

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
import json, logging, sys, time
from pathlib import Path
from pipeline import progress
from pipeline.orchestrate import run_pipeline
from pipeline.settings import Settings

class Stages(logging.Handler):  # each stage's start, for the bench to name the moment of the peak
    def emit(self, record):
        if getattr(record, "done", None) is None:
            print(json.dumps({"stage": record.stage, "at": record.created}), file=sys.stderr, flush=True)

progress.logger.addHandler(Stages())
progress.logger.setLevel(logging.INFO)
logging.getLogger("pipeline.nlp.workers").addHandler(logging.StreamHandler())
logging.getLogger("pipeline.nlp.workers").setLevel(logging.INFO)
settings = Settings.from_env(input_dir=Path(sys.argv[1]), warehouse_dir=Path(sys.argv[2]))
start = time.perf_counter()
outcome = run_pipeline(settings)
seconds = time.perf_counter() - start
steps = {e.step_key: e.event_specific_data.duration_ms / 1000 for e in outcome.result.all_events
         if e.event_type_value == "STEP_SUCCESS"}
# one materialization per landing batch, each with the step's count
parsed = [e.event_specific_data.materialization.metadata for e in outcome.result.all_events
          if e.event_type_value == "ASSET_MATERIALIZATION"
          and e.event_specific_data.materialization.asset_key.to_user_string() == "parsed_quotes"]
print(json.dumps({"seconds": seconds, "success": outcome.success, "reason": outcome.reason, "steps": steps,
                  "articles_parsed": parsed[0]["articles_parsed"].value if parsed else None}))
"""


def cores() -> int:
    return len(os.sched_getaffinity(0))


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def process_tree(pid: int) -> list[tuple[int, int, str]]:
    """(pid, RSS in kB, role) of a process and all its descendants, from /proc."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            found.append((current, rss, role(current, pid)))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return found


def role(pid: int, root: int) -> str:
    if pid == root:
        return "main"
    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    if "multiprocessing.spawn" in command or "multiprocessing.forkserver" in command:
        return "worker"
    if "resource_tracker" in command:
        return "resource tracker"
    if command == Path(f"/proc/{root}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
        return "worker"  # forked (spaCy's own n_process)
    if command.startswith("tail "):
        return "dagster log tail"
    return command.split(" ")[0].rsplit("/", 1)[-1] or "other"


def measure(command: list[str], env: dict[str, str] | None = None) -> dict:
    """Run a measurement in its own process; add its wall time and its tree's peak RSS, with the moment
    (seconds in, stage then running) and each process's share at that moment."""
    started_load = load()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=PROJECT
    )
    peak: dict = {"kb": 0, "at": 0.0, "processes": []}
    done = threading.Event()
    start = time.time()

    def sample() -> None:
        while not done.is_set():
            tree = process_tree(process.pid)
            total = sum(rss for _, rss, _ in tree)
            if total > peak["kb"]:
                peak.update(kb=total, at=time.time() - start, processes=tree)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.time() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(
            f"measurement failed (exit {process.returncode}): {' '.join(command)}\n{err[-3000:]}"
        )
    stages = [json.loads(line) for line in err.splitlines() if line.startswith('{"stage"')]
    running = [s["stage"] for s in stages if s["at"] - start <= peak["at"]]
    lines = out.strip().splitlines()
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {"stdout": out.strip()}
    result.update(
        process_seconds=seconds,
        peak_rss_mb=peak["kb"] / 1024,
        peak_at=peak["at"],
        peak_stage=running[-1] if running else ("start-up" if stages else ""),
        peak_processes=sorted(((r, kb / 1024) for _, kb, r in peak["processes"]), key=lambda p: -p[1]),
        load=started_load,
        stderr=err,
    )
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


def peak_line(run: dict) -> str:
    shares = ", ".join(f"{name} {mb:.0f}" for name, mb in run["peak_processes"] if mb >= 20)
    moment = f"at {run['peak_at']:.0f} s" + (f" ({run['peak_stage']})" if run["peak_stage"] else "")
    return f"peak tree RSS {run['peak_rss_mb']:.0f} MB {moment}: {shares} MB"


def bare(corpus: Path, batch_size: str, processes: int, env: dict[str, str]) -> dict:
    run = measure([sys.executable, "-c", BARE_SPACY, str(corpus), batch_size, str(processes)], env)
    print(
        f"bare spaCy nlp.pipe, {processes} process(es): {run['seconds']:.1f} s, "
        f"{run['articles'] / run['seconds']:.1f} articles/s, {run['tokens'] / run['seconds']:.0f} tokens/s "
        f"[load {run['load']}]\n  {peak_line(run)}"
    )
    return run


def pipeline(label: str, corpus: Path, warehouse: Path, env: dict[str, str], reference: dict) -> dict:
    shutil.rmtree(warehouse, ignore_errors=True)
    run = measure([sys.executable, "-c", PIPELINE, str(corpus), str(warehouse)], env)
    chosen = ""
    if "WIREHOUSE_N_PROCESS" not in env:  # what the defaults chose, by the pipeline's own function
        from pipeline.nlp.workers import WORKER_BYTES, choose_workers, cores_available, memory_available

        articles, available, batch = (
            reference["articles"],
            memory_available(),
            int(env["WIREHOUSE_BATCH_SIZE"]),
        )
        chosen = (
            f"the defaults' choice: {choose_workers(cores_available(), available, articles, batch)} parse "
            f"process(es) for {articles} articles ({cores_available()} cores, {available / 1024**3:.1f} GB "
            f"available now, {WORKER_BYTES / 1024**3:.1f} GB a worker)"
        )
    print(
        f"\nwirehouse run, fresh warehouse, {label}: {run['seconds']:.1f} s wall "
        f"({run['process_seconds']:.1f} s whole process), articles parsed {run['articles_parsed']}, "
        f"ratio to bare spaCy with {reference['processes']} processes = "
        f"{run['seconds'] / reference['seconds']:.2f}"
        + ("" if run["success"] else f", FAILED: {run['reason']}")
        + f" [load {run['load']}]\n  {peak_line(run)}"
        + (f"\n  {chosen.strip()}" if chosen else "")
    )
    for step, seconds in sorted(run["steps"].items(), key=lambda item: -item[1])[:8]:
        print(f"    {step:<36} {seconds:7.2f} s")
    return run


def rerun(corpus: Path, warehouse: Path, env: dict[str, str]) -> dict:
    """The unchanged re-run as users run it: the whole `wirehouse run` process."""
    run = measure([WIREHOUSE, "run", "--input", str(corpus), "--warehouse", str(warehouse)], env)
    said = run.get("stdout", "")
    print(
        f"\nwirehouse run again, unchanged input (whole process): {run['process_seconds']:.2f} s, "
        f"peak tree RSS {run['peak_rss_mb']:.0f} MB: {said!r} [load {run['load']}]"
    )
    return run


def interleaved(
    corpus: Path, warehouse: Path, batch_size: str, env: dict[str, str], rounds: int
) -> tuple[list[dict], list[dict]]:
    """Bare spaCy (2 processes) and the defaults, `rounds` times, alternating which goes first (ABBA...), so
    that a drift of the machine's speed does not favour either; the last pipeline run's warehouse is kept."""
    bares: list[dict] = []
    defaults: list[dict] = []
    for number in range(rounds):
        print(f"\n-- round {number + 1} of {rounds}")
        if number % 2 == 0:
            bares.append(bare(corpus, batch_size, 2, env) | {"processes": 2})
        defaults.append(pipeline("defaults (WIREHOUSE_N_PROCESS unset)", corpus, warehouse, env, bares[-1]))
        if number % 2 == 1:
            bares.append(bare(corpus, batch_size, 2, env) | {"processes": 2})
    print(f"  {bares[0]['articles']} distinct articles, {bares[0]['tokens']} tokens")
    return bares, defaults


def acceptance(scale: int, bares: list[dict], defaults: list[dict]) -> str:
    """The defaults against bare spaCy with 2 processes: medians, each round, the peaks; printed, returned."""
    reference, default = median_run(bares), median_run(defaults)
    rounds = ""
    if len(bares) > 1:
        pairs = zip(defaults, bares, strict=True)
        each = ", ".join(f"{d['seconds']:.1f}/{b['seconds']:.1f}" for d, b in pairs)
        rounds = f" (medians of {len(bares)} interleaved rounds; pipeline/bare per round {each})"
    line = (
        f"{scale}x: defaults {default['seconds']:.1f} s / bare spaCy 2 processes "
        f"{reference['seconds']:.1f} s = ratio {default['seconds'] / reference['seconds']:.2f}{rounds}; "
        f"peak tree RSS {max(d['peak_rss_mb'] for d in defaults):.0f} MB "
        f"(bare {max(b['peak_rss_mb'] for b in bares):.0f} MB) "
        f"[load {', '.join(d['load'] for d in defaults)}]"
    )
    print(f"\n{line}")
    return line


def median_run(runs: list[dict]) -> dict:
    """The first run, with the median of every run's wall time as its `seconds` (the ratio's terms)."""
    return runs[0] | {"seconds": statistics.median(run["seconds"] for run in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES", "1 10"), help='e.g. "1 10"')
    parser.add_argument(
        "--processes",
        default=os.environ.get("BENCH_PROCESSES", "1 2"),
        help='process counts for bare spaCy and WIREHOUSE_N_PROCESS at 1x, e.g. "1 2" ("" for none)',
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=int(os.environ.get("BENCH_ROUNDS", "2")),
        help="interleaved rounds of bare spaCy (2 processes) and the defaults at 1x, medians compared",
    )
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus} (expected ../shared/corpora/bbc beside the checkout)")
    batch_size = os.environ.get("WIREHOUSE_BATCH_SIZE", "64")
    counts = [int(value) for value in args.processes.split()]
    summary: list[str] = []
    with tempfile.TemporaryDirectory(prefix="wirehouse-bench-") as scratch:
        env = {
            key: value for key, value in os.environ.items() if key != "WIREHOUSE_N_PROCESS"
        }  # defaults: the machine's choice
        env.update(WIREHOUSE_BATCH_SIZE=batch_size, DAGSTER_HOME=str(Path(scratch) / "dagster"))
        print(
            f"corpus {args.corpus}, batch_size {batch_size}, {cores()} cores available "
            f"(os.sched_getaffinity), load {load()}"
        )
        for scale in (int(value) for value in args.scales.split()):
            corpus = (
                args.corpus if scale == 1 else scaled_corpus(args.corpus, Path(scratch) / f"x{scale}", scale)
            )
            print(f"\n== {scale}x corpus")
            warehouse = Path(scratch) / f"warehouse-x{scale}"
            rounds = args.rounds if scale == 1 else 1
            bares, defaults = interleaved(corpus, warehouse, batch_size, env, rounds)
            reference = median_run(bares)
            summary.append(acceptance(scale, bares, defaults))
            if scale == 1:
                again = rerun(corpus, warehouse, env)
                summary.append(
                    f"1x: unchanged re-run, whole process {again['process_seconds']:.2f} s "
                    f"({again.get('stdout', '')!r}) [load {again['load']}]"
                )
                for count in counts:
                    same = (
                        reference
                        if count == 2
                        else bare(corpus, batch_size, count, env) | {"processes": count}
                    )
                    run = pipeline(
                        f"WIREHOUSE_N_PROCESS={count}",
                        corpus,
                        warehouse,
                        {**env, "WIREHOUSE_N_PROCESS": str(count)},
                        same,
                    )
                    summary.append(
                        f"1x: {count} process(es): pipeline {run['seconds']:.1f} s / bare spaCy "
                        f"{same['seconds']:.1f} s = {run['seconds'] / same['seconds']:.2f} "
                        f"(to bare with 2 processes {run['seconds'] / reference['seconds']:.2f}); "
                        f"peak {run['peak_rss_mb']:.0f} MB "
                        f"[load {run['load']}]"
                    )
            shutil.rmtree(warehouse, ignore_errors=True)
            if scale != 1:
                shutil.rmtree(corpus, ignore_errors=True)
    print(f"\n== summary ({cores()} cores available)")
    for line in summary:
        print(f"  {line}")


if __name__ == "__main__":
    main()
