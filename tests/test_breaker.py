"""The circuit breaker: opens after failures in a row, lets one trial through when half-open."""

from __future__ import annotations

import threading

import pytest

from plugin_host.outbox.breaker import BreakerOpen, CircuitBreaker


def test_opens_after_fail_max_and_half_opens_for_one_trial(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("plugin_host.outbox.breaker.time.monotonic", lambda: clock[0])
    breaker = CircuitBreaker(fail_max=2, reset_seconds=5)
    for _ in range(2):
        breaker.before_call()
        breaker.failed()
    assert breaker.current_state == "open"
    with pytest.raises(BreakerOpen):
        breaker.before_call()
    clock[0] += 5
    assert breaker.current_state == "half-open"
    breaker.before_call()  # the trial
    with pytest.raises(BreakerOpen):
        breaker.before_call()  # only one at a time
    breaker.failed()
    assert breaker.current_state == "open"  # a failed trial opens it again at once
    clock[0] += 5
    breaker.before_call()
    breaker.succeeded()
    assert breaker.current_state == "closed"


def test_calls_run_side_by_side():
    breaker = CircuitBreaker(fail_max=5, reset_seconds=5)
    inside = threading.Barrier(3, timeout=5)

    def call() -> None:
        breaker.before_call()
        inside.wait()  # all three are in flight at once, or this times out
        breaker.succeeded()

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not inside.broken
