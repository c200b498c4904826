"""An unchanged re-run is decided before Dagster starts: the same files, code and settings, and the
published file the last run left."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.rerun import STAMP_FILE, RunStamp
from pipeline.settings import PROJECT_ROOT, Settings


@pytest.fixture
def published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A folder of old files and a warehouse whose `news.duckdb` (a stand-in file) a run just left."""
    for name in ("WIREHOUSE_N_PROCESS", "WIREHOUSE_BATCH_SIZE", "WIREHOUSE_MAX_TEXT_CHARS"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "input"
    (folder / "sub").mkdir(parents=True)
    for name in ("a.txt", "sub/b.txt"):
        (folder / name).write_text(f"text of {name}", encoding="utf-8")
        os.utime(folder / name, (time.time() - 60, time.time() - 60))
    settings = Settings.from_env(input_dir=folder, warehouse_dir=tmp_path / "warehouse")
    settings.warehouse_dir.mkdir()
    settings.database_path.write_bytes(b"version 3")
    RunStamp.take(settings).record(3)
    return settings


def test_the_same_files_code_and_settings_are_unchanged(published: Settings) -> None:
    stamp = RunStamp.take(published)
    assert (stamp.files, stamp.unchanged()) == (2, 3)


def test_a_touched_added_or_removed_file_needs_a_run(published: Settings) -> None:
    path = published.input_dir / "a.txt"
    os.utime(path, (time.time() - 30, time.time() - 30))
    assert RunStamp.take(published).unchanged() is None
    RunStamp.take(published).record(3)
    (published.input_dir / "sub" / "c.txt").write_text("new", encoding="utf-8")
    os.utime(published.input_dir / "sub" / "c.txt", (time.time() - 60, time.time() - 60))
    assert RunStamp.take(published).unchanged() is None
    (published.input_dir / "sub" / "c.txt").unlink()
    assert RunStamp.take(published).unchanged() == 3


def test_a_setting_that_changes_rows_needs_a_run_one_for_speed_does_not(
    published: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIREHOUSE_N_PROCESS", "2")
    monkeypatch.setenv("WIREHOUSE_BATCH_SIZE", "16")
    assert RunStamp.take(Settings.from_env(**_folders(published))).unchanged() == 3
    monkeypatch.setenv("WIREHOUSE_MAX_TEXT_CHARS", "1000")
    assert RunStamp.take(Settings.from_env(**_folders(published))).unchanged() is None
    monkeypatch.delenv("WIREHOUSE_MAX_TEXT_CHARS")
    monkeypatch.setenv("WIREHOUSE_WARN_ONLY_SUITES", "quotes")
    assert RunStamp.take(Settings.from_env(**_folders(published))).unchanged() is None


def test_another_publish_since_needs_a_run(published: Settings) -> None:
    replacement = published.database_path.with_name("other.duckdb")
    replacement.write_bytes(b"version 4")
    os.replace(replacement, published.database_path)
    assert RunStamp.take(published).unchanged() is None


def test_a_file_still_being_written_needs_a_run_and_leaves_no_stamp(published: Settings) -> None:
    (published.input_dir / "a.txt").write_text("being written", encoding="utf-8")  # modified just now
    stamp = RunStamp.take(published)
    assert stamp.settling and stamp.unchanged() is None
    stamp.record(4)
    assert not (published.warehouse_dir / STAMP_FILE).exists()


def test_no_stamp_or_a_broken_one_needs_a_run(published: Settings) -> None:
    (published.warehouse_dir / STAMP_FILE).write_text("{not json", encoding="utf-8")
    assert RunStamp.take(published).unchanged() is None
    (published.warehouse_dir / STAMP_FILE).unlink()
    assert RunStamp.take(published).unchanged() is None


def test_the_cli_says_nothing_changed_without_starting_dagster(published: Settings) -> None:
    probe = (
        "import sys; from pipeline.cli import main; code = main(sys.argv[1:]); "
        "assert 'dagster' not in sys.modules, 'Dagster was imported'; sys.exit(code)"
    )
    folders = ["--input", str(published.input_dir), "--warehouse", str(published.warehouse_dir)]
    result = subprocess.run(
        [sys.executable, "-c", probe, "run", *folders], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "nothing changed: version 3 is current"
    assert "the 2 input file(s), the code and the settings are those of the run" in result.stderr


def _folders(settings: Settings) -> dict[str, Path]:
    return {"input_dir": settings.input_dir, "warehouse_dir": settings.warehouse_dir}
