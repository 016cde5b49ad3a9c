"""The family view shows the family only what is theirs to see, and nothing of the team's own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from plugins.weekly_meeting.family_view import family_view
from plugins.weekly_meeting.schemas import check_discussion
from tests.weekly_meeting.test_schemas import TODAY, discussion, edited

CONSENT = {
    "scope": "whole_discussion",
    "recorded_at": "2024-10-03T09:17:00+03:00",
    "recorded_by": "SECRET-consent-recorder",
    "withdrawn_at": "2024-10-03T10:43:00+03:00",
}

# Markers the family must never see, anywhere in the view.
INTERNAL = [
    "SECRET-worker",
    "SECRET-person",
    "SECRET-netid",
    "5ec4e700",
    "SECRET-consent-recorder",
    "09:17",
    "10:43",
    "whole_discussion",
    "SECRET-unshared-hyp",
    "SECRET-hyp-id",
    "SECRET-refl-id",
    "SECRET-unshared-reflection",
    "SECRET-child-obtainer",
    "SECRET-decision-id",
    "SECRET-task-id",
    "SECRET-carried-from",
    "2023-11-11",
    "98765",
    "SECRET-team-notes",
    "supported",
    "discarded",
]

# Markers the family must see.
SHARED = [
    "SHARED-worker-name",
    "SHARED-parent-name",
    "SHARED-network-name",
    "SHARED-second-worker",
    "SHARED-question",
    "SHARED-update",
    "SHARED-hypothesis",
    "SHARED-set-aside-hypothesis",
    "SHARED-reflection",
    "SHARED-family-words",
    "SHARED-child-words",
    "SHARED-worry",
    "SHARED-resource",
    "SHARED-scaling-why",
    "SHARED-decision",
    "SHARED-task",
    "2024-10-31",
    "SHARED-outcome-reason",
    "2024-11-28",
]


def marked() -> dict[str, Any]:
    """A discussion with every field filled with a marker saying whether the family may see it."""
    return {
        "participants": [
            {
                "participant_id": "t:SECRET-worker",
                "kind": "team",
                "name": "SHARED-worker-name",
                "role": "presenting_worker",
            },
            {
                "participant_id": "f:SECRET-person",
                "kind": "family",
                "name": "SHARED-parent-name",
                "role": "parent",
                "consent": CONSENT,
            },
            {
                "participant_id": "n:5ec4e700",
                "kind": "network",
                "name": "SHARED-network-name",
                "role": "school",
                "consent": CONSENT,
            },
            {
                "participant_id": "t:SECRET-child-obtainer",
                "kind": "team",
                "name": "SHARED-second-worker",
                "role": "note_taker",
            },
        ],
        "question": "SHARED-question",
        "update": "SHARED-update",
        "hypotheses": [
            {
                "hypothesis_id": "SECRET-hyp-id",
                "text": "SHARED-hypothesis",
                "proposed_by": "t:SECRET-worker",
                "status": "open",
                "shared_with_family": True,
            },
            {
                "hypothesis_id": "h2",
                "text": "SHARED-set-aside-hypothesis",
                "proposed_by": "t:SECRET-worker",
                "status": "discarded",
                "shared_with_family": True,
            },
            {
                "hypothesis_id": "h3",
                "text": "SECRET-unshared-hyp",
                "proposed_by": "t:SECRET-worker",
                "status": "supported",
                "shared_with_family": False,
            },
            {
                "hypothesis_id": "h4",
                "text": "SECRET-unshared-hyp by default",
                "proposed_by": "t:SECRET-worker",
            },
        ],
        "reflections": [
            {
                "reflection_id": "SECRET-refl-id",
                "by": "t:SECRET-worker",
                "text": "SHARED-reflection",
                "shared_with_family": True,
            },
            {
                "reflection_id": "r2",
                "by": "t:SECRET-worker",
                "text": "SECRET-unshared-reflection",
                "shared_with_family": False,
            },
        ],
        "family_view": [{"by": "f:SECRET-person", "text": "SHARED-family-words"}],
        "child_view": {
            "text": "SHARED-child-words",
            "how_obtained": "play_or_drawing",
            "obtained_by": "t:SECRET-child-obtainer",
            "child_agrees_to_share": True,
        },
        "worries": [{"text": "SHARED-worry", "raised_by": "n:5ec4e700"}],
        "resources": [{"text": "SHARED-resource", "raised_by": "f:SECRET-person"}],
        "risk_scalings": [
            {"score": 4, "scored_by": "f:SECRET-person", "why": "SHARED-scaling-why"}
        ],
        "decisions": [{"decision_id": "SECRET-decision-id", "text": "SHARED-decision"}],
        "tasks": [
            {
                "task_id": "SECRET-task-id",
                "text": "SHARED-task",
                "owner": "f:SECRET-person",
                "due": "2024-10-31",
                "state": "open",
                "created_on": "2023-11-11",
                "carried_from": "SECRET-carried-from",
            },
        ],
        "outcome": {"kind": "escalated", "reason": "SHARED-outcome-reason"},
        "next_review": "2024-11-28",
        "genogram_version": 98765,
        "team_notes": "SECRET-team-notes",
    }


def test_the_marked_discussion_is_valid():
    check_discussion(
        marked(),
        known_team={"SECRET-worker", "SECRET-child-obtainer"},
        known_family={"SECRET-person"},
        today=TODAY,
        existing_task_ids={"SECRET-task-id"},
    )


@pytest.mark.parametrize("locale_independent", [True, False])
def test_nothing_internal_reaches_the_family(locale_independent):
    text = json.dumps(family_view(marked(), locale_independent=locale_independent))
    assert [marker for marker in INTERNAL if marker in text] == []


@pytest.mark.parametrize("locale_independent", [True, False])
def test_everything_shared_reaches_the_family(locale_independent):
    text = json.dumps(family_view(marked(), locale_independent=locale_independent))
    assert [marker for marker in SHARED if marker not in text] == []


def test_no_participant_id_in_the_view_whatever_its_form():
    text = json.dumps(family_view(discussion()))
    for marker in ("t:", "f:", "n:", "w-demo", "p-1001", "1a2b3c4d", "m-2024-09-12", "h1", "t1"):
        assert marker not in text, marker


def test_the_shape():
    assert family_view(discussion()) == {
        "participants": [
            {"name": "Sanna Testinen", "role": "presenting_worker"},
            {"name": "Olli Ohjaaja", "role": "facilitator"},
            {"name": "Liisa Esimerkki", "role": "parent"},
            {"name": "Eino Esimerkki", "role": "child"},
            {"name": "Opettaja Olli", "role": "school"},
        ],
        "question": "How can Eino get to school in the mornings?",
        "update": "Mornings are hard since the move.",
        "hypotheses": [{"text": "The new flat is far from school.", "status": "still_exploring"}],
        "reflections": [{"text": "Much care in this family.", "by": "Olli Ohjaaja"}],
        "family_view": [{"text": "We are doing our best.", "by": "Liisa Esimerkki"}],
        "child_view": {"text": "I like my teacher.", "how": "met_alone"},
        "worries": [{"text": "Late to school 3 days a week.", "by": "Opettaja Olli"}],
        "resources": [{"text": "Grandmother lives near.", "by": "Liisa Esimerkki"}],
        "risk_scalings": [{"score": 6, "by": "Liisa Esimerkki", "why": "Better than May."}],
        "decisions": [{"text": "Try the school taxi for a month."}],
        "tasks": [
            {
                "text": "Ask about the school taxi.",
                "owner": "Sanna Testinen",
                "due": "2024-10-10",
                "state": "open",
            },
            # owned by a team member who was not in the meeting: no name, no id
            {"text": "Call grandmother.", "owner": None, "due": "2024-09-20", "state": "done"},
        ],
        "outcome": {"kind": "intervention", "reason": ""},
        "next_review": "2024-11-07",
    }


def test_hypothesis_statuses_in_plain_words():
    data = edited(("hypotheses.1.shared_with_family", True))
    statuses = [h["status"] for h in family_view(data)["hypotheses"]]
    assert statuses == ["still_exploring", "seems_to_fit"]


@pytest.mark.parametrize(
    "child_view",
    [
        {"text": "I like my teacher.", "how_obtained": "met_alone", "obtained_by": "t:w-demo"},
        {"text": "I like my teacher.", "how_obtained": "met_alone", "child_agrees_to_share": False},
        {
            "how_obtained": "not_obtained",
            "reason_not_obtained": "SECRET-reason",
            "child_agrees_to_share": False,
        },
        None,
    ],
)
def test_the_childs_view_is_hidden_unless_the_child_agrees(child_view):
    view = family_view(edited(("child_view", child_view)))
    assert view["child_view"] is None
    assert "I like my teacher" not in json.dumps(view)
    assert "SECRET-reason" not in json.dumps(view)


def test_why_the_childs_view_was_not_obtained_stays_with_the_team():
    data = edited(
        (
            "child_view",
            {
                "how_obtained": "not_obtained",
                "obtained_by": "t:w-demo",
                "reason_not_obtained": "SECRET-reason",
                "child_agrees_to_share": True,
            },
        )
    )
    assert family_view(data)["child_view"] == {"text": "", "how": "not_obtained"}


def test_accepts_the_loaded_form():
    loaded = check_discussion(
        discussion(),
        known_team={"w-demo", "w-2", "w-absent"},
        known_family={"p-1001-01", "p-1001-02"},
        today=TODAY,
        existing_task_ids={"t0"},
    )
    assert family_view(loaded) == family_view(discussion())


def test_labels_in_the_current_locale(request_context):
    view = family_view(discussion(), locale_independent=False)
    assert view["participants"][0]["role_label"] == "your worker"
    assert view["hypotheses"][0]["status_label"] == "still exploring"
    assert view["tasks"][1]["state_label"] == "done"
    assert view["outcome"]["kind_label"] == "we agreed on something to try"
    assert view["child_view"]["how_label"] == "told a worker when they met alone"
    assert view["headings"]["hypotheses"] == (
        "Ideas we are exploring together (working hypotheses, not findings)"
    )
    assert view["absent_owner_label"] == "a worker from the team"
    json.dumps(view)


def test_a_field_added_to_the_discussion_later_stays_private():
    # The view is an allow-list: its keys are fixed, not derived from the discussion's.
    assert "team_notes" not in family_view(discussion())
    assert "genogram_version" not in family_view(discussion())
