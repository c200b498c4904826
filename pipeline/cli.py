"""`wirehouse`: run the pipeline and inspect the warehouse from a shell."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from pipeline.settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except SettingsError as error:  # a malformed WIREHOUSE_* setting: one line, never a traceback
        print(f"wirehouse: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `wirehouse models | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wirehouse", description="Raw news text in, versioned dataset out.")
    parser.add_argument(
        "--version", action=_VersionAction, help="print the package version and the code's fingerprint"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="process every *.txt below --input and publish a new version")
    run.add_argument("--input", type=Path, help="input folder (default: seeds/articles)")
    run.add_argument("--warehouse", type=Path, help="warehouse folder (default: warehouse)")
    run.add_argument("--verbose", action="store_true", help="show Dagster's step logs")
    run.set_defaults(handler=_run)

    versions = commands.add_parser("versions", help="list the published versions")
    versions.add_argument("--warehouse", type=Path, help="warehouse folder (default: warehouse)")
    versions.set_defaults(handler=_versions)

    export = commands.add_parser("export", help="write the tables of one version as Parquet")
    export.add_argument("--version", type=int, required=True, help="the version to export")
    export.add_argument(
        "--out", type=Path, help="folder to write to (default: <warehouse>/exports/version=N)"
    )
    export.add_argument("--warehouse", type=Path, help="warehouse folder (default: warehouse)")
    export.set_defaults(handler=_export)

    sql = commands.add_parser(
        "sql",
        help="query the published warehouse (read-only); with no query, open the interactive client",
        description="Print a query's result with DuckDB's own renderer, on the published warehouse opened "
        "read-only (a run never waits for you). With neither QUERY nor -f, open harlequin, a terminal SQL "
        "client, read-only on the same file.",
    )
    sql.add_argument("query", nargs="?", help='e.g. "SELECT speaker, count(*) FROM quotes GROUP BY ALL"')
    sql.add_argument(
        "-f", "--file", type=Path, help="read the SQL from this file (its last statement is printed)"
    )
    sql.add_argument(
        "--format", choices=SQL_FORMATS, default="table", help="table (default), csv (with a header) or json"
    )
    sql.add_argument("--warehouse", type=Path, help="warehouse folder (default: warehouse)")
    sql.add_argument(
        "--database",
        type=Path,
        help="another DuckDB file to open read-only, e.g. a failed batch in <warehouse>/staging/",
    )
    sql.add_argument("--limit", type=int, default=40, help="table format: rows to show at most (default 40)")
    sql.set_defaults(handler=_sql)

    models = commands.add_parser("models", help="list the SQL models in dbt_like_sql/ and their dependencies")
    models.set_defaults(handler=_models)

    report = commands.add_parser(
        "report", help="write a self-contained HTML report of a version (charts and their numbers)"
    )
    report.add_argument("--version", type=int, help="the version to show (default: the current one)")
    report.add_argument("--warehouse", type=Path, help="warehouse folder (default: warehouse)")
    report.add_argument(
        "--out", type=Path, help="file to write (default: <warehouse>/reports/version-N.html)"
    )
    report.set_defaults(handler=_report)
    return parser


class _VersionAction(argparse.Action):
    """`wirehouse --version`: computed only when asked (the fingerprint reads the code)."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(version_line())
        parser.exit()


def version_line() -> str:
    """`wirehouse 0.1.0 (code 1a2b...)`: the code fingerprint is what `versions.code_version` records."""
    from importlib.metadata import version

    from pipeline.storage.cache import code_fingerprint

    return f"wirehouse {version('wirehouse')} (code {code_fingerprint()})"


def _run(args: argparse.Namespace) -> int:
    settings = Settings.from_env(input_dir=args.input, warehouse_dir=args.warehouse)
    if (unchanged := _unchanged_version(settings)) is not None:  # decided before Dagster is imported
        print(f"nothing changed: version {unchanged} is current")
        return 0
    from pipeline.orchestrate import run_pipeline
    from pipeline.quality.suites import SuiteFileError
    from pipeline.storage.sql_models import ModelError

    before = _current_version(settings)
    try:
        with progress_shown(sys.stderr):
            outcome = run_pipeline(settings, verbose=args.verbose)
    except (SuiteFileError, ModelError) as error:  # the definitions themselves cannot be built
        print(f"wirehouse run: nothing published: {error}", file=sys.stderr)
        return 2
    if not outcome.success:
        print(f"wirehouse run: {outcome.reason}", file=sys.stderr)
        return 1
    current = _current_version(settings)
    if before is not None and current == before:  # publish made no version: the input is unchanged
        print(f"nothing changed: version {current} is current")
        return 0
    print(outcome.summary)
    return 0


def _unchanged_version(settings: Settings) -> int | None:
    """The current version when the input files, code and settings are those of the last run (issue 18)."""
    from pipeline.rerun import STAMP_FILE, RunStamp

    started = time.perf_counter()
    stamp = RunStamp.take(settings)
    current = stamp.unchanged()
    if current is not None:
        print(
            f"wirehouse run: the {stamp.files} input file(s), the code and the settings are those of the run "
            f"that left version {current} (checked in {time.perf_counter() - started:.1f} s); nothing to run "
            f"(delete {settings.warehouse_dir / STAMP_FILE} to run anyway)",
            file=sys.stderr,
        )
    return current


@contextlib.contextmanager
def progress_shown(stream: TextIO) -> Iterator[None]:
    """The run's progress records (`pipeline.progress`) on `stream`: on a terminal, a line per stage and a
    rich progress bar for counts (`articles parsed n/N`, rate, time left); otherwise one log line per stage
    and per parse checkpoint. Our own warnings go through the same console meanwhile."""
    from pipeline import progress

    view: logging.Handler = _TerminalView(stream) if stream.isatty() else _LineView(stream)
    progress.logger.addHandler(view)
    progress.logger.setLevel(logging.INFO)
    root = logging.getLogger()
    warnings_view = view.warnings_handler() if isinstance(view, _TerminalView) else None
    if warnings_view is not None:
        root.addHandler(warnings_view)
    try:
        with view if isinstance(view, _TerminalView) else contextlib.nullcontext():
            yield
    finally:
        progress.logger.removeHandler(view)
        if warnings_view is not None:
            root.removeHandler(warnings_view)


class _LineView(logging.Handler):
    """Without a terminal: `HH:MM:SS stage`, and `HH:MM:SS articles parsed n/N (r/s, about t left)` at each
    parse checkpoint (every CHECKPOINT_ARTICLES articles, as the parse caches them) and at the end."""

    def __init__(self, stream: TextIO) -> None:
        from pipeline.assets.nlp import CHECKPOINT_ARTICLES

        super().__init__()
        self.stream = stream
        self.every = CHECKPOINT_ARTICLES
        self.started: dict[str, float] = {}
        self.shown: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        stage = getattr(record, "stage", "")
        now = record.created
        done = getattr(record, "done", None)
        if done is None:
            self.started[stage] = now
            self._write(now, stage)
            return
        total = record.total  # type: ignore[attr-defined]
        if done // self.every == self.shown.get(stage, 0) // self.every and done < total:
            return
        self.shown[stage] = done
        elapsed = now - self.started.get(stage, now)
        rate = done / elapsed if elapsed > 0 else 0.0
        left = f", about {_duration((total - done) / rate)} left" if rate and done < total else ""
        self._write(now, f"{record.unit} {done}/{total} ({rate:.1f}/s{left})")  # type: ignore[attr-defined]

    def _write(self, created: float, text: str) -> None:
        self.stream.write(f"{time.strftime('%H:%M:%S', time.localtime(created))} {text}\n")
        self.stream.flush()


class _TerminalView(logging.Handler):
    """On a terminal: a line per stage above a live rich progress bar for each count."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        super().__init__()
        self.console = Console(file=stream, log_path=False)
        self.bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            TextColumn("left"),
            console=self.console,
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> _TerminalView:
        self.bars.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.bars.stop()

    def warnings_handler(self) -> logging.Handler:
        from rich.logging import RichHandler

        handler = RichHandler(console=self.console, show_path=False, level=logging.WARNING)
        handler.setLevel(logging.WARNING)
        return handler

    def emit(self, record: logging.LogRecord) -> None:
        stage = getattr(record, "stage", "")
        done = getattr(record, "done", None)
        if done is None:
            self.console.log(stage)
            return
        total = record.total  # type: ignore[attr-defined]
        if stage not in self.tasks:
            self.tasks[stage] = self.bars.add_task(record.unit, total=total, rate="")  # type: ignore[attr-defined]
        task = self.tasks[stage]
        self.bars.update(task, completed=done, total=total)
        speed = next(shown.speed for shown in self.bars.tasks if shown.id == task)
        self.bars.update(task, rate=f"{speed:.1f}/s" if speed else "")


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def _current_version(settings: Settings) -> int | None:
    from pipeline.storage.warehouse import list_versions

    versions = list_versions(settings.database_path)
    return None if versions.is_empty() else int(versions["version"].max())


def _versions(args: argparse.Namespace) -> int:
    from pipeline.storage.warehouse import list_versions

    settings = Settings.from_env(warehouse_dir=args.warehouse)
    versions = list_versions(settings.database_path)
    if versions.is_empty():
        print(f"no versions published in {settings.warehouse_dir}")
        _print_failed_batches(settings)
        return 0
    headers = ["version", "published_at (UTC)", "status", "validation", "rows", "run_id"]
    rows = [
        [
            str(row["version"]),
            row["published_at"].strftime("%Y-%m-%d %H:%M:%S"),
            row["status"],
            row["validation"] or "",
            _compact_counts(row["row_counts"]),
            row["run_id"],
        ]
        for row in versions.iter_rows(named=True)
    ]
    print(format_table(headers, rows))
    _print_failed_batches(settings)
    return 0


def _print_failed_batches(settings: Settings) -> None:
    from pipeline.storage.staging import failed_batches

    batches = failed_batches(settings.warehouse_dir)
    if batches:
        print(f"\n{len(batches)} failed or interrupted batch(es) kept for inspection (never published):")
        for path in batches:
            print(f"  {path}")


def _export(args: argparse.Namespace) -> int:
    from pipeline.storage.exports import export_version
    from pipeline.storage.warehouse import WarehouseError

    settings = Settings.from_env(warehouse_dir=args.warehouse)
    out = args.out or settings.exports_dir / f"version={args.version}"
    try:
        written = export_version(settings.database_path, args.version, out)
    except (WarehouseError, FileNotFoundError) as error:
        print(f"wirehouse export: {error}", file=sys.stderr)
        return 1
    for table, path in written.items():
        print(f"{table:<18} {path}")
    return 0


SQL_FORMATS = ("table", "csv", "json")


def _sql(args: argparse.Namespace) -> int:
    settings = Settings.from_env(warehouse_dir=args.warehouse)
    database = args.database or settings.database_path
    if args.query is not None and args.file is not None:
        print("wirehouse sql: give a query or -f FILE, not both", file=sys.stderr)
        return 2
    if args.file is not None:
        try:
            query = args.file.read_text(encoding="utf-8")
        except OSError as error:
            print(f"wirehouse sql: cannot read {args.file}: {error.strerror}", file=sys.stderr)
            return 2
    elif args.query is not None:
        query = args.query
    else:
        return _interactive(database)
    from pipeline.storage.query import QueryError, print_query

    try:
        print_query(database, query, args.format, max_rows=args.limit)
    except (QueryError, FileNotFoundError) as error:
        print(f"wirehouse sql: {error}", file=sys.stderr)
        return 1
    return 0


def _interactive(database: Path) -> int:
    """harlequin, read-only on the published file: a run publishes a new copy beside it and swaps it in,
    so an open client never blocks a run (it keeps the version it opened; reopen to see a newer one)."""
    import shutil

    if not database.exists():
        print(f"wirehouse sql: no warehouse at {database}: run `wirehouse run` first", file=sys.stderr)
        return 1
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            'wirehouse sql: no query given: pass one ("SELECT ..."), or -f FILE.sql; the interactive client '
            "needs a terminal",
            file=sys.stderr,
        )
        return 2
    harlequin = Path(sys.executable).parent / "harlequin"
    command = str(harlequin) if harlequin.exists() else shutil.which("harlequin")
    if command is None:
        print("wirehouse sql: harlequin is not installed in this environment (`make setup`)", file=sys.stderr)
        return 1
    os.execv(command, [command, "--read-only", str(database)])
    return 0  # not reached: harlequin replaces this process


def _models(args: argparse.Namespace) -> int:
    from pipeline.storage.schema import TABLE_NAMES
    from pipeline.storage.sql_models import ModelError, discover_models

    settings = Settings.from_env()
    try:
        models = discover_models(settings.models_dir, TABLE_NAMES)
    except ModelError as error:
        print(f"wirehouse models: {error}", file=sys.stderr)
        return 1
    rows = [
        [
            model.name,
            model.group,
            model.materialized,
            ", ".join(model.depends_on + model.sources),
            str(len(model.tests)),
            model.description,
        ]
        for model in models
    ]
    print(format_table(["model", "folder", "materialized", "depends on", "tests", "description"], rows))
    return 0


def _report(args: argparse.Namespace) -> int:
    from pipeline.report import write_report
    from pipeline.storage.sql_models import ModelError
    from pipeline.storage.warehouse import WarehouseError

    settings = Settings.from_env(warehouse_dir=args.warehouse)
    try:
        report = write_report(settings.database_path, settings.models_dir, args.out, args.version)
    except (WarehouseError, ModelError, FileNotFoundError) as error:
        print(f"wirehouse report: {error}", file=sys.stderr)
        return 1
    print(f"report of version {report.version}: {report.path}")
    return 0


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Plain aligned columns, one line per row: readable in any terminal and easy to grep."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = [headers, ["-" * width for width in widths], *rows]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _compact_counts(row_counts: str) -> str:
    return " ".join(f"{name}={count}" for name, count in json.loads(row_counts).items())


if __name__ == "__main__":
    raise SystemExit(main())
