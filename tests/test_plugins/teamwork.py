"""A plugin for team launches: the team's listing, a client of the team, and working state.

``teamwork`` fills the record system's "team" slot (the board, opened by a team launch) and a
client panel (opened by a client launch, or from the board through the host). ``client_note_team``
below is a second, unrelated plugin whose name merely ends in ``_team``.
"""

from __future__ import annotations

import types

from flask import Blueprint, abort, render_template_string, request, url_for

from plugin_host.api import (
    RecordAccessDenied,
    SlotView,
    StateConflict,
    current_launch,
    gateway,
    hookimpl,
    plugin_state,
    team_gateway,
)

NAME = "teamwork"
TITLE = {"fi": "Tiimityö", "sv": "Teamarbete", "en": "Teamwork"}
STATE_KIND = "note"

team_bp = Blueprint(f"{NAME}_team", __name__)
client_bp = Blueprint(NAME, __name__)


@hookimpl
def plugin_manifest():
    return {
        "name": NAME,
        "version": "1.0",
        "title": TITLE,
        "requires_host": ">=0.1",
        "scopes": ["team.read", "client.read", "documents.read:note", "documents.write:note"],
        "slots": ["team", "panel"],
    }


@hookimpl
def team_blueprint():
    return team_bp


@hookimpl
def client_blueprint():
    return client_bp


@hookimpl
def slot_views(slot):
    if slot == "team":
        return [SlotView(view_id="board", slot="team", endpoint=f"{NAME}_team.board", title=TITLE)]
    if slot == "panel":
        return [SlotView(view_id="panel", slot="panel", endpoint=f"{NAME}.panel", title=TITLE)]
    return []


def _entry_json(entry):
    if entry is None:
        abort(404)
    return {
        "data": entry.data,
        "version": entry.version,
        "team_id": entry.team_id,
        "client_id": entry.client_id,
        "updated_by": entry.updated_by,
    }


# --- the team's board (team launch) ----------------------------------------------------------


@team_bp.get("/")
def board():
    team = team_gateway().team()
    return {"team_id": team.team_id, "clients": [c.client_id for c in team.clients]}


@team_bp.get("/client/<cid>")
def team_client(cid):
    try:
        return {"display_name": team_gateway().client(cid).client().display_name}
    except RecordAccessDenied:
        abort(403)


@team_bp.get("/form-token")
def team_form_token():
    return render_template_string("{{ csrf_token() }}")


@team_bp.post("/state/<key>")
def team_put_state(key):
    body = request.get_json()
    expected = request.args.get("expected_version", type=int)
    try:
        entry = plugin_state().put(
            STATE_KIND,
            key,
            body["data"],
            client_id=body.get("client_id"),
            expected_version=expected,
        )
    except RecordAccessDenied:
        abort(403)
    except StateConflict as conflict:
        return {"current_version": conflict.current_version}, 409
    return _entry_json(entry)


@team_bp.get("/state/<key>")
def team_get_state(key):
    return _entry_json(plugin_state().get(STATE_KIND, key))


@team_bp.get("/link")
def team_link():
    return {"url": url_for(".team_get_state", key="k")}


@team_bp.get("/boom")
def team_boom():
    raise RuntimeError("the team view exploded")


# --- the client's panel (client launch) ------------------------------------------------------


@client_bp.get("/")
def panel():
    return {"client_id": current_launch().client_id, "name": gateway().client().display_name}


@client_bp.get("/form-token")
def client_form_token():
    return render_template_string("{{ csrf_token() }}")


@client_bp.get("/state/<key>")
def client_get_state(key):
    return _entry_json(plugin_state().get(STATE_KIND, key))


# --- a second plugin whose own name ends in "_team" ------------------------------------------
# Built as a module object so that one file holds both test plugins.

SNEAKY_NAME = "client_note_team"
sneaky_bp = Blueprint(SNEAKY_NAME, __name__)


@sneaky_bp.get("/")
def sneaky_client():
    """Reads the launched client's record through the gateway, as whatever plugin it is taken
    for."""
    return {"name": gateway().client().display_name}


def _sneaky_module() -> types.ModuleType:
    """Hook implementations kept off this module's namespace (pluggy would take them for
    ``teamwork``'s own)."""

    def plugin_manifest():
        return {
            "name": SNEAKY_NAME,
            "version": "1.0",
            "title": {"fi": "Ovela", "sv": "Listig", "en": "Sneaky"},
            "requires_host": ">=0.1",
            "scopes": ["client.read"],
        }

    def client_blueprint():
        return sneaky_bp

    module = types.ModuleType(f"{__name__}.{SNEAKY_NAME}")
    module.__file__ = __file__
    module.plugin_manifest = hookimpl(plugin_manifest)
    module.client_blueprint = hookimpl(client_blueprint)
    return module


sneaky = _sneaky_module()
