"""One plugin document version as a Kanta social-welfare archive document (HL7 CDA R2).

The document (namespaces: CDA ``urn:hl7-org:v3`` as default, ``hl7fi`` = ``urn:hl7finland``):

- the CDA header: realmCode FI, typeId, id / setId / versionNumber (a new version keeps the
  setId, gets its own id and points at the previous one with ``relatedDocument typeCode=RPLC``),
  the general document type as ``code``, title, time, confidentiality, language, the client
  (``recordTarget``, identity code), the author, the controller as custodian and the case as
  ``componentOf/encompassingEncounter``;
- ``hl7fi:localSocialHeader`` after ``componentOf``: specific document type, document group,
  file formats, service task (``functionCode``), service process, record status, register,
  retention class, content specification id and restriction arguments. Signatures are not made
  here: ``adapters/kanta/signing.py`` appends ``hl7fi:signatureCollection`` as the header's last
  child (:func:`signature_parent` returns that element);
- ``component/nonXMLBody ID="OID<document id>"``: the display form, a complete XHTML document,
  as Base64 in ``text mediaType="application/xhtml+xml" representation="B64"``, and the
  structured form, canonical UTF-8 JSON checked against the content specification's JSON schema,
  as Base64 in ``hl7fi:json``.

Every code comes from the code tables (``adapters/kanta/codes``). Errors name the field and the
rule, never the value: values are client data.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Any

from lxml import etree

from adapters.kanta.code_tables import OID, Code, CodeTables, UnknownCode
from adapters.kanta.model import KantaDocument, Party
from plugin_host.xml_safety import DEFAULT_MAX_BYTES, hardened_parser

CDA_NS = "urn:hl7-org:v3"
HL7FI_NS = "urn:hl7finland"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NSMAP = {None: CDA_NS, "hl7fi": HL7FI_NS, "xsi": XSI_NS}

REALM = "FI"
TYPE_ID_EXTENSION = "POCD_HD000040"
XHTML_MEDIA_TYPE = "application/xhtml+xml"
BODY_ID_PREFIX = "OID"

# Nothing a display form needs and everything a viewer must not run.
_UNSAFE_ELEMENTS = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "base", "form", "foreignObject"}
)
_UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)


class BuildError(ValueError):
    """The document cannot be built as given; the message names the field and the rule."""


def _cda(name: str) -> str:
    return f"{{{CDA_NS}}}{name}"


def _fi(name: str) -> str:
    return f"{{{HL7FI_NS}}}{name}"


def _xhtml(name: str) -> str:
    return f"{{{XHTML_NS}}}{name}"


# --- public ------------------------------------------------------------------------------


def build_document(doc: KantaDocument, tables: CodeTables) -> etree._Element:
    """The complete CDA document for ``doc``; raise :class:`BuildError` if it cannot be."""
    _check_identity(doc)
    try:
        dtype = tables.document_type(doc.type_code)
        service_task = (
            tables.code("service_tasks", doc.service_task)
            if doc.service_task
            else dtype.service_task
        )
        confidentiality = tables.code("confidentiality", doc.confidentiality_code)
        restrictions = [tables.code("restriction_grounds", r) for r in doc.restrictions]
    except UnknownCode as exc:
        raise BuildError(str(exc)) from None
    structured = structured_form(doc.structured, tables, dtype.content_specification_id)
    display = display_form(doc.display_xhtml, doc.title, doc.language)
    try:
        return _document(doc, tables, service_task, confidentiality, restrictions, structured,
                         display)  # fmt: skip
    except BuildError:
        raise
    except ValueError:
        # lxml refuses control characters in attribute values (ids, codes); it names no value.
        raise BuildError("a header value contains characters XML cannot carry") from None


def _document(
    doc: KantaDocument,
    tables: CodeTables,
    service_task: Code,
    confidentiality: Code,
    restrictions: list[Code],
    structured: bytes,
    display: bytes,
) -> etree._Element:
    dtype = tables.document_type(doc.type_code)
    professional_root = _required_oid(tables, "professional_id")
    identity_root = _required_oid(tables, "identity_code")
    type_id_root = _required_oid(tables, "cda_type_id")
    root = etree.Element(_cda("ClinicalDocument"), nsmap=NSMAP)
    _sub(root, "realmCode", code=REALM)
    _sub(root, "typeId", root=type_id_root, extension=TYPE_ID_EXTENSION)
    _sub(root, "id", root=doc.document_oid)
    _coded(root, _cda("code"), dtype.general_type, doc.language)
    _text(_sub(root, "title"), doc.title, "title")
    _sub(root, "effectiveTime", value=_ts(doc.effective_time, "effective_time"))
    _coded(root, _cda("confidentialityCode"), confidentiality, doc.language)
    _sub(root, "languageCode", code=doc.language)
    _sub(root, "setId", root=doc.set_oid)
    _sub(root, "versionNumber", value=str(doc.version))

    role = _sub(_sub(root, "recordTarget"), "patientRole")
    _sub(role, "id", root=identity_root, extension=doc.client.identifier)
    _name(_sub(role, "patient"), doc.client, "client")

    author = _sub(root, "author")
    _sub(author, "time", value=_ts(doc.effective_time, "effective_time"))
    assigned = _sub(author, "assignedAuthor")
    _sub(assigned, "id", root=professional_root, extension=doc.author.identifier)
    _name(_sub(assigned, "assignedPerson"), doc.author, "author")

    custodian = _sub(
        _sub(_sub(root, "custodian"), "assignedCustodian"), "representedCustodianOrganization"
    )
    _sub(custodian, "id", root=doc.custodian_oid)
    _text(_sub(custodian, "name"), doc.custodian_name, "custodian_name")

    if doc.version > 1:
        parent = _sub(_sub(root, "relatedDocument", typeCode="RPLC"), "parentDocument")
        _sub(parent, "id", root=doc.replaces_oid or "")
        _sub(parent, "setId", root=doc.set_oid)
        _sub(parent, "versionNumber", value=str(doc.version - 1))

    encounter = _sub(_sub(root, "componentOf"), "encompassingEncounter")
    if OID.match(doc.case_id):
        _sub(encounter, "id", root=doc.case_id)
    else:
        # A record system's own case id: scoped by the controller that issued it.
        _sub(encounter, "id", root=doc.custodian_oid, extension=doc.case_id)
    if doc.case_opened is not None:
        _sub(encounter, "effectiveTime").append(
            etree.Element(_cda("low"), value=_ts(doc.case_opened, "case_opened"))
        )
    else:
        _sub(encounter, "effectiveTime", nullFlavor="UNK")

    header = etree.SubElement(root, _fi("localSocialHeader"))
    _coded_in(header, "documentType", dtype.code, dtype.name, dtype.system.oid, doc.language)
    _coded(header, _fi("documentGroup"), dtype.document_group, doc.language)
    for file_format in dtype.file_formats:
        _coded(header, _fi("fileFormat"), file_format, doc.language)
    _coded(header, _fi("functionCode"), service_task, doc.language)
    if dtype.service_process is not None:
        _coded(header, _fi("serviceProcess"), dtype.service_process, doc.language)
    _coded(header, _fi("recordStatus"), dtype.record_status, doc.language)
    _coded(header, _fi("registerType"), dtype.register_type, doc.language)
    _coded(header, _fi("retentionPeriodClass"), dtype.retention_class, doc.language)
    etree.SubElement(header, _fi("contentSpecificationId"), root=dtype.content_specification_id)
    for restriction in restrictions:
        _coded(header, _fi("restrictionArgument"), restriction, doc.language)

    body = _sub(_sub(root, "component"), "nonXMLBody", ID=BODY_ID_PREFIX + doc.document_oid)
    text = _sub(body, "text", mediaType=XHTML_MEDIA_TYPE, representation="B64")
    text.text = base64.b64encode(display).decode("ascii")
    json_element = etree.SubElement(body, _fi("json"), representation="B64")
    json_element.text = base64.b64encode(structured).decode("ascii")
    return root


def serialize(document: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration and LF line endings only (no pretty printing:
    the bytes that are signed are the bytes that are sent)."""
    data = etree.tostring(document, encoding="UTF-8", xml_declaration=True)
    if b"\r" in data:  # lxml writes CR in content as &#13;: a raw one would be a bug here
        raise BuildError("serialised document contains a carriage return")
    return data


def signature_parent(document: etree._Element) -> etree._Element:
    """The element signatures go into (as its last child, ``hl7fi:signatureCollection``)."""
    header = document.find(_fi("localSocialHeader"))
    if header is None:
        raise BuildError("not a document from build_document: no localSocialHeader")
    return header


def canonical_json(structured: Any) -> bytes:
    """The structured form as archived: UTF-8 JSON, keys sorted, no insignificant space."""
    try:
        return json.dumps(
            structured, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        ).encode("utf-8")
    except (TypeError, ValueError) as exc:
        # The message names the Python type or rule (e.g. "Out of range float"), not the value.
        raise BuildError(f"structured: not representable as JSON ({type(exc).__name__})") from None


def structured_form(structured: Any, tables: CodeTables, content_specification_id: str) -> bytes:
    """Canonical JSON of ``structured``, checked against its content specification's schema."""
    payload = canonical_json(structured)
    try:
        # What is checked is what is shipped: the JSON bytes, read back, not the Python objects.
        errors = tables.structured_errors(content_specification_id, payload)
    except UnknownCode as exc:
        raise BuildError(f"structured: {exc}") from None
    if errors:
        raise BuildError(
            f"structured: does not match content specification {content_specification_id}: "
            + "; ".join(f"{path}: {message}" for path, message in errors[:5])
        )
    return payload


def display_form(fragment: str, title: str, language: str) -> bytes:
    """The display form: a complete XHTML document around the given ``<body>`` content."""
    body = parse_body_fragment(fragment)
    html = etree.Element(_xhtml("html"), nsmap={None: XHTML_NS})
    html.set("lang", language)
    html.set(f"{{{XML_NS}}}lang", language)
    head = etree.SubElement(html, _xhtml("head"))
    etree.SubElement(head, _xhtml("meta"), charset="UTF-8")
    _text(etree.SubElement(head, _xhtml("title")), title, "title")
    html.append(body)
    return etree.tostring(html, encoding="UTF-8", xml_declaration=True)


def parse_body_fragment(fragment: str) -> etree._Element:
    """Parse the content of ``<body>`` into an XHTML ``body`` element, hardened.

    The fragment is fed to a parser between a ``<body>`` start and end tag; it is never pasted
    into output. No DTD, no entities, no network; anything that escapes the body (a second
    root, an unclosed element, a DOCTYPE) is a syntax error. Scripts, frames, forms, event
    handlers and script URLs are refused: a display form shows, it does not run.
    """
    if len(fragment.encode("utf-8")) > DEFAULT_MAX_BYTES:
        raise BuildError(f"display_xhtml: larger than {DEFAULT_MAX_BYTES} bytes")
    parser = hardened_parser()
    try:
        parser.feed(f'<body xmlns="{XHTML_NS}">')
        parser.feed(fragment)
        parser.feed("</body>")
        body = parser.close()
    except etree.XMLSyntaxError:
        raise BuildError(
            "display_xhtml: not well-formed XHTML (unclosed element, stray end tag or an "
            "entity other than the five XML ones)"
        ) from None
    for element in body.iter(etree.Element):
        if etree.QName(element).localname in _UNSAFE_ELEMENTS:
            raise BuildError(
                f"display_xhtml: element {etree.QName(element).localname} is not allowed"
            )
        for name, value in element.attrib.items():
            local = etree.QName(name).localname.lower()
            if local.startswith("on"):
                raise BuildError("display_xhtml: event handler attributes are not allowed")
            if local in {"href", "src", "action"} and _UNSAFE_URL.match(value):
                raise BuildError("display_xhtml: script or data URLs are not allowed")
    return body


# --- helpers --------------------------------------------------------------------------------


def _check_identity(doc: KantaDocument) -> None:
    """Ids and the version chain: version 1 is its own set; a later one replaces another."""
    for name in ("document_oid", "set_oid", "custodian_oid"):
        if not OID.match(getattr(doc, name)):
            raise BuildError(f"{name}: not an OID")
    if doc.version < 1:
        raise BuildError("version: must be 1 or more")
    if doc.version == 1:
        if doc.set_oid != doc.document_oid:
            raise BuildError("set_oid: must equal document_oid on version 1")
        if doc.replaces_oid is not None:
            raise BuildError("replaces_oid: version 1 replaces nothing")
    else:
        if doc.set_oid == doc.document_oid:
            raise BuildError("document_oid: a new version needs an id of its own, not the set id")
        if doc.replaces_oid is None or not OID.match(doc.replaces_oid):
            raise BuildError("replaces_oid: a version after 1 must name the previous id (an OID)")
        if doc.replaces_oid == doc.document_oid:
            raise BuildError("replaces_oid: a version cannot replace itself")
    if not doc.case_id.strip():
        raise BuildError("case_id: empty")
    for name in ("client", "author"):
        if not getattr(doc, name).identifier.strip():
            raise BuildError(f"{name}.identifier: empty")


def _required_oid(tables: CodeTables, key: str) -> str:
    oid = tables.code_system(key).oid
    if oid is None:
        raise BuildError(f"code_systems.json: {key} has no OID; the document needs one")
    return oid


def _sub(parent: etree._Element, name: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, _cda(name), attributes)


def _text(element: etree._Element, value: str, field_name: str) -> None:
    # Line ends as LF (the archive's rule for the whole document); control characters refused.
    try:
        element.text = value.replace("\r\n", "\n").replace("\r", "\n")
    except ValueError:
        raise BuildError(f"{field_name}: contains characters XML cannot carry") from None


def _name(parent: etree._Element, party: Party, field_name: str) -> None:
    name = _sub(parent, "name")
    given = party.given_names.split()
    if not given and not party.family_name.strip():
        raise BuildError(f"{field_name}: has no name")
    for part in given:
        _text(_sub(name, "given"), part, f"{field_name}.given_names")
    if party.family_name.strip():
        _text(_sub(name, "family"), party.family_name.strip(), f"{field_name}.family_name")


def _display(names: Any, language: str) -> str:
    return names.get(language) or names["fi"]


def _coded(parent: etree._Element, tag: str, code: Code, language: str) -> etree._Element:
    element = etree.SubElement(parent, tag, code=code.code)
    if code.system.oid is not None:
        element.set("codeSystem", code.system.oid)
    element.set("displayName", _display(code.name, language))
    return element


def _coded_in(
    parent: etree._Element, name: str, code: str, names: Any, system: str | None, language: str
) -> None:
    element = etree.SubElement(parent, _fi(name), code=code)
    if system is not None:
        element.set("codeSystem", system)
    element.set("displayName", _display(names, language))


def _ts(moment: datetime, field_name: str) -> str:
    """HL7 TS: YYYYMMDDHHMMSS+ZZZZ, from an aware datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise BuildError(f"{field_name}: must be timezone-aware")
    return moment.strftime("%Y%m%d%H%M%S%z")
