"""The numbers behind the report: SQL over one published version, read-only, as Polars frames.

Any version is read through the documented time travel: in a read-only connection each published table
name is shadowed by a temporary view over `<table>_at(n)`, and every SQL model of `dbt_like_sql/` is built
again in the temporary catalog over those views (in dependency order). The marts a figure reads are then
exactly the marts of version n, whether n is current or not, and the published file is never written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from pipeline.storage.schema import TABLE_NAMES, quote_identifier
from pipeline.storage.sql_models import SqlModel, discover_models
from pipeline.storage.warehouse import WarehouseError, connect_read_only

TOP_SPEAKERS = 15
TOP_ENTITIES = 15
TOP_PAIRS = 15
TOP_QUOTED_ABOUT = 25
NO_DATE = "(no date)"
UNKNOWN = "unknown"

# Each figure: one SELECT over the version's tables and marts (names resolve to the temporary catalog).
FIGURE_SQL: dict[str, str] = {
    "articles_per_day": f"""
        SELECT coalesce(publisher, '(unknown)') AS publisher,
               coalesce(strftime(CAST(coalesce(published_at, updated_at) AS DATE), '%Y-%m-%d'),
                        '{NO_DATE}') AS day,
               count(*) AS articles
        FROM articles GROUP BY ALL ORDER BY day, publisher""",
    "top_speakers": f"""
        SELECT speaker,
               sum(quotes)::BIGINT AS quotes,
               sum(direct_quotes)::BIGINT AS direct,
               sum(partial_quotes)::BIGINT AS partial,
               sum(indirect_quotes)::BIGINT AS indirect,
               sum(articles)::BIGINT AS articles
        FROM quotes_per_speaker WHERE speaker <> '(unknown)'
        GROUP BY speaker ORDER BY quotes DESC, speaker LIMIT {TOP_SPEAKERS}""",
    "quotes_without_speaker": """
        SELECT count(*) AS quotes FROM quotes WHERE speaker IS NULL""",
    "gender_share": f"""
        SELECT publisher,
               coalesce(strftime(month, '%Y-%m'), '{NO_DATE}') AS month,
               coalesce(speaker_gender, '{UNKNOWN}') AS speaker_gender,
               quotes, speakers, share
        FROM quote_share_by_gender ORDER BY publisher, month, speaker_gender""",
    "top_entities": f"""
        SELECT name AS entity, label, mention_count AS mentions, article_count AS articles
        FROM entities ORDER BY mentions DESC, entity LIMIT {TOP_ENTITIES}""",
    "top_pairs": f"""
        SELECT entity_a, entity_b, sentences, articles
        FROM entity_cooccurrence ORDER BY sentences DESC, articles DESC, entity_a, entity_b
        LIMIT {TOP_PAIRS}""",
    "quoted_about": f"""
        SELECT speaker, about, about_label, quotes, articles
        FROM quoted_about ORDER BY quotes DESC, speaker, about LIMIT {TOP_QUOTED_ABOUT}""",
    "boilerplate": """
        SELECT kind, count(*) AS lines, count(DISTINCT article_id) AS articles
        FROM boilerplate_lines GROUP BY kind ORDER BY lines DESC, kind""",
    "quarantine": """
        SELECT reason, count(*) AS files FROM quarantine GROUP BY reason ORDER BY files DESC, reason""",
}


@dataclass(frozen=True)
class VersionInfo:
    version: int
    current: int
    published_at: datetime
    run_id: str
    status: str
    validation: str
    code_version: str
    model_version: str
    row_counts: dict[str, int]


@dataclass(frozen=True)
class Figures:
    """Everything the page shows about one version; each frame is the table printed beside its chart."""

    info: VersionInfo
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.frames[name]


def version_figures(database_path: Path, models_dir: Path, version: int | None = None) -> Figures:
    """The report's figures for `version` (default: the current one), read-only."""
    models = discover_models(models_dir, TABLE_NAMES)
    con = connect_read_only(database_path)
    try:
        info = _version_info(con, database_path, version)
        shadow_version(con, info.version, models)
        frames = {name: con.sql(sql).pl() for name, sql in FIGURE_SQL.items()}
        frames["suites"] = _suites(con, info.version)
        frames["changes"] = _changes(con, info.version)
        return Figures(info=info, frames=frames)
    finally:
        con.close()


def shadow_version(con: duckdb.DuckDBPyConnection, version: int, models: list[SqlModel]) -> None:
    """In this connection only: every published table and every SQL model as of `version`."""
    for table in TABLE_NAMES:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {quote_identifier(table)} AS "
            f"SELECT * FROM main.{quote_identifier(table + '_at')}({int(version)})"
        )
    for model in models:  # dependency order
        kind = "TABLE" if model.materialized == "table" else "VIEW"
        body = model.sql.strip().rstrip(";")
        try:
            con.execute(f"CREATE OR REPLACE TEMP {kind} {quote_identifier(model.name)} AS {body}")
        except duckdb.Error as error:
            raise WarehouseError(f"{model.path}: cannot build it over version {version}: {error}") from error


def _version_info(con: duckdb.DuckDBPyConnection, database_path: Path, version: int | None) -> VersionInfo:
    rows = con.sql(
        "SELECT version, published_at, run_id, status, coalesce(validation, ''), coalesce(code_version, ''), "
        "coalesce(model_version, ''), row_counts FROM versions ORDER BY version"
    ).fetchall()
    if not rows:
        raise WarehouseError(f"no version published in {database_path}: run `wirehouse run` first")
    published = {row[0]: row for row in rows}
    current = max(published)
    chosen = current if version is None else version
    if chosen not in published:
        raise WarehouseError(
            f"version {chosen} was never published in {database_path} (have {sorted(published)})"
        )
    number, published_at, run_id, status, validation, code, model, counts = published[chosen]
    return VersionInfo(
        version=number,
        current=current,
        published_at=published_at,
        run_id=run_id,
        status=status,
        validation=validation,
        code_version=code,
        model_version=model,
        row_counts={name: int(count) for name, count in json.loads(counts or "{}").items()},
    )


def _suites(con: duckdb.DuckDBPyConnection, version: int) -> pl.DataFrame:
    """Every suite's outcome for the version: expectations run, passed, failed, unexpected rows."""
    return con.sql(
        f"""
        SELECT table_name AS suite,
               count(*) AS expectations,
               count(*) FILTER (WHERE success) AS passed,
               count(*) FILTER (WHERE NOT success) AS failed,
               coalesce(sum(unexpected_count), 0)::BIGINT AS unexpected_rows
        FROM validation_results WHERE version = {int(version)} GROUP BY suite ORDER BY suite"""
    ).pl()


def _changes(con: duckdb.DuckDBPyConnection, version: int) -> pl.DataFrame:
    """Rows added and retired per table by `version`, from the history (`valid_from`/`valid_to`)."""
    v = int(version)
    selects = [
        f"SELECT {position} AS position, '{table}' AS table_name, "
        f"count(*) FILTER (WHERE valid_from <= {v} AND (valid_to IS NULL OR valid_to > {v})) AS rows_now, "
        f"count(*) FILTER (WHERE valid_from <= {v} - 1 AND (valid_to IS NULL OR valid_to > {v} - 1)) "
        f"AS rows_before, "
        f"count(*) FILTER (WHERE valid_from = {v}) AS added, "
        f"count(*) FILTER (WHERE valid_to = {v}) AS retired "
        f"FROM history.{quote_identifier(table)}"
        for position, table in enumerate(TABLE_NAMES)
    ]
    query = " UNION ALL ".join(selects)
    return con.sql(f"SELECT * EXCLUDE (position) FROM ({query}) ORDER BY position").pl()
