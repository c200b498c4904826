"""dbt_like_sql: dependencies parsed from SQL, ordering, and clear errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline.settings import MODELS_DIR
from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.sql_models import ModelError, build_model, discover_models, referenced_tables


def _write(folder: Path, name: str, sql: str, properties: str | None = None) -> None:
    """A model file, and when given its YAML entry (the lines below `models:`) in `<name>.yml`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.sql").write_text(sql, encoding="utf-8")
    if properties is not None:
        (folder / f"{name}.yml").write_text(f"version: 2\nmodels:\n{properties}", encoding="utf-8")


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
    _write(
        tmp_path / "staging",
        "a_staging",
        "SELECT * FROM articles",
        "  - name: a_staging\n    config:\n      materialized: table\n",
    )
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
    _write(tmp_path, "speakers", "SELECT * FROM quotes")
    (tmp_path / "schema.yml").write_text(
        """
version: 2
models:
  - name: speakers
    description: One row per quote.
    config:
      materialized: table
    columns:
      - name: quote_id
        description: The key.
        data_tests: [unique, not_null]
      - name: quote_type
        data_tests:
          - accepted_values:
              values: [direct, partial]
      - name: article_id
        data_tests:
          - relationships:
              to: source('wirehouse', 'articles')
              field: article_id
""",
        encoding="utf-8",
    )
    (model,) = discover_models(tmp_path, TABLE_NAMES)
    assert (model.description, model.materialized) == ("One row per quote.", "table")
    assert model.column_descriptions["quote_id"] == "The key."
    assert model.properties_path == tmp_path / "schema.yml"
    con = duckdb.connect()
    con.execute("CREATE TABLE articles AS SELECT 'a1' AS article_id")
    con.execute(
        "CREATE TABLE quotes AS SELECT * FROM (VALUES ('q1', 'direct', 'a1'), ('q1', 'indirect', 'a1'), "
        "(NULL, 'partial', 'gone')) AS t(quote_id, quote_type, article_id)"
    )
    built = build_model(con, model)
    assert built.row_count == 3
    assert con.sql(
        "SELECT table_type FROM information_schema.tables WHERE table_name = 'speakers'"
    ).fetchall() == [("BASE TABLE",)]
    assert built.test_failures == {
        "unique_quote_id": 1,
        "not_null_quote_id": 1,
        "accepted_values_quote_type": 1,
        "relationships_articles_article_id": 1,
    }


def test_relationships_to_a_model_with_ref_and_dbt_1_10_arguments(tmp_path: Path) -> None:
    _write(tmp_path, "base", "SELECT * FROM quotes", "  - name: base\n")
    _write(
        tmp_path,
        "child",
        "SELECT * FROM base",
        """  - name: child
    columns:
      - name: quote_id
        data_tests:
          - relationships:
              arguments:
                to: ref('base')
                field: quote_id
          - accepted_values:
              arguments:
                values: [q1]
              config:
                severity: warn
""",
    )
    child = next(model for model in discover_models(tmp_path, TABLE_NAMES) if model.name == "child")
    assert [(test.kind, test.options) for test in child.tests] == [
        ("relationships", {"to": "base", "field": "quote_id"}),
        ("accepted_values", {"values": ["q1"]}),
    ]
    assert child.materialized == "view"


def test_the_shipped_models_are_each_documented_once_in_dbt_shape() -> None:
    for path in MODELS_DIR.rglob("*.yml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert document["version"] == 2, path
        assert isinstance(document["models"], list), path
    models = discover_models(MODELS_DIR, TABLE_NAMES)
    assert {model.name for model in models} == {path.stem for path in MODELS_DIR.rglob("*.sql")}
    for model in models:
        assert model.properties_path is not None, f"{model.path} has no YAML entry"
        assert model.description, f"{model.name} has no description"
        assert model.column_descriptions, f"{model.name} documents no column"
    materialized = {model.name: model.materialized for model in models}
    assert materialized["quotes_per_speaker"] == "table"
    assert materialized["stg_quotes"] == "view"


@pytest.mark.parametrize(
    ("sql", "properties", "message"),
    [
        (
            "-- materialized: table\nSELECT * FROM quotes",
            "  - name: m\n",
            r"m\.sql: `-- materialized: table`: settings live in the model's YAML entry",
        ),
        (
            "SELECT * FROM quotes",
            "  - name: m\n    columns:\n      - name: x\n        tests: [unique]\n",
            r"m\.yml \(model m\): column 'x': write `data_tests:`",
        ),
        (
            "SELECT * FROM quotes",
            "  - name: m\n    columns:\n      - name: x\n        data_tests: [is_lovely]\n",
            r"m\.yml \(model m\): column 'x': unknown test 'is_lovely'",
        ),
        (
            "SELECT * FROM quotes",
            "  - name: m\n    materialized: table\n",
            r"m\.yml \(model m\): unknown key\(s\) \['materialized'\]",
        ),
        (
            "SELECT * FROM quotes",
            "  - name: m\n    config: {materialized: incremental}\n",
            r"materialized must be one of \('view', 'table'\), not 'incremental'",
        ),
        (
            "SELECT * FROM quotes",
            "  - name: m\n  - name: ghost\n",
            r"m\.yml: describes model 'ghost', but there is no ghost\.sql",
        ),
        (
            "SELECT * FROM quotes",
            "  - name: m\n    columns:\n      - name: x\n        data_tests:\n"
            "          - relationships: {to: entities, field: entity_id}\n",
            r"relationships `to: entities` names no model or published table; write ref",
        ),
    ],
)
def test_yaml_that_is_not_dbt_shaped_is_an_error_naming_the_file(
    tmp_path: Path, sql: str, properties: str, message: str
) -> None:
    _write(tmp_path, "m", sql, properties)
    with pytest.raises(ModelError, match=message):
        discover_models(tmp_path, TABLE_NAMES)


def test_a_yaml_file_without_version_2_or_a_model_described_twice_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "m", "SELECT * FROM quotes", "  - name: m\n")
    (tmp_path / "old.yml").write_text("columns:\n  - name: x\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"old\.yml: expected dbt's properties file: `version: 2`"):
        discover_models(tmp_path, TABLE_NAMES)
    (tmp_path / "old.yml").write_text("version: 2\nmodels:\n  - name: m\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"model 'm' is described twice"):
        discover_models(tmp_path, TABLE_NAMES)
