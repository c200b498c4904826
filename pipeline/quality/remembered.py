"""Suite results remembered by what was validated, so identical rows are never validated twice.

Validation is deterministic: the same suite (its JSON and audit SQL) over the same rows with the same Great
Expectations version gives the same outcomes. An unchanged re-run stages exactly the rows of the run before;
reusing that result saves GX's import (about six seconds) and its run. Anything different (one row, one
expectation, a GX upgrade) makes a new key, and GX runs.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import uuid
from dataclasses import asdict
from pathlib import Path

import polars as pl

from pipeline.quality.suites import ExpectationOutcome, Suite, SuiteResult, validate
from pipeline.storage.cache import frame_digest


def result_key(frame: pl.DataFrame, suite: Suite) -> str:
    """A hash of everything a suite's outcome depends on: the suite, the GX version and the rows."""
    digest = hashlib.sha256()
    digest.update(json.dumps(suite.definition, sort_keys=True).encode() + b"\0")
    digest.update((suite.audit_sql or "").encode() + b"\0")
    digest.update(importlib.metadata.version("great-expectations").encode() + b"\0")
    digest.update(frame_digest(frame).encode())
    return digest.hexdigest()


def validate_remembered(frame: pl.DataFrame, suite: Suite, folder: Path) -> SuiteResult:
    """The suite's result on these rows: remembered from an earlier validation, or run with GX now."""
    path = folder / f"{result_key(frame, suite)}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        outcomes = tuple(ExpectationOutcome(**outcome) for outcome in stored["outcomes"])
        return SuiteResult(suite=suite, row_count=stored["row_count"], outcomes=outcomes, reused=True)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not validated before, or an unreadable record: validate
    result = validate(frame, suite)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{uuid.uuid4().hex}.partial"
    record = {"row_count": result.row_count, "outcomes": [asdict(outcome) for outcome in result.outcomes]}
    partial.write_text(json.dumps(record), encoding="utf-8")
    os.replace(partial, path)
    return result
