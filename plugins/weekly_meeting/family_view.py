"""What the family may see of their case discussion: the shared screen and the printed summary.

The family view is built from an allow-list: each part is copied field by field into a new dict.
Nothing is removed from the discussion, so a field added to the discussion later stays private
until someone decides to add it here. Never shown: team notes, hypotheses and reflections not
shared with the family, participant ids, consent records, the genogram version, worker ids, and the
child's view unless the child agreed to share it (and never how or by whom it was obtained beyond
the plain method, nor why it was not).

The outcome's reason is shown, also for postponed and escalated discussions: the family has a right
to know why their matter was put off or taken further, so the team writes the reason for them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from plugin_host.api import load_payload
from plugins.weekly_meeting import vocabulary as v
from plugins.weekly_meeting.schemas import DiscussionSchema


def family_view(discussion: dict[str, Any], locale_independent: bool = True) -> dict[str, Any]:
    """The family-safe part of ``discussion`` (loaded or JSON form), JSON-safe.

    With ``locale_independent`` the result holds only codes and the family's and team's own words;
    otherwise each code gets a translated ``*_label`` beside it and ``headings`` holds the
    family-safe section headings, for rendering in the current locale.
    """
    data = load_payload(DiscussionSchema(), discussion)
    names = {p["participant_id"]: p["name"] for p in data["participants"]}
    labels = not locale_independent

    def coded(key: str, code: str, vocabulary: dict[str, Any]) -> dict[str, str]:
        found = {key: code}
        if labels:
            found[f"{key}_label"] = v.label(vocabulary, code)
        return found

    def said(text: str, by: str) -> dict[str, Any]:
        return {"text": text, "by": names.get(by)}

    view: dict[str, Any] = {
        "participants": [
            {"name": p["name"], **coded("role", p["role"], v.FAMILY_SAFE_ROLE_LABELS)}
            for p in data["participants"]
        ],
        "question": data["question"],
        "update": data["update"],
        "hypotheses": [
            {
                "text": h["text"],
                **coded(
                    "status",
                    v.FAMILY_SAFE_HYPOTHESIS_STATUS[h["status"]],
                    v.FAMILY_SAFE_HYPOTHESIS_STATUS_LABELS,
                ),
            }
            for h in data["hypotheses"]
            if h["shared_with_family"]
        ],
        "reflections": [
            said(r["text"], r["by"]) for r in data["reflections"] if r["shared_with_family"]
        ],
        "family_view": [said(w["text"], w["by"]) for w in data["family_view"]],
        "child_view": _child_view(data["child_view"], coded),
        "worries": [said(w["text"], w["raised_by"]) for w in data["worries"]],
        "resources": [said(r["text"], r["raised_by"]) for r in data["resources"]],
        "risk_scalings": [
            {"score": s["score"], "by": names.get(s["scored_by"]), "why": s["why"]}
            for s in data["risk_scalings"]
        ],
        "decisions": [{"text": d["text"]} for d in data["decisions"]],
        "tasks": [
            {
                "text": t["text"],
                # A team member who was not in the meeting is named by role only (owner None).
                "owner": names.get(t["owner"]),
                "due": _iso(t["due"]),
                **coded("state", t["state"], v.FAMILY_SAFE_TASK_STATE_LABELS),
            }
            for t in data["tasks"]
        ],
        "outcome": (
            {
                **coded("kind", data["outcome"]["kind"], v.FAMILY_SAFE_OUTCOME_LABELS),
                "reason": data["outcome"]["reason"],
            }
            if data["outcome"]
            else None
        ),
        "next_review": _iso(data["next_review"]),
    }
    if labels:
        view["headings"] = {key: str(text) for key, text in v.FAMILY_SAFE_HEADINGS.items()}
        view["absent_owner_label"] = str(v.FAMILY_SAFE_ABSENT_OWNER)
    return view


def _child_view(child_view: dict[str, Any] | None, coded: Any) -> dict[str, Any] | None:
    # The child's words are the child's: shown only when the child said they may be.
    if not child_view or not child_view["child_agrees_to_share"]:
        return None
    return {
        "text": child_view["text"],
        **coded("how", child_view["how_obtained"], v.FAMILY_SAFE_CHILD_VIEW_METHOD_LABELS),
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
