"""A plugin that tries to read a document by id, whoever's it is, and to exceed its scopes."""

from flask import Blueprint, request

from plugin_host.api import gateway, hookimpl

bp = Blueprint("nosy", __name__)


@hookimpl
def plugin_manifest():
    return {
        "name": "nosy",
        "version": "1.0",
        "title": {"fi": "Utelias", "sv": "Nyfiken", "en": "Nosy"},
        "requires_host": ">=0.1",
        "scopes": ["client.read", "documents.read:note"],
    }


@hookimpl
def plugin_blueprint():
    return bp


@bp.get("/document")
def document():
    found = gateway().document(request.args["id"])
    return {"title": found.ref.title}


@bp.get("/family")
def family():
    return {"members": len(gateway().family().members)}


@bp.post("/save")
def save():
    ref = gateway().save_document("note", "x", "{}")
    return {"id": ref.document_id}
