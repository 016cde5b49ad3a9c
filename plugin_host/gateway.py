"""RecordGateway: the only way a plugin reaches client data.

Bound to one launch (worker, unit, client, purpose) and one plugin's approved scopes; it has no
client parameter, so a plugin cannot even name another client. Every call writes an audit row.
Writes go into the outbox and are answered at once; reads show the caller's own pending writes
(read-your-writes), also while the record system is down.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask import g

from plugin_host.audit import AuditLog, AuditRecord
from plugin_host.clock import as_utc
from plugin_host.document_types import DocumentTypes
from plugin_host.events import publish_saved
from plugin_host.launch.context import LaunchContext
from plugin_host.outbox import queue
from plugin_host.payloads import PayloadInvalid
from plugin_host.records import (
    Client,
    Document,
    DocumentDraft,
    DocumentList,
    DocumentRef,
    Family,
    RecordAccessDenied,
    RecordNotFound,
    RecordSystem,
    RecordSystemError,
)
from plugin_host.scopes import ScopeDenied, document_scope
from plugin_host.services import host_services
from plugin_host.storage import Database
from plugin_host.storage.models import OutboxWrite

T = TypeVar("T")


class RecordGateway:
    def __init__(
        self,
        record_system: RecordSystem,
        database: Database,
        audit: AuditLog,
        launch: LaunchContext,
        plugin: str,
        scopes: frozenset[str],
        document_types: DocumentTypes,
        on_accepted: Callable[[DocumentRef], None],
    ) -> None:
        self._records = record_system
        self._database = database
        self._audit = audit
        self._launch = launch
        self._plugin = plugin
        self._scopes = scopes
        self._document_types = document_types
        self._on_accepted = on_accepted

    @property
    def _ctx(self):
        return self._launch.request_context()

    def client(self) -> Client:
        return self._call(
            "client.read",
            "client.read",
            lambda: self._records.get_client(self._ctx, self._launch.client_id),
        )

    def family(self) -> Family:
        return self._call(
            "family.read",
            "family.read",
            lambda: self._records.get_family(self._ctx, self._launch.client_id),
        )

    def documents(self, document_type: str, since: datetime | None = None) -> DocumentList:
        """The client's documents of a type, this host's pending writes included and marked.

        When the record system does not answer, the pending ones alone come back with
        ``complete`` False, so the worker still sees what they saved.
        """
        scope = document_scope("read", document_type)
        self._require(scope, "documents.list", None)
        with self._database.transaction() as session:
            pending = {
                queue.document_id_of(session, row): row
                for row in queue.open_writes(session, self._launch.client_id, document_type)
            }
        try:
            stored = self._call(
                scope,
                "documents.list",
                lambda: self._records.list_documents(
                    self._ctx, self._launch.client_id, document_type=document_type, since=since
                ),
            )
        except RecordSystemError as exc:
            if not exc.retryable:
                raise
            return DocumentList((_pending_ref(i, r) for i, r in pending.items()), complete=False)
        merged = [
            _pending_ref(ref.document_id, pending.pop(ref.document_id))
            if ref.document_id in pending
            else ref
            for ref in stored
        ]
        return DocumentList([*(_pending_ref(i, r) for i, r in pending.items()), *merged])

    def document(self, document_id: str, version: int | None = None) -> Document:
        """One document of the launched client; its pending version when one is waiting.

        A ``version`` asked for by number always comes from the record system.
        """
        self._require_any_read()
        with self._database.transaction() as session:
            pending = queue.open_write_for(session, self._launch.client_id, document_id)
            if pending is not None:
                session.expunge(pending)
        if pending is not None and version is None:
            return self._pending_document(document_id, pending)
        document_id = self._record_id(document_id)
        try:
            found = self._records.get_document(self._ctx, document_id, version)
        except RecordSystemError as exc:
            self._write_audit("documents.get", _outcome(exc), document_id, version)
            raise
        return self._checked(found, document_id, version)

    def _record_id(self, document_id: str) -> str:
        """A ``pending:`` id of a document since delivered: the id the record gave it."""
        if not document_id.startswith(queue.PENDING_PREFIX):
            return document_id
        with self._database.transaction() as session:
            creator = queue.find_write(
                session, self._launch.client_id, document_id.removeprefix(queue.PENDING_PREFIX)
            )
            delivered = creator.document_id if creator is not None else None
        if delivered is None:
            raise RecordNotFound("no such document")
        return delivered

    def save_document(
        self,
        document_type: str,
        title: str,
        content: str,
        *,
        content_type: str = "application/json",
        document_id: str | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
    ) -> DocumentRef:
        """Accept a write into the outbox; the answer says pending, with the coming version.

        ``expected_version`` is the version the change is based on (None for a new document);
        the record system refuses the write if the document has moved on meanwhile.
        """
        scope = document_scope("write", document_type)
        self._require(scope, "documents.save", document_id)
        try:
            self._document_types.check_content(self._plugin, document_type, content, content_type)
        except PayloadInvalid as exc:
            self._write_audit("documents.save", "invalid", document_id, None, ",".join(exc.errors))
            raise
        draft = DocumentDraft(
            client_id=self._launch.client_id,
            document_type=document_type,
            title=title,
            content=content,
            content_type=content_type,
            document_id=document_id,
        )
        with self._database.transaction() as session:
            row = queue.accept(
                session,
                self._launch,
                self._plugin,
                draft,
                expected_version,
                idempotency_key or uuid.uuid4().hex,
            )
            receipt = queue.accepted(session, row)
            self._audit.add(
                session,
                self._launch,
                self._entry(
                    "documents.save",
                    "accepted",
                    receipt.document_id,
                    receipt.version,
                    f"write {receipt.write_id}",
                ),
            )
        ref = DocumentRef(
            document_id=receipt.document_id,
            client_id=self._launch.client_id,
            document_type=document_type,
            version=receipt.version,
            title=title,
            created_at=as_utc(row.created_at),
            author_id=self._launch.worker_id,
            pending=True,
            write_id=receipt.write_id,
        )
        self._on_accepted(ref)
        return ref

    def pending_write(self, write_id: str) -> OutboxWrite | None:
        """One of this client's writes, as the outbox holds it (status, versions, content)."""
        with self._database.transaction() as session:
            row = queue.find_write(session, self._launch.client_id, write_id)
            if row is not None:
                session.expunge(row)
        if row is not None:
            self._require(document_scope("read", row.document_type), "writes.get", None)
        return row

    def resolve_conflict(
        self, write_id: str, choice: str, content: str | None = None, title: str | None = None
    ) -> OutboxWrite:
        """Settle a write waiting for a person: keep ``mine``, keep ``theirs``, or ``merged``."""
        with self._database.transaction() as session:
            row = queue.find_write(session, self._launch.client_id, write_id)
            if row is None or row.status != queue.NEEDS_USER:
                raise RecordNotFound("no conflict waiting under that id")
            self._require(document_scope("write", row.document_type), "documents.resolve", None)
            if content is not None:
                self._document_types.check_content(
                    self._plugin, row.document_type, content, row.content_type
                )
            queue.resolve(row, choice, content, title, self._launch.worker_id)
            self._audit.add(
                session,
                self._launch,
                self._entry(
                    "documents.resolve",
                    choice,
                    row.document_id,
                    row.base_version,
                    f"write {write_id}",
                ),
            )
            session.flush()
            session.expunge(row)
        return row

    # --- the paths every call takes ------------------------------------------------------------

    def _call(
        self,
        scope: str,
        operation: str,
        action: Callable[[], T],
        document_id: str | None = None,
    ) -> T:
        self._require(scope, operation, document_id)
        try:
            result = action()
        except RecordSystemError as exc:
            self._write_audit(operation, _outcome(exc), document_id, None, type(exc).__name__)
            raise
        self._write_audit(operation, "success", document_id, None)
        return result

    def _checked(self, found: Document, document_id: str, version: int | None) -> Document:
        ref = found.ref
        readable = document_scope("read", ref.document_type) in self._scopes
        if ref.client_id != self._launch.client_id or not readable:
            # Same answer whether the document is another client's or of an unapproved type.
            self._write_audit("documents.get", "denied", document_id, version)
            raise RecordAccessDenied("document is not readable in this session")
        self._write_audit("documents.get", "success", ref.document_id, ref.version)
        return found

    def _pending_document(self, document_id: str, row: OutboxWrite) -> Document:
        if document_scope("read", row.document_type) not in self._scopes:
            self._write_audit("documents.get", "denied", document_id, None)
            raise RecordAccessDenied("document is not readable in this session")
        self._write_audit("documents.get", "success", document_id, row.predicted_version, "pending")
        return Document(
            ref=_pending_ref(document_id, row), content=row.content, content_type=row.content_type
        )

    def _require(self, scope: str, operation: str, document_id: str | None) -> None:
        if scope not in self._scopes:
            self._write_audit(operation, "denied", document_id, None, detail=f"scope {scope}")
            raise ScopeDenied(self._plugin, scope)

    def _require_any_read(self) -> None:
        if not any(s.startswith("documents.read:") for s in self._scopes):
            self._write_audit("documents.get", "denied", None, None, detail="scope documents.read")
            raise ScopeDenied(self._plugin, "documents.read")

    def _entry(
        self,
        operation: str,
        outcome: str,
        document_id: str | None,
        version: int | None,
        detail: str | None = None,
    ) -> AuditRecord:
        return AuditRecord(
            plugin=self._plugin,
            operation=operation,
            outcome=outcome,
            document_id=document_id,
            document_version=version,
            detail=detail,
        )

    def _write_audit(
        self,
        operation: str,
        outcome: str,
        document_id: str | None,
        version: int | None,
        detail: str | None = None,
    ) -> None:
        self._audit.record(
            self._launch, self._entry(operation, outcome, document_id, version, detail)
        )


def _pending_ref(document_id: str, row: OutboxWrite) -> DocumentRef:
    return DocumentRef(
        document_id=document_id,
        client_id=row.client_id,
        document_type=row.document_type,
        version=row.predicted_version,
        title=row.title,
        created_at=as_utc(row.created_at),
        author_id=row.worker_id,
        pending=True,
        write_id=row.write_id,
    )


def _outcome(exc: RecordSystemError) -> str:
    if isinstance(exc, RecordAccessDenied):
        return "denied"
    if isinstance(exc, RecordNotFound):
        return "not_found"
    return "error"


def granted_scopes(plugin_name: str) -> frozenset[str]:
    """What the plugin may do: the scopes it asks for that an admin approved."""
    services = host_services()
    manifest = services.registry.manifest(plugin_name)
    requested = frozenset(manifest.scopes) if manifest else frozenset()
    return requested & services.enablement.grants(plugin_name).approved_scopes


def gateway_for_request(plugin_name: str) -> RecordGateway:
    """The gateway for ``plugin_name`` in the current (client) launch."""
    launch = g.get("launch")
    if launch is None:  # a respondent's request, say: it has respondent_gateway() only
        raise RecordAccessDenied("no launch in this request")
    if launch.is_team_launch:
        raise RecordAccessDenied("a team launch reaches a client through the team gateway")
    if launch.is_unit_launch:
        raise RecordAccessDenied("a unit launch sees aggregate figures only")
    return gateway_for_launch(plugin_name, launch)


def gateway_for_launch(
    plugin_name: str,
    launch: LaunchContext,
    *,
    scopes: frozenset[str] | None = None,
    factory: type[RecordGateway] = RecordGateway,
) -> RecordGateway:
    """The gateway for ``plugin_name`` bound to ``launch``'s client: approved ∩ requested scopes
    (or fewer: ``scopes``, a subset of them; a respondent's gateway is a ``factory`` of its own)."""
    services = host_services()
    granted = granted_scopes(plugin_name)

    def accepted(ref: DocumentRef) -> None:
        services.outbox.wake()
        publish_saved(services, launch, plugin_name, ref)

    return factory(
        record_system=services.record_system,
        database=services.database,
        audit=services.audit,
        launch=launch,
        plugin=plugin_name,
        scopes=granted if scopes is None else granted & scopes,
        document_types=services.document_types,
        on_accepted=accepted,
    )
