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


class HandoffError(RuntimeError):
    """A hand-off file exists but cannot be read: the step fails before it computes anything."""


class MissingHandoffError(FileNotFoundError):
    """No hand-off file: a FileNotFoundError, as Dagster expects for a missing partition."""


class PolarsParquetIOManager(dg.ConfigurableIOManagerFactory):
    """Stores each asset output as `<base_path>/<asset key>.parquet`."""

    base_path: str

    def create_io_manager(self, context: dg.InitResourceContext) -> dg.UPathIOManager:
        return _ParquetFiles(base_path=UPath(self.base_path))


class _ParquetFiles(dg.UPathIOManager):
    extension: str = ".parquet"

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
