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
    row_heading: str = ""  # what the rows are; a team when empty


def _count(cell: api.Cell) -> str:
    return str(cell.count)


def _mean(cell: api.Cell) -> str:
    # Totals are kept in tenths (a mean score of 6.3 is 63).
    return f"{cell.total / cell.count / TENTHS:.1f}" if cell.count else "-"


def _levels(
    stats: api.Statistics,
    questionnaire_id: str,
    months: list[str],
    answers: api.Cell | None,
    minimum_families: int,
) -> api.SuppressedTable:
    """The distribution of answers over the low, middle and high levels, for the whole unit and
    period (one column). The levels add up to the answers' grand total, which the page
    publishes: a level resting on too few families is hidden together with at least one other,
    so that it is never the total minus the rest. Per team and month they would be too small
    to publish and too many to protect."""
    # One query for the three levels (keyed by their d1), not one each.
    by_key = {
        cell.key[0]: cell for cell in stats.cells(LEVELS, "answers", months=months, by=("d1",))
    }
    found = {level: by_key.get(level_key(questionnaire_id, level)) for level in LEVEL_NAMES}
    hidden = {
        level for level, cell in found.items() if not cell or cell.families < minimum_families
    }
    published_total = answers is not None and answers.families >= minimum_families
    if published_total and len(hidden) == 1:
        shown = [level for level in LEVEL_NAMES if level not in hidden and found[level]]
        if shown:
            hidden.add(min(shown, key=lambda level: found[level].families))

    def cell(level: str) -> api.Shown:
        if level in hidden:
            return api.Shown(None, "primary", minimum_families)
        return api.Shown(found[level], "", minimum_families)

    return api.SuppressedTable(
        rows=tuple(str(LEVEL_SHORT[level]) for level in LEVEL_NAMES),
        columns=(f"{months[0]} - {months[-1]}",),
        minimum_families=minimum_families,
        cells={
            (str(LEVEL_SHORT[level]), f"{months[0]} - {months[-1]}"): cell(level)
            for level in LEVEL_NAMES
        },
        row_totals={},
        column_totals={},
        grand_total=None,
    )


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
    answered = api.suppress(answers, minimum_families)
    tables = [
        invited,
        Published("answers", api.gettext("Answers"), answered, _count),
        Published("rate", api.gettext("Response rate"), _rates(answered, invited.table), _rate),
        Published("mean", api.gettext("Mean total score"), answered, _mean),
        Published(
            "levels",
            api.gettext("Answers by level of the total score, whole unit and period"),
            _levels(stats, questionnaire_id, months, answers.grand_total, minimum_families),
            _count,
            row_heading=api.gettext("Level"),
        ),
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
MEETING_SHARE_TITLES = {
    "family_present": api.lazy_gettext("Weekly meetings with the family present"),
    "network_present": api.lazy_gettext("Weekly meetings with network members present"),
    "child_view": api.lazy_gettext("Discussions with the child's view recorded"),
    "two_hypotheses": api.lazy_gettext("Discussions with at least two hypotheses"),
    "outcome": api.lazy_gettext("Discussions ending in an outcome"),
}
