"""The reference record system's data: workers, clients, families and versioned documents in SQLite.

Plain dicts in and out, dates and times as ISO strings, so the SOAP service and the web page can
share it without sharing types. Every call opens its own connection: the server is threaded and a
sqlite3 connection must not cross threads.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import current_app

from reference_record_system.sqlite_store import SqliteStore

EXTENSION = "record_store"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS workers (
    worker_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    org_unit TEXT NOT NULL,
    team_id TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'social-worker'
);
CREATE TABLE IF NOT EXISTS clients (
    client_id TEXT PRIMARY KEY,
    first_names TEXT NOT NULL,
    last_name TEXT NOT NULL,
    birth_date TEXT,
    identity_code TEXT,
    case_id TEXT,
    team_id TEXT NOT NULL,
    responsible_worker_id TEXT
);
CREATE TABLE IF NOT EXISTS persons (
    person_id TEXT PRIMARY KEY,
    first_names TEXT NOT NULL,
    last_name TEXT NOT NULL,
    birth_date TEXT,
    identity_code TEXT,
    client_id TEXT
);
CREATE TABLE IF NOT EXISTS family_members (
    client_id TEXT NOT NULL REFERENCES clients(client_id),
    person_id TEXT NOT NULL REFERENCES persons(person_id),
    relation TEXT NOT NULL,
    is_guardian INTEGER NOT NULL,
    in_household INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (client_id, person_id)
);
CREATE TABLE IF NOT EXISTS documents (
    document_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients(client_id),
    document_type TEXT NOT NULL,
    latest_version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS document_versions (
    document_id TEXT NOT NULL REFERENCES documents(document_id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    content_type TEXT NOT NULL,
    created_at TEXT NOT NULL,
    author_id TEXT NOT NULL,
    PRIMARY KEY (document_id, version)
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    idempotency_key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    document_id TEXT NOT NULL,
    version INTEGER NOT NULL
);
"""

# A ref is one version of a document as the contract's DocumentRef names it.
_REF_SELECT = """
SELECT d.document_id, d.client_id, d.document_type, v.version, v.title, v.created_at,
       v.author_id, v.content, v.content_type
FROM documents d JOIN document_versions v ON v.document_id = d.document_id
"""
REF_KEYS = (
    "document_id",
    "client_id",
    "document_type",
    "version",
    "title",
    "created_at",
    "author_id",
)
_CLIENT_KEYS = (
    "client_id",
    "first_names",
    "last_name",
    "birth_date",
    "identity_code",
    "case_id",
    "team_id",
    "responsible_worker_id",
)
# Columns added after the first release: a demo database made before gets them on start.
_ADDED_COLUMNS = {
    "workers": ("role TEXT NOT NULL DEFAULT 'social-worker'",),
    "clients": ("responsible_worker_id TEXT",),
    "persons": ("client_id TEXT",),
}


class StoreError(Exception):
    """Base of the store's refusals; the SOAP service maps each to a typed fault."""


class NotFound(StoreError):
    pass


class VersionConflict(StoreError):
    def __init__(self, current_version: int) -> None:
        super().__init__(f"the current version is {current_version}")
        self.current_version = current_version


class ValidationFailed(StoreError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def current_store() -> RecordStore:
    """The store of the running app (``create_app`` puts it in ``app.extensions``)."""
    return current_app.extensions[EXTENSION]


def utc_iso(moment: datetime) -> str:
    """One text form for every stored time, so that string order is time order.

    A naive datetime is taken to be UTC, as the contract recommends UTC.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class RecordStore(SqliteStore):
    def __init__(self, path: str) -> None:
        super().__init__(path, _SCHEMA)
        with self._write() as conn:
            for table, columns in _ADDED_COLUMNS.items():
                present = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
                for column in columns:
                    if column.split()[0] not in present:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")

    def team_members(self, team_id: str) -> list[dict]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT worker_id, name, role FROM workers WHERE team_id = ? ORDER BY worker_id",
                (team_id,),
            ).fetchall()
        return [dict(row) for row in rows]

    def workers(self) -> list[dict]:
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM workers ORDER BY worker_id").fetchall()
        return [dict(row) for row in rows]

    def get_worker(self, worker_id: str) -> dict | None:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM workers WHERE worker_id = ?", (worker_id,)).fetchone()
        return None if row is None else dict(row)

    def list_clients(self, team_id: str | None = None) -> list[dict]:
        query = "SELECT * FROM clients"
        params: tuple[str, ...] = ()
        if team_id is not None:
            query += " WHERE team_id = ?"
            params = (team_id,)
        with self._read() as conn:
            rows = conn.execute(query + " ORDER BY client_id", params).fetchall()
        return [_pick(row, _CLIENT_KEYS) for row in rows]

    def get_client(self, client_id: str) -> dict | None:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM clients WHERE client_id = ?", (client_id,)).fetchone()
        return None if row is None else _pick(row, _CLIENT_KEYS)

    def get_family(self, client_id: str) -> list[dict]:
        with self._read() as conn:
            rows = conn.execute(
                """SELECT p.person_id, p.first_names, p.last_name, p.birth_date, p.identity_code,
                          f.relation, f.is_guardian, f.in_household, p.client_id
                   FROM family_members f JOIN persons p ON p.person_id = f.person_id
                   WHERE f.client_id = ? ORDER BY f.position""",
                (client_id,),
            ).fetchall()
        # SQLite has no boolean type; the flags come back as 0/1.
        return [
            {
                **dict(row),
                "is_guardian": bool(row["is_guardian"]),
                "in_household": bool(row["in_household"]),
            }
            for row in rows
        ]

    def check_access(self, worker_id: str, client_id: str) -> tuple[bool, str]:
        """A worker may see the clients of their own team, nobody else's."""
        with self._read() as conn:
            worker = conn.execute(
                "SELECT team_id FROM workers WHERE worker_id = ?", (worker_id,)
            ).fetchone()
            client = conn.execute(
                "SELECT team_id FROM clients WHERE client_id = ?", (client_id,)
            ).fetchone()
        if client is None:
            raise NotFound(f"no client {client_id}")
        if worker is None:
            return False, "unknown worker"
        if worker["team_id"] != client["team_id"]:
            return False, "the client belongs to another team"
        return True, "the client belongs to the worker's team"

    # --- seeding ------------------------------------------------------------------------

    def add_worker(
        self, worker_id: str, name: str, org_unit: str, team_id: str, role: str = "social-worker"
    ) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO workers (worker_id, name, org_unit, team_id, role)"
                " VALUES (?, ?, ?, ?, ?)",
                (worker_id, name, org_unit, team_id, role),
            )

    def add_client(
        self,
        client_id: str,
        first_names: str,
        last_name: str,
        team_id: str,
        birth_date: str | None = None,
        identity_code: str | None = None,
        case_id: str | None = None,
        responsible_worker_id: str | None = None,
    ) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO clients (client_id, first_names, last_name, birth_date,"
                " identity_code, case_id, team_id, responsible_worker_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    client_id,
                    first_names,
                    last_name,
                    birth_date,
                    identity_code,
                    case_id,
                    team_id,
                    responsible_worker_id,
                ),
            )

    def add_family_member(
        self,
        client_id: str,
        person_id: str,
        first_names: str,
        last_name: str,
        relation: str,
        birth_date: str | None = None,
        identity_code: str | None = None,
        is_guardian: bool = False,
        in_household: bool = False,
        member_client_id: str | None = None,
    ) -> None:
        """Relate a person to a client; the person may already be related to another client.

        ``member_client_id`` says the person is a client too (a sibling with their own record).
        """
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO persons VALUES (?, ?, ?, ?, ?, ?)",
                (person_id, first_names, last_name, birth_date, identity_code, member_client_id),
            )
            (position,) = conn.execute(
                "SELECT COUNT(*) FROM family_members WHERE client_id = ?", (client_id,)
            ).fetchone()
            conn.execute(
                "INSERT INTO family_members VALUES (?, ?, ?, ?, ?, ?)",
                (client_id, person_id, relation, is_guardian, in_household, position),
            )

    # --- documents ----------------------------------------------------------------------

    def list_documents(
        self, client_id: str, document_type: str | None = None, since: datetime | None = None
    ) -> list[dict]:
        """Refs to the latest version of each document, newest first."""
        query = _REF_SELECT + " WHERE d.client_id = ? AND v.version = d.latest_version"
        params: list[Any] = [client_id]
        if document_type is not None:
            query += " AND d.document_type = ?"
            params.append(document_type)
        if since is not None:
            query += " AND v.created_at >= ?"
            params.append(utc_iso(since))
        with self._read() as conn:
            rows = conn.execute(
                query + " ORDER BY v.created_at DESC, d.document_id", params
            ).fetchall()
        return [_pick(row, REF_KEYS) for row in rows]

    def get_document(self, document_id: str, version: int | None = None) -> dict | None:
        """One version (default: the latest) with its content."""
        query = _REF_SELECT + " WHERE d.document_id = ? AND v.version = "
        query += "d.latest_version" if version is None else "?"
        params: tuple[Any, ...] = (document_id,) if version is None else (document_id, version)
        with self._read() as conn:
            row = conn.execute(query, params).fetchone()
        return None if row is None else _pick(row, (*REF_KEYS, "content", "content_type"))

    def save_document(
        self,
        worker_id: str,
        client_id: str,
        document_type: str,
        title: str,
        content: str,
        content_type: str,
        document_id: str | None = None,
        expected_version: int | None = None,
        *,
        idempotency_key: str,
    ) -> dict:
        """Write a new document or a new version; the same idempotency key never writes twice."""
        request = {
            "client_id": client_id,
            "document_type": document_type,
            "title": title,
            "content": content,
            "content_type": content_type,
            "document_id": document_id,
            "expected_version": expected_version,
        }
        _validate_draft(request)
        fingerprint = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
        with self._write() as conn:
            earlier = conn.execute(
                "SELECT * FROM idempotency_keys WHERE idempotency_key = ?", (idempotency_key,)
            ).fetchone()
            if earlier is not None:
                # A redelivery must be the same request; anything else is a caller's bug
                # that would otherwise be silently answered with an unrelated document.
                if earlier["fingerprint"] != fingerprint:
                    raise ValidationFailed(
                        "idempotency_key", "already used for a different request"
                    )
                return _ref_of(conn, earlier["document_id"], earlier["version"])
            client = conn.execute("SELECT 1 FROM clients WHERE client_id = ?", (client_id,))
            if client.fetchone() is None:
                raise NotFound(f"no client {client_id}")
            document_id, version = _next_version(conn, request)
            conn.execute(
                "INSERT INTO document_versions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    document_id,
                    version,
                    title,
                    content,
                    content_type,
                    utc_iso(datetime.now(UTC)),
                    worker_id,
                ),
            )
            conn.execute(
                "INSERT INTO idempotency_keys VALUES (?, ?, ?, ?)",
                (idempotency_key, fingerprint, document_id, version),
            )
            return _ref_of(conn, document_id, version)


def _validate_draft(request: dict) -> None:
    for field in ("document_type", "title", "content_type"):
        if not request[field].strip():
            raise ValidationFailed(field, "must not be empty")
    if request["document_id"] is None and request["expected_version"] is not None:
        raise ValidationFailed("expected_version", "must be absent for a new document")
    if request["document_id"] is not None and request["expected_version"] is None:
        raise ValidationFailed("expected_version", "required when saving an existing document")


def _next_version(conn: sqlite3.Connection, request: dict) -> tuple[str, int]:
    """Create the document row or advance its version; refuses a stale expected version."""
    if request["document_id"] is None:
        document_id = f"doc-{uuid.uuid4().hex}"
        conn.execute(
            "INSERT INTO documents VALUES (?, ?, ?, 1)",
            (document_id, request["client_id"], request["document_type"]),
        )
        return document_id, 1
    document = conn.execute(
        "SELECT * FROM documents WHERE document_id = ?", (request["document_id"],)
    ).fetchone()
    if document is None:
        raise NotFound(f"no document {request['document_id']}")
    if document["client_id"] != request["client_id"]:
        raise ValidationFailed("document_id", "the document belongs to another client")
    if document["document_type"] != request["document_type"]:
        raise ValidationFailed("document_type", "a document cannot change its type")
    if document["latest_version"] != request["expected_version"]:
        raise VersionConflict(document["latest_version"])
    version = document["latest_version"] + 1
    conn.execute(
        "UPDATE documents SET latest_version = ? WHERE document_id = ?",
        (version, document["document_id"]),
    )
    return document["document_id"], version


def _ref_of(conn: sqlite3.Connection, document_id: str, version: int) -> dict:
    row = conn.execute(
        _REF_SELECT + " WHERE d.document_id = ? AND v.version = ?", (document_id, version)
    ).fetchone()
    return _pick(row, REF_KEYS)


def _pick(row: sqlite3.Row, keys: tuple[str, ...]) -> dict:
    return {key: row[key] for key in keys}
