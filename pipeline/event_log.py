"""Dagster's SQLite storage for a `wirehouse run`, writing events through one connection per database file.

Dagster's SQLite event log opens a new SQLAlchemy engine and connection for every event it stores, and
another for every asset event's copy in the index file, then disposes of them: on a BBC run, 392 events
cost the main process about 4 s of CPU, most of it on one core before the parse and after it, while the
other core waits. Kept open for the run, the same writes (the same rows, in the same files, one transaction
an event as before) take a third of that. The files are Dagster's own, so the UI, the daemon and every
other process read them with the stock classes; only `wirehouse run`'s instance uses this one
(`pipeline.orchestrate.project_instance`), and only where the instance stores its runs in SQLite.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.pool import StaticPool


class OpenConnectionsEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` whose connection to each file stays open until `dispose`."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: dict[str, Engine] = {}  # before Dagster's init: a new folder's index is made there
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data)

    @contextlib.contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:  # as the stock class: one statement at a time, whichever thread reports
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=StaticPool,  # one connection, handed out again and again
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                )
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._engines[shard] = engine
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Asked for every asset event; a table, once there, stays for the run (each answer opened an
        engine of its own)."""
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def _close_all(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def delete_events(self, run_id: str) -> None:
        self._close_all()
        super().delete_events(run_id)

    def wipe(self) -> None:
        self._close_all()
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()


class OpenConnectionsSqliteStorage(DagsterSqliteStorage):
    """Dagster's default SQLite storage (runs, events, schedules), with `OpenConnectionsEventLogStorage`."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        super().__init__(base_dir, inst_data)
        self._event_log_storage = OpenConnectionsEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: Any) -> DagsterSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)


def with_open_connections(storage: ConfigurableClassData) -> ConfigurableClassData:
    """The instance's storage as configured, but Dagster's default SQLite storage becomes this module's."""
    if (storage.module_name, storage.class_name) != (DagsterSqliteStorage.__module__, "DagsterSqliteStorage"):
        return storage  # Postgres, MySQL, or storage configured otherwise: as it is
    return ConfigurableClassData(__name__, OpenConnectionsSqliteStorage.__name__, storage.config_yaml)
