"""What an admin sees and does with the outbox, for the CLI and the admin page alike."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugin_host.audit import AuditLog, AuditRecord
from plugin_host.clock import as_utc, utcnow
from plugin_host.launch.context import LaunchContext
from plugin_host.outbox import queue
from plugin_host.storage.models import OutboxWrite

ADMIN_PURPOSE = "ylläpito"  # käyttötilanne of an admin's action, in every audit row
RETRYABLE_STATES = (queue.PENDING, queue.FAILED)
ALL_STATES = (*queue.OPEN_STATES, queue.DELIVERED, queue.DISCARDED)


class OutboxAdminError(Exception):
    """The admin asked for something the write's state does not allow."""


@dataclass(frozen=True)
class OutboxSummary:
    counts: dict[str, int]
    oldest_open_seconds: float | None

    @property
    def depth(self) -> int:
        return sum(self.counts.get(s, 0) for s in queue.OPEN_STATES)

    def as_json(self) -> dict[str, object]:
        return {
            "depth": self.depth,
            "counts": self.counts,
            "oldest_open_seconds": self.oldest_open_seconds,
        }


def summary(session: Session) -> OutboxSummary:
    counts = dict(
        session.execute(select(OutboxWrite.status, func.count()).group_by(OutboxWrite.status)).all()
    )
    oldest = session.scalar(
        select(func.min(OutboxWrite.created_at)).where(OutboxWrite.status.in_(queue.OPEN_STATES))
    )
    age = None if oldest is None else (utcnow() - as_utc(oldest)).total_seconds()
    return OutboxSummary(
        counts={s: counts.get(s, 0) for s in sorted(counts)}, oldest_open_seconds=age
    )


def list_writes(session: Session, status: str | None, limit: int) -> list[OutboxWrite]:
    query = select(OutboxWrite).order_by(OutboxWrite.seq).limit(limit)
    if status:
        query = query.where(OutboxWrite.status == status)
    else:
        query = query.where(OutboxWrite.status.in_(queue.OPEN_STATES))
    return list(session.scalars(query))


def describe(row: OutboxWrite) -> dict[str, object]:
    """A write for an admin: ids, state and reasons, never the document's contents."""
    return {
        "write_id": row.write_id,
        "status": row.status,
        "plugin": row.plugin,
        "client_id": row.client_id,
        "document_type": row.document_type,
        "document_id": row.document_id,
        "base_version": row.base_version,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "conflict_version": row.conflict_version,
        "created_at": as_utc(row.created_at).isoformat(),
        "next_attempt_at": as_utc(row.next_attempt_at).isoformat(),
    }


def retry(session: Session, write_id: str) -> OutboxWrite:
    """Make a failed or waiting write due now."""
    row = _find(session, write_id)
    if row.status not in RETRYABLE_STATES:
        raise OutboxAdminError(f"write {write_id} is {row.status}; only pending or failed retry")
    row.status = queue.PENDING
    row.next_attempt_at = utcnow()
    row.updated_at = utcnow()
    return row


def discard(session: Session, write_id: str, reason: str, actor: str) -> OutboxWrite:
    """Give up on an open write, with a reason, in the audit log."""
    if not reason.strip():
        raise OutboxAdminError("a discard needs a reason")
    row = _find(session, write_id)
    if row.status not in queue.OPEN_STATES or row.status == queue.DELIVERING:
        raise OutboxAdminError(f"write {write_id} is {row.status}; it cannot be discarded")
    row.status = queue.DISCARDED
    row.resolution = reason.strip()
    row.resolved_by = actor
    row.updated_at = utcnow()
    AuditLog.add(
        session,
        LaunchContext(
            session_id="",
            worker_id=actor,
            org_unit=row.org_unit,
            client_id=row.client_id,
            purpose=ADMIN_PURPOSE,
            locale="fi",
        ),
        AuditRecord(
            plugin=row.plugin,
            operation="outbox.discard",
            outcome="success",
            document_id=row.document_id,
            document_version=row.base_version,
            detail=f"write {write_id}: {reason.strip()}",
        ),
    )
    return row


def _find(session: Session, write_id: str) -> OutboxWrite:
    row = session.scalar(select(OutboxWrite).where(OutboxWrite.write_id == write_id))
    if row is None:
        raise OutboxAdminError(f"no write {write_id}")
    return row
