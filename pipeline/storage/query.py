"""Analysts' queries on the published warehouse, printed by DuckDB itself: its box renderer for a table,
its own CSV and JSON writers for the rest. The file is opened read-only, so a run never waits for a query
(publishing writes a copy and swaps it in)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

from pipeline.storage.warehouse import connect_read_only

RESULT_VIEW = "_wirehouse_result"
UNLIMITED_WIDTH = 100_000  # piped output: DuckDB's renderer would otherwise cut columns to 80 characters


class QueryError(ValueError):
    """A query DuckDB refused; the message is DuckDB's."""


def print_query(database_path: Path, sql: str, output_format: str = "table", max_rows: int = 40) -> None:
    """Run `sql` (one or more statements; the last one's result is printed) on the published warehouse."""
    con = connect_read_only(database_path)
    try:
        relation = con.sql(sql)
        if relation is None:  # the last statement returns nothing (SET, ...)
            return
        try:
            _print(con, relation, output_format, max_rows)
        except duckdb.ParserException:
            # DuckDB's renderer and writers wrap the statement in a subquery, which a trailing `;` and
            # comment break (`SELECT ...; -- note`): print its result instead, read once through Arrow
            con.register(RESULT_VIEW, relation.arrow().read_all())
            _print(con, con.sql(f"FROM {RESULT_VIEW}"), output_format, max_rows)
    except duckdb.Error as error:
        raise QueryError(str(error).strip()) from error
    finally:
        con.close()


def _print(
    con: duckdb.DuckDBPyConnection, relation: duckdb.DuckDBPyRelation, output_format: str, max_rows: int
) -> None:
    if output_format == "table":
        width = None if sys.stdout.isatty() else UNLIMITED_WIDTH
        relation.show(max_rows=max_rows, max_width=width)
        return
    # DuckDB writes the file; it is then copied to stdout. Not COPY ... TO '/dev/stdout': DuckDB opens
    # it truncating, which overwrites whatever a redirected stdout already held
    with tempfile.TemporaryDirectory(prefix="wirehouse-sql-") as folder:
        written = Path(folder) / f"result.{output_format}"
        if output_format == "csv":
            relation.write_csv(str(written), header=True)
        else:
            name = f"{RESULT_VIEW}_json"
            con.register(name, relation)  # connection-local: the file stays untouched
            con.execute(f"COPY {name} TO '{written}' (FORMAT json, ARRAY true)")
        sys.stdout.flush()
        with written.open("rb") as result:
            shutil.copyfileobj(result, sys.stdout.buffer)
        sys.stdout.buffer.flush()
