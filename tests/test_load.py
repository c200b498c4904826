"""Load: thousands of small files, and files arriving while the sensor ticks and runs read the folder.

Nothing is missed, nothing is registered or published twice, and no half-written file is ever read. The
producers run in a process of their own and write real files the way producers do: in one go, slowly in
pieces, under a temporary name then renamed, into folders created on the fly. The sensor is the real one,
called the way the daemon calls it; the runs are real Dagster runs of `landing_run`.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipeline.assembly import build_definitions
from pipeline.automation import LANDING_JOB
from pipeline.ingest import is_temporary_name, list_input_files, read_settled_input_folder
from pipeline.landing import landing_dir, read_batch
from pipeline.orchestrate import run_pipeline
from pipeline.resources import WirehouseConfig
from pipeline.settings import Settings
from tests.conftest import settings_for

SETTLE_SECONDS = 0.5  # the tests' WIREHOUSE_SETTLE_SECONDS; producers pause at most a fifth of it
PIECE_PAUSE = 0.08
PLACES = ("Harbury", "Kelston", "Marford", "Ashby", "Dunmore", "Pellworth", "Risca", "Tolland", "Wexcombe")
WORKS = (
    ("library", "opening hours"),
    ("footbridge", "repairs"),
    ("primary school", "new classrooms"),
    ("covered market", "stall fees"),
    ("swimming pool", "roof"),
    ("bus station", "timetable"),
    ("community garden", "water supply"),
)
PEOPLE = ("Maria Okafor", "James Whitley", "Priya Raman", "Tomasz Nowak", "Helen Achterberg", "Owen Price")


def article_text(number: int) -> str:
    """A short local-news article, different in every sentence for every number."""
    place = PLACES[number % len(PLACES)]
    work, concern = WORKS[(number // len(PLACES)) % len(WORKS)]
    speaker = PEOPLE[(number // 3) % len(PEOPLE)]
    return (
        f"{place} approves plan {number} for the {work}\n\n"
        f"Councillors in {place} approved plan {number} for the {work} on Tuesday, after "
        f"{number % 40 + 3} residents wrote to the council about the {concern}.\n\n"
        f"“We read every one of the {number % 40 + 3} letters about the {concern},” said {speaker}, "
        f"who chairs committee {number} of the council.\n\n"
        f"Work on the {work} is due to start in week {number % 52 + 1}, and the cost of "
        f"{number * 13 + 250} pounds will be met from reserves, the council said.\n"
    )


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- producers ---------------------------------------------------------------------------------------------


def write_whole(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def write_in_pieces(path: Path, data: bytes, pieces: int = 3) -> None:
    """A slow producer: the file exists, growing, for a while before it is complete."""
    size = -(-len(data) // pieces)
    with path.open("wb") as handle:
        for start in range(0, len(data), size):
            handle.write(data[start : start + size])
            handle.flush()
            time.sleep(PIECE_PAUSE)


def write_then_rename(path: Path, data: bytes, temporary_name: str) -> None:
    """A careful producer: written slowly under a temporary name, renamed into place when complete."""
    temporary = path.with_name(temporary_name)
    write_in_pieces(temporary, data)
    os.replace(temporary, path)


def final_path(number: int) -> str:
    """Where article `number` ends up, relative to the landing folder."""
    name = f"story-{number:05d}.txt"
    return f"desk-{number % 7}/{name}" if number % 5 == 4 else name


def produce(folder: Path, number: int) -> None:
    """Write article `number` in one of five producer styles (by `number % 5`)."""
    data = article_text(number).encode()
    path = folder / final_path(number)
    name = path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    style = number % 5
    if style == 0:
        write_whole(path, data)
    elif style == 2:
        write_then_rename(path, data, f".{name}")
    elif style == 3:
        write_then_rename(path, data, name.replace(".txt", ".partial.txt"))
    else:
        write_in_pieces(path, data)


def produce_all(folder: Path, count: int, producers: int, gap: float) -> None:
    """`count` articles written by `producers` threads at once, each waiting `gap` seconds between files."""

    def lane(numbers: range, pace: random.Random) -> None:
        time.sleep(pace.uniform(0, 2 * PIECE_PAUSE))  # producers do not start in step
        for number in numbers:
            produce(folder, number)
            time.sleep(gap * pace.uniform(0.2, 1.8))

    lanes = [
        threading.Thread(target=lane, args=(range(count)[k::producers], random.Random(k)))
        for k in range(producers)
    ]
    for thread in lanes:
        thread.start()
    for thread in lanes:
        thread.join()


class Arrivals:
    """The producers in a process of their own, like real ones: the pipeline's work never slows them."""

    def __init__(self, folder: Path, count: int, producers: int = 10, gap: float = 0.0) -> None:
        fork = multiprocessing.get_context("fork")  # starts at once; the child only writes files
        self.process = fork.Process(target=produce_all, args=(folder, count, producers, gap))

    def start(self) -> Arrivals:
        self.process.start()
        return self

    def running(self) -> bool:
        return self.process.is_alive()

    def join(self) -> int | None:
        self.process.join()
        return self.process.exitcode


def folder_contents(folder: Path) -> dict[str, str]:
    """Every file below `folder` (temporary names too): relative path -> sha256."""
    return {
        path.relative_to(folder).as_posix(): sha256_of(path.read_bytes())
        for path in folder.rglob("*")
        if path.is_file()
    }


def expected_files(count: int) -> dict[str, str]:
    """What `Arrivals` leaves in the folder once done: relative path -> sha256 of the complete file."""
    return {final_path(number): sha256_of(article_text(number).encode()) for number in range(count)}


def write_settled_files(folder: Path, count: int) -> dict[str, str]:
    """`count` complete files, dated a minute ago (copied in earlier), in folders of 1,000."""
    expected = {}
    a_minute_ago = time.time() - 60
    for number in range(count):
        relative = f"day-{number // 1000:02d}/story-{number:05d}.txt"
        data = article_text(number).encode()
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
        os.utime(folder / relative, (a_minute_ago, a_minute_ago))
        expected[relative] = sha256_of(data)
    return expected


# --- the sensor, called the way the daemon calls it -------------------------------------------------------


class LandingSensor:
    """The `new_input_files` sensor with its cursor kept between ticks, its partitions added."""

    def __init__(self, settings: Settings, instance: dg.DagsterInstance) -> None:
        self.definitions = build_definitions(settings)
        self.sensor = self.definitions.resolve_sensor_def("new_input_files")
        self.resources = {"wirehouse": WirehouseConfig.from_settings(settings)}
        self.instance = instance
        self.cursor: str | None = None
        self.skip_reasons: list[str] = []

    def tick(self) -> dg.SensorResult:
        context = dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, resources=self.resources
        )
        result = self.sensor(context)
        for request in result.dynamic_partitions_requests:
            self.instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        if result.cursor is not None:
            self.cursor = result.cursor
        if result.skip_reason:
            self.skip_reasons.append(result.skip_reason.skip_message)
        return result

    def batches(self) -> list[str]:
        return self.instance.get_dynamic_partitions("landing_batches")


def registered_files(warehouse: Path, batches: list[str]) -> list[tuple[str, str]]:
    """(source_path, sha256) of every file in every batch manifest, repeats kept."""
    return sorted(row for key in batches for row in read_batch(warehouse, key).iter_rows())


def registry(warehouse: Path) -> pl.DataFrame:
    return pl.read_parquet(landing_dir(warehouse) / "registry.parquet")


@pytest.fixture
def settle(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setenv("WIREHOUSE_SETTLE_SECONDS", str(SETTLE_SECONDS))
    return SETTLE_SECONDS


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


# --- files still being written -----------------------------------------------------------------------------


def test_temporary_names_are_never_inputs(tmp_path: Path) -> None:
    temporary = [".story.txt", "~story.txt", "story.partial.txt", "story.tmp.txt", "story.PART.txt"]
    for name in [*temporary, "story.txt.partial", "story.txt~", "story.txt"]:
        (tmp_path / name).write_text(article_text(1), encoding="utf-8")
    (tmp_path / ".upload").mkdir()
    (tmp_path / ".upload" / "inside.txt").write_text(article_text(2), encoding="utf-8")

    assert [path.name for path in list_input_files(tmp_path)] == ["story.txt"]
    assert all(is_temporary_name(Path(name)) for name in [*temporary, ".upload/inside.txt"])
    found = read_settled_input_folder(tmp_path)
    assert found.raw["source_path"].to_list() == ["story.txt"]
    assert found.quarantine.is_empty(), "a temporary file is not even a duplicate: it is not there"


def test_a_file_written_under_a_temporary_name_is_registered_once_renamed(
    tmp_path: Path, settle: float, instance: dg.DagsterInstance
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    sensor = LandingSensor(settings_for(landing, tmp_path / "warehouse"), instance)
    data = article_text(7).encode()
    (landing / "story.partial.txt").write_bytes(data[:100])

    first = sensor.tick()
    assert not first.run_requests and sensor.batches() == []

    (landing / "story.partial.txt").write_bytes(data)
    os.replace(landing / "story.partial.txt", landing / "story.txt")
    second = sensor.tick()
    assert len(second.run_requests) == 1
    assert registered_files(tmp_path / "warehouse", sensor.batches()) == [("story.txt", sha256_of(data))]


def test_a_file_being_written_is_deferred_then_registered_whole_once(
    tmp_path: Path, settle: float, instance: dg.DagsterInstance
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    warehouse = tmp_path / "warehouse"
    (landing / "settled.txt").write_text(article_text(1), encoding="utf-8")
    sensor = LandingSensor(settings_for(landing, warehouse), instance)
    assert len(sensor.tick().run_requests) == 1
    data = article_text(2).encode() * 4  # four times as long: written in 16 pieces over 1.3 s
    writer = threading.Thread(target=write_in_pieces, args=(landing / "growing.txt", data, 16))
    writer.start()
    time.sleep(PIECE_PAUSE)

    during = sensor.tick()
    writer.join()

    assert not during.run_requests, "a file still being written is not registered"
    assert "growing.txt" in sensor.skip_reasons[-1] and "still being written" in sensor.skip_reasons[-1]
    after = sensor.tick()  # nothing else changed: the cursor must not have marked it seen
    assert len(after.run_requests) == 1
    assert registered_files(warehouse, sensor.batches()) == sorted(
        [("settled.txt", sha256_of(article_text(1).encode())), ("growing.txt", sha256_of(data))]
    )
    assert registry(warehouse).height == 2


def test_a_complete_file_copied_in_just_now_is_registered_by_the_same_tick(
    tmp_path: Path, settle: float, instance: dg.DagsterInstance
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    sensor = LandingSensor(settings_for(landing, tmp_path / "warehouse"), instance)
    (landing / "fresh.txt").write_text(article_text(3), encoding="utf-8")
    assert len(sensor.tick().run_requests) == 1  # watched for the settling time, unchanged: registered
    assert not sensor.tick().run_requests
    assert sensor.skip_reasons == ["no new or changed files"]


def test_a_run_defers_a_file_still_being_written_and_reads_it_whole_next_time(
    tmp_path: Path, settle: float
) -> None:
    (tmp_path / "settled.txt").write_text(article_text(1), encoding="utf-8")
    data = article_text(2).encode() * 4
    writer = threading.Thread(target=write_in_pieces, args=(tmp_path / "growing.txt", data, 16))
    writer.start()
    time.sleep(PIECE_PAUSE)

    during = read_settled_input_folder(tmp_path, settle_seconds=settle)
    writer.join()
    after = read_settled_input_folder(tmp_path, settle_seconds=settle)

    assert during.raw["source_path"].to_list() == ["settled.txt"]
    assert during.deferred == ("growing.txt",) and during.quarantine.is_empty()
    assert dict(after.raw.select("source_path", "content_sha256").iter_rows()) == {
        "settled.txt": sha256_of(article_text(1).encode()),
        "growing.txt": sha256_of(data),
    }
    assert after.deferred == ()


class GrowingFile:
    """A producer that keeps appending paragraphs of one article until told to finish."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = b""
        self._finish = threading.Event()
        self._thread = threading.Thread(target=self._write)

    def __enter__(self) -> GrowingFile:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._finish.set()
        self._thread.join()

    def _write(self) -> None:
        paragraphs = (
            f"Paragraph {number}: the inquiry heard from witness {number} on Thursday, the chair said.\n\n"
            for number in range(1, 10_000)
        )
        with self.path.open("wb") as handle:
            for piece in (article_text(99).encode(), *(p.encode() for p in paragraphs)):
                handle.write(piece)
                handle.flush()
                self.data += piece
                if self._finish.wait(PIECE_PAUSE):
                    return


@pytest.mark.long  # two real runs (~25 s); test_a_run_defers_... is its fast variant
def test_a_run_publishes_what_has_settled_and_the_next_run_the_file_that_was_being_written(
    tmp_path: Path, settle: float, caplog: pytest.LogCaptureFixture
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "settled.txt").write_text(article_text(1), encoding="utf-8")
    settings = settings_for(landing, tmp_path / "warehouse")
    with caplog.at_level(logging.WARNING), GrowingFile(landing / "growing.txt") as growing:
        during = run_pipeline(settings)
    after = run_pipeline(settings)

    assert during.success and after.success, during.reason + after.reason
    deferred = [r.getMessage() for r in caplog.records if "still being written" in r.getMessage()]
    assert deferred and "growing.txt" in deferred[0], "the run says which file it left for later"
    con = duckdb.connect(str(settings.database_path), read_only=True)
    try:
        by_version = con.sql(
            "SELECT valid_from, source_path, content_sha256 FROM history.articles ORDER BY ALL"
        ).fetchall()
        quarantined = con.sql("SELECT * FROM history.quarantine").fetchall()
    finally:
        con.close()
    assert by_version == [
        (1, "settled.txt", sha256_of(article_text(1).encode())),
        (2, "growing.txt", sha256_of(growing.data)),
    ], "the file being written was left out of version 1, whole in version 2"
    assert quarantined == []


# --- many small files --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "count",
    [pytest.param(1_200, id="1200-files"), pytest.param(20_000, id="20000-files", marks=pytest.mark.long)],
)
def test_many_small_files_are_each_registered_in_exactly_one_batch_and_all_read(
    tmp_path: Path, settle: float, instance: dg.DagsterInstance, count: int
) -> None:
    landing = tmp_path / "landing"
    warehouse = tmp_path / "warehouse"
    expected = write_settled_files(landing, count)
    sensor = LandingSensor(settings_for(landing, warehouse), instance)

    first = sensor.tick()
    second = sensor.tick()
    sensor.cursor = None  # a lost cursor (a reset sensor) must not register anything again either
    third = sensor.tick()

    assert len(first.run_requests) == len(sensor.batches()) == -(-count // 500)
    assert {request.partition_key for request in first.run_requests} == set(sensor.batches())
    assert all(read_batch(warehouse, key).height <= 500 for key in sensor.batches())
    assert registered_files(warehouse, sensor.batches()) == sorted(expected.items())
    assert not second.run_requests and sensor.skip_reasons[-2] == "no new or changed files"
    assert (
        not third.run_requests and sensor.skip_reasons[-1] == "files changed on disk but hold no new content"
    )
    assert registry(warehouse).height == count

    found = read_settled_input_folder(landing, settle_seconds=settle)
    assert dict(found.raw.select("source_path", "content_sha256").iter_rows()) == expected
    assert found.quarantine.is_empty() and found.deferred == ()


def test_batches_registered_within_the_same_second_get_distinct_keys(
    tmp_path: Path, settle: float, instance: dg.DagsterInstance
) -> None:
    landing = tmp_path / "landing"
    warehouse = tmp_path / "warehouse"
    sensor = LandingSensor(settings_for(landing, warehouse), instance)
    write_settled_files(landing, 3)
    keys = []
    for number in range(3, 8):  # five ticks in quick succession, a new file each
        (landing / f"extra-{number}.txt").write_text(article_text(number), encoding="utf-8")
        os.utime(landing / f"extra-{number}.txt", (time.time() - 60, time.time() - 60))
        keys += [request.partition_key for request in sensor.tick().run_requests]
    assert len(keys) == len(set(keys)) == 5
    assert len(registered_files(warehouse, keys)) == 8  # the first tick also registered the three settled


# --- files arriving while the sensor ticks and runs read the folder ---------------------------------------


def test_files_arriving_during_ticks_and_reads_are_registered_once_and_never_read_partial(
    tmp_path: Path, settle: float, instance: dg.DagsterInstance
) -> None:
    landing = tmp_path / "landing"
    warehouse = tmp_path / "warehouse"
    landing.mkdir()
    expected = expected_files(400)  # the long test below: 1,000 files and real runs
    sensor = LandingSensor(settings_for(landing, warehouse), instance)
    arrivals = Arrivals(landing, 400).start()
    reads = []
    while arrivals.running():
        sensor.tick()
        reads.append(read_settled_input_folder(landing, settle_seconds=settle))
    assert arrivals.join() == 0 and folder_contents(landing) == expected, "the producers finished"
    time.sleep(settle)
    sensor.tick()
    final_tick = sensor.tick()

    assert sorted(registry(warehouse).select("source_path", "content_sha256").iter_rows()) == sorted(
        expected.items()
    ), "every file's complete content registered, once, and nothing else"
    assert registered_files(warehouse, sensor.batches()) == sorted(expected.items())
    assert not final_tick.run_requests
    for found in reads:
        read = dict(found.raw.select("source_path", "content_sha256").iter_rows())
        assert {path: expected[path] for path in read} == read, "a read never holds partial content"
        assert found.quarantine.is_empty(), "a file being written is never quarantined (e.g. as empty)"
    assert any(found.deferred for found in reads), "the producers were caught writing at least once"
    final = read_settled_input_folder(landing, settle_seconds=settle)
    assert dict(final.raw.select("source_path", "content_sha256").iter_rows()) == expected


@pytest.mark.long
def test_1000_files_arriving_while_landing_runs_publish_are_each_published_once(
    tmp_path: Path, settle: float, instance: dg.DagsterInstance
) -> None:
    landing = tmp_path / "landing"
    warehouse = tmp_path / "warehouse"
    landing.mkdir()
    settings = settings_for(landing, warehouse)
    sensor = LandingSensor(settings, instance)
    landing_job = sensor.definitions.resolve_job_def(LANDING_JOB)
    expected = expected_files(1_000)
    arrivals = Arrivals(landing, 1_000, producers=10, gap=0.6).start()  # ~70 s of arrivals
    runs: list[dg.ExecuteInProcessResult] = []
    started_while_arriving = 0

    def run_requested(result: dg.SensorResult) -> None:
        nonlocal started_while_arriving
        for request in result.run_requests:
            started_while_arriving += arrivals.running()
            runs.append(
                landing_job.execute_in_process(
                    instance=instance, partition_key=request.partition_key, raise_on_error=False
                )
            )

    while arrivals.running():
        run_requested(sensor.tick())
    assert arrivals.join() == 0 and folder_contents(landing) == expected, "the producers finished"
    time.sleep(settle)
    for _ in range(3):  # what is left settles; any batch registered now gets its run
        run_requested(sensor.tick())

    assert all(run.success for run in runs)
    assert started_while_arriving >= 2, "runs read the folder while files were being written"
    assert sum(_articles_parsed(run) for run in runs) == len(expected), "each article parsed once"
    assert registered_files(warehouse, sensor.batches()) == sorted(expected.items())
    con = duckdb.connect(str(settings.database_path), read_only=True)
    try:
        published = con.sql("SELECT source_path, content_sha256 FROM articles").fetchall()
        ever_published = con.sql("SELECT DISTINCT content_sha256 FROM history.articles").fetchall()
        quarantined = con.sql("SELECT source_path, reason FROM quarantine").fetchall()
        versions = con.sql("SELECT count(*) FROM versions").fetchall()[0][0]
    finally:
        con.close()
    assert sorted(published) == sorted(expected.items()), "every file published once, none missing"
    assert {digest for (digest,) in ever_published} <= set(expected.values()), "no partial content, ever"
    assert quarantined == []
    assert versions == len(runs)


def _articles_parsed(run: dg.ExecuteInProcessResult) -> int:
    (materialization,) = [
        event.event_specific_data.materialization
        for event in run.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
        and event.event_specific_data.materialization.asset_key == dg.AssetKey("parsed_quotes")
    ]
    return materialization.metadata["articles_parsed"].value
