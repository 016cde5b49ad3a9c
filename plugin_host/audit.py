"""The audit log: one row per read or write of client data, written whatever the outcome."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from plugin_host.clock import utcnow
from plugin_host.launch.context import LaunchContext
from plugin_host.storage import Database
from plugin_host.storage.models import AuditEvent

# An admin's decision (enable, approve, settings) or look at the log: no launch, so the row names
# the admin as the worker, "admin" as the unit and the purpose, and the client only when the
# admin looked at one client's rows.
ADMIN_UNIT = "admin"
ADMIN_PURPOSE = "admin"


@dataclass(frozen=True)
class AuditRecord:
    plugin: str
    operation: str
    outcome: str  # "success" | "denied" | "not_found" | "invalid" | "error"
    document_id: str | None = None
    document_version: int | None = None
    detail: str | None = None  # a typed reason, never document contents or identity codes


class AuditLog:
    def __init__(self, database: Database) -> None:
        self.database = database

    def record(self, launch: LaunchContext, entry: AuditRecord) -> None:
        """Write the row in its own transaction so a failing operation is still logged."""
        with self.database.transaction() as session:
            self.add(session, launch, entry)

    @staticmethod
    def add(session: Session, launch: LaunchContext, entry: AuditRecord) -> None:
        """Add the row to the caller's transaction: it stands or falls with what it records."""
        session.add(
            AuditEvent(
                event_id=str(uuid.uuid4()),
                occurred_at=utcnow(),
                worker_id=launch.worker_id,
                org_unit=launch.org_unit,
                client_id=launch.client_id,
                purpose=launch.purpose,
                plugin=entry.plugin,
                operation=entry.operation,
                document_id=entry.document_id,
                document_version=entry.document_version,
                outcome=entry.outcome,
                detail=entry.detail,
            )
        )

    def record_admin(
        self,
        actor: str,
        plugin: str,
        operation: str,
        detail: str | None = None,
        client_id: str = "",
        outcome: str = "success",
    ) -> None:
        """An admin's action, in its own transaction (``operation`` starts with ``admin.``)."""
        with self.database.transaction() as session:
            session.add(
                AuditEvent(
                    event_id=str(uuid.uuid4()),
                    occurred_at=utcnow(),
                    worker_id=actor,
                    org_unit=ADMIN_UNIT,
                    client_id=client_id,
                    purpose=ADMIN_PURPOSE,
                    plugin=plugin,
                    operation=operation,
                    document_id=None,
                    document_version=None,
                    outcome=outcome,
                    detail=detail,
                )
            )
