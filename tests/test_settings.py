"""Settings from the environment: every malformed value is one clear error naming the setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT, Settings, SettingsError

WIREHOUSE = str(Path(sys.executable).parent / "wirehouse")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("WIREHOUSE_N_PROCESS", "two", "a whole number of parse processes, 1 or more"),
        ("WIREHOUSE_N_PROCESS", "0", "a whole number of parse processes, 1 or more"),
        ("WIREHOUSE_N_PROCESS", "1.5", "a whole number of parse processes, 1 or more"),
        ("WIREHOUSE_BATCH_SIZE", "-3", "a whole number of articles per spaCy batch, 1 or more"),
        ("WIREHOUSE_SETTLE_SECONDS", "soon", "a number of seconds, 0 or more"),
        ("WIREHOUSE_SETTLE_SECONDS", "-1", "a number of seconds, 0 or more"),
        ("WIREHOUSE_SETTLE_SECONDS", "nan", "a number of seconds, 0 or more"),
        ("WIREHOUSE_INPUT_DIR", "", "a folder path"),
        ("WIREHOUSE_WAREHOUSE_DIR", " ", "a folder path"),
        ("WIREHOUSE_MAX_FILE_BYTES", "5MB", "a whole number of bytes, 1 or more"),
        ("WIREHOUSE_MAX_TEXT_CHARS", "lots", "a whole number of characters, 1 or more"),
        ("WIREHOUSE_CHECK_LANGUAGE", "maybe", "1 or 0"),
    ],
)
def test_a_malformed_setting_names_itself_and_the_value_expected(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        Settings.from_env()
    message = str(raised.value)
    assert message.startswith(f"{variable}={value!r} is not valid: expected ")
    assert expected in message
    assert "\n" not in message


def test_good_values_are_typed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WIREHOUSE_N_PROCESS", " 2 ")
    monkeypatch.setenv("WIREHOUSE_SETTLE_SECONDS", "0")
    monkeypatch.setenv("WIREHOUSE_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.setenv("WIREHOUSE_CHECK_LANGUAGE", "no")
    settings = Settings.from_env()
    assert (settings.n_process, settings.settle_seconds) == (2, 0.0)
    assert settings.warehouse_dir == tmp_path / "wh"


def test_flags_win_over_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WIREHOUSE_INPUT_DIR", str(tmp_path / "from_env"))
    assert Settings.from_env(input_dir=tmp_path / "flag").input_dir == tmp_path / "flag"


def test_a_bad_override_names_the_setting() -> None:
    with pytest.raises(SettingsError, match=r"^n_process='0' is not valid: expected a whole number"):
        Settings.from_env(n_process=0)


@pytest.mark.parametrize("command", [["run"], ["versions"], ["sql", "SELECT 1"], ["models"]])
def test_the_cli_ends_with_one_line_and_exit_code_2(command: list[str], tmp_path: Path) -> None:
    result = subprocess.run(
        [WIREHOUSE, *command],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "WIREHOUSE_N_PROCESS": "two", "WIREHOUSE_WAREHOUSE_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "wirehouse: WIREHOUSE_N_PROCESS='two' is not valid: expected a whole number of parse processes, "
        "1 or more"
    ]
    assert "Traceback" not in result.stderr + result.stdout
