"""RecordGateway: the only way a plugin reaches client data.

Bound to one launch (worker, unit, client, purpose) and one plugin's approved scopes; it has no
client parameter, so a plugin cannot even name another client. Every call writes an audit row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask import g

from plugin_host.audit import AuditLog, AuditRecord
from plugin_host.document_types import DocumentTypes
from plugin_host.events import publish_saved
from plugin_host.launch.context import LaunchContext
from plugin_host.payloads import PayloadInvalid
from plugin_host.records import (
    Client,
    Document,
    DocumentDraft,
    DocumentRef,
    Family,
    RecordAccessDenied,
    RecordNotFound,
    RecordSystem,
    RecordSystemError,
)
from plugin_host.scopes import ScopeDenied, document_scope
from plugin_host.services import host_services

T = TypeVar("T")


class RecordGateway:
    def __init__(
        self,
        record_system: RecordSystem,
        audit: AuditLog,
        launch: LaunchContext,
        plugin: str,
        scopes: frozenset[str],
        document_types: DocumentTypes,
        on_saved: Callable[[DocumentRef], None],
    ) -> None:
        self._document_types = document_types
        self._on_saved = on_saved
        self._records = record_system
        self._audit = audit
        self._launch = launch
        self._plugin = plugin
        self._scopes = scopes

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

    def documents(
        self, document_type: str, since: datetime | None = None
    ) -> tuple[DocumentRef, ...]:
        return self._call(
            document_scope("read", document_type),
            "documents.list",
            lambda: self._records.list_documents(
                self._ctx, self._launch.client_id, document_type=document_type, since=since
            ),
        )

    def document(self, document_id: str, version: int | None = None) -> Document:
        """Fetch one document; it must belong to the launched client and a readable type."""
        self._require_any_read()
        try:
            found = self._records.get_document(self._ctx, document_id, version)
        except RecordSystemError as exc:
            self._write_audit("documents.get", _outcome(exc), document_id, version)
            raise
        ref = found.ref
        scope = document_scope("read", ref.document_type)
        if ref.client_id != self._launch.client_id or scope not in self._scopes:
            # Same answer whether the document is another client's or of an unapproved type.
            self._write_audit("documents.get", "denied", document_id, version)
            raise RecordAccessDenied("document is not readable in this session")
        self._write_audit("documents.get", "success", ref.document_id, ref.version)
        return found

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
        draft = DocumentDraft(
            client_id=self._launch.client_id,
            document_type=document_type,
            title=title,
            content=content,
            content_type=content_type,
            document_id=document_id,
        )
        scope = document_scope("write", document_type)
        self._require(scope, "documents.save", document_id)
        try:
            self._document_types.check_content(self._plugin, document_type, content, content_type)
        except PayloadInvalid as exc:
            self._write_audit("documents.save", "invalid", document_id, None, ",".join(exc.errors))
            raise
        key = idempotency_key or uuid.uuid4().hex
        saved = self._call(
            scope,
            "documents.save",
            lambda: self._records.save_document(self._ctx, draft, expected_version, key),
            document_id=document_id,
        )
        self._on_saved(saved)
        return saved

    # --- the one path every call takes ---------------------------------------------------------

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
        if isinstance(result, DocumentRef):
            self._write_audit(operation, "success", result.document_id, result.version)
        else:
            self._write_audit(operation, "success", document_id, None)
        return result

    def _require(self, scope: str, operation: str, document_id: str | None) -> None:
        if scope not in self._scopes:
            self._write_audit(operation, "denied", document_id, None, detail=f"scope {scope}")
            raise ScopeDenied(self._plugin, scope)

    def _require_any_read(self) -> None:
        if not any(s.startswith("documents.read:") for s in self._scopes):
            self._write_audit("documents.get", "denied", None, None, detail="scope documents.read")
            raise ScopeDenied(self._plugin, "documents.read")

    def _write_audit(
        self,
        operation: str,
        outcome: str,
        document_id: str | None,
        version: int | None,
        detail: str | None = None,
    ) -> None:
        self._audit.record(
            self._launch,
            AuditRecord(
                plugin=self._plugin,
                operation=operation,
                outcome=outcome,
                document_id=document_id,
                document_version=version,
                detail=detail,
            ),
        )


def _outcome(exc: RecordSystemError) -> str:
    if isinstance(exc, RecordAccessDenied):
        return "denied"
    if isinstance(exc, RecordNotFound):
        return "not_found"
    return "error"


def gateway_for_request(plugin_name: str) -> RecordGateway:
    """The gateway for ``plugin_name`` in the current launch: approved ∩ requested scopes."""
    services = host_services()
    manifest = services.registry.manifest(plugin_name)
    requested = frozenset(manifest.scopes) if manifest else frozenset()
    approved = services.enablement.grants(plugin_name).approved_scopes
    launch = g.launch
    return RecordGateway(
        record_system=services.record_system,
        audit=services.audit,
        launch=launch,
        plugin=plugin_name,
        scopes=requested & approved,
        document_types=services.document_types,
        on_saved=lambda ref: publish_saved(services, launch, plugin_name, ref),
    )
