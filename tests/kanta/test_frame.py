"""The RCMR_IN200002FI01 frame and the acknowledgement: build, parse, and ids that must agree."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from lxml import etree

from adapters.kanta import frame as fr
from adapters.kanta.frame import AckCode, AckDetail, FrameInvalid, FrameParties, ProblemKind
from adapters.kanta.pipeline import new_oid
from tests.kanta.handmade import V3, cda

PARTIES = FrameParties(sender_oid="2.999.10.1", receiver_oid="2.999.1.1", processing_code="T")


def _h(name: str) -> str:
    return f"{{{V3}}}{name}"


def _document(version: int = 1, replaces: str | None = None) -> tuple[bytes, str, str]:
    set_oid = new_oid()
    document_oid = set_oid if version == 1 else new_oid()
    root = cda(document_oid, set_oid, version, replaces=replaces)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), document_oid, set_oid


def _carried(frame_bytes: bytes) -> tuple[etree._Element, etree._Element]:
    message = etree.fromstring(frame_bytes)
    return message, message.find(
        f"{_h('controlActProcess')}/{_h('subject')}/{_h('clinicalDocument')}"
    )


def _problems(data: bytes) -> list[fr.FrameProblem]:
    with pytest.raises(FrameInvalid) as caught:
        fr.parse_frame(data)
    return list(caught.value.problems)


def test_build_and_parse_round_trip() -> None:
    replaced = new_oid()
    document, document_oid, set_oid = _document(version=2, replaces=replaced)
    moment = dt.datetime(2025, 5, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=3)))

    data = fr.build_frame(
        document, PARTIES, service_request_code="SP17", message_id="MSG-1", created_at=moment
    )
    parsed = fr.parse_frame(data)

    assert parsed.message_id == "MSG-1"
    assert parsed.created_at == moment
    assert parsed.interaction_id == "RCMR_IN200002FI01"
    assert parsed.parties == PARTIES
    assert parsed.service_request_code == "SP17"
    assert parsed.ids == fr.DocumentIds(document_oid, set_oid, 2, replaced)
    assert parsed.document == document, "the document travels byte for byte"


def test_frame_shape() -> None:
    document, document_oid, set_oid = _document()
    message, carried = _carried(fr.build_frame(document, PARTIES))
    assert etree.QName(message).localname == "RCMR_IN200002FI01"
    assert message.find(_h("interactionId")).get("extension") == "RCMR_IN200002FI01"
    assert message.find(f"{_h('sender')}/{_h('device')}/{_h('id')}").get("root") == "2.999.10.1"
    assert message.find(f"{_h('receiver')}/{_h('device')}/{_h('id')}").get("root") == "2.999.1.1"
    assert message.find(f"{_h('controlActProcess')}/{_h('reasonCode')}").get("code") == "SP17"
    assert carried.find(_h("id")).get("root") == document_oid
    assert carried.find(_h("setId")).get("root") == set_oid
    assert carried.find(_h("versionNumber")).get("value") == "1"
    assert carried.find(_h("text")).get("representation") == "B64"
    assert carried.find(_h("relatedDocument")) is None


@pytest.mark.parametrize(
    ("element", "attribute", "name"),
    [("id", "root", "id"), ("setId", "root", "setId"), ("versionNumber", "value", "versionNumber")],
)
def test_frame_ids_not_matching_the_document(element: str, attribute: str, name: str) -> None:
    document, _, _ = _document()
    message, carried = _carried(fr.build_frame(document, PARTIES))
    carried.find(_h(element)).set(attribute, "7" if attribute == "value" else new_oid())

    problems = _problems(etree.tostring(message))

    assert [problem.kind for problem in problems] == [ProblemKind.MISMATCH]
    assert name in problems[0].message


def test_replaced_id_not_matching_the_document() -> None:
    document, _, _ = _document(version=2, replaces=new_oid())
    message, carried = _carried(fr.build_frame(document, PARTIES))
    carried.find(f"{_h('relatedDocument')}/{_h('parentDocument')}/{_h('id')}").set(
        "root", new_oid()
    )
    problems = _problems(etree.tostring(message))
    assert [problem.kind for problem in problems] == [ProblemKind.MISMATCH]
    assert "replaced" in problems[0].message


def test_a_document_swapped_inside_the_frame_is_caught() -> None:
    document, _, _ = _document()
    other, _, _ = _document()
    message, carried = _carried(fr.build_frame(document, PARTIES))
    carried.find(_h("text")).text = base64.b64encode(other).decode()
    kinds = {problem.kind for problem in _problems(etree.tostring(message))}
    assert kinds == {ProblemKind.MISMATCH}


def test_every_missing_part_is_listed() -> None:
    document, _, _ = _document()
    message, _ = _carried(fr.build_frame(document, PARTIES))
    for path in ("creationTime", f"sender/{_h('device')}", f"controlActProcess/{_h('reasonCode')}"):
        node = message.find(_h(path))
        node.getparent().remove(node)
    messages = [problem.message for problem in _problems(etree.tostring(message))]
    assert messages == [
        "the frame has no valid creationTime",
        "the frame has no sender device",
        "the frame has no service request code",
    ]


def test_not_a_frame_and_hostile_xml() -> None:
    assert _problems(b"<other/>")[0].kind is ProblemKind.STRUCTURE
    assert _problems(b"<<")[0].kind is ProblemKind.STRUCTURE
    hostile = b'<!DOCTYPE x [<!ENTITY e "boom">]><RCMR_IN200002FI01 xmlns="urn:hl7-org:v3"/>'
    assert _problems(hostile)[0].kind is ProblemKind.STRUCTURE


def test_document_that_is_not_base64_or_not_cda() -> None:
    document, _, _ = _document()
    message, carried = _carried(fr.build_frame(document, PARTIES))
    carried.find(_h("text")).text = "***"
    assert _problems(etree.tostring(message))[-1].kind is ProblemKind.DOCUMENT
    carried.find(_h("text")).text = base64.b64encode(b"<x/>").decode()
    assert _problems(etree.tostring(message))[-1].message == "not a CDA ClinicalDocument"


def test_build_refuses_a_document_without_ids() -> None:
    root = cda(new_oid())
    root.remove(root.find(_h("setId")))
    with pytest.raises(FrameInvalid, match="setId"):
        fr.build_frame(etree.tostring(root), PARTIES)


def test_invalidation_flag() -> None:
    root = cda(new_oid())
    assert not fr.document_ids(root).invalidated
    fr.mark_invalidated(root)
    assert fr.document_ids(root).invalidated


def test_acknowledgement_accept_round_trip() -> None:
    data = fr.build_acknowledgement("MSG-1", AckCode.ACCEPT, parties=PARTIES, message_id="ACK-1")
    ack = fr.parse_acknowledgement(data)
    assert ack.accepted
    assert (ack.type_code, ack.message_id, ack.target_message_id) == ("AA", "ACK-1", "MSG-1")
    assert ack.details == ()
    root = etree.fromstring(data)
    assert root.find(_h("interactionId")).get("extension") == "MCCI_IN000002UV01"


def test_acknowledgement_errors_are_numbered() -> None:
    details = [
        AckDetail("version-version-gap", "the version number skips the next expected version"),
        AckDetail("content", "title missing", location="/ClinicalDocument/title"),
    ]
    ack = fr.parse_acknowledgement(
        fr.build_acknowledgement("MSG-2", AckCode.ERROR, details, parties=PARTIES)
    )
    assert not ack.accepted
    assert ack.type_code == "AE"
    assert list(ack.details) == details
    assert ack.numbered() == [
        "1. the version number skips the next expected version",
        "2. title missing",
    ]


def test_reply_without_acknowledgement() -> None:
    with pytest.raises(FrameInvalid):
        fr.parse_acknowledgement(b"<MCCI_IN000002UV01 xmlns='urn:hl7-org:v3'/>")
