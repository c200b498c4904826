"""Shared fixtures: the seed articles run once through the real pipeline into a temporary warehouse."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT, Settings

SEED_ARTICLES = PROJECT_ROOT / "seeds" / "articles"
# `wirehouse run` records its runs in a Dagster instance: the tests' go to a temporary one
os.environ["DAGSTER_HOME"] = tempfile.mkdtemp(prefix="wirehouse-test-dagster-")


def settings_for(input_dir: Path, warehouse_dir: Path, **overrides: object) -> Settings:
    return Settings.from_env(input_dir=input_dir, warehouse_dir=warehouse_dir, **overrides)


@pytest.fixture(scope="session")
def seed_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("input")
    for article in SEED_ARTICLES.glob("*.txt"):
        shutil.copy(article, folder / article.name)
    return folder


@pytest.fixture(scope="session")
def seed_run(seed_input: Path, tmp_path_factory: pytest.TempPathFactory):
    """The whole asset graph materialised in-process on the seeds (real spaCy, GX, DuckDB, Dagster)."""
    from pipeline.orchestrate import run_pipeline

    settings = settings_for(seed_input, tmp_path_factory.mktemp("warehouse"))
    outcome = run_pipeline(settings)
    assert outcome.success, outcome.reason
    return settings, outcome


@pytest.fixture(scope="session")
def nlp():
    """The shipped spaCy model, loaded once for the whole session."""
    from pipeline.nlp.model import load_model

    return load_model()


def seed_body(prefix: str) -> str:
    """A seed article's body as the cleaning stage hands it to the NLP stage."""
    from pipeline.text.clean import clean_article

    path = next(SEED_ARTICLES.glob(f"{prefix}_*.txt"))
    return clean_article(path.read_text(encoding="utf-8")).body
