"""dbt_like_sql: analyst models as plain SQL files, one SELECT each.

A model's name is its file name; it refers to published tables and other models by name. Dependencies
are read from the SQL with sqlglot (CTE names and schema-qualified names are not models), so adding a
model is adding a file. A header of `-- key: value` comment lines sets `materialized` (view or table)
and `description`.
"""

from __future__ import annotations

import graphlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import expressions

HEADER_LINE = re.compile(r"^--\s*(\w+)\s*:\s*(.*?)\s*$")
MATERIALIZATIONS = ("view", "table")


class ModelError(ValueError):
    """A model that cannot be built as written; the message names the file."""


@dataclass(frozen=True)
class SqlModel:
    name: str
    path: Path
    sql: str
    materialized: str
    description: str
    depends_on: tuple[str, ...]  # other models
    sources: tuple[str, ...]  # published tables

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
    header = _header(sql)
    materialized = header.get("materialized", "view")
    if materialized not in MATERIALIZATIONS:
        raise ModelError(f"{path}: materialized must be one of {MATERIALIZATIONS}, not {materialized!r}")
    referenced = referenced_tables(sql, path)
    unknown = sorted(referenced - model_names - sources)
    if unknown:
        raise ModelError(f"{path}: unknown table or model {', '.join(unknown)}")
    return SqlModel(
        name=path.stem,
        path=path,
        sql=sql,
        materialized=materialized,
        description=header.get("description", ""),
        depends_on=tuple(sorted(referenced & model_names)),
        sources=tuple(sorted(referenced & sources)),
    )


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


def build_model(con: duckdb.DuckDBPyConnection, model: SqlModel) -> int:
    """Create or replace the model's view or table; return its row count."""
    body = model.sql.strip().rstrip(";")
    kind = "VIEW" if model.materialized == "view" else "TABLE"
    try:
        con.execute(f'CREATE OR REPLACE {kind} main."{model.name}" AS {body}')
    except duckdb.Error as error:
        raise ModelError(f"{model.path}: {error}") from error
    return con.sql(f'SELECT count(*) FROM main."{model.name}"').fetchall()[0][0]
