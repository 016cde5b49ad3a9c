"""Hostile XML on both sides of the SOAP boundary.

Requests: raw POSTs to the reference record system's /soap are refused with a SOAP Client fault
and change nothing. Replies: the adapter refuses what fault injection makes the server send.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import requests
from lxml import etree

from adapters.soap import SoapRecordSystem, SoapSettings
from plugin_host.records import RecordProtocolError
from plugin_host.xml_safety import XmlRejected, parse_untrusted_xml
from reference_record_system.soap_service import MAX_MESSAGE_BYTES
from reference_record_system.store import RecordStore
from tests.fixtures.record_system import DEMO_CONTEXT

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "urn:systemic:record-system:v1"
LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))


def save_request(content: str, dtd: str = "", key: str = "hostile-key-0001") -> bytes:
    """A SaveDocument for c-1001 whose Content is ``content``, under an optional DOCTYPE."""
    return (
        f'<?xml version="1.0"?>{dtd}'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:rs="{TNS}"><soap:Body><rs:SaveDocument>'
        "<rs:RequestContext><rs:WorkerId>w-demo</rs:WorkerId>"
        "<rs:OrgUnit>lastensuojelu-1</rs:OrgUnit><rs:Purpose>asiakastyö</rs:Purpose>"
        "</rs:RequestContext><rs:ClientId>c-1001</rs:ClientId>"
        "<rs:DocumentType>note</rs:DocumentType><rs:Title>Hostile</rs:Title>"
        f"<rs:Content>{content}</rs:Content><rs:ContentType>text/plain</rs:ContentType>"
        f"<rs:IdempotencyKey>{key}</rs:IdempotencyKey>"
        "</rs:SaveDocument></soap:Body></soap:Envelope>"
    ).encode()


XXE = save_request("&xxe;", '<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
BILLION_LAUGHS = save_request("&lol9;", f'<!DOCTYPE soap:Envelope [<!ENTITY lol0 "lol">{LAUGHS}]>')
HOSTILE_REQUESTS = {
    "xxe": XXE,
    "billion_laughs": BILLION_LAUGHS,
    "external_dtd": save_request(
        "x", '<!DOCTYPE soap:Envelope SYSTEM "http://127.0.0.1:9/evil.dtd">'
    ),
    "internal_dtd": save_request("x", "<!DOCTYPE soap:Envelope []>"),
    "parameter_entity": save_request(
        "x", '<!DOCTYPE soap:Envelope [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
    ),
    "malformed": save_request("x")[:-20],
    "not_xml": b"GET /etc/passwd",
    "too_large": save_request("x" * (MAX_MESSAGE_BYTES + 1)),
}


def post(record_system, body: bytes) -> requests.Response:
    return requests.post(
        record_system.soap_url,
        data=body,
        headers={"Content-Type": "text/xml; charset=utf-8"},
        timeout=10,
    )


def fault_code(response: requests.Response) -> str:
    fault = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    return fault.findtext("faultcode")


def documents_of_c1001(record_system) -> list[dict]:
    return RecordStore(str(record_system.db_path)).list_documents("c-1001")


@pytest.mark.parametrize("name", sorted(HOSTILE_REQUESTS))
def test_hostile_requests_are_refused_and_change_nothing(record_system, name):
    before = documents_of_c1001(record_system)
    requests_before = len(record_system.received_requests())

    response = post(record_system, HOSTILE_REQUESTS[name])

    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/xml")
    assert fault_code(response) == "soap:Client"
    assert b"root:" not in response.content
    assert documents_of_c1001(record_system) == before
    # Refused before any operation ran: nothing reached the request log either.
    assert len(record_system.received_requests()) == requests_before


def test_a_well_formed_request_of_the_same_shape_is_served(record_system):
    """The hostile payloads above are refused for their hostility, not for their shape."""
    response = post(record_system, save_request("Tavallinen sisältö", key="benign-key-0001"))
    assert response.status_code == 200, response.text
    assert any(d["title"] == "Hostile" for d in documents_of_c1001(record_system))


def test_a_soap_12_envelope_is_a_version_mismatch(record_system):
    body = save_request("x").replace(SOAP_ENV.encode(), b"http://www.w3.org/2003/05/soap-envelope")
    response = post(record_system, body)
    assert response.status_code == 500
    # The fault itself is SOAP 1.1, as the refused sender may only understand that.
    assert fault_code(response) == "soap:VersionMismatch"


def test_an_unknown_operation_is_a_client_fault(record_system):
    body = save_request("x").replace(b"SaveDocument", b"DropTables")
    assert fault_code(post(record_system, body)) == "soap:Client"


def test_incomplete_xroad_headers_are_refused(record_system):
    header = (
        '<soap:Header xmlns:xrd="http://x-road.eu/xsd/xroad.xsd">'
        "<xrd:protocolVersion>4.0</xrd:protocolVersion></soap:Header>"
    )
    body = save_request("x").replace(b"<soap:Body>", header.encode() + b"<soap:Body>")
    response = post(record_system, body)
    assert fault_code(response) == "soap:Client"
    assert "client" in etree.fromstring(response.content).findtext(".//faultstring")


def test_xroad_headers_are_echoed_in_the_reply(record_system):
    header = (
        '<soap:Header xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" '
        'xmlns:id="http://x-road.eu/xsd/identifiers">'
        '<xrd:client id:objectType="MEMBER"><id:xRoadInstance>FI-TEST</id:xRoadInstance>'
        "<id:memberClass>MUN</id:memberClass><id:memberCode>0000000-1</id:memberCode>"
        "</xrd:client>"
        '<xrd:service id:objectType="SERVICE"><id:xRoadInstance>FI-TEST</id:xRoadInstance>'
        "<id:memberClass>MUN</id:memberClass><id:memberCode>0000000-2</id:memberCode>"
        "<id:serviceCode>SaveDocument</id:serviceCode></xrd:service>"
        "<xrd:id>message-1</xrd:id><xrd:userId>w-demo</xrd:userId>"
        "<xrd:protocolVersion>4.0</xrd:protocolVersion></soap:Header>"
    )
    body = save_request("x", key="xroad-echo-0001").replace(
        b"<soap:Body>", header.encode() + b"<soap:Body>"
    )
    response = post(record_system, body)
    assert response.status_code == 200, response.text
    reply_header = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Header")
    assert reply_header.findtext("{http://x-road.eu/xsd/xroad.xsd}id") == "message-1"
    assert record_system.received_requests()[-1]["xroad"]["client"]["objectType"] == "MEMBER"


@pytest.mark.parametrize("reply", ["xxe", "billion_laughs", "malformed"])
def test_the_adapter_refuses_hostile_replies(soap_record_system, record_system, reply):
    record_system.set_faults(reply=reply)
    with pytest.raises(RecordProtocolError) as refused:
        soap_record_system.get_client(DEMO_CONTEXT, "c-1001")
    assert "root:" not in str(refused.value)
    assert refused.value.__cause__ is None  # nothing of the reply rides along to the logs


@pytest.mark.parametrize(
    "payload", [XXE, BILLION_LAUGHS, HOSTILE_REQUESTS["parameter_entity"], b"<a><b></a>"]
)
def test_the_hardened_parser_refuses_dtds_and_broken_xml(payload):
    with pytest.raises(XmlRejected):
        parse_untrusted_xml(payload)


def test_the_hardened_parser_caps_the_size():
    with pytest.raises(XmlRejected, match="larger"):
        parse_untrusted_xml(b"<a>" + b"x" * 100 + b"</a>", max_bytes=50)


def test_the_adapter_refuses_an_oversized_reply_unread(record_system):
    settings = SoapSettings(endpoint=record_system.soap_url, timeout_seconds=2)
    capped = SoapRecordSystem(replace(settings, max_reply_bytes=200))
    with pytest.raises(RecordProtocolError, match="oversized"):
        capped.get_client(DEMO_CONTEXT, "c-1001")
    assert SoapRecordSystem(settings).get_client(DEMO_CONTEXT, "c-1001").client_id == "c-1001"
