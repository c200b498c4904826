"""Parquet exports for notebooks.

- `exports/<table>/<table>.parquet`: the current version (glob `exports/<table>/*.parquet`);
- `exports/<model>/<model>.parquet`: every SQL model materialised as a table (`config: {materialized:
  table}`), as the publish built it into that same version (or, when a model's SQL changed since, built
  from that version while exporting), so marts and tables always agree;
- `exports/history/<table>.parquet`: every row ever published with `valid_from`/`valid_to`, so a notebook
  can rebuild any version;
- `export_version(...)` (`wirehouse export --version N`): the tables as of version N, into any folder.

All or nothing: every file is first written beside its final name (`.<name>.partial`), and only when all
of them were written are they renamed into place (renames need no space), `_version.json` last. A
failure part way (a full disk) removes the partial files and leaves the previous exports, all of one
version, as they were; a notebook never reads half a file.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb

from pipeline.storage.schema import TABLE_NAMES, quote_identifier
from pipeline.storage.sql_models import ModelError, SqlModel, create_statement
from pipeline.storage.warehouse import (
    WarehouseError,
    connect_read_only,
    current_version,
    exclusive,
    models_current,
)

logger = logging.getLogger(__name__)

MANIFEST = "_version.json"
PARTIAL_SUFFIX = ".partial"
LOCK_FILE = ".lock"


class ExportError(WarehouseError):
    """Exports that could not be written; the previous exports are unchanged."""


def export_current(
    database_path: Path, exports_dir: Path, models: Sequence[SqlModel] = ()
) -> dict[str, Path]:
    """The current version per table and per model materialised as a table, plus each table's full
    history, all or nothing; returns the current files (tables, then models)."""
    exports_dir.mkdir(parents=True, exist_ok=True)
    with exclusive(exports_dir / LOCK_FILE):
        _remove_partials(exports_dir)
        con = connect_read_only(database_path)
        try:
            version = current_version(con)
            current = {table: exports_dir / table / f"{table}.parquet" for table in TABLE_NAMES}
            queries = {path: f"SELECT * FROM main.{table}" for table, path in current.items()}
            marts = {name: exports_dir / name / f"{name}.parquet" for name in _build_marts(con, models)}
            queries.update({path: f"SELECT * FROM {quote_identifier(name)}" for name, path in marts.items()})
            for table in TABLE_NAMES:
                history = exports_dir / "history" / f"{table}.parquet"
                queries[history] = f"SELECT * EXCLUDE (_row_hash) FROM history.{table}"
            partials = _write_all(con, queries, _kept_exports(exports_dir))
        finally:
            con.close()
        dropped = set(_manifest(exports_dir).get("models", {})) - set(marts)
        manifest = {
            "version": version,
            "tables": {name: str(path) for name, path in current.items()},
            "models": {name: str(path) for name, path in marts.items()},
        }
        partials[exports_dir / MANIFEST] = _write_manifest(exports_dir / MANIFEST, manifest, partials)
        _swap_in(partials)
        for name in dropped - set(TABLE_NAMES) - {"history"}:  # a model since removed or made a view
            shutil.rmtree(exports_dir / name, ignore_errors=True)
    return {**current, **marts}


def _build_marts(con: duckdb.DuckDBPyConnection, models: Sequence[SqlModel]) -> list[str]:
    """The names of the models materialised as tables. The version holds them when its publish built
    these very models; otherwise every model is built, in dependency order, in the read-only connection's
    temporary catalog (over exactly the version being exported)."""
    if models_current(con, models, current_version(con)):
        return [model.name for model in models if model.materialized == "table"]
    for model in models:
        try:
            con.execute(create_statement(model, temporary=True))
        except duckdb.Error as error:
            raise ModelError(f"{model.path}: {error}; no export was replaced") from error
    return [model.name for model in models if model.materialized == "table"]


def _manifest(exports_dir: Path) -> dict:
    try:
        return json.loads((exports_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def export_version(database_path: Path, version: int, out_dir: Path) -> dict[str, Path]:
    """Every table as of `version`, as `<out_dir>/<table>/<table>.parquet`."""
    con = connect_read_only(database_path)
    try:
        published = {row[0] for row in con.sql("SELECT version FROM versions").fetchall()}
        if version not in published:
            raise WarehouseError(
                f"version {version} was never published in {database_path} (have {sorted(published)})"
            )
        files = {table: out_dir / table / f"{table}.parquet" for table in TABLE_NAMES}
        queries = {path: f"SELECT * FROM {table}_at({int(version)})" for table, path in files.items()}
        _swap_in(_write_all(con, queries, f"{out_dir} is unchanged"))
        return files
    finally:
        con.close()


def write_parquet(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    """The one place exports touch the disk (tests inject a failing writer here)."""
    con.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)")


def partial_path(final: Path) -> Path:
    return final.with_name(f".{final.name}{PARTIAL_SUFFIX}")


def _write_all(con: duckdb.DuckDBPyConnection, queries: Mapping[Path, str], kept: str) -> dict[Path, Path]:
    """Every file written beside its final name, or none: on a failure the partial files are removed."""
    partials: dict[Path, Path] = {}
    for final, query in queries.items():
        final.parent.mkdir(parents=True, exist_ok=True)
        partials[final] = partial_path(final)
        try:
            write_parquet(con, query, partials[final])
        except (OSError, duckdb.Error) as error:
            _discard(partials.values())
            raise ExportError(_write_failure(final, error, kept)) from error
    return partials


def _write_manifest(final: Path, manifest: dict, partials: Mapping[Path, Path]) -> Path:
    partial = partial_path(final)
    try:
        partial.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        _discard([*partials.values(), partial])
        raise ExportError(_write_failure(final, error, _kept_exports(final.parent))) from error
    return partial


def _swap_in(partials: Mapping[Path, Path]) -> None:
    """Renames only, in order (the manifest last): no space needed, nothing left half done."""
    for final, partial in partials.items():
        os.replace(partial, final)


def _discard(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _write_failure(final: Path, error: BaseException, kept: str) -> str:
    return f"could not write the Parquet export {final}: {_os_reason(error)}; nothing was replaced: {kept}"


def _os_reason(error: BaseException) -> str:
    """The operating system's words ("No space left on device"), also from inside a DuckDB error."""
    if isinstance(error, OSError) and error.errno:
        return os.strerror(error.errno)
    found = re.search(r'"errno":"(\d+)"', str(error))
    if found and int(found.group(1)) in errno.errorcode:
        return os.strerror(int(found.group(1)))
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _kept_exports(exports_dir: Path) -> str:
    """What a notebook still finds after a failed export, for the error message."""
    try:
        version = json.loads((exports_dir / MANIFEST).read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return f"{exports_dir} holds no complete export yet"
    return f"{exports_dir} still holds version {version} ({MANIFEST}); free space and run again"


def _remove_partials(exports_dir: Path) -> None:
    """Partial files of an export that was killed (we hold the exports lock: none is being written)."""
    leftovers = sorted(
        path
        for pattern in (f".*{PARTIAL_SUFFIX}", f"*/.*{PARTIAL_SUFFIX}")
        for path in exports_dir.glob(pattern)
    )
    _discard(leftovers)
    if leftovers:
        logger.warning(
            f"removed {len(leftovers)} partial file(s) left in {exports_dir} by an interrupted export "
            f"(e.g. {leftovers[0].relative_to(exports_dir)}); every export is written again"
        )
