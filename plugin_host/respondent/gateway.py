"""The respondent's gateway: new documents of the plugin's approved write types, nothing else.

Bound to the link's client and issued as the issuing worker (audit and outbox rows name that
worker, with ``respondent link <link_id>`` in the audit detail). Its scopes are only the plugin's
approved ``documents.write:*`` ones, so every read (client, family, listings, documents, pending
writes) is refused with ScopeDenied; a respondent adds new documents and never changes one.
"""

from __future__ import annotations

from flask import g

from plugin_host.audit import AuditRecord
from plugin_host.gateway import RecordGateway, gateway_for_launch, granted_scopes
from plugin_host.records import DocumentRef, RecordAccessDenied
from plugin_host.respondent import binding
from plugin_host.scopes import document_scope
from plugin_host.storage.models import OutboxWrite

WRITE_PREFIX = "documents.write:"


class RespondentGateway(RecordGateway):
    """A RecordGateway whose audit rows say which respondent link acted."""

    link_id: str = ""

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
        if document_id is not None or expected_version is not None:
            # Checked after the scope, so an unapproved type is still told as a scope.
            self._require(document_scope("write", document_type), "documents.save", document_id)
            self._write_audit("documents.save", "denied", document_id, None, "not a new document")
            raise RecordAccessDenied("a respondent adds new documents only")
        return super().save_document(
            document_type,
            title,
            content,
            content_type=content_type,
            idempotency_key=idempotency_key,
        )

    def resolve_conflict(
        self, write_id: str, choice: str, content: str | None = None, title: str | None = None
    ) -> OutboxWrite:
        self._write_audit("documents.resolve", "denied", None, None, f"write {write_id}")
        raise RecordAccessDenied("a respondent does not settle conflicts")

    def _entry(
        self,
        operation: str,
        outcome: str,
        document_id: str | None,
        version: int | None,
        detail: str | None = None,
    ) -> AuditRecord:
        marked = f"respondent link {self.link_id}" + (f", {detail}" if detail else "")
        return super()._entry(operation, outcome, document_id, version, marked)


def respondent_gateway_for_request() -> RespondentGateway:
    context = binding.current()
    if g.get("respondent_finished"):
        raise RecordAccessDenied("the respondent has finished")
    writes = frozenset(s for s in granted_scopes(context.plugin) if s.startswith(WRITE_PREFIX))
    gateway = gateway_for_launch(
        context.plugin, context.as_launch(), scopes=writes, factory=RespondentGateway
    )
    assert isinstance(gateway, RespondentGateway)
    gateway.link_id = context.link_id
    return gateway
