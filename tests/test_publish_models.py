"""SQL models built inside the publish's staged copy, before the one swap: marts are part of the version
(real DuckDB files, real model files), the file is not touched when neither rows nor models changed, and
a run's SQL-model assets report what the publish built instead of writing the warehouse again."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import polars as pl

from pipeline.storage.audit import record_audit
from pipeline.storage.exports import export_current
from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.sql_models import discover_models
from pipeline.storage.staging import stage_batch
from pipeline.storage.warehouse import RunInfo, list_versions, publish

RUN = RunInfo(run_id="test-run", code_version="0", model_version="m")
PROPERTIES = "version: 2\nmodels:\n  - name: article_count\n    config:\n      materialized: table\n"


def _models(folder: Path, sql: str = "SELECT count(*) AS n FROM articles") -> list:
    folder.mkdir(exist_ok=True)
    (folder / "article_count.sql").write_text(sql + "\n", encoding="utf-8")
    (folder / "article_count.yml").write_text(PROPERTIES, encoding="utf-8")
    (folder / "stg_articles.sql").write_text("SELECT article_id FROM articles\n", encoding="utf-8")
    return discover_models(folder, TABLE_NAMES)


def _publish(database: Path, article_ids: list[str], models: list):
    empty = pl.DataFrame({"id": []}, schema={"id": pl.String})
    tables = {name: empty for name in TABLE_NAMES}
    tables["articles"] = pl.DataFrame(
        {"article_id": article_ids, "body": [f"Body {a}." for a in article_ids]}
    )
    batch = database.parent / "staging" / f"batch-{time.monotonic_ns()}.duckdb"
    stage_batch(batch, tables, "test-run", "fingerprint")
    record_audit(batch, [])
    return publish(database, batch, RUN, models)


def _one(database: Path, query: str) -> list:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.sql(query).fetchall()
    finally:
        con.close()


def test_the_marts_are_built_in_the_version_they_describe(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    models = _models(tmp_path / "models")

    first = _publish(database, ["a", "b"], models)
    second = _publish(database, ["a", "b", "c"], models)

    assert (first.version, second.version) == (1, 2)
    assert sorted(second.models) == ["article_count", "stg_articles"]
    assert second.models["article_count"].row_count == 1
    assert _one(database, "SELECT n FROM article_count") == [(3,)]
    assert _one(database, "SELECT count(*) FROM stg_articles") == [(3,)]
    assert _one(database, "SELECT count(*) FROM articles_at(1)") == [(2,)]  # time travel unchanged
    assert sorted(_one(database, "SELECT name, built_on_version FROM sql_models")) == [
        ("article_count", 2),
        ("stg_articles", 2),
    ]
    assert not list(tmp_path.glob(".news.duckdb.staging-*"))  # the one copy was swapped in


def test_no_change_and_no_model_change_leaves_the_file_alone(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    models = _models(tmp_path / "models")
    _publish(database, ["a", "b"], models)
    before = database.stat()

    again = _publish(database, ["b", "a"], models)

    assert (again.version, again.changed, again.models) == (1, False, {})
    after = database.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_an_edited_model_over_unchanged_rows_is_rebuilt_without_a_version(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    _publish(database, ["a", "b"], _models(tmp_path / "models"))
    edited = _models(tmp_path / "models", "SELECT count(*) * 10 AS n FROM articles")

    again = _publish(database, ["a", "b"], edited)

    assert (again.version, again.changed, sorted(again.models)) == (
        1,
        False,
        ["article_count", "stg_articles"],
    )
    assert _one(database, "SELECT n FROM article_count") == [(20,)]
    assert list_versions(database)["version"].to_list() == [1]


def test_the_exports_read_the_marts_the_version_holds(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    models = _models(tmp_path / "models")
    _publish(database, ["a", "b"], models)
    written = export_current(database, tmp_path / "exports", models)
    assert pl.read_parquet(written["article_count"])["n"].to_list() == [2]


def test_a_run_reports_the_models_its_publish_built(seed_run) -> None:
    settings, outcome = seed_run
    reports = [
        event.event_specific_data.materialization
        for event in outcome.result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
        and event.event_specific_data.materialization.asset_key.path[0]
        in {model.name for model in discover_models(settings.models_dir, TABLE_NAMES)}
    ]
    assert reports
    assert all(report.metadata["built_by_publish"].value is True for report in reports)
    version = _one(settings.database_path, "SELECT max(version) FROM versions")[0][0]
    assert {report.metadata["built_on_version"].value for report in reports} == {version}
