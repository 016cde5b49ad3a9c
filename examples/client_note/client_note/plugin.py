"""Hook implementations: what the host asks of this plugin. The entry point names this module."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from plugin_host.api import Card, DocumentRef, SlotView, gateway, gettext, hookimpl, ngettext

from client_note import __version__
from client_note.schemas import DOCUMENT_TYPE, NoteSchema
from client_note.views import bp

NAME = "client_note"
TITLE = {"fi": "Asiakasmuistiinpano", "sv": "Klientanteckning", "en": "Client note"}


@hookimpl
def plugin_manifest() -> dict[str, Any]:
    return {
        "name": NAME,
        "version": __version__,
        "title": TITLE,
        "requires_host": ">=0.1,<1",
        "scopes": [
            "client.read",
            "family.read",
            f"documents.read:{DOCUMENT_TYPE}",
            f"documents.write:{DOCUMENT_TYPE}",
        ],
        "slots": ["panel"],
    }


@hookimpl
def client_blueprint() -> Blueprint:
    return bp


@hookimpl
def slot_views(slot: str) -> list[SlotView]:
    if slot != "panel":
        return []
    return [SlotView(view_id="panel", slot="panel", endpoint=f"{NAME}.panel", title=TITLE)]


@hookimpl
def document_types() -> list[dict[str, Any]]:
    return [
        {
            "type": DOCUMENT_TYPE,
            "schema": NoteSchema,
            "title": {"fi": "Muistiinpano", "sv": "Anteckning", "en": "Note"},
        }
    ]


@hookimpl
def client_cards() -> list[Card]:
    notes = gateway().documents(DOCUMENT_TYPE)
    if not notes:
        return [Card(summary=gettext("No notes yet"), link_endpoint=f"{NAME}.panel")]
    return [
        Card(
            summary=ngettext("%(num)d note", "%(num)d notes", len(notes)),
            detail=gettext("Latest: %(title)s", title=max(notes, key=_created).title),
            link_endpoint=f"{NAME}.panel",
        )
    ]


def _created(ref: DocumentRef) -> datetime:
    return ref.created_at
