"""One family's case discussion in the meeting: the note-taker's form, the timer, the family's
screen, and signing off into each of the family's records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from plugin_host import api
from plugins.weekly_meeting import agenda, vocabulary
from plugins.weekly_meeting.blueprints import team_bp
from plugins.weekly_meeting.carry_over import merge_into_discussion, parse_date, tasks_to_carry
from plugins.weekly_meeting.discussion_form import (
    FAMILY_ROLE_OF_RELATION,
    field_errors,
    parse_discussion,
    participant_field,
)
from plugins.weekly_meeting.family_view import family_view
from plugins.weekly_meeting.schemas import (
    MINUTES_TYPE,
    DiscussionSchema,
    check_discussion,
    check_ready_to_sign,
    dump_discussion,
)
from plugins.weekly_meeting.signing import DISCUSSION_KIND, may_sign, sign
from plugins.weekly_meeting.team_views import load_meeting, save_meeting, today

# Earlier minutes read for open tasks: every signed discussion carries its open tasks forward,
# so the newest few hold every task still open.
MINUTES_READ_FOR_TASKS = 3
GENOGRAM_TYPE = "genogram"


@dataclass
class Case:
    meeting: dict[str, Any]
    meeting_version: int
    item: dict[str, Any]
    team: api.Team
    family: api.Family
    state: dict[str, Any]
    state_version: int
    carried: list[Any]

    @property
    def key(self) -> str:
        return f"{self.meeting['meeting_id']}.{self.item['item_id']}"

    @property
    def first_client(self) -> str:
        return self.item["clients"][0]


def load_case(meeting_id: str, item_id: str) -> Case:
    meeting, meeting_version = load_meeting(meeting_id)
    item = agenda.item(meeting, item_id)
    if item is None:
        abort(404)
    team_gateway = api.team_gateway()
    team = team_gateway.team()
    family = team_gateway.client(item["clients"][0]).family()
    entry = api.plugin_state().get(DISCUSSION_KIND, f"{meeting_id}.{item_id}")
    carried: list[Any] = []
    if entry is None:
        carried = _open_tasks(item["clients"][0], meeting)
        state = {
            "meeting_id": meeting_id,
            "item_id": item_id,
            "family_clients": list(item["clients"]),
            "status": "draft",
            "discussion": dump_discussion(
                api.load_payload(DiscussionSchema(), {"tasks": merge_into_discussion([], carried)})
            ),
            "existing_task_ids": [c.task["task_id"] for c in carried],
            "signatures": [],
        }
        version = 0
    else:
        state, version = entry.data, entry.version
        if state["status"] == "signed":
            # Signed minutes live in the record only; the host keeps where they are.
            state["discussion"] = _signed_discussion(state)
    return Case(meeting, meeting_version, item, team, family, state, version, carried)


def _signed_discussion(state: dict[str, Any]) -> dict[str, Any]:
    """The discussion as last signed, read back from the first family client's record."""
    first = state["family_clients"][0]
    written = state["signatures"][-1]["documents"][first]
    document = api.team_gateway().client(first).document(written["document_id"])
    return json.loads(document.content)["discussion"]


def _open_tasks(client_id: str, meeting: dict[str, Any]) -> list[Any]:
    record = api.team_gateway().client(client_id)
    refs = sorted(record.documents(MINUTES_TYPE), key=lambda r: r.created_at, reverse=True)
    earlier = [
        json.loads(record.document(r.document_id).content) for r in refs[:MINUTES_READ_FOR_TASKS]
    ]
    return tasks_to_carry(earlier, meeting["date"], meeting["meeting_id"])


@team_bp.get("/meetings/<meeting_id>/items/<item_id>")
def discussion(meeting_id: str, item_id: str) -> str:
    case = load_case(meeting_id, item_id)
    return render_case(case, case.state["discussion"], {})


@team_bp.post("/meetings/<meeting_id>/items/<item_id>")
def save_discussion(meeting_id: str, item_id: str) -> Response | tuple[str, int]:
    case = load_case(meeting_id, item_id)
    if case.state["status"] == "signed":
        return render_case(case, case.state["discussion"], {}, notice="signed"), 409
    data = parse_discussion(
        request.form,
        team_members=list(case.team.members),
        family_members=list(case.family.members),
        previous=case.state["discussion"],
        worker_id=api.current_launch().worker_id,
        meeting_date=case.meeting["date"].isoformat(),
        now=agenda.utc_now(),
    )
    known_tasks = set(case.state["existing_task_ids"]) | {
        t["task_id"] for t in case.state["discussion"].get("tasks", [])
    }
    try:
        loaded = check_discussion(
            data,
            known_team={m.worker_id for m in case.team.members},
            known_family={m.person_id for m in case.family.members},
            today=today(),
            existing_task_ids=known_tasks,
        )
    except api.PayloadInvalid as invalid:
        return render_case(case, data, invalid.errors), 422
    case.state["discussion"] = dump_discussion(loaded)
    _store(case, request.form.get("state_version", type=int))
    anchor = request.form.get("go", "")
    target = url_for(".discussion", meeting_id=meeting_id, item_id=item_id, saved=1)
    return redirect(target + (f"#{anchor}" if anchor.isidentifier() else ""), code=303)


@team_bp.post("/meetings/<meeting_id>/items/<item_id>/timer")
def timer(meeting_id: str, item_id: str) -> Response:
    meeting, version = load_meeting(meeting_id)
    item = agenda.item(meeting, item_id)
    if item is None:
        abort(404)
    now = agenda.utc_now()
    if request.form.get("action") == "stop":
        agenda.stop_timer(item, now)
    else:
        agenda.start_timer(item, now)
    save_meeting(meeting, version)
    back = request.form.get("back") == "agenda"
    if back:
        return redirect(url_for(".meeting", meeting_id=meeting_id) + f"#item-{item_id}", code=303)
    return redirect(url_for(".discussion", meeting_id=meeting_id, item_id=item_id), code=303)


@team_bp.post("/meetings/<meeting_id>/items/<item_id>/sign")
def sign_off(meeting_id: str, item_id: str) -> Response | tuple[str, int]:
    case = load_case(meeting_id, item_id)
    if not _may_sign(case):
        return render_case(case, case.state["discussion"], {}, notice="not_responsible"), 403
    if case.state["status"] == "signed":
        return render_case(case, case.state["discussion"], {}, notice="signed"), 409
    reason = request.form.get("correction_reason", "").strip()
    errors: dict[str, list[str]] = {}
    try:
        check_ready_to_sign(case.state["discussion"])
    except api.PayloadInvalid as invalid:
        errors.update(invalid.errors)
    if case.state["status"] == "correcting" and not reason:
        errors["correction_reason"] = [api.gettext("Say what the correction changes and why.")]
    if errors:
        return render_case(case, case.state["discussion"], errors), 422
    worker_id = api.current_launch().worker_id
    signer = next(m for m in case.team.members if m.worker_id == worker_id)
    signature = sign(
        state=case.state,
        meeting=case.meeting,
        team=case.team,
        signer=signer,
        now=agenda.utc_now(),
        correction_reason=reason or None,
    )
    case.state["signatures"].append(signature)
    case.state["status"] = "signed"
    _store(case)
    return redirect(
        url_for(".discussion", meeting_id=meeting_id, item_id=item_id, signed=1), code=303
    )


@team_bp.post("/meetings/<meeting_id>/items/<item_id>/correct")
def correct(meeting_id: str, item_id: str) -> Response | tuple[str, int]:
    """Open signed minutes for a correction: the next signing writes a new version."""
    case = load_case(meeting_id, item_id)
    if not _may_sign(case):
        return render_case(case, case.state["discussion"], {}, notice="not_responsible"), 403
    if case.state["status"] == "signed":
        case.state["status"] = "correcting"
        _store(case)
    return redirect(url_for(".discussion", meeting_id=meeting_id, item_id=item_id), code=303)


@team_bp.get("/meetings/<meeting_id>/items/<item_id>/family")
def family_screen(meeting_id: str, item_id: str) -> str:
    """What the family sees on the shared screen, and prints: nothing internal."""
    case = load_case(meeting_id, item_id)
    shown = family_view(case.state["discussion"], locale_independent=False)
    return render_template(
        "weekly_meeting/family.html", view=shown, meeting=case.meeting, parse_date=parse_date
    )


def _may_sign(case: Case) -> bool:
    return may_sign(api.current_launch().worker_id, case.state["family_clients"], case.team)


def _store(case: Case, based_on: int | None = None) -> None:
    """Keep the draft; a signed discussion only as where its minutes are (the record has them).

    ``based_on`` is the version the note-taker's page showed: a save over someone else's newer
    one is refused (StateConflict), never silently overwritten.
    """
    kept = dict(case.state)
    if kept["status"] == "signed":
        kept["discussion"] = {}
    api.plugin_state().put(
        DISCUSSION_KIND,
        case.key,
        kept,
        client_id=case.first_client,
        expected_version=case.state_version if based_on is None else based_on,
    )


def render_case(
    case: Case, shown: dict[str, Any], errors: dict[str, list[str]], notice: str = ""
) -> str:
    participants = shown.get("participants") or []
    present = {p["participant_id"]: p for p in participants}
    owners = [(p["participant_id"], p["name"]) for p in participants] + [
        (f"t:{m.worker_id}", m.name) for m in case.team.members if f"t:{m.worker_id}" not in present
    ]
    names = {c.client_id: c.display_name for c in case.team.clients}
    now = agenda.utc_now()
    return render_template(
        "weekly_meeting/discussion.html",
        case=case,
        meeting=case.meeting,
        item=case.item,
        family_names=[names.get(c, c) for c in case.item["clients"]],
        team=case.team,
        family=case.family,
        discussion=shown,
        present=present,
        speakers=[(p["participant_id"], p["name"]) for p in participants],
        family_speakers=[
            (p["participant_id"], p["name"]) for p in participants if p["kind"] == "family"
        ],
        owners=owners,
        errors=field_errors(errors, shown),
        error_count=sum(len(m) for m in errors.values()),
        carried={c.task["task_id"]: c for c in case.carried},
        elapsed=agenda.elapsed_seconds(case.item, now),
        running=case.item["timer"].get("started_at") is not None,
        may_sign=_may_sign(case),
        notice=notice,
        genogram=_genogram(case),
        v=vocabulary,
        pairs=vocabulary.choices,
        role_of_relation=FAMILY_ROLE_OF_RELATION,
        participant_field=participant_field,
        today=today(),
        parse_date=parse_date,
        parse_datetime=datetime.fromisoformat,
    )


def _genogram(case: Case) -> dict[str, Any] | None:
    """The family's genogram, when that plugin is on here: its link and latest version."""
    if not api.view_available("genogram", "editor"):
        return None
    try:
        refs = api.team_gateway().client(case.first_client).documents(GENOGRAM_TYPE)
    except (api.ScopeDenied, api.RecordSystemError):
        refs = ()
    latest = max((r.version for r in refs), default=None)
    return {
        "url": url_for(
            "launch.open_from_team",
            client=case.first_client,
            plugin="genogram",
            view_id="editor",
            meeting=case.meeting["meeting_id"],
        ),
        "versions": [
            (str(n), api.gettext("Version %(number)s", number=n)) for n in range(latest or 0, 0, -1)
        ],
    }
