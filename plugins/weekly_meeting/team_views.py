"""The team's pages: continuity board, meetings and their agendas, and the covering member's
case card. Served by a team launch from the record system's team page."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from plugin_host import api
from plugins.weekly_meeting import agenda
from plugins.weekly_meeting.blueprints import team_bp
from plugins.weekly_meeting.carry_over import parse_date
from plugins.weekly_meeting.continuity import team_overview
from plugins.weekly_meeting.family_groups import family_of
from plugins.weekly_meeting.schemas import MINUTES_TYPE
from plugins.weekly_meeting.signing import CASE_KIND, DISCUSSION_KIND


def today() -> date:
    return agenda.utc_now().astimezone(api.get_timezone()).date()


def submitted() -> dict[str, str]:
    """The posted form without the host's CSRF token (checked by the host already)."""
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


def load_meeting(meeting_id: str) -> tuple[dict[str, Any], int]:
    """The meeting and its stored version; 404 for none this team may see."""
    entry = api.plugin_state().get(agenda.MEETING_KIND, meeting_id)
    if entry is None:
        abort(404)
    return agenda.from_json(entry.data), entry.version


def save_meeting(meeting: dict[str, Any], version: int) -> None:
    api.plugin_state().put(
        agenda.MEETING_KIND,
        meeting["meeting_id"],
        agenda.to_json(meeting),
        client_id="",
        expected_version=version,
    )


@team_bp.get("/")
def board() -> str:
    """Every family of the team: when last discussed, tasks, who is over the caseload limit."""
    team = api.team_gateway().team()
    settings = api.plugin_settings()
    state = api.plugin_state()
    entries = {e.client_id: e.data for e in state.find(CASE_KIND)}
    overview = team_overview(
        team.clients,
        team.members,
        entries,
        today(),
        stale_weeks=settings["stale_weeks"],
        caseload_limit=settings["caseload_limit"],
    )
    meetings = sorted(
        (agenda.from_json(e.data) for e in state.find(agenda.MEETING_KIND)),
        key=lambda m: m["date"],
        reverse=True,
    )
    return render_template(
        "weekly_meeting/board.html",
        team=team,
        overview=overview,
        meetings=meetings,
        settings=settings,
        next_week=today() + timedelta(days=(7 - today().weekday()) % 7),
        names={c.client_id: c.display_name for c in team.clients},
    )


@team_bp.post("/meetings")
def create_meeting() -> Response:
    form = api.load_payload(agenda.NewMeetingForm(), submitted())
    meeting = agenda.new_meeting(form["date"], api.current_launch().worker_id)
    api.plugin_state().put(
        agenda.MEETING_KIND, meeting["meeting_id"], agenda.to_json(meeting), client_id=""
    )
    return redirect(url_for(".meeting", meeting_id=meeting["meeting_id"]), code=303)


@team_bp.get("/meetings/<meeting_id>")
def meeting(meeting_id: str) -> str:
    found, _version = load_meeting(meeting_id)
    team = api.team_gateway().team()
    entries = {e.client_id: e.data for e in api.plugin_state().find(CASE_KIND)}
    drafts = {
        e.data["item_id"]: e.data
        for e in api.plugin_state().find(DISCUSSION_KIND)
        if e.data.get("meeting_id") == meeting_id
    }
    on_agenda = {c for i in found["agenda"] for c in i["clients"]}
    names = {c.client_id: c.display_name for c in team.clients}
    return render_template(
        "weekly_meeting/meeting.html",
        meeting=found,
        team=team,
        family_label=lambda item: ", ".join(names.get(c, c) for c in item["clients"]),
        entries=entries,
        drafts=drafts,
        not_on_agenda=[c for c in team.clients if c.client_id not in on_agenda],
        day=found["date"],
        parse_date=parse_date,
    )


@team_bp.post("/meetings/<meeting_id>/agenda")
def change_agenda(meeting_id: str) -> Response:
    found, version = load_meeting(meeting_id)
    change = api.load_payload(agenda.AgendaChangeForm(), submitted())
    action = change["action"]
    if action == "add" and change["client"]:
        family = family_of(change["client"], api.team_gateway().team())
        if not family:
            abort(404)
        agenda.add_family(found, family)
    elif action in ("up", "down") and change["item"]:
        agenda.move(found, change["item"], -1 if action == "up" else 1)
    elif action == "remove" and change["item"]:
        agenda.remove(found, change["item"])
    elif action == "minutes" and change["item"] and change["minutes"]:
        listed = agenda.item(found, change["item"])
        if listed is not None:
            listed["minutes"] = change["minutes"]
    save_meeting(found, version)
    anchor = f"item-{change['item']}" if change["item"] and action != "remove" else "agenda"
    return redirect(url_for(".meeting", meeting_id=meeting_id) + f"#{anchor}", code=303)


@team_bp.get("/cases")
def case_card() -> str:
    """For a covering member: the latest hypotheses, open tasks and next review of a case.

    The client is in the query (``?client=``): the access log drops queries, never paths."""
    case_client = request.args.get("client", "")
    team_gateway = api.team_gateway()
    team = team_gateway.team()
    client = next((c for c in team.clients if c.client_id == case_client), None)
    if client is None:
        abort(404)
    record = team_gateway.client(case_client)
    refs = record.documents(MINUTES_TYPE)
    latest = None
    if refs:
        newest = max(refs, key=lambda r: r.created_at)
        latest = json.loads(record.document(newest.document_id).content)
    discussion = (latest or {}).get("discussion", {})
    return render_template(
        "weekly_meeting/case_card.html",
        client=client,
        minutes=latest,
        hypotheses=[h for h in discussion.get("hypotheses", []) if h["status"] != "discarded"],
        tasks=[t for t in discussion.get("tasks", []) if t["state"] == "open"],
        members={m.worker_id: m.name for m in team.members},
        today=today(),
        parse_date=parse_date,
    )
