"""``/soap``: the record-system contract over SOAP 1.1, with the WSDL and XSD it is described by.

A request goes: fault injection (latency, 503) -> hardened parse -> envelope shape -> X-Road
headers -> operation lookup -> XSD validation -> the operation -> reply. Every refusal on the
way is a SOAP fault with HTTP 500, as SOAP 1.1 (and the WS-I Basic Profile) want.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, request
from lxml import etree

from plugin_host.xml_safety import XmlRejected, parse_untrusted_xml
from reference_record_system import contract
from reference_record_system.faults import HOSTILE_REPLIES, FaultSettings, injector
from reference_record_system.operations import OPERATIONS, WRITES, camel, request_context
from reference_record_system.request_log import request_log
from reference_record_system.soap_envelope import (
    INJECTABLE_FAULTS,
    TNS,
    SoapFault,
    envelope,
    envelope_refused,
    fault_envelope,
    not_found,
    read_envelope,
    validation_failed,
    version_conflict,
)
from reference_record_system.store import NotFound, ValidationFailed, VersionConflict, current_store
from reference_record_system.xroad import read_xroad_headers

bp = Blueprint("soap", __name__)
_XML = "text/xml; charset=utf-8"
_CHUNK_BYTES = 64 * 1024
MAX_MESSAGE_BYTES = 2 * 1024 * 1024
_DRAIN_CHUNKS = 4 * MAX_MESSAGE_BYTES // _CHUNK_BYTES


@bp.get("/soap")
def describe() -> Response:
    """``?wsdl`` gives the WSDL pointing at this server; ``?xsd=record_system.xsd`` its schema."""
    if "wsdl" in request.args:
        return Response(contract.wsdl_for(request.base_url), content_type=_XML)
    if request.args.get("xsd") == contract.XSD_NAME:
        return Response(contract.xsd_bytes(), content_type=_XML)
    return Response("ask for ?wsdl\n", status=404, content_type="text/plain; charset=utf-8")


@bp.post("/soap")
def serve() -> Response:
    faults = injector().for_request()
    if faults.latency_ms:
        time.sleep(faults.latency_ms / 1000)
    if faults.http_503:
        return Response("unavailable (injected)\n", status=503, content_type="text/plain")
    try:
        reply = _handle(_read_body(), faults)
    except SoapFault as fault:
        return Response(fault_envelope(fault), status=500, content_type=_XML)
    if faults.reply:
        return Response(HOSTILE_REPLIES[faults.reply], content_type=_XML)
    return Response(reply, content_type=_XML)


def _read_body() -> bytes:
    """At most one byte over the cap, so the parser can refuse an oversized message."""
    body = request.stream.read(MAX_MESSAGE_BYTES + 1)
    if len(body) > MAX_MESSAGE_BYTES:
        # Read on (bounded) before refusing: closing a socket with unread input sends a TCP
        # reset, and the client would never see the fault.
        for _ in range(_DRAIN_CHUNKS):
            if not request.stream.read(_CHUNK_BYTES):
                break
    return body


def _handle(body: bytes, faults: FaultSettings) -> bytes:
    try:
        message = read_envelope(parse_untrusted_xml(body, MAX_MESSAGE_BYTES))
    except XmlRejected as exc:
        raise envelope_refused(str(exc)) from exc
    xroad_headers, xroad = read_xroad_headers(message.headers)
    operation = _operation_name(message.payload)
    try:
        contract.validate(message.payload)
    except contract.ContractViolation as exc:
        raise validation_failed(exc.field, exc.message) from exc
    ctx = request_context(message.payload)
    request_log().record({"operation": operation, "context": ctx, "xroad": xroad})
    if faults.soap_fault:
        raise INJECTABLE_FAULTS[faults.soap_fault]()
    try:
        payload = OPERATIONS[operation](current_store(), ctx, message.payload)
    except NotFound as exc:
        raise not_found(str(exc)) from exc
    except VersionConflict as exc:
        raise version_conflict(exc.current_version, str(exc)) from exc
    except ValidationFailed as exc:
        raise validation_failed(camel(exc.field), exc.message) from exc
    if operation in WRITES and faults.timeout_after_commit_ms:
        time.sleep(faults.timeout_after_commit_ms / 1000)
    return envelope(payload, xroad_headers)


def _operation_name(payload: etree._Element) -> str:
    name = etree.QName(payload)
    if name.namespace != TNS or name.localname not in OPERATIONS:
        raise envelope_refused(f"unknown operation {name.localname}")
    return name.localname
