"""Progress of a run as Python logging records with structured fields, for whoever shows them.

Code that does the work reports through the standard library only (no terminal, no Dagster): a stage that
starts (`stage("parse")`) and counts that advance (`advanced("parse", done, total, "articles parsed")`).
Each is a record of the logger `wirehouse.progress` with the fields `stage`, and for counts `done`, `total`
and `unit`. The CLI renders them (a rich progress bar on a terminal, one log line otherwise); without a
handler they go nowhere (the logger does not propagate), so library users and tests see nothing.
"""

from __future__ import annotations

import logging

LOGGER_NAME = "wirehouse.progress"
logger = logging.getLogger(LOGGER_NAME)
logger.propagate = False  # shown only where a renderer is attached (the CLI)
logger.addHandler(logging.NullHandler())


def stage(name: str) -> None:
    """A stage of the run starts (a Dagster step: read_inputs, clean, parse, ...)."""
    logger.info("%s", name, extra={"stage": name})


def advanced(stage_name: str, done: int, total: int, unit: str) -> None:
    """`done` of `total` items of a stage are finished (e.g. 1000 of 2127 "articles parsed")."""
    logger.info(
        "%s %d/%d", unit, done, total, extra={"stage": stage_name, "done": done, "total": total, "unit": unit}
    )
