"""The record-system contract end to end: the SOAP adapter against the reference record system,
a real server process over real HTTP on loopback.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from lxml import etree

from adapters.soap import SoapRecordSystem, SoapSettings, XRoadMember, XRoadSettings
from plugin_host.records import (
    AccessDecision,
    Client,
    Document,
    DocumentDraft,
    DocumentRef,
    Family,
    FamilyMember,
    RecordAccessDenied,
    RecordNotFound,
    RecordProtocolError,
    RecordSystem,
    RecordTimeout,
    RecordUnavailable,
    RecordValidationFailed,
    VersionConflict,
)
from reference_record_system.store import RecordStore
from tests.fixtures.record_system import DEMO_CONTEXT, OTHER_CONTEXT, free_port

PLAIN_TYPES = (str, int, bool, date, datetime, type(None))
# Far beyond the adapter's timeout, so that the outcome never depends on scheduling.
SLOW_MS = 5_000
SHORT_TIMEOUT = 0.5


def assert_plain(value: object) -> None:
    """Only the host's dataclasses, tuples and plain values: nothing of zeep or lxml."""
    if dataclasses.is_dataclass(value):
        assert type(value).__module__ == "plugin_host.records"
        for field in dataclasses.fields(value):
            assert_plain(getattr(value, field.name))
    elif isinstance(value, tuple):
        for item in value:
            assert_plain(item)
    else:
        assert type(value) in PLAIN_TYPES, type(value)
        if isinstance(value, datetime):
            assert value.tzinfo is UTC


def draft(title: str = "Genogrammi", **changes: object) -> DocumentDraft:
    fields = {
        "client_id": "c-1001",
        "document_type": "genogram",
        "title": title,
        "content": '{"people": [{"id": "p-1001-01"}]}',
    }
    return DocumentDraft(**{**fields, **changes})


def new_key() -> str:
    return f"test-{uuid.uuid4().hex}"


def short_timeout_adapter(record_system) -> SoapRecordSystem:
    return SoapRecordSystem(
        SoapSettings(endpoint=record_system.soap_url, timeout_seconds=SHORT_TIMEOUT)
    )


# --- the contract documents ------------------------------------------------------------------


def test_the_adapter_is_a_record_system(soap_record_system):
    assert isinstance(soap_record_system, RecordSystem)


def test_the_wsdl_is_served_pointing_at_the_server(record_system):
    wsdl = etree.fromstring(requests.get(record_system.wsdl_url, timeout=5).content)
    address = wsdl.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address.get("location") == record_system.soap_url
    schema_import = wsdl.find(".//{http://www.w3.org/2001/XMLSchema}import")
    xsd = requests.get(schema_import.get("schemaLocation"), timeout=5)
    assert xsd.ok
    assert etree.fromstring(xsd.content).get("targetNamespace") == "urn:systemic:record-system:v1"


def test_the_wsdl_is_never_fetched_at_run_time(record_system):
    with pytest.raises(ValueError, match="local file"):
        SoapRecordSystem(
            SoapSettings(endpoint=record_system.soap_url, wsdl_path=record_system.wsdl_url)
        )


# --- every operation --------------------------------------------------------------------------


def test_get_client(soap_record_system):
    client = soap_record_system.get_client(DEMO_CONTEXT, "c-1001")
    assert client == Client(
        client_id="c-1001",
        first_names="Aino",
        last_name="Testinen",
        birth_date=date(2014, 5, 12),
        identity_code="120514A902F",
        case_id="case-1001",
        responsible_worker_id="w-demo",
        team_id="team-a",
    )
    assert_plain(client)


def test_get_family(soap_record_system):
    family = soap_record_system.get_family(DEMO_CONTEXT, "c-1001")
    assert isinstance(family, Family)
    assert family.client_id == "c-1001"
    assert family.members[0] == FamilyMember(
        person_id="p-1001-01",
        first_names="Sanna",
        last_name="Testinen",
        relation="mother",
        birth_date=date(1986, 3, 14),
        identity_code="140386-904T",
        is_guardian=True,
        in_household=True,
    )
    relations = {m.relation for m in family.members}
    assert {"mother", "father", "step-parent", "sibling", "grandparent"} <= relations
    assert 0 < len(family.household) < len(family.members)
    assert any(m.identity_code is None for m in family.members)
    assert_plain(family)


def test_get_team_lists_clients_and_members(soap_record_system):
    team = soap_record_system.get_team(DEMO_CONTEXT, "team-a")
    assert team.team_id == "team-a"
    assert len(team.clients) >= 5
    assert all(isinstance(c, Client) for c in team.clients)
    by_id = {c.client_id: c for c in team.clients}
    assert by_id["c-1001"].responsible_worker_id == "w-demo"
    assert "c-2001" not in by_id
    roles = {m.worker_id: m.role for m in team.members}
    assert roles["w-terapeutti"] == "family-therapist"
    assert roles["w-koordinaattori"] == "coordinator"
    assert "w-other" not in roles
    assert_plain(team)


def test_a_sibling_who_is_a_client_is_named_in_the_family(soap_record_system):
    family = soap_record_system.get_family(DEMO_CONTEXT, "c-1001")
    siblings = {m.first_names: m.client_id for m in family.members if m.relation == "sibling"}
    assert siblings == {"Ville": "c-1005"}
    assert all(m.client_id is None for m in family.members if m.relation != "sibling")


def test_save_get_and_list_documents(soap_record_system):
    ref = soap_record_system.save_document(DEMO_CONTEXT, draft(), None, new_key())
    assert isinstance(ref, DocumentRef)
    assert (ref.client_id, ref.document_type, ref.version, ref.author_id) == (
        "c-1001",
        "genogram",
        1,
        "w-demo",
    )
    assert_plain(ref)

    document = soap_record_system.get_document(DEMO_CONTEXT, ref.document_id)
    assert document == Document(
        ref=ref, content='{"people": [{"id": "p-1001-01"}]}', content_type="application/json"
    )
    assert_plain(document)

    second = soap_record_system.save_document(
        DEMO_CONTEXT, draft("Genogrammi v2", document_id=ref.document_id), 1, new_key()
    )
    assert (second.document_id, second.version) == (ref.document_id, 2)
    assert soap_record_system.get_document(DEMO_CONTEXT, ref.document_id).ref == second
    assert soap_record_system.get_document(DEMO_CONTEXT, ref.document_id, 1).ref == ref

    listed = soap_record_system.list_documents(DEMO_CONTEXT, "c-1001")
    assert listed[0] == second  # newest first, as the latest version
    assert ref.document_id not in {d.document_id for d in listed[1:]}
    assert_plain(listed)


def test_empty_content_round_trips_as_an_empty_string(soap_record_system):
    ref = soap_record_system.save_document(DEMO_CONTEXT, draft(content=""), None, new_key())
    assert soap_record_system.get_document(DEMO_CONTEXT, ref.document_id).content == ""


def test_list_documents_by_type_and_since(soap_record_system):
    note = soap_record_system.save_document(
        DEMO_CONTEXT,
        DocumentDraft("c-1001", "note", "Muistiinpano", "Tapaaminen sovittu.", "text/plain"),
        None,
        new_key(),
    )
    by_type = soap_record_system.list_documents(DEMO_CONTEXT, "c-1001", document_type="note")
    assert note in by_type
    assert {d.document_type for d in by_type} == {"note"}
    since_note = soap_record_system.list_documents(DEMO_CONTEXT, "c-1001", since=note.created_at)
    assert since_note == (note,)
    later = note.created_at + timedelta(seconds=1)
    assert soap_record_system.list_documents(DEMO_CONTEXT, "c-1001", since=later) == ()


def test_check_access(soap_record_system):
    assert soap_record_system.check_access(DEMO_CONTEXT, "c-1001") == AccessDecision(
        True, "the client belongs to the worker's team"
    )
    refused = soap_record_system.check_access(OTHER_CONTEXT, "c-1001")
    assert refused.allowed is False
    assert refused.reason
    assert_plain(refused)


def test_every_request_carries_the_request_context(soap_record_system, record_system):
    soap_record_system.check_access(DEMO_CONTEXT, "c-1002")
    last = record_system.received_requests()[-1]
    assert last["operation"] == "CheckAccess"
    assert last["context"] == {
        "worker_id": "w-demo",
        "org_unit": "lastensuojelu-1",
        "purpose": "asiakastyö",
    }
    assert last["xroad"] is None


# --- typed faults -----------------------------------------------------------------------------


def test_an_unknown_client_is_not_found(soap_record_system):
    with pytest.raises(RecordNotFound):
        soap_record_system.get_client(DEMO_CONTEXT, "c-0000")
    with pytest.raises(RecordNotFound):
        soap_record_system.get_document(DEMO_CONTEXT, "doc-missing")


def test_another_teams_client_is_access_denied(soap_record_system):
    with pytest.raises(RecordAccessDenied):
        soap_record_system.get_client(OTHER_CONTEXT, "c-1001")
    with pytest.raises(RecordAccessDenied):
        soap_record_system.get_family(DEMO_CONTEXT, "c-2001")
    with pytest.raises(RecordAccessDenied):
        soap_record_system.get_team(DEMO_CONTEXT, "team-b")
    with pytest.raises(RecordAccessDenied):
        soap_record_system.save_document(OTHER_CONTEXT, draft(), None, new_key())
    ref = soap_record_system.save_document(DEMO_CONTEXT, draft(), None, new_key())
    with pytest.raises(RecordAccessDenied):
        soap_record_system.get_document(OTHER_CONTEXT, ref.document_id)
    with pytest.raises(RecordAccessDenied):
        soap_record_system.list_documents(OTHER_CONTEXT, "c-1001")


def test_a_stale_version_is_a_conflict_with_the_current_version(soap_record_system):
    ref = soap_record_system.save_document(DEMO_CONTEXT, draft(), None, new_key())
    soap_record_system.save_document(
        DEMO_CONTEXT, draft("v2", document_id=ref.document_id), 1, new_key()
    )
    with pytest.raises(VersionConflict) as conflict:
        soap_record_system.save_document(
            DEMO_CONTEXT, draft("v2 too", document_id=ref.document_id), 1, new_key()
        )
    assert conflict.value.current_version == 2


@pytest.mark.parametrize(
    ("document", "key", "field"),
    [
        (draft(title=""), new_key(), "title"),  # refused by the XSD
        (draft(document_type="no spaces allowed"), new_key(), "document_type"),  # by the XSD
        (draft(title="   "), new_key(), "title"),  # refused by the record system itself
        (draft(), "short", "idempotency_key"),
    ],
)
def test_invalid_input_names_the_field(soap_record_system, document, key, field):
    with pytest.raises(RecordValidationFailed) as refused:
        soap_record_system.save_document(DEMO_CONTEXT, document, None, key)
    assert refused.value.field_name == field


def test_an_unavailable_fault_is_unavailable(soap_record_system, record_system):
    record_system.set_faults(soap_fault="Unavailable")
    with pytest.raises(RecordUnavailable) as down:
        soap_record_system.get_client(DEMO_CONTEXT, "c-1001")
    assert type(down.value) is RecordUnavailable
    assert down.value.retryable


def test_http_503_is_unavailable(soap_record_system, record_system):
    record_system.set_faults(http_503=True)
    with pytest.raises(RecordUnavailable) as down:
        soap_record_system.get_team(DEMO_CONTEXT, "team-a")
    assert type(down.value) is RecordUnavailable


def test_a_refused_connection_is_unavailable():
    nobody = SoapRecordSystem(SoapSettings(endpoint=f"http://127.0.0.1:{free_port()}/soap"))
    with pytest.raises(RecordUnavailable) as down:
        nobody.get_client(DEMO_CONTEXT, "c-1001")
    assert type(down.value) is RecordUnavailable


def test_latency_beyond_the_timeout_is_a_timeout(record_system):
    record_system.set_faults(latency_ms=SLOW_MS)
    with pytest.raises(RecordTimeout):
        short_timeout_adapter(record_system).get_client(DEMO_CONTEXT, "c-1001")


def test_a_timeout_after_commit_is_a_timeout_and_the_write_happened(record_system):
    record_system.set_faults(timeout_after_commit_ms=SLOW_MS)
    adapter = short_timeout_adapter(record_system)
    title = f"Tallentunut {uuid.uuid4().hex[:8]}"
    key = new_key()
    with pytest.raises(RecordTimeout):
        adapter.save_document(DEMO_CONTEXT, draft(title), None, key)
    record_system.reset_faults()

    saved = [d for d in adapter.list_documents(DEMO_CONTEXT, "c-1001") if d.title == title]
    assert len(saved) == 1
    # Resending with the same key reconciles: the same document, no second version.
    assert adapter.save_document(DEMO_CONTEXT, draft(title), None, key) == saved[0]


@pytest.mark.parametrize("reply", ["malformed", "unexpected"])
def test_a_reply_outside_the_contract_is_a_protocol_error(soap_record_system, record_system, reply):
    record_system.set_faults(reply=reply)
    with pytest.raises(RecordProtocolError):
        soap_record_system.get_client(DEMO_CONTEXT, "c-1001")


# --- idempotency ------------------------------------------------------------------------------


def test_the_same_idempotency_key_twice_makes_one_version(soap_record_system, record_system):
    key = new_key()
    title = f"Kerran {uuid.uuid4().hex[:8]}"
    first = soap_record_system.save_document(DEMO_CONTEXT, draft(title), None, key)
    again = soap_record_system.save_document(DEMO_CONTEXT, draft(title), None, key)
    assert again == first
    store = RecordStore(str(record_system.db_path))
    assert [d["title"] for d in store.list_documents("c-1001")].count(title) == 1
    assert store.get_document(first.document_id, 2) is None


# --- X-Road -----------------------------------------------------------------------------------


def test_xroad_headers_are_sent_when_configured(record_system):
    adapter = SoapRecordSystem(
        SoapSettings(
            endpoint=record_system.soap_url,
            xroad=XRoadSettings(
                client=XRoadMember("FI-TEST", "MUN", "0000000-1", "systemic-plugins"),
                service="FI-TEST/MUN/0000000-2/client-records",
            ),
        )
    )
    assert adapter.get_client(DEMO_CONTEXT, "c-1001").client_id == "c-1001"
    adapter.check_access(DEMO_CONTEXT, "c-1001")
    first, second = record_system.received_requests()[-2:]

    xroad = first["xroad"]
    assert xroad["client"] == {
        "objectType": "SUBSYSTEM",
        "xRoadInstance": "FI-TEST",
        "memberClass": "MUN",
        "memberCode": "0000000-1",
        "subsystemCode": "systemic-plugins",
    }
    assert xroad["service"] == {
        "objectType": "SERVICE",
        "xRoadInstance": "FI-TEST",
        "memberClass": "MUN",
        "memberCode": "0000000-2",
        "subsystemCode": "client-records",
        "serviceCode": "GetClient",
        "serviceVersion": "v1",
    }
    assert xroad["userId"] == "w-demo"
    assert xroad["protocolVersion"] == "4.0"
    assert second["xroad"]["service"]["serviceCode"] == "CheckAccess"
    assert first["xroad"]["id"] and second["xroad"]["id"] != first["xroad"]["id"]
