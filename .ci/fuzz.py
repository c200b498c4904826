"""`make fuzz`: the cleaning and quote properties of tests/test_properties.py, run for a fixed wall time.

Each target is one property test of tests/test_properties.py (its check and its hypothesis strategies:
news-like text with quotes, captions, timestamps, NBSP, CR/CRLF, controls, combining marks, RTL, emoji,
very long lines, and plain random Unicode). The time (FUZZ_SECONDS or --seconds, default 300) is shared
among the targets; each target runs in chunks, every chunk with a new random seed, until its share is used
up. Every distinct failure is printed once with its minimal example, the `@reproduce_failure` line to paste
on the named test, and the command that replays its chunk; the exit status is 1 when any property failed.
The spaCy model is loaded once (pipeline.nlp.model.load_model).

    .venv/bin/python .ci/fuzz.py                       # all targets, FUZZ_SECONDS or 300 s
    .venv/bin/python .ci/fuzz.py --seconds 60 --target quotes_news
    .venv/bin/python .ci/fuzz.py --target clean_news --seed 123 --examples 400    # replay one chunk
"""

from __future__ import annotations

import argparse
import ast
import functools
import os
import random
import reprlib
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# the project root first on the path: `tests` is imported as a package, as pytest does
sys.path.insert(0, str(ROOT))

import hypothesis  # noqa: E402
from hypothesis import HealthCheck, Phase, given, reproduce_failure, seed, settings  # noqa: E402

import tests.test_properties as props  # noqa: E402

FIRST_CHUNK = {False: 100, True: 10}  # examples in a target's first chunk, by whether it runs spaCy
MAX_CHUNK = 5_000
CHUNKS_PER_TARGET = 4  # at least this many seeds per target, so one unlucky seed does not decide it
# A cleaning example slower than this is a failure (a runaway regex); shrinking it stays cheap. spaCy
# examples have no deadline (shrinking a slow one would take hours): the summary shows the slowest instead.
DEADLINE_SECONDS = {False: 5.0, True: None}


@dataclass(frozen=True)
class Target:
    """A property test of tests/test_properties.py, re-run here with its own strategies."""

    name: str
    test: Callable[..., None]
    strategies: dict[str, Any]
    uses_nlp: bool
    share: int  # relative share of the time


TARGETS = (
    Target(
        "clean_lines", props.test_cleaning_never_raises_and_never_loses_a_line, props.LINES_OF_TEXT, False, 1
    ),
    Target("clean_news", props.test_cleaning_news_articles_never_loses_a_line, props.NEWS_ARTICLE, False, 2),
    Target(
        "clean_batch_lines", props.test_cleaning_a_batch_never_loses_a_line, props.BATCH_OF_LINES, False, 1
    ),
    Target(
        "clean_batch_news",
        props.test_cleaning_a_batch_of_news_never_loses_a_line,
        props.BATCH_OF_NEWS,
        False,
        2,
    ),
    Target("quotes_odd_text", props.test_quotes_in_odd_text_index_the_body, props.QUOTED_TEXT, True, 2),
    Target("quotes_news", props.test_quotes_in_news_bodies_index_the_body, props.NEWS_BODY, True, 3),
    Target(
        "article_path", props.test_decoded_and_cleaned_articles_extract_cleanly, props.NEWS_ARTICLE, True, 3
    ),
    Target(
        "extract_unicode", props.test_extraction_on_arbitrary_unicode_never_raises, props.ANY_TEXT, True, 1
    ),
    Target("canonical", props.test_canonical_entities_keep_every_quote, props.CORPUS, True, 2),
)


@dataclass(frozen=True)
class Chunk:
    """One hypothesis run: a target, a seed and a number of examples (enough to replay it)."""

    target: Target
    seed: int
    examples: int  # max_examples: hypothesis draws differently for other values, so a replay needs it
    stop_at: float = float("inf")  # time.monotonic() after which no new example starts
    blob: bytes | None = None  # a @reproduce_failure blob to replay instead of generating


@dataclass
class Finding:
    """A distinct failure: where it was raised, the first report of it, and every chunk that hit it."""

    target: str
    key: str
    report: str
    chunks: list[Chunk] = field(default_factory=list)


@dataclass
class Tally:
    """What a target (or one chunk) ran: examples, chunks, time, failed chunks, the slowest example."""

    examples: int = 0
    chunks: int = 0
    seconds: float = 0.0
    failures: int = 0
    slowest: float = 0.0
    slowest_input: str = ""

    def add(self, other: Tally) -> None:
        self.examples += other.examples
        self.chunks += other.chunks
        self.seconds += other.seconds
        self.failures += other.failures
        if other.slowest > self.slowest:
            self.slowest, self.slowest_input = other.slowest, other.slowest_input

    def ran(self, seconds: float, arguments: dict[str, Any], passed: bool) -> None:
        """One example ran: keep it if it is the slowest, and whether it failed."""
        if seconds > self.slowest:
            self.slowest, self.slowest_input = seconds, describe(arguments)
        self.failures = max(self.failures, int(not passed))


def describe(arguments: dict[str, Any]) -> str:
    """A short account of an example: the size and start of each drawn text or list (not the model)."""
    drawn = {name: value for name, value in arguments.items() if isinstance(value, str | list)}
    return "; ".join(f"{name} ({len(value):,} long) {reprlib.repr(value)}" for name, value in drawn.items())


class TimeUp(BaseException):
    """Ends a chunk when its time is up: hypothesis stops on it without shrinking (it is no `Exception`)."""


# ------------------------------------------------------------------------------------------- one chunk


def fuzz_settings(chunk: Chunk) -> settings:
    """Fresh random data every chunk, no example database, full shrinking, the blob printed."""
    deadline = DEADLINE_SECONDS[chunk.target.uses_nlp]
    return settings(
        max_examples=chunk.examples,
        database=None,
        derandomize=False,
        deadline=None if deadline is None else deadline * 1000,
        phases=(Phase.generate, Phase.target, Phase.shrink, Phase.explain),
        print_blob=True,
        report_multiple_bugs=True,
        suppress_health_check=list(HealthCheck),
    )


def hypothesis_test(chunk: Chunk, tally: Tally) -> Callable[..., None]:
    """The target's property wrapped by `given` with the test's own strategies, so a blob printed here
    replays on the test in tests/test_properties.py. Examples are counted and timed in `tally`; once the
    chunk's time is up no new example starts, unless a failure is being shrunk."""
    inner = chunk.target.test.hypothesis.inner_test  # type: ignore[attr-defined]

    @functools.wraps(inner)
    def counted(*args: Any, **kwargs: Any) -> None:
        if not tally.failures and time.monotonic() > chunk.stop_at:
            raise TimeUp
        tally.examples += 1
        started, passed = time.monotonic(), False
        try:
            inner(*args, **kwargs)
            passed = True
        finally:  # one call for both outcomes, so hypothesis' explanation does not point at this wrapper
            tally.ran(time.monotonic() - started, kwargs, passed)

    test = fuzz_settings(chunk)(given(**chunk.target.strategies)(counted))
    if chunk.blob is not None:
        return reproduce_failure(hypothesis.__version__, chunk.blob)(test)
    return seed(chunk.seed)(test)


def run_chunk(chunk: Chunk, nlp: Any) -> tuple[Tally, BaseException | None]:
    """Run one chunk; (what it ran, the failure hypothesis raised or None)."""
    tally = Tally(chunks=1)
    test = hypothesis_test(chunk, tally)
    started = time.monotonic()
    failure: BaseException | None = None
    try:
        test(nlp) if chunk.target.uses_nlp else test()
    except TimeUp:
        pass
    except Exception as falsified:  # a falsified property, possibly several as an ExceptionGroup
        failure = falsified
    tally.seconds = time.monotonic() - started
    tally.failures = int(failure is not None)
    return tally, failure


# -------------------------------------------------------------------------------------------- findings


def leaf_failures(failure: BaseException) -> list[BaseException]:
    """The individual errors of a failure (hypothesis groups distinct bugs of one run)."""
    if isinstance(failure, BaseExceptionGroup):
        return [leaf for inner in failure.exceptions for leaf in leaf_failures(inner)]
    return [failure]


def failure_key(failure: BaseException) -> str:
    """Type and innermost project frame: the same bug found again by another seed has the same key."""
    frames = [
        f
        for f in traceback.extract_tb(failure.__traceback__)
        if f.filename.startswith(str(ROOT / "pipeline"))
    ] or [f for f in traceback.extract_tb(failure.__traceback__) if f.filename.startswith(str(ROOT))]
    where = f"{Path(frames[-1].filename).relative_to(ROOT)}:{frames[-1].lineno}" if frames else "?"
    return f"{type(failure).__name__} at {where}"


def record(findings: dict[str, Finding], chunk: Chunk, failure: BaseException) -> list[Finding]:
    """Add a chunk's failure to the findings; return the findings seen for the first time."""
    new = []
    for leaf in leaf_failures(failure):
        key = f"{chunk.target.name}: {failure_key(leaf)}"
        if key not in findings:
            report = "".join(
                traceback.format_exception(failure if len(leaf_failures(failure)) == 1 else leaf)
            )
            findings[key] = Finding(chunk.target.name, key, report)
            new.append(findings[key])
        findings[key].chunks.append(chunk)
    return new


def replay_command(chunk: Chunk) -> str:
    where = f"--target {chunk.target.name} --seed {chunk.seed} --examples {chunk.examples}"
    return f".venv/bin/python .ci/fuzz.py {where}"


def print_finding(finding: Finding) -> None:
    chunk = finding.chunks[0]
    test = chunk.target.test.__name__
    print(f"\n=== FAILURE {finding.key}", flush=True)
    print(finding.report.rstrip())
    print(
        f"--- to replay: the @reproduce_failure line above on tests/test_properties.py::{test}, or the chunk:"
    )
    print(f"    {replay_command(chunk)}\n", flush=True)


# ------------------------------------------------------------------------------------------ the budget


def next_chunk(target: Target, tally: Tally, stop_at: float, rng: random.Random) -> Chunk:
    """A new seed and as many examples as should fit in the chunk's time, from the rate measured so far
    (the time limit still ends the chunk if examples turn out slower)."""
    if tally.examples == 0:
        examples = FIRST_CHUNK[target.uses_nlp]
    else:
        seconds = stop_at - time.monotonic()
        examples = max(1, min(MAX_CHUNK, int(seconds * tally.examples / tally.seconds)))
    return Chunk(target, rng.randrange(2**32), examples, stop_at)


def fuzz_target(
    target: Target, seconds: float, nlp: Any, findings: dict[str, Finding], rng: random.Random
) -> Tally:
    """Run chunks with new seeds until the target's time is used up."""
    tally = Tally()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        stop_at = min(end, time.monotonic() + seconds / CHUNKS_PER_TARGET)
        chunk = next_chunk(target, tally, stop_at, rng)
        ran, failure = run_chunk(chunk, nlp)
        tally.add(ran)
        if failure is not None:
            for finding in record(findings, chunk, failure):
                print_finding(finding)
    return tally


def shares(targets: list[Target], seconds: float) -> dict[str, float]:
    total = sum(t.share for t in targets)
    return {t.name: seconds * t.share / total for t in targets}


def load_nlp(targets: list[Target]) -> Any:
    if not any(t.uses_nlp for t in targets):
        return None
    from pipeline.nlp.model import load_model

    return load_model()


# ------------------------------------------------------------------------------------------------- CLI


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("FUZZ_SECONDS", "300")), help="total wall time"
    )
    parser.add_argument(
        "--target", action="append", choices=[t.name for t in TARGETS], help="only these targets (repeatable)"
    )
    parser.add_argument("--seed", type=int, help="replay one chunk: its seed (printed with each failure)")
    parser.add_argument("--examples", type=int, default=100, help="replay one chunk: its number of examples")
    parser.add_argument("--reproduce", help="replay a @reproduce_failure blob, e.g. \"b'AEFlgXo='\"")
    args = parser.parse_args(argv)
    if (args.seed is not None or args.reproduce) and len(args.target or []) != 1:
        parser.error("--seed and --reproduce replay one target: give exactly one --target")
    return args


def replay(target: Target, args: argparse.Namespace) -> int:
    """Run one chunk exactly as a failure reported it."""
    blob = ast.literal_eval(args.reproduce) if args.reproduce else None
    chunk = Chunk(target, args.seed or 0, args.examples, blob=blob)
    ran, failure = run_chunk(chunk, load_nlp([target]))
    print(f"{target.name}: {ran.examples} examples, {'FAILED' if failure else 'passed'}")
    if failure is not None:
        print("".join(traceback.format_exception(failure)))
    return 1 if failure else 0


ROW = "  {:<18} {:<52} {:>9} {:>6} {:>7} {:>7} {:>6}"


def print_summary(tallies: dict[str, Tally], findings: dict[str, Finding], seconds: float) -> None:
    print(f"\nfuzzing summary ({seconds:.0f} s, hypothesis {hypothesis.__version__})")
    print(ROW.format("target", "test", "examples", "chunks", "seconds", "slowest", "failed"))
    for target in TARGETS:
        if (t := tallies.get(target.name)) is not None:
            cells = (t.examples, t.chunks, f"{t.seconds:.0f}", f"{t.slowest:.2f}", t.failures)
            print(ROW.format(target.name, target.test.__name__, *cells))
    for target in TARGETS:
        if (t := tallies.get(target.name)) is not None and t.slowest_input:
            print(f"  slowest {target.name} example ({t.slowest:.2f} s): {t.slowest_input}")
    for finding in findings.values():
        seeds = ", ".join(str(c.seed) for c in finding.chunks[:5])
        print(f"  FAILED {finding.key} ({len(finding.chunks)} chunks; seeds {seeds})")
    print("  no property failed" if not findings else f"  {len(findings)} distinct failures")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    targets = [t for t in TARGETS if not args.target or t.name in args.target]
    if args.seed is not None or args.reproduce:
        return replay(targets[0], args)
    started = time.monotonic()
    nlp = load_nlp(targets)
    budget = shares(targets, max(0.0, args.seconds - (time.monotonic() - started)))
    rng = random.Random()
    findings: dict[str, Finding] = {}
    tallies: dict[str, Tally] = {}
    for target in targets:
        print(f"fuzzing {target.name} for {budget[target.name]:.0f} s ...", flush=True)
        tallies[target.name] = fuzz_target(target, budget[target.name], nlp, findings, rng)
    print_summary(tallies, findings, time.monotonic() - started)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
