"""In the client's record, for the worker: ask for feedback (hand the device over, or send a
one-time link or QR code), and the family's feedback over time with what it signals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from plugin_host import api
from plugins.feedback import figures
from plugins.feedback.blueprints import client_bp
from plugins.feedback.charts import Point, line_chart
from plugins.feedback.definitions import Questionnaire, localised
from plugins.feedback.responses import IssueForm, answers_in_record
from plugins.feedback.scoring import CHANGE_LABELS, Score, reliable_change, score
from plugins.feedback.settings import EnabledQuestionnaire

KIOSK_MINUTES = 30  # a device handed over in the meeting is answered there and then


def catalogue() -> dict[str, EnabledQuestionnaire]:
    return api.plugin_settings()["catalogue"]


def today() -> date:
    return datetime.now(api.get_timezone()).date()


@dataclass(frozen=True)
class Series:
    """One respondent role's answers to one questionnaire, oldest first, with their signals."""

    definition: Questionnaire
    role: str
    answers: list[dict[str, Any]]
    chart: str
    change: Any


@client_bp.get("/")
def panel() -> str:
    """The family's feedback over time, and the form to ask for more."""
    return render_template(
        "feedback/panel.html",
        catalogue=catalogue(),
        series=_series(),
        waiting=_waiting(),
        withdrawn=request.args.get("withdrawn"),
        meeting_id=request.args.get("meeting", ""),
        today=today(),
        locale=api.current_locale(),
        localised=localised,
        role_labels=ROLE_LABELS,
        band_labels=BAND_LABELS,
        change_labels=CHANGE_LABELS,
        parse_date=date.fromisoformat,
    )


@client_bp.post("/ask")
def ask() -> str:
    """Issue a one-time link (or a kiosk hand-over) for one respondent."""
    fields = {k: v for k, v in request.form.items() if k != "csrf_token" and v != ""}
    form = api.load_payload(IssueForm(), fields)
    enabled = catalogue().get(form["questionnaire_id"])
    if enabled is None or form["band"] not in enabled.definition.bands:
        abort(404)
    client = api.gateway().client()
    settings = api.plugin_settings()
    kiosk = form["mode"] == "kiosk"
    link = api.issue_respondent_link(
        "feedback_respondent.questionnaire",
        {
            "questionnaire_id": enabled.definition.questionnaire_id,
            "version": enabled.definition.version,
            "band": form["band"],
            "role": form["respondent_role"],
            "channel": enabled.channel,
            "team_id": client.team_id or "",
            "meeting_id": form["meeting_id"],
            "meeting_date": (form["meeting_date"] or today()).isoformat(),
        },
        minutes_valid=KIOSK_MINUTES if kiosk else settings["link_days"] * 24 * 60,
        kiosk=kiosk,
    )
    # Counted in the month of the meeting it follows, as its answer will be.
    figures.record_invitation(
        client.client_id, client.team_id or "", form["meeting_date"] or today(), enabled.definition
    )
    return render_template(
        "feedback/issued.html",
        link=link,
        enabled=enabled,
        form=form,
        qr=None if kiosk else api.respondent_qr_svg(link.url),
    )


@client_bp.post("/withdraw")
def withdraw() -> Response:
    """Withdraw a link nobody has opened yet (given to the wrong person, say): it never opens."""
    withdrawn = api.withdraw_respondent_link(request.form.get("link_id", ""))
    # Back where the worker was (the meeting the panel was opened from), at the notice: the
    # fragment moves the focus there, so a screen reader reads what happened.
    back = url_for(
        ".panel",
        withdrawn="1" if withdrawn else "0",
        meeting=request.form.get("meeting_id") or None,
        _anchor="withdraw-status",
    )
    return redirect(back, code=303)


@dataclass(frozen=True)
class Waiting:
    """A link or hand-over waiting for its answer, as the panel lists it."""

    link_id: str
    questionnaire: str
    role: str
    band: str
    issued_at: datetime
    expires_at: datetime
    kiosk: bool


def _waiting() -> list[Waiting]:
    definitions = api.plugin_settings()["definitions"]
    found = []
    for link in api.waiting_respondent_links():
        data = link.data
        definition = definitions.get((data.get("questionnaire_id"), data.get("version")))
        found.append(
            Waiting(
                link_id=link.link_id,
                questionnaire=localised(definition.title, api.current_locale())
                if definition
                else str(data.get("questionnaire_id", "")),
                role=str(ROLE_LABELS.get(data.get("role"), "")),
                band=str(BAND_LABELS.get(data.get("band"), "")),
                issued_at=link.issued_at,
                expires_at=link.expires_at,
                kiosk=link.kiosk,
            )
        )
    return found


def _series() -> list[Series]:
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for answer in answers_in_record():
        found.setdefault((answer["questionnaire_id"], answer["respondent_role"]), []).append(answer)
    series = []
    definitions = api.plugin_settings()["definitions"]
    for (questionnaire_id, role), given in found.items():
        # Each answer is read with the version it was given to (the enabled one may be newer).
        version = given[-1]["questionnaire_version"]
        definition = definitions.get((questionnaire_id, version))
        if definition is None:
            continue
        series.append(_one_series(definition, role, given))
    return series


def _one_series(definition: Questionnaire, role: str, given: list[dict]) -> Series:
    given = [a for a in given if a["questionnaire_version"] == definition.version]
    low, high = definition.total_range
    scored = [score(definition, a["band"], a["answers"]) for a in given]
    points = [
        Point(
            label=api.format_date(date.fromisoformat(a["meeting_date"] or a["answered_at"][:10])),
            value=s.total,
            marked=s.alliance_alert or poor_side_of_cutoff(definition, s),
        )
        for a, s in zip(given, scored, strict=True)
    ]
    change = None
    if len(given) > 1:
        change = reliable_change(
            definition, scored[0].total, scored[-1].total, band=given[-1]["band"]
        )
    title = api.gettext(
        "%(questionnaire)s: %(role)s",
        questionnaire=localised(definition.title, api.current_locale()),
        role=str(ROLE_LABELS[role]),
    )
    description = api.gettext(
        "Total scores over time, from %(first)s to %(last)s; hollow points are alerts.",
        first=f"{scored[0].total:g}",
        last=f"{scored[-1].total:g}",
    )
    chart = line_chart(
        points,
        chart_id=f"chart-{definition.questionnaire_id}-{role}",
        minimum=low,
        maximum=high,
        title=title,
        description=description,
        threshold=definition.scoring.alliance_threshold.total,
    )
    rows = [
        dict(a, score=s, poor=poor_side_of_cutoff(definition, s))
        for a, s in zip(given, scored, strict=True)
    ]
    return Series(definition, role, rows, chart, change)


def poor_side_of_cutoff(definition: Questionnaire, scored: Score) -> bool:
    """Below the cut-off is the worrying side unless lower scores are the better ones."""
    if scored.below_cutoff is None:
        return False
    return scored.below_cutoff == definition.higher_is_better


ROLE_LABELS = {
    "child": api.lazy_gettext("child"),
    "parent": api.lazy_gettext("parent"),
    "other_adult": api.lazy_gettext("other adult"),
}
# The age bands as the ask form offers them and the waiting links name them.
BAND_LABELS = {
    "under_7": api.lazy_gettext("under 7 (pictures)"),
    "7_12": api.lazy_gettext("7–12 (smileys)"),  # noqa: RUF001 - the dash the page shows
    "13_plus": api.lazy_gettext("13 or older"),
    "adult": api.lazy_gettext("adult"),
}
