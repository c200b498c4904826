"""dbt_like_sql: analyst models as plain SQL files, one SELECT each.

A model's name is its file name; it refers to published tables and other models by name. Dependencies
are read from the SQL with sqlglot (CTE names and schema-qualified names are not models), so adding a
model is adding a file. Settings come from a header of `-- key: value` comment lines (`materialized`:
view or table, `description`) and/or a YAML file beside the model (`<name>.yml`) in dbt's shape:
`description`, `materialized`, and `columns` with a `description` and dbt-style `tests` each
(`unique`, `not_null`, `accepted_values: {values: [...]}`, `relationships: {to: model, field: column}`).
"""

from __future__ import annotations

import graphlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
import yaml
from sqlglot import expressions

from pipeline.storage.schema import quote_identifier

HEADER_LINE = re.compile(r"^--\s*(\w+)\s*:\s*(.*?)\s*$")
MATERIALIZATIONS = ("view", "table")
TEST_KINDS = ("unique", "not_null", "accepted_values", "relationships")


class ModelError(ValueError):
    """A model that cannot be built as written; the message names the file."""


@dataclass(frozen=True)
class ColumnTest:
    """A dbt-style test of one column; `failing_rows_sql` counts the rows that break it."""

    model: str
    column: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        target = f"_{self.options['to']}" if self.kind == "relationships" else ""
        return f"{self.kind}{target}_{self.column}"

    def failing_rows_sql(self) -> str:
        model, column = quote_identifier(self.model), quote_identifier(self.column)
        if self.kind == "unique":
            return (
                f"SELECT count(*) FROM (SELECT {column} FROM {model} WHERE {column} IS NOT NULL "
                f"GROUP BY {column} HAVING count(*) > 1)"
            )
        if self.kind == "not_null":
            return f"SELECT count(*) FROM {model} WHERE {column} IS NULL"
        if self.kind == "accepted_values":
            values = ", ".join(_literal(value) for value in self.options["values"])
            return f"SELECT count(*) FROM {model} WHERE {column} IS NOT NULL AND {column} NOT IN ({values})"
        target, target_column = quote_identifier(self.options["to"]), quote_identifier(self.options["field"])
        return (
            f"SELECT count(*) FROM {model} AS m WHERE m.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {target} AS t WHERE t.{target_column} = m.{column})"
        )


@dataclass(frozen=True)
class SqlModel:
    name: str
    path: Path
    sql: str
    materialized: str
    description: str
    depends_on: tuple[str, ...]  # other models
    sources: tuple[str, ...]  # published tables
    column_descriptions: dict[str, str] = field(default_factory=dict)
    tests: tuple[ColumnTest, ...] = ()

    @property
    def group(self) -> str:
        """The folder below dbt_like_sql/ (staging, marts, ...)."""
        return self.path.parent.name


def discover_models(models_dir: Path, source_tables: Iterable[str]) -> list[SqlModel]:
    """Every `*.sql` below the folder, in dependency order; unknown names and cycles are errors."""
    sources = set(source_tables)
    paths = sorted(models_dir.rglob("*.sql"))
    names = [path.stem for path in paths]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ModelError(f"two model files share the name(s) {sorted(duplicates)} in {models_dir}")
    clashes = sources.intersection(names)
    if clashes:
        raise ModelError(f"model name(s) {sorted(clashes)} clash with published tables")
    models = {path.stem: _read_model(path, set(names), sources) for path in paths}
    return [models[name] for name in _dependency_order(models)]


def _read_model(path: Path, model_names: set[str], sources: set[str]) -> SqlModel:
    sql = path.read_text(encoding="utf-8")
    settings = {**_header(sql), **_yaml_settings(path)}
    materialized = settings.get("materialized", "view")
    if materialized not in MATERIALIZATIONS:
        raise ModelError(f"{path}: materialized must be one of {MATERIALIZATIONS}, not {materialized!r}")
    referenced = referenced_tables(sql, path)
    unknown = sorted(referenced - model_names - sources)
    if unknown:
        raise ModelError(f"{path}: unknown table or model {', '.join(unknown)}")
    columns = settings.get("columns") or []
    tests = tuple(_column_tests(path, columns, model_names | sources))
    return SqlModel(
        name=path.stem,
        path=path,
        sql=sql,
        materialized=materialized,
        description=str(settings.get("description", "")),
        depends_on=tuple(sorted(referenced & model_names)),
        sources=tuple(sorted(referenced & sources)),
        column_descriptions={column["name"]: column.get("description", "") for column in columns},
        tests=tests,
    )


def _yaml_settings(path: Path) -> dict[str, Any]:
    settings_path = path.with_suffix(".yml")
    if not settings_path.exists():
        return {}
    try:
        settings = yaml.safe_load(settings_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ModelError(f"{settings_path}: not valid YAML ({error})") from error
    if not isinstance(settings, dict) or not isinstance(settings.get("columns", []), list):
        raise ModelError(f"{settings_path}: expected a mapping with an optional 'columns' list")
    for column in settings.get("columns", []):
        if not isinstance(column, dict) or "name" not in column:
            raise ModelError(f"{settings_path}: every column needs a 'name'")
    return settings


def _column_tests(path: Path, columns: list[dict[str, Any]], known: set[str]) -> Iterable[ColumnTest]:
    for column in columns:
        for test in column.get("tests", []) or []:
            kind, options = (test, {}) if isinstance(test, str) else next(iter(test.items()))
            if kind not in TEST_KINDS:
                raise ModelError(
                    f"{path.with_suffix('.yml')}: unknown test {kind!r} (use one of {TEST_KINDS})"
                )
            if kind == "accepted_values" and not isinstance((options or {}).get("values"), list):
                raise ModelError(f"{path.with_suffix('.yml')}: accepted_values needs a 'values' list")
            if kind == "relationships" and ((options or {}).get("to") not in known or "field" not in options):
                raise ModelError(
                    f"{path.with_suffix('.yml')}: relationships needs 'to' (a table or model) and 'field'"
                )
            yield ColumnTest(model=path.stem, column=column["name"], kind=kind, options=options or {})


def referenced_tables(sql: str, path: Path | str = "<sql>") -> set[str]:
    """Unqualified (or `main.`) table names a SELECT reads, without its own CTEs."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as error:
        raise ModelError(f"{path}: cannot parse SQL: {error}") from error
    if len(statements) != 1 or not isinstance(statements[0], expressions.Query):
        raise ModelError(f"{path}: a model is exactly one SELECT statement")
    statement = statements[0]
    cte_names = {cte.alias_or_name for cte in statement.find_all(expressions.CTE)}
    names: set[str] = set()
    for table in statement.find_all(expressions.Table):
        if not table.name or table.args.get("catalog") or table.db not in ("", "main"):
            continue
        if isinstance(table.this, expressions.Identifier) and table.name not in cte_names:
            names.add(table.name)
    return names


def _header(sql: str) -> dict[str, str]:
    settings: dict[str, str] = {}
    for line in sql.splitlines():
        if not line.strip():
            continue
        match = HEADER_LINE.match(line.strip())
        if not match:
            break
        settings[match.group(1).lower()] = match.group(2)
    return settings


def _dependency_order(models: dict[str, SqlModel]) -> list[str]:
    sorter = graphlib.TopologicalSorter({name: model.depends_on for name, model in models.items()})
    try:
        return list(sorter.static_order())
    except graphlib.CycleError as error:
        cycle = error.args[1]
        files = " -> ".join(str(models[name].path) for name in cycle)
        raise ModelError(f"dependency cycle between models: {files}") from error


@dataclass(frozen=True)
class BuiltModel:
    row_count: int
    columns: tuple[tuple[str, str], ...]  # (name, type)
    test_failures: dict[str, int]  # test name -> failing rows


def build_model(con: duckdb.DuckDBPyConnection, model: SqlModel) -> BuiltModel:
    """Create or replace the model's view or table, then run its tests."""
    body = model.sql.strip().rstrip(";")
    kind = "VIEW" if model.materialized == "view" else "TABLE"
    try:
        con.execute(f"CREATE OR REPLACE {kind} main.{quote_identifier(model.name)} AS {body}")
    except duckdb.Error as error:
        raise ModelError(f"{model.path}: {error}") from error
    name = quote_identifier(model.name)
    return BuiltModel(
        row_count=con.sql(f"SELECT count(*) FROM main.{name}").fetchall()[0][0],
        columns=tuple((row[0], row[1]) for row in con.sql(f"DESCRIBE main.{name}").fetchall()),
        test_failures={test.name: con.sql(test.failing_rows_sql()).fetchall()[0][0] for test in model.tests},
    )


def _literal(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "TRUE", False: "FALSE", None: "NULL"}[value]
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
