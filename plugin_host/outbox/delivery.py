"""Delivering one write to the record system, and settling what happened.

The outcome decides the write's next state: delivered; back to pending with a backoff when the
record system is unavailable; ``needs_user`` on a version conflict; failed for good when the
record system refuses the write itself. After a timeout or a garbled answer the write may have
been applied, so before anything is sent again the document is read back (reconciliation).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from sqlalchemy.orm import Session
from tenacity import RetryCallState, wait_exponential_jitter

from plugin_host.audit import AuditLog, AuditRecord
from plugin_host.clock import utcnow
from plugin_host.launch.context import LaunchContext
from plugin_host.outbox import queue
from plugin_host.outbox.breaker import BreakerOpen, CircuitBreaker
from plugin_host.records import (
    DocumentDraft,
    DocumentRef,
    RecordProtocolError,
    RecordSystem,
    RecordSystemError,
    RecordTimeout,
    RequestContext,
    VersionConflict,
)
from plugin_host.storage import Database
from plugin_host.storage.models import OutboxWrite

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class DeliverySettings:
    max_backoff_seconds: float = 30.0
    first_backoff_seconds: float = 0.2
    breaker_fail_max: int = 5
    breaker_reset_seconds: float = 5.0


class Unsettled(Exception):
    """The write could not be delivered now and should be tried again later."""

    def __init__(self, reason: str, uncertain: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.uncertain = uncertain


class Deliverer:
    """Delivers claimed writes through a circuit breaker around the record system."""

    def __init__(
        self,
        database: Database,
        record_system: RecordSystem,
        audit: AuditLog,
        settings: DeliverySettings,
    ) -> None:
        self.database = database
        self.records = record_system
        self.audit = audit
        self.settings = settings
        self.breaker = CircuitBreaker(settings.breaker_fail_max, settings.breaker_reset_seconds)
        self._backoff = wait_exponential_jitter(
            multiplier=settings.first_backoff_seconds,
            max=settings.max_backoff_seconds,
            jitter=settings.first_backoff_seconds,
        )

    # --- one write ---------------------------------------------------------------------------

    def deliver(self, seq: int) -> str:
        """Deliver the claimed write ``seq``; returns its new status."""
        with self.database.transaction() as session:
            row = session.get(OutboxWrite, seq)
            document_id = queue.resolved_document_id(session, row)
            session.expunge(row)
        if document_id is None and row.target_document is not None:
            # Based on a new document whose creation was discarded: there is nothing to change.
            return self._settle(row, queue.FAILED, error="document was never created")
        try:
            ref = self._send(row, document_id)
        except VersionConflict as conflict:
            return self._settle(row, queue.NEEDS_USER, conflict_version=conflict.current_version)
        except Unsettled as unsettled:
            return self._retry_later(row, unsettled)
        except RecordSystemError as refused:
            return self._settle(row, queue.FAILED, error=type(refused).__name__)
        return self._settle(row, queue.DELIVERED, ref=ref)

    def _send(self, row: OutboxWrite, document_id: str | None) -> DocumentRef:
        ctx = RequestContext(worker_id=row.worker_id, org_unit=row.org_unit, purpose=row.purpose)
        if row.uncertain and document_id is not None and row.base_version is not None:
            already = self._reconcile(ctx, row, document_id)
            if already is not None:
                return already
        draft = DocumentDraft(
            client_id=row.client_id,
            document_type=row.document_type,
            title=row.title,
            content=row.content,
            content_type=row.content_type,
            document_id=document_id,
        )
        # The same idempotency key on every attempt: a repeat is answered, never applied twice.
        return self._guarded(
            lambda: self.records.save_document(ctx, draft, row.base_version, row.idempotency_key)
        )

    def _reconcile(
        self, ctx: RequestContext, row: OutboxWrite, document_id: str
    ) -> DocumentRef | None:
        """Read the document back: is our write its newest version? None means send it again.

        Sending again is safe with the same key: if our write went in and others followed,
        the record answers our first result; if it did not, the stale base is a conflict.
        """
        current = self._guarded(lambda: self.records.get_document(ctx, document_id))
        mine = current.content == row.content and current.ref.title == row.title
        if current.ref.version == row.predicted_version and mine:
            return current.ref
        return None

    def _guarded(self, call: Callable[[], T]) -> T:
        try:
            self.breaker.before_call()
        except BreakerOpen:
            raise Unsettled("breaker open", uncertain=False) from None
        try:
            result = call()
        except RecordSystemError as exc:
            if not exc.retryable:
                self.breaker.succeeded()  # it answered: a refused write is no outage
                raise
            self.breaker.failed()
            # After a timeout or an unreadable answer the write may have been applied.
            uncertain = isinstance(exc, RecordTimeout | RecordProtocolError)
            raise Unsettled(type(exc).__name__, uncertain=uncertain) from None
        self.breaker.succeeded()
        return result

    # --- settling ----------------------------------------------------------------------------

    def _retry_later(self, row: OutboxWrite, unsettled: Unsettled) -> str:
        attempt = row.attempts + 1
        state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})
        state.attempt_number = attempt
        delay = self._backoff(state)
        if unsettled.reason == "breaker open":
            delay = max(delay, self.settings.breaker_reset_seconds)
        now = utcnow()
        with self.database.transaction() as session:
            stored = _still_ours(session, row)
            if stored is None:
                return queue.DELIVERING
            stored.status = queue.PENDING
            stored.attempts = attempt
            stored.uncertain = stored.uncertain or unsettled.uncertain
            stored.next_attempt_at = now + timedelta(seconds=delay)
            stored.last_error = unsettled.reason
            stored.lease_until = None
            stored.updated_at = now
        return queue.PENDING

    def _settle(
        self,
        row: OutboxWrite,
        status: str,
        *,
        ref: DocumentRef | None = None,
        conflict_version: int | None = None,
        error: str | None = None,
    ) -> str:
        now = utcnow()
        with self.database.transaction() as session:
            stored = _still_ours(session, row)
            if stored is None:
                return queue.DELIVERING
            stored.status = status
            stored.attempts = row.attempts + 1
            stored.lease_until = None
            stored.updated_at = now
            stored.last_error = error
            stored.conflict_version = conflict_version
            if ref is not None:
                stored.document_id = ref.document_id
                stored.delivered_version = ref.version
                stored.delivered_at = now
                stored.uncertain = False
            # The audit row in the same transaction: one commit, and it stands or falls with it.
            self.audit.add(
                session,
                LaunchContext(
                    session_id="",
                    worker_id=row.worker_id,
                    org_unit=row.org_unit,
                    client_id=row.client_id,
                    purpose=row.purpose,
                    locale="fi",
                ),
                AuditRecord(
                    plugin=row.plugin,
                    operation="documents.deliver",
                    outcome={queue.DELIVERED: "success", queue.NEEDS_USER: "conflict"}.get(
                        status, "error"
                    ),
                    document_id=ref.document_id if ref else row.document_id,
                    document_version=ref.version if ref else conflict_version,
                    detail=error or f"write {row.write_id}",
                ),
            )
        if status != queue.DELIVERED:
            log.info("write %s settled as %s", row.write_id, status)
        return status


def _still_ours(session: Session, row: OutboxWrite) -> OutboxWrite | None:
    """The write, locked, if this worker's claim still holds it; None if the lease ran out and
    another worker claimed it since (that worker settles it: same idempotency key, no double)."""
    stored = session.get(OutboxWrite, row.seq, with_for_update=True)
    if stored is None or stored.claim_id != row.claim_id:
        log.warning("outbox write %s was claimed again before it was settled", row.write_id)
        return None
    return stored
