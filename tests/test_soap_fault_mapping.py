"""Wire failures the real server cannot easily produce, mapped to the typed errors."""

from __future__ import annotations

from http.client import RemoteDisconnected

import pytest
import requests
import urllib3.exceptions
import zeep.exceptions
from lxml import etree

from adapters.soap.faults import from_transport, from_zeep, snake
from plugin_host.records import (
    RecordProtocolError,
    RecordTimeout,
    RecordUnavailable,
    RecordValidationFailed,
)

TNS = "urn:systemic:record-system:v1"


def fault(detail_xml: str | None) -> zeep.exceptions.Fault:
    detail = None if detail_xml is None else etree.fromstring(f"<detail>{detail_xml}</detail>")
    return zeep.exceptions.Fault("fault", code="soap:Server", detail=detail)


def test_a_connection_lost_after_sending_may_have_been_applied():
    aborted = requests.ConnectionError(
        urllib3.exceptions.ProtocolError("Connection aborted.", RemoteDisconnected())
    )
    assert type(from_transport(aborted)) is RecordTimeout


def test_a_connect_timeout_was_never_sent():
    assert type(from_transport(requests.ConnectTimeout())) is RecordUnavailable


def test_a_read_timeout_may_have_been_applied():
    assert type(from_transport(requests.ReadTimeout())) is RecordTimeout


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_busy_statuses_are_unavailable(status):
    error = zeep.exceptions.TransportError("busy", status_code=status)
    assert type(from_zeep(error)) is RecordUnavailable


def test_other_non_soap_replies_are_protocol_errors():
    error = zeep.exceptions.TransportError("html", status_code=404, content=b"<html/>")
    assert type(from_zeep(error)) is RecordProtocolError


@pytest.mark.parametrize(
    "detail",
    [
        None,  # a plain Server fault
        "<other:Oops xmlns:other='urn:elsewhere'/>",  # a detail outside the contract
        f"<rs:SurpriseFault xmlns:rs='{TNS}'><rs:Message>x</rs:Message></rs:SurpriseFault>",
        f"<rs:NotFoundFault xmlns:rs='{TNS}'/>",  # the contract's fault, missing its Message
        f"<rs:VersionConflictFault xmlns:rs='{TNS}'><rs:CurrentVersion>two</rs:CurrentVersion>"
        "<rs:Message>x</rs:Message></rs:VersionConflictFault>",
    ],
)
def test_faults_outside_the_contract_are_protocol_errors(detail):
    assert type(from_zeep(fault(detail))) is RecordProtocolError


def test_a_value_that_does_not_fit_the_message_names_the_field():
    error = zeep.exceptions.ValidationError("Missing element", path=["SaveDocument", "Title"])
    refused = from_zeep(error)
    assert isinstance(refused, RecordValidationFailed)
    assert refused.field_name == "title"


def test_contract_names_become_host_names():
    assert snake("IdempotencyKey") == "idempotency_key"
    assert snake("ClientId") == "client_id"
    assert snake("Title") == "title"
