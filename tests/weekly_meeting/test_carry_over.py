"""Carrying open tasks from a family's earlier minutes, and the case index entry.

The Testinen family is invented: Aino Testinen and her children Eino (c-1001) and Helmi
(c-1005); the team's workers are Liisa Laine (w-1) and Pekka Virta (w-2).
"""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from plugins.weekly_meeting.carry_over import (
    CarriedTask,
    index_entry,
    merge_into_discussion,
    tasks_to_carry,
)

TEAM = {"w-1", "w-2"}

CONSENT_GIVEN = {
    "scope": "attend",
    "recorded_at": "2024-03-04T09:00:00+00:00",
    "recorded_by": "w-1",
    "withdrawn_at": None,
}
CONSENT_WITHDRAWN = {
    "scope": "attend",
    "recorded_at": "2024-03-04T09:00:00+00:00",
    "recorded_by": "w-1",
    "withdrawn_at": "2024-03-04T09:30:00+00:00",
}


def task(task_id: str, state: str, due: str, owner: str = "t:w-1", **extra: Any) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "text": f"Tehtävä {task_id}: soittaa koululle",
        "owner": owner,
        "due": due,
        "state": state,
        "created_on": "2024-03-04",
        "carried_from": None,
        **extra,
    }


def minutes(meeting_id: str, held_on: str, tasks: list[dict[str, Any]], **discussion: Any) -> dict:
    return {
        "meeting": {"meeting_id": meeting_id, "team_id": "team-a", "date": held_on},
        "family_clients": ["c-1001", "c-1005"],
        "discussion": {"participants": [], "tasks": tasks, "hypotheses": [], **discussion},
        "signed": {"by": "w-1", "at": f"{held_on}T15:00:00+02:00"},
    }


def first_meeting() -> dict[str, Any]:
    return minutes(
        "m-1",
        "2024-03-04",
        [
            task("T1", "open", "2024-03-08"),
            task("T2", "open", "2024-03-20", owner="f:p-aino"),
            task("T3", "done", "2024-03-06"),
            task("T4", "open", "2024-04-30", owner="n:ab12"),
        ],
    )


def second_meeting() -> dict[str, Any]:
    return minutes(
        "m-2",
        "2024-03-11",
        [
            task("T1", "open", "2024-03-08", carried_from="m-1"),
            task("T2", "done", "2024-03-20", owner="f:p-aino", carried_from="m-1"),
            task("T3", "open", "2024-03-25", carried_from="m-1"),  # reopened
            task("T5", "open", "2024-03-12", owner="t:w-2"),
        ],
    )


def carried_ids(carried: list[CarriedTask]) -> list[str]:
    return [item.task["task_id"] for item in carried]


def test_open_tasks_are_carried_over_two_meetings_with_their_latest_state() -> None:
    earlier = [second_meeting(), first_meeting()]  # any order

    carried = tasks_to_carry(earlier, date(2024, 3, 18), "m-3")

    # T2 was done at m-2; T3 was done at m-1 and reopened at m-2; T4 only appears at m-1.
    assert carried_ids(carried) == ["T1", "T5", "T3", "T4"]
    by_id = {item.task["task_id"]: item for item in carried}
    assert {k: v.task["carried_from"] for k, v in by_id.items()} == {
        "T1": "m-2",
        "T5": "m-2",
        "T3": "m-2",
        "T4": "m-1",
    }
    assert by_id["T3"].task["due"] == "2024-03-25"
    assert all(item.task["state"] == "open" for item in carried)


def test_done_and_cancelled_tasks_are_not_carried() -> None:
    earlier = [
        minutes(
            "m-1",
            "2024-03-04",
            [task("T1", "done", "2024-03-08"), task("T2", "cancelled", "2024-03-08")],
        )
    ]
    assert tasks_to_carry(earlier, date(2024, 3, 11), "m-2") == []


def test_overdue_and_due_soon_flags() -> None:
    carried = tasks_to_carry([second_meeting(), first_meeting()], date(2024, 3, 18), "m-3")
    flags = {item.task["task_id"]: (item.overdue, item.due_soon) for item in carried}
    assert flags == {
        "T1": (True, True),  # due 03-08
        "T5": (True, True),  # due 03-12
        "T3": (False, True),  # due 03-25: exactly seven days on
        "T4": (False, False),  # due 04-30
    }
    # The flags live beside the task, never inside it.
    assert all("overdue" not in item.task and "due_soon" not in item.task for item in carried)


@pytest.mark.parametrize(
    ("due", "overdue", "due_soon"),
    [
        ("2024-03-17", True, True),
        ("2024-03-18", False, True),
        ("2024-03-25", False, True),
        ("2024-03-26", False, False),
    ],
)
def test_flag_boundaries(due: str, overdue: bool, due_soon: bool) -> None:
    earlier = [minutes("m-1", "2024-03-11", [task("T1", "open", due)])]
    [item] = tasks_to_carry(earlier, date(2024, 3, 18), "m-2")
    assert (item.overdue, item.due_soon) == (overdue, due_soon)


def test_a_correction_of_the_same_meeting_replaces_its_earlier_version() -> None:
    signed = minutes(
        "m-2", "2024-03-11", [task("T5", "open", "2024-03-12"), task("T6", "open", "2024-03-14")]
    )
    corrected = minutes("m-2", "2024-03-11", [task("T5", "cancelled", "2024-03-12")])

    carried = tasks_to_carry([signed, corrected], date(2024, 3, 18), "m-3")

    # T5 was cancelled in the correction; T6 was entered by mistake and removed from it.
    assert carried == []
    # In the other order the "correction" is the older version and the signed one wins.
    assert carried_ids(tasks_to_carry([corrected, signed], date(2024, 3, 18), "m-3")) == [
        "T5",
        "T6",
    ]


def test_minutes_of_this_meeting_or_later_are_not_earlier_minutes() -> None:
    this_meeting = minutes("m-3", "2024-03-18", [task("T7", "open", "2024-03-20")])
    later = minutes("m-4", "2024-03-25", [task("T1", "done", "2024-03-08")])

    carried = tasks_to_carry(
        [first_meeting(), this_meeting, later, second_meeting()], date(2024, 3, 18), "m-3"
    )

    assert carried_ids(carried) == ["T1", "T5", "T3", "T4"]


def test_carried_tasks_are_copies() -> None:
    earlier = [first_meeting()]
    before = copy.deepcopy(earlier)

    carried = tasks_to_carry(earlier, date(2024, 3, 11), "m-2")
    carried[0].task["state"] = "done"

    assert earlier == before
    assert earlier[0]["discussion"]["tasks"][0]["carried_from"] is None


def test_merge_adds_carried_tasks_once_and_the_discussion_wins() -> None:
    carried = tasks_to_carry([second_meeting(), first_meeting()], date(2024, 3, 18), "m-3")
    closed_in_meeting = task("T1", "done", "2024-03-08", carried_from="m-2")
    new_task = task("T7", "open", "2024-04-01", owner="t:w-2")

    merged = merge_into_discussion([closed_in_meeting, new_task], carried)

    assert [t["task_id"] for t in merged] == ["T1", "T7", "T5", "T3", "T4"]
    assert merged[0]["state"] == "done"
    assert all(set(t) == set(closed_in_meeting) for t in merged)

    # Merging again (a second load of the same view) adds nothing.
    assert merge_into_discussion(merged, carried) == merged


def signed_minutes() -> dict[str, Any]:
    return minutes(
        "m-2",
        "2024-03-11",
        [
            task("T1", "open", "2024-03-15", owner="t:w-1"),
            task("T2", "done", "2024-03-20", owner="t:w-9"),  # left the team
            task("T3", "open", "2024-03-25", owner="f:p-aino"),
            task("T4", "open", "2024-03-29", owner="n:ab12"),
        ],
        participants=[
            {"participant_id": "t:w-1", "kind": "team", "name": "Liisa Laine", "role": "sw"},
            {
                "participant_id": "f:p-aino",
                "kind": "family",
                "name": "Aino Testinen",
                "role": "mother",
                "consent": CONSENT_GIVEN,
            },
            {
                "participant_id": "n:ab12",
                "kind": "network",
                "name": "Ville Opettaja",
                "role": "teacher",
                "consent": CONSENT_WITHDRAWN,
            },
        ],
        hypotheses=[
            {
                "hypothesis_id": f"h-{n}",
                "text": f"Hypoteesi {n}: Eino kantaa huolta äidistä",
                "proposed_by": "t:w-2",
                "status": status,
                "shared_with_family": True,
            }
            for n, status in enumerate(["open", "rejected", "supported"])
        ],
        child_view={"text": "Eino toivoo, että saa jäädä kotiin", "how_obtained": "met_alone"},
        outcome={"text": "Perheen kanssa sovittiin verkostokokous"},
        next_review="2024-04-08",
    )


def test_index_entry_from_signed_minutes() -> None:
    entry = index_entry(signed_minutes(), "c-1005", TEAM)

    assert entry == {
        "client_id": "c-1005",
        "team_id": "team-a",
        "family_clients": ["c-1001", "c-1005"],
        "meeting_id": "m-2",
        "last_discussed": "2024-03-11",
        "family_present": True,
        "network_present": False,  # the only network member withdrew consent
        "child_view_recorded": True,
        "hypothesis_count": 3,
        "has_outcome": True,
        "tasks": [
            {
                "task_id": "T1",
                "owner": "t:w-1",
                "owner_worker": "w-1",
                "due": "2024-03-15",
                "state": "open",
            },
            {
                "task_id": "T2",
                "owner": "t:w-9",
                "owner_worker": None,
                "due": "2024-03-20",
                "state": "done",
            },
            {
                "task_id": "T3",
                "owner": "f:p-aino",
                "owner_worker": None,
                "due": "2024-03-25",
                "state": "open",
            },
            {
                "task_id": "T4",
                "owner": "n:ab12",
                "owner_worker": None,
                "due": "2024-03-29",
                "state": "open",
            },
        ],
        "next_review": "2024-04-08",
    }


def test_index_entry_holds_no_names_and_no_free_text() -> None:
    source = signed_minutes()
    written = json.dumps(index_entry(source, "c-1001", TEAM), ensure_ascii=False)

    discussion = source["discussion"]
    free_text = [
        *(t["text"] for t in discussion["tasks"]),
        *(h["text"] for h in discussion["hypotheses"]),
        *(p["name"] for p in discussion["participants"]),
        discussion["child_view"]["text"],
        discussion["outcome"]["text"],
    ]
    for text in free_text:
        assert text not in written
    for word in ("Testinen", "Liisa", "Eino", "Hypoteesi", "Tehtävä", "text", "name"):
        assert word not in written


@pytest.mark.parametrize(
    ("child_view", "outcome", "recorded", "has_outcome"),
    [
        (None, None, False, False),
        ({"text": "", "how_obtained": "not_obtained"}, None, False, False),
        ({"text": "   ", "how_obtained": "met_alone"}, {}, False, True),
        ({"text": "Helmi piirsi perheensä", "how_obtained": "drawing"}, None, True, False),
    ],
)
def test_child_view_and_outcome_flags(
    child_view: dict | None, outcome: dict | None, recorded: bool, has_outcome: bool
) -> None:
    source = minutes("m-1", "2024-03-04", [], child_view=child_view, outcome=outcome)
    entry = index_entry(source, "c-1001", TEAM)
    assert (entry["child_view_recorded"], entry["has_outcome"]) == (recorded, has_outcome)


@pytest.mark.parametrize(
    ("consent", "present"),
    [
        ({}, True),
        ({"consent": CONSENT_GIVEN}, True),
        ({"consent": CONSENT_WITHDRAWN}, False),
    ],
)
def test_family_with_withdrawn_consent_is_not_counted_present(consent: dict, present: bool) -> None:
    aino = {"participant_id": "f:p-aino", "kind": "family", "name": "Aino Testinen", **consent}
    source = minutes("m-1", "2024-03-04", [], participants=[aino])
    assert index_entry(source, "c-1001", TEAM)["family_present"] is present
