"""The team overview and the fidelity figures, with numbers counted by hand.

The team is invented: Liisa Laine (w-1) holds 21 children, one over the limit; Pekka Virta
(w-2) two; Sanna Koski (w-3), the coordinator, none. Eino (c-1001) and Helmi (c-1005) Testinen
are siblings discussed together. Today is Monday 2024-03-18.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.weekly_meeting.continuity import (
    CaseRow,
    Share,
    TeamOverview,
    fidelity_by_month,
    team_overview,
)

TODAY = date(2024, 3, 18)


@dataclass(frozen=True)
class TeamClient:
    client_id: str
    display_name: str
    responsible_worker_id: str | None


MEMBERS = [
    {"worker_id": "w-1", "name": "Liisa Laine", "role": "social_worker"},
    {"worker_id": "w-2", "name": "Pekka Virta", "role": "family_therapist"},
    {"worker_id": "w-3", "name": "Sanna Koski", "role": "coordinator"},
]


def clients() -> list[Any]:
    team: list[Any] = [
        TeamClient(f"c-{n}", f"Lapsi {n}", "w-1")
        for n in range(1001, 1022)  # 21 children
    ]
    team[0] = TeamClient("c-1001", "Eino Testinen", "w-1")
    team[4] = TeamClient("c-1005", "Helmi Testinen", "w-1")
    team += [
        TeamClient("c-1022", "Ville Virtanen", "w-2"),
        # The record system may hand clients over as dicts as well.
        {"client_id": "c-1023", "display_name": "Aino Mäkinen", "responsible_worker_id": "w-2"},
        TeamClient("c-1024", "Onni Korhonen", None),
        TeamClient("c-1025", "Venla Nieminen", "w-99"),  # the worker left the team
    ]
    return team


def t(task_id: str, owner_worker: str | None, due: str, state: str = "open") -> dict[str, Any]:
    owner = f"t:{owner_worker}" if owner_worker else "f:p-aino"
    return {
        "task_id": task_id,
        "owner": owner,
        "owner_worker": owner_worker,
        "due": due,
        "state": state,
    }


def entry(
    client_id: str,
    meeting_id: str,
    held_on: str,
    *,
    family: list[str] | None = None,
    family_present: bool = False,
    network_present: bool = False,
    child_view: bool = False,
    hypotheses: int = 0,
    outcome: bool = False,
    tasks: list[dict[str, Any]] | None = None,
    next_review: str | None = None,
) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "team_id": "team-a",
        "family_clients": family or [client_id],
        "meeting_id": meeting_id,
        "last_discussed": held_on,
        "family_present": family_present,
        "network_present": network_present,
        "child_view_recorded": child_view,
        "hypothesis_count": hypotheses,
        "has_outcome": outcome,
        "tasks": tasks or [],
        "next_review": next_review,
    }


def entries() -> dict[str, dict[str, Any]]:
    siblings = {
        "family": ["c-1001", "c-1005"],
        "family_present": True,
        "child_view": True,
        "hypotheses": 2,
        "outcome": True,
        "tasks": [
            t("t1", "w-1", "2024-03-15"),  # overdue
            t("t2", "w-2", "2024-03-25"),
            t("t3", "w-1", "2024-03-01", state="done"),
            t("t4", None, "2024-03-01"),  # the family's, overdue
        ],
        "next_review": "2024-03-18",
    }
    return {
        "c-1001": entry("c-1001", "m-10", "2024-03-11", **siblings),
        "c-1005": entry("c-1005", "m-10", "2024-03-11", **siblings),
        # The same task id in another meeting is another task.
        "c-1002": entry(
            "c-1002",
            "m-11",
            "2024-02-26",
            hypotheses=1,
            tasks=[t("t1", "w-1", "2024-04-01")],
            next_review="2024-04-15",
        ),
        "c-1003": entry("c-1003", "m-15", "2024-03-04", family_present=True, outcome=True),
        # Exactly four weeks ago: still within the window.
        "c-1022": entry(
            "c-1022",
            "m-12",
            "2024-02-19",
            family_present=True,
            child_view=True,
            hypotheses=3,
            tasks=[t("t9", "w-2", "2024-03-17")],
        ),
        "c-1023": entry(
            "c-1023",
            "m-13",
            "2024-02-12",
            family_present=True,
            child_view=True,
            hypotheses=2,
            outcome=True,
            tasks=[t("t10", "w-2", "2024-02-20")],
        ),
        "c-1025": entry("c-1025", "m-14", "2024-01-15", tasks=[t("t11", "w-99", "2024-02-01")]),
        # Not a client of this team (any more): ignored.
        "c-2000": entry(
            "c-2000", "m-9", "2024-03-11", family_present=True, tasks=[t("x", "w-1", "2024-01-01")]
        ),
    }


def overview(**kwargs: Any) -> TeamOverview:
    return team_overview(clients(), MEMBERS, entries(), TODAY, **kwargs)


def row(result: TeamOverview, client_id: str) -> CaseRow:
    [found] = [case for case in result.cases if case.client_id == client_id]
    return found


def test_cases_stale_first_then_longest_since_discussed() -> None:
    result = overview()

    never = sorted(
        [f"c-{n}" for n in range(1002, 1022) if n not in (1002, 1003, 1005)] + ["c-1024"],
        key=lambda cid: ("Onni Korhonen" if cid == "c-1024" else f"Lapsi {cid[2:]}", cid),
    )
    assert len(never) == 18
    assert [case.client_id for case in result.cases] == [
        *never,
        "c-1025",
        "c-1023",
        "c-1022",
        "c-1002",
        "c-1003",
        "c-1001",  # Eino before Helmi, both 2024-03-11
        "c-1005",
    ]
    assert [case.stale for case in result.cases].count(True) == 20


def test_case_rows() -> None:
    result = overview()

    assert row(result, "c-1001") == CaseRow(
        client_id="c-1001",
        display_name="Eino Testinen",
        responsible_worker_id="w-1",
        last_discussed=date(2024, 3, 11),
        weeks_since=1,
        stale=False,
        open_tasks=3,
        overdue_tasks=2,
        next_review=date(2024, 3, 18),
        review_due=True,
    )
    assert row(result, "c-1002").review_due is False
    assert (row(result, "c-1022").weeks_since, row(result, "c-1022").stale) == (4, False)
    assert (row(result, "c-1023").weeks_since, row(result, "c-1023").stale) == (5, True)
    assert (row(result, "c-1025").weeks_since, row(result, "c-1025").overdue_tasks) == (9, 1)
    never = row(result, "c-1024")
    assert (never.last_discussed, never.weeks_since, never.stale) == (None, None, True)
    assert (never.open_tasks, never.next_review, never.review_due) == (0, None, False)


def test_stale_weeks_setting() -> None:
    result = overview(stale_weeks=3)
    assert row(result, "c-1022").stale is True
    assert row(result, "c-1002").stale is False


def test_workers_caseload_and_tasks_with_siblings_counted_once() -> None:
    workers = {w.worker_id: w for w in overview().workers}

    assert [w.worker_id for w in overview().workers] == ["w-1", "w-2", "w-3"]
    liisa = workers["w-1"]
    assert (liisa.name, liisa.role, liisa.caseload, liisa.over_limit) == (
        "Liisa Laine",
        "social_worker",
        21,
        True,
    )
    # m-10/t1 (shared by Eino and Helmi: once) and m-11/t1; t3 is done.
    assert (liisa.open_tasks, liisa.overdue_tasks) == (2, 1)
    pekka = workers["w-2"]
    assert (pekka.caseload, pekka.over_limit, pekka.open_tasks, pekka.overdue_tasks) == (
        2,
        False,
        3,
        2,
    )
    sanna = workers["w-3"]
    assert (sanna.caseload, sanna.over_limit, sanna.open_tasks, sanna.overdue_tasks) == (
        0,
        False,
        0,
        0,
    )
    assert overview(caseload_limit=21).workers[0].over_limit is False


def test_uncovered_cases() -> None:
    # c-1024 has no responsible worker, c-1025's worker is not on the team; the 17 stale
    # cases of Liisa are hers.
    assert [case.client_id for case in overview().uncovered] == ["c-1024", "c-1025"]


def test_a_stale_case_of_a_team_member_is_covered() -> None:
    team = [TeamClient("c-1001", "Eino Testinen", "w-1"), TeamClient("c-1024", "Onni", None)]
    fresh = {"c-1024": entry("c-1024", "m-1", "2024-03-11")}
    result = team_overview(team, MEMBERS, fresh, TODAY)
    assert row(result, "c-1001").stale is True
    assert result.uncovered == ()


def test_team_fidelity() -> None:
    fidelity = overview().fidelity

    # Within four weeks: c-1001, c-1005, c-1002, c-1003, c-1022 of 25 team clients.
    assert fidelity.discussed_within_4_weeks == Share(5, 25)
    assert fidelity.family_present == Share(4, 5)  # all but c-1002
    assert fidelity.child_view_recorded == Share(3, 5)  # c-1001, c-1005, c-1022
    assert fidelity.two_hypotheses == Share(3, 5)  # 2, 2, 1, 0, 3
    assert fidelity.outcome == Share(3, 5)  # c-1001, c-1005, c-1003
    # Open: m-10/t1, t2, t4; m-11/t1; t9; t10; t11. Overdue: m-10/t1, t4, t9, t10, t11.
    assert fidelity.tasks_overdue == Share(5, 7)
    assert fidelity.discussed_within_4_weeks.percent == 20.0


def test_share_percent() -> None:
    assert Share(0, 0).percent is None
    assert Share(0, 3).percent == 0.0
    assert Share(1, 4).percent == 25.0
    assert Share(3, 3).percent == 100.0


def test_an_empty_team() -> None:
    result = team_overview([], [], {}, TODAY)
    assert (result.cases, result.workers, result.uncovered) == ((), (), ())
    assert result.fidelity.discussed_within_4_weeks == Share(0, 0)
    assert result.fidelity.tasks_overdue.percent is None


def test_fidelity_by_month() -> None:
    siblings = ["c-1001", "c-1005"]
    jan = {"family": siblings, "family_present": True, "child_view": True, "hypotheses": 2}
    history = [
        entry("c-1001", "m-0", "2023-12-11", family=siblings, family_present=True),
        entry("c-1001", "m-1", "2024-01-08", outcome=True, **jan),
        entry("c-1005", "m-1", "2024-01-08", outcome=True, **jan),
        # Same meeting, two families: two discussions.
        entry("c-1002", "m-2", "2024-01-15", network_present=True, hypotheses=1, outcome=True),
        entry(
            "c-1003",
            "m-2",
            "2024-01-15",
            family_present=True,
            network_present=True,
            child_view=True,
            hypotheses=3,
        ),
        # A correction of m-1 written later: its outcome was removed.
        entry("c-1001", "m-1", "2024-01-08", outcome=False, **jan),
        entry("c-1001", "m-3", "2024-02-05", family=siblings, family_present=True, outcome=True),
        entry("c-1005", "m-3", "2024-02-05", family=siblings, family_present=True, outcome=True),
    ]

    figures = fidelity_by_month(history, ["2024-01", "2024-02", "2024-03"])

    assert list(figures) == ["2024-01", "2024-02", "2024-03"]
    january = figures["2024-01"]
    assert january.discussions == 3
    assert january.family_present == Share(2, 3)
    assert january.network_present == Share(2, 3)
    assert january.child_view_recorded == Share(2, 3)
    assert january.two_hypotheses == Share(2, 3)
    assert january.outcome == Share(1, 3)
    february = figures["2024-02"]
    assert february.discussions == 1
    assert (february.family_present, february.network_present) == (Share(1, 1), Share(0, 1))
    assert (february.child_view_recorded, february.two_hypotheses) == (Share(0, 1), Share(0, 1))
    assert february.outcome == Share(1, 1)
    march = figures["2024-03"]
    assert march.discussions == 0
    assert march.family_present == Share(0, 0)
    assert march.outcome.percent is None


# --- properties -----------------------------------------------------------------------------

WORKERS = ["w-1", "w-2", "w-3", "w-4"]


@st.composite
def teams(draw: st.DrawFn) -> tuple[list[TeamClient], list[dict], dict[str, dict[str, Any]]]:
    """A team of families; each family's children share one latest entry, or have none."""
    members = [
        {"worker_id": w, "name": f"Työntekijä {w}", "role": "social_worker"}
        for w in draw(st.lists(st.sampled_from(WORKERS), unique=True))
    ]
    family_sizes = draw(st.lists(st.integers(1, 3), max_size=12))
    team: list[TeamClient] = []
    index: dict[str, dict[str, Any]] = {}
    for family_no, size in enumerate(family_sizes):
        ids = [f"c-{1000 + family_no * 10 + k}" for k in range(size)]
        for client_id in ids:
            worker = draw(st.sampled_from([None, *WORKERS, "w-99"]))
            team.append(TeamClient(client_id, f"Lapsi {client_id}", worker))
        if not draw(st.booleans()):
            continue
        tasks = [
            t(
                f"t{family_no}-{n}",  # task ids are unique across families
                draw(st.sampled_from([None, *WORKERS])),
                (TODAY + timedelta(days=draw(st.integers(-30, 30)))).isoformat(),
                draw(st.sampled_from(["open", "done", "cancelled"])),
            )
            for n in range(draw(st.integers(0, 4)))
        ]
        shared = {
            "family": ids,
            "family_present": draw(st.booleans()),
            "network_present": draw(st.booleans()),
            "child_view": draw(st.booleans()),
            "hypotheses": draw(st.integers(0, 4)),
            "outcome": draw(st.booleans()),
            "tasks": tasks,
        }
        held_on = (TODAY - timedelta(days=draw(st.integers(0, 90)))).isoformat()
        meeting = f"m-{draw(st.integers(1, 5))}"
        for client_id in ids:
            index[client_id] = entry(client_id, meeting, held_on, **shared)
    return team, members, index


@settings(max_examples=150, deadline=None)
@given(teams())
def test_overview_shares_are_proper_and_counts_match_a_direct_count(
    team_data: tuple[list[TeamClient], list[dict], dict[str, dict[str, Any]]],
) -> None:
    team, members, index = team_data
    result = team_overview(team, members, index, TODAY)
    fidelity = result.fidelity

    for share in vars(fidelity).values():
        assert 0 <= share.numerator <= share.denominator

    window_start = TODAY - timedelta(days=28)
    recent = [
        index[c.client_id]
        for c in team
        if c.client_id in index
        and date.fromisoformat(index[c.client_id]["last_discussed"]) >= window_start
    ]
    assert fidelity.discussed_within_4_weeks == Share(len(recent), len(team))
    assert fidelity.family_present == Share(sum(e["family_present"] for e in recent), len(recent))
    assert fidelity.two_hypotheses == Share(
        sum(e["hypothesis_count"] >= 2 for e in recent), len(recent)
    )

    open_tasks = {
        (e["meeting_id"], task["task_id"]): task
        for e in (index[c.client_id] for c in team if c.client_id in index)
        for task in e["tasks"]
        if task["state"] == "open"
    }
    overdue = [k for k, task in open_tasks.items() if date.fromisoformat(task["due"]) < TODAY]
    assert fidelity.tasks_overdue == Share(len(overdue), len(open_tasks))

    member_ids = {m["worker_id"] for m in members}
    assert sum(w.open_tasks for w in result.workers) == sum(
        task["owner_worker"] in member_ids for task in open_tasks.values()
    )
    assert sum(w.caseload for w in result.workers) == sum(
        c.responsible_worker_id in member_ids for c in team
    )
    for worker in result.workers:
        assert worker.over_limit is (worker.caseload > 20)

    assert len(result.cases) == len(team)
    stale = [case.stale for case in result.cases]
    assert stale == sorted(stale, reverse=True)
    assert all(
        case.stale and case.responsible_worker_id not in member_ids for case in result.uncovered
    )
    assert len(result.uncovered) == sum(
        case.stale and case.responsible_worker_id not in member_ids for case in result.cases
    )


@settings(max_examples=150, deadline=None)
@given(
    teams(), st.lists(st.sampled_from(["2023-12", "2024-01", "2024-02", "2024-03"]), unique=True)
)
def test_monthly_shares_are_proper_and_count_each_discussion_once(
    team_data: tuple[list[TeamClient], list[dict], dict[str, dict[str, Any]]],
    months: list[str],
) -> None:
    _team, _members, index = team_data
    history = list(index.values())

    figures = fidelity_by_month(history, months)

    assert list(figures) == months
    discussions = {
        (e["meeting_id"], tuple(sorted(e["family_clients"]))): e
        for e in history
        if e["last_discussed"][:7] in months
    }
    assert sum(f.discussions for f in figures.values()) == len(discussions)
    for month, figure in figures.items():
        held = [e for e in discussions.values() if e["last_discussed"][:7] == month]
        assert figure.family_present == Share(sum(e["family_present"] for e in held), len(held))
        assert figure.outcome == Share(sum(e["has_outcome"] for e in held), len(held))
        for share in (
            figure.family_present,
            figure.network_present,
            figure.child_view_recorded,
            figure.two_hypotheses,
            figure.outcome,
        ):
            assert 0 <= share.numerator <= share.denominator == figure.discussions
