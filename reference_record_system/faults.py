"""Fault injection: make the reference record system slow, down, or hostile on purpose.

Two ways to ask, over HTTP (what can be asked is in ``fault_plan.py``):

- fixed settings, ``GET/PUT/DELETE /-/faults``: in force until changed; a PUT replaces the whole
  set, omitted fields taking their harmless defaults.
- a schedule, ``GET/PUT /-/faults/schedule``: phases, each with a start offset, a duration and
  its faults. The clock starts at the first SOAP request after the PUT, not at the PUT, so that
  a phase at offset 0 meets the very first call whatever the caller did in between, and the
  phases line up with the traffic they disturb. While a phase lasts its faults replace the fixed
  settings; before, between and after phases the fixed settings (off unless set) apply.

``GET /-/faults/stats`` tells what happened since the last schedule PUT or ``DELETE /-/faults``
(which resets the settings, the schedule and the counts). The SOAP service asks
:meth:`FaultInjector.for_request` once per request and applies the plain settings it gets.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState
from marshmallow import Schema, ValidationError

from reference_record_system.fault_plan import (
    HOSTILE_REPLIES,
    FaultSettings,
    FaultSettingsSchema,
    PhaseFaults,
    Schedule,
    ScheduleSchema,
)
from reference_record_system.store import EXTENSION as STORE_EXTENSION
from reference_record_system.store import RecordStore

# The SOAP service imports the settings and the hostile replies from here.
__all__ = ["HOSTILE_REPLIES", "FaultInjector", "FaultSettings", "bp", "injector"]

_EXTENSION = "fault_injector"


@dataclass(frozen=True)
class _Verdict:
    """What one request is to meet."""

    settings: FaultSettings
    drop_connection: bool = False


def _resolve(faults: PhaseFaults, request_number: int, rng: random.Random) -> _Verdict:
    """Only the faults the request will really meet, in the order the SOAP service applies them:
    latency; a 503 (nothing else happens); a typed fault (no operation runs, so nothing commits
    and there is no reply to replace); the delay after a commit and the replaced reply."""
    if faults.drop_connection:
        return _Verdict(FaultSettings(http_503=True), drop_connection=True)
    latency = faults.latency_ms
    if faults.latency_max_ms is not None:
        latency = rng.randint(faults.latency_ms, faults.latency_max_ms)
    every = faults.http_503_every
    if faults.http_503 or (every is not None and request_number % every == 0):
        return _Verdict(FaultSettings(latency_ms=latency, http_503=True))
    if faults.soap_fault:
        return _Verdict(FaultSettings(latency_ms=latency, soap_fault=faults.soap_fault))
    return _Verdict(
        FaultSettings(
            latency_ms=latency,
            timeout_after_commit_ms=faults.timeout_after_commit_ms,
            reply=faults.reply,
        )
    )


def _kinds(verdict: _Verdict) -> Iterator[str]:
    settings = verdict.settings
    if settings.latency_ms:
        yield "latency"
    if verdict.drop_connection:
        yield "drop_connection"
    elif settings.http_503:
        yield "http_503"
    if settings.soap_fault:
        yield f"soap_fault:{settings.soap_fault}"
    if settings.reply:
        yield f"reply:{settings.reply}"
    if settings.timeout_after_commit_ms:
        # Counted for every request it was handed to; only writes are delayed.
        yield "timeout_after_commit"


class _ScheduleRun:
    """One schedule in force and what it did: its clock, request counter, random draws, counts."""

    def __init__(self, schedule: Schedule, committed_versions: int) -> None:
        self.schedule = schedule
        self._committed_at_start = committed_versions
        self._rng = random.Random(schedule.seed)  # noqa: S311 -- repeatable latency, not secrets
        self._started: float | None = None
        self._requests = 0
        self._injected: Counter[str] = Counter()
        self._latency_added_ms = 0

    def next_request(self, now: float, fixed: FaultSettings) -> _Verdict:
        self._requests += 1
        if self._started is None:
            self._started = now
        phase = self.schedule.phase_at(now - self._started)
        faults = phase.faults if phase else PhaseFaults(**asdict(fixed))
        verdict = _resolve(faults, self._requests, self._rng)
        self._injected.update(_kinds(verdict))
        self._latency_added_ms += verdict.settings.latency_ms
        return verdict

    def stats(self, committed_versions: int) -> dict:
        return {
            "requests_seen": self._requests,
            "faults_injected": dict(sorted(self._injected.items())),
            "latency_added_ms": self._latency_added_ms,
            "writes_committed": committed_versions - self._committed_at_start,
        }


class FaultInjector:
    """The faults in force; shared by the server's request threads.

    ``committed_versions`` counts the document versions in the record. Writes are counted there
    rather than in the SOAP service so that a write whose reply was delayed or replaced still
    counts, and a redelivery answered from its idempotency key does not.
    """

    def __init__(self, committed_versions: Callable[[], int]) -> None:
        self._committed_versions = committed_versions
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._run = _ScheduleRun(Schedule(), committed_versions())

    @property
    def settings(self) -> FaultSettings:
        with self._lock:
            return self._settings

    def configure(self, settings: FaultSettings) -> None:
        with self._lock:
            self._settings = settings

    @property
    def schedule(self) -> Schedule:
        with self._lock:
            return self._run.schedule

    def set_schedule(self, schedule: Schedule) -> None:
        """Start ``schedule`` afresh: its clock, request counter, random draws and counts."""
        run = _ScheduleRun(schedule, self._committed_versions())  # reads the store: not locked
        with self._lock:
            self._run = run

    def stats(self) -> dict:
        committed = self._committed_versions()
        with self._lock:
            return self._run.stats(committed)

    def for_request(self) -> FaultSettings:
        """The faults this request gets; a dropped connection is already dropped on return."""
        with self._lock:
            verdict = self._run.next_request(time.monotonic(), self._settings)
        if verdict.drop_connection:
            _drop_connection()
        return verdict.settings


def _drop_connection() -> None:
    """Cut the client off without a reply, as a crashed server or a broken network would.

    werkzeug's server puts the socket in the environ; once it is shut down, sending the SOAP
    service's 503 fails and werkzeug takes that for a client that went away. Without that
    socket (Flask's test client) the 503 stands.
    """
    connection = request.environ.get("werkzeug.socket")
    if connection is not None:
        connection.shutdown(socket.SHUT_RDWR)


def _committed_versions(store: RecordStore) -> int:
    # A document's versions run 1..latest, so the latest versions add up to the count.
    return sum(
        ref["version"]
        for client in store.list_clients()
        for ref in store.list_documents(client["client_id"])
    )


def injector() -> FaultInjector:
    return current_app.extensions[_EXTENSION]


bp = Blueprint("faults", __name__)


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    store = state.app.extensions[STORE_EXTENSION]
    state.app.extensions[_EXTENSION] = FaultInjector(partial(_committed_versions, store))


@bp.errorhandler(ValidationError)
def _refuse(exc: ValidationError) -> tuple[Response, int]:
    return jsonify(errors=exc.messages), 400


def _load(schema: Schema) -> Any:  # what the schema's post_load makes
    payload = request.get_json(force=True, silent=True)
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": ["a JSON object is required"]})
    return schema.load(payload)


@bp.get("/-/faults")
def show_faults() -> Response:
    return jsonify(asdict(injector().settings))


@bp.put("/-/faults")
def set_faults() -> Response:
    settings = _load(FaultSettingsSchema())
    injector().configure(settings)
    return jsonify(asdict(settings))


@bp.delete("/-/faults")
def reset_faults() -> Response:
    injector().configure(FaultSettings())
    injector().set_schedule(Schedule())
    return jsonify(asdict(FaultSettings()))


@bp.get("/-/faults/schedule")
def show_schedule() -> Response:
    return jsonify(asdict(injector().schedule))


@bp.put("/-/faults/schedule")
def set_schedule() -> Response:
    schedule = _load(ScheduleSchema())
    injector().set_schedule(schedule)
    return jsonify(asdict(schedule))


@bp.get("/-/faults/stats")
def show_stats() -> Response:
    return jsonify(injector().stats())
