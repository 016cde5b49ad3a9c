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
# Answers by level of their total (low, middle, high third of the scale), each level a dataset
# cell of its own so that its families are counted and a small level is suppressed by itself.
LEVELS = "answer_levels"
LEVEL_NAMES = ("low", "middle", "high")
TOTAL = "total"
TENTHS = 10
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
    values = {TOTAL: round(score.total * TENTHS)}
    values |= {f"item_{item}": value for item, value in score.items.items()}
    statistics = api.statistics()
    statistics.record(
        ANSWERS,
        client_id=client_id,
        team_id=team_id,
        month=month_of(day),
        dims=(questionnaire.questionnaire_id, band, role),
        values=values,
    )
    statistics.record(
        LEVELS,
        client_id=client_id,
        team_id=team_id,
        month=month_of(day),
        dims=(level_key(questionnaire.questionnaire_id, level_of(questionnaire, score.total)),),
        values={"answers": 1},
    )


def level_of(questionnaire: Questionnaire, total: float) -> str:
    """low, middle or high: which third of the total's range the score is in."""
    low, high = questionnaire.total_range
    share = (total - low) / ((high - low) or 1)
    if not questionnaire.higher_is_better:
        share = 1 - share
    return LEVEL_NAMES[min(int(share * 3), 2)]


def level_key(questionnaire_id: str, level: str) -> str:
    return f"{questionnaire_id}:{level}"


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
    # Totals are kept in tenths (a mean score of 6.3 is 63).
    return f"{cell.total / cell.count / TENTHS:.1f}" if cell.count else "-"


def _caseload(cell: api.Cell) -> str:
    return f"{cell.total / cell.count:.1f}" if cell.count else "-"


@dataclass(frozen=True)
class Rate:
    answers: int
    asked: int
    families: int


def _rate(rate: Rate) -> str:
    return f"{100 * rate.answers / rate.asked:.0f} %" if rate.asked else "-"


def _rates(answered: api.SuppressedTable, asked: api.SuppressedTable) -> api.SuppressedTable:
    """Answers per request, only where both figures are published: a rate beside a published
    request count would give away a hidden answer count."""

    def both(a: api.Shown | None, b: api.Shown | None) -> api.Shown:
        if a is None or b is None or a.suppressed or b.suppressed:
            return api.Shown(None, "secondary", answered.minimum_families)
        rate = Rate(a.figures.count, b.figures.count, min(a.figures.families, b.figures.families))
        return api.Shown(rate, "", answered.minimum_families)

    return api.SuppressedTable(
        rows=answered.rows,
        columns=answered.columns,
        minimum_families=answered.minimum_families,
        cells={key: both(shown, asked.cells.get(key)) for key, shown in answered.cells.items()},
        row_totals={k: both(v, asked.row_totals.get(k)) for k, v in answered.row_totals.items()},
        column_totals={
            k: both(v, asked.column_totals.get(k)) for k, v in answered.column_totals.items()
        },
        grand_total=None
        if answered.grand_total is None
        else both(answered.grand_total, asked.grand_total),
    )


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
    invited = publish(
        "invitations",
        api.gettext("Feedback asked for"),
        stats.table(INVITATIONS, "issued", months=months, d1=questionnaire_id),
        _count,
    )
    # The levels add up to the answers: suppressed together, or a hidden level would be the
    # answers minus the other two.
    answered, levels = api.suppress_partition(
        answers,
        {
            level: stats.table(
                LEVELS, "answers", months=months, d1=level_key(questionnaire_id, level)
            )
            for level in LEVEL_NAMES
        },
        minimum_families,
    )
    tables = [
        invited,
        Published("answers", api.gettext("Answers"), answered, _count),
        Published("rate", api.gettext("Response rate"), _rates(answered, invited.table), _rate),
        Published("mean", api.gettext("Mean total score"), answered, _mean),
    ]
    tables += [
        Published(f"level_{level}", str(LEVEL_TITLES[level]), levels[level], _count)
        for level in LEVEL_NAMES
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
        # Caseloads are not about families: each worker counts as one (no per-worker figure is
        # shown, only the team's mean and how many are over the limit).
        for measure, title, show in (
            ("caseload", api.gettext("Mean caseload of the team's social workers"), _caseload),
            (
                "over_limit",
                api.gettext("Share of social workers' caseloads over the limit"),
                _share,
            ),
        ):
            caseload = stats.table(CASELOAD, measure, months=months, plugin=MEETING_PLUGIN)
            tables.append(Published(f"caseload_{measure}", title, api.suppress(caseload, 1), show))
    return tables


LEVEL_SHORT = {
    "low": api.lazy_gettext("low"),
    "middle": api.lazy_gettext("middle"),
    "high": api.lazy_gettext("high"),
}
LEVEL_TITLES = {
    "low": api.lazy_gettext("Answers with a low total (lowest third of the scale)"),
    "middle": api.lazy_gettext("Answers with a middle total"),
    "high": api.lazy_gettext("Answers with a high total (highest third of the scale)"),
}

MEETING_SHARE_TITLES = {
    "family_present": api.lazy_gettext("Weekly meetings with the family present"),
    "network_present": api.lazy_gettext("Weekly meetings with network members present"),
    "child_view": api.lazy_gettext("Discussions with the child's view recorded"),
    "two_hypotheses": api.lazy_gettext("Discussions with at least two hypotheses"),
    "outcome": api.lazy_gettext("Discussions ending in an outcome"),
}
