"""Audit, the middle step of write-audit-publish: the suites' results stored in the staged batch itself.

`audit_batch` runs every suite over the staged file and records each expectation's outcome, and whether its
suite blocks publication, in the batch's `audit_results` table. `publish` reads that table and refuses a
batch that was never audited or whose blocking audit failed, so the gate holds whoever calls it (the
Dagster checks report the same rows; they are not the gate).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipeline.quality.remembered import validate_remembered
from pipeline.quality.suites import ExpectationOutcome, Suite, SuiteFileError, SuiteResult
from pipeline.storage.connection import connect
from pipeline.storage.schema import quote_identifier

AUDIT_TABLE = "audit_results"
AUDIT_DDL = f"""
CREATE OR REPLACE TABLE {AUDIT_TABLE} (
    table_name VARCHAR NOT NULL,
    expectation VARCHAR,
    column_name VARCHAR,
    success BOOLEAN NOT NULL,
    unexpected_count BIGINT,
    detail VARCHAR,
    blocking BOOLEAN NOT NULL,
    suite_rows BIGINT NOT NULL,
    reused BOOLEAN NOT NULL
)"""
AUDIT_SCHEMA = {
    "table_name": pl.String,
    "expectation": pl.String,
    "column_name": pl.String,
    "success": pl.Boolean,
    "unexpected_count": pl.Int64,
    "detail": pl.String,
    "blocking": pl.Boolean,
    "suite_rows": pl.Int64,
    "reused": pl.Boolean,
}
COLUMNS = tuple(AUDIT_SCHEMA)


@dataclass(frozen=True)
class SuiteAudit:
    """One suite's result on the staged batch, and whether a failure blocks publication."""

    result: SuiteResult
    blocking: bool

    def rows(self) -> list[dict[str, object]]:
        base = {
            "table_name": self.result.suite.table,
            "blocking": self.blocking,
            "suite_rows": self.result.row_count,
            "reused": self.result.reused,
        }
        return [
            {
                **base,
                "expectation": outcome.expectation,
                "column_name": outcome.column,
                "success": outcome.success,
                "unexpected_count": outcome.unexpected_count,
                "detail": outcome.detail,
            }
            for outcome in self.result.outcomes
        ]


def audit_batch(
    batch_path: Path, suites: Mapping[str, Suite], warn_only: frozenset[str], memory_dir: Path
) -> list[SuiteAudit]:
    """Run every suite over the staged batch and store the outcomes in it (see `record_audit`).

    `warn_only` names the tables whose suite only warns (WIREHOUSE_WARN_ONLY_SUITES); `memory_dir` holds
    remembered results, so the same rows are never validated twice (pipeline.quality.remembered)."""
    unknown = warn_only - set(suites)
    if unknown:
        raise SuiteFileError(
            f"WIREHOUSE_WARN_ONLY_SUITES names tables without a suite: {', '.join(sorted(unknown))}"
        )
    audits = []
    for table, suite in suites.items():
        # a connection per suite: one for all of them kept DuckDB's cache of every table they read (at 10x
        # the corpus, 170 MB more at the peak of the run, which is here)
        frame = audit_frame(batch_path, table, suite.audit_sql)
        audits.append(SuiteAudit(validate_remembered(frame, suite, memory_dir), table not in warn_only))
    record_audit(batch_path, [row for audit in audits for row in audit.rows()])
    return audits


def audit_frame(batch_path: Path, table: str, audit_sql: str | None = None) -> pl.DataFrame:
    """The frame a suite validates: the staged table, or the suite's audit SELECT over the batch."""
    con = connect(batch_path, read_only=True)
    try:
        return con.sql(audit_sql or f'SELECT * FROM "{table}"').pl()
    finally:
        con.close()


def record_audit(batch_path: Path, rows: Sequence[Mapping[str, object]]) -> None:
    """Store the audit's outcome rows in the staged batch, replacing an earlier audit of it. No rows: the
    batch was audited by no suite."""
    # all rows in one INSERT (one statement a row cost a third of a second on BBC's ~100 outcomes)
    outcomes = pl.DataFrame(
        [[row.get(c) for c in COLUMNS] for row in rows], schema=AUDIT_SCHEMA, orient="row"
    )
    con = connect(batch_path)
    try:
        con.execute(AUDIT_DDL)
        con.register("audit_outcomes", outcomes)
        con.execute(f"INSERT INTO {AUDIT_TABLE} SELECT {', '.join(COLUMNS)} FROM audit_outcomes")
        con.unregister("audit_outcomes")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def read_audit(con: duckdb.DuckDBPyConnection, catalog: str) -> list[dict[str, object]] | None:
    """The audit rows stored in the attached batch `catalog`, or None when it was never audited."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
        [catalog, AUDIT_TABLE],
    ).fetchall()[0][0]
    if not found:
        return None
    result = con.sql(f"SELECT {', '.join(COLUMNS)} FROM {quote_identifier(catalog)}.{AUDIT_TABLE}")
    return [dict(zip(COLUMNS, row, strict=True)) for row in result.fetchall()]


def read_batch_audit(batch_path: Path) -> list[dict[str, object]] | None:
    """`read_audit` of a staged batch file (how the Dagster checks report it)."""
    con = connect(batch_path, read_only=True)
    try:
        return read_audit(con, con.sql("SELECT current_database()").fetchall()[0][0])
    finally:
        con.close()


def suite_result(suite: Suite, rows: Sequence[Mapping[str, object]]) -> SuiteResult:
    """A suite's stored outcome rows back as the `SuiteResult` they came from."""
    mine = [row for row in rows if row["table_name"] == suite.table]
    outcomes = tuple(
        ExpectationOutcome(
            expectation=str(row["expectation"]),
            column=row["column_name"],  # type: ignore[arg-type]
            success=bool(row["success"]),
            unexpected_count=row["unexpected_count"],  # type: ignore[arg-type]
            detail=str(row["detail"] or ""),
        )
        for row in mine
    )
    row_count = int(mine[0]["suite_rows"]) if mine else 0  # type: ignore[arg-type]
    reused = bool(mine and mine[0]["reused"])
    return SuiteResult(suite=suite, row_count=row_count, outcomes=outcomes, reused=reused)


def blocking_failures(rows: Sequence[Mapping[str, object]]) -> list[Mapping[str, object]]:
    return [row for row in rows if row["blocking"] and not row["success"]]


def describe_failures(rows: Sequence[Mapping[str, object]]) -> str:
    """`quotes: expect_...(speaker), 3 unexpected; articles: ...` for an error message (the first five)."""
    shown = [
        f"{row['table_name']}: {row['expectation']}"
        + (f"({row['column_name']})" if row["column_name"] else "")
        + (f", {row['unexpected_count']} unexpected" if row["unexpected_count"] else "")
        for row in rows[:5]
    ]
    more = f"; and {len(rows) - 5} more" if len(rows) > 5 else ""
    return "; ".join(shown) + more
