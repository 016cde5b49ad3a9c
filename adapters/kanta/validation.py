"""Check a serialised Kanta CDA document before it goes to the archive (or when one comes back).

:func:`validate` returns every problem found, each with a stable rule number (:data:`RULES`),
an XPath-like location and an English message for admins and the archive-exchange log.
Messages never carry client data: no identity codes, names or content, only where and which
rule (schema messages have their quoted values masked).

Checked: the bytes (XML declaration with UTF-8, no CR), well-formedness through the hardened
parser, the local XSD (``schemas/cda_subset.xsd`` with ``schemas/hl7finland.xsd``), and what a
schema cannot say: id and setId per version, the RPLC link, the body ID, the roots and code
systems against the code tables, the identity code's check character (and, outside production,
that it is a test code: individual number 900-999), the place of the local header, and the two
forms (Base64, XHTML, JSON, the content specification's JSON schema).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from adapters.kanta.builder import (
    BODY_ID_PREFIX,
    CDA_NS,
    HL7FI_NS,
    REALM,
    TYPE_ID_EXTENSION,
    XHTML_MEDIA_TYPE,
    XHTML_NS,
)
from adapters.kanta.code_tables import CodeTables, UnknownCode, default_tables
from plugin_host.xml_safety import XmlRejected, parse_untrusted_xml

SCHEMA_PATH = Path(__file__).with_name("schemas") / "cda_subset.xsd"
NS = {"cda": CDA_NS, "hl7fi": HL7FI_NS}

RULES: dict[int, str] = {
    1: "XML declaration with UTF-8 encoding, first in the document",
    2: "line endings LF only (no CR)",
    3: "well-formed XML the hardened parser accepts",
    4: "conforms to the local CDA subset and Finnish extension XSD",
    5: "realmCode and typeId as CDA R2 requires",
    6: "id and setId according to the version number",
    7: "relatedDocument RPLC pointing at the replaced version",
    8: "nonXMLBody ID is OID followed by the document id",
    9: "codes and code systems as in the code tables",
    10: "client id under the identity code root",
    11: "author id under the professional register root",
    12: "identity code well formed with a valid check character",
    13: "outside production only test identity codes (individual number 900-999)",
    14: "Base64 content decodes",
    15: "display form is a complete XHTML document",
    16: "structured form is UTF-8 JSON",
    17: "structured form matches its content specification's JSON schema",
    18: "localSocialHeader directly after componentOf and before component",
}


@dataclass(frozen=True)
class Problem:
    """One finding: ``number`` is the rule (see :data:`RULES`), ``location`` where it is."""

    number: int
    location: str
    message: str

    def __str__(self) -> str:
        return f"[{self.number}] {self.location}: {self.message}"


def validate(data: bytes, *, production: bool, tables: CodeTables | None = None) -> list[Problem]:
    """Every problem of the serialised document ``data``; an empty list means acceptable."""
    tables = tables or default_tables()
    problems = list(_byte_rules(data))
    try:
        root = parse_untrusted_xml(data)
    except XmlRejected as exc:
        problems.append(Problem(3, "/", f"not acceptable XML ({exc.kind}): {exc}"))
        return problems
    if root.tag != f"{{{CDA_NS}}}ClinicalDocument":
        problems.append(Problem(3, "/", "the root element is not a CDA ClinicalDocument"))
        return problems
    problems.extend(_schema_problems(root))
    checks = _Checks(root, tables, production)
    problems.extend(checks.run())
    return sorted(problems, key=lambda p: p.number)


# --- bytes ----------------------------------------------------------------------------------

_DECLARATION = re.compile(
    rb"""<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(\s+encoding\s*=\s*(["'])([A-Za-z0-9._-]+)\3)?"""
)


def _byte_rules(data: bytes) -> Iterator[Problem]:
    match = _DECLARATION.match(data)
    if match is None:
        yield Problem(
            1, "/", "the XML declaration is missing (it must come first, with encoding UTF-8)"
        )
    elif match.group(4) is None or match.group(4).upper() != b"UTF-8":
        yield Problem(1, "/", "the XML declaration must name encoding UTF-8")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield Problem(1, f"byte {exc.start}", "the document is not valid UTF-8")
    if b"\r" in data:
        line = data.count(b"\n", 0, data.index(b"\r")) + 1
        yield Problem(2, f"line {line}", "carriage return found: line endings must be LF only")


# --- XSD ------------------------------------------------------------------------------------


@cache
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser))


# The schema keeps the last run's errors on itself: one validation at a time.
_SCHEMA_LOCK = threading.Lock()

_QUOTED = re.compile(r"(\w+\s)?'([^']*)'")
_KEEP_AFTER = {"element", "attribute", "facet", "pattern", "type"}


def _masked(message: str) -> str:
    """libxml2's message with quoted values masked; element, attribute and type names stay."""

    def replace(match: re.Match[str]) -> str:
        word = (match.group(1) or "").strip().lower()
        quoted = match.group(2)
        if quoted.startswith("{") or word in _KEEP_AFTER:
            return match.group(0)
        return f"{match.group(1) or ''}'…'"

    return _QUOTED.sub(replace, message.strip())


def _schema_problems(root: etree._Element) -> list[Problem]:
    schema = _schema()
    with _SCHEMA_LOCK:
        if schema.validate(root):
            return []
        errors = [(e.path or "/", e.message) for e in schema.error_log]
    return [Problem(4, _readable_path(root, path), _masked(message)) for path, message in errors]


def _readable_path(root: etree._Element, path: str) -> str:
    """libxml2's node path (``/*/*[10]``) as element names (``/ClinicalDocument/versionNumber``)."""
    try:
        found = root.getroottree().xpath(path, namespaces={"hl7fi": HL7FI_NS})
    except etree.XPathError:
        return path
    if not found or not isinstance(found[0], etree._Element):
        return path
    return element_path(found[0])


def element_path(element: etree._Element) -> str:
    """An XPath-like location: CDA names bare, Finnish ones as hl7fi:, [n] among namesakes."""
    steps = []
    node: etree._Element | None = element
    while node is not None:
        qname = etree.QName(node)
        name = f"hl7fi:{qname.localname}" if qname.namespace == HL7FI_NS else qname.localname
        parent = node.getparent()
        if parent is not None:
            namesakes = [c for c in parent if c.tag == node.tag]
            if len(namesakes) > 1:
                name += f"[{namesakes.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))


# --- rules a schema cannot say --------------------------------------------------------------

_IDENTITY_CODE = re.compile(r"^([0-9]{6})([-+A-FU-Y])([0-9]{3})([0-9A-Y])\Z")
_CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}


def identity_code_problem(code: str) -> str | None:
    """Why ``code`` is not a well-formed identity code, or None (never quotes the code)."""
    match = _IDENTITY_CODE.match(code)
    if match is None:
        return "not in the form DDMMYYCNNNX"
    birth, sign, number, check = match.groups()
    try:
        date(_CENTURIES[sign] + int(birth[4:]), int(birth[2:4]), int(birth[:2]))
    except ValueError:
        return "the birth date part is not a real date"
    if int(number) < 2:
        return "individual numbers 000 and 001 are not used"
    if _CHECK_CHARACTERS[int(birth + number) % 31] != check:
        return "the check character does not match"
    return None


def is_test_identity_code(code: str) -> bool:
    """Individual number 900-999: temporary and test identity codes."""
    match = _IDENTITY_CODE.match(code)
    return match is not None and int(match.group(3)) >= 900


class _Checks:
    """The value rules over one parsed document; each method yields its problems."""

    def __init__(self, root: etree._Element, tables: CodeTables, production: bool) -> None:
        self.root = root
        self.tables = tables
        self.production = production
        self.problems: list[Problem] = []

    def run(self) -> list[Problem]:
        for check in (
            self._header_infrastructure,
            self._identity_and_versions,
            self._body_id,
            self._codes,
            self._parties,
            self._header_position,
            self._forms,
        ):
            check()
        return self.problems

    def add(self, number: int, location: str, message: str) -> None:
        self.problems.append(Problem(number, location, message))

    def find(self, path: str) -> etree._Element | None:
        return self.root.find(path, NS)

    # 5
    def _header_infrastructure(self) -> None:
        realm = self.find("cda:realmCode")
        if realm is not None and realm.get("code") != REALM:
            self.add(5, "/ClinicalDocument/realmCode/@code", f"must be {REALM}")
        type_id = self.find("cda:typeId")
        if type_id is not None:
            expected_root = self.tables.code_system("cda_type_id").oid
            if type_id.get("root") != expected_root:
                self.add(5, "/ClinicalDocument/typeId/@root", f"must be {expected_root}")
            if type_id.get("extension") != TYPE_ID_EXTENSION:
                self.add(5, "/ClinicalDocument/typeId/@extension", f"must be {TYPE_ID_EXTENSION}")

    # 6, 7
    def _identity_and_versions(self) -> None:
        doc_id = _attr(self.find("cda:id"), "root")
        set_id = _attr(self.find("cda:setId"), "root")
        version_text = _attr(self.find("cda:versionNumber"), "value")
        if doc_id is None or set_id is None or version_text is None:
            return  # the XSD has said what is missing
        try:
            version = int(version_text)
        except ValueError:
            return  # the XSD has said so
        related = self.root.findall("cda:relatedDocument", NS)
        replaces = [r for r in related if r.get("typeCode") == "RPLC"]
        if version == 1:
            if doc_id != set_id:
                self.add(6, "/ClinicalDocument/setId/@root", "must equal id/@root on version 1")
            if replaces:
                self.add(7, "/ClinicalDocument/relatedDocument", "version 1 replaces nothing")
            return
        if doc_id == set_id:
            self.add(
                6,
                "/ClinicalDocument/id/@root",
                "a version after 1 needs an id of its own, different from setId",
            )
        if len(replaces) != 1:
            self.add(
                7,
                "/ClinicalDocument/relatedDocument",
                "a version after 1 needs exactly one relatedDocument typeCode=RPLC",
            )
            return
        parent = replaces[0].find("cda:parentDocument", NS)
        parent_id = _attr(None if parent is None else parent.find("cda:id", NS), "root")
        where = "/ClinicalDocument/relatedDocument/parentDocument"
        if parent_id is None:
            self.add(7, f"{where}/id/@root", "the replaced version's id is missing")
        elif parent_id == doc_id:
            self.add(7, f"{where}/id/@root", "a version cannot replace itself")
        parent_set = _attr(None if parent is None else parent.find("cda:setId", NS), "root")
        if parent_set is not None and parent_set != set_id:
            self.add(7, f"{where}/setId/@root", "the replaced version belongs to another set")
        parent_version = _attr(
            None if parent is None else parent.find("cda:versionNumber", NS), "value"
        )
        if parent_version is not None and parent_version != str(version - 1):
            self.add(7, f"{where}/versionNumber/@value", "must be this version number minus 1")

    # 8
    def _body_id(self) -> None:
        body = self.find("cda:component/cda:nonXMLBody")
        doc_id = _attr(self.find("cda:id"), "root")
        if body is None or doc_id is None:
            return
        if body.get("ID") != BODY_ID_PREFIX + doc_id:
            self.add(
                8,
                "/ClinicalDocument/component/nonXMLBody/@ID",
                f"must be '{BODY_ID_PREFIX}' followed by id/@root",
            )

    # 9
    def _codes(self) -> None:
        tables = self.tables
        self._system(
            self.find("cda:confidentialityCode"),
            "confidentiality",
            "/ClinicalDocument/confidentialityCode",
        )
        self._known(
            self.find("cda:confidentialityCode"),
            "confidentiality",
            "/ClinicalDocument/confidentialityCode",
        )
        header = self.find("hl7fi:localSocialHeader")
        if header is None:
            return
        where = "/ClinicalDocument/hl7fi:localSocialHeader"
        type_element = header.find("hl7fi:documentType", NS)
        self._system(type_element, "specific_document_type", f"{where}/hl7fi:documentType")
        dtype = None
        if type_element is not None:
            try:
                dtype = tables.document_type(type_element.get("code", ""))
            except UnknownCode:
                self.add(
                    9, f"{where}/hl7fi:documentType/@code", "not a document type in the tables"
                )
        for name, list_name in (
            ("documentGroup", "document_groups"),
            ("fileFormat", "file_formats"),
            ("functionCode", "service_tasks"),
            ("serviceProcess", "service_processes"),
            ("recordStatus", "record_statuses"),
            ("registerType", "register_types"),
            ("retentionPeriodClass", "retention_classes"),
            ("restrictionArgument", "restriction_grounds"),
        ):
            system_key = tables.code_list_system(list_name).key
            for element in header.findall(f"hl7fi:{name}", NS):
                self._system(element, system_key, f"{where}/hl7fi:{name}")
                self._known(element, list_name, f"{where}/hl7fi:{name}")
        spec = _attr(header.find("hl7fi:contentSpecificationId", NS), "root")
        if dtype is None:
            return
        code = self.find("cda:code")
        if code is not None:
            self._system(code, dtype.general_type.system.key, "/ClinicalDocument/code")
            if code.get("code") != dtype.general_type.code:
                self.add(
                    9,
                    "/ClinicalDocument/code/@code",
                    f"must be the general type {dtype.general_type.code} of document type "
                    f"{dtype.code}",
                )
        if spec is not None and spec != dtype.content_specification_id:
            self.add(
                9,
                f"{where}/hl7fi:contentSpecificationId/@root",
                f"document type {dtype.code} has content specification "
                f"{dtype.content_specification_id}",
            )

    def _system(self, element: etree._Element | None, key: str, where: str) -> None:
        if element is None:
            return
        expected = self.tables.code_system(key).oid
        actual = element.get("codeSystem")
        if expected is not None and actual != expected:
            self.add(9, f"{where}/@codeSystem", f"must be {expected} ({key})")

    def _known(self, element: etree._Element | None, list_name: str, where: str) -> None:
        if element is None:
            return
        try:
            self.tables.code(list_name, element.get("code", ""))
        except UnknownCode:
            self.add(9, f"{where}/@code", f"not a code of {list_name}")

    # 10-13
    def _parties(self) -> None:
        identity_root = self.tables.code_system("identity_code").oid
        for index, element in enumerate(
            self.root.findall("cda:recordTarget/cda:patientRole/cda:id", NS), start=1
        ):
            where = f"/ClinicalDocument/recordTarget/patientRole/id[{index}]"
            if element.get("root") != identity_root:
                self.add(10, f"{where}/@root", f"must be {identity_root} (identity code)")
                continue
            self._identity_code(element.get("extension") or "", f"{where}/@extension")
        professional_root = self.tables.code_system("professional_id").oid
        for index, element in enumerate(
            self.root.findall("cda:author/cda:assignedAuthor/cda:id", NS), start=1
        ):
            if element.get("root") != professional_root:
                self.add(
                    11,
                    f"/ClinicalDocument/author/assignedAuthor/id[{index}]/@root",
                    f"must be {professional_root} (professional register)",
                )

    def _identity_code(self, code: str, where: str) -> None:
        reason = identity_code_problem(code)
        if reason is not None:
            self.add(12, where, f"not a valid identity code: {reason}")
        elif not self.production and not is_test_identity_code(code):
            self.add(
                13,
                where,
                "a test environment accepts only test identity codes (individual number 900-999)",
            )

    # 18
    def _header_position(self) -> None:
        headers = self.root.findall("hl7fi:localSocialHeader", NS)
        where = "/ClinicalDocument/hl7fi:localSocialHeader"
        if len(headers) != 1:
            self.add(18, where, f"exactly one is required, found {len(headers)}")
            return
        previous = headers[0].getprevious()
        following = headers[0].getnext()
        while previous is not None and not isinstance(previous.tag, str):
            previous = previous.getprevious()
        while following is not None and not isinstance(following.tag, str):
            following = following.getnext()
        if previous is None or previous.tag != f"{{{CDA_NS}}}componentOf":
            self.add(18, where, "must come directly after componentOf")
        if following is None or following.tag != f"{{{CDA_NS}}}component":
            self.add(18, where, "must come directly before component")

    # 14-17
    def _forms(self) -> None:
        body = self.find("cda:component/cda:nonXMLBody")
        if body is None:
            return
        where = "/ClinicalDocument/component/nonXMLBody"
        text = body.find("cda:text", NS)
        if text is not None:
            if text.get("mediaType") != XHTML_MEDIA_TYPE:
                self.add(15, f"{where}/text/@mediaType", f"must be {XHTML_MEDIA_TYPE}")
            display = _base64(text.text)
            if display is None:
                self.add(14, f"{where}/text", "the display form is not valid Base64")
            else:
                self._xhtml(display, f"{where}/text")
        json_element = body.find("hl7fi:json", NS)
        if json_element is None:
            return
        raw = _base64(json_element.text)
        if raw is None:
            self.add(14, f"{where}/hl7fi:json", "the structured form is not valid Base64")
            return
        try:
            structured = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):
            self.add(16, f"{where}/hl7fi:json", "the structured form is not UTF-8 JSON")
            return
        self._structured(raw, structured, f"{where}/hl7fi:json")

    def _xhtml(self, display: bytes, where: str) -> None:
        try:
            html = parse_untrusted_xml(display)
        except XmlRejected as exc:
            self.add(15, where, f"the display form is not acceptable XML ({exc.kind})")
            return
        if html.tag != f"{{{XHTML_NS}}}html":
            self.add(15, where, "the display form's root must be an XHTML html element")
            return
        children = [c.tag for c in html if isinstance(c.tag, str)]
        if children != [f"{{{XHTML_NS}}}head", f"{{{XHTML_NS}}}body"]:
            self.add(15, where, "the display form needs head and then body")
        elif html.find(f"{{{XHTML_NS}}}head/{{{XHTML_NS}}}title") is None:
            self.add(15, where, "the display form's head needs a title")

    def _structured(self, raw: bytes, structured: Any, where: str) -> None:
        header_spec = _attr(
            self.find("hl7fi:localSocialHeader/hl7fi:contentSpecificationId"), "root"
        )
        if header_spec is not None:
            try:
                errors = self.tables.structured_errors(header_spec, raw, structured)
            except UnknownCode:
                self.add(17, where, "no JSON schema for the header's contentSpecificationId")
            else:
                for path, message in errors:
                    self.add(17, f"{where} {path}", message)
        if b'"henkilotunnus"' in raw:  # a walk over a large genogram only when worth it
            for path, code in _identity_codes_in(structured):
                self._identity_code(code, f"{where} {path}")


def _attr(element: etree._Element | None, name: str) -> str | None:
    return None if element is None else element.get(name)


def _base64(text: str | None) -> bytes | None:
    if not text:
        return None
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _no_constant(_value: str) -> None:
    raise ValueError("NaN and Infinity are not JSON")


def _identity_codes_in(value: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """Sosmeta writes identity codes as ``henkilotunnus: {value: ...}``; find them all."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}"
            if (
                key == "henkilotunnus"
                and isinstance(item, dict)
                and isinstance(item.get("value"), str)
            ):
                yield f"{here}.value", item["value"]
            else:
                yield from _identity_codes_in(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _identity_codes_in(item, f"{path}[{index}]")
