"""Progress of `wirehouse run`: a rich bar on a terminal, one line per stage and checkpoint when piped."""

from __future__ import annotations

import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

from pipeline import progress
from pipeline.cli import progress_shown
from pipeline.rerun import STAMP_FILE
from pipeline.settings import PROJECT_ROOT

WIREHOUSE = str(Path(sys.executable).parent / "wirehouse")
LINE = re.compile(r"^\d\d:\d\d:\d\d (\S.*)$")


def test_piped_one_line_per_stage_and_per_checkpoint() -> None:
    out = io.StringIO()  # not a terminal
    with progress_shown(out):
        progress.stage("parse")
        for done in (400, 800, 1200, 1600, 2127):
            progress.advanced("parse", done, 2127, "articles parsed")
        progress.stage("resolve_entities")
    lines = [LINE.match(line).group(1) for line in out.getvalue().splitlines()]
    assert lines[0] == "parse"
    assert re.fullmatch(r"articles parsed 1200/2127 \(\d+\.\d/s, about .+ left\)", lines[1])
    assert re.fullmatch(r"articles parsed 2127/2127 \(\d+\.\d/s\)", lines[2])
    assert lines[3:] == ["resolve_entities"]


def test_without_a_renderer_progress_goes_nowhere(capsys) -> None:
    progress.stage("parse")
    progress.advanced("parse", 1, 2, "articles parsed")
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


def _run(seed_input: Path, warehouse: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    command = [WIREHOUSE, "run", "--input", str(seed_input), "--warehouse", str(warehouse), *flags]
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)


def test_a_piped_run_logs_each_stage_once_and_the_parse_and_dagster_stays_quiet(
    seed_input: Path, tmp_path: Path
) -> None:
    result = _run(seed_input, tmp_path / "wh")
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert all(LINE.match(line) for line in lines), lines
    texts = [LINE.match(line).group(1) for line in lines]
    stages = [text for text in texts if " " not in text]
    assert len(stages) == len(set(stages))
    assert {"read_inputs", "clean", "parse", "resolve_entities", "warehouse", "parquet_exports"} <= set(
        stages
    )
    assert any(re.fullmatch(r"articles parsed 2/2 \(.*\)", text) for text in texts)
    assert texts.index("parse") < next(
        n for n, text in enumerate(texts) if text.startswith("articles parsed")
    )
    assert " - dagster - " not in result.stderr

    (tmp_path / "wh" / STAMP_FILE).unlink()  # else the unchanged re-run is skipped before Dagster starts
    verbose = _run(seed_input, tmp_path / "wh", "--verbose")  # unchanged input: quick
    assert verbose.returncode == 0, verbose.stderr[-2000:]
    assert " - dagster - INFO - " in verbose.stderr  # Dagster's own event log, only when asked for


def test_on_a_terminal_the_parse_shows_a_progress_bar(seed_input: Path, tmp_path: Path) -> None:
    command = shlex.join([WIREHOUSE, "run", "--input", str(seed_input), "--warehouse", str(tmp_path / "wh")])
    result = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={"TERM": "xterm", "COLUMNS": "120", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout[-2000:]
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stdout)
    assert re.search(r"articles parsed .*━.* 2/2", screen)
    assert "parse" in screen and "published version 1" in screen
    assert " - dagster - " not in screen
