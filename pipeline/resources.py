"""The run configuration as a Dagster resource, editable in the launchpad; defaults from `Settings`."""

from __future__ import annotations

import dagster as dg

from pipeline.settings import Settings


class WirehouseConfig(dg.ConfigurableResource):
    """Where to read and write, and how hard to parse (see `Settings` for the env overrides)."""

    input_dir: str
    warehouse_dir: str
    expectations_dir: str
    models_dir: str
    batch_size: int = 64
    n_process: int | None = None  # None: chosen for the machine (pipeline.nlp.workers.choose_workers)
    warn_only_suites: str = ""
    settle_seconds: float = 2.0
    batch_files: int = 500
    handoff_url: str = ""
    executor: str = "multiprocess"

    @classmethod
    def from_settings(cls, settings: Settings) -> WirehouseConfig:
        return cls(**{name: _plain(getattr(settings, name)) for name in Settings.__dataclass_fields__})

    @property
    def settings(self) -> Settings:
        """Every field is given, so the environment is not consulted; `from_env` only types them."""
        return Settings.from_env(**{name: getattr(self, name) for name in Settings.__dataclass_fields__})


def _plain(value: object) -> str | int | float | None:
    return value if value is None or isinstance(value, int | float | str) else str(value)
