"""A plugin that fails everywhere it can: proof that it takes nothing else down."""

from flask import Blueprint

from plugin_host.api import SlotView, hookimpl

bp = Blueprint("broken", __name__)


@hookimpl
def plugin_manifest():
    return {
        "name": "broken",
        "version": "1.0",
        "title": {"fi": "Rikkinäinen", "sv": "Trasig", "en": "Broken"},
        "requires_host": ">=0.1",
        "scopes": ["client.read"],
        "slots": ["panel", "tab"],
    }


@hookimpl
def client_blueprint():
    return bp


@hookimpl
def slot_views(slot):
    if slot == "tab":
        raise RuntimeError("slot_views exploded")
    return [
        SlotView(
            view_id="panel",
            slot="panel",
            endpoint="broken.panel",
            title={"fi": "Rikki", "sv": "Trasig", "en": "Broken"},
        )
    ]


@bp.get("/")
def panel():
    raise RuntimeError("the view exploded")


@hookimpl
def client_cards():
    raise RuntimeError("cards exploded")
