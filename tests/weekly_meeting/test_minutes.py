"""The minutes document: one family's signed discussion, valid by its own schema, JSON-safe."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from plugin_host.api import PayloadInvalid, format_datetime, load_payload
from plugins.weekly_meeting.minutes import build_minutes, minutes_text, minutes_title
from plugins.weekly_meeting.schemas import MinutesSchema, check_discussion, dump_discussion
from tests.weekly_meeting.test_schemas import TODAY, discussion, edited

SIGNED_AT = datetime(2024, 10, 3, 12, 30, tzinfo=UTC)
MEETING = {
    "meeting_id": "m-2024-10-03",
    "team_id": "team-east",
    "date": date(2024, 10, 3),
    # The meeting as the lead's storage holds it: other families' business too.
    "families": [{"clients": ["c-2002"], "discussion": {"team_notes": "OTHER-FAMILY-notes"}}],
    "agenda": "OTHER-FAMILY-agenda",
}


def minutes(data: dict | None = None, **kwargs) -> dict:
    arguments = {
        "meeting": MEETING,
        "family_clients": ["c-1001", "c-1002"],
        "signed_by": {"worker_id": "w-demo", "name": "Sanna Testinen", "role": "ignored"},
        "signed_at": SIGNED_AT,
        "correction": None,
    }
    arguments.update(kwargs)
    return build_minutes(discussion() if data is None else data, **arguments)


def test_the_shape():
    content = minutes()
    assert content == {
        "schema_version": 1,
        "meeting": {"meeting_id": "m-2024-10-03", "team_id": "team-east", "date": "2024-10-03"},
        "family_clients": ["c-1001", "c-1002"],
        "discussion": dump_discussion(discussion()),
        "signed": {
            "worker_id": "w-demo",
            "name": "Sanna Testinen",
            "at": "2024-10-03T12:30:00+00:00",
        },
        "correction": None,
    }


def test_round_trip_through_the_schema():
    content = minutes()
    assert json.loads(json.dumps(content)) == content
    schema = MinutesSchema()
    assert schema.dump(load_payload(schema, content)) == content


def test_the_record_keeps_the_whole_discussion():
    text = json.dumps(minutes())
    for internal in (
        "Check the housing application.",
        "Eino worries about his mother.",
        "t:w-demo",
        "recorded_by",
        "genogram_version",
    ):
        assert internal in text


def test_only_the_given_familys_discussion():
    text = json.dumps(minutes())
    assert "OTHER-FAMILY" not in text
    assert "c-2002" not in text


def test_accepts_the_loaded_discussion():
    loaded = check_discussion(
        discussion(),
        known_team={"w-demo", "w-2", "w-absent"},
        known_family={"p-1001-01", "p-1001-02"},
        today=TODAY,
        existing_task_ids={"t0"},
    )
    assert minutes(loaded) == minutes()


def test_a_correction_is_recorded():
    content = minutes(correction={"of_version": 2, "reason": "Wrong due date."})
    assert content["correction"] == {"of_version": 2, "reason": "Wrong due date."}


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"correction": {"of_version": 0, "reason": "x"}}, "correction.of_version"),
        ({"correction": {"of_version": 2, "reason": ""}}, "correction.reason"),
        ({"family_clients": []}, "family_clients"),
        ({"signed_at": datetime(2024, 10, 3, 12, 30)}, "signed.at"),
        ({"signed_by": {"worker_id": "w-demo"}}, "signed.name"),
        ({"meeting": {"meeting_id": "m1", "team_id": "t"}}, "meeting.date"),
    ],
)
def test_invalid_minutes_name_the_field(kwargs, path):
    with pytest.raises(PayloadInvalid) as caught:
        minutes(**kwargs)
    assert list(caught.value.errors) == [path]


@pytest.mark.parametrize(
    ("outcome", "path"),
    [(None, "discussion.outcome"), ({"kind": "postponed"}, "discussion.outcome.reason")],
)
def test_no_minutes_without_an_outcome(outcome, path):
    with pytest.raises(PayloadInvalid) as caught:
        minutes(edited(("outcome", outcome)))
    assert list(caught.value.errors) == [path]


def test_the_schema_refuses_an_unsignable_record():
    content = minutes()
    content["discussion"]["outcome"] = None
    with pytest.raises(PayloadInvalid) as caught:
        load_payload(MinutesSchema(), content)
    assert list(caught.value.errors) == ["discussion.outcome"]


def test_title(request_context):
    assert minutes_title(date(2024, 10, 3)) == "Weekly meeting Oct 3, 2024"


def test_text_sections_in_the_discussions_order(request_context):
    sections = dict(minutes_text(minutes()))
    assert list(sections) == [
        "Meeting",
        "Present",
        "Question",
        "Update",
        "Hypotheses",
        "Reflections",
        "The family's view",
        "The child's view",
        "Worries",
        "Resources",
        "Scaling",
        "Decisions",
        "Tasks",
        "Outcome",
        "Next review",
        "Genogram",
        "Team notes",
        "Signed",
    ]
    assert sections["Present"][0] == "Sanna Testinen, presenting worker"
    assert sections["Present"][2].startswith(
        "Liisa Esimerkki, parent; consents to the whole discussion (recorded Oct 3, 2024"
    )
    assert "consent withdrawn" in sections["Present"][4]
    assert sections["Hypotheses"][1] == (
        "Eino worries about his mother. (supported; proposed by Sanna Testinen; "
        "not shared with the family)"
    )
    assert sections["Tasks"][1] == "Call grandmother. (t:w-absent, due Sep 20, 2024, done)"
    assert sections["Team notes"] == ["Check the housing application."]
    assert sections["Signed"] == [f"Sanna Testinen (w-demo), {format_datetime(SIGNED_AT)}"]


def test_text_leaves_out_empty_parts_and_shows_a_correction(request_context):
    content = minutes(
        {"outcome": {"kind": "postponed", "reason": "Father could not come."}},
        correction={"of_version": 1, "reason": "Wrong date."},
    )
    assert minutes_text(content) == [
        ("Meeting", ["Date: Oct 3, 2024"]),
        ("Outcome", ["postponed", "Father could not come."]),
        ("Signed", [f"Sanna Testinen (w-demo), {format_datetime(SIGNED_AT)}"]),
        ("Correction", ["Corrects version 1: Wrong date."]),
    ]
