"""The reference record system's SQLite files: one connection per use, WAL, immediate writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager


class SqliteStore:
    """Base of the stores: creates ``schema`` at start and hands out short-lived connections."""

    def __init__(self, path: str, schema: str) -> None:
        self._path = path
        with closing(self._connect()) as conn:
            # WAL lets the web page and the archive simulator read while the services write.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(schema)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, timeout=10, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so checks made before an insert cannot race
        # another writer between reading and inserting.
        with closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
