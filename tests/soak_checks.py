"""Row-by-row comparison of what the clients sent with the host's outbox and the record system.

Each function returns the problems it found as sentences (empty: none), so a failing test names
the write or document at fault instead of dumping thousands of rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from plugin_host.outbox.queue import DELIVERED
from plugin_host.storage.models import OutboxWrite
from reference_record_system.store import RecordStore
from tests.soak_client import DOCUMENT_TYPE, WORKER, DocumentHistory

Row = tuple[Any, ...]


def document_ids(
    rows: Mapping[str, OutboxWrite], histories: Iterable[DocumentHistory]
) -> list[str | None]:
    """The record's id of each document: what its first write was delivered as."""
    return [_row_of(rows, history.write_ids[0]).document_id for history in histories]


def outbox_problems(rows: Mapping[str, OutboxWrite], histories: list[DocumentHistory]) -> list[str]:
    """Every write sent is in the outbox, delivered once, as the version it was meant to be."""
    sent = {write_id for history in histories for write_id in history.write_ids}
    problems = [f"outbox holds a write nobody sent: {w}" for w in sorted(set(rows) - sent)]
    for history, document_id in zip(histories, document_ids(rows, histories), strict=True):
        for version, write_id in enumerate(history.write_ids, start=1):
            row = _row_of(rows, write_id)
            found = (row.status, row.document_id, row.delivered_version)
            if found != (DELIVERED, document_id, version):
                problems.append(
                    f"write {write_id} is {found}, expected {(DELIVERED, document_id, version)}"
                    f" (attempts {row.attempts}, last error {row.last_error})"
                )
    return problems


def record_problems(
    store: RecordStore, rows: Mapping[str, OutboxWrite], histories: list[DocumentHistory]
) -> list[str]:
    """The record holds exactly the sent versions of exactly the sent documents, in order."""
    ids = document_ids(rows, histories)
    problems = []
    for history, document_id in zip(histories, ids, strict=True):
        expected = [_sent_row(history.client_id, v, b) for v, b in enumerate(history.bodies, 1)]
        stored = _stored_rows(store, document_id) if document_id else []
        if stored != expected:
            problems.append(f"document {document_id}: {_first_difference(expected, stored)}")
    for client_id in sorted({history.client_id for history in histories}):
        listed = {ref["document_id"] for ref in store.list_documents(client_id, DOCUMENT_TYPE)}
        mine = {i for h, i in zip(histories, ids, strict=True) if h.client_id == client_id}
        if listed != mine:
            problems.append(
                f"{client_id}: record lists {len(listed - mine)} documents nobody wrote,"
                f" misses {len(mine - listed)}"
            )
    return problems


def _row_of(rows: Mapping[str, OutboxWrite], write_id: str) -> OutboxWrite:
    row = rows.get(write_id)
    assert row is not None, f"write {write_id} was accepted but is not in the outbox"
    return row


def _sent_row(client_id: str, version: int, body: dict[str, Any]) -> Row:
    return (version, client_id, WORKER, body["title"], body["content"])


def _stored_rows(store: RecordStore, document_id: str) -> list[Row]:
    """Every version the record holds, 1 to the latest: a duplicate shows as one too many."""
    latest = store.get_document(document_id)
    if latest is None:
        return []
    versions = (store.get_document(document_id, v) for v in range(1, latest["version"] + 1))
    return [
        (
            stored["version"],
            stored["client_id"],
            stored["author_id"],
            stored["title"],
            json.loads(stored["content"]),
        )
        for stored in versions
        if stored is not None
    ]


def _first_difference(expected: list[Row], stored: list[Row]) -> str:
    for index, (want, got) in enumerate(zip(expected, stored, strict=False)):
        if want != got:
            return f"version {index + 1} is {got}, expected {want}"
    return f"record has {len(stored)} versions, the client sent {len(expected)}"
