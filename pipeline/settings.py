"""Where Wirehouse reads from and writes to, with environment-variable overrides.

One place for these defaults so the CLI, the Dagster definitions and the tests agree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = PROJECT_ROOT / "seeds"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
MODELS_DIR = PROJECT_ROOT / "dbt_like_sql"
DATABASE_FILE = "news.duckdb"


@dataclass(frozen=True)
class Settings:
    """Run settings; every field can be overridden by a WIREHOUSE_* environment variable."""

    input_dir: Path = Path("seeds/articles")
    warehouse_dir: Path = Path("warehouse")
    expectations_dir: Path = EXPECTATIONS_DIR
    models_dir: Path = MODELS_DIR
    batch_size: int = 64
    n_process: int = 1
    warn_only_suites: str = ""  # comma-separated tables whose suites warn instead of blocking publication
    settle_seconds: float = 2.0  # a file changed more recently is still being written: read it later

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then WIREHOUSE_<FIELD> environment variables (e.g. WIREHOUSE_INPUT_DIR,
        WIREHOUSE_N_PROCESS), then explicit overrides (e.g. CLI flags) that are not None."""
        values: dict[str, object] = {}
        for name, field in cls.__dataclass_fields__.items():
            raw = overrides.get(name)
            if raw is None:
                raw = os.environ.get(f"WIREHOUSE_{name.upper()}", field.default)
            values[name] = _coerce(field.type, raw)
        return cls(**values)  # type: ignore[arg-type]

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
        """Parquet files passed between assets (Dagster IO manager storage)."""
        return self.warehouse_dir / "handoff"


def _coerce(type_name: object, raw: object) -> object:
    """Environment values are strings: make them the field's type."""
    if type_name == "int":
        return int(raw)  # type: ignore[arg-type]
    if type_name == "str":
        return str(raw)
    if type_name == "float":
        try:
            value = float(raw)  # type: ignore[arg-type]
        except ValueError as error:
            raise ValueError(f"{raw!r} is not a number (e.g. WIREHOUSE_SETTLE_SECONDS=2)") from error
        if value < 0:
            raise ValueError(f"{raw!r} is negative (e.g. WIREHOUSE_SETTLE_SECONDS=2; 0 turns settling off)")
        return value
    return Path(raw).resolve()  # type: ignore[arg-type]
