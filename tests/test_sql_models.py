"""dbt_like_sql: dependencies parsed from SQL, ordering, and clear errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.settings import MODELS_DIR
from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.sql_models import ModelError, build_model, discover_models, referenced_tables


def _write(folder: Path, name: str, sql: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.sql").write_text(sql, encoding="utf-8")


def test_ctes_and_schema_qualified_names_are_not_models() -> None:
    sql = """
        WITH recent AS (SELECT * FROM quotes)
        SELECT * FROM recent
        JOIN history.articles h USING (article_id)
        WHERE speaker IN (SELECT name FROM "stg entities")
    """
    assert referenced_tables(sql) == {"quotes", "stg entities"}


def test_models_come_in_dependency_order(tmp_path: Path) -> None:
    _write(tmp_path / "marts", "b_mart", "SELECT * FROM a_staging JOIN quotes USING (article_id)")
    _write(tmp_path / "staging", "a_staging", "-- materialized: table\nSELECT * FROM articles")
    models = discover_models(tmp_path, TABLE_NAMES)
    assert [model.name for model in models] == ["a_staging", "b_mart"]
    assert models[1].depends_on == ("a_staging",)
    assert models[1].sources == ("quotes",)
    assert models[0].materialized == "table"
    assert models[1].group == "marts"


def test_a_cycle_names_the_files(tmp_path: Path) -> None:
    _write(tmp_path, "left", "SELECT * FROM right_model")
    _write(tmp_path, "right_model", "SELECT * FROM left")
    with pytest.raises(ModelError, match=r"cycle.*left\.sql"):
        discover_models(tmp_path, TABLE_NAMES)


def test_an_unknown_name_names_the_file(tmp_path: Path) -> None:
    _write(tmp_path, "typo", "SELECT * FROM quotse")
    with pytest.raises(ModelError, match=r"typo\.sql: unknown table or model quotse"):
        discover_models(tmp_path, TABLE_NAMES)


def test_the_shipped_models_load() -> None:
    names = [model.name for model in discover_models(MODELS_DIR, TABLE_NAMES)]
    assert names.index("stg_quotes") < names.index("quotes_per_speaker")


def test_yaml_settings_and_dbt_tests_run_against_the_built_model(tmp_path: Path) -> None:
    _write(tmp_path, "speakers", "-- materialized: table\nSELECT * FROM quotes")
    (tmp_path / "speakers.yml").write_text(
        """
description: One row per quote.
columns:
  - name: quote_id
    description: The key.
    tests: [unique, not_null]
  - name: quote_type
    tests:
      - accepted_values: {values: [direct, partial]}
  - name: article_id
    tests:
      - relationships: {to: articles, field: article_id}
""",
        encoding="utf-8",
    )
    (model,) = discover_models(tmp_path, TABLE_NAMES)
    assert model.description == "One row per quote."
    assert model.column_descriptions["quote_id"] == "The key."
    con = duckdb.connect()
    con.execute("CREATE TABLE articles AS SELECT 'a1' AS article_id")
    con.execute(
        "CREATE TABLE quotes AS SELECT * FROM (VALUES ('q1', 'direct', 'a1'), ('q1', 'indirect', 'a1'), "
        "(NULL, 'partial', 'gone')) AS t(quote_id, quote_type, article_id)"
    )
    built = build_model(con, model)
    assert built.row_count == 3
    assert built.test_failures == {
        "unique_quote_id": 1,
        "not_null_quote_id": 1,
        "accepted_values_quote_type": 1,
        "relationships_articles_article_id": 1,
    }


def test_a_bad_test_is_an_error_naming_the_yaml_file(tmp_path: Path) -> None:
    _write(tmp_path, "m", "SELECT * FROM quotes")
    (tmp_path / "m.yml").write_text("columns:\n  - name: x\n    tests: [is_lovely]\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"m\.yml: unknown test 'is_lovely'"):
        discover_models(tmp_path, TABLE_NAMES)
