"""Hook implementations: what the host asks of the weekly-meeting plugin. The entry point names
this module."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from marshmallow import Schema, fields, validate

from plugin_host.api import (
    Card,
    SlotView,
    format_date,
    gettext,
    hookimpl,
    ngettext,
    plugin_state,
)
from plugins.weekly_meeting import __version__, client_views, discussion_views, team_views
from plugins.weekly_meeting.blueprints import client_bp, team_bp
from plugins.weekly_meeting.carry_over import parse_date
from plugins.weekly_meeting.schemas import MINUTES_TYPE, MinutesSchema
from plugins.weekly_meeting.signing import CASE_KIND

# The view modules register their routes on the blueprints when imported.
VIEWS = (client_views, discussion_views, team_views)

NAME = "weekly_meeting"
TITLE = {
    "fi": "Systeeminen viikkokokous",
    "sv": "Systemiskt veckomöte",
    "en": "Systemic weekly meeting",
}
MINUTES_TITLE = {
    "fi": "Viikkokokouksen muistio",
    "sv": "Veckomötets protokoll",
    "en": "Weekly meeting minutes",
}


class WeeklyMeetingSettings(Schema):
    """``[plugins.weekly_meeting]`` in the host's configuration."""

    # A case not discussed for this many weeks is flagged on the team's board.
    stale_weeks = fields.Integer(load_default=4, validate=validate.Range(min=1, max=52))
    # The model's target is 20 children per social worker; the legal ceiling is higher.
    caseload_limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


@hookimpl
def plugin_manifest() -> dict[str, Any]:
    return {
        "name": NAME,
        "version": __version__,
        "title": TITLE,
        "requires_host": ">=0.1,<1",
        "scopes": [
            "team.read",
            "client.read",
            "family.read",
            f"documents.read:{MINUTES_TYPE}",
            f"documents.write:{MINUTES_TYPE}",
            "documents.read:genogram",
        ],
        "slots": ["team", "panel"],
        "settings": WeeklyMeetingSettings,
    }


@hookimpl
def client_blueprint() -> Blueprint:
    return client_bp


@hookimpl
def team_blueprint() -> Blueprint:
    return team_bp


@hookimpl
def slot_views(slot: str) -> list[SlotView]:
    if slot == "team":
        return [
            SlotView(view_id="meeting", slot="team", endpoint=f"{NAME}_team.board", title=TITLE)
        ]
    if slot == "panel":
        return [
            SlotView(view_id="minutes", slot="panel", endpoint=f"{NAME}.panel", title=MINUTES_TITLE)
        ]
    return []


@hookimpl
def document_types() -> list[dict[str, Any]]:
    return [{"type": MINUTES_TYPE, "schema": MinutesSchema, "title": MINUTES_TITLE}]


@hookimpl
def client_cards() -> list[Card]:
    """When the family's case is next reviewed in the weekly meeting, and its open tasks."""
    # Newest first: a child who moved teams has an entry from each.
    entry = next(iter(plugin_state().find(CASE_KIND)), None)
    if entry is None:
        return []
    case = entry.data
    open_tasks = [t for t in case["tasks"] if t["state"] == "open"]
    review = parse_date(case.get("next_review"))
    summary = ngettext(
        "Discussed in the weekly meeting on %(day)s; %(num)d open task.",
        "Discussed in the weekly meeting on %(day)s; %(num)d open tasks.",
        len(open_tasks),
        day=format_date(parse_date(case["last_discussed"])),
    )
    detail = gettext("Next review %(day)s.", day=format_date(review)) if review else ""
    return [Card(summary=summary, detail=detail)]
