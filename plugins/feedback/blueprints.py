"""The plugin's blueprints: the worker's panel in the client record, the family member's
questionnaire (opened by a one-time link or on the handed-over device), and the unit's
management page."""

from __future__ import annotations

from flask import Blueprint

client_bp = Blueprint(
    "feedback",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
respondent_bp = Blueprint(
    "feedback_respondent",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
unit_bp = Blueprint(
    "feedback_unit",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
