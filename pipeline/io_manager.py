"""Polars frames between assets as Parquet files, on a local folder or any fsspec/UPath location.

Built on Dagster's UPathIOManager so steps can run in separate processes (or machines, with object
storage) without sharing DuckDB.
"""

from __future__ import annotations

import dagster as dg
import polars as pl
from upath import UPath


class PolarsParquetIOManager(dg.ConfigurableIOManagerFactory):
    """Stores each asset output as `<base_path>/<asset key>.parquet`."""

    base_path: str

    def create_io_manager(self, context: dg.InitResourceContext) -> dg.UPathIOManager:
        return _ParquetFiles(base_path=UPath(self.base_path))


class _ParquetFiles(dg.UPathIOManager):
    extension: str = ".parquet"

    def dump_to_path(self, context: dg.OutputContext, obj: pl.DataFrame, path: UPath) -> None:
        if not isinstance(obj, pl.DataFrame):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: expected a Polars DataFrame, got {type(obj)}"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as handle:
            obj.write_parquet(handle, compression="zstd")
        partial.rename(path)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> pl.DataFrame:
        with path.open("rb") as handle:
            return pl.read_parquet(handle)
