"""The case-discussion form: HTML form fields to a discussion payload, and errors back to fields.

The note-taker's page is a plain HTML form (it works with the keyboard, a screen reader and
without script). Each list part (hypotheses, tasks, ...) is a set of numbered rows plus one
blank row for the next item; a row left blank is no item. Field names are ``<part>-<n>-<key>``,
so the schema's error path ``tasks.0.owner`` is the field ``tasks-0-owner``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from werkzeug.datastructures import MultiDict

# Rows of each list part: the form's keys, and which of them is the item's own id.
ROW_PARTS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "hypotheses": (("text", "proposed_by", "status", "shared_with_family"), "hypothesis_id"),
    "reflections": (("text", "by", "shared_with_family"), "reflection_id"),
    "family_view": (("text", "by"), None),
    "worries": (("text", "raised_by"), None),
    "resources": (("text", "raised_by"), None),
    "risk_scalings": (("score", "scored_by", "why"), None),
    "decisions": (("text",), "decision_id"),
    "tasks": (("text", "owner", "due", "state", "created_on", "carried_from"), "task_id"),
}
CHECKBOXES = frozenset({"shared_with_family"})
# A row counts as filled when one of these has text (a select alone does not make an item).
FILLED_BY = {"risk_scalings": ("score", "why")}
TEXT_PARTS = ("question", "update", "team_notes")

# Family relations as the record names them, to the meeting's family roles.
FAMILY_ROLE_OF_RELATION = {
    "mother": "parent",
    "father": "parent",
    "parent": "parent",
    "step-parent": "parent",
    "foster-parent": "parent",
    "sibling": "sibling",
    "half-sibling": "sibling",
}


def new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def parse_discussion(
    form: MultiDict,
    *,
    team_members: list[Any],
    family_members: list[Any],
    previous: Mapping[str, Any],
    worker_id: str,
    meeting_date: str,
    now: datetime,
) -> dict[str, Any]:
    """The submitted form as a discussion payload (JSON form), ready for ``check_discussion``."""
    data: dict[str, Any] = {part: form.get(part, "").strip() for part in TEXT_PARTS}
    data["participants"] = _participants(
        form, team_members, family_members, previous, worker_id, now
    )
    for part, (keys, id_key) in ROW_PARTS.items():
        data[part] = _rows(form, part, keys, id_key)
    for task in data["tasks"]:
        task.setdefault("state", "open")
        task["created_on"] = task.get("created_on") or meeting_date
        task["carried_from"] = task.get("carried_from") or None
        task["owner"] = task.get("owner") or None
        task["due"] = task.get("due") or None
    for scaling in data["risk_scalings"]:
        scaling["score"] = _number(scaling.get("score"))
    data["child_view"] = _child_view(form)
    kind = form.get("outcome-kind", "")
    data["outcome"] = (
        {"kind": kind, "reason": form.get("outcome-reason", "").strip()} if kind else None
    )
    data["next_review"] = form.get("next_review") or None
    data["genogram_version"] = _number(form.get("genogram_version"))
    return data


def _participants(
    form: MultiDict,
    team_members: list[Any],
    family_members: list[Any],
    previous: Mapping[str, Any],
    worker_id: str,
    now: datetime,
) -> list[dict[str, Any]]:
    before = {p["participant_id"]: p for p in previous.get("participants", [])}
    chosen: list[dict[str, Any]] = []
    for member in team_members:
        field = f"team-{member.worker_id}"
        if form.get(f"{field}-present"):
            chosen.append(
                {
                    "participant_id": f"t:{member.worker_id}",
                    "kind": "team",
                    "name": member.name,
                    "role": form.get(f"{field}-role") or "team_member",
                }
            )
    for member in family_members:
        field = f"family-{member.person_id}"
        if form.get(f"{field}-present"):
            participant_id = f"f:{member.person_id}"
            chosen.append(
                {
                    "participant_id": participant_id,
                    "kind": "family",
                    "name": member.display_name,
                    "role": form.get(f"{field}-role") or "other_family",
                    "consent": _consent(form, field, before.get(participant_id), worker_id, now),
                }
            )
    index = 0
    while f"network-{index}-name" in form:
        field = f"network-{index}"
        name = form.get(f"{field}-name", "").strip()
        if name:
            participant_id = form.get(f"{field}-id") or new_id("n:")[:10]
            chosen.append(
                {
                    "participant_id": participant_id,
                    "kind": "network",
                    "name": name,
                    "role": form.get(f"{field}-role") or "other_network",
                    "consent": _consent(form, field, before.get(participant_id), worker_id, now),
                }
            )
        index += 1
    return chosen


def _consent(
    form: MultiDict, field: str, before: Mapping[str, Any] | None, worker_id: str, now: datetime
) -> dict[str, Any] | None:
    """The consent as recorded: kept with its first time and recorder, withdrawn once ticked."""
    scope = form.get(f"{field}-consent", "")
    if not scope:
        return None
    earlier = (before or {}).get("consent") or {}
    consent = {
        "scope": scope,
        "recorded_at": earlier.get("recorded_at") or now.isoformat(),
        "recorded_by": earlier.get("recorded_by") or worker_id,
        "withdrawn_at": earlier.get("withdrawn_at"),
    }
    if earlier.get("scope") not in (None, scope):
        consent.update(recorded_at=now.isoformat(), recorded_by=worker_id)
    if form.get(f"{field}-withdrawn") and not consent["withdrawn_at"]:
        consent["withdrawn_at"] = now.isoformat()
    if not form.get(f"{field}-withdrawn"):
        consent["withdrawn_at"] = None
    return consent


def _rows(
    form: MultiDict, part: str, keys: tuple[str, ...], id_key: str | None
) -> list[dict[str, Any]]:
    rows = []
    index = 0
    while any(f"{part}-{index}-{key}" in form for key in keys):
        raw = {key: form.get(f"{part}-{index}-{key}", "").strip() for key in keys}
        index += 1
        if not any(raw.get(key) for key in FILLED_BY.get(part, ("text",))):
            continue
        row: dict[str, Any] = {
            key: (bool(value) if key in CHECKBOXES else value) for key, value in raw.items()
        }
        if id_key is not None:
            row[id_key] = form.get(f"{part}-{index - 1}-id") or new_id(part[0] + "-")
        rows.append(row)
    return rows


def _child_view(form: MultiDict) -> dict[str, Any] | None:
    how = form.get("child_view-how_obtained", "")
    text = form.get("child_view-text", "").strip()
    if not how and not text:
        return None
    return {
        "text": text,
        "how_obtained": how or None,
        "obtained_by": form.get("child_view-obtained_by") or None,
        "reason_not_obtained": form.get("child_view-reason_not_obtained", "").strip(),
        "child_agrees_to_share": bool(form.get("child_view-child_agrees_to_share")),
    }


def _number(value: Any) -> Any:
    """A whole number as int; anything else as given, for the schema to name the error."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def field_errors(
    errors: Mapping[str, list[str]], discussion: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Schema error paths as form field ids (participants by who they are, not their place)."""
    participants = discussion.get("participants") or []
    found: dict[str, list[str]] = {}
    for path, messages in errors.items():
        parts = path.split(".")
        if parts[0] == "participants" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            field = (
                participant_field(participants[index])
                if index < len(participants)
                else "participants"
            )
            name = "-".join([field, *parts[2:]]) if len(parts) > 2 else field
        else:
            name = "-".join(parts)
        found.setdefault(name, []).extend(messages)
    return found


def participant_field(participant: Mapping[str, Any]) -> str:
    """The form's name stem for a participant: ``team-<worker>``, ``family-<person>``."""
    kind, _, own_id = participant["participant_id"].partition(":")
    return {"t": "team", "f": "family"}.get(kind, "network") + "-" + own_id
