"""The shapes of the host's JSON API: every request body and every JSON answer, in one place.

Handlers load request bodies with these schemas and give out answers only through ``dump``;
``plugin_host.openapi`` describes the API from the same classes, so the two cannot drift apart.
Answer fields marked ``required`` are always present in the answer (``dump`` writes them).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from plugin_host.clock import as_utc
from plugin_host.manifest import LocalizedTextSchema
from plugin_host.outbox import queue
from plugin_host.outbox.breaker import CLOSED, HALF_OPEN, OPEN

CONFLICT_CHOICES = ("mine", "theirs", "merged")
WRITE_STATES = (
    queue.PENDING,
    queue.DELIVERING,
    queue.DELIVERED,
    queue.NEEDS_USER,
    queue.FAILED,
    queue.DISCARDED,
)


def _always(field: type[fields.Field], **kwargs: Any) -> fields.Field:
    """An answer field present in every answer (``required`` only documents that)."""
    return field(required=True, **kwargs)


def _nullable(field: type[fields.Field], **kwargs: Any) -> fields.Field:
    return field(required=True, allow_none=True, **kwargs)


def _texts() -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class TextLines(fields.List):
    """Text kept one item a line, given out as a list of lines (none for empty text)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.String(), **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(value.splitlines() if value else [], attr, obj, **kwargs)


class StoredDateTime(fields.DateTime):
    """A time read back from the host's database, always given as UTC with its offset (SQLite
    keeps none: a stored time is UTC by the host's rule)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(as_utc(value) if value else value, attr, obj, **kwargs)


# --- request bodies --------------------------------------------------------------------------


class DocumentBodySchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    content = fields.Dict(
        required=True, metadata={"description": "Checked against the document type's schema."}
    )


class ResolutionSchema(Schema):
    choice = fields.String(required=True, validate=validate.OneOf(CONFLICT_CHOICES))
    title = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    content = fields.Dict(load_default=None, metadata={"description": "Required for merged."})


class ArchiveRequestSchema(Schema):
    version = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1),
        metadata={"description": "The record version to send; the newest when left out."},
    )


# --- /-/ -------------------------------------------------------------------------------------


class OutboxSummarySchema(Schema):
    depth = _always(fields.Integer, metadata={"description": "Writes not yet settled."})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    oldest_open_seconds = _nullable(fields.Float)


class PluginCountsSchema(Schema):
    loaded = _always(fields.Integer)
    refused = _always(fields.Integer)
    failures = _always(fields.Integer)


class HealthSchema(Schema):
    status = _always(fields.String, validate=validate.OneOf(("ok", "degraded")))
    version = _always(fields.String)
    database = _always(fields.String, validate=validate.OneOf(("ok", "unavailable")))
    outbox = fields.Nested(OutboxSummarySchema, required=True, allow_none=True)
    record_system_breaker = _always(
        fields.String,
        validate=validate.OneOf((CLOSED, OPEN, HALF_OPEN)),
        metadata={"description": "This process's breaker; each host process has its own."},
    )
    plugins = fields.Nested(PluginCountsSchema, required=True)


class ScopeGrantsSchema(Schema):
    requested = fields.List(fields.String(), required=True)
    approved = fields.List(fields.String(), required=True)


class PluginViewSchema(Schema):
    view_id = _always(fields.String)
    slot = _always(fields.String)
    title = _texts()


class PluginDescriptionSchema(Schema):
    name = _always(fields.String)
    source = _always(fields.String)
    status = _always(fields.String, validate=validate.OneOf(("loaded", "refused")))
    reason = _nullable(fields.String)
    version = _nullable(fields.String)
    title = fields.Nested(LocalizedTextSchema, required=True, allow_none=True)
    internal = _always(fields.Boolean)
    requires_host = _nullable(fields.String)
    slots = fields.List(fields.String(), required=True)
    scopes = fields.Nested(ScopeGrantsSchema, required=True)
    enabled_units = fields.List(fields.String(), required=True)
    disabled_units = fields.List(fields.String(), required=True)
    enabled = _nullable(
        fields.Boolean, metadata={"description": "Whether it runs in ?org_unit; null without it."}
    )
    failures = _always(fields.Integer)
    views = fields.List(fields.Nested(PluginViewSchema), required=True)


class PluginListSchema(Schema):
    host_version = _always(fields.String)
    plugins = fields.List(fields.Nested(PluginDescriptionSchema), required=True)


# --- /c/<client_id>/ -------------------------------------------------------------------------


class CardSchema(Schema):
    plugin = _always(fields.String)
    plugin_title = _always(fields.String)
    summary = _always(fields.String)
    indicator = _always(fields.String, metadata={"description": "info, warning or critical."})
    detail = _always(fields.String)
    # A placeholder card (its plugin failed) has no link.
    link_endpoint = fields.String(allow_none=True)
    placeholder = _always(fields.Boolean)


class CardListSchema(Schema):
    cards = fields.List(fields.Nested(CardSchema), required=True)


class SessionSchema(Schema):
    csrf_token = _always(
        fields.String, metadata={"description": "Send it as X-CSRF-Token on unsafe methods."}
    )
    locale = _always(fields.String)


class DocumentRefSchema(Schema):
    document_id = _always(fields.String)
    document_type = _always(fields.String)
    version = _always(fields.Integer)
    title = _always(fields.String)
    created_at = _always(fields.DateTime)
    pending = _always(
        fields.Boolean, metadata={"description": "Accepted but not yet in the record system."}
    )
    write_id = _nullable(fields.String)


class DocumentListSchema(Schema):
    documents = fields.List(fields.Nested(DocumentRefSchema), required=True)
    complete = _always(
        fields.Boolean,
        metadata={"description": "False when the record system did not answer: pending only."},
    )


class DocumentSchema(DocumentRefSchema):
    content = fields.Dict(required=True)


class AcceptedWriteSchema(DocumentRefSchema):
    status = fields.Constant(
        queue.PENDING, required=True, metadata={"type": "string", "enum": [queue.PENDING]}
    )


class VersionMismatchSchema(Schema):
    current_version = _always(fields.Integer)


class WriteStatusSchema(Schema):
    write_id = _always(fields.String)
    status = _always(fields.String, validate=validate.OneOf(WRITE_STATES))
    document_id = _always(fields.String)
    version = _always(fields.Integer)
    conflict_version = _nullable(fields.Integer)
    attempts = _always(fields.Integer)
    last_error = _nullable(fields.String)


class TransmissionSchema(Schema):
    correlation_id = _always(fields.String)
    status = _always(fields.String)
    record_document_id = _always(fields.String)
    record_version = _always(fields.Integer)
    set_oid = _always(fields.String)
    document_oid = _always(fields.String)
    kanta_version = _always(fields.Integer)
    errors = TextLines(required=True)
    sent_at = _always(StoredDateTime, metadata={"description": "UTC."})


class TransmissionListSchema(Schema):
    transmissions = fields.List(fields.Nested(TransmissionSchema), required=True)


class ErrorSchema(Schema):
    error = _always(fields.String)


class ProblemSchema(Schema):
    """An error as RFC 9457 problem details (``application/problem+json``): what the host's error
    page says, for a client that reads JSON; ``errors`` names each field of a refused body."""

    type = _always(fields.String)
    title = _always(fields.String)
    status = _always(fields.Integer)
    detail = _always(fields.String)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
