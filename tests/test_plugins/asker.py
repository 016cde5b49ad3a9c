"""A plugin that asks a family member a question through a respondent link.

In a client launch ``/c/<client>/p/asker/issue`` (POST) issues a link (``kiosk=1`` for a kiosk
hand-over, ``minutes`` for its validity) and answers with it as JSON; ``/waiting`` lists the
unopened ones and ``/withdraw`` (POST ``link_id``) withdraws one; ``/qr`` shows a QR code. The
respondent's pages (blueprint ``asker_respondent`` under ``/r/p/asker``): a form, and an answer
saved as a ``note`` through ``respondent_gateway()`` before ``finish_respondent()``. Further
routes try what a respondent must not do. ``other_asker`` below is a second plugin with a
respondent page of its own.
"""

from __future__ import annotations

import json
import types

from flask import Blueprint, render_template_string, request
from marshmallow import Schema, fields

from plugin_host.api import (
    current_respondent,
    finish_respondent,
    gateway,
    hookimpl,
    issue_respondent_link,
    respondent_gateway,
    respondent_qr_svg,
    waiting_respondent_links,
    withdraw_respondent_link,
)

NAME = "asker"
client_bp = Blueprint(NAME, __name__)
respondent_bp = Blueprint(f"{NAME}_respondent", __name__)


class NoteSchema(Schema):
    text = fields.String(required=True)


@hookimpl
def plugin_manifest():
    return {
        "name": NAME,
        "version": "1.0",
        "title": {"fi": "Kysyjä", "sv": "Frågare", "en": "Asker"},
        "requires_host": ">=0.1",
        "scopes": ["client.read", "documents.read:note", "documents.write:note"],
    }


@hookimpl
def client_blueprint():
    return client_bp


@hookimpl
def respondent_blueprint():
    return respondent_bp


@hookimpl
def document_types():
    return [{"type": "note", "schema": NoteSchema, "title": {"fi": "K", "sv": "F", "en": "A"}}]


# --- the worker's side (client launch) --------------------------------------------------------


@client_bp.get("/form-token")
def form_token():
    return render_template_string("{{ csrf_token() }}")


@client_bp.get("/")
def panel():
    return {"name": gateway().client().display_name}


@client_bp.post("/issue")
def issue():
    link = issue_respondent_link(
        request.form.get("endpoint", f"{NAME}_respondent.form"),
        {"question": "q1"},
        minutes_valid=request.form.get("minutes", 60 * 24 * 7, type=int),
        kiosk=request.form.get("kiosk") == "1",
    )
    return {
        "url": link.url,
        "token": link.token,
        "link_id": link.link_id,
        "expires_at": link.expires_at.isoformat(),
        "kiosk": link.kiosk,
    }


@client_bp.get("/waiting")
def waiting():
    return {
        "links": [
            {"link_id": w.link_id, "kiosk": w.kiosk, "worker_id": w.worker_id, "data": w.data}
            for w in waiting_respondent_links()
        ]
    }


@client_bp.post("/withdraw")
def withdraw():
    return {"withdrawn": withdraw_respondent_link(request.form["link_id"])}


@client_bp.get("/qr")
def qr():
    return render_template_string("{{ svg }}", svg=respondent_qr_svg(request.args["url"]))


# --- the respondent's side --------------------------------------------------------------------


@respondent_bp.get("/")
def form():
    who = current_respondent()
    return render_template_string(
        '<form method="post" action="{{ url_for(\'.answer\') }}">'
        '<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">'
        '<label>{{ question }} <input name="text"></label></form>',
        question=who.data["question"],
    )


@respondent_bp.get("/whoami")
def whoami():
    who = current_respondent()
    return {
        "link_id": who.link_id,
        "plugin": who.plugin,
        "client_id": who.client_id,
        "org_unit": who.org_unit,
        "worker_id": who.worker_id,
        "purpose": who.purpose,
        "locale": who.locale,
        "data": who.data,
        "kiosk": who.kiosk,
    }


@respondent_bp.post("/answer")
def answer():
    ref = respondent_gateway().save_document(
        "note", "Vastaus", json.dumps({"text": request.form["text"]})
    )
    finish_respondent()
    return {"document_id": ref.document_id, "write_id": ref.write_id}


@respondent_bp.post("/save-only")
def save_only():
    ref = respondent_gateway().save_document(
        request.form.get("type", "note"), "Vastaus", json.dumps({"text": request.form["text"]})
    )
    return {"document_id": ref.document_id}


@respondent_bp.post("/overwrite")
def overwrite():
    respondent_gateway().save_document(
        "note", "Muutettu", json.dumps({"text": "x"}), document_id=request.form["id"]
    )
    return {"overwritten": True}


@respondent_bp.get("/read/<what>")
def read(what):
    records = respondent_gateway()
    if what == "client":
        records.client()
    elif what == "family":
        records.family()
    elif what == "documents":
        records.documents("note")
    elif what == "document":
        records.document(request.args.get("id", "d-1"))
    elif what == "launch_gateway":
        gateway().client()
    return {"read": what}


@respondent_bp.get("/form-token")
def respondent_form_token():
    return render_template_string("{{ csrf_token() }}")


@respondent_bp.get("/needs/<arg>")
def needs_argument(arg):
    return {"arg": arg}


# --- a second plugin with a respondent page ---------------------------------------------------

OTHER_NAME = "other_asker"
other_client_bp = Blueprint(OTHER_NAME, __name__)
other_respondent_bp = Blueprint(f"{OTHER_NAME}_respondent", __name__)


@other_respondent_bp.get("/")
def other_form():
    return {"plugin": current_respondent().plugin}


@other_client_bp.post("/issue")
def other_issue():
    return {"url": issue_respondent_link(f"{OTHER_NAME}_respondent.other_form", {}).url}


@other_client_bp.post("/issue-foreign")
def other_issue_foreign():
    """Tries to issue a link to asker's respondent page."""
    return {"url": issue_respondent_link(f"{NAME}_respondent.form", {}).url}


def _other_module() -> types.ModuleType:
    def plugin_manifest():
        return {
            "name": OTHER_NAME,
            "version": "1.0",
            "title": {"fi": "Toinen", "sv": "Annan", "en": "Other"},
            "requires_host": ">=0.1",
            "scopes": ["documents.write:memo"],
        }

    def client_blueprint():
        return other_client_bp

    def respondent_blueprint():
        return other_respondent_bp

    module = types.ModuleType(f"{__name__}.{OTHER_NAME}")
    module.__file__ = __file__
    module.plugin_manifest = hookimpl(plugin_manifest)
    module.client_blueprint = hookimpl(client_blueprint)
    module.respondent_blueprint = hookimpl(respondent_blueprint)
    return module


other = _other_module()
