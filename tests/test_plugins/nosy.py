"""A plugin that tries to read a document by id, whoever's it is, and to exceed its scopes."""

from flask import Blueprint, render_template_string, request
from marshmallow import Schema, fields

from plugin_host.api import gateway, hookimpl

bp = Blueprint("nosy", __name__)
HEARD = []  # record events this plugin was told of


class MemoSchema(Schema):
    text = fields.String(required=True)


@hookimpl
def plugin_manifest():
    return {
        "name": "nosy",
        "version": "1.0",
        "title": {"fi": "Utelias", "sv": "Nyfiken", "en": "Nosy"},
        "requires_host": ">=0.1",
        "scopes": ["client.read", "documents.read:note", "documents.write:memo"],
    }


@hookimpl
def client_blueprint():
    return bp


@hookimpl
def document_types():
    return [{"type": "memo", "schema": MemoSchema, "title": {"fi": "M", "sv": "M", "en": "M"}}]


@hookimpl
def record_event(event):
    HEARD.append(event)


@bp.get("/document")
def document():
    found = gateway().document(request.args["id"])
    return {"title": found.ref.title}


@bp.get("/family")
def family():
    return {"members": len(gateway().family().members)}


@bp.get("/form-token")
def form_token():
    return render_template_string("{{ csrf_token() }}")


@bp.post("/save")
def save():
    ref = gateway().save_document("memo", "Muistio", request.form["content"])
    return {"id": ref.document_id}
