"""A plugin written for API 1.2: its client blueprint still comes from the deprecated hook
``plugin_blueprint`` (every other plugin here implements ``client_blueprint``)."""

from flask import Blueprint

from plugin_host.api import hookimpl

bp = Blueprint("legacy", __name__)


@hookimpl
def plugin_manifest():
    return {
        "name": "legacy",
        "version": "1.0",
        "title": {"fi": "Vanha", "sv": "Gammal", "en": "Legacy"},
        "requires_host": ">=0.1",
        "scopes": ["client.read"],
    }


@hookimpl
def plugin_blueprint():
    return bp


@bp.get("/")
def panel():
    return {"plugin": "legacy"}
