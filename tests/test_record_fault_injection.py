"""The reference record system's fault injection over HTTP: fixed settings, a schedule of
phases and the counts, each fault observed through the real SOAP adapter.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest
import requests

from adapters.soap import SoapRecordSystem
from plugin_host.records import (
    DocumentDraft,
    DocumentRef,
    RecordProtocolError,
    RecordSystemError,
    RecordTimeout,
    RecordUnavailable,
)
from tests.fixtures.record_system import DEMO_CONTEXT

DEFAULTS = {
    "latency_ms": 0,
    "http_503": False,
    "timeout_after_commit_ms": 0,
    "reply": None,
    "soap_fault": None,
}


def test_faults_are_off_by_default(record_system):
    assert requests.get(f"{record_system.url}/-/faults", timeout=5).json() == DEFAULTS


def test_a_put_replaces_the_whole_set(record_system):
    record_system.set_faults(latency_ms=10, soap_fault="NotFound")
    assert record_system.set_faults(http_503=True) == {**DEFAULTS, "http_503": True}
    assert requests.get(f"{record_system.url}/-/faults", timeout=5).json()["http_503"] is True


def test_delete_resets(record_system):
    record_system.set_faults(reply="malformed")
    record_system.reset_faults()
    assert requests.get(f"{record_system.url}/-/faults", timeout=5).json() == DEFAULTS


def test_invalid_settings_name_the_field_and_change_nothing(record_system):
    record_system.set_faults(latency_ms=5)
    response = requests.put(
        f"{record_system.url}/-/faults",
        json={
            "latency_ms": -1,
            "http_503": "yes",
            "reply": "nasty",
            "soap_fault": "Boom",
            "surprise": 1,
        },
        timeout=5,
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "latency_ms",
        "http_503",
        "reply",
        "soap_fault",
        "surprise",
    }
    assert requests.get(f"{record_system.url}/-/faults", timeout=5).json()["latency_ms"] == 5


def test_a_body_that_is_not_a_json_object_is_refused(record_system):
    response = requests.put(f"{record_system.url}/-/faults", data="[1, 2]", timeout=5)
    assert response.status_code == 400


# --- the schedule -----------------------------------------------------------------------------

ALWAYS = 600.0  # a phase longer than any test, so that only what the test does decides
NO_STATS = {"requests_seen": 0, "faults_injected": {}, "latency_added_ms": 0, "writes_committed": 0}


def draft(title: str) -> DocumentDraft:
    return DocumentDraft(
        client_id="c-1001", document_type="genogram", title=title, content='{"people": []}'
    )


def save(adapter: SoapRecordSystem) -> DocumentRef:
    return adapter.save_document(
        DEMO_CONTEXT, draft(f"Aikataulu {uuid.uuid4().hex[:8]}"), None, f"t-{uuid.uuid4().hex}"
    )


def phase(faults: dict, start_s: float = 0.0, duration_s: float = ALWAYS) -> dict:
    return {"start_s": start_s, "duration_s": duration_s, "faults": faults}


def outcome(adapter: SoapRecordSystem) -> type[RecordSystemError] | None:
    """The typed error of one read, or None when it was answered."""
    try:
        adapter.get_client(DEMO_CONTEXT, "c-1001")
    except RecordSystemError as exc:
        return type(exc)
    return None


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll until ``condition`` holds; the limit only keeps a broken server from hanging us."""
    deadline = time.monotonic() + 10
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {what}")
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("faults", "error", "kind", "committed"),
    [
        ({"http_503": True}, RecordUnavailable, "http_503", 0),
        # The request went out and no reply came: to the client the outcome is unknown.
        ({"drop_connection": True}, RecordTimeout, "drop_connection", 0),
        ({"soap_fault": "Unavailable"}, RecordUnavailable, "soap_fault:Unavailable", 0),
        # The write commits; only its reply is replaced.
        ({"reply": "malformed"}, RecordProtocolError, "reply:malformed", 1),
        ({"reply": "xxe"}, RecordProtocolError, "reply:xxe", 1),
        ({"reply": "billion_laughs"}, RecordProtocolError, "reply:billion_laughs", 1),
        ({"reply": "unexpected"}, RecordProtocolError, "reply:unexpected", 1),
    ],
)
def test_each_fault_in_a_phase_reaches_the_adapter_as_its_typed_error(
    record_system, soap_record_system, faults, error, kind, committed
):
    record_system.set_schedule([phase(faults)])
    with pytest.raises(RecordSystemError) as failed:
        save(soap_record_system)
    assert type(failed.value) is error
    assert record_system.fault_stats() == {
        **NO_STATS,
        "requests_seen": 1,
        "faults_injected": {kind: 1},
        "writes_committed": committed,
    }


def test_a_timeout_after_commit_times_out_and_the_write_is_committed(record_system):
    record_system.set_schedule([phase({"timeout_after_commit_ms": 5_000})])
    adapter = record_system.soap_adapter(timeout_seconds=0.5)
    title = f"Ehti {uuid.uuid4().hex[:8]}"
    with pytest.raises(RecordTimeout):
        adapter.save_document(DEMO_CONTEXT, draft(title), None, f"t-{uuid.uuid4().hex}")
    wait_for(lambda: record_system.fault_stats()["writes_committed"] == 1, "the write committed")
    assert record_system.fault_stats()["faults_injected"] == {"timeout_after_commit": 1}
    # Reads are not delayed, so the write can be read back while the phase lasts.
    assert title in [ref.title for ref in adapter.list_documents(DEMO_CONTEXT, "c-1001")]


def test_every_kth_call_answers_503(record_system, soap_record_system):
    record_system.set_schedule([phase({"http_503_every": 3})])
    outcomes = [outcome(soap_record_system) for _ in range(9)]
    assert [n for n, seen in enumerate(outcomes, 1) if seen] == [3, 6, 9]
    assert {seen for seen in outcomes if seen} == {RecordUnavailable}
    assert record_system.fault_stats()["faults_injected"] == {"http_503": 3}


def test_the_kth_call_counts_from_when_the_schedule_was_set(record_system, soap_record_system):
    record_system.set_schedule([phase({"http_503_every": 2})])
    assert outcome(soap_record_system) is None
    record_system.set_schedule([phase({"http_503_every": 2})])
    assert [outcome(soap_record_system) for _ in range(2)] == [None, RecordUnavailable]


def test_the_first_call_starts_the_clock_and_an_ended_phase_leaves_the_system_healthy(
    record_system, soap_record_system
):
    record_system.set_schedule([phase({"http_503": True}, duration_s=0.3)])
    # However long after the PUT, the first call is at offset 0, inside the phase.
    assert outcome(soap_record_system) is RecordUnavailable
    wait_for(lambda: outcome(soap_record_system) is None, "the phase end")
    assert [outcome(soap_record_system) for _ in range(5)] == [None] * 5
    assert save(soap_record_system).version == 1


def test_a_later_phase_waits_for_its_offset(record_system, soap_record_system):
    record_system.set_schedule([phase({"reply": "unexpected"}, start_s=0.3)])
    assert outcome(soap_record_system) is None
    wait_for(lambda: outcome(soap_record_system) is RecordProtocolError, "the phase start")


def test_a_phase_replaces_the_fixed_settings_while_it_lasts(record_system, soap_record_system):
    record_system.set_faults(reply="malformed")
    record_system.set_schedule([phase({"http_503": True}, duration_s=0.3)])
    assert outcome(soap_record_system) is RecordUnavailable
    wait_for(lambda: outcome(soap_record_system) is not RecordUnavailable, "the phase end")
    assert outcome(soap_record_system) is RecordProtocolError


def latency_added(record_system, adapter: SoapRecordSystem, seed: int, faults: dict) -> int:
    record_system.set_schedule([phase(faults)], seed=seed)
    for _ in range(5):
        assert outcome(adapter) is None
    stats = record_system.fault_stats()
    assert stats["faults_injected"] == {"latency": 5}
    return stats["latency_added_ms"]


def test_random_latency_is_drawn_from_its_range_and_repeats_with_its_seed(
    record_system, soap_record_system
):
    ranged = {"latency_ms": 1, "latency_max_ms": 30}
    first = latency_added(record_system, soap_record_system, 7, ranged)
    assert 5 * 1 <= first <= 5 * 30
    assert latency_added(record_system, soap_record_system, 7, ranged) == first
    assert latency_added(record_system, soap_record_system, 8, ranged) != first
    assert latency_added(record_system, soap_record_system, 7, {"latency_ms": 4}) == 5 * 4


def test_a_schedule_is_shown_with_its_defaults(record_system):
    shown = record_system.set_schedule([phase({"drop_connection": True}, 1, 2)], seed=3)
    assert shown == {
        "seed": 3,
        "phases": [
            {
                "start_s": 1.0,
                "duration_s": 2.0,
                "faults": {
                    **DEFAULTS,
                    "drop_connection": True,
                    "http_503_every": None,
                    "latency_max_ms": None,
                },
            }
        ],
    }
    assert requests.get(f"{record_system.url}/-/faults/schedule", timeout=5).json() == shown


def test_delete_clears_the_schedule_and_the_counts(record_system, soap_record_system):
    record_system.set_schedule([phase({"http_503": True})])
    assert outcome(soap_record_system) is RecordUnavailable
    record_system.reset_faults()
    assert record_system.fault_stats() == NO_STATS
    assert outcome(soap_record_system) is None
    schedule = requests.get(f"{record_system.url}/-/faults/schedule", timeout=5).json()
    assert schedule == {"phases": [], "seed": 0}


def test_fixed_settings_are_counted_too(record_system, soap_record_system):
    record_system.set_faults(soap_fault="Unavailable")
    assert outcome(soap_record_system) is RecordUnavailable
    assert record_system.fault_stats()["faults_injected"] == {"soap_fault:Unavailable": 1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, ["phases"]),
        ({"phases": [], "seed": "x"}, ["seed"]),
        ({"phases": [phase({}, start_s=-1)]}, ["phases", "0", "start_s"]),
        ({"phases": [phase({}, duration_s=0)]}, ["phases", "0", "duration_s"]),
        ({"phases": [{"start_s": 0, "duration_s": 1}]}, ["phases", "0", "faults"]),
        ({"phases": [{**phase({}), "surprise": 1}]}, ["phases", "0", "surprise"]),
        ({"phases": [phase({"http_503_every": 0})]}, ["phases", "0", "faults", "http_503_every"]),
        ({"phases": [phase({"reply": "nasty"})]}, ["phases", "0", "faults", "reply"]),
        (
            {"phases": [phase({"drop_connection": "yes"})]},
            ["phases", "0", "faults", "drop_connection"],
        ),
        (
            {"phases": [phase({"latency_ms": 20, "latency_max_ms": 10})]},
            ["phases", "0", "faults", "latency_max_ms"],
        ),
        (
            {"phases": [phase({}, 0, 1), phase({}, 0.5, 1)]},
            ["phases", "1", "start_s"],
        ),
    ],
)
def test_an_invalid_schedule_names_the_field_and_changes_nothing(record_system, body, field):
    in_force = record_system.set_schedule([phase({"http_503": True})])
    response = requests.put(f"{record_system.url}/-/faults/schedule", json=body, timeout=5)
    assert response.status_code == 400
    errors = response.json()["errors"]
    for name in field:
        errors = errors[name]
    assert errors and all(isinstance(message, str) for message in errors)
    assert requests.get(f"{record_system.url}/-/faults/schedule", timeout=5).json() == in_force


def test_a_schedule_that_is_not_a_json_object_is_refused(record_system):
    response = requests.put(f"{record_system.url}/-/faults/schedule", data="[1]", timeout=5)
    assert response.status_code == 400
    assert response.json()["errors"] == {"_schema": ["a JSON object is required"]}
