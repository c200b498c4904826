"""The versioned DuckDB warehouse: write, audit, publish, and read any version back.

Publishing never touches the file analysts have open. It refuses a staged batch that was not audited or
whose blocking audit failed (`pipeline.storage.audit`; the batch stays in staging/ for inspection). The
current `news.duckdb` is copied to a staging file, the new version is written there in one transaction,
the SQL models are built over it in that same copy (so marts are part of the version), and the copy
replaces the published file with `os.replace` (atomic): one copy per run. Readers keep the file they
opened; a failure before the swap changes nothing.

History is stored once: `history.<table>` holds every distinct row with the versions it was valid for
(`valid_from` inclusive, `valid_to` exclusive, NULL while current). `main.<table>` is a view of the
current rows and the table macro `<table>_at(n)` returns the table as of version n.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipeline.storage.audit import blocking_failures, describe_failures, read_audit
from pipeline.storage.connection import connect
from pipeline.storage.schema import HISTORY_COLUMNS, PUBLISHED_TABLES, TABLE_NAMES, quote_identifier
from pipeline.storage.sql_models import BuiltModel, SqlModel, build_model, model_fingerprint

logger = logging.getLogger(__name__)

VERSIONS_DDL = """
CREATE TABLE IF NOT EXISTS versions (
    version INTEGER PRIMARY KEY,
    run_id VARCHAR NOT NULL,
    published_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,
    input_fingerprint VARCHAR,
    code_version VARCHAR,
    model_version VARCHAR,
    row_counts JSON,
    rows_added INTEGER,
    rows_retired INTEGER,
    validation VARCHAR
)"""
VALIDATION_DDL = """
CREATE TABLE IF NOT EXISTS validation_results (
    version INTEGER NOT NULL,
    table_name VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,
    column_name VARCHAR,
    success BOOLEAN NOT NULL,
    unexpected_count BIGINT,
    detail VARCHAR
)"""


class WarehouseError(RuntimeError):
    """A publish that could not happen; the published version is unchanged."""


MODELS_DDL = """
CREATE TABLE IF NOT EXISTS sql_models (
    name VARCHAR PRIMARY KEY,
    materialized VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    built_on_version INTEGER
)"""


@dataclass(frozen=True)
class RunInfo:
    """What a version records about the run that made it (its validation comes from the batch's audit)."""

    run_id: str
    code_version: str
    model_version: str


@dataclass(frozen=True)
class PublishedVersion:
    """The version a publish made current; `changed` is False when the batch equalled the current version
    row for row, so no version was made and `version` is the one already current."""

    version: int
    row_counts: dict[str, int]
    rows_added: int
    rows_retired: int
    changed: bool = True
    validation: str = ""
    models: dict[str, BuiltModel] = field(default_factory=dict)  # the SQL models built in this publish

    @property
    def summary(self) -> str:
        if not self.changed:
            return f"nothing changed: version {self.version} is current"
        return f"published version {self.version} ({self.rows_added} rows added, {self.rows_retired} retired)"


class _NothingChanged(Exception):
    """Raised inside the write to discard the staged copy: the published file stays as it is."""

    def __init__(self, current: PublishedVersion) -> None:
        super().__init__(current.summary)
        self.current = current


def connect_read_only(database_path: Path) -> duckdb.DuckDBPyConnection:
    """An analyst's connection: never blocks a publish (publishing writes a copy)."""
    if not database_path.exists():
        raise FileNotFoundError(f"no warehouse at {database_path}: run `wirehouse run` first")
    return connect(database_path, read_only=True)


@contextlib.contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """An exclusive lock on a lock file, across processes: one writer of what it guards at a time."""
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@contextlib.contextmanager
def writing(database_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a staged copy that replaces the published file on success.

    Only one writer at a time (an exclusive lock file). The published file is held open read-only until
    the swap: that fails if another process has it open for writing (its writes would be lost), and
    stops one from opening it meanwhile. On any error the staged copy is removed and the published
    file is left as it was.
    """
    database_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = database_path.with_name(database_path.name + ".lock")
    staging = database_path.with_name(f".{database_path.name}.staging-{uuid.uuid4().hex[:12]}")
    with exclusive(lock_path):
        _remove_leftovers(database_path)  # from a writer that was killed: we hold the lock now
        guard = _hold_published(database_path)
        try:
            _copy_published(database_path, staging)
            con = connect(staging)
            try:
                yield con
                con.execute("CHECKPOINT")
            finally:
                con.close()
            _swap_in(staging, database_path)
        finally:
            if guard is not None:
                guard.close()
            staging.unlink(missing_ok=True)
            _wal(staging).unlink(missing_ok=True)


def _wal(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + ".wal")


def _remove_leftovers(database_path: Path) -> None:
    """Copies left by a publish that was killed: never published, so removed (and said so)."""
    leftovers = sorted(database_path.parent.glob(f".{database_path.name}.staging-*"))
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    copies = sorted({path.name.removesuffix(".wal") for path in leftovers})
    if copies:
        what = "a copy" if len(copies) == 1 else f"{len(copies)} copies"
        logger.warning(
            f"removed {what} of {database_path} left by an interrupted publish ({', '.join(copies)}): "
            f"never published, {database_path.name} is unchanged"
        )


def _hold_published(database_path: Path) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection to the published file, or a WarehouseError saying why there is none.

    DuckDB refuses it while another process holds the file read-write, and refuses any writer while it
    is open; analysts' read-only connections share it."""
    if not database_path.exists():
        return None
    try:
        return connect(database_path, read_only=True)
    except duckdb.Error as error:
        raise WarehouseError(_cannot_hold_message(database_path, error)) from error


def _cannot_hold_message(database_path: Path, error: duckdb.Error) -> str:
    text = str(error)
    pid = re.search(r"\(PID (\d+)\)", text)
    if "Conflicting lock" in text:
        holder = f"another process (PID {pid.group(1)})" if pid else "another process"
        return (
            f"{database_path} is open for writing by {holder}; nothing was published; close it "
            "(analysts connect read-only: duckdb.connect(path, read_only=True)) and run again"
        )
    return f"cannot open {database_path}: {text.splitlines()[0]}; nothing was published"


def _copy_published(database_path: Path, staging: Path) -> None:
    """The published file and its write-ahead log, if a writer that crashed left one (its commits)."""
    if not database_path.exists():
        return
    shutil.copyfile(database_path, staging)
    if _wal(database_path).exists():
        shutil.copyfile(_wal(database_path), _wal(staging))


def _swap_in(staging: Path, database_path: Path) -> None:
    """The checkpointed copy replaces the published file. A log left beside the published file is in
    the copy already, and DuckDB refuses to open a file whose log belongs to an older one: removed."""
    _wal(database_path).unlink(missing_ok=True)
    os.replace(staging, database_path)


def publish(
    database_path: Path, batch_path: Path, run: RunInfo, models: Sequence[SqlModel] = ()
) -> PublishedVersion:
    """Make the audited batch the new current version, all tables together, recording the run and its
    audit, with the SQL `models` (in dependency order) built over it before the swap.

    Raises WarehouseError, changing nothing, for a batch that lacks a table, was never audited, or failed
    a blocking suite (warn-only suites are recorded, they do not block). A batch that adds and retires no
    row of any table (the same input run again) makes no version: the merge is rolled back and, when the
    models are already built as given, the published file is left untouched and the current version is
    returned with `changed=False`. The nightly schedule over an unchanged folder adds nothing."""
    audit = _audited(batch_path, database_path)
    try:
        return _publish(database_path, batch_path, run, audit, models)
    except _NothingChanged as unchanged:
        return unchanged.current


def _audited(batch_path: Path, database_path: Path) -> list[dict[str, object]]:
    """The batch's audit rows, or a WarehouseError saying why it cannot be published (it is kept)."""
    try:
        con = connect(batch_path, read_only=True)
    except duckdb.Error as error:
        raise WarehouseError(f"cannot publish {batch_path}: {str(error).splitlines()[0]}") from error
    try:
        catalog = con.sql("SELECT current_database()").fetchall()[0][0]
        staged = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [catalog]
            ).fetchall()
        }
        missing = [name for name in TABLE_NAMES if name not in staged]
        if missing:
            raise WarehouseError(
                f"cannot publish {batch_path}: tables missing from the batch: {', '.join(missing)}"
            )
        audit = read_audit(con, catalog)
    finally:
        con.close()
    if audit is None:
        raise WarehouseError(
            f"cannot publish {batch_path}: the batch was never audited (pipeline.storage.audit.audit_batch); "
            f"{database_path.name} is unchanged"
        )
    failed = blocking_failures(audit)
    if failed:
        raise WarehouseError(
            f"cannot publish {batch_path}: blocking audit failed ({describe_failures(failed)}); "
            f"{database_path.name} is unchanged and the batch is kept for inspection"
        )
    return audit


def _publish(
    database_path: Path,
    batch_path: Path,
    run: RunInfo,
    audit: list[dict[str, object]],
    models: Sequence[SqlModel],
) -> PublishedVersion:
    passed = sum(1 for row in audit if row["success"])
    validation = f"{passed}/{len(audit)} expectations passed"
    with writing(database_path) as con:
        con.execute(f"ATTACH '{batch_path}' AS batch (READ_ONLY)")
        con.execute("BEGIN TRANSACTION")
        _ensure_catalog(con)
        version = con.sql("SELECT coalesce(max(version), 0) + 1 FROM versions").fetchall()[0][0]
        added = retired = 0
        row_counts: dict[str, int] = {}
        for spec in PUBLISHED_TABLES:
            table_added, table_retired, row_counts[spec.name] = _merge_table(con, spec.name, version)
            added += table_added
            retired += table_retired
        if version > 1 and added == 0 and retired == 0:
            con.execute("ROLLBACK")
            con.execute("DETACH batch")
            current = PublishedVersion(version - 1, row_counts, 0, 0, changed=False, validation=validation)
            if models_current(con, models, version - 1):
                raise _NothingChanged(current)
            # the same rows, models changed: rebuilt over the current version, swapped in without a version
            return replace(current, models=_build_models(con, models, version - 1))
        fingerprint = con.sql("SELECT any_value(input_fingerprint) FROM batch.batch_info").fetchall()[0][0]
        con.execute(
            "INSERT INTO versions VALUES (?, ?, ?, 'published', ?, ?, ?, ?, ?, ?, ?)",
            [
                version,
                run.run_id,
                datetime.now(UTC).replace(tzinfo=None),
                fingerprint,
                run.code_version,
                run.model_version,
                json.dumps(row_counts),
                added,
                retired,
                validation,
            ],
        )
        _record_validation(con, version, audit)
        con.execute("COMMIT")
        con.execute("DETACH batch")
        built = _build_models(con, models, version)
    return PublishedVersion(version, row_counts, added, retired, validation=validation, models=built)


def build_models(database_path: Path, models: Sequence[SqlModel]) -> dict[str, BuiltModel]:
    """The SQL models rebuilt over the current version, in a copy swapped in (no new version): for a model
    materialised on its own, e.g. a new SQL file, between two runs."""
    with writing(database_path) as con:
        _ensure_catalog(con)
        return _build_models(con, models, current_version(con))


def _build_models(
    con: duckdb.DuckDBPyConnection, models: Sequence[SqlModel], version: int | None
) -> dict[str, BuiltModel]:
    """Each model built in the (staged) connection, in the given order, and recorded in `sql_models`."""
    con.execute(MODELS_DDL)  # also when the merge that would have created it was rolled back
    built = {}
    for model in models:
        built[model.name] = build_model(con, model)
        con.execute(
            "INSERT OR REPLACE INTO sql_models VALUES (?, ?, ?, ?)",
            [model.name, model.materialized, model_fingerprint(model), version],
        )
    return built


def built_models(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, int | None]]:
    """The models built in this warehouse: name -> (fingerprint, version built on)."""
    if not _table_exists(con, "main", "sql_models"):
        return {}
    rows = con.sql("SELECT name, fingerprint, built_on_version FROM sql_models").fetchall()
    return {name: (fingerprint, version) for name, fingerprint, version in rows}


def models_current(con: duckdb.DuckDBPyConnection, models: Sequence[SqlModel], version: int | None) -> bool:
    """Whether every model is built in this warehouse as given (same SQL) over `version`."""
    built = built_models(con)
    return all(built.get(model.name) == (model_fingerprint(model), version) for model in models)


def _ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS history")
    con.execute(VERSIONS_DDL)
    con.execute(VALIDATION_DDL)
    con.execute(MODELS_DDL)


def _merge_table(con: duckdb.DuckDBPyConnection, name: str, version: int) -> tuple[int, int, int]:
    """Close the rows that left, insert the rows that arrived; unchanged rows are not written again."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE incoming AS "
        f"SELECT s.*, md5(to_json(s)) AS _row_hash FROM batch.{name} s"
    )
    columns = [row[0] for row in con.sql(f"DESCRIBE batch.{name}").fetchall()]
    history = f"history.{name}"
    if not _table_exists(con, "history", name):
        con.execute(
            f"CREATE TABLE {history} AS SELECT *, NULL::INTEGER AS valid_from, NULL::INTEGER AS valid_to "
            "FROM incoming LIMIT 0"
        )
    _add_new_columns(con, history, columns)
    retired = con.execute(
        f"UPDATE {history} SET valid_to = ? WHERE valid_to IS NULL "
        "AND _row_hash NOT IN (SELECT _row_hash FROM incoming)",
        [version],
    ).fetchall()[0][0]
    column_list = ", ".join(quote_identifier(column) for column in columns)
    added = con.execute(
        f"INSERT INTO {history} ({column_list}, _row_hash, valid_from) "
        f"SELECT {column_list}, _row_hash, ? FROM incoming "
        f"WHERE _row_hash NOT IN (SELECT _row_hash FROM {history} WHERE valid_to IS NULL)",
        [version],
    ).fetchall()[0][0]
    _create_views(con, name, columns)
    rows = con.sql("SELECT count(*) FROM incoming").fetchall()[0][0]
    return int(added), int(retired), int(rows)


def _create_views(con: duckdb.DuckDBPyConnection, name: str, columns: list[str]) -> None:
    """`<name>` for the current rows, `<name>_at(v)` for any version (time travel)."""
    extra = ", valid_from AS version" if name == "quarantine" else ""
    select = ", ".join(quote_identifier(column) for column in columns) + extra
    con.execute(
        f"CREATE OR REPLACE VIEW main.{name} AS SELECT {select} FROM history.{name} WHERE valid_to IS NULL"
    )
    con.execute(
        f"CREATE OR REPLACE MACRO main.{name}_at(v) AS TABLE SELECT {select} FROM history.{name} "
        "WHERE valid_from <= v AND (valid_to IS NULL OR valid_to > v)"
    )


def _add_new_columns(con: duckdb.DuckDBPyConnection, history: str, columns: list[str]) -> None:
    """Schema evolution: a column new in this run is added; older rows hold NULL in it."""
    existing = {row[0] for row in con.sql(f"DESCRIBE {history}").fetchall()}
    incoming_types = dict(con.sql("SELECT column_name, column_type FROM (DESCRIBE incoming)").fetchall())
    for column in columns:
        if column not in existing and column not in HISTORY_COLUMNS:
            con.execute(
                f"ALTER TABLE {history} ADD COLUMN {quote_identifier(column)} {incoming_types[column]}"
            )


def _record_validation(
    con: duckdb.DuckDBPyConnection, version: int, rows: Sequence[dict[str, object]]
) -> None:
    for row in rows:
        con.execute(
            "INSERT INTO validation_results VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                version,
                row["table_name"],
                row["expectation"],
                row.get("column_name"),
                row["success"],
                row.get("unexpected_count"),
                row.get("detail"),
            ],
        )


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    query = "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?"
    return con.execute(query, [schema, name]).fetchall()[0][0] > 0


def list_versions(database_path: Path) -> pl.DataFrame:
    """The `versions` table, newest first; empty when nothing was published yet."""
    if not database_path.exists():
        return pl.DataFrame()
    con = connect_read_only(database_path)
    try:
        return con.sql("SELECT * FROM versions ORDER BY version DESC").pl()
    finally:
        con.close()


def current_version(con: duckdb.DuckDBPyConnection) -> int | None:
    return con.sql("SELECT max(version) FROM versions").fetchall()[0][0]
