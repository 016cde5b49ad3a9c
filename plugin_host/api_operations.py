"""What the host's JSON API is, route by route: summaries, bodies, answers and their shapes.

``plugin_host.openapi`` turns this into the OpenAPI document; the shapes themselves are the
marshmallow schemas of ``plugin_host.api_schemas``. An endpoint missing here is not described.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema

from plugin_host import api_schemas as shapes


@dataclass(frozen=True)
class Answer:
    """One status of an operation: a JSON body (a schema), the host's problem details (the
    error as ``plugin_host.errors`` explains it, ``application/problem+json``), or both."""

    description: str
    schema: type[Schema] | dict[str, Any] | None = None
    problem: bool = False
    headers: dict[str, str] = field(default_factory=dict)  # header name: components.headers


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    answers: dict[int, Answer | str]  # a str names a shared answer in components.responses
    body: type[Schema] | None = None
    body_required: bool = True
    query: dict[str, str] = field(default_factory=dict)
    request_headers: dict[str, str] = field(default_factory=dict)


# Shared answers: the host's problem details, as ``plugin_host.errors`` gives them.
SHARED_ANSWERS = {
    "InvalidPayload": Answer(
        "The body failed its schema; ``errors`` names each field.", problem=True
    ),
    "NoLaunch": Answer("No launch is open in this browser.", problem=True),
    "Forbidden": Answer(
        "A launch for another client, a plugin not enabled in the launch's unit, a missing or "
        "wrong CSRF token, or a scope the admin has not approved.",
        problem=True,
    ),
    "NotFound": Answer("No such document, write or plugin here.", problem=True),
    "RecordSystemDown": Answer("The record system is not answering.", problem=True),
    "RecordSystemError": Answer("The record system answered with an error.", problem=True),
}
HEADERS = {
    "ETag": {
        "description": "The document's version, quoted.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Location": {
        "description": "Where to follow the write.",
        "required": True,
        "schema": {"type": "string"},
    },
    "CurrentETag": {
        "description": "With the JSON answer only: the current version, quoted.",
        "schema": {"type": "string"},
    },
}
PARAMETERS = {
    "client_id": "The launched client; a session for another client gets 403.",
    "plugin": "The plugin whose documents these are (enabled in the launch's unit).",
    "document_type": "A document type the plugin declared.",
    "document_id": "The record system's document id, or a pending write's id.",
    "write_id": "A write accepted by the outbox.",
}
_ACCEPTED = Answer(
    "Accepted into the outbox; delivered to the record system later.",
    shapes.AcceptedWriteSchema,
    headers={"ETag": "ETag", "Location": "Location"},
)

OPERATIONS: dict[str, Operation] = {
    "host_status.health": Operation(
        "Health of the host for a monitor",
        "status",
        {
            200: Answer("The host and its database answer.", shapes.HealthSchema),
            503: Answer("The host's database does not answer.", shapes.HealthSchema),
        },
    ),
    "host_status.plugins": Operation(
        "Installed plugins, their scopes, units and views",
        "status",
        {200: Answer("Every installed plugin.", shapes.PluginListSchema)},
        query={"org_unit": "Also tell whether each plugin runs in this unit, and its views."},
    ),
    "host_status.openapi": Operation(
        "This document",
        "status",
        {200: Answer("The OpenAPI description of the JSON API.", {"type": "object"})},
    ),
    "host_home.cards_json": Operation(
        "Summary cards of the launched client",
        "client",
        {
            200: Answer(
                "Every enabled plugin's cards; a failing one as a placeholder.",
                shapes.CardListSchema,
            )
        },
    ),
    "host_documents.session_info": Operation(
        "The launch's CSRF token and locale",
        "client",
        {200: Answer("For a script in a plugin's page.", shapes.SessionSchema)},
    ),
    "host_documents.list_documents": Operation(
        "A plugin's documents of one type",
        "documents",
        {
            200: Answer(
                "With pending writes; complete=false when the record system is down.",
                shapes.DocumentListSchema,
            ),
            404: "NotFound",
            502: "RecordSystemError",
        },
    ),
    "host_documents.create_document": Operation(
        "Save a new document",
        "documents",
        {202: _ACCEPTED, 400: "InvalidPayload", 404: "NotFound"},
        body=shapes.DocumentBodySchema,
    ),
    "host_documents.get_document": Operation(
        "One document with its content",
        "documents",
        {
            200: Answer(
                "The newest version (or a pending write).",
                shapes.DocumentSchema,
                headers={"ETag": "ETag"},
            ),
            404: "NotFound",
            502: "RecordSystemError",
            503: "RecordSystemDown",
        },
    ),
    "host_documents.update_document": Operation(
        "Save a new version of a document",
        "documents",
        {
            202: _ACCEPTED,
            400: "InvalidPayload",
            404: "NotFound",
            412: Answer(
                "If-Match is not the current version (JSON, with the current one as ETag), or "
                "is no version at all (problem details).",
                shapes.VersionMismatchSchema,
                problem=True,
                headers={"ETag": "CurrentETag"},
            ),
            428: Answer("If-Match is missing.", problem=True),
            502: "RecordSystemError",
        },
        body=shapes.DocumentBodySchema,
        request_headers={"If-Match": 'The version the change is based on, e.g. "3".'},
    ),
    "host_documents.write_status": Operation(
        "Follow a write",
        "writes",
        {200: Answer("The write's state.", shapes.WriteStatusSchema), 404: "NotFound"},
    ),
    "host_documents.resolve_json": Operation(
        "Settle a write stopped by a version conflict",
        "writes",
        {
            202: Answer("Settled; the write is on its way again.", shapes.WriteStatusSchema),
            400: "InvalidPayload",
            404: Answer("No conflict waits under that id.", problem=True),
        },
        body=shapes.ResolutionSchema,
    ),
    "host_kanta.archive_document": Operation(
        "Send a document version to the Kanta archive",
        "kanta",
        {
            200: Answer(
                "The transmission, whatever the archive answered.", shapes.TransmissionSchema
            ),
            400: "InvalidPayload",
            404: Answer("No [kanta] configuration, or no such document.", problem=True),
            409: Answer("A newer version is in the archive already.", shapes.ErrorSchema),
            422: Answer("No plugin gives an archive form for this type.", shapes.ErrorSchema),
            503: Answer("The archive is not answering; nothing was sent.", shapes.ErrorSchema),
        },
        body=shapes.ArchiveRequestSchema,
        body_required=False,
    ),
    "host_kanta.list_transmissions": Operation(
        "A document's transmissions to the Kanta archive",
        "kanta",
        {
            200: Answer("Newest first.", shapes.TransmissionListSchema),
            404: Answer("No [kanta] configuration.", problem=True),
        },
    ),
}
TAGS = {
    "status": "For monitors and the record system; no session.",
    "client": "The launched client.",
    "documents": "A plugin's documents, written through the outbox.",
    "writes": "Writes accepted by the outbox.",
    "kanta": "The national social-welfare archive.",
}
