"""The minutes: one family's signed case discussion as a document in the client's record.

``build_minutes`` makes the document content (validated by MinutesSchema, JSON-safe);
``minutes_title`` and ``minutes_text`` give its title and the sections a template renders for the
record entry and for print. The minutes are the team's record, so unlike the family view they hold
the whole discussion, team notes and consent records included.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from plugin_host.api import format_date, format_datetime, gettext, load_payload
from plugins.weekly_meeting import vocabulary as v
from plugins.weekly_meeting.schemas import SCHEMA_VERSION, MinutesSchema


def build_minutes(
    discussion: dict[str, Any],
    *,
    meeting: dict[str, Any],
    family_clients: list[str],
    signed_by: dict[str, Any],
    signed_at: datetime,
    correction: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The content of the minutes document for one family; raises PayloadInvalid if unsignable.

    ``meeting`` needs ``meeting_id``, ``team_id`` and ``date``; ``signed_by`` needs ``worker_id``
    and ``name``; ``correction`` is ``{"of_version": int, "reason": str}`` when this corrects a
    signed version.
    """
    # Only the named keys are taken: the meeting may carry other families' business.
    content = {
        "schema_version": SCHEMA_VERSION,
        "meeting": {key: meeting.get(key) for key in ("meeting_id", "team_id", "date")},
        "family_clients": list(family_clients),
        "discussion": discussion,
        "signed": {
            "worker_id": signed_by.get("worker_id"),
            "name": signed_by.get("name"),
            "at": signed_at,
        },
        "correction": (
            {"of_version": correction.get("of_version"), "reason": correction.get("reason")}
            if correction is not None
            else None
        ),
    }
    schema = MinutesSchema()
    return schema.dump(load_payload(schema, content))


def minutes_title(meeting_date: date) -> str:
    """The record entry's title in the current locale, e.g. "Weekly meeting 3 Oct 2024"."""
    return gettext("Weekly meeting %(date)s", date=format_date(meeting_date))


def minutes_text(content: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The minutes as (heading, lines) sections in the discussion's order; empty parts left out.

    ``content`` is the document content as ``build_minutes`` made it (or as the record returns
    it); headings and labels are translated in the current locale when this is called.
    """
    discussion = content.get("discussion") or {}
    names = {p["participant_id"]: p["name"] for p in discussion.get("participants") or []}

    def who(participant_id: str | None) -> str:
        # A team member who was not present is still a worker the record can name by id.
        return names.get(participant_id or "", participant_id or "")

    meeting = content.get("meeting") or {}
    sections: list[tuple[str, list[str]]] = [
        (gettext("Meeting"), [gettext("Date: %(date)s", date=_day(meeting.get("date")))]),
        (gettext("Present"), [_participant(p) for p in discussion.get("participants") or []]),
        (gettext("Question"), _paragraph(discussion.get("question"))),
        (gettext("Update"), _paragraph(discussion.get("update"))),
        (
            gettext("Hypotheses"),
            [
                gettext(
                    "%(text)s (%(status)s; proposed by %(who)s; %(shared)s)",
                    text=h["text"],
                    status=v.label(v.HYPOTHESIS_STATUS_LABELS, h["status"]),
                    who=who(h["proposed_by"]),
                    shared=_shared(h["shared_with_family"]),
                )
                for h in discussion.get("hypotheses") or []
            ],
        ),
        (
            gettext("Reflections"),
            [
                gettext(
                    "%(who)s: %(text)s (%(shared)s)",
                    who=who(r["by"]),
                    text=r["text"],
                    shared=_shared(r["shared_with_family"]),
                )
                for r in discussion.get("reflections") or []
            ],
        ),
        (
            gettext("The family's view"),
            [_said(who(w["by"]), w["text"]) for w in discussion.get("family_view") or []],
        ),
        (gettext("The child's view"), _child_view(discussion.get("child_view"), who)),
        (
            gettext("Worries"),
            [_said(who(w["raised_by"]), w["text"]) for w in discussion.get("worries") or []],
        ),
        (
            gettext("Resources"),
            [_said(who(r["raised_by"]), r["text"]) for r in discussion.get("resources") or []],
        ),
        (
            gettext("Scaling"),
            [
                gettext(
                    "%(who)s: %(score)s/10, %(why)s",
                    who=who(s["scored_by"]),
                    score=s["score"],
                    why=s["why"],
                )
                for s in discussion.get("risk_scalings") or []
            ],
        ),
        (gettext("Decisions"), [d["text"] for d in discussion.get("decisions") or []]),
        (
            gettext("Tasks"),
            [
                gettext(
                    "%(text)s (%(who)s, due %(due)s, %(state)s)",
                    text=t["text"],
                    who=who(t["owner"]),
                    due=_day(t["due"]),
                    state=v.label(v.TASK_STATE_LABELS, t["state"]),
                )
                for t in discussion.get("tasks") or []
            ],
        ),
        (gettext("Outcome"), _outcome(discussion.get("outcome"))),
        (
            gettext("Next review"),
            [_day(discussion["next_review"])] if discussion.get("next_review") else [],
        ),
        (
            gettext("Genogram"),
            [gettext("Version %(version)s", version=discussion["genogram_version"])]
            if discussion.get("genogram_version")
            else [],
        ),
        (gettext("Team notes"), _paragraph(discussion.get("team_notes"))),
        (gettext("Signed"), _signed(content.get("signed"))),
        (gettext("Correction"), _correction(content.get("correction"))),
    ]
    return [(heading, lines) for heading, lines in sections if lines]


def _participant(participant: dict[str, Any]) -> str:
    line = gettext(
        "%(name)s, %(role)s",
        name=participant["name"],
        role=v.label(v.ROLE_LABELS, participant["role"]),
    )
    consent = participant.get("consent")
    if not consent:
        return line
    line = gettext(
        "%(line)s; %(scope)s (recorded %(at)s by %(by)s)",
        line=line,
        scope=v.label(v.CONSENT_SCOPE_LABELS, consent["scope"]),
        at=_moment(consent["recorded_at"]),
        by=consent["recorded_by"],
    )
    if consent.get("withdrawn_at"):
        line = gettext(
            "%(line)s; consent withdrawn %(at)s",
            line=line,
            at=_moment(consent["withdrawn_at"]),
        )
    return line


def _child_view(child_view: dict[str, Any] | None, who: Any) -> list[str]:
    if not child_view:
        return []
    lines = [
        gettext(
            "How obtained: %(how)s",
            how=v.label(v.CHILD_VIEW_METHOD_LABELS, child_view["how_obtained"]),
        )
    ]
    if child_view.get("obtained_by"):
        lines.append(gettext("Obtained by: %(who)s", who=who(child_view["obtained_by"])))
    if child_view.get("reason_not_obtained"):
        lines.append(gettext("Why not: %(reason)s", reason=child_view["reason_not_obtained"]))
    lines.extend(_paragraph(child_view.get("text")))
    lines.append(
        gettext("The child agrees to share this with the family.")
        if child_view.get("child_agrees_to_share")
        else gettext("The child has not agreed to share this with the family.")
    )
    return lines


def _outcome(outcome: dict[str, Any] | None) -> list[str]:
    if not outcome:
        return []
    lines = [v.label(v.OUTCOME_KIND_LABELS, outcome["kind"])]
    lines.extend(_paragraph(outcome.get("reason")))
    return lines


def _signed(signed: dict[str, Any] | None) -> list[str]:
    if not signed:
        return []
    return [
        gettext(
            "%(name)s (%(worker)s), %(at)s",
            name=signed["name"],
            worker=signed["worker_id"],
            at=_moment(signed["at"]),
        )
    ]


def _correction(correction: dict[str, Any] | None) -> list[str]:
    if not correction:
        return []
    return [
        gettext(
            "Corrects version %(version)s: %(reason)s",
            version=correction["of_version"],
            reason=correction["reason"],
        )
    ]


def _said(who: str, text: str) -> str:
    return gettext("%(who)s: %(text)s", who=who, text=text)


def _shared(shared: bool) -> str:
    return gettext("shared with the family") if shared else gettext("not shared with the family")


def _paragraph(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


def _day(value: date | str | None) -> str:
    """A date in the current locale; a value that is not a date is shown as it is."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return format_date(value) if value is not None else ""


def _moment(value: datetime | str | None) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return format_datetime(value) if value is not None else ""
