"""The plugin's two blueprints: the team's pages (team launch) and the client record's panel."""

from __future__ import annotations

from flask import Blueprint

# Names are the host's rule: the plugin's name, and its name + "_team" for team launches.
team_bp = Blueprint(
    "weekly_meeting_team",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
client_bp = Blueprint("weekly_meeting", __name__, template_folder="templates")
