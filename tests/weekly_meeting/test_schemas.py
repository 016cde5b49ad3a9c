"""The case discussion schema and its checks: a full discussion loads, each rule names its field.

Every invalid case changes one thing in a valid discussion, so the error must be that one field.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from typing import Any

import pytest

from plugin_host.api import PayloadInvalid, load_payload
from plugins.weekly_meeting.schemas import (
    MINUTES_TYPE,
    DiscussionSchema,
    check_discussion,
    check_ready_to_sign,
    dump_discussion,
)
from tests.payload_edits import DELETE, apply_edits

TODAY = date(2024, 10, 3)
KNOWN_TEAM = {"w-demo", "w-2", "w-absent"}
KNOWN_FAMILY = {"p-1001-01", "p-1001-02"}
CONSENT = {
    "scope": "whole_discussion",
    "recorded_at": "2024-10-03T09:00:00+03:00",
    "recorded_by": "w-demo",
}


def discussion() -> dict[str, Any]:
    """A valid discussion filling every part; the cases below break it one field at a time."""
    return {
        "participants": [
            {
                "participant_id": "t:w-demo",
                "kind": "team",
                "name": "Sanna Testinen",
                "role": "presenting_worker",
            },  # 0
            {
                "participant_id": "t:w-2",
                "kind": "team",
                "name": "Olli Ohjaaja",
                "role": "facilitator",
            },  # 1
            {
                "participant_id": "f:p-1001-01",
                "kind": "family",
                "name": "Liisa Esimerkki",
                "role": "parent",
                "consent": dict(CONSENT),
            },  # 2
            {
                "participant_id": "f:p-1001-02",
                "kind": "family",
                "name": "Eino Esimerkki",
                "role": "child",
                "consent": dict(CONSENT, scope="attend"),
            },  # 3
            {
                "participant_id": "n:1a2b3c4d",
                "kind": "network",
                "name": "Opettaja Olli",
                "role": "school",
                "consent": dict(CONSENT, withdrawn_at="2024-10-03T11:00:00+03:00"),
            },  # 4
        ],
        "question": "How can Eino get to school in the mornings?",
        "update": "Mornings are hard since the move.",
        "hypotheses": [
            {
                "hypothesis_id": "h1",
                "text": "The new flat is far from school.",
                "proposed_by": "t:w-2",
                "status": "open",
                "shared_with_family": True,
            },
            {
                "hypothesis_id": "h2",
                "text": "Eino worries about his mother.",
                "proposed_by": "t:w-demo",
                "status": "supported",
                "shared_with_family": False,
            },
        ],
        "reflections": [
            {
                "reflection_id": "r1",
                "by": "t:w-2",
                "text": "Much care in this family.",
                "shared_with_family": True,
            },
        ],
        "family_view": [{"by": "f:p-1001-01", "text": "We are doing our best."}],
        "child_view": {
            "text": "I like my teacher.",
            "how_obtained": "met_alone",
            "obtained_by": "t:w-demo",
            "child_agrees_to_share": True,
        },
        "worries": [{"text": "Late to school 3 days a week.", "raised_by": "n:1a2b3c4d"}],
        "resources": [{"text": "Grandmother lives near.", "raised_by": "f:p-1001-01"}],
        "risk_scalings": [{"score": 6, "scored_by": "f:p-1001-01", "why": "Better than May."}],
        "decisions": [{"decision_id": "d1", "text": "Try the school taxi for a month."}],
        "tasks": [
            {
                "task_id": "t1",
                "text": "Ask about the school taxi.",
                "owner": "t:w-demo",
                "due": "2024-10-10",
                "state": "open",
                "created_on": "2024-10-03",
                "carried_from": None,
            },
            {
                "task_id": "t0",
                "text": "Call grandmother.",
                "owner": "t:w-absent",
                "due": "2024-09-20",
                "state": "done",
                "created_on": "2024-09-12",
                "carried_from": "m-2024-09-12",
            },
        ],
        "outcome": {"kind": "intervention", "reason": ""},
        "next_review": "2024-11-07",
        "genogram_version": 3,
        "team_notes": "Check the housing application.",
    }


def edited(*edits: tuple[str, Any]) -> dict[str, Any]:
    """``discussion()`` with each dotted path set (``+`` appends to a list, DELETE removes)."""
    return apply_edits(discussion(), *edits)


def check(data: dict[str, Any], **context: Any) -> dict[str, Any]:
    kwargs = {
        "known_team": KNOWN_TEAM,
        "known_family": KNOWN_FAMILY,
        "today": TODAY,
        "existing_task_ids": {"t0"},
    }
    kwargs.update(context)
    return check_discussion(data, **kwargs)


def errors_of(data: dict[str, Any], **context: Any) -> dict[str, list[str]]:
    with pytest.raises(PayloadInvalid) as caught:
        check(data, **context)
    return caught.value.errors


def test_a_full_discussion_loads_with_dates():
    loaded = check(discussion())
    assert loaded["tasks"][0]["due"] == date(2024, 10, 10)
    assert isinstance(loaded["participants"][2]["consent"]["recorded_at"], datetime)
    assert loaded["genogram_version"] == 3


def test_every_part_is_optional_and_defaults_empty():
    assert check({}) == {
        "participants": [],
        "question": "",
        "update": "",
        "hypotheses": [],
        "reflections": [],
        "family_view": [],
        "child_view": None,
        "worries": [],
        "resources": [],
        "risk_scalings": [],
        "decisions": [],
        "tasks": [],
        "outcome": None,
        "next_review": None,
        "genogram_version": None,
        "team_notes": "",
    }


def test_the_parts_come_in_the_schemas_order():
    assert list(DiscussionSchema().load({})) == list(discussion())


def test_dump_is_json_safe_and_loads_back_the_same():
    loaded = check(discussion())
    dumped = dump_discussion(loaded)
    assert json.loads(json.dumps(dumped)) == dumped
    assert dumped["tasks"][0]["due"] == "2024-10-10"
    assert dump_discussion(dumped) == dumped
    assert load_payload(DiscussionSchema(), dumped) == loaded


def test_private_by_default():
    data = edited(("hypotheses.0", {"hypothesis_id": "h9", "text": "x", "proposed_by": "t:w-2"}))
    assert check(data)["hypotheses"][0]["shared_with_family"] is False


STRANGER = {
    "participant_id": "t:w-stranger",
    "kind": "team",
    "name": "Vieras",
    "role": "team_member",
}
NEW_TASK = {
    "task_id": "t2",
    "text": "Write to school.",
    "owner": "f:p-1001-01",
    "due": "2024-10-04",
    "created_on": "2024-10-03",
}

INVALID = [
    # structure
    ("unknown field", [("colour", "red")], "colour"),
    ("unknown nested field", [("tasks.0.priority", 1)], "tasks.0.priority"),
    ("participant kind", [("participants.0.kind", "boss")], "participants.0.kind"),
    ("participant role", [("participants.2.role", "mother")], "participants.2.role"),
    ("role of another kind", [("participants.2.role", "facilitator")], "participants.2.role"),
    (
        "id of another kind",
        [("participants.0.participant_id", "f:w-demo")],
        "participants.0.participant_id",
    ),
    (
        "network id not hex",
        [("participants.4.participant_id", "n:zzzzzzzz")],
        "participants.4.participant_id",
    ),
    ("blank name", [("participants.0.name", "  ")], "participants.0.name"),
    ("long name", [("participants.0.name", "x" * 101)], "participants.0.name"),
    ("long question", [("question", "x" * 2001)], "question"),
    ("long update", [("update", "x" * 4001)], "update"),
    ("long team notes", [("team_notes", "x" * 4001)], "team_notes"),
    ("empty hypothesis", [("hypotheses.0.text", "")], "hypotheses.0.text"),
    ("hypothesis status", [("hypotheses.0.status", "proven")], "hypotheses.0.status"),
    ("bad id", [("decisions.0.decision_id", "-d1")], "decisions.0.decision_id"),
    ("score too high", [("risk_scalings.0.score", 11)], "risk_scalings.0.score"),
    ("score as text", [("risk_scalings.0.score", "6")], "risk_scalings.0.score"),
    ("task state", [("tasks.0.state", "late")], "tasks.0.state"),
    ("task text too long", [("tasks.0.text", "x" * 501)], "tasks.0.text"),
    ("task without due", [("tasks.0.due", DELETE)], "tasks.0.due"),
    ("outcome kind", [("outcome.kind", "closed")], "outcome.kind"),
    ("genogram version 0", [("genogram_version", 0)], "genogram_version"),
    ("next review not a date", [("next_review", "soon")], "next_review"),
    (
        "too many participants",
        [("participants", [discussion()["participants"][0]] * 51)],
        "participants",
    ),
    # consent
    (
        "family member without consent",
        [("participants.2.consent", DELETE)],
        "participants.2.consent",
    ),
    (
        "network member with null consent",
        [("participants.4.consent", None)],
        "participants.4.consent",
    ),
    ("team member with consent", [("participants.0.consent", CONSENT)], "participants.0.consent"),
    ("consent scope", [("participants.2.consent.scope", "all")], "participants.2.consent.scope"),
    (
        "consent time without offset",
        [("participants.2.consent.recorded_at", "2024-10-03T09:00:00")],
        "participants.2.consent.recorded_at",
    ),
    (
        "withdrawn before recorded",
        [("participants.4.consent.withdrawn_at", "2024-10-02T09:00:00+03:00")],
        "participants.4.consent.withdrawn_at",
    ),
    # child's view
    ("child's view without text", [("child_view.text", "")], "child_view.text"),
    (
        "not obtained without reason",
        [("child_view.how_obtained", "not_obtained")],
        "child_view.reason_not_obtained",
    ),
    ("child's view method", [("child_view.how_obtained", "guessed")], "child_view.how_obtained"),
    # references within the discussion
    (
        "duplicate participant",
        [("participants.+", discussion()["participants"][1])],
        "participants.5.participant_id",
    ),
    (
        "duplicate hypothesis id",
        [("hypotheses.1.hypothesis_id", "h1")],
        "hypotheses.1.hypothesis_id",
    ),
    (
        "duplicate reflection id",
        [("reflections.+", discussion()["reflections"][0])],
        "reflections.1.reflection_id",
    ),
    (
        "duplicate decision id",
        [("decisions.+", {"decision_id": "d1", "text": "Again."})],
        "decisions.1.decision_id",
    ),
    ("duplicate task id", [("tasks.1.task_id", "t1")], "tasks.1.task_id"),
    ("hypothesis by nobody", [("hypotheses.0.proposed_by", "t:w-9")], "hypotheses.0.proposed_by"),
    ("reflection by nobody", [("reflections.0.by", "f:p-9")], "reflections.0.by"),
    ("worry by nobody", [("worries.0.raised_by", "n:00000000")], "worries.0.raised_by"),
    ("resource by nobody", [("resources.0.raised_by", "bob")], "resources.0.raised_by"),
    ("scaling by nobody", [("risk_scalings.0.scored_by", "t:w-9")], "risk_scalings.0.scored_by"),
    (
        "child's view obtained by nobody",
        [("child_view.obtained_by", "t:w-9")],
        "child_view.obtained_by",
    ),
    ("family's view by the team", [("family_view.0.by", "t:w-demo")], "family_view.0.by"),
    ("family's view by the network", [("family_view.0.by", "n:1a2b3c4d")], "family_view.0.by"),
    ("family's view by nobody", [("family_view.0.by", "f:p-9")], "family_view.0.by"),
    # the launch's context
    ("worker not in the team", [("participants.+", STRANGER)], "participants.5.participant_id"),
    (
        "person not in the family",
        [("participants.+", dict(discussion()["participants"][2], participant_id="f:p-9999-01"))],
        "participants.5.participant_id",
    ),
    ("task owner nobody", [("tasks.0.owner", "t:w-stranger")], "tasks.0.owner"),
    ("task owner a family member not present", [("tasks.0.owner", "f:p-9999-01")], "tasks.0.owner"),
    ("task owner missing", [("tasks.0.owner", DELETE)], "tasks.0.owner"),
    ("task owner null", [("tasks.0.owner", None)], "tasks.0.owner"),
    ("new task overdue", [("tasks.+", dict(NEW_TASK, due="2024-10-02"))], "tasks.2.due"),
]


@pytest.mark.parametrize(
    ("edits", "path"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_each_rule_names_its_field(edits, path):
    assert list(errors_of(edited(*edits))) == [path]


@pytest.mark.parametrize(
    ("edits", "path", "message"),
    [
        ([("participants.+", STRANGER)], "participants.5.participant_id", "Unknown participant."),
        (
            [("hypotheses.0.proposed_by", "t:w-9")],
            "hypotheses.0.proposed_by",
            "Unknown participant.",
        ),
        ([("tasks.0.owner", "t:w-stranger")], "tasks.0.owner", "Unknown participant."),
        ([("tasks.0.owner", DELETE)], "tasks.0.owner", "A task needs an owner."),
        (
            [("participants.2.consent", DELETE)],
            "participants.2.consent",
            "Consent to attend must be recorded.",
        ),
        (
            [("tasks.+", dict(NEW_TASK, due="2024-10-02"))],
            "tasks.2.due",
            "The due date cannot be in the past.",
        ),
        ([("tasks.1.task_id", "t1")], "tasks.1.task_id", "This id is already used."),
    ],
)
def test_the_messages(edits, path, message):
    assert errors_of(edited(*edits)) == {path: [message]}


def test_a_task_can_belong_to_a_team_member_not_in_the_meeting():
    assert check(edited(("tasks.0.owner", "t:w-absent")))["tasks"][0]["owner"] == "t:w-absent"


def test_a_carried_over_task_may_be_overdue():
    check(edited(("tasks.0.due", "2024-09-01")), existing_task_ids={"t0", "t1"})


def test_a_new_task_may_be_due_today():
    check(edited(("tasks.+", dict(NEW_TASK, due="2024-10-03"))))


def test_withdrawn_consent_keeps_the_participant_referable():
    data = edited(
        ("family_view.0.by", "f:p-1001-01"),
        ("participants.2.consent.withdrawn_at", "2024-10-03T10:00:00+03:00"),
    )
    assert check(data)["family_view"][0]["by"] == "f:p-1001-01"


def test_network_members_need_not_be_known_to_the_record():
    data = edited(
        ("participants.4.participant_id", "n:99999999"), ("worries.0.raised_by", "n:99999999")
    )
    check(data)


def test_context_errors_are_reported_together():
    data = edited(
        ("participants.1.participant_id", "t:w-stranger"),
        ("hypotheses.0.proposed_by", "t:w-stranger"),
        ("reflections.0.by", "t:w-stranger"),
        ("tasks.0.owner", "t:w-9"),
        ("tasks.+", dict(NEW_TASK, due="2020-01-01")),
    )
    assert set(errors_of(data)) == {"participants.1.participant_id", "tasks.0.owner", "tasks.2.due"}


def test_ready_to_sign():
    check_ready_to_sign(discussion())
    check_ready_to_sign(check(discussion()))
    check_ready_to_sign(edited(("outcome", {"kind": "escalated", "reason": "Police notified."})))


@pytest.mark.parametrize(
    ("outcome", "path"),
    [
        (None, "outcome"),
        (DELETE, "outcome"),
        ({"kind": "postponed", "reason": ""}, "outcome.reason"),
        ({"kind": "escalated", "reason": "  "}, "outcome.reason"),
        ({"kind": "escalated"}, "outcome.reason"),
    ],
)
def test_not_ready_to_sign(outcome, path):
    with pytest.raises(PayloadInvalid) as caught:
        check_ready_to_sign(edited(("outcome", outcome)))
    assert list(caught.value.errors) == [path]
    if path == "outcome":
        assert caught.value.errors[path] == [
            "A discussion cannot close without an outcome: a decision, an intervention, an "
            "understanding, or a postponement or escalation with its reason."
        ]


def test_a_draft_may_be_postponed_without_a_reason_yet():
    check(edited(("outcome", {"kind": "postponed"})))


def test_the_minutes_type_is_a_valid_document_type():
    from plugin_host.document_types import DocumentTypeSchema
    from plugin_host.scopes import SCOPE_PATTERN, document_scope

    assert "type" not in DocumentTypeSchema().validate({"type": MINUTES_TYPE})
    assert SCOPE_PATTERN.match(document_scope("write", MINUTES_TYPE))


def test_loading_is_safe_to_repeat():
    first = check(discussion())
    assert check(copy.deepcopy(first)) == first
