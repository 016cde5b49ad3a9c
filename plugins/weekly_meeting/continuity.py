"""The team's continuity and fidelity picture, from the case index the host keeps per client.

Which cases have gone too long without a discussion, whose caseload is over the limit, which
tasks are overdue, and how closely the meetings follow the model (family present, the child's
view, at least two hypotheses, an outcome). Pure functions: the views fetch clients, members
and index entries, and render what comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from plugins.weekly_meeting.carry_over import parse_date

FIDELITY_WINDOW = timedelta(days=28)


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if self.denominator == 0:
            return None
        return 100 * self.numerator / self.denominator


@dataclass(frozen=True)
class CaseRow:
    client_id: str
    display_name: str
    responsible_worker_id: str | None
    last_discussed: date | None
    weeks_since: int | None
    stale: bool
    open_tasks: int
    overdue_tasks: int
    next_review: date | None
    review_due: bool


@dataclass(frozen=True)
class WorkerRow:
    worker_id: str
    name: str
    role: str
    caseload: int
    over_limit: bool
    open_tasks: int
    overdue_tasks: int


@dataclass(frozen=True)
class TeamFidelity:
    discussed_within_4_weeks: Share
    family_present: Share
    child_view_recorded: Share
    two_hypotheses: Share
    outcome: Share
    tasks_overdue: Share


@dataclass(frozen=True)
class TeamOverview:
    cases: tuple[CaseRow, ...]
    workers: tuple[WorkerRow, ...]
    fidelity: TeamFidelity
    uncovered: tuple[CaseRow, ...]


@dataclass(frozen=True)
class FidelityFigures:
    discussions: int
    family_present: Share
    network_present: Share
    child_view_recorded: Share
    two_hypotheses: Share
    outcome: Share


def _get(item: Any, name: str) -> Any:
    """A field of a record-system dataclass or of its dict form."""
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def _is_open(task: Mapping[str, Any]) -> bool:
    return task.get("state") == "open"


def _is_overdue(task: Mapping[str, Any], today: date) -> bool:
    due = parse_date(task.get("due"))
    return _is_open(task) and due is not None and due < today


def _share(entries: list[Mapping[str, Any]], test: Callable[[Mapping[str, Any]], bool]) -> Share:
    return Share(sum(1 for entry in entries if test(entry)), len(entries))


def _team_tasks(entries: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Tasks of the entries, once each: siblings discussed together share one meeting's tasks."""
    tasks: dict[tuple[str, str], Mapping[str, Any]] = {}
    for entry in entries:
        for task in entry.get("tasks") or []:
            tasks.setdefault((str(entry.get("meeting_id")), str(task.get("task_id"))), task)
    return list(tasks.values())


def _case_row(
    client: Any, entry: Mapping[str, Any] | None, today: date, stale_after: date
) -> CaseRow:
    entry = entry or {}
    last = parse_date(entry.get("last_discussed"))
    next_review = parse_date(entry.get("next_review"))
    tasks = entry.get("tasks") or []
    return CaseRow(
        client_id=_get(client, "client_id"),
        display_name=_get(client, "display_name") or "",
        responsible_worker_id=_get(client, "responsible_worker_id"),
        last_discussed=last,
        weeks_since=None if last is None else (today - last).days // 7,
        stale=last is None or last < stale_after,
        open_tasks=sum(1 for task in tasks if _is_open(task)),
        overdue_tasks=sum(1 for task in tasks if _is_overdue(task, today)),
        next_review=next_review,
        review_due=next_review is not None and next_review <= today,
    )


def _worker_row(
    member: Any,
    clients: list[Any],
    open_tasks: list[Mapping[str, Any]],
    today: date,
    caseload_limit: int,
) -> WorkerRow:
    worker_id = _get(member, "worker_id")
    caseload = sum(1 for client in clients if _get(client, "responsible_worker_id") == worker_id)
    owned = [task for task in open_tasks if task.get("owner_worker") == worker_id]
    return WorkerRow(
        worker_id=worker_id,
        name=_get(member, "name") or "",
        role=_get(member, "role") or "other",
        caseload=caseload,
        over_limit=caseload > caseload_limit,
        open_tasks=len(owned),
        overdue_tasks=sum(1 for task in owned if _is_overdue(task, today)),
    )


def _case_order(row: CaseRow) -> tuple[bool, date, str, str]:
    # Stale first, then the longest since discussed (never discussed is the longest).
    return (not row.stale, row.last_discussed or date.min, row.display_name, row.client_id)


def team_overview(
    clients: Iterable[Any],
    members: Iterable[Any],
    entries: dict[str, dict[str, Any]],
    today: date,
    stale_weeks: int = 4,
    caseload_limit: int = 20,
) -> TeamOverview:
    """The team's cases, workers, fidelity and uncovered cases on ``today``.

    ``entries`` holds each client's latest case index entry by client id; entries of clients not
    (or no longer) on the team are ignored.
    """
    clients = list(clients)
    members = list(members)
    stale_after = today - timedelta(weeks=stale_weeks)
    client_ids = [_get(client, "client_id") for client in clients]
    team_entries = [entries[client_id] for client_id in client_ids if client_id in entries]

    cases = sorted(
        (
            _case_row(client, entries.get(_get(client, "client_id")), today, stale_after)
            for client in clients
        ),
        key=_case_order,
    )

    tasks = _team_tasks(team_entries)
    open_tasks = [task for task in tasks if _is_open(task)]
    workers = tuple(
        _worker_row(member, clients, open_tasks, today, caseload_limit) for member in members
    )

    window_start = today - FIDELITY_WINDOW
    recent = [
        entry
        for entry in team_entries
        if (last := parse_date(entry.get("last_discussed"))) is not None and last >= window_start
    ]
    fidelity = TeamFidelity(
        discussed_within_4_weeks=Share(len(recent), len(clients)),
        family_present=_share(recent, lambda e: bool(e.get("family_present"))),
        child_view_recorded=_share(recent, lambda e: bool(e.get("child_view_recorded"))),
        two_hypotheses=_share(recent, lambda e: (e.get("hypothesis_count") or 0) >= 2),
        outcome=_share(recent, lambda e: bool(e.get("has_outcome"))),
        tasks_overdue=Share(
            sum(1 for task in open_tasks if _is_overdue(task, today)), len(open_tasks)
        ),
    )

    member_ids = {_get(member, "worker_id") for member in members}
    uncovered = tuple(
        row for row in cases if row.stale and row.responsible_worker_id not in member_ids
    )
    return TeamOverview(cases=tuple(cases), workers=workers, fidelity=fidelity, uncovered=uncovered)


def _discussion_key(entry: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    family = entry.get("family_clients") or [entry.get("client_id")]
    return (str(entry.get("meeting_id")), tuple(sorted(str(c) for c in family)))


def fidelity_by_month(
    entries_history: list[dict[str, Any]], months: list[str]
) -> dict[str, FidelityFigures]:
    """Fidelity per month ``YYYY-MM`` over the family discussions held that month.

    Siblings discussed together wrote one entry each; they count as one discussion. Of entries
    for the same discussion the last one in the history wins (a correction is written later).
    """
    discussions: dict[tuple[str, tuple[str, ...]], Mapping[str, Any]] = {}
    for entry in entries_history:
        discussions[_discussion_key(entry)] = entry

    by_month: dict[str, list[Mapping[str, Any]]] = {month: [] for month in months}
    for entry in discussions.values():
        held_on = parse_date(entry.get("last_discussed"))
        if held_on is not None and (month := held_on.strftime("%Y-%m")) in by_month:
            by_month[month].append(entry)

    return {
        month: FidelityFigures(
            discussions=len(held),
            family_present=_share(held, lambda e: bool(e.get("family_present"))),
            network_present=_share(held, lambda e: bool(e.get("network_present"))),
            child_view_recorded=_share(held, lambda e: bool(e.get("child_view_recorded"))),
            two_hypotheses=_share(held, lambda e: (e.get("hypothesis_count") or 0) >= 2),
            outcome=_share(held, lambda e: bool(e.get("has_outcome"))),
        )
        for month, held in by_month.items()
    }
