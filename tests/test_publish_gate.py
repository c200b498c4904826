"""Write-audit-publish in plain Python: `publish` itself refuses a batch whose blocking audit failed (real
DuckDB files, a real Great Expectations suite), and a warn-only suite does not block."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.quality.suites import load_suites
from pipeline.storage.audit import audit_batch, read_batch_audit
from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.staging import stage_batch
from pipeline.storage.warehouse import RunInfo, WarehouseError, list_versions, publish

BODY_NOT_NULL = {
    "name": "articles",
    "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "body"}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "article_id"}},
    ],
}


def _suites(tmp_path: Path) -> dict:
    folder = tmp_path / "expectations"
    folder.mkdir()
    (folder / "articles.json").write_text(json.dumps(BODY_NOT_NULL), encoding="utf-8")
    return load_suites(folder)


def _stage(tmp_path: Path, run_id: str, bodies: dict[str, str | None]) -> Path:
    empty = pl.DataFrame({"id": []}, schema={"id": pl.String})
    tables = {name: empty for name in TABLE_NAMES}
    tables["articles"] = pl.DataFrame(
        {"article_id": list(bodies), "body": list(bodies.values())},
        schema={"article_id": pl.String, "body": pl.String},
    )
    batch = tmp_path / "warehouse" / "staging" / f"{run_id}.duckdb"
    stage_batch(batch, tables, run_id, "fingerprint")
    return batch


def _run(run_id: str) -> RunInfo:
    return RunInfo(run_id=run_id, code_version="0", model_version="m")


def test_a_failed_blocking_audit_is_refused_by_publish_itself(tmp_path: Path) -> None:
    suites = _suites(tmp_path)
    database = tmp_path / "warehouse" / "news.duckdb"
    memory = tmp_path / "memory"
    good = _stage(tmp_path, "good", {"a": "One.", "b": "Two."})
    audits = audit_batch(good, suites, frozenset(), memory)
    assert [audit.result.success for audit in audits] == [True]
    assert publish(database, good, _run("good")).version == 1
    published = database.read_bytes()

    bad = _stage(tmp_path, "bad", {"a": "One.", "b": None})
    (audit,) = audit_batch(bad, suites, frozenset(), memory)
    assert not audit.result.success and audit.blocking
    stored = read_batch_audit(bad)
    assert stored is not None
    assert [(row["column_name"], row["success"]) for row in stored if not row["success"]] == [("body", False)]

    with pytest.raises(WarehouseError) as refused:
        publish(database, bad, _run("bad"))

    message = str(refused.value)
    assert "blocking audit failed" in message
    assert "articles: expect_column_values_to_not_be_null(body), 1 unexpected" in message
    assert str(bad) in message and "kept for inspection" in message
    assert bad.exists()  # kept for inspection
    assert database.read_bytes() == published  # the previous version stays current
    assert list_versions(database)["version"].to_list() == [1]
    assert not list(database.parent.glob(".news.duckdb.staging-*"))


def test_a_warn_only_suite_does_not_block_and_its_failure_is_recorded(tmp_path: Path) -> None:
    suites = _suites(tmp_path)
    database = tmp_path / "warehouse" / "news.duckdb"
    batch = _stage(tmp_path, "warned", {"a": None})
    (audit,) = audit_batch(batch, suites, frozenset({"articles"}), tmp_path / "memory")
    assert not audit.result.success and not audit.blocking

    published = publish(database, batch, _run("warned"))

    assert (published.version, published.validation) == (1, "1/2 expectations passed")
    con = duckdb.connect(str(database), read_only=True)
    try:
        failed = con.sql(
            "SELECT table_name, column_name FROM validation_results WHERE NOT success"
        ).fetchall()
        validation = con.sql("SELECT validation FROM versions").fetchall()
    finally:
        con.close()
    assert failed == [("articles", "body")]
    assert validation == [("1/2 expectations passed",)]


def test_a_batch_never_audited_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "warehouse" / "news.duckdb"
    batch = _stage(tmp_path, "unaudited", {"a": "One."})
    with pytest.raises(WarehouseError, match="never audited"):
        publish(database, batch, _run("unaudited"))
    assert not database.exists() and batch.exists()


def test_warn_only_naming_a_table_without_a_suite_is_an_error(tmp_path: Path) -> None:
    batch = _stage(tmp_path, "run", {"a": "One."})
    with pytest.raises(ValueError, match="WIREHOUSE_WARN_ONLY_SUITES names tables without a suite: quotes"):
        audit_batch(batch, _suites(tmp_path), frozenset({"quotes"}), tmp_path / "memory")
