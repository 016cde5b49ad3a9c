"""Validating serialised Kanta documents: built ones pass, each kind of damage gets its rule."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date

import pytest
from lxml import etree

from adapters.kanta.builder import CDA_NS, HL7FI_NS, build_document, serialize
from adapters.kanta.code_tables import default_tables
from adapters.kanta.validation import (
    RULES,
    Problem,
    identity_code_problem,
    is_test_identity_code,
    validate,
)
from reference_record_system.seed import identity_code
from tests.kanta.factory import (
    CLIENT_CODE,
    FIRST,
    SECOND,
    document,
    non_test_identity_code,
    second_version,
)

NS = {"cda": CDA_NS, "hl7fi": HL7FI_NS}
BODY = "cda:component/cda:nonXMLBody"


def built(version: int = 1) -> etree._Element:
    doc = document() if version == 1 else second_version()
    return build_document(doc, default_tables())


def problems_of(
    change: Callable[[etree._Element], object], *, production: bool = False, version: int = 1
) -> list[Problem]:
    root = built(version)
    change(root)
    return validate(serialize(root), production=production)


def numbers(problems: list[Problem]) -> set[int]:
    return {p.number for p in problems}


def only(problems: list[Problem], number: int) -> Problem:
    matching = [p for p in problems if p.number == number]
    assert len(matching) == 1, problems
    return matching[0]


def assert_no_client_data(problems: list[Problem]) -> None:
    for problem in problems:
        text = f"{problem.location} {problem.message}"
        assert CLIENT_CODE not in text
        assert "Testinen" not in text and "Aino" not in text


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- acceptable documents -------------------------------------------------------------------


@pytest.mark.parametrize("production", [False, True])
def test_a_built_document_validates(production: bool) -> None:
    assert validate(serialize(built()), production=production) == []


def test_version_two_with_rplc_validates() -> None:
    assert validate(serialize(built(version=2)), production=False) == []


def test_every_document_type_builds_and_validates_with_its_structure() -> None:
    # The smallest structure each local schema accepts (see json_schemas/).
    person = {"sukunimi": "Testinen", "etunimet": "Aino"}
    entry = {
        "asiakas": [person],
        "asiakaskertomusmerkinta": {
            "palvelutehtava": {
                "system": "urn:oid:1.2.246.537.6.1221",
                "code": "02",
                "display": "Lastensuojelu",
            }
        },
        "laatija": person,
    }
    with_code = [dict(person, henkilotunnus={"value": CLIENT_CODE})]
    structures = {
        "4009": {"lastensuojeluilmoitus": {"asiakas": person, "asiasisalto": {}}},
        "1006": {
            "lastensuojeluilmoituksen_arvio": {
                "asiakas": person,
                "aiemmat_ilmoitukset_ja_yhteydenotot": False,
                "toimenpiteet": {},
                "arvio_asian_kiireellisyydesta": {},
                "laatija": {},
            }
        },
        "1005": {
            "lapsen_ja_perheen_palvelutarpeen_arvio": {"asiakas": with_code, "laatija": person}
        },
        "15009": {"asiakassuunnitelma": {}},
        "15026": {
            "lastensuojelun_toteuttamissuunnitelma": {
                "asiakas": with_code,
                "suunnitelma": {},
                "laatija": person,
            }
        },
        "11002": {
            "lastensuojelun_palvelu__tai_tukitoimipaatos": {
                "asiakas": with_code,
                "paatos": {},
                "allekirjoitus": {},
            }
        },
        "11023": {
            "paatos_lapsen_huostaanotosta_ja_sijaishuollosta": dict(
                {
                    name: {}
                    for name in default_tables().json_schema("1.2.246.537.6.1506.11023.2023.5.31")[
                        "properties"
                    ]["paatos_lapsen_huostaanotosta_ja_sijaishuollosta"]["required"]
                },
                asiakas=person,
                paatospaivamaara="2024-05-02",
                ratkaisu="Päätös",
            )
        },
        "19005": {"merkinta_tapaamisesta_tai_yhteydenotosta": entry},
        "19013": {"muu_asiakaskertomusmerkinta": entry},
    }
    assert set(structures) == {t.code for t in default_tables().document_types()}
    for code, structured in structures.items():
        root = build_document(document(type_code=code, structured=structured), default_tables())
        assert validate(serialize(root), production=False) == [], code


def test_a_signed_document_validates() -> None:
    signing = pytest.importorskip("adapters.kanta.signing")
    key, certificate = signing.generate_test_certificate()

    class Keys:
        def private_key(self) -> object:
            return key

        def certificate_chain(self) -> list[object]:
            return [certificate]

    signed = serialize(signing.sign(built(), Keys()))
    assert validate(signed, production=False) == []
    assert signing.verify(signed, [certificate]).certificate == certificate


# --- wrong roots and codes ------------------------------------------------------------------


def test_wrong_client_root() -> None:
    found = problems_of(
        lambda r: r.find("cda:recordTarget/cda:patientRole/cda:id", NS).set("root", "1.2.246.1")
    )
    problem = only(found, 10)
    assert problem.location == "/ClinicalDocument/recordTarget/patientRole/id[1]/@root"
    assert problem.message == "must be 1.2.246.21 (identity code)"
    assert_no_client_data(found)


def test_wrong_author_root() -> None:
    found = problems_of(
        lambda r: r.find("cda:author/cda:assignedAuthor/cda:id", NS).set("root", "1.2.246.537.27")
    )
    assert only(found, 11).location == "/ClinicalDocument/author/assignedAuthor/id[1]/@root"


def test_wrong_type_id_root_and_realm() -> None:
    def change(root: etree._Element) -> None:
        root.find("cda:typeId", NS).set("root", "2.16.840.1.113883.1.4")
        root.find("cda:realmCode", NS).set("code", "SE")

    found = problems_of(change)
    assert {(p.number, p.location) for p in found} == {
        (5, "/ClinicalDocument/typeId/@root"),
        (5, "/ClinicalDocument/realmCode/@code"),
    }


def test_wrong_code_systems() -> None:
    def change(root: etree._Element) -> None:
        root.find("cda:confidentialityCode", NS).set("codeSystem", "1.2.3")
        header = root.find("hl7fi:localSocialHeader", NS)
        header.find("hl7fi:documentType", NS).set("codeSystem", "1.2.246.537.6.1505.201601")
        header.find("hl7fi:functionCode", NS).set("codeSystem", "1.2.246.537.6.1506.201701")

    found = problems_of(change)
    assert numbers(found) == {9}
    locations = {p.location for p in found}
    assert locations == {
        "/ClinicalDocument/confidentialityCode/@codeSystem",
        "/ClinicalDocument/hl7fi:localSocialHeader/hl7fi:documentType/@codeSystem",
        "/ClinicalDocument/hl7fi:localSocialHeader/hl7fi:functionCode/@codeSystem",
    }


def test_unknown_codes_and_mismatched_general_type() -> None:
    def change(root: etree._Element) -> None:
        root.find("cda:code", NS).set("code", "11")
        root.find("hl7fi:localSocialHeader/hl7fi:retentionPeriodClass", NS).set("code", "ZZ")

    found = problems_of(change)
    messages = {p.location: p.message for p in found if p.number == 9}
    assert messages["/ClinicalDocument/code/@code"].startswith("must be the general type 19")
    assert messages[
        "/ClinicalDocument/hl7fi:localSocialHeader/hl7fi:retentionPeriodClass/@code"
    ] == ("not a code of retention_classes")


def test_unknown_document_type() -> None:
    found = problems_of(
        lambda r: r.find("hl7fi:localSocialHeader/hl7fi:documentType", NS).set("code", "99999")
    )
    assert only(found, 9).message == "not a document type in the tables"


# --- ids and versions -----------------------------------------------------------------------


def test_set_id_must_equal_id_on_version_one() -> None:
    found = problems_of(lambda r: r.find("cda:setId", NS).set("root", SECOND))
    problem = only(found, 6)
    assert (problem.location, problem.message) == (
        "/ClinicalDocument/setId/@root",
        "must equal id/@root on version 1",
    )


def test_version_two_needs_its_own_id() -> None:
    found = problems_of(lambda r: r.find("cda:id", NS).set("root", FIRST), version=2)
    assert only(found, 6).location == "/ClinicalDocument/id/@root"


def test_version_two_needs_rplc() -> None:
    found = problems_of(lambda r: r.remove(r.find("cda:relatedDocument", NS)), version=2)
    assert only(found, 7).message == (
        "a version after 1 needs exactly one relatedDocument typeCode=RPLC"
    )


def test_rplc_must_point_at_the_previous_version() -> None:
    def change(root: etree._Element) -> None:
        parent = root.find("cda:relatedDocument/cda:parentDocument", NS)
        parent.find("cda:id", NS).set("root", SECOND)
        parent.find("cda:versionNumber", NS).set("value", "5")

    found = problems_of(change, version=2)
    assert {p.message for p in found if p.number == 7} == {
        "a version cannot replace itself",
        "must be this version number minus 1",
    }


def test_body_id_must_name_the_document() -> None:
    found = problems_of(lambda r: r.find(BODY, NS).set("ID", f"OID{SECOND}"))
    problem = only(found, 8)
    assert problem.location == "/ClinicalDocument/component/nonXMLBody/@ID"
    assert problem.message == "must be 'OID' followed by id/@root"


# --- identity codes -------------------------------------------------------------------------


def set_client_code(code: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        root.find("cda:recordTarget/cda:patientRole/cda:id", NS).set("extension", code)

    return change


def test_non_test_identity_code_in_a_test_environment() -> None:
    code = non_test_identity_code()
    found = problems_of(set_client_code(code))
    problem = only(found, 13)
    assert problem.location == "/ClinicalDocument/recordTarget/patientRole/id[1]/@extension"
    assert "900-999" in problem.message
    assert all(code not in f"{p.location} {p.message}" for p in found)
    assert problems_of(set_client_code(code), production=True) == []


def test_identity_code_with_a_wrong_check_character() -> None:
    wrong = CLIENT_CODE[:-1] + ("A" if CLIENT_CODE[-1] != "A" else "B")
    found = problems_of(set_client_code(wrong), production=True)
    assert (
        only(found, 12).message == "not a valid identity code: the check character does not match"
    )
    assert_no_client_data(found)


def test_identity_codes_inside_the_structured_form_are_checked_too() -> None:
    code = non_test_identity_code()
    person = {"sukunimi": "Testinen", "etunimet": "Aino", "henkilotunnus": {"value": code}}
    structured = {
        "genogram": document().structured["genogram"],
        "muu_asiakaskertomusmerkinta": {
            "asiakas": [person],
            "asiakaskertomusmerkinta": {
                "palvelutehtava": {
                    "system": "urn:oid:1.2.246.537.6.1221",
                    "code": "02",
                    "display": "x",
                }
            },
            "laatija": {"sukunimi": "Työntekijä", "etunimet": "Demo"},
        },
    }
    data = serialize(build_document(document(structured=structured), default_tables()))
    problem = only(validate(data, production=False), 13)
    assert problem.location.endswith("hl7fi:json $.muu_asiakaskertomusmerkinta.asiakas[0]"
                                     ".henkilotunnus.value")  # fmt: skip


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (identity_code(date(2014, 5, 12), 902), None),
        (identity_code(date(1986, 3, 14), 904), None),
        (non_test_identity_code(), None),
        ("120514A902", "not in the form DDMMYYCNNNX"),
        ("310214A902X", "the birth date part is not a real date"),
        ("120514A001X", "individual numbers 000 and 001 are not used"),
    ],
)
def test_identity_code_rules(code: str, reason: str | None) -> None:
    assert identity_code_problem(code) == reason


def test_new_century_signs_are_accepted() -> None:
    # Since 2023 Y, X, W, V, U also mean the 1900s and B-F the 2000s.
    ordinary = identity_code(date(1986, 3, 14), 904)
    assert identity_code_problem(ordinary.replace("-", "Y")) is None
    later = identity_code(date(2014, 5, 12), 902)
    assert identity_code_problem(later.replace("A", "B", 1)) is None
    assert is_test_identity_code(later)
    assert not is_test_identity_code(non_test_identity_code())


# --- the forms ------------------------------------------------------------------------------


def test_broken_base64_in_the_structured_form() -> None:
    found = problems_of(lambda r: setattr(r.find(f"{BODY}/hl7fi:json", NS), "text", "e30=!!"))
    problem = only(found, 14)
    assert problem.location == "/ClinicalDocument/component/nonXMLBody/hl7fi:json"
    assert problem.message == "the structured form is not valid Base64"


def test_broken_base64_in_the_display_form() -> None:
    found = problems_of(lambda r: setattr(r.find(f"{BODY}/cda:text", NS), "text", "PGh0bWw+*"))
    assert only(found, 14).message == "the display form is not valid Base64"


def test_broken_json() -> None:
    found = problems_of(
        lambda r: setattr(r.find(f"{BODY}/hl7fi:json", NS), "text", b64(b'{"genogram": '))
    )
    assert only(found, 16).message == "the structured form is not UTF-8 JSON"
    assert numbers(found) == {16}


def test_json_not_matching_its_schema() -> None:
    structured = b'{"genogram":{"index_person":"p1","persons":[{"id":"Matti Meikalainen"}]}}'
    found = problems_of(
        lambda r: setattr(r.find(f"{BODY}/hl7fi:json", NS), "text", b64(structured))
    )
    problem = only(found, 17)
    assert problem.location == (
        "/ClinicalDocument/component/nonXMLBody/hl7fi:json $.genogram.persons[0].id"
    )
    assert problem.message == "not in the required form"
    assert "Meikalainen" not in problem.message


def test_display_form_must_be_xhtml() -> None:
    html = b"<html><body><p>no namespace, no head</p></body></html>"
    found = problems_of(lambda r: setattr(r.find(f"{BODY}/cda:text", NS), "text", b64(html)))
    assert only(found, 15).message == "the display form's root must be an XHTML html element"


def test_display_form_with_a_dtd_is_refused() -> None:
    html = b'<!DOCTYPE html [<!ENTITY x "y">]><html xmlns="http://www.w3.org/1999/xhtml"/>'
    found = problems_of(lambda r: setattr(r.find(f"{BODY}/cda:text", NS), "text", b64(html)))
    assert only(found, 15).message == "the display form is not acceptable XML (dtd)"


# --- bytes and structure --------------------------------------------------------------------


def test_crlf_line_endings() -> None:
    data = serialize(built()).replace(b"\n", b"\r\n")
    problem = only(validate(data, production=False), 2)
    assert (problem.location, problem.message) == (
        "line 1",
        "carriage return found: line endings must be LF only",
    )


def test_missing_xml_declaration() -> None:
    data = serialize(built()).split(b"\n", 1)[1]
    found = validate(data, production=False)
    assert only(found, 1).message == (
        "the XML declaration is missing (it must come first, with encoding UTF-8)"
    )
    assert numbers(found) == {1}


def test_declaration_must_say_utf8() -> None:
    data = serialize(built()).replace(b"encoding='UTF-8'", b"encoding='ISO-8859-1'", 1)
    assert only(validate(data, production=False), 1).message == (
        "the XML declaration must name encoding UTF-8"
    )


def test_local_social_header_in_the_wrong_place() -> None:
    def change(root: etree._Element) -> None:
        root.find("cda:custodian", NS).addnext(root.find("hl7fi:localSocialHeader", NS))

    found = problems_of(change)
    header = "/ClinicalDocument/hl7fi:localSocialHeader"
    assert {(p.number, p.location, p.message) for p in found if p.number == 18} == {
        (18, header, "must come directly after componentOf"),
        (18, header, "must come directly before component"),
    }
    schema = only(found, 4)  # the XSD says the same in its words
    assert schema.location == header
    assert "This element is not expected" in schema.message


def test_missing_local_social_header() -> None:
    found = problems_of(lambda r: r.remove(r.find("hl7fi:localSocialHeader", NS)))
    assert only(found, 18).message == "exactly one is required, found 0"


def test_schema_messages_mask_values() -> None:
    found = problems_of(lambda r: r.find("cda:versionNumber", NS).set("value", "Aino-Testinen"))
    problem = only(found, 4)
    assert problem.location == "/ClinicalDocument/versionNumber"
    assert "'…'" in problem.message and "xs:positiveInteger" in problem.message
    assert_no_client_data(found)


def test_dtd_stops_validation_at_parsing() -> None:
    data = serialize(built()).replace(
        b"\n<ClinicalDocument", b'\n<!DOCTYPE x [<!ENTITY e "boom">]>\n<ClinicalDocument', 1
    )
    found = validate(data, production=False)
    assert [(p.number, p.message) for p in found] == [
        (3, "not acceptable XML (dtd): a DOCTYPE is not allowed")
    ]


def test_not_a_clinical_document() -> None:
    found = validate(b"<?xml version='1.0' encoding='UTF-8'?>\n<x/>", production=False)
    assert [p.number for p in found] == [3]


def test_every_rule_is_described() -> None:
    assert sorted(RULES) == list(range(1, 19))
    assert str(Problem(8, "/a", "b")) == "[8] /a: b"
