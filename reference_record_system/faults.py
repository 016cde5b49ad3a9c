"""Fault injection: make the reference record system slow, down, or hostile on purpose.

Tests change the settings over HTTP (``GET/PUT/DELETE /-/faults``). A PUT replaces the whole
set; omitted fields take their harmless defaults. The SOAP service asks
:meth:`FaultInjector.for_request` once per request, so a schedule (down for N seconds, every
k-th call a 503) only has to change that one method and the schema.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

from flask import Blueprint, Response, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState
from marshmallow import Schema, ValidationError, fields, post_load, validate

from reference_record_system.soap_envelope import INJECTABLE_FAULTS, SOAP_ENV, TNS

_EXTENSION = "fault_injector"
_MAX_DELAY_MS = 60_000


@dataclass(frozen=True)
class FaultSettings:
    latency_ms: int = 0  # sleep before handling any SOAP request
    http_503: bool = False  # answer 503 without touching the request
    timeout_after_commit_ms: int = 0  # sleep after a write commits, before replying
    reply: str | None = None  # replace the reply body with a hostile one (see HOSTILE_REPLIES)
    soap_fault: str | None = None  # answer with this typed fault instead of handling


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


class FaultSettingsSchema(Schema):
    latency_ms = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(0, _MAX_DELAY_MS)
    )
    http_503 = fields.Boolean(load_default=False, truthy={True}, falsy={False})
    timeout_after_commit_ms = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(0, _MAX_DELAY_MS)
    )
    reply = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(sorted(HOSTILE_REPLIES))
    )
    soap_fault = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(sorted(INJECTABLE_FAULTS))
    )

    @post_load
    def _make(self, data: dict, **_kwargs: object) -> FaultSettings:
        return FaultSettings(**data)


class FaultInjector:
    """The faults in force; shared by the server's request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()

    @property
    def settings(self) -> FaultSettings:
        with self._lock:
            return self._settings

    def configure(self, settings: FaultSettings) -> None:
        with self._lock:
            self._settings = settings

    def for_request(self) -> FaultSettings:
        """The faults this request gets; today simply the settings in force."""
        return self.settings


def injector() -> FaultInjector:
    return current_app.extensions[_EXTENSION]


bp = Blueprint("faults", __name__)


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    state.app.extensions[_EXTENSION] = FaultInjector()


@bp.get("/-/faults")
def show_faults() -> Response:
    return jsonify(asdict(injector().settings))


@bp.put("/-/faults")
def set_faults() -> tuple[Response, int] | Response:
    payload = request.get_json(force=True, silent=True)
    if not isinstance(payload, dict):
        return jsonify(errors={"_schema": ["a JSON object is required"]}), 400
    try:
        settings = FaultSettingsSchema().load(payload)
    except ValidationError as exc:
        return jsonify(errors=exc.messages), 400
    injector().configure(settings)
    return jsonify(asdict(settings))


@bp.delete("/-/faults")
def reset_faults() -> Response:
    injector().configure(FaultSettings())
    return jsonify(asdict(FaultSettings()))
