"""The run context: where Wirehouse reads from and writes to, its input limits, with env overrides.

Built once at the edge (the CLI, the Dagster definitions) and passed down: nothing below reads the
environment, so a test or a launched run gives a limit to the settings and the code below obeys it. One
place for these defaults so the CLI, the Dagster definitions and the tests agree. Every value is checked
here, once, where the settings are built: a malformed one is a `SettingsError` whose message names the setting
and the value expected (the CLI prints it as one line and exits 2).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # ingest imports Polars: not needed to build settings (`wirehouse run`'s fast path)
    from pipeline.ingest import InputLimits

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = PROJECT_ROOT / "seeds"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
MODELS_DIR = PROJECT_ROOT / "dbt_like_sql"
DATABASE_FILE = "news.duckdb"
ENV_PREFIX = "WIREHOUSE_"


class SettingsError(ValueError):
    """A setting whose value cannot be used; the message names it and says what is expected."""


@dataclass(frozen=True)
class Settings:
    """Run settings; every field can be overridden by a WIREHOUSE_* environment variable."""

    input_dir: Path = Path("seeds/articles")
    warehouse_dir: Path = Path("warehouse")
    expectations_dir: Path = EXPECTATIONS_DIR
    models_dir: Path = MODELS_DIR
    seeds_dir: Path = SEEDS_DIR  # reference data (boilerplate patterns, publishers, ...): CSV seeds
    batch_size: int = 64
    n_process: int | None = None  # parse processes; None: one per core, bounded by memory and the work
    warn_only_suites: str = ""  # comma-separated tables whose suites warn instead of blocking publication
    settle_seconds: float = 2.0  # a file changed more recently is still being written: read it later
    batch_files: int = 500  # files per landing batch (partition) registered by `wirehouse run`/the sensor
    handoff_url: str = ""  # where hand-offs go: a folder or s3://bucket/prefix (default <warehouse>/handoff)
    executor: str = "multiprocess"  # how a launched run's steps run: multiprocess (forkserver) or celery
    max_file_bytes: int = 5_000_000  # larger input files are quarantined unread (too_large)
    max_text_chars: int = 200_000  # longer decoded texts are quarantined (too_large)
    check_language: bool = True  # False lets non-English text through (not_english off)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then WIREHOUSE_<FIELD> environment variables (e.g. WIREHOUSE_INPUT_DIR,
        WIREHOUSE_N_PROCESS), then explicit overrides (e.g. CLI flags) that are not None.

        Raises `SettingsError` naming the first malformed setting."""
        return cls.build(os.environ, **overrides)

    @classmethod
    def build(cls, environment: Mapping[str, str], **overrides: object) -> Settings:
        """`from_env` over a given environment (an empty one: defaults and overrides only)."""
        unknown = sorted(set(overrides) - set(cls.__dataclass_fields__))
        if unknown:
            raise SettingsError(f"unknown setting(s) {', '.join(unknown)}")
        values: dict[str, object] = {}
        for name, field in cls.__dataclass_fields__.items():
            raw = overrides.get(name)
            source = name
            if raw is None:
                source = env_name(name)
                raw = environment.get(source, field.default)
            values[name] = _parse(FIELD_PARSERS[name], source, raw)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def input_limits(self) -> InputLimits:
        """What an input file may be, for the readers in `pipeline.ingest` and `pipeline.landing`."""
        from pipeline.ingest import InputLimits

        return InputLimits(self.max_file_bytes, self.max_text_chars, self.check_language)

    @property
    def warn_only(self) -> frozenset[str]:
        return frozenset(name.strip() for name in self.warn_only_suites.split(",") if name.strip())

    @property
    def database_path(self) -> Path:
        return self.warehouse_dir / DATABASE_FILE

    @property
    def exports_dir(self) -> Path:
        return self.warehouse_dir / "exports"

    @property
    def cache_dir(self) -> Path:
        """Per-article NLP outputs by content, so unchanged articles are not parsed again."""
        return self.warehouse_dir / "cache"

    @property
    def handoff_dir(self) -> Path:
        """Parquet files passed between assets (Dagster IO manager storage), when no URL is set."""
        return self.warehouse_dir / "handoff"

    @property
    def handoff_location(self) -> str:
        """WIREHOUSE_HANDOFF_URL (e.g. s3://bucket/prefix) or the local hand-off folder."""
        return self.handoff_url or str(self.handoff_dir)


def env_name(field_name: str) -> str:
    return f"{ENV_PREFIX}{field_name.upper()}"


# Each parser takes the raw value (a string from the environment, or an already typed override) and returns
# the typed value, or raises ValueError with what is expected, e.g. "a whole number, 1 or more".


def _folder(raw: object) -> Path:
    if not str(raw).strip():
        raise ValueError("a folder path (it is empty)")
    return Path(str(raw)).expanduser().resolve()


def _whole_number(minimum: int, what: str) -> Callable[[object], int]:
    def parse(raw: object) -> int:
        expected = f"a whole number of {what}, {minimum} or more"
        if isinstance(raw, bool):
            raise ValueError(expected)
        try:
            value = raw if isinstance(raw, int) else int(str(raw).strip())
        except ValueError:
            raise ValueError(expected) from None
        if value < minimum:
            raise ValueError(expected)
        return value

    return parse


def _or_machine(parse: Callable[[object], int]) -> Callable[[object], int | None]:
    """The default None (chosen for the machine when used) or a value `parse` accepts."""

    def parse_or_none(raw: object) -> int | None:
        return None if raw is None else parse(raw)

    return parse_or_none


def _seconds(raw: object) -> float:
    expected = "a number of seconds, 0 or more (0 turns settling off)"
    try:
        value = float(str(raw).strip()) if not isinstance(raw, int | float) else float(raw)
    except ValueError:
        raise ValueError(expected) from None
    if not value >= 0 or value == float("inf"):  # also refuses nan
        raise ValueError(expected)
    return value


def _text(raw: object) -> str:
    return str(raw)


def _executor(raw: object) -> str:
    text = str(raw).strip().lower()
    if text not in {"multiprocess", "celery"}:
        raise ValueError("multiprocess or celery")
    return text


def _switch(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError("1 or 0 (also true/false, yes/no, on/off)")


FIELD_PARSERS: dict[str, Callable[[object], object]] = {
    "input_dir": _folder,
    "warehouse_dir": _folder,
    "expectations_dir": _folder,
    "models_dir": _folder,
    "seeds_dir": _folder,
    "batch_size": _whole_number(1, "articles per spaCy batch"),
    "n_process": _or_machine(_whole_number(1, "parse processes")),
    "warn_only_suites": _text,
    "settle_seconds": _seconds,
    "batch_files": _whole_number(1, "files per landing batch"),
    "handoff_url": _text,
    "executor": _executor,
    "max_file_bytes": _whole_number(1, "bytes"),
    "max_text_chars": _whole_number(1, "characters"),
    "check_language": _switch,
}


def _parse(parser: Callable[[object], object], source: str, raw: object) -> object:
    try:
        return parser(raw)
    except ValueError as error:
        shown = raw if isinstance(raw, str) else str(raw)
        raise SettingsError(f"{source}={shown!r} is not valid: expected {error}") from None
