"""The versioned warehouse: atomic publish, history stored once, time travel, readers never block."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.storage.exports import export_current
from pipeline.storage.warehouse import RunInfo, WarehouseError, list_versions, publish

RUN = RunInfo(run_id="test-run", input_fingerprint="f", code_version="0", model_version="m")


def _tables(article_ids: list[str]) -> dict[str, pl.DataFrame]:
    articles = pl.DataFrame({"article_id": article_ids, "body": [f"Body of {a}." for a in article_ids]})
    empty = pl.DataFrame({"id": []}, schema={"id": pl.String})
    return {
        "articles": articles,
        "boilerplate_lines": empty,
        "entity_mentions": empty,
        "entities": pl.DataFrame({"entity_id": ["e1"], "aliases": [["UN", "United Nations"]]}),
        "quotes": empty,
        "quarantine": pl.DataFrame({"source_path": ["bad.txt"], "reason": ["empty"], "detail": ["0 bytes"]}),
    }


def _articles(database: Path, query: str = "SELECT article_id FROM articles ORDER BY 1") -> list[str]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return [row[0] for row in con.sql(query).fetchall()]
    finally:
        con.close()


def test_each_publish_is_a_version_and_old_versions_stay_queryable(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    first = publish(database, _tables(["a", "b"]), RUN)
    second = publish(database, _tables(["b", "c"]), RUN)
    assert (first.version, second.version) == (1, 2)
    assert (second.rows_added, second.rows_retired) == (1, 1)
    assert _articles(database) == ["b", "c"]
    assert _articles(database, "SELECT article_id FROM articles_at(1) ORDER BY 1") == ["a", "b"]
    assert list_versions(database)["version"].to_list() == [2, 1]


def test_republishing_the_same_batch_stores_nothing_new(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    publish(database, _tables(["a", "b"]), RUN)
    again = publish(database, _tables(["a", "b"]), RUN)
    assert (again.rows_added, again.rows_retired) == (0, 0)
    assert _articles(database, "SELECT count(*) FROM history.articles") == [2]


def test_a_failed_publish_changes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    publish(database, _tables(["a"]), RUN)
    before = database.read_bytes()
    incomplete = _tables(["z"])
    del incomplete["quotes"]
    with pytest.raises(WarehouseError, match="quotes"):
        publish(database, incomplete, RUN)
    assert database.read_bytes() == before
    assert list(tmp_path.glob(".news.duckdb.staging*")) == []


def test_an_analyst_holding_a_connection_does_not_block_a_publish(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    publish(database, _tables(["a"]), RUN)
    analyst = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, duckdb
                con = duckdb.connect({str(database)!r}, read_only=True)
                print(con.sql("SELECT count(*) FROM articles").fetchall()[0][0], flush=True)
                sys.stdin.readline()
                print(con.sql("SELECT count(*) FROM articles").fetchall()[0][0], flush=True)
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert analyst.stdout.readline().strip() == "1"
    publish(database, _tables(["a", "b", "c"]), RUN)  # while the analyst's connection is open
    out, _ = analyst.communicate("go\n", timeout=60)
    assert out.strip() == "1"  # the analyst keeps a consistent snapshot
    assert _articles(database) == ["a", "b", "c"]


def test_exports_hold_the_current_version(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    publish(database, _tables(["a"]), RUN)
    publish(database, _tables(["a", "b"]), RUN)
    written = export_current(database, tmp_path / "exports")
    assert pl.read_parquet(written["articles"])["article_id"].sort().to_list() == ["a", "b"]
    assert pl.scan_parquet(tmp_path / "exports" / "entities" / "*.parquet").collect()["aliases"][
        0
    ].to_list() == [
        "UN",
        "United Nations",
    ]
