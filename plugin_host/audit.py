"""The audit log: one row per read or write of client data, written whatever the outcome."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from plugin_host.clock import utcnow
from plugin_host.launch.context import LaunchContext
from plugin_host.storage import Database
from plugin_host.storage.models import AuditEvent


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
