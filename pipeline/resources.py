"""The run configuration as a Dagster resource, editable in the launchpad; defaults from `Settings`."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipeline.settings import Settings


class WirehouseConfig(dg.ConfigurableResource):
    """Where to read and write, and how hard to parse (see `Settings` for the env overrides)."""

    input_dir: str
    warehouse_dir: str
    expectations_dir: str
    models_dir: str
    batch_size: int = 64
    n_process: int = 1
    warn_only_suites: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> WirehouseConfig:
        return cls(**{name: _plain(getattr(settings, name)) for name in Settings.__dataclass_fields__})

    @property
    def settings(self) -> Settings:
        return Settings(
            input_dir=Path(self.input_dir),
            warehouse_dir=Path(self.warehouse_dir),
            expectations_dir=Path(self.expectations_dir),
            models_dir=Path(self.models_dir),
            batch_size=self.batch_size,
            n_process=self.n_process,
            warn_only_suites=self.warn_only_suites,
        )


def _plain(value: object) -> str | int:
    return value if isinstance(value, int | str) else str(value)
