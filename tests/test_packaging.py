"""Honest packaging: every third-party module the code imports is a declared dependency, and a version
records the code's fingerprint."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions, version
from pathlib import Path

import duckdb

from pipeline.settings import PROJECT_ROOT
from pipeline.storage.cache import code_fingerprint

WIREHOUSE = str(Path(sys.executable).parent / "wirehouse")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_normalise(re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def _imported_modules() -> dict[str, set[str]]:
    """Top-level module -> files under pipeline/ that import it (nested imports included)."""
    found: dict[str, set[str]] = {}
    for path in (PROJECT_ROOT / "pipeline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(PROJECT_ROOT)))
    return found


def test_every_imported_third_party_module_is_a_declared_dependency() -> None:
    distributions = packages_distributions()
    declared = _declared()
    undeclared = {}
    for module, files in _imported_modules().items():
        if module in sys.stdlib_module_names or module in {"pipeline", "__future__"}:
            continue
        providers = {_normalise(name) for name in distributions.get(module, [])}
        assert providers, f"{module} (imported in {sorted(files)}) is not installed"
        if not providers & declared:
            undeclared[module] = sorted(files)
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_frames_handed_to_great_expectations_need_pandas_and_pyarrow_declared() -> None:
    assert {"pandas", "pyarrow"} <= _declared()  # polars' to_pandas() imports both


def test_version_prints_the_package_version_and_the_code_fingerprint() -> None:
    result = subprocess.run([WIREHOUSE, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wirehouse {version('wirehouse')} (code {code_fingerprint()})"


def test_the_fingerprint_is_a_short_hash_not_the_package_version() -> None:
    assert re.fullmatch(r"[0-9a-f]{16}", code_fingerprint())
    assert code_fingerprint() != version("wirehouse")


def test_a_version_records_the_code_fingerprint(seed_run) -> None:
    settings, _ = seed_run
    con = duckdb.connect(str(settings.database_path), read_only=True)
    try:
        recorded = {row[0] for row in con.sql("SELECT code_version FROM versions").fetchall()}
    finally:
        con.close()
    assert recorded == {code_fingerprint()}
