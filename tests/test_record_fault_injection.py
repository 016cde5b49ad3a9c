"""The reference record system's fault-injection settings over HTTP."""

from __future__ import annotations

import requests

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
