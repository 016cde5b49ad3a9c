"""A meeting and its agenda: which families, in which order, for how long, and the case timers.

A meeting is the team's working state (kept with ``api.plugin_state``, never in a client's
record): its date and its agenda, whose items are families, each one or more of the team's
clients (siblings with records of their own are one item). Only client ids are kept here, never
names: names come from the record system's team listing when a page is drawn.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from marshmallow import Schema, fields, validate

from plugin_host.api import lazy_gettext as _
from plugin_host.api import load_payload
from plugins.weekly_meeting.schemas import IDENTIFIER

MEETING_KIND = "meeting"
DEFAULT_MINUTES = 15
MAX_AGENDA_ITEMS = 60


class TimerSchema(Schema):
    # Running over the time box is shown, never enforced: the timer only counts.
    started_at = fields.AwareDateTime(load_default=None, allow_none=True)
    elapsed_seconds = fields.Integer(load_default=0, validate=validate.Range(min=0))


class AgendaItemSchema(Schema):
    item_id = fields.String(required=True, validate=validate.Regexp(IDENTIFIER))
    clients = fields.List(
        fields.String(validate=validate.Regexp(IDENTIFIER)),
        required=True,
        validate=validate.Length(min=1, max=20),
    )
    minutes = fields.Integer(
        load_default=DEFAULT_MINUTES,
        validate=validate.Range(min=1, max=120, error=_("Give 1-120 minutes.")),
    )
    timer = fields.Nested(TimerSchema, load_default=lambda: {"started_at": None})


class MeetingSchema(Schema):
    meeting_id = fields.String(required=True, validate=validate.Regexp(IDENTIFIER))
    date = fields.Date(required=True)
    created_by = fields.String(required=True)
    agenda = fields.List(
        fields.Nested(AgendaItemSchema),
        load_default=list,
        validate=validate.Length(max=MAX_AGENDA_ITEMS),
    )


class NewMeetingForm(Schema):
    date = fields.Date(
        required=True, error_messages={"required": _("Give the date of the meeting.")}
    )


class AgendaChangeForm(Schema):
    action = fields.String(
        required=True, validate=validate.OneOf(("add", "up", "down", "remove", "minutes"))
    )
    item = fields.String(load_default=None, validate=validate.Regexp(IDENTIFIER))
    client = fields.String(load_default=None, validate=validate.Regexp(IDENTIFIER))
    minutes = fields.Integer(
        load_default=None, validate=validate.Range(min=1, max=120, error=_("Give 1-120 minutes."))
    )


def new_meeting(day: date, worker_id: str) -> dict[str, Any]:
    return load_payload(
        MeetingSchema(),
        {
            "meeting_id": f"m-{uuid.uuid4().hex[:12]}",
            "date": day.isoformat(),
            "created_by": worker_id,
        },
    )


def to_json(meeting: dict[str, Any]) -> dict[str, Any]:
    return MeetingSchema().dump(meeting)


def from_json(data: dict[str, Any]) -> dict[str, Any]:
    return load_payload(MeetingSchema(), data)


def item(meeting: dict[str, Any], item_id: str) -> dict[str, Any] | None:
    return next((i for i in meeting["agenda"] if i["item_id"] == item_id), None)


def add_family(meeting: dict[str, Any], family_clients: list[str]) -> str:
    """Put a family on the agenda (or return the item it is already on); the item's id."""
    for existing in meeting["agenda"]:
        if set(existing["clients"]) & set(family_clients):
            existing["clients"] = list(dict.fromkeys([*existing["clients"], *family_clients]))
            return existing["item_id"]
    item_id = f"i-{uuid.uuid4().hex[:12]}"
    meeting["agenda"].append(
        {
            "item_id": item_id,
            "clients": list(family_clients),
            "minutes": DEFAULT_MINUTES,
            "timer": {"started_at": None, "elapsed_seconds": 0},
        }
    )
    return item_id


def move(meeting: dict[str, Any], item_id: str, step: int) -> None:
    agenda = meeting["agenda"]
    index = next((n for n, i in enumerate(agenda) if i["item_id"] == item_id), None)
    if index is None:
        return
    target = index + step
    if 0 <= target < len(agenda):
        agenda[index], agenda[target] = agenda[target], agenda[index]


def remove(meeting: dict[str, Any], item_id: str) -> None:
    meeting["agenda"] = [i for i in meeting["agenda"] if i["item_id"] != item_id]


def elapsed_seconds(agenda_item: dict[str, Any], now: datetime) -> int:
    timer = agenda_item["timer"]
    running = 0
    if timer.get("started_at") is not None:
        running = int((now - timer["started_at"]).total_seconds())
    return timer.get("elapsed_seconds", 0) + max(running, 0)


def start_timer(agenda_item: dict[str, Any], now: datetime) -> None:
    if agenda_item["timer"].get("started_at") is None:
        agenda_item["timer"]["started_at"] = now


def stop_timer(agenda_item: dict[str, Any], now: datetime) -> None:
    agenda_item["timer"] = {
        "started_at": None,
        "elapsed_seconds": elapsed_seconds(agenda_item, now),
    }


def utc_now() -> datetime:
    return datetime.now(UTC)
