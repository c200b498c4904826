"""The run context as a Dagster resource, editable in the launchpad: it only holds `Settings`, built at the
edge (the CLI or the definitions); assets take `wirehouse.settings` and pass it down."""

from __future__ import annotations

import dagster as dg

from pipeline.settings import Settings


class WirehouseConfig(dg.ConfigurableResource):
    """Where to read and write, and how hard to parse (see `Settings` for the env overrides)."""

    input_dir: str
    warehouse_dir: str
    expectations_dir: str
    models_dir: str
    seeds_dir: str
    batch_size: int = 64
    n_process: int | None = None  # None: chosen for the machine (pipeline.nlp.workers.choose_workers)
    warn_only_suites: str = ""
    settle_seconds: float = 2.0
    batch_files: int = 500
    handoff_url: str = ""
    executor: str = "multiprocess"
    max_file_bytes: int = 5_000_000
    max_text_chars: int = 200_000
    check_language: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> WirehouseConfig:
        return cls(**{name: _plain(getattr(settings, name)) for name in Settings.__dataclass_fields__})

    @property
    def settings(self) -> Settings:
        """The held settings, typed and checked; the environment is not consulted (it was at the edge)."""
        return Settings.build({}, **{name: getattr(self, name) for name in Settings.__dataclass_fields__})


def _plain(value: object) -> str | int | float | bool | None:
    return value if value is None or isinstance(value, int | float | str) else str(value)
