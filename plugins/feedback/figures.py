"""What the feedback plugin counts, and the management page's tables built from it.

Recorded in the host's anonymous statistics store (``api.statistics``): an *invitation* when a
worker asks for feedback, an *answer* (its total and each item's score) when it is given, on
either channel. The weekly meeting records its discussions and caseloads there too; the
management view reads them when that plugin is on. Every table goes through ``api.suppress``
before it is shown or exported, so a page and its CSV publish the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from plugin_host import api
from plugins.feedback.definitions import Questionnaire
from plugins.feedback.scoring import Score

INVITATIONS = "invitations"
ANSWERS = "answers"
TOTAL = "total"
MEETING_PLUGIN = "weekly_meeting"
DISCUSSIONS = "discussions"
CASELOAD = "caseload"
# The weekly meeting's discussion figures shown as shares, in this order.
MEETING_SHARES = (
    "family_present",
    "network_present",
    "child_view",
    "two_hypotheses",
    "outcome",
)


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def last_months(until: date, count: int) -> list[str]:
    """``count`` months up to and including ``until``'s, oldest first."""
    months = []
    year, month = until.year, until.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def record_invitation(
    client_id: str, team_id: str, day: date, questionnaire: Questionnaire
) -> None:
    api.statistics().record(
        INVITATIONS,
        client_id=client_id,
        team_id=team_id,
        month=month_of(day),
        dims=(questionnaire.questionnaire_id,),
        values={"issued": 1},
    )


def record_answer(
    client_id: str,
    team_id: str,
    day: date,
    questionnaire: Questionnaire,
    band: str,
    role: str,
    score: Score,
) -> None:
    """Both channels: the figures carry no answer text, no name, no client id."""
    values = {TOTAL: round(score.total)}
    values |= {f"item_{item}": value for item, value in score.items.items()}
    api.statistics().record(
        ANSWERS,
        client_id=client_id,
        team_id=team_id,
        month=month_of(day),
        dims=(questionnaire.questionnaire_id, band, role),
        values=values,
    )


@dataclass(frozen=True)
class Published:
    """A suppressed table with its meaning: what each cell's figure is, for page and CSV."""

    key: str
    title: str
    table: api.SuppressedTable
    show: Any  # Cell -> str


def _count(cell: api.Cell) -> str:
    return str(cell.count)


def _mean(cell: api.Cell) -> str:
    return f"{cell.total / cell.count:.1f}" if cell.count else "-"


def _share(cell: api.Cell) -> str:
    return f"{100 * cell.total / cell.count:.0f} %" if cell.count else "-"


def management_tables(
    questionnaire_id: str, months: list[str], minimum_families: int, with_meetings: bool
) -> list[Published]:
    """Every table of the management page, suppressed; team x month, with totals."""
    stats = api.statistics()

    def publish(key: str, title: str, table: api.Table, show: Any) -> Published:
        return Published(key, title, api.suppress(table, minimum_families), show)

    answers = stats.table(ANSWERS, TOTAL, months=months, d1=questionnaire_id)
    invited = stats.table(INVITATIONS, "issued", months=months, d1=questionnaire_id)
    tables = [
        publish("invitations", api.gettext("Feedback asked for"), invited, _count),
        publish("answers", api.gettext("Answers"), answers, _count),
        publish("mean", api.gettext("Mean total score"), answers, _mean),
    ]
    if with_meetings:
        tables += [
            publish(
                f"meetings_{measure}",
                str(MEETING_SHARE_TITLES[measure]),
                stats.table(DISCUSSIONS, measure, months=months, plugin=MEETING_PLUGIN),
                _share,
            )
            for measure in MEETING_SHARES
        ]
    return tables


MEETING_SHARE_TITLES = {
    "family_present": api.lazy_gettext("Weekly meetings with the family present"),
    "network_present": api.lazy_gettext("Weekly meetings with network members present"),
    "child_view": api.lazy_gettext("Discussions with the child's view recorded"),
    "two_hypotheses": api.lazy_gettext("Discussions with at least two hypotheses"),
    "outcome": api.lazy_gettext("Discussions ending in an outcome"),
}


def caseloads(months: list[str]) -> api.Table:
    """The weekly meeting's caseload observations: per team, workers and their mean caseload."""
    return api.statistics().table(CASELOAD, "caseload", months=months, plugin=MEETING_PLUGIN)
