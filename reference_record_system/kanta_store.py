"""The Kanta archive simulator's storage: archived document versions by set and version.

Its own table in the record system's SQLite file, its own connections (the server is threaded).
The version rules are checked and the row written in one ``BEGIN IMMEDIATE`` transaction, so two
senders cannot both become version n+1.

Version rules (as the simulator enforces them):

1. version 1 has ``id == setId`` and replaces nothing; a set has one version 1;
2. version n+1 replaces the set's current latest version (``relatedDocument RPLC``) and comes
   right after it: no gaps, no second version n;
3. a version that has been replaced cannot be replaced again;
4. a version flagged invalidated (``hl7fi:recordStatus code="invalidated"``, see
   ``adapters.kanta.frame``) closes its set: nothing may follow it;
5. the same document id sent again with the same bytes is a redelivery and is accepted without
   storing anything; with other bytes it is refused.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.kanta.frame import DocumentIds
from reference_record_system.sqlite_store import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kanta_documents (
    document_oid TEXT PRIMARY KEY,
    set_oid TEXT NOT NULL,
    version INTEGER NOT NULL,
    replaces_oid TEXT,
    invalidated INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    message_id TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    UNIQUE (set_oid, version)
);
"""


@dataclass(frozen=True)
class Refusal:
    """One broken version rule: a short code and a text naming no values."""

    code: str
    text: str


class VersionRefused(Exception):
    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__("; ".join(refusal.text for refusal in refusals))
        self.refusals = refusals


class ArchiveStore(SqliteStore):
    def __init__(self, path: str) -> None:
        super().__init__(path, _SCHEMA)

    def store(self, ids: DocumentIds, message_id: str, content: bytes) -> bool:
        """Archive one version; False when it is a redelivery of what is already stored.

        Raises :class:`VersionRefused` with every rule the version breaks.
        """
        digest = hashlib.sha256(content).hexdigest()
        with self._write() as conn:
            earlier = conn.execute(
                "SELECT content_sha256 FROM kanta_documents WHERE document_oid = ?",
                (ids.document_oid,),
            ).fetchone()
            if earlier is not None:
                if earlier["content_sha256"] == digest:
                    return False
                raise VersionRefused(
                    [Refusal("id-reused", "the document id is already archived with other content")]
                )
            rows = conn.execute(
                "SELECT * FROM kanta_documents WHERE set_oid = ? ORDER BY version", (ids.set_oid,)
            ).fetchall()
            refusals = _check_version(ids, rows)
            if refusals:
                raise VersionRefused(refusals)
            conn.execute(
                "INSERT INTO kanta_documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    ids.document_oid,
                    ids.set_oid,
                    ids.version,
                    ids.replaces_oid,
                    ids.invalidated,
                    datetime.now(UTC).isoformat(timespec="microseconds"),
                    message_id,
                    digest,
                    content,
                ),
            )
        return True

    def versions(self, set_oid: str) -> list[dict]:
        """The set's versions, oldest first: ids, times and status; never contents."""
        with self._read() as conn:
            rows = conn.execute(
                """SELECT document_oid, set_oid, version, replaces_oid, invalidated, received_at
                   FROM kanta_documents WHERE set_oid = ? ORDER BY version""",
                (set_oid,),
            ).fetchall()
        latest = len(rows) - 1
        return [
            {
                "document_oid": row["document_oid"],
                "set_oid": row["set_oid"],
                "version": row["version"],
                "replaces_oid": row["replaces_oid"],
                "received_at": row["received_at"],
                "status": _status(row, index == latest),
            }
            for index, row in enumerate(rows)
        ]

    def content(self, document_oid: str) -> bytes | None:
        """The archived bytes of one version (for tests; no HTTP route serves contents)."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT content FROM kanta_documents WHERE document_oid = ?", (document_oid,)
            ).fetchone()
        return None if row is None else bytes(row["content"])


def _status(row: sqlite3.Row, is_latest: bool) -> str:
    if not is_latest:
        return "replaced"
    return "invalidated" if row["invalidated"] else "current"


def _check_version(ids: DocumentIds, rows: list[sqlite3.Row]) -> list[Refusal]:
    if ids.version == 1:
        refusals = []
        if ids.document_oid != ids.set_oid:
            refusals.append(Refusal("v1-id", "version 1 must have id equal to setId"))
        if ids.replaces_oid is not None:
            refusals.append(Refusal("v1-replaces", "version 1 cannot replace a document"))
        if rows:
            refusals.append(Refusal("set-exists", "the document set already has a version 1"))
        return refusals
    if not rows:
        return [Refusal("unknown-set", "no earlier version of this document set is archived")]
    latest = rows[-1]
    refusals = []
    if latest["invalidated"]:
        refusals.append(Refusal("set-invalidated", "the document set has been invalidated"))
    if ids.version <= latest["version"]:
        refusals.append(Refusal("version-exists", "this version number is already archived"))
    elif ids.version > latest["version"] + 1:
        refusals.append(
            Refusal("version-gap", "the version number skips the next expected version")
        )
    in_set = {row["document_oid"] for row in rows}
    if ids.replaces_oid is None:
        refusals.append(
            Refusal("replaces-missing", "a later version must name the one it replaces")
        )
    elif ids.replaces_oid not in in_set:
        refusals.append(
            Refusal("replaces-unknown", "the replaced document id is not a version of this set")
        )
    elif ids.replaces_oid != latest["document_oid"]:
        refusals.append(
            Refusal("already-replaced", "the replaced version has already been replaced")
        )
    return refusals
