"""Polars frames between assets as Parquet files, on a local folder or any fsspec/UPath location.

Built on Dagster's UPathIOManager so steps can run in separate processes (or machines, with object
storage) without sharing DuckDB. Each file has its SHA-256 beside it (`<asset>.parquet.sha256`): a
damaged hand-off fails the step that reads it with the file and the asset to materialise again, instead
of handing on other rows or crashing the process in the Parquet reader.
"""

from __future__ import annotations

import hashlib
import io

import dagster as dg
import polars as pl
from upath import UPath

UNION = "wirehouse/union_of_partitions"  # input metadata: every materialised partition, not the run's


class HandoffError(RuntimeError):
    """A hand-off file exists but cannot be read: the step fails before it computes anything."""


class MissingHandoffError(FileNotFoundError):
    """No hand-off file: a FileNotFoundError, as Dagster expects for a missing partition."""


class PolarsParquetIOManager(dg.ConfigurableIOManagerFactory):
    """Stores each asset output as `<base_path>/<asset key>.parquet`, a partition's as
    `<base_path>/<asset key>/<partition key>.parquet`. `base_path` may be a folder or an `s3://...` URL
    (credentials and endpoint from the usual AWS_* variables).

    A step that materialises several partitions at once (a run over a range of landing batches) returns a
    dict {partition key: frame}; a corpus-level asset reading every partition of an upstream asset gets the
    partitions registered in this warehouse (`landing_dir`) that were ever materialised: a batch registered
    but not yet processed is not part of the union yet, a materialised one whose file is gone is an error."""

    base_path: str
    landing_dir: str = ""

    def create_io_manager(self, context: dg.InitResourceContext) -> dg.UPathIOManager:
        return _ParquetFiles(base_path=UPath(self.base_path), landing_dir=self.landing_dir)


class _ParquetFiles(dg.UPathIOManager):
    extension: str = ".parquet"

    def __init__(self, base_path: UPath, landing_dir: str = "") -> None:
        super().__init__(base_path=base_path)
        self.landing_dir = landing_dir

    def handle_output(self, context: dg.OutputContext, obj: object) -> None:
        if not (context.has_asset_partitions and len(context.asset_partition_keys) > 1):
            super().handle_output(context, obj)
            return
        if not isinstance(obj, dict):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: a step over several partitions returns "
                f"{{partition key: frame}}, got {type(obj)}"
            )
        paths = self._get_paths_for_partitions(context)
        for key, path in paths.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            self.dump_to_path(context=context, obj=obj[key], path=path)

    def load_input(self, context: dg.InputContext) -> object:
        """A partitioned upstream always comes as {partition key: frame}, for the partitions registered
        in this warehouse; for a corpus-level reader (input metadata `UNION`), only those materialised."""
        if not context.has_asset_partitions:
            return super().load_input(context)
        paths = self._get_paths_for_partitions(context)
        wanted = [key for key in sorted(paths) if self._registered(key)]
        if (context.definition_metadata or {}).get(UNION):
            materialised = context.instance.get_materialized_partitions(context.asset_key)
            wanted = [key for key in wanted if key in materialised]
        return {key: self.load_from_path(context, paths[key]) for key in wanted}

    def _registered(self, key: str) -> bool:
        return not self.landing_dir or (UPath(self.landing_dir) / "batches" / f"{key}.json").exists()

    def dump_to_path(self, context: dg.OutputContext, obj: pl.DataFrame, path: UPath) -> None:
        """Written beside its final name and renamed, with its checksum beside it: a step killed part
        way leaves no half file, and damage done later is found before the bytes are parsed."""
        if not isinstance(obj, pl.DataFrame):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: expected a Polars DataFrame, got {type(obj)}"
            )
        buffer = io.BytesIO()
        obj.write_parquet(buffer, compression="zstd")
        data = buffer.getvalue()
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, data)
        _write_atomically(checksum_path(path), _checksum(data).encode())

    def load_from_path(self, context: dg.InputContext, path: UPath) -> pl.DataFrame:
        """The upstream frame, or an error naming the file and the asset to materialise again."""
        asset = context.asset_key.to_user_string()
        try:
            data = path.read_bytes()
        except FileNotFoundError as error:
            raise MissingHandoffError(
                f"{path}: the hand-off of asset `{asset}` is missing; "
                f"materialise `{asset}` (or run the whole job) first"
            ) from error
        except OSError as error:
            raise _unreadable(path, asset, _first_line(error)) from error
        if not _matches_checksum(path, data):
            raise _unreadable(path, asset, "its bytes do not match the checksum written with it")
        try:
            return pl.read_parquet(io.BytesIO(data))
        except pl.exceptions.PolarsError as error:
            raise _unreadable(path, asset, _first_line(error)) from error


def checksum_path(path: UPath) -> UPath:
    return path.with_name(path.name + ".sha256")


def _checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _matches_checksum(path: UPath, data: bytes) -> bool:
    """Parsing damaged Parquet may fail, return other rows, or abort the process: compare first.
    A hand-off written before checksums were kept has none and is only parsed."""
    try:
        expected = checksum_path(path).read_text().strip()
    except FileNotFoundError:
        return True
    return expected == _checksum(data)


def _write_atomically(path: UPath, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as handle:
        handle.write(data)
    partial.rename(path)


def _unreadable(path: UPath, asset: str, problem: str) -> HandoffError:
    return HandoffError(
        f"{path}: the hand-off of asset `{asset}` cannot be read ({problem}); "
        f"materialise `{asset}` again (or run the whole job) to rewrite it"
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
