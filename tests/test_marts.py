"""The shipped SQL models on the seeds, checked against counts computed here from the base tables."""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections import Counter
from itertools import combinations
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipeline.assembly import build_definitions
from pipeline.settings import MODELS_DIR
from pipeline.storage import exports
from pipeline.storage.exports import export_current
from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.sql_models import ModelError, discover_models
from tests.conftest import settings_for


@pytest.fixture(scope="module")
def con(seed_run):
    settings, _ = seed_run
    connection = duckdb.connect(str(settings.database_path), read_only=True)
    yield connection
    connection.close()


def _frame(con: duckdb.DuckDBPyConnection, query: str) -> pl.DataFrame:
    return con.sql(query).pl()


def test_quote_type_share_matches_the_quotes(con) -> None:
    quotes = _frame(con, "SELECT q.quote_type, a.publisher FROM quotes q JOIN articles a USING (article_id)")
    expected = Counter(zip(quotes["publisher"], quotes["quote_type"], strict=True))
    mart = _frame(con, "SELECT * FROM quote_type_share")
    assert {(r["publisher"], r["quote_type"]): r["quotes"] for r in mart.iter_rows(named=True)} == expected
    for publisher, shares in mart.group_by("publisher"):
        assert abs(shares["share"].sum() - 1) < 1e-3, publisher


def test_quotes_per_speaker_counts_every_quote_once(con) -> None:
    total = con.sql("SELECT count(*) FROM quotes").fetchall()[0][0]
    assert con.sql("SELECT sum(quotes) FROM quotes_per_speaker").fetchall()[0][0] == total


def test_entity_cooccurrence_matches_pairs_counted_in_python(con) -> None:
    mentions = _frame(con, "SELECT article_id, entity_id, sentence_no FROM entity_mentions")
    sentences: Counter = Counter()
    articles: Counter = Counter()
    for _, group in mentions.group_by("article_id"):
        ids = sorted(set(group["entity_id"]))
        articles.update(combinations(ids, 2))
        for _, sentence in group.group_by("sentence_no"):
            sentences.update(combinations(sorted(set(sentence["entity_id"])), 2))
    mart = _frame(con, "SELECT entity_id_a, entity_id_b, sentences, articles FROM entity_cooccurrence")
    assert mart.height == len(articles)
    for row in mart.iter_rows(named=True):
        pair = (row["entity_id_a"], row["entity_id_b"])
        assert (row["articles"], row["sentences"]) == (articles[pair], sentences[pair])


def test_quoted_about_counts_entities_inside_quote_spans(con) -> None:
    quotes = _frame(
        con, "SELECT quote_id, article_id, speaker, speaker_entity_id, start_char, end_char FROM quotes"
    )
    mentions = _frame(
        con,
        "SELECT m.article_id, m.entity_id, e.name, m.start_char, m.end_char "
        "FROM entity_mentions m JOIN entities e USING (entity_id)",
    )
    expected: Counter = Counter()
    for quote in quotes.filter(pl.col("speaker").is_not_null()).iter_rows(named=True):
        inside = mentions.filter(
            (pl.col("article_id") == quote["article_id"])
            & (pl.col("start_char") >= quote["start_char"])
            & (pl.col("end_char") <= quote["end_char"])
            & (pl.col("entity_id") != (quote["speaker_entity_id"] or ""))
        )
        expected.update((quote["speaker"], name) for name in set(inside["name"]))
    mart = _frame(con, "SELECT speaker, about, quotes FROM quoted_about")
    assert {(r["speaker"], r["about"]): r["quotes"] for r in mart.iter_rows(named=True)} == expected
    assert expected, "the seeds have quotes that mention entities"


def test_unsourced_articles_are_those_without_quotes(con) -> None:
    expected = {
        row[0]
        for row in con.sql("SELECT article_id FROM articles EXCEPT SELECT article_id FROM quotes").fetchall()
    }
    assert {row[0] for row in con.sql("SELECT article_id FROM unsourced_articles").fetchall()} == expected


def test_a_new_sql_file_becomes_an_asset_and_builds_without_python_changes(seed_run, tmp_path: Path) -> None:
    published, _ = seed_run
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    (models / "marts" / "quotes_per_article.sql").write_text(
        "SELECT article_id, count(*) AS quotes FROM stg_quotes GROUP BY ALL\n", encoding="utf-8"
    )
    (models / "marts" / "quotes_per_article.yml").write_text(
        "version: 2\nmodels:\n  - name: quotes_per_article\n    description: Quotes per article.\n"
        "    config:\n      materialized: table\n",
        encoding="utf-8",
    )
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copy(published.database_path, warehouse / "news.duckdb")
    defs = build_definitions(settings_for(published.input_dir, warehouse, models_dir=models))
    new_key = dg.AssetKey("quotes_per_article")
    assert new_key in defs.resolve_asset_graph().get_all_asset_keys()

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        asset_selection=[new_key, dg.AssetKey("stg_quotes")], instance=dg.DagsterInstance.ephemeral()
    )

    assert result.success
    con = duckdb.connect(str(warehouse / "news.duckdb"), read_only=True)
    built = con.sql("SELECT sum(quotes) FROM quotes_per_article").fetchall()[0][0]
    assert built == con.sql("SELECT count(*) FROM quotes").fetchall()[0][0]
    con.close()
    checks = {evaluation.check_name: evaluation.passed for evaluation in result.get_asset_check_evaluations()}
    assert checks and all(checks.values())


# --- marts for notebooks: every model materialised as a table is exported beside the tables -------------


def _table_models() -> list[str]:
    return sorted(m.name for m in discover_models(MODELS_DIR, TABLE_NAMES) if m.materialized == "table")


def test_every_table_model_is_exported_beside_the_tables_and_listed(seed_run, con) -> None:
    settings, _ = seed_run
    manifest = json.loads((settings.exports_dir / "_version.json").read_text(encoding="utf-8"))
    assert sorted(manifest["models"]) == _table_models()
    assert "stg_quotes" not in manifest["models"]  # a view: read it from the warehouse
    assert manifest["version"] == con.sql("SELECT max(version) FROM versions").fetchall()[0][0]
    per_speaker = pl.read_parquet(settings.exports_dir / "quotes_per_speaker" / "*.parquet")
    built = con.sql("SELECT * FROM quotes_per_speaker").pl()
    assert per_speaker.sort(per_speaker.columns).equals(built.sort(built.columns))
    for name in _table_models():
        exported = pl.scan_parquet(settings.exports_dir / name / "*.parquet").collect()
        assert exported.height == con.sql(f"SELECT count(*) FROM {name}").fetchall()[0][0], name


def _published_copy(seed_run, tmp_path: Path) -> tuple[Path, Path]:
    settings, _ = seed_run
    database = tmp_path / "news.duckdb"
    shutil.copy(settings.database_path, database)
    return database, tmp_path / "exports"


def test_marts_are_all_or_nothing_with_the_tables(
    seed_run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, exports_dir = _published_copy(seed_run, tmp_path)
    models = discover_models(MODELS_DIR, TABLE_NAMES)
    export_current(database, exports_dir, models)
    before = {path: path.read_bytes() for path in exports_dir.rglob("*") if path.is_file()}
    failing = exports_dir / "quoted_about" / "quoted_about.parquet"
    real = exports.write_parquet

    def full_disk(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
        if path == exports.partial_path(failing):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(con, query, path)

    monkeypatch.setattr(exports, "write_parquet", full_disk)
    with pytest.raises(exports.ExportError, match="No space left on device; nothing was replaced"):
        export_current(database, exports_dir, models)
    after = {path: path.read_bytes() for path in exports_dir.rglob("*") if path.is_file()}
    assert after == before  # no table, mart or manifest replaced, no partial file left


def test_a_model_no_longer_a_table_leaves_the_exports(seed_run, tmp_path: Path) -> None:
    database, exports_dir = _published_copy(seed_run, tmp_path)
    models = discover_models(MODELS_DIR, TABLE_NAMES)
    export_current(database, exports_dir, models)
    assert (exports_dir / "entity_cooccurrence" / "entity_cooccurrence.parquet").exists()
    export_current(database, exports_dir, [m for m in models if m.name != "entity_cooccurrence"])
    assert not (exports_dir / "entity_cooccurrence").exists()
    assert (exports_dir / "quotes_per_speaker" / "quotes_per_speaker.parquet").exists()
    assert (exports_dir / "quotes" / "quotes.parquet").exists()


def test_a_model_that_fails_while_exporting_names_its_file(seed_run, tmp_path: Path) -> None:
    database, exports_dir = _published_copy(seed_run, tmp_path)
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    (models_dir / "broken.sql").write_text("SELECT no_such_column FROM quotes", encoding="utf-8")
    with pytest.raises(ModelError, match=r"broken\.sql: .*no_such_column"):
        export_current(database, exports_dir, discover_models(models_dir, TABLE_NAMES))
    assert not (exports_dir / "_version.json").exists()
