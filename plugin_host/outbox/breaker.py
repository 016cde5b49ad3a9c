"""A circuit breaker around the record system whose lock guards only its counters.

pybreaker holds its lock for the whole guarded call, so concurrent deliveries would queue behind
one SOAP call; this one lets calls run side by side and only counts their outcomes.
"""

from __future__ import annotations

import threading
import time

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"


class BreakerOpen(Exception):
    """The record system failed too often lately: do not call it now."""


class CircuitBreaker:
    def __init__(self, fail_max: int, reset_seconds: float) -> None:
        self.fail_max = fail_max
        self.reset_seconds = reset_seconds
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def current_state(self) -> str:
        with self._lock:
            return self._state(time.monotonic())

    def _state(self, now: float) -> str:
        if self._opened_at is None:
            return CLOSED
        return HALF_OPEN if now - self._opened_at >= self.reset_seconds else OPEN

    def before_call(self) -> None:
        """Raise BreakerOpen unless a call may go out now (one trial call when half-open)."""
        with self._lock:
            state = self._state(time.monotonic())
            if state == OPEN or (state == HALF_OPEN and self._trial_running):
                raise BreakerOpen
            if state == HALF_OPEN:
                self._trial_running = True

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_running = False

    def failed(self) -> None:
        """An unavailable record system: count it; the fail_max-th in a row opens the circuit."""
        with self._lock:
            self._failures += 1
            if self._trial_running or self._failures >= self.fail_max:
                self._opened_at = time.monotonic()
            self._trial_running = False
