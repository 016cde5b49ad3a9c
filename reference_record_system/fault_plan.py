"""What fault injection can be told to do: fixed settings, or a schedule of phases.

Plain frozen dataclasses, and the marshmallow schemas that build them from JSON, refusing
anything else with the field named (``phases.1.faults.reply``). ``faults.py`` does the injecting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from reference_record_system.soap_envelope import INJECTABLE_FAULTS, SOAP_ENV, TNS

_MAX_DELAY_MS = 60_000


@dataclass(frozen=True)
class FaultSettings:
    latency_ms: int = 0  # sleep before handling any SOAP request
    http_503: bool = False  # answer 503 without touching the request
    timeout_after_commit_ms: int = 0  # sleep after a write commits, before replying
    reply: str | None = None  # replace the reply body with a hostile one (see HOSTILE_REPLIES)
    soap_fault: str | None = None  # answer with this typed fault instead of handling


@dataclass(frozen=True)
class PhaseFaults(FaultSettings):
    """The faults of one phase: the fixed settings, and those that need a schedule's state."""

    drop_connection: bool = False  # close the connection at once: no reply, request not handled
    http_503_every: int | None = None  # the schedule's requests k, 2k, 3k, ... get HTTP 503
    latency_max_ms: int | None = None  # latency drawn from [latency_ms, latency_max_ms], seeded


@dataclass(frozen=True)
class Phase:
    start_s: float  # offset from the schedule's first request
    duration_s: float
    faults: PhaseFaults

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


@dataclass(frozen=True)
class Schedule:
    phases: tuple[Phase, ...] = ()  # in time order, never overlapping
    seed: int = 0  # of the random latency, so that a run can be repeated

    def phase_at(self, elapsed_s: float) -> Phase | None:
        return next((p for p in self.phases if p.start_s <= elapsed_s < p.end_s), None)


def _hostile_replies() -> dict[str, bytes]:
    envelope_open = (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:rs="{TNS}"><soap:Body>'
        "<rs:GetClientResponse><rs:Client><rs:ClientId>c-1001</rs:ClientId><rs:FirstNames>"
    )
    envelope_close = (
        "</rs:FirstNames><rs:LastName>Testinen</rs:LastName></rs:Client>"
        "</rs:GetClientResponse></soap:Body></soap:Envelope>"
    )
    laughs = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return {
        "malformed": (envelope_open + "Aino</rs:FirstN").encode(),
        "xxe": (
            '<?xml version="1.0"?><!DOCTYPE soap:Envelope '
            '[<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + envelope_open
            + "&xxe;"
            + envelope_close
        ).encode(),
        "billion_laughs": (
            f'<?xml version="1.0"?><!DOCTYPE soap:Envelope [<!ENTITY lol0 "lol">{laughs}]>'
            + envelope_open
            + "&lol9;"
            + envelope_close
        ).encode(),
        # Well-formed and harmless, but not what the contract says the reply is.
        "unexpected": (
            f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:rs="{TNS}"><soap:Body>'
            "<rs:SomethingElse/></soap:Body></soap:Envelope>"
        ).encode(),
    }


HOSTILE_REPLIES = _hostile_replies()


def _delay_ms(**options: Any) -> fields.Integer:
    options.setdefault("load_default", 0)
    return fields.Integer(strict=True, validate=validate.Range(0, _MAX_DELAY_MS), **options)


def _switch() -> fields.Boolean:
    # No "yes", "on" or "1": a string here is more likely a slip than a wish.
    return fields.Boolean(load_default=False, truthy={True}, falsy={False})


def _one_of(names: Iterable[str]) -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=validate.OneOf(sorted(names)))


class FaultSettingsSchema(Schema):
    made: ClassVar[type[FaultSettings]] = FaultSettings

    latency_ms = _delay_ms()
    http_503 = _switch()
    timeout_after_commit_ms = _delay_ms()
    reply = _one_of(HOSTILE_REPLIES)
    soap_fault = _one_of(INJECTABLE_FAULTS)

    @post_load
    def _make(self, data: dict[str, Any], **_kwargs: object) -> FaultSettings:
        return self.made(**data)


class PhaseFaultsSchema(FaultSettingsSchema):
    made = PhaseFaults

    drop_connection = _switch()
    http_503_every = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1)
    )
    latency_max_ms = _delay_ms(load_default=None, allow_none=True)

    @validates_schema
    def _latency_range(self, data: dict[str, Any], **_kwargs: object) -> None:
        highest = data["latency_max_ms"]
        if highest is not None and highest < data["latency_ms"]:
            raise ValidationError("must not be below latency_ms", "latency_max_ms")


class PhaseSchema(Schema):
    start_s = fields.Float(required=True, validate=validate.Range(min=0))
    duration_s = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))
    faults = fields.Nested(PhaseFaultsSchema, required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_kwargs: object) -> Phase:
        return Phase(**data)


class ScheduleSchema(Schema):
    phases = fields.List(fields.Nested(PhaseSchema), required=True)
    seed = fields.Integer(strict=True, load_default=0)

    @validates_schema
    def _in_time_order(self, data: dict[str, Any], **_kwargs: object) -> None:
        # So that at any moment at most one phase is in force, and a reader sees the timeline.
        phases = data["phases"]
        for index in range(1, len(phases)):
            if phases[index].start_s < phases[index - 1].end_s:
                message = f"must not be before the end of phase {index - 1}"
                raise ValidationError({"phases": {index: {"start_s": [message]}}})

    @post_load
    def _make(self, data: dict[str, Any], **_kwargs: object) -> Schedule:
        return Schedule(tuple(data["phases"]), data["seed"])
