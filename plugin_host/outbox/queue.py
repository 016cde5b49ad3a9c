"""The outbox table as a queue: accept, find what is due, claim, settle, and what is pending."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from plugin_host.clock import utcnow
from plugin_host.launch.context import LaunchContext
from plugin_host.payloads import PayloadInvalid
from plugin_host.records import DocumentDraft
from plugin_host.storage.models import OutboxWrite

PENDING = "pending"
DELIVERING = "delivering"
DELIVERED = "delivered"
NEEDS_USER = "needs_user"
FAILED = "failed"
DISCARDED = "discarded"
# States that still hold a document's newest content and hold up the writes behind them.
OPEN_STATES = (PENDING, DELIVERING, NEEDS_USER, FAILED)
PENDING_PREFIX = "pending:"


@dataclass(frozen=True)
class Accepted:
    """What a plugin learns at once about its write."""

    write_id: str
    status: str
    document_id: str  # the record's id, or ``pending:<write id>`` for a new document
    version: int  # the version the document will have once delivered


def _stream_for(session: Session, target: str | None, write_id: str) -> str:
    """Writes to one document share a stream, whichever id the plugin used for it."""
    if target is None:
        return f"new:{write_id}"
    if target.startswith(PENDING_PREFIX):
        creator = session.scalar(
            select(OutboxWrite.stream).where(OutboxWrite.write_id == target[len(PENDING_PREFIX) :])
        )
        if creator is None:
            raise LookupError(target)
        return creator
    earlier = session.scalar(
        select(OutboxWrite.stream)
        .where(or_(OutboxWrite.document_id == target, OutboxWrite.target_document == target))
        .order_by(OutboxWrite.seq.desc())
        .limit(1)
    )
    return earlier or f"doc:{target}"


def accept(
    session: Session,
    launch: LaunchContext,
    plugin: str,
    draft: DocumentDraft,
    base_version: int | None,
    idempotency_key: str,
) -> OutboxWrite:
    """Store the write in the caller's transaction; delivery happens later.

    A repeat of the same request (same idempotency key, client and plugin: a double click, a
    retry after a lost answer) gets the write already stored; the key used for anything else
    raises ``PayloadInvalid`` naming ``idempotency_key``.
    """
    repeated = session.scalars(
        select(OutboxWrite).where(OutboxWrite.idempotency_key == idempotency_key)
    ).first()
    if repeated is not None:
        if repeated.client_id == launch.client_id and repeated.plugin == plugin:
            return repeated
        raise PayloadInvalid({"idempotency_key": ["Already used for another write."]})
    now = utcnow()
    write_id = uuid.uuid4().hex
    target = draft.document_id
    row = OutboxWrite(
        write_id=write_id,
        stream=_stream_for(session, target, write_id),
        status=PENDING,
        plugin=plugin,
        worker_id=launch.worker_id,
        org_unit=launch.org_unit,
        client_id=launch.client_id,
        purpose=launch.purpose,
        document_type=draft.document_type,
        target_document=target,
        document_id=None,
        title=draft.title,
        content=draft.content,
        content_type=draft.content_type,
        base_version=base_version,
        idempotency_key=idempotency_key,
        attempts=0,
        uncertain=False,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    row.document_id = resolved_document_id(session, row)
    session.add(row)
    session.flush()
    return row


def accepted(session: Session, row: OutboxWrite) -> Accepted:
    return Accepted(
        write_id=row.write_id,
        status=row.status,
        document_id=document_id_of(session, row),
        version=row.predicted_version,
    )


def _creator_pending_id(row: OutboxWrite) -> str:
    if row.stream.startswith("new:"):
        return f"{PENDING_PREFIX}{row.stream[4:]}"
    return row.target_document or row.pending_id


def due_heads(
    session: Session, now: datetime, limit: int, *, skip_locked: bool = False
) -> list[OutboxWrite]:
    """The first open write of each stream, when it is pending and due.

    ``skip_locked`` (PostgreSQL) locks the heads found until the transaction ends and passes
    over those another transaction holds: workers in several processes each take other writes.
    """
    earlier = aliased(OutboxWrite)
    blocked = exists().where(
        and_(
            earlier.stream == OutboxWrite.stream,
            earlier.seq < OutboxWrite.seq,
            earlier.status.in_(OPEN_STATES),
        )
    )
    query = (
        select(OutboxWrite)
        .where(OutboxWrite.status == PENDING, OutboxWrite.next_attempt_at <= now, ~blocked)
        .order_by(OutboxWrite.seq)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=OutboxWrite)
    return list(session.scalars(query))


def locks_rows(session: Session) -> bool:
    """Whether this database takes row locks (``FOR UPDATE SKIP LOCKED``): PostgreSQL does.

    SQLite has no row locks; there one writer at a time and the compare-and-set in ``claim``
    keep claims apart.
    """
    return session.get_bind().dialect.name == "postgresql"


def claim_due(session: Session, now: datetime, limit: int, lease: timedelta) -> list[int]:
    """Find and claim the due heads in one transaction, with row locks (PostgreSQL).

    Each head found is locked (``FOR UPDATE SKIP LOCKED``) until the claim commits: a worker in
    another process passes over it to the next due heads rather than wait for it or take it too,
    and a head locked by a transaction that then rolls back is found again in the next round.
    """
    heads = due_heads(session, now, limit, skip_locked=True)
    if not heads:
        return []
    return claim(session, [head.seq for head in heads], lease)


def claim(session: Session, seqs: list[int], lease: timedelta) -> list[int]:
    """Compare-and-set from pending to delivering: of several workers, one wins each write."""
    now = utcnow()
    claim_id = uuid.uuid4().hex
    session.execute(
        update(OutboxWrite)
        .where(OutboxWrite.seq.in_(seqs), OutboxWrite.status == PENDING)
        .values(status=DELIVERING, lease_until=now + lease, updated_at=now, claim_id=claim_id)
    )
    return list(
        session.scalars(
            select(OutboxWrite.seq).where(
                OutboxWrite.seq.in_(seqs), OutboxWrite.claim_id == claim_id
            )
        )
    )


def release_stale(session: Session) -> int:
    """A worker died mid-delivery: its writes go back, marked as possibly sent."""
    now = utcnow()
    stale = and_(OutboxWrite.status == DELIVERING, OutboxWrite.lease_until < now)
    if locks_rows(session):
        # Rows another worker is settling or releasing right now are left to it: no waiting
        # on their locks, and no two workers locking the same rows in different orders.
        locked = select(OutboxWrite.seq).where(stale).with_for_update(skip_locked=True)
        stale = and_(stale, OutboxWrite.seq.in_(locked.scalar_subquery()))
    result = session.execute(
        update(OutboxWrite)
        .where(stale)
        .values(status=PENDING, uncertain=True, next_attempt_at=now, updated_at=now)
    )
    return result.rowcount


def resolved_document_id(session: Session, row: OutboxWrite) -> str | None:
    """The record's id for the document this write changes, once its creation is delivered."""
    if row.document_id is not None:
        return row.document_id
    if row.target_document is None:
        return None
    if row.target_document.startswith(PENDING_PREFIX):
        return session.scalar(
            select(OutboxWrite.document_id).where(
                OutboxWrite.write_id == row.target_document[len(PENDING_PREFIX) :]
            )
        )
    return row.target_document


def open_writes(session: Session, client_id: str, document_type: str) -> list[OutboxWrite]:
    """For each document with open writes, the newest of them (read-your-writes)."""
    newest = (
        select(func.max(OutboxWrite.seq))
        .where(
            OutboxWrite.client_id == client_id,
            OutboxWrite.document_type == document_type,
            OutboxWrite.status.in_(OPEN_STATES),
        )
        .group_by(OutboxWrite.stream)
    )
    return list(
        session.scalars(
            select(OutboxWrite).where(OutboxWrite.seq.in_(newest)).order_by(OutboxWrite.seq)
        )
    )


def open_write_for(session: Session, client_id: str, document_id: str) -> OutboxWrite | None:
    """The newest open write of one document, named by its record id or its pending id."""
    try:
        stream = _stream_for(session, document_id, "")
    except LookupError:
        return None
    return session.scalar(
        select(OutboxWrite)
        .where(
            OutboxWrite.stream == stream,
            OutboxWrite.client_id == client_id,
            OutboxWrite.status.in_(OPEN_STATES),
        )
        .order_by(OutboxWrite.seq.desc())
        .limit(1)
    )


def document_id_of(session: Session, row: OutboxWrite) -> str:
    """The id a plugin should use for this write's document now."""
    return resolved_document_id(session, row) or _creator_pending_id(row)


def find_write(session: Session, client_id: str, write_id: str) -> OutboxWrite | None:
    """A write of this client only: a write id alone never reaches another client's write."""
    return session.scalar(
        select(OutboxWrite).where(
            OutboxWrite.write_id == write_id, OutboxWrite.client_id == client_id
        )
    )


def resolve(
    row: OutboxWrite, choice: str, content: str | None, title: str | None, actor: str
) -> None:
    """Settle a version conflict as the worker chose.

    ``theirs`` drops this write. ``mine`` and ``merged`` send it again on top of the record's
    version, in place, so the writes queued behind it keep their order. A new idempotency key:
    the old one was never applied, and this is a different request.
    """
    now = utcnow()
    row.resolution = choice
    row.resolved_by = actor
    row.updated_at = now
    if choice == "theirs":
        row.status = DISCARDED
        return
    row.base_version = row.conflict_version
    row.conflict_version = None
    if content is not None:
        row.content = content
    if title is not None:
        row.title = title
    row.status = PENDING
    row.uncertain = False
    row.attempts = 0
    row.last_error = None
    row.idempotency_key = uuid.uuid4().hex
    row.next_attempt_at = now
