"""The number of parse processes: the cores, bounded by memory and the work; WIREHOUSE_N_PROCESS overrides."""

from __future__ import annotations

import logging

import pytest

from pipeline.nlp import workers
from pipeline.nlp.workers import WORKER_BYTES, choose_workers, workers_for
from pipeline.settings import Settings

GB = 1024**3


@pytest.mark.parametrize(
    ("cores", "available", "articles", "chunk", "expected"),
    [
        (2, 22 * GB, 2127, 64, 2),  # this machine, the BBC corpus: every core
        (8, 22 * GB, 21270, 64, 8),
        (8, 2 * GB, 21270, 64, 3),  # memory for three workers only (0.6 GB each)
        (8, 1 * GB, 21270, 64, 1),  # not even two: parse in the calling process
        (8, 0, 21270, 64, 1),
        (8, 22 * GB, 63, 64, 1),  # fewer than a chunk: no worker started
        (8, 22 * GB, 64, 64, 1),  # one chunk: one process
        (8, 22 * GB, 200, 64, 3),  # three chunks' worth, at most three workers
        (1, 22 * GB, 21270, 64, 1),  # one core
        (4, 4 * WORKER_BYTES - 1, 21270, 64, 3),
    ],
)
def test_workers_follow_cores_memory_and_work(
    cores: int, available: int, articles: int, chunk: int, expected: int
) -> None:
    assert choose_workers(cores, available, articles, chunk) == expected


def test_the_machine_decides_when_nothing_is_set(monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    monkeypatch.setattr(workers, "cores_available", lambda: 4)
    monkeypatch.setattr(workers, "memory_available", lambda: 2 * GB)
    with caplog.at_level(logging.INFO, logger=workers.__name__):
        assert workers_for(articles=1000, batch_size=64, n_process=None) == 3
    (line,) = [r.getMessage() for r in caplog.records if r.name == workers.__name__]
    assert "in 3 process(es): 4 core(s) available, 2.0 GB memory available" in line


def test_a_set_number_of_processes_is_kept(monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    monkeypatch.setenv("WIREHOUSE_N_PROCESS", "5")
    settings = Settings.from_env()
    with caplog.at_level(logging.INFO, logger=workers.__name__):
        assert workers_for(articles=10, batch_size=64, n_process=settings.n_process) == 5
    assert not caplog.records


def test_the_default_is_the_machines_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIREHOUSE_N_PROCESS", raising=False)
    assert Settings.from_env().n_process is None


def test_the_machine_is_read_from_the_process_and_proc() -> None:
    assert workers.cores_available() >= 1
    assert workers.memory_available() > 0
