"""Faults: a run killed at any stage, a full disk while exporting, a corrupted hand-off file, the warehouse
locked by another process. Each leaves the published version intact, and the next run recovers."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipeline.assembly import build_definitions
from pipeline.orchestrate import failure_reason, project_instance, run_pipeline
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage import exports
from pipeline.storage.audit import record_audit
from pipeline.storage.exports import export_current
from pipeline.storage.schema import TABLE_NAMES
from pipeline.storage.staging import failed_batches, stage_batch
from pipeline.storage.warehouse import RunInfo, WarehouseError, publish
from tests.conftest import settings_for

WIREHOUSE = str(Path(sys.executable).parent / "wirehouse")
NEW_TITLE = "Harbour reopens after storm"
NEW_ARTICLE = (
    f"{NEW_TITLE}\n\n"
    "The harbour reopened on Monday after a week of repairs, the port authority said.\n\n"
    "“We are back in business,” harbour master Ellen Kowalski told reporters on the quay.\n"
)


@dataclass(frozen=True)
class Published:
    """What analysts see: the newest version, its row counts, and a query over the articles."""

    version: int
    row_counts: dict[str, int]
    titles: list[str]


def read_published(database: Path) -> Published:
    con = duckdb.connect(str(database), read_only=True)
    try:
        version, counts = con.sql(
            "SELECT version, row_counts FROM versions ORDER BY version DESC LIMIT 1"
        ).fetchall()[0]
        titles = [row[0] for row in con.sql("SELECT title FROM articles ORDER BY title").fetchall()]
    finally:
        con.close()
    return Published(version, json.loads(counts), titles)


@pytest.fixture
def published(seed_run, seed_input: Path, tmp_path: Path) -> Settings:
    """A warehouse that already holds a published version (a copy of the seed run's) and its input."""
    seeded, _ = seed_run
    shutil.copytree(seeded.warehouse_dir, tmp_path / "warehouse")
    shutil.copytree(seed_input, tmp_path / "input")
    return settings_for(tmp_path / "input", tmp_path / "warehouse", n_process=1)


def leftover_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("pipeline.storage") and record.levelno >= logging.WARNING
    ]


def partial_files(warehouse: Path) -> list[Path]:
    return [path for path in warehouse.rglob("*.partial") if "cache" not in path.parts] + list(
        warehouse.glob(".news.duckdb.staging-*")
    )


def exported(warehouse: Path) -> tuple[int, int]:
    """The version `_version.json` names, and the article rows the current export holds."""
    manifest = json.loads((warehouse / "exports" / "_version.json").read_text(encoding="utf-8"))
    return manifest["version"], pl.read_parquet(warehouse / "exports" / "articles" / "*.parquet").height


def _tables(article_ids: list[str], quarantine_detail: str = "0 bytes") -> dict[str, pl.DataFrame]:
    """A small batch made by hand, for faults that need no spaCy run."""
    empty = pl.DataFrame({"id": []}, schema={"id": pl.String})
    tables = {name: empty for name in TABLE_NAMES}
    tables["articles"] = pl.DataFrame(
        {"article_id": article_ids, "body": [f"Body of {a}." for a in article_ids]}
    )
    tables["quarantine"] = pl.DataFrame(
        {"source_path": ["bad.txt"], "reason": ["empty"], "detail": [quarantine_detail]}
    )
    return tables


def _publish(database: Path, tables: dict[str, pl.DataFrame]) -> int:
    """Stage and publish as a run does, the batch named after its run; returns the version."""
    batch = database.parent / "staging" / f"batch-{time.monotonic_ns()}.duckdb"
    stage_batch(batch, tables, batch.stem, "fingerprint")
    record_audit(batch, [])  # audited by no suite: publishable
    return publish(database, batch, RunInfo(run_id=batch.stem, code_version="0", model_version="m")).version


# --- a run killed at each stage ----------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """The files whose change shows how far a run got."""

    articles_handoff: frozenset[tuple[Path, int]]
    database: int
    shards: frozenset[Path]

    @classmethod
    def of(cls, warehouse: Path) -> Snapshot:
        return cls(
            _articles_handoffs(warehouse),
            _inode(warehouse / "news.duckdb"),
            _shards(warehouse),
        )


def _inode(path: Path) -> int:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return 0


def _articles_handoffs(warehouse: Path) -> frozenset[tuple[Path, int]]:
    """The cleaned articles of each landing batch (one file per partition) and their inodes."""
    return frozenset((path, _inode(path)) for path in (warehouse / "handoff" / "articles").glob("*.parquet"))


def _shards(warehouse: Path) -> frozenset[Path]:
    """Cache shards in place: a `.<id>.partial` folder is still being written (glob matches dots)."""
    paths = (warehouse / "cache" / "nlp").glob("*/*/keys.parquet")
    return frozenset(path for path in paths if not path.parent.name.startswith("."))


STAGES: dict[str, Callable[[Path, Snapshot], bool]] = {
    # the cleaned articles handed to the parse step
    "cleaned": lambda warehouse, before: bool(_articles_handoffs(warehouse) - before.articles_handoff),
    # the new article parsed and cached
    "parsed": lambda warehouse, before: bool(_shards(warehouse) - before.shards),
    # the batch being written to the staging folder
    "staging": lambda warehouse, before: any((warehouse / "staging").glob("*.duckdb.partial")),
    # the batch staged, the suites auditing it
    "audited": lambda warehouse, before: any((warehouse / "staging").glob("*.duckdb")),
    # the copy of news.duckdb being written
    "publishing": lambda warehouse, before: any(warehouse.glob(".news.duckdb.staging-*")),
    # news.duckdb just replaced: the run is removing its batch, exporting, building the SQL models
    "published": lambda warehouse, before: _inode(warehouse / "news.duckdb") != before.database,
}


def run_until(settings: Settings, stage: str) -> subprocess.CompletedProcess[str]:
    """`wirehouse run` in a subprocess, killed (SIGKILL, its whole process group) once `stage` is seen."""
    reached = STAGES[stage]
    before = Snapshot.of(settings.warehouse_dir)
    run = subprocess.Popen(
        [WIREHOUSE, "run", "--input", str(settings.input_dir), "--warehouse", str(settings.warehouse_dir)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "WIREHOUSE_N_PROCESS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not reached(settings.warehouse_dir, before):
        if run.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(run.pid, signal.SIGKILL)  # past the deadline: leave no run behind
            out, err = run.communicate(timeout=60)
            raise AssertionError(f"the run ended before stage {stage!r} was seen: {out}{err[-3000:]}")
        time.sleep(0.001)
    os.killpg(run.pid, signal.SIGKILL)
    out, err = run.communicate(timeout=60)
    assert run.returncode == -signal.SIGKILL, f"the run finished before it was killed: {out}"
    return subprocess.CompletedProcess(run.args, run.returncode, out, err)


def _articles_parsed(outcome) -> int:
    """Articles parsed by the run's parse steps. A step over a range of landing batches reports its count
    on each batch's materialisation: one count per step."""
    per_step = {
        event.step_key: event.event_specific_data.materialization.metadata["articles_parsed"].value
        for event in outcome.result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
        and event.event_specific_data.materialization.asset_key == dg.AssetKey("parsed_quotes")
    }
    assert per_step, "the run parsed no batch"
    return sum(per_step.values())


def _kill_and_recover(stage: str, published: Settings, caplog: pytest.LogCaptureFixture) -> None:
    """Add an article, kill the run at `stage`, check what analysts see, then run again."""
    before = read_published(published.database_path)
    (published.input_dir / "harbour.txt").write_text(NEW_ARTICLE, encoding="utf-8")

    run_until(published, stage)

    after_kill = _assert_intact_after_kill(stage, published.warehouse_dir, before)
    killed_batches = sorted((published.warehouse_dir / "staging").glob("*.duckdb"))
    if stage in ("audited", "publishing"):
        assert len(killed_batches) == 1
        assert failed_batches(published.warehouse_dir) == killed_batches  # `wirehouse versions` lists it
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        outcome = run_pipeline(published)

    assert outcome.success, outcome.reason
    recovered = read_published(published.database_path)
    # killed after the swap, the new version is whole and current: nothing changed since, no new version
    assert recovered.version == after_kill.version + (0 if stage == "published" else 1)
    assert NEW_TITLE in recovered.titles and recovered.row_counts["articles"] == 3
    assert exported(published.warehouse_dir) == (recovered.version, 3)
    assert partial_files(published.warehouse_dir) == []
    assert _articles_parsed(outcome) == (1 if stage == "cleaned" else 0)  # parsed work is not lost
    _assert_leftovers_reported(stage, leftover_lines(caplog), killed_batches)
    kept = killed_batches if stage in ("audited", "publishing") else []
    assert failed_batches(published.warehouse_dir) == kept


def _assert_intact_after_kill(stage: str, warehouse: Path, before: Published) -> Published:
    """Before the swap, analysts see the version they saw; after it, the whole new version."""
    after_kill = read_published(warehouse / "news.duckdb")
    if stage != "published":
        assert after_kill == before
        return after_kill
    assert after_kill.version == before.version + 1
    assert NEW_TITLE in after_kill.titles and after_kill.row_counts["articles"] == 3
    assert exported(warehouse) in {(before.version, 2), (after_kill.version, 3)}  # one version or the other
    return after_kill


def _assert_leftovers_reported(stage: str, lines: list[str], killed_batches: list[Path]) -> None:
    """One line from the staging step about what the killed run left, one from the publish if it
    left a copy of the warehouse."""
    staging_lines = [line for line in lines if "leftovers of interrupted or failed runs" in line]
    if stage == "staging":
        (line,) = staging_lines
        assert "removed 1 half-written batch (" in line and ".duckdb.partial)" in line
    elif stage in ("audited", "publishing"):
        (line,) = staging_lines
        assert f"kept 1 batch never published ({killed_batches[0].name}) for inspection" in line
    elif stage == "published" and killed_batches:  # killed before the run removed its published batch
        (line,) = staging_lines
        assert f"removed 1 batch already published ({killed_batches[0].name})" in line
    else:
        assert staging_lines == []
    copies = [line for line in lines if "left by an interrupted publish" in line]
    if stage != "published":  # (killed after the swap, the run may have been building the SQL models)
        assert len(copies) == (1 if stage == "publishing" else 0), lines


@pytest.mark.parametrize("stage", ["cleaned", "parsed", "staging", "audited"])
def test_a_run_killed_before_publishing_leaves_the_published_version_and_the_next_run_recovers(
    stage: str, published: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    _kill_and_recover(stage, published, caplog)


@pytest.mark.long
@pytest.mark.parametrize("stage", ["publishing", "published"])
def test_a_run_killed_while_publishing_leaves_one_whole_version_and_the_next_run_recovers(
    stage: str, published: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    _kill_and_recover(stage, published, caplog)


def test_a_batch_published_by_a_run_killed_before_removing_it_is_removed_by_the_next(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "news.duckdb"
    _publish(database, _tables(["a"]))
    published_batch = tmp_path / "staging" / "killed-run.duckdb"
    stage_batch(published_batch, _tables(["a", "b"]), "killed-run", "f")
    record_audit(published_batch, [])
    publish(database, published_batch, RunInfo(run_id="killed-run", code_version="0", model_version="m"))
    assert failed_batches(tmp_path) == []  # published: not listed as never published

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        _publish(database, _tables(["a", "b", "c"]))

    (line,) = leftover_lines(caplog)
    assert line == (
        f"leftovers of interrupted or failed runs in {tmp_path / 'staging'}: "
        "removed 1 batch already published (killed-run.duckdb)"
    )
    assert not published_batch.exists()


# --- a full disk while exporting ---------------------------------------------------------------------


def _export_files(exports_dir: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(exports_dir)): path.read_bytes()
        for path in sorted(exports_dir.rglob("*"))
        if path.is_file() and path.name != ".lock"
    }


EXPORT_WITH_A_FILE_SIZE_LIMIT = """
import resource, signal, sys
from pathlib import Path
from pipeline.storage.exports import export_current
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), int(sys.argv[3])))
try:
    export_current(Path(sys.argv[1]), Path(sys.argv[2]))
except Exception as error:  # noqa: BLE001 - any failure, reported on stderr
    print(error, file=sys.stderr)
    sys.exit(3)
"""


def test_an_export_that_runs_out_of_room_half_way_replaces_nothing(tmp_path: Path) -> None:
    database, exports_dir = tmp_path / "news.duckdb", tmp_path / "exports"
    _publish(database, _tables(["a", "b"]))
    export_current(database, exports_dir)
    before = _export_files(exports_dir)
    # version 2: the last table exported (quarantine) no longer fits under the limit, the others do
    _publish(database, _tables(["a", "b", "c"], quarantine_detail=os.urandom(60_000).hex()))

    limited = subprocess.run(
        [sys.executable, "-c", EXPORT_WITH_A_FILE_SIZE_LIMIT, str(database), str(exports_dir), "40000"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert limited.returncode == 3, limited.stderr
    message = limited.stderr.strip().splitlines()[-1]
    quarantine = exports_dir / "quarantine" / "quarantine.parquet"
    assert message.startswith(f"could not write the Parquet export {quarantine}: File too large")
    assert message.endswith(
        f"nothing was replaced: {exports_dir} still holds version 1 (_version.json); free space and run again"
    )
    assert _export_files(exports_dir) == before  # every file of version 1, no partial file
    assert export_current(database, exports_dir)["articles"].exists()
    assert json.loads((exports_dir / "_version.json").read_text())["version"] == 2
    assert pl.read_parquet(exports_dir / "articles" / "*.parquet").height == 3


def test_partial_exports_of_a_killed_export_are_removed_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database, exports_dir = tmp_path / "news.duckdb", tmp_path / "exports"
    _publish(database, _tables(["a"]))
    export_current(database, exports_dir)
    # what a kill between writing and swapping leaves: partial files beside their final names
    (exports_dir / "quotes" / ".quotes.parquet.partial").write_bytes(b"PAR1 half")
    (exports_dir / "._version.json.partial").write_text('{"vers')
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        export_current(database, exports_dir)
    (line,) = leftover_lines(caplog)
    assert line.startswith(f"removed 2 partial file(s) left in {exports_dir} by an interrupted export")
    assert list(exports_dir.rglob("*.partial")) == []


def _fail_writing(final: Path) -> Callable[[duckdb.DuckDBPyConnection, str, Path], None]:
    """The exports' writer, failing like a full disk part way through the file that becomes `final`."""
    real = exports.write_parquet

    def write(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
        if path == exports.partial_path(final):
            path.write_bytes(b"PAR1")  # the first bytes made it to disk
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(con, query, path)

    return write


def test_a_run_whose_export_fails_publishes_says_so_and_the_next_run_exports(
    published: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = published.warehouse_dir
    before = _export_files(published.exports_dir)
    (published.input_dir / "003_aae34b095bee0b31.txt").unlink()  # a change that needs no parsing
    history_quotes = published.exports_dir / "history" / "quotes.parquet"
    monkeypatch.setattr(exports, "write_parquet", _fail_writing(history_quotes))

    failed = run_pipeline(published)

    assert not failed.success
    assert failed.reason == (
        "version 2 was published, but step parquet_exports failed: could not write the Parquet export "
        f"{history_quotes}: No space left on device; nothing was replaced: {published.exports_dir} still "
        "holds version 1 (_version.json); free space and run again"
    )
    assert read_published(published.database_path).row_counts["articles"] == 1  # version 2 is whole
    assert _export_files(published.exports_dir) == before
    assert partial_files(warehouse) == []

    monkeypatch.undo()
    again = run_pipeline(published)
    assert again.success, again.reason
    assert exported(warehouse) == (2, 1)  # the input is unchanged: no version 3, version 2 exported


# --- a corrupted hand-off file -----------------------------------------------------------------------


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garble(path: Path) -> None:
    data = path.read_bytes()
    third = len(data) // 3
    path.write_bytes(data[:third] + bytes(200) + data[third + 200 :])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _replace_with_other_parquet(path: Path) -> None:
    """A valid Parquet file, but not this asset's: the reader alone would hand on the wrong rows."""
    path.write_bytes((path.parent.parent / "quotes.parquet").read_bytes())


@pytest.mark.parametrize(
    "damage",
    [_truncate, _garble, _empty, _replace_with_other_parquet, Path.unlink],
    ids=["truncated", "garbled", "empty", "another_file", "missing"],
)
def test_a_corrupted_hand_off_fails_the_step_that_reads_it_and_publishes_nothing(
    damage: Callable[[Path], None], published: Settings
) -> None:
    before = read_published(published.database_path)
    (handoff,) = (published.handoff_dir / "parsed_mentions").glob("*.parquet")  # the seeds' one batch
    damage(handoff)
    defs = build_definitions(published)
    selection = ["entity_mentions", "quotes", "entities", "staged_batch", "warehouse"]

    result = dg.materialize(
        defs.assets,  # the suite checks are part of staged_batch
        selection=selection,
        resources=defs.resources,
        instance=project_instance(),  # where the seed run recorded its partitions
        raise_on_error=False,
    )

    assert not result.success
    reason = failure_reason(published, result)
    assert reason.startswith(
        f"step resolve_entities failed: {handoff}: the hand-off of asset `parsed_mentions`"
    )
    assert "materialise `parsed_mentions`" in reason
    assert [event.asset_key for event in result.get_asset_materialization_events()] == []
    assert read_published(published.database_path) == before


def test_a_full_run_after_a_corrupted_hand_off_rewrites_it_and_publishes(published: Settings) -> None:
    (handoff,) = (published.handoff_dir / "parsed_mentions").glob("*.parquet")
    _truncate(handoff)
    outcome = run_pipeline(published)
    assert outcome.success, outcome.reason
    assert read_published(published.database_path).version == 1  # same input: no new version
    assert (
        pl.read_parquet(handoff).height
        == read_published(published.database_path).row_counts["entity_mentions"]
    )


# --- the DuckDB file locked by another process -------------------------------------------------------

HOLD_FOR_WRITING = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE analyst_notes AS SELECT 'written while a run waited' AS note")
print("holding", flush=True)
sys.stdin.readline()
con.close()
"""


def _hold_for_writing(database: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_FOR_WRITING, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_warehouse_open_for_writing_elsewhere_fails_the_run_and_the_next_run_publishes(
    published: Settings,
) -> None:
    before = read_published(published.database_path)
    holder = _hold_for_writing(published.database_path)
    try:
        blocked = run_pipeline(published)
    finally:
        holder.communicate("done\n", timeout=60)

    assert not blocked.success
    assert blocked.reason == (
        f"nothing published: step warehouse failed: {published.database_path} is open for writing by "
        f"another process (PID {holder.pid}); nothing was published; close it (analysts connect "
        "read-only: duckdb.connect(path, read_only=True)) and run again"
    )
    assert read_published(published.database_path) == before
    assert failed_batches(published.warehouse_dir) != []  # the audited batch is kept, as for a failure

    after = run_pipeline(published)
    assert after.success, after.reason
    assert read_published(published.database_path).version == before.version  # same input: no new version
    con = duckdb.connect(str(published.database_path), read_only=True)
    assert con.sql("SELECT note FROM analyst_notes").fetchall() == [("written while a run waited",)]
    con.close()


def test_a_publish_refused_by_a_writer_leaves_no_copy_behind(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    _publish(database, _tables(["a"]))
    holder = _hold_for_writing(database)
    try:
        with pytest.raises(
            WarehouseError, match=rf"open for writing by another process \(PID {holder.pid}\)"
        ):
            _publish(database, _tables(["a", "b"]))
    finally:
        holder.communicate("done\n", timeout=60)
    assert list(tmp_path.glob(".news.duckdb.staging-*")) == []
    assert _publish(database, _tables(["a", "b"])) == 2


def test_the_log_of_a_writer_that_crashed_is_published_not_lost(tmp_path: Path) -> None:
    database = tmp_path / "news.duckdb"
    _publish(database, _tables(["a"]))
    holder = _hold_for_writing(database)
    holder.kill()  # its note is committed, in news.duckdb.wal only
    holder.wait(timeout=60)
    assert (tmp_path / "news.duckdb.wal").exists()

    assert _publish(database, _tables(["a", "b"])) == 2

    assert not (tmp_path / "news.duckdb.wal").exists()  # a stale log would make the file unreadable
    con = duckdb.connect(str(database), read_only=True)
    assert con.sql("SELECT note FROM analyst_notes").fetchall() == [("written while a run waited",)]
    assert con.sql("SELECT count(*) FROM articles").fetchall() == [(2,)]
    con.close()
