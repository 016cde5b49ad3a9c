"""Signing a case off: the family's part becomes a document in each of its clients' records.

One document per client of the family (siblings with records of their own each get theirs), built
from this family's discussion only; a correction is a new version of the same documents, never an
edit in place. The writes go through each client's own record gateway (and so the outbox): a
record system that is down delays them, never loses them. The case index kept beside (no names,
no free text) is what the team view and the fidelity figures are counted from.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from plugin_host import api
from plugins.weekly_meeting.carry_over import index_entry
from plugins.weekly_meeting.minutes import build_minutes, minutes_title
from plugins.weekly_meeting.schemas import MINUTES_TYPE

DISCUSSION_KIND = "discussion"
CASE_KIND = "case"
CASE_HISTORY_KIND = "case_history"
# Fixed so that the same signing, repeated (a double click, a retry), is the same write.
_KEY_NAMESPACE = uuid.UUID("6f1c1f52-7c8e-4d5e-9a55-3c1e5b1f0a77")


def sign(
    *,
    state: dict[str, Any],
    meeting: dict[str, Any],
    team: api.Team,
    signer: api.TeamMember,
    now: datetime,
    correction_reason: str | None,
) -> dict[str, Any]:
    """Write the minutes for every client of the family; returns the new signature record.

    Raises PayloadInvalid when the discussion cannot be signed (no outcome, say).
    """
    team_gateway = api.team_gateway()
    signatures = state.get("signatures", [])
    number = len(signatures) + 1
    correction = None
    if signatures:
        correction = {"of_version": signatures[-1]["number"], "reason": correction_reason or ""}
    content = build_minutes(
        state["discussion"],
        meeting={
            "meeting_id": meeting["meeting_id"],
            "team_id": team.team_id,
            "date": meeting["date"].isoformat(),
        },
        family_clients=state["family_clients"],
        signed_by={"worker_id": signer.worker_id, "name": signer.name},
        signed_at=now,
        correction=correction,
    )
    title = minutes_title(meeting["date"])
    body = json.dumps(content, ensure_ascii=False, sort_keys=True)
    members = {m.worker_id for m in team.members}
    previous = signatures[-1]["documents"] if signatures else {}
    documents = {}
    for client_id in state["family_clients"]:
        earlier = previous.get(client_id)
        ref = team_gateway.client(client_id).save_document(
            MINUTES_TYPE,
            title,
            body,
            document_id=earlier["document_id"] if earlier else None,
            expected_version=earlier["version"] if earlier else None,
            idempotency_key=uuid.uuid5(
                _KEY_NAMESPACE, f"{meeting['meeting_id']}.{state['item_id']}.{client_id}.{number}"
            ).hex,
        )
        documents[client_id] = {"document_id": ref.document_id, "version": ref.version}
        _index(client_id, meeting, state, index_entry(content, client_id, members))
    if number == 1:  # a correction is the same discussion: counted once
        _record_figures(meeting, team, index_entry(content, state["family_clients"][0], members))
    return {
        "number": number,
        "at": now.isoformat(),
        "by": signer.worker_id,
        "documents": documents,
        "correction_reason": correction["reason"] if correction else None,
    }


def _index(client_id: str, meeting: dict, state: dict, entry: dict[str, Any]) -> None:
    store = api.plugin_state()
    # Keyed by team too: a child who moves to another team starts a case entry there.
    store.put(CASE_KIND, f"{entry['team_id']}.{client_id}", entry, client_id=client_id)
    # One history entry per discussion and client; a correction replaces its own.
    history_key = f"{meeting['meeting_id']}.{state['item_id']}.{client_id}"
    store.put(CASE_HISTORY_KIND, history_key, entry, client_id=client_id)


def _record_figures(meeting: dict, team: api.Team, entry: dict[str, Any]) -> None:
    """The anonymous figures management sees (through the feedback plugin): one discussion of
    one family, and the team's social workers' caseloads at that time."""
    statistics = api.statistics()
    month = meeting["date"].strftime("%Y-%m")
    day = meeting["date"].isoformat()
    open_tasks = [t for t in entry["tasks"] if t["state"] == "open"]
    statistics.record(
        "discussions",
        client_id=entry["client_id"],
        team_id=team.team_id,
        month=month,
        values={
            "family_present": int(entry["family_present"]),
            "network_present": int(entry["network_present"]),
            "child_view": int(entry["child_view_recorded"]),
            "two_hypotheses": int(entry["hypothesis_count"] >= 2),
            "outcome": int(entry["has_outcome"]),
            "open_tasks": len(open_tasks),
            "overdue_tasks": sum(1 for t in open_tasks if t["due"] and t["due"] < day),
        },
    )
    limit = api.plugin_settings()["caseload_limit"]
    for member in team.members:
        if member.role != "social-worker":
            continue
        caseload = sum(1 for c in team.clients if c.responsible_worker_id == member.worker_id)
        statistics.record(
            "caseload",
            client_id=f"worker:{member.worker_id}",
            team_id=team.team_id,
            month=month,
            values={"caseload": caseload, "over_limit": int(caseload > limit)},
        )


def may_sign(worker_id: str, family_clients: list[str], team: api.Team) -> bool:
    """The responsible social worker signs; a family with none on the team: any social worker."""
    clients = {c.client_id: c for c in team.clients}
    responsible = {clients[c].responsible_worker_id for c in family_clients if c in clients} - {
        None
    }
    members = {m.worker_id for m in team.members}
    if responsible & members:
        return worker_id in responsible
    return any(m.worker_id == worker_id and m.role == "social-worker" for m in team.members)
