"""The Kanta archive simulator as a real process over HTTP, driven through the adapter's
transport: version rules, signature and frame checks, the listing and the validation service."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from lxml import etree

from adapters.kanta import frame as fr
from adapters.kanta import signing
from adapters.kanta.pipeline import new_oid
from adapters.kanta.transport import (
    ArchiveRejected,
    ArchiveUnavailable,
    HttpArchiveTransport,
)
from plugin_host.demo import free_port
from reference_record_system.kanta_store import ArchiveStore
from tests.fixtures.record_system import RecordSystemProcess, start_record_system
from tests.kanta.handmade import BODY_TEXT, TEST_HETU, V3, Keys, cda, make_keys

PARTIES = fr.FrameParties(sender_oid="2.999.10.1", receiver_oid="2.999.1.1", processing_code="T")


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return make_keys(tmp_path_factory.mktemp("kanta-keys"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Iterator[RecordSystemProcess]:
    # Content validation off: these hand-made documents test signatures, frames and versions,
    # not the content rules (adapters.kanta.validation has its own tests).
    handle = start_record_system(
        tmp_path_factory.mktemp("kanta-archive"),
        kanta_trusted_certs=keys.cert_path,
        kanta_content_validation=False,
    )
    yield handle
    handle.stop()


@pytest.fixture
def transport(archive: RecordSystemProcess) -> HttpArchiveTransport:
    return HttpArchiveTransport(f"{archive.url}/kanta", timeout=5)


def _frame(document: etree._Element, keys: signing.KeySource) -> bytes:
    signed = etree.tostring(signing.sign(document, keys), xml_declaration=True, encoding="UTF-8")
    return fr.build_frame(signed, PARTIES)


def _send(
    transport: HttpArchiveTransport, document: etree._Element, keys: Keys
) -> fr.Acknowledgement:
    return transport.send(_frame(document, keys.source), correlation_id="test")


def _rejected(transport: HttpArchiveTransport, frame: bytes) -> ArchiveRejected:
    with pytest.raises(ArchiveRejected) as caught:
        transport.send(frame, correlation_id="test")
    return caught.value


def _codes(error: ArchiveRejected) -> list[str]:
    return [detail.code for detail in error.acknowledgement.details]


def _first_version(transport: HttpArchiveTransport, keys: Keys) -> str:
    set_oid = new_oid()
    assert _send(transport, cda(set_oid), keys).type_code == "AA"
    return set_oid


def test_version_1_then_version_2_replacing_it(transport: HttpArchiveTransport, keys: Keys) -> None:
    set_oid = _first_version(transport, keys)
    v2 = new_oid()
    ack = _send(transport, cda(v2, set_oid, 2, replaces=set_oid), keys)
    assert ack.accepted
    assert ack.details == ()

    versions = transport.query(set_oid)

    assert [(v.document_oid, v.version, v.status) for v in versions] == [
        (set_oid, 1, "replaced"),
        (v2, 2, "current"),
    ]
    assert versions[1].replaces_oid == set_oid
    assert versions[0].received_at <= versions[1].received_at


def test_the_archive_keeps_the_signed_bytes(
    archive: RecordSystemProcess, transport: HttpArchiveTransport, keys: Keys
) -> None:
    set_oid = new_oid()
    signed = etree.tostring(signing.sign(cda(set_oid), keys.source), encoding="UTF-8")
    transport.send(fr.build_frame(signed, PARTIES), correlation_id="test")
    stored = ArchiveStore(str(archive.db_path)).content(set_oid)
    assert stored == signed
    assert signing.verify(stored, [keys.cert]).certificate == keys.cert


def test_version_2_replacing_a_wrong_id(transport: HttpArchiveTransport, keys: Keys) -> None:
    set_oid = _first_version(transport, keys)
    error = _rejected(
        transport, _frame(cda(new_oid(), set_oid, 2, replaces=new_oid()), keys.source)
    )
    assert error.acknowledgement.type_code == "AE"
    assert _codes(error) == ["version-replaces-unknown"]
    assert error.errors == ["1. the replaced document id is not a version of this set"]
    assert [v.version for v in transport.query(set_oid)] == [1]


def test_a_gap_in_versions(transport: HttpArchiveTransport, keys: Keys) -> None:
    set_oid = _first_version(transport, keys)
    error = _rejected(transport, _frame(cda(new_oid(), set_oid, 3, replaces=set_oid), keys.source))
    assert _codes(error) == ["version-version-gap"]


def test_a_replaced_version_cannot_be_replaced_again(
    transport: HttpArchiveTransport, keys: Keys
) -> None:
    set_oid = _first_version(transport, keys)
    _send(transport, cda(new_oid(), set_oid, 2, replaces=set_oid), keys)
    error = _rejected(transport, _frame(cda(new_oid(), set_oid, 3, replaces=set_oid), keys.source))
    assert _codes(error) == ["version-already-replaced"]
    # A second version 2 breaks two rules; both are numbered.
    error = _rejected(transport, _frame(cda(new_oid(), set_oid, 2, replaces=set_oid), keys.source))
    assert _codes(error) == ["version-version-exists", "version-already-replaced"]
    assert [line[:3] for line in error.errors] == ["1. ", "2. "]


def test_version_1_must_have_id_equal_to_set_id(
    transport: HttpArchiveTransport, keys: Keys
) -> None:
    error = _rejected(transport, _frame(cda(new_oid(), new_oid(), 1), keys.source))
    assert _codes(error) == ["version-v1-id"]


def test_redelivery_is_accepted_once(transport: HttpArchiveTransport, keys: Keys) -> None:
    set_oid = new_oid()
    frame = _frame(cda(set_oid), keys.source)
    assert transport.send(frame, "first").details == ()
    again = transport.send(frame, "retry")
    assert again.accepted
    assert [detail.code for detail in again.details] == ["duplicate"]
    assert len(transport.query(set_oid)) == 1


def test_invalidation_closes_the_set(transport: HttpArchiveTransport, keys: Keys) -> None:
    set_oid = _first_version(transport, keys)
    v2 = new_oid()
    invalidation = cda(v2, set_oid, 2, replaces=set_oid)
    fr.mark_invalidated(invalidation)
    assert _send(transport, invalidation, keys).accepted
    assert [v.status for v in transport.query(set_oid)] == ["replaced", "invalidated"]
    error = _rejected(transport, _frame(cda(new_oid(), set_oid, 3, replaces=v2), keys.source))
    assert _codes(error) == ["version-set-invalidated"]


def test_unsigned_document_is_rejected(transport: HttpArchiveTransport) -> None:
    document = etree.tostring(cda(new_oid()), xml_declaration=True, encoding="UTF-8")
    error = _rejected(transport, fr.build_frame(document, PARTIES))
    assert error.acknowledgement.type_code == "AR"
    assert _codes(error) == ["signature-missing"]


def test_untrusted_signer_is_rejected(transport: HttpArchiveTransport, tmp_path: Path) -> None:
    stranger = make_keys(tmp_path, "stranger")
    error = _rejected(transport, _frame(cda(new_oid()), stranger.source))
    assert _codes(error) == ["signature-untrusted_certificate"]


def test_content_changed_after_signing_is_rejected(
    transport: HttpArchiveTransport, keys: Keys
) -> None:
    signed = etree.tostring(signing.sign(cda(new_oid()), keys.source))
    tampered = signed.replace(BODY_TEXT.encode(), b"Muutettu jalkikateen")
    error = _rejected(transport, fr.build_frame(tampered, PARTIES))
    assert _codes(error) == ["signature-tampered"]


def test_frame_ids_not_matching_the_document_are_rejected(
    transport: HttpArchiveTransport, keys: Keys
) -> None:
    message = etree.fromstring(_frame(cda(new_oid()), keys.source))
    message.find(f".//{{{V3}}}clinicalDocument/{{{V3}}}setId").set("root", new_oid())
    error = _rejected(transport, etree.tostring(message))
    assert error.acknowledgement.type_code == "AR"
    assert _codes(error) == ["frame-mismatch"]
    assert "setId" in error.errors[0]


def test_not_a_soap_envelope_is_a_fault(archive: RecordSystemProcess) -> None:
    response = requests.post(f"{archive.url}/kanta/archive", data=b"<not-soap/>", timeout=5)
    assert response.status_code == 500
    assert b"Fault" in response.content


def test_nothing_personal_in_the_log(
    archive: RecordSystemProcess, transport: HttpArchiveTransport, keys: Keys
) -> None:
    set_oid = _first_version(transport, keys)
    _rejected(transport, _frame(cda(new_oid(), set_oid, 3, replaces=set_oid), keys.source))
    signed = etree.tostring(signing.sign(cda(new_oid()), keys.source))
    _rejected(transport, fr.build_frame(signed.replace(TEST_HETU.encode(), b"x"), PARTIES))
    log = archive.log_path.read_text()
    assert "POST /kanta/archive" in log
    assert TEST_HETU not in log
    assert BODY_TEXT not in log


def test_listing_of_an_unknown_set_is_empty(transport: HttpArchiveTransport) -> None:
    assert transport.query(new_oid()) == []


# --- the validation service -----------------------------------------------------------------


def test_validate_a_valid_document(archive: RecordSystemProcess) -> None:
    document = etree.tostring(cda(new_oid()), xml_declaration=True, encoding="UTF-8")
    response = requests.post(
        f"{archive.url}/kanta/validate",
        data=document,
        headers={"Content-Type": "text/xml"},
        timeout=5,
    )
    assert (response.status_code, response.text) == (200, "")


def test_validate_document_and_frame_as_json(archive: RecordSystemProcess) -> None:
    document = etree.tostring(cda(new_oid()), xml_declaration=True, encoding="UTF-8")
    frame = fr.build_frame(document, PARTIES)
    fields = {
        "messageId": "1",
        "palveluPyynto": "SP17",
        "siirtokehysXml": frame.decode(),
        "asiakirjaXml": document.decode(),
    }
    response = requests.post(f"{archive.url}/kanta/validate", json=fields, timeout=5)
    assert (response.status_code, response.text) == (200, "")

    other = etree.tostring(cda(new_oid()), xml_declaration=True, encoding="UTF-8")
    response = requests.post(
        f"{archive.url}/kanta/validate",
        json=fields | {"asiakirjaXml": other.decode(), "palveluPyynto": "SP1"},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text.splitlines() == [
        "1. the frame's id differs from the document's",
        "2. the frame's setId differs from the document's",
        "3. the frame's service request code differs from palveluPyynto",
    ]


def test_validate_refuses_what_is_not_a_document(archive: RecordSystemProcess) -> None:
    response = requests.post(
        f"{archive.url}/kanta/validate",
        data=b"<ClinicalDocument xmlns='urn:hl7-org:v3'/>",
        headers={"Content-Type": "application/xml"},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.text.splitlines() == [
        "1. the document has no valid id",
        "2. the document has no valid setId",
        "3. the document has no valid versionNumber",
    ]
    response = requests.post(f"{archive.url}/kanta/validate", data=b"<<", timeout=5)
    assert response.text == "1. the input is not acceptable XML (malformed)\n"
    response = requests.post(f"{archive.url}/kanta/validate", json={"x": 1}, timeout=5)
    assert response.status_code == 400


# --- transport errors -----------------------------------------------------------------------


def test_no_archive_listening_is_retryable(keys: Keys) -> None:
    transport = HttpArchiveTransport(f"http://127.0.0.1:{free_port()}/kanta", timeout=2)
    with pytest.raises(ArchiveUnavailable) as caught:
        transport.send(_frame(cda(new_oid()), keys.source), "test")
    assert caught.value.retryable
    with pytest.raises(ArchiveUnavailable):
        transport.query(new_oid())


def test_plain_http_only_to_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        HttpArchiveTransport("http://archive.example/kanta")
    HttpArchiveTransport("https://archive.example/kanta", client_cert=("c.pem", "k.pem"))


def test_rejected_is_not_retryable(transport: HttpArchiveTransport, keys: Keys) -> None:
    error = _rejected(transport, _frame(cda(new_oid(), new_oid(), 1), keys.source))
    assert not error.retryable
    assert json.dumps(error.errors)  # plain strings, safe to store with the outbox entry


# --- with content validation (adapters.kanta.validation) ------------------------------------


@pytest.fixture(scope="module")
def validating_archive(
    tmp_path_factory: pytest.TempPathFactory, keys: Keys
) -> Iterator[RecordSystemProcess]:
    handle = start_record_system(
        tmp_path_factory.mktemp("kanta-validating"), kanta_trusted_certs=keys.cert_path
    )
    yield handle
    handle.stop()


def _built_document(document_oid: str) -> bytes:
    """A document from the real builder (the integration this simulator exists for)."""
    builder = pytest.importorskip("adapters.kanta.builder")
    from adapters.kanta.code_tables import CodeTables
    from adapters.kanta.model import KantaDocument, Party

    return builder.build_document(
        KantaDocument(
            document_oid=document_oid,
            set_oid=document_oid,
            version=1,
            type_code="19013",
            title="Genogrammi",
            effective_time=dt.datetime(2025, 1, 2, 12, tzinfo=dt.UTC),
            client=Party(TEST_HETU, "Testi", "Asiakas"),
            author=Party("1234567", "Työ", "Tekijä"),
            custodian_oid="1.2.246.10.1234567",
            custodian_name="Hyvinvointialue",
            case_id="1.2.246.10.1234567.20.1",
            display_xhtml="<p>Perhe</p>",
            structured={"genogram": {"index_person": "p1", "persons": [{"id": "p1"}]}},
        ),
        CodeTables.load(),
    )


def test_a_built_document_passes_content_validation(
    validating_archive: RecordSystemProcess, keys: Keys
) -> None:
    pytest.importorskip("adapters.kanta.validation")
    builder = pytest.importorskip("adapters.kanta.builder")
    transport = HttpArchiveTransport(f"{validating_archive.url}/kanta", timeout=10)
    oid = f"1.2.246.10.1234567.10.{uuid.uuid4().int % 10**12}"
    signed = builder.serialize(signing.sign(_built_document(oid), keys.source))

    assert transport.send(fr.build_frame(signed, PARTIES), "test").accepted

    # The hand-made document is no full Kanta document: refused with numbered content errors.
    error = _rejected(transport, _frame(cda(new_oid()), keys.source))
    assert error.acknowledgement.type_code == "AE"
    assert set(_codes(error)) == {"content"}
    assert error.errors[0].startswith("1. ")
