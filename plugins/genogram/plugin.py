"""Hook implementations: what the host asks of the genogram plugin. The entry point names this."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint

from plugin_host.api import (
    ArchiveForm,
    Card,
    SlotView,
    format_date,
    gateway,
    gettext,
    hookimpl,
    load_payload,
)
from plugins.genogram import __version__, archive
from plugins.genogram.schemas import DOCUMENT_TYPE, GenogramSchema
from plugins.genogram.views import bp

NAME = "genogram"
TITLE = {
    "fi": "Genogrammi ja verkostokartta",
    "sv": "Genogram och nätverkskarta",
    "en": "Genogram and network map",
}


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
    return [SlotView(view_id="editor", slot="panel", endpoint=f"{NAME}.editor", title=TITLE)]


@hookimpl
def document_types() -> list[dict[str, Any]]:
    return [
        {
            "type": DOCUMENT_TYPE,
            "schema": GenogramSchema,
            "title": {"fi": "Genogrammi", "sv": "Genogram", "en": "Genogram"},
        }
    ]


@hookimpl
def archive_form(document_type: str, content: dict[str, Any]) -> ArchiveForm | None:
    if document_type != DOCUMENT_TYPE:
        return None
    return archive.archive_form(load_payload(GenogramSchema(), content), date.today())


@hookimpl
def client_cards() -> list[Card]:
    refs = gateway().documents(DOCUMENT_TYPE)
    if not refs:
        return [
            Card(
                summary=gettext("No genogram yet"),
                detail=gettext("Draw the family and its network together with the family."),
                link_endpoint=f"{NAME}.editor",
            )
        ]
    newest = max(refs, key=lambda ref: ref.created_at)
    return [
        Card(
            summary=gettext("Genogram, version %(version)d", version=newest.version),
            detail=gettext("Saved %(day)s", day=format_date(newest.created_at)),
            link_endpoint=f"{NAME}.editor",
        )
    ]
