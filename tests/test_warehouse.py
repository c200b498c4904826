"""The versioned warehouse: staged batches, atomic publish, history stored once, time travel, concurrency."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.quality.suites import load_suites, validate
from pipeline.settings import EXPECTATIONS_DIR
from pipeline.storage.audit import audit_batch, audit_frame, read_batch_audit, record_audit
from pipeline.storage.exports import export_current, export_version
from pipeline.storage.schema import PUBLISHED_TABLES
from pipeline.storage.staging import stage_batch
from pipeline.storage.warehouse import RunInfo, WarehouseError, list_versions, publish

RUN = RunInfo(run_id="test-run", code_version="0", model_version="m")


def _tables(article_ids: list[str]) -> dict[str, pl.DataFrame]:
    articles = pl.DataFrame({"article_id": article_ids, "body": [f"Body of {a}." for a in article_ids]})
    empty = pl.DataFrame({"id": []}, schema={"id": pl.String})
    return {
        "articles": articles,
        "boilerplate_lines": empty,
        "captions": empty,
        "entity_mentions": empty,
        "entities": pl.DataFrame({"entity_id": ["e1"], "aliases": [["UN", "United Nations"]]}),
        "quotes": empty,
        "quarantine": pl.DataFrame({"source_path": ["bad.txt"], "reason": ["empty"], "detail": ["0 bytes"]}),
    }


def _publish(database: Path, tables: dict[str, pl.DataFrame]):
    batch = database.parent / "staging" / f"batch-{time.monotonic_ns()}.duckdb"
    stage_batch(batch, tables, "test-run", "fingerprint")
    record_audit(batch, [])  # audited by no suite: publishable
    return publish(database, batch, RUN)


def _query(database: Path, query: str) -> list:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return [row[0] if len(row) == 1 else row for row in con.sql(query).fetchall()]
    finally:
        con.close()


def test_each_publish_is_a_version_and_old_versions_stay_queryable(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    first = _publish(database, _tables(["a", "b"]))
    second = _publish(database, _tables(["b", "c"]))
    assert (first.version, second.version) == (1, 2)
    assert (second.rows_added, second.rows_retired) == (1, 1)
    assert _query(database, "SELECT article_id FROM articles ORDER BY 1") == ["b", "c"]
    assert _query(database, "SELECT article_id FROM articles_at(1) ORDER BY 1") == ["a", "b"]
    assert list_versions(database)["version"].to_list() == [2, 1]
    assert _query(database, "SELECT input_fingerprint FROM versions WHERE version = 2") == ["fingerprint"]


def test_republishing_stores_only_what_changed(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    big = [f"article-{n:05d}" for n in range(20_000)]
    _publish(database, _tables(big))
    size_after_one = database.stat().st_size
    for _ in range(9):
        again = _publish(database, _tables(big))
        assert (again.rows_added, again.rows_retired) == (0, 0)
    assert _query(database, "SELECT count(*) FROM history.articles") == [20_000]
    assert database.stat().st_size < size_after_one * 1.5
    changed = _publish(database, _tables([*big[:-1], "article-new"]))
    assert (changed.rows_added, changed.rows_retired) == (1, 1)


def test_a_batch_missing_a_table_changes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    _publish(database, _tables(["a"]))
    before = database.read_bytes()
    incomplete = tmp_path / "incomplete.duckdb"
    con = duckdb.connect(str(incomplete))
    con.execute("CREATE TABLE articles AS SELECT 'z' AS article_id")
    con.close()
    with pytest.raises(WarehouseError, match="tables missing from the batch"):
        publish(database, incomplete, RUN)
    assert database.read_bytes() == before
    assert list(tmp_path.glob(".news.duckdb.staging*")) == []


def test_the_suites_audit_offsets_and_relations_in_the_staged_batch(tmp_path: Path) -> None:
    body = "“We will rebuild,” the mayor said."
    tables = {
        "articles": pl.DataFrame({"article_id": ["a1"], "body": [body]}),
        "boilerplate_lines": pl.DataFrame({"article_id": ["ghost"], "line_no": [1]}),
        "captions": pl.DataFrame({"article_id": ["a1"], "line_no": [1]}),
        "entity_mentions": pl.DataFrame(
            {
                "mention_id": ["m1"],
                "article_id": ["a1"],
                "entity_id": ["e1"],
                "text": ["mayor"],
                "start_char": [23],
                "end_char": [28],
            }
        ),
        "entities": pl.DataFrame({"entity_id": ["e1"], "gender": pl.Series([None], dtype=pl.String)}),
        "quotes": pl.DataFrame(
            {
                "quote_id": ["q1", "q2"],
                "article_id": ["a1", "a1"],
                "speaker_entity_id": [None, None],
                "speaker_gender": pl.Series([None, None], dtype=pl.String),
                "text": ["We will rebuild", "We will rebuild"],
                "start_char": [1, 0],
                "end_char": [16, 15],
            }
        ),
        "quarantine": pl.DataFrame({"source_path": ["x"]}),
    }
    batch = tmp_path / "batch.duckdb"
    stage_batch(batch, tables, "run", "f")
    suites = load_suites(EXPECTATIONS_DIR)

    quotes = audit_frame(batch, "quotes", suites["quotes"].audit_sql)
    assert quotes.sort("quote_id")["text_matches_body"].to_list() == [True, False]
    failed = {outcome.column for outcome in validate(quotes, suites["quotes"]).failures}
    assert "text_matches_body" in failed and "offsets_inside_body" not in failed

    mentions = audit_frame(batch, "entity_mentions", suites["entity_mentions"].audit_sql)
    assert mentions["text_matches_body"].to_list() == [True]
    orphans = audit_frame(batch, "boilerplate_lines", suites["boilerplate_lines"].audit_sql)
    assert "article_exists" in {
        outcome.column for outcome in validate(orphans, suites["boilerplate_lines"]).failures
    }


def test_the_audit_stores_every_outcome_in_the_batch_and_a_new_audit_replaces_it(tmp_path: Path) -> None:
    batch = tmp_path / "batch.duckdb"
    empty = {spec.name: pl.DataFrame(schema=spec.polars_schema) for spec in PUBLISHED_TABLES}
    stage_batch(batch, empty, "run", "f")
    suites = load_suites(EXPECTATIONS_DIR)

    audits = audit_batch(batch, suites, frozenset({"quotes"}), tmp_path / "memory")

    expected = [row for audit in audits for row in audit.rows()]
    assert len(expected) == sum(suite.expectation_count for suite in suites.values())
    assert read_batch_audit(batch) == expected  # every column, None and all, in the suites' order
    assert {row["table_name"] for row in expected if not row["blocking"]} == {"quotes"}
    again = audit_batch(batch, suites, frozenset(), tmp_path / "memory")  # remembered: same outcomes
    assert all(audit.result.reused for audit in again)
    assert read_batch_audit(batch) == [row for audit in again for row in audit.rows()]
    record_audit(batch, [])
    assert read_batch_audit(batch) == []


ANALYST = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.sql("SELECT count(*) FROM articles").fetchall()[0][0], flush=True)
sys.stdin.readline()
print(con.sql("SELECT count(*) FROM articles").fetchall()[0][0], flush=True)
"""

PUBLISHER = """
import sys, time
import polars as pl
from pathlib import Path
from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.audit import record_audit
from pipeline.storage.staging import stage_batch
from pipeline.storage.warehouse import RunInfo, publish
database, batch = Path(sys.argv[1]), Path(sys.argv[2])
ids = [f"article-{n:07d}" for n in range(int(sys.argv[3]))]
empty = pl.DataFrame({"id": []}, schema={"id": pl.String})
tables = {name: empty for name in TABLE_NAMES}
tables["articles"] = pl.DataFrame({"article_id": ids, "body": [i * 20 for i in ids]})
stage_batch(batch, tables, "killed-run", "f")
record_audit(batch, [])
print("staged", flush=True)
publish(database, batch, RunInfo(run_id="killed-run", code_version="0", model_version="m"))
print("published", flush=True)
"""


def test_an_analyst_holding_a_connection_does_not_block_a_publish(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    _publish(database, _tables(["a"]))
    analyst = subprocess.Popen(
        [sys.executable, "-c", ANALYST, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert analyst.stdout.readline().strip() == "1"
    _publish(database, _tables(["a", "b", "c"]))  # while the analyst's connection is open
    out, _ = analyst.communicate("go\n", timeout=60)
    assert out.strip() == "1"  # the analyst keeps the snapshot it opened
    assert _query(database, "SELECT count(*) FROM articles") == [3]


def _start_publisher(database: Path, tmp_path: Path, rows: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(database), str(tmp_path / "big-batch.duckdb"), str(rows)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )


def _wait_for_publish_to_start(publisher: subprocess.Popen, database: Path) -> None:
    first_line = publisher.stdout.readline().strip()
    if first_line != "staged":
        message = f"the publisher did not stage its batch: {first_line!r} (exit {publisher.wait()})"
        raise AssertionError(f"{message}: {publisher.stderr.read()[-3000:]}")
    deadline = time.monotonic() + 60
    while not list(database.parent.glob(".news.duckdb.staging-*")):
        assert time.monotonic() < deadline and publisher.poll() is None, "the publish never started"
        time.sleep(0.005)


def test_an_analyst_can_open_the_warehouse_while_a_run_publishes(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    _publish(database, _tables(["a"]))
    publisher = _start_publisher(database, tmp_path, 2_000_000)
    _wait_for_publish_to_start(publisher, database)
    opened = subprocess.run(
        [sys.executable, "-c", ANALYST, str(database)],
        input="go\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert opened.returncode == 0, opened.stderr
    assert publisher.poll() is None, (
        "the publish finished before the analyst opened the file: use a bigger batch"
    )
    assert opened.stdout.split() == ["1", "1"]
    publisher.communicate(timeout=300)
    assert _query(database, "SELECT count(*) FROM articles") == [2_000_000]


def test_killing_a_publish_leaves_the_previous_version_and_the_next_run_succeeds(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    _publish(database, _tables(["a"]))
    publisher = _start_publisher(database, tmp_path, 2_000_000)
    _wait_for_publish_to_start(publisher, database)
    time.sleep(0.2)
    assert publisher.poll() is None, "the publish finished before it could be killed: use a bigger batch"
    os.kill(publisher.pid, signal.SIGKILL)
    publisher.wait(timeout=60)
    assert _query(database, "SELECT max(version) FROM versions") == [1]
    assert _query(database, "SELECT article_id FROM articles") == ["a"]
    after = _publish(database, _tables(["a", "b"]))
    assert after.version == 2
    assert list(tmp_path.glob(".news.duckdb.staging-*")) == []


def test_exports_hold_the_current_version_its_history_and_any_version(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    _publish(database, _tables(["a"]))
    _publish(database, _tables(["a", "b"]))
    exports = tmp_path / "exports"
    written = export_current(database, exports)
    assert pl.read_parquet(written["articles"])["article_id"].sort().to_list() == ["a", "b"]
    aliases = pl.scan_parquet(exports / "entities" / "*.parquet").collect()["aliases"][0].to_list()
    assert aliases == ["UN", "United Nations"]
    history = pl.read_parquet(exports / "history" / "articles.parquet")
    as_of_1 = history.filter(
        (pl.col("valid_from") <= 1) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > 1))
    )
    assert as_of_1["article_id"].to_list() == ["a"]
    first = export_version(database, 1, tmp_path / "v1")
    assert pl.read_parquet(first["articles"])["article_id"].to_list() == ["a"]
    with pytest.raises(WarehouseError, match="version 9 was never published"):
        export_version(database, 9, tmp_path / "v9")
