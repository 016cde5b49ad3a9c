"""The plugin's two blueprints: the team's pages (team launch) and the client record's panel."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from plugin_host import api

# Names are the host's rule: the plugin's name, and its name + "_team" for team launches.
team_bp = Blueprint(
    "weekly_meeting_team",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
client_bp = Blueprint("weekly_meeting", __name__, template_folder="templates")


def _formatting() -> dict[str, Any]:
    return {"format_date": api.format_date, "format_datetime": api.format_datetime}


team_bp.context_processor(_formatting)
client_bp.context_processor(_formatting)
