"""Tasks carried from a family's earlier meetings, and the case index entry of signed minutes.

Pure functions over the JSON of signed minutes; the views load the documents and save the result.
The case index entry is what the team overview (``continuity``) reads: ids, dates, flags and
counts only, never names or free text.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class CarriedTask:
    """An open task from earlier minutes; the flags are for display and are never saved."""

    task: dict[str, Any]
    overdue: bool
    due_soon: bool


def parse_date(value: date | str | None) -> date | None:
    """A ``YYYY-MM-DD`` string (or a date) as a date; None or an unreadable value as None."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _latest_versions(previous_minutes: list[dict[str, Any]]) -> list[tuple[date, int, dict]]:
    """Per meeting id the last version in the list (a correction replaces the whole minutes)."""
    latest: dict[str, tuple[date, int, dict]] = {}
    for position, minutes in enumerate(previous_minutes):
        meeting = minutes.get("meeting") or {}
        held_on = parse_date(meeting.get("date"))
        if held_on is None:
            continue
        latest[str(meeting.get("meeting_id"))] = (held_on, position, minutes)
    return list(latest.values())


def tasks_to_carry(
    previous_minutes: list[dict[str, Any]], meeting_date: date, meeting_id: str
) -> list[CarriedTask]:
    """The still-open tasks of a family's earlier signed minutes, to bring to this meeting.

    Each task's state is the one in the latest minutes holding it (meeting date, then position in
    the list). Minutes of this meeting itself or of a later date are not earlier minutes and are
    left out, so that reopening an old meeting never pulls in tasks from its future.
    """
    newest: dict[str, tuple[tuple[date, int], str, dict[str, Any]]] = {}
    for held_on, position, minutes in _latest_versions(previous_minutes):
        source_id = str(minutes["meeting"].get("meeting_id"))
        if source_id == meeting_id or held_on > meeting_date:
            continue
        for task in (minutes.get("discussion") or {}).get("tasks") or []:
            task_id = task.get("task_id")
            if not task_id:
                continue
            known = newest.get(task_id)
            if known is None or (held_on, position) > known[0]:
                newest[task_id] = ((held_on, position), source_id, task)

    soon_limit = meeting_date + timedelta(days=DUE_SOON_DAYS)
    carried = []
    for _order, source_id, task in newest.values():
        if task.get("state") != "open":
            continue
        copied = copy.deepcopy(task)
        copied["carried_from"] = source_id
        due = parse_date(task.get("due"))
        carried.append(
            CarriedTask(
                task=copied,
                overdue=due is not None and due < meeting_date,
                due_soon=due is not None and due <= soon_limit,
            )
        )
    carried.sort(key=_carry_order)
    return carried


def _carry_order(item: CarriedTask) -> tuple[bool, bool, date, str]:
    due = parse_date(item.task.get("due"))
    # Overdue first, then by due date; a task without a due date goes last.
    return (not item.overdue, due is None, due or date.max, str(item.task["task_id"]))


def merge_into_discussion(
    discussion_tasks: list[dict[str, Any]], carried: list[CarriedTask]
) -> list[dict[str, Any]]:
    """The discussion's tasks followed by each carried task not already there.

    The discussion's own copy of a task wins: the team may have already changed its state.
    """
    merged = [copy.deepcopy(task) for task in discussion_tasks]
    seen = {task.get("task_id") for task in merged}
    for item in carried:
        task_id = item.task.get("task_id")
        if task_id in seen:
            continue
        seen.add(task_id)
        merged.append(copy.deepcopy(item.task))
    return merged


def _consent_withdrawn(participant: Mapping[str, Any]) -> bool:
    return bool((participant.get("consent") or {}).get("withdrawn_at"))


def _present(participants: Iterable[Mapping[str, Any]], kind: str) -> bool:
    return any(p.get("kind") == kind and not _consent_withdrawn(p) for p in participants)


def owner_worker(owner: str | None, team_members: set[str]) -> str | None:
    """The worker id of a task owner ``t:<worker_id>`` who is on the team, else None."""
    if not owner or not owner.startswith("t:"):
        return None
    worker_id = owner[2:]
    return worker_id if worker_id in team_members else None


def index_entry(minutes: dict[str, Any], client_id: str, team_members: set[str]) -> dict[str, Any]:
    """The case index entry of one client from signed minutes: no names, no free text."""
    meeting = minutes["meeting"]
    discussion = minutes.get("discussion") or {}
    participants = discussion.get("participants") or []
    child_view = discussion.get("child_view") or {}
    return {
        "client_id": client_id,
        "team_id": meeting["team_id"],
        "family_clients": list(minutes.get("family_clients") or [client_id]),
        "meeting_id": meeting["meeting_id"],
        "last_discussed": meeting["date"],
        "family_present": _present(participants, "family"),
        "network_present": _present(participants, "network"),
        "child_view_recorded": bool(str(child_view.get("text") or "").strip()),
        "hypothesis_count": len(discussion.get("hypotheses") or []),
        "has_outcome": discussion.get("outcome") is not None,
        "tasks": [
            {
                "task_id": task["task_id"],
                "owner": task.get("owner"),
                "owner_worker": owner_worker(task.get("owner"), team_members),
                "due": task.get("due"),
                "state": task.get("state"),
            }
            for task in discussion.get("tasks") or []
        ],
        "next_review": discussion.get("next_review"),
    }
