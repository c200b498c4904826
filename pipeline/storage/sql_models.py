"""dbt_like_sql: analyst models as plain SQL files, one SELECT each, described in dbt's YAML shape.

A model's name is its file name; it refers to published tables and other models by name. Dependencies
are read from the SQL with sqlglot (CTE names and schema-qualified names are not models), so adding a
model is adding a file (and its YAML entry). Everything else about a model is in YAML files anywhere below
the folder, as dbt reads them (https://docs.getdbt.com/reference/model-properties):

```yaml
version: 2
models:
  - name: quotes_per_speaker
    description: Who is quoted, how often.
    config:
      materialized: table            # or view (the default)
    columns:
      - name: speaker
        description: The speaker's canonical name.
        data_tests:
          - not_null
          - unique
          - accepted_values: {values: [a, b]}
          - relationships: {to: "source('wirehouse', 'entities')", field: name}   # or ref('a_model')
```

YAML is the one place for these settings: a `-- materialized:` or `-- description:` header comment in the
SQL is an error that says where the setting goes. The published tables are the source `wirehouse`.
"""

from __future__ import annotations

import graphlib
import hashlib
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

SOURCE_NAME = "wirehouse"  # dbt's name for the published tables: source('wirehouse', 'quotes')
YAML_VERSION = 2
MATERIALIZATIONS = ("view", "table")
TEST_KINDS = ("unique", "not_null", "accepted_values", "relationships")
MODEL_KEYS = {"name", "description", "config", "columns"}
COLUMN_KEYS = {"name", "description", "data_tests"}
HEADER_SETTING = re.compile(r"^--\s*(materialized|description|config)\s*:", re.IGNORECASE)
REF = re.compile(r"""^ref\(\s*['"]([^'"]+)['"]\s*\)$""")
SOURCE = re.compile(r"""^source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)$""")


class ModelError(ValueError):
    """A model that cannot be built as written; the message names the file."""


@dataclass(frozen=True)
class ColumnTest:
    """A dbt-style test of one column; `failing_rows_sql` counts the rows that break it."""

    model: str
    column: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)  # relationships: `to` is the table or model name

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
    properties_path: Path | None = None  # the YAML file that describes it; None when undocumented

    @property
    def group(self) -> str:
        """The folder below dbt_like_sql/ (staging, marts, ...)."""
        return self.path.parent.name


def discover_models(models_dir: Path, source_tables: Iterable[str]) -> list[SqlModel]:
    """Every `*.sql` below the folder, in dependency order, with its YAML entry; unknown names, cycles and
    YAML that does not match a model are errors naming the file."""
    sources = set(source_tables)
    paths = sorted(models_dir.rglob("*.sql"))
    names = [path.stem for path in paths]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ModelError(f"two model files share the name(s) {sorted(duplicates)} in {models_dir}")
    clashes = sources.intersection(names)
    if clashes:
        raise ModelError(f"model name(s) {sorted(clashes)} clash with published tables")
    entries = read_properties(models_dir)
    strays = sorted(set(entries) - set(names))
    if strays:
        where = entries[strays[0]][0]
        raise ModelError(f"{where}: describes model {strays[0]!r}, but there is no {strays[0]}.sql")
    models = {path.stem: _read_model(path, entries.get(path.stem), set(names), sources) for path in paths}
    return [models[name] for name in _dependency_order(models)]


def read_properties(models_dir: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Every model entry of every `*.yml`/`*.yaml` below the folder: name -> (file, entry)."""
    entries: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in sorted([*models_dir.rglob("*.yml"), *models_dir.rglob("*.yaml")]):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise ModelError(f"{path}: not valid YAML ({error})") from error
        if not isinstance(document, dict) or document.get("version") != YAML_VERSION:
            raise ModelError(f"{path}: expected dbt's properties file: `version: 2` and a `models:` list")
        models = document.get("models", [])
        if not isinstance(models, list):
            raise ModelError(f"{path}: `models:` must be a list of models, each with a `name`")
        for entry in models:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise ModelError(f"{path}: every entry of `models:` needs a `name`")
            name = entry["name"]
            if name in entries:
                raise ModelError(f"{path}: model {name!r} is described twice (also in {entries[name][0]})")
            entries[name] = (path, entry)
    return entries


def _read_model(
    path: Path, properties: tuple[Path, dict[str, Any]] | None, model_names: set[str], sources: set[str]
) -> SqlModel:
    sql = path.read_text(encoding="utf-8")
    _refuse_header_settings(path, sql)
    yaml_path, entry = properties if properties else (None, {"name": path.stem})
    where = f"{yaml_path} (model {path.stem})"
    unknown_keys = sorted(set(entry) - MODEL_KEYS)
    if unknown_keys:
        raise ModelError(f"{where}: unknown key(s) {unknown_keys}; a model has {sorted(MODEL_KEYS)}")
    config = entry.get("config") or {}
    if not isinstance(config, dict):
        raise ModelError(f"{where}: `config:` must be a mapping, e.g. {{materialized: table}}")
    materialized = config.get("materialized", "view")
    if materialized not in MATERIALIZATIONS:
        raise ModelError(f"{where}: materialized must be one of {MATERIALIZATIONS}, not {materialized!r}")
    referenced = referenced_tables(sql, path)
    unknown = sorted(referenced - model_names - sources)
    if unknown:
        raise ModelError(f"{path}: unknown table or model {', '.join(unknown)}")
    columns = _columns(where, entry.get("columns") or [])
    return SqlModel(
        name=path.stem,
        path=path,
        sql=sql,
        materialized=materialized,
        description=str(entry.get("description") or "").strip(),
        depends_on=tuple(sorted(referenced & model_names)),
        sources=tuple(sorted(referenced & sources)),
        column_descriptions={column["name"]: str(column.get("description") or "") for column in columns},
        tests=tuple(_column_tests(where, path.stem, columns, model_names, sources)),
        properties_path=yaml_path,
    )


def _refuse_header_settings(path: Path, sql: str) -> None:
    """The YAML is the one place for a model's settings: a header that looks like one would be ignored."""
    for line in sql.splitlines():
        if HEADER_SETTING.match(line.strip()):
            raise ModelError(
                f"{path}: `{line.strip()}`: settings live in the model's YAML entry "
                "(`description:`, `config: {materialized: ...}`), not in SQL comments"
            )


def _columns(where: str, columns: object) -> list[dict[str, Any]]:
    if not isinstance(columns, list):
        raise ModelError(f"{where}: `columns:` must be a list")
    for column in columns:
        if not isinstance(column, dict) or not isinstance(column.get("name"), str):
            raise ModelError(f"{where}: every column needs a `name`")
        if "tests" in column:
            raise ModelError(
                f"{where}: column {column['name']!r}: write `data_tests:` (dbt 1.8+), not `tests:`"
            )
        unknown = sorted(set(column) - COLUMN_KEYS)
        if unknown:
            raise ModelError(f"{where}: column {column['name']!r}: unknown key(s) {unknown}")
    return columns


def _column_tests(
    where: str, model: str, columns: list[dict[str, Any]], model_names: set[str], sources: set[str]
) -> Iterable[ColumnTest]:
    for column in columns:
        for test in column.get("data_tests") or []:
            kind, options = (test, {}) if isinstance(test, str) else next(iter(test.items()))
            context = f"{where}: column {column['name']!r}"
            if kind not in TEST_KINDS:
                raise ModelError(f"{context}: unknown test {kind!r} (use one of {TEST_KINDS})")
            options = dict(options or {})
            options.update(options.pop("arguments", None) or {})  # dbt 1.10 nests them under `arguments:`
            options.pop("config", None)  # severity and the like: every test reports its failing rows
            if kind == "accepted_values" and not isinstance(options.get("values"), list):
                raise ModelError(f"{context}: accepted_values needs a `values` list")
            if kind == "relationships":
                options["to"] = _relation(context, options.get("to"), model_names, sources)
                if "field" not in options:
                    raise ModelError(f"{context}: relationships needs `field` (the column it refers to)")
            yield ColumnTest(model=model, column=column["name"], kind=kind, options=options)


def _relation(context: str, to: object, model_names: set[str], sources: set[str]) -> str:
    """`ref('model')` or `source('wirehouse', 'table')`, as dbt writes them, to a name in the warehouse."""
    text = str(to or "").strip()
    if (ref := REF.match(text)) and ref.group(1) in model_names:
        return ref.group(1)
    source = SOURCE.match(text)
    if source and source.group(1) == SOURCE_NAME and source.group(2) in sources:
        return source.group(2)
    raise ModelError(
        f"{context}: relationships `to: {text}` names no model or published table; write "
        f"ref('a_model') or source('{SOURCE_NAME}', 'a_table') (tables: {', '.join(sorted(sources))})"
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
    try:
        con.execute(create_statement(model))
    except duckdb.Error as error:
        raise ModelError(f"{model.path}: {error}") from error
    return inspect_model(con, model)


def inspect_model(con: duckdb.DuckDBPyConnection, model: SqlModel) -> BuiltModel:
    """A built model's rows, columns and test results (read-only: how a published model is reported)."""
    name = quote_identifier(model.name)
    return BuiltModel(
        row_count=con.sql(f"SELECT count(*) FROM main.{name}").fetchall()[0][0],
        columns=tuple((row[0], row[1]) for row in con.sql(f"DESCRIBE main.{name}").fetchall()),
        test_failures={test.name: con.sql(test.failing_rows_sql()).fetchall()[0][0] for test in model.tests},
    )


def model_fingerprint(model: SqlModel) -> str:
    """What a built model depends on besides the tables: its SQL and how it is materialised."""
    return hashlib.sha256(f"{model.materialized}\0{model.sql}".encode()).hexdigest()[:16]


def create_statement(model: SqlModel, temporary: bool = False) -> str:
    """The model's CREATE statement: in the warehouse, or (`temporary`) in a connection's temporary
    catalog, where it shadows the warehouse's object of that name (how exports build the models of a
    read-only version)."""
    body = model.sql.strip().rstrip(";")
    kind = "VIEW" if model.materialized == "view" else "TABLE"
    target = (
        f"TEMP {kind} {quote_identifier(model.name)}"
        if temporary
        else f"{kind} main.{quote_identifier(model.name)}"
    )
    return f"CREATE OR REPLACE {target} AS {body}"


def _literal(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "TRUE", False: "FALSE", None: "NULL"}[value]
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
