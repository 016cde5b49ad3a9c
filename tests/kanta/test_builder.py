"""Building Kanta CDA documents: header, local header, the two forms, versions, hostile input."""

from __future__ import annotations

import base64
import json
from datetime import datetime

import pytest
from lxml import etree

from adapters.kanta.builder import (
    CDA_NS,
    HL7FI_NS,
    XHTML_NS,
    BuildError,
    build_document,
    canonical_json,
    serialize,
    signature_parent,
)
from adapters.kanta.code_tables import default_tables
from tests.kanta.factory import (
    CLIENT_CODE,
    CUSTODIAN,
    FIRST,
    SECOND,
    document,
    second_version,
)

NS = {"cda": CDA_NS, "hl7fi": HL7FI_NS, "x": XHTML_NS}


def build(**overrides: object) -> etree._Element:
    return build_document(document(**overrides), default_tables())


def local(element: etree._Element) -> str:
    qname = etree.QName(element)
    return f"hl7fi:{qname.localname}" if qname.namespace == HL7FI_NS else qname.localname


def display_of(root: etree._Element) -> etree._Element:
    text = root.find("cda:component/cda:nonXMLBody/cda:text", NS)
    return etree.fromstring(base64.b64decode(text.text))


def structured_of(root: etree._Element) -> bytes:
    return base64.b64decode(root.find("cda:component/cda:nonXMLBody/hl7fi:json", NS).text)


def build_error(**overrides: object) -> str:
    with pytest.raises(BuildError) as caught:
        build(**overrides)
    return str(caught.value)


# --- the header -----------------------------------------------------------------------------


def test_header_in_cda_order_with_the_local_header_before_the_body() -> None:
    root = build()
    assert root.tag == f"{{{CDA_NS}}}ClinicalDocument"
    assert root.nsmap == {
        None: CDA_NS,
        "hl7fi": HL7FI_NS,
        "xsi": ("http://www.w3.org/2001/XMLSchema-instance"),
    }
    assert [local(child) for child in root] == [
        "realmCode", "typeId", "id", "code", "title", "effectiveTime", "confidentialityCode",
        "languageCode", "setId", "versionNumber", "recordTarget", "author", "custodian",
        "componentOf", "hl7fi:localSocialHeader", "component",
    ]  # fmt: skip


def test_header_values_come_from_the_document_and_the_tables() -> None:
    root = build()
    assert root.find("cda:realmCode", NS).get("code") == "FI"
    type_id = root.find("cda:typeId", NS)
    assert (type_id.get("root"), type_id.get("extension")) == (
        "2.16.840.1.113883.1.3",
        "POCD_HD000040",
    )
    assert root.find("cda:code", NS).get("code") == "19"
    assert root.find("cda:effectiveTime", NS).get("value") == "20240502103000+0300"
    confidentiality = root.find("cda:confidentialityCode", NS)
    assert confidentiality.get("code") == "6"
    assert confidentiality.get("codeSystem") == "1.2.246.777.5.99902.2006"
    client = root.find("cda:recordTarget/cda:patientRole/cda:id", NS)
    assert (client.get("root"), client.get("extension")) == ("1.2.246.21", CLIENT_CODE)
    author = root.find("cda:author/cda:assignedAuthor/cda:id", NS)
    assert author.get("root") == "1.2.246.537.26"
    custodian = root.find(
        "cda:custodian/cda:assignedCustodian/cda:representedCustodianOrganization/cda:id", NS
    )
    assert custodian.get("root") == CUSTODIAN
    case = root.find("cda:componentOf/cda:encompassingEncounter/cda:id", NS)
    assert (case.get("root"), case.get("extension")) == (CUSTODIAN, "case-1001")


def test_local_social_header_carries_the_type_and_its_metadata() -> None:
    header = signature_parent(build())
    assert header.tag == f"{{{HL7FI_NS}}}localSocialHeader"
    assert [local(child) for child in header] == [
        "hl7fi:documentType", "hl7fi:documentGroup", "hl7fi:fileFormat", "hl7fi:fileFormat",
        "hl7fi:functionCode", "hl7fi:serviceProcess", "hl7fi:recordStatus",
        "hl7fi:registerType", "hl7fi:retentionPeriodClass", "hl7fi:contentSpecificationId",
    ]  # fmt: skip
    document_type = header.find("hl7fi:documentType", NS)
    assert document_type.get("code") == "19013"
    assert document_type.get("codeSystem") == "1.2.246.537.6.1506.201701"
    assert document_type.get("displayName") == "Muu asiakaskertomusmerkintä"
    assert header.find("hl7fi:documentGroup", NS).get("codeSystem") == "1.2.246.537.6.1505.201601"
    function = header.find("hl7fi:functionCode", NS)
    assert function.get("codeSystem") == "1.2.246.537.6.1221.201601"
    assert function.get("code") == "02"
    assert header.find("hl7fi:contentSpecificationId", NS).get("root") == (
        "1.2.246.537.6.1506.19013.2022.1.10"
    )


def test_codes_without_a_known_code_system_are_written_without_one() -> None:
    header = signature_parent(build())
    assert header.find("hl7fi:recordStatus", NS).get("codeSystem") is None
    assert build().find("cda:code", NS).get("codeSystem") is None


def test_display_names_follow_the_document_language() -> None:
    header = signature_parent(build(language="sv"))
    assert header.find("hl7fi:documentType", NS).get("displayName") == (
        "Annan anteckning i en klientjournal"
    )


def test_case_service_task_restrictions_and_case_start() -> None:
    root = build(
        case_id="1.2.246.10.99999999.30.7",
        service_task="01",
        restrictions=("1", "2"),
        case_opened=datetime(2023, 1, 9, 8, 0, tzinfo=document().effective_time.tzinfo),
    )
    encounter = root.find("cda:componentOf/cda:encompassingEncounter", NS)
    case = encounter.find("cda:id", NS)
    assert (case.get("root"), case.get("extension")) == ("1.2.246.10.99999999.30.7", None)
    assert encounter.find("cda:effectiveTime/cda:low", NS).get("value") == "20230109080000+0300"
    header = signature_parent(root)
    assert header.find("hl7fi:functionCode", NS).get("code") == "01"
    assert [r.get("code") for r in header.findall("hl7fi:restrictionArgument", NS)] == ["1", "2"]


def test_unknown_case_start_is_said_so() -> None:
    time = build().find("cda:componentOf/cda:encompassingEncounter/cda:effectiveTime", NS)
    assert time.get("nullFlavor") == "UNK"


# --- versions -------------------------------------------------------------------------------


def test_version_one_is_its_own_set_and_replaces_nothing() -> None:
    root = build()
    assert root.find("cda:id", NS).get("root") == FIRST
    assert root.find("cda:setId", NS).get("root") == FIRST
    assert root.find("cda:versionNumber", NS).get("value") == "1"
    assert root.find("cda:relatedDocument", NS) is None


def test_version_two_keeps_the_set_and_replaces_version_one() -> None:
    root = build_document(second_version(), default_tables())
    assert root.find("cda:id", NS).get("root") == SECOND
    assert root.find("cda:setId", NS).get("root") == FIRST
    assert root.find("cda:versionNumber", NS).get("value") == "2"
    related = root.find("cda:relatedDocument", NS)
    assert related.get("typeCode") == "RPLC"
    assert related.find("cda:parentDocument/cda:id", NS).get("root") == FIRST
    assert related.find("cda:parentDocument/cda:versionNumber", NS).get("value") == "1"
    assert root.find("cda:component/cda:nonXMLBody", NS).get("ID") == f"OID{SECOND}"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"set_oid": SECOND}, "set_oid: must equal document_oid on version 1"),
        ({"replaces_oid": SECOND}, "replaces_oid: version 1 replaces nothing"),
        ({"version": 2, "replaces_oid": FIRST}, "document_oid: a new version needs an id"),
        ({"document_oid": SECOND, "version": 2}, "replaces_oid: a version after 1 must name"),
        ({"version": 0}, "version: must be 1 or more"),
        ({"document_oid": "not-an-oid"}, "document_oid: not an OID"),
    ],
)
def test_inconsistent_versions_are_refused(overrides: dict[str, object], field: str) -> None:
    assert field in build_error(**overrides)


# --- the display form -----------------------------------------------------------------------


def test_display_form_is_a_complete_xhtml_document() -> None:
    html = display_of(build(title="Genogrammi <luonnos> & muut"))
    assert html.tag == f"{{{XHTML_NS}}}html"
    assert html.get("lang") == "fi"
    assert html.find("x:head/x:title", NS).text == "Genogrammi <luonnos> & muut"
    body = html.find("x:body", NS)
    assert [etree.QName(e).localname for e in body] == ["h1", "p"]
    assert body.find("x:p", NS).text == "Perhe & verkosto: "


def test_display_form_keeps_inline_svg() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4"/></svg>'
    body = display_of(build(display_xhtml=f"<figure>{svg}</figure>")).find("x:body", NS)
    assert body.find("x:figure/{http://www.w3.org/2000/svg}svg", NS) is not None


@pytest.mark.parametrize(
    ("fragment", "reason"),
    [
        ('<!DOCTYPE x [<!ENTITY e "boom">]><p>&e;</p>', "not well-formed"),
        ("<p>&nbsp;</p>", "not well-formed"),
        ('<p>&xxe;</p><!ENTITY xxe SYSTEM "file:///etc/passwd">', "not well-formed"),
        ("</body><body><p>second</p>", "not well-formed"),
        ("<p>unclosed", "not well-formed"),
        ("<script>alert(1)</script>", "element script is not allowed"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>', "script"),
        ('<p onclick="x()">hi</p>', "event handler"),
        ('<a href=" javascript:x()">hi</a>', "script or data URLs"),
        ('<img src="data:text/html;base64,AAAA" alt=""/>', "script or data URLs"),
        ("<iframe/>", "element iframe is not allowed"),
    ],
)
def test_hostile_display_fragments_are_refused(fragment: str, reason: str) -> None:
    message = build_error(display_xhtml=fragment)
    assert message.startswith("display_xhtml:")
    assert reason in message


# --- the structured form --------------------------------------------------------------------


def test_structured_form_is_canonical_utf8_json() -> None:
    family = dict(document().structured["genogram"], note="Isä ja äiti, 2 lasta")
    structured = {"genogram": family}
    payload = structured_of(build(structured=structured))
    assert payload == canonical_json(structured)
    assert json.loads(payload) == structured
    assert '"note":"Isä ja äiti, 2 lasta"'.encode() in payload  # raw UTF-8, compact
    keys = list(json.loads(payload)["genogram"])
    assert keys == sorted(keys)


def test_structured_form_must_match_its_schema() -> None:
    message = build_error(structured={"genogram": {"persons": "Matti Meikäläinen 1.2.1950"}})
    assert "structured: does not match content specification" in message
    assert "$.genogram: missing required member index_person" in message
    assert "$.genogram.persons: must be of type array" in message
    assert "Meikäläinen" not in message  # the value is never echoed


def test_structured_form_must_be_json() -> None:
    assert "structured: not representable as JSON" in build_error(
        structured={"genogram": float("nan")}
    )
    assert "structured: not representable as JSON" in build_error(structured={"when": datetime.now})


def test_identity_code_never_appears_in_build_errors() -> None:
    message = build_error(structured={"genogram": {"index_person": CLIENT_CODE, "persons": []}})
    assert CLIENT_CODE not in message


# --- other refusals -------------------------------------------------------------------------


def test_unknown_codes_are_refused() -> None:
    assert "document type '99999'" in build_error(type_code="99999")
    assert "service_tasks.json" in build_error(service_task="77")
    assert "confidentiality.json" in build_error(confidentiality_code="9")
    assert "restriction_grounds.json" in build_error(restrictions=("x",))


def test_times_must_be_aware() -> None:
    assert "effective_time: must be timezone-aware" in build_error(
        effective_time=datetime(2024, 5, 2, 10, 30)
    )


def test_header_text_that_xml_cannot_carry_is_refused() -> None:
    assert "title: contains characters XML cannot carry" in build_error(title="bell \x07")
    author = document().author
    message = build_error(author=type(author)("98\x0076", author.given_names, author.family_name))
    assert message == "a header value contains characters XML cannot carry"


# --- serialisation --------------------------------------------------------------------------


def test_serialised_with_utf8_declaration_and_lf_only() -> None:
    data = serialize(build(title="Rivi 1\r\nRivi 2\rRivi 3", custodian_name="Alue\r\n"))
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<ClinicalDocument")
    assert b"\r" not in data
    assert b"<title>Rivi 1\nRivi 2\nRivi 3</title>" in data
    assert "Työntekijä".encode() in data  # UTF-8, not character references


def test_serialisation_round_trips() -> None:
    root = build()
    assert serialize(etree.fromstring(serialize(root))) == serialize(root)
