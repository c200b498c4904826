"""Great Expectations suites kept as JSON files in `expectations/`, run on Polars frames.

One file per table (`expectations/<table>.json`), in GX's own suite format so a data engineer can edit
it with the GX documentation at hand. An optional `expectations/<table>.sql` is the SELECT (over the staged
batch) whose result the suite validates: the table plus derived audit columns, such as whether a quote's
text is the body's slice at its offsets. GX has no Polars support: frames are validated as pandas.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl


class SuiteFileError(ValueError):
    """A suite file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Suite:
    table: str
    path: Path
    definition: dict[str, Any]
    audit_sql: str | None = None

    @property
    def expectation_count(self) -> int:
        return len(self.definition["expectations"])


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None
    detail: str

    def describe(self) -> str:
        where = f"({self.column})" if self.column else ""
        count = f", {self.unexpected_count} unexpected" if self.unexpected_count else ""
        return f"{self.expectation}{where}{count}{': ' + self.detail if self.detail else ''}"


@dataclass(frozen=True)
class SuiteResult:
    suite: Suite
    row_count: int
    outcomes: tuple[ExpectationOutcome, ...]
    reused: bool = False  # the outcome of an earlier validation of the same rows (see quality.remembered)

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.outcomes)

    @property
    def failures(self) -> tuple[ExpectationOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.success)

    def summary(self) -> str:
        """One line: what passed, or which expectations failed."""
        reused = " (result of an earlier validation of the same rows)" if self.reused else ""
        table = f"{self.suite.table}{reused}"
        if self.success:
            return f"{table}: {len(self.outcomes)} expectations passed on {self.row_count} rows"
        failed = "; ".join(outcome.describe() for outcome in self.failures)
        return f"{table}: {len(self.failures)}/{len(self.outcomes)} expectations failed: {failed}"


def load_suites(expectations_dir: Path) -> dict[str, Suite]:
    """Every `*.json` suite in the folder, keyed by the table it validates (the file's stem)."""
    return {path.stem: load_suite(path) for path in sorted(expectations_dir.glob("*.json"))}


def load_suite(path: Path) -> Suite:
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SuiteFileError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(definition, dict) or not isinstance(definition.get("expectations"), list):
        raise SuiteFileError(f"{path}: a suite is a JSON object with an 'expectations' list")
    for number, expectation in enumerate(definition["expectations"], start=1):
        if not isinstance(expectation, dict) or "type" not in expectation:
            raise SuiteFileError(f"{path}: expectation {number} has no 'type'")
    definition.setdefault("name", path.stem)
    audit_path = path.with_suffix(".sql")
    audit_sql = audit_path.read_text(encoding="utf-8") if audit_path.exists() else None
    return Suite(table=path.stem, path=path, definition=definition, audit_sql=audit_sql)


def preload_great_expectations() -> None:
    """Import GX (about six seconds) on a background thread, for a caller that is about to wait anyway."""
    if "great_expectations" not in sys.modules:
        threading.Thread(
            target=importlib.import_module, args=("great_expectations",), name="preload-gx", daemon=True
        ).start()


def validate(frame: pl.DataFrame, suite: Suite) -> SuiteResult:
    """Run the suite on the frame with Great Expectations and report each expectation's outcome."""
    import great_expectations as gx

    try:
        expectation_suite = gx.ExpectationSuite(
            **{**_without_ids(suite.definition), "name": f"{suite.table}_{uuid.uuid4().hex}"}
        )
    except Exception as error:  # GX raises several types for a bad suite
        raise SuiteFileError(f"{suite.path}: {error}") from error
    context = _context()
    source = context.data_sources.add_pandas(f"wirehouse_{suite.table}_{uuid.uuid4().hex}")
    batch = source.add_dataframe_asset(suite.table).add_batch_definition_whole_dataframe(suite.table)
    expectation_suite = context.suites.add(expectation_suite)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=source.name, data=batch, suite=expectation_suite)
    )
    try:
        run = definition.run(batch_parameters={"dataframe": frame.to_pandas()}, result_format="SUMMARY")
    finally:
        context.validation_definitions.delete(definition.name)
        context.suites.delete(expectation_suite.name)
        context.data_sources.delete(source.name)
    outcomes = tuple(_outcome(result) for result in run.results)
    return SuiteResult(suite=suite, row_count=frame.height, outcomes=outcomes)


def _outcome(result: Any) -> ExpectationOutcome:
    config = result.expectation_config
    details = result.result or {}
    error = (result.exception_info or {}).get("exception_message") if not result.success else None
    sample = details.get("partial_unexpected_list") or []
    detail = error or (f"e.g. {sample[:3]}" if sample else "")
    return ExpectationOutcome(
        expectation=config.type,
        column=config.kwargs.get("column"),
        success=bool(result.success),
        unexpected_count=details.get("unexpected_count"),
        detail=str(detail)[:300],
    )


def _without_ids(value: Any) -> Any:
    """Suites exported from GX carry `id` fields that it refuses on the way back in."""
    if isinstance(value, dict):
        return {key: _without_ids(item) for key, item in value.items() if key != "id"}
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    return value


@functools.lru_cache(maxsize=1)
def _context() -> Any:
    """An ephemeral GX context (a plain get_context() would pick up a stray gx/ folder)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context
