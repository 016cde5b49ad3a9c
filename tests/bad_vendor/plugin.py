"""A vendor plugin with the mistakes the contract suite (plugin_host.testing.contract) catches:

- over-broad scopes: it asks for ``family.read`` and its own document type's read and write
  scopes, and uses only ``client.read``;
- missing Swedish translations: ``translations/sv`` lacks a message of ``messages.pot``;
- a route that leaks a foreign client: its notes live in its own store keyed by a client id it
  reads from the URL (``/notes/<client>``), not from the launch;
- client names in its log.
"""

from __future__ import annotations

import logging

from flask import Blueprint, redirect, render_template_string, request, url_for
from marshmallow import Schema, fields

from plugin_host.api import SlotView, current_launch, gateway, hookimpl

NAME = "bad_vendor"
TITLE = {"fi": "Huono toimittaja", "sv": "Dålig leverantör", "en": "Bad vendor"}
NOTES: dict[str, list[str]] = {}  # its own store: client id -> notes
log = logging.getLogger(__name__)

bp = Blueprint(NAME, __name__)

PANEL = """<!doctype html><html lang="{{ html_lang }}"><title>{{ _("Notes") }}</title><main>
<h1>{{ _("Notes") }}: {{ name }}</h1>
<a href="{{ url_for('bad_vendor.notes', client=client_id) }}">{{ _("Add a note") }}</a>
</main></html>"""
NOTES_PAGE = """<!doctype html><html lang="{{ html_lang }}"><title>{{ _("Notes") }}</title><main>
<h1>{{ _("Notes") }}</h1><ul>{% for note in notes %}<li>{{ note }}</li>{% endfor %}</ul>
<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<label for="text">{{ _("Add a note") }}</label><input id="text" name="text">
<button>{{ _("Add a note") }}</button></form></main></html>"""


class MemoSchema(Schema):
    text = fields.String(required=True)


@hookimpl
def plugin_manifest():
    return {
        "name": NAME,
        "version": "1.0",
        "title": TITLE,
        "requires_host": ">=0.1",
        "scopes": [
            "client.read",
            "family.read",
            f"documents.read:{NAME}",
            f"documents.write:{NAME}",
        ],
        "slots": ["panel"],
    }


@hookimpl
def client_blueprint():
    return bp


@hookimpl
def slot_views(slot):
    return [SlotView(view_id="panel", slot="panel", endpoint=f"{NAME}.panel", title=TITLE)]


@hookimpl
def document_types():
    return [{"type": NAME, "schema": MemoSchema, "title": TITLE}]


@bp.get("/")
def panel():
    client = gateway().client()
    log.info("panel opened for %s", client.display_name)  # a client's name in the log
    return render_template_string(
        PANEL, name=client.display_name, client_id=current_launch().client_id
    )


@bp.get("/notes/<client>")
def notes(client):
    # The client comes from the URL: a launch for one client reads another's notes.
    return render_template_string(NOTES_PAGE, notes=NOTES.get(client, []))


@bp.post("/notes/<client>")
def add_note(client):
    NOTES.setdefault(client, []).append(request.form["text"])
    return redirect(url_for(".notes", client=client), code=303)
