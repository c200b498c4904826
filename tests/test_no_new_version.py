"""No version for nothing: publishing a batch equal to the current version makes no version at all."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import polars as pl

from pipeline.storage.audit import record_audit
from pipeline.storage.staging import stage_batch
from pipeline.storage.warehouse import RunInfo, list_versions, publish

RUN = RunInfo(run_id="test-run", code_version="0", model_version="m")


def _tables(bodies: dict[str, str]) -> dict[str, pl.DataFrame]:
    empty = pl.DataFrame({"id": []}, schema={"id": pl.String})
    return {
        "articles": pl.DataFrame({"article_id": list(bodies), "body": list(bodies.values())}),
        "boilerplate_lines": empty,
        "captions": empty,
        "entity_mentions": empty,
        "entities": empty,
        "quotes": empty,
        "quarantine": empty,
    }


def _publish(database: Path, tables: dict[str, pl.DataFrame]):
    batch = database.parent / "staging" / f"batch-{time.monotonic_ns()}.duckdb"
    stage_batch(batch, tables, "test-run", "fingerprint")
    record_audit(batch, [])  # audited by no suite: publishable
    return publish(database, batch, RUN)


def test_the_same_batch_again_makes_no_version_and_leaves_the_file_alone(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    first = _publish(database, _tables({"a": "One.", "b": "Two."}))
    assert (first.version, first.changed) == (1, True)
    published = database.stat()

    again = _publish(database, _tables({"b": "Two.", "a": "One."}))  # same rows, another order

    assert (again.version, again.changed, again.rows_added, again.rows_retired) == (1, False, 0, 0)
    assert again.row_counts["articles"] == 2
    assert again.summary == "nothing changed: version 1 is current"
    assert list_versions(database)["version"].to_list() == [1]
    after = database.stat()
    assert (after.st_ino, after.st_mtime_ns) == (published.st_ino, published.st_mtime_ns)  # not swapped
    assert not list(tmp_path.glob(".news.duckdb.staging-*"))


def test_any_change_is_a_version(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    _publish(database, _tables({"a": "One.", "b": "Two."}))
    edited = _publish(database, _tables({"a": "One.", "b": "Two, edited."}))
    removed = _publish(database, _tables({"a": "One."}))
    assert [(v.version, v.changed) for v in (edited, removed)] == [(2, True), (3, True)]
    assert (removed.rows_added, removed.rows_retired) == (0, 1)
    con = duckdb.connect(str(database), read_only=True)
    assert con.sql("SELECT count(*) FROM articles_at(2)").fetchall() == [(2,)]
    con.close()


def test_an_empty_first_batch_is_still_version_1(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    first = _publish(database, _tables({}))
    assert (first.version, first.changed) == (1, True)
