"""The HL7 V3 frame around an archived document, and the archive's acknowledgement.

Archiving is the interaction ``RCMR_IN200002FI01``: an HL7 V3 transmission wrapper (message id,
creation time, interaction id, processing codes, receiver and sender devices by OID), a control
act whose ``reasonCode`` is the service request (palvelupyyntö, e.g. ``SP17``), and a
``subject/clinicalDocument`` naming the document (id, setId, versionNumber, the replaced
version) and carrying the signed CDA document itself, base64 in ``text``. The frame's ids must
equal the document's: :func:`parse_frame` refuses a frame where they differ.

The answer is an HL7 V3 application acknowledgement (``MCCI_IN000002UV01`` here): ``AA`` accept,
``AE`` error, ``AR`` reject, with numbered ``acknowledgementDetail`` entries.

Verified against public material: the transmission-wrapper elements and their meaning (Kanta's
HL7 V3 messaging implementation guide), ``controlActProcess/reasonCode`` carrying the service
request code and ``subject/clinicalDocument`` with id and setId (a public client of the national
validation service), the acknowledgement type codes (HL7 AcknowledgementType,
2.16.840.1.113883.5.18). UNVERIFIED: the document travelling base64 in ``clinicalDocument/text``,
the code system of the service request code (left out rather than guessed), the acknowledgement
interaction name, and the invalidation flag (defined below for this project and its simulator).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from lxml import etree

from plugin_host.xml_safety import XmlRejected, parse_untrusted_xml

HL7_NS = "urn:hl7-org:v3"
HL7FI_NS = "urn:hl7finland"
INTERACTION_ROOT = "2.16.840.1.113883.1.6"  # HL7 interaction ids
ARCHIVE_INTERACTION = "RCMR_IN200002FI01"
ACK_INTERACTION = "MCCI_IN000002UV01"
ACK_TYPE_CODE_SYSTEM = "2.16.840.1.113883.5.18"  # HL7 AcknowledgementType

SERVICE_REQUEST_CLIENT_DOCUMENT = "SP17"  # archive a client document (per the issue)

# Invalidation (mitätöinti) as this project defines it: a new version of the document whose
# hl7fi:localSocialHeader/hl7fi:recordStatus (the record status the builder writes from the
# record_statuses code table) has code INVALIDATED. The flag is inside the signed document, so
# nobody can invalidate a document without signing it. The code is a local placeholder until
# the record-status code system (Asiakirjan tila) is known: UNVERIFIED against Kanta.
RECORD_STATUS = "recordStatus"
INVALIDATED = "invalidated"


def _h(name: str) -> str:
    return f"{{{HL7_NS}}}{name}"


def _fi(name: str) -> str:
    return f"{{{HL7FI_NS}}}{name}"


class FrameInvalid(ValueError):
    """A frame (or its document) that cannot be archived; ``problems`` are in order found."""

    def __init__(self, problems: list[FrameProblem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = tuple(problems)


class ProblemKind(StrEnum):
    STRUCTURE = "structure"  # the frame lacks something it must have
    DOCUMENT = "document"  # the carried document is missing or unreadable
    MISMATCH = "mismatch"  # frame ids differ from the document's


@dataclass(frozen=True)
class FrameProblem:
    kind: ProblemKind
    message: str  # names the field, never its value (values may be identity codes)


@dataclass(frozen=True)
class DocumentIds:
    """The ids that decide where a document goes: this version, its set, the replaced one.

    An id is the II's ``root``, or ``root^extension`` when there is an extension.
    """

    document_oid: str
    set_oid: str
    version: int
    replaces_oid: str | None = None
    invalidated: bool = False


@dataclass(frozen=True)
class FrameParties:
    """Who talks: the sending system and the archive, as device OIDs; the processing code is
    P (production), T (training, i.e. the test environment) or D (debugging)."""

    sender_oid: str
    receiver_oid: str
    processing_code: str = "P"


@dataclass(frozen=True)
class ParsedFrame:
    message_id: str
    created_at: dt.datetime | None
    interaction_id: str
    parties: FrameParties
    service_request_code: str
    ids: DocumentIds
    document: bytes  # the carried CDA document exactly as sent (its signature not yet checked)


def document_ids(root: etree._Element) -> DocumentIds:
    """Read the ids of a CDA document; raise :class:`FrameInvalid` naming what is missing."""
    problems: list[FrameProblem] = []
    if root.tag != _h("ClinicalDocument"):
        raise FrameInvalid([FrameProblem(ProblemKind.DOCUMENT, "not a CDA ClinicalDocument")])
    document_oid = _ii(root.find(_h("id")))
    set_oid = _ii(root.find(_h("setId")))
    version = _int_value(root.find(_h("versionNumber")))
    for name, value in (("id", document_oid), ("setId", set_oid), ("versionNumber", version)):
        if value is None:
            problems.append(FrameProblem(ProblemKind.DOCUMENT, f"the document has no valid {name}"))
    if problems:
        raise FrameInvalid(problems)
    assert document_oid is not None and set_oid is not None and version is not None
    replaced = root.find(f"{_h('relatedDocument')}[@typeCode='RPLC']/{_h('parentDocument')}")
    replaces = None if replaced is None else _ii(replaced.find(_h("id")))
    status = root.find(f"{_fi('localSocialHeader')}/{_fi(RECORD_STATUS)}")
    invalidated = status is not None and status.get("code") == INVALIDATED
    return DocumentIds(document_oid, set_oid, version, replaces, invalidated)


def mark_invalidated(root: etree._Element) -> None:
    """Flag a (new, not yet signed) document version as the invalidation of its set."""
    header = root.find(_fi("localSocialHeader"))
    if header is None:
        raise ValueError("the document has no hl7fi:localSocialHeader")
    status = header.find(_fi(RECORD_STATUS))
    if status is None:
        status = etree.SubElement(header, _fi(RECORD_STATUS))
    status.set("code", INVALIDATED)
    # The display name of the previous status would now be wrong.
    status.attrib.pop("displayName", None)


def build_frame(
    document: bytes,
    parties: FrameParties,
    *,
    service_request_code: str = SERVICE_REQUEST_CLIENT_DOCUMENT,
    message_id: str | None = None,
    created_at: dt.datetime | None = None,
) -> bytes:
    """The ``RCMR_IN200002FI01`` message carrying ``document`` (signed CDA bytes, kept exact).

    The frame's ids are read from the document, so they agree by construction.
    """
    try:
        root = parse_untrusted_xml(document)
    except XmlRejected as exc:
        raise FrameInvalid([FrameProblem(ProblemKind.DOCUMENT, str(exc))]) from None
    ids = document_ids(root)
    moment = created_at or dt.datetime.now(dt.UTC)
    message = etree.Element(_h(ARCHIVE_INTERACTION), nsmap={None: HL7_NS}, ITSVersion="XML_1.0")
    _transmission_wrapper(
        message, message_id or _new_id(), moment, ARCHIVE_INTERACTION, parties, accept_ack="AL"
    )
    act = etree.SubElement(message, _h("controlActProcess"), classCode="CACT", moodCode="EVN")
    etree.SubElement(act, _h("reasonCode"), code=service_request_code)
    subject = etree.SubElement(act, _h("subject"), typeCode="SUBJ")
    carried = etree.SubElement(subject, _h("clinicalDocument"), classCode="DOCCLIN", moodCode="EVN")
    _set_ii(etree.SubElement(carried, _h("id")), ids.document_oid)
    code = root.find(_h("code"))
    if code is not None:
        carried.append(_copy_attributes(code, "code"))
    text = etree.SubElement(carried, _h("text"), mediaType="text/xml", representation="B64")
    text.text = base64.b64encode(document).decode("ascii")
    effective = root.find(_h("effectiveTime"))
    if effective is not None:
        carried.append(_copy_attributes(effective, "effectiveTime"))
    _set_ii(etree.SubElement(carried, _h("setId")), ids.set_oid)
    etree.SubElement(carried, _h("versionNumber"), value=str(ids.version))
    if ids.replaces_oid is not None:
        related = etree.SubElement(carried, _h("relatedDocument"), typeCode="RPLC")
        parent = etree.SubElement(related, _h("parentDocument"))
        _set_ii(etree.SubElement(parent, _h("id")), ids.replaces_oid)
    return etree.tostring(message, xml_declaration=True, encoding="UTF-8")


def parse_frame(data: bytes | etree._Element) -> ParsedFrame:
    """Read an archive frame and the document in it; raise :class:`FrameInvalid` listing every
    problem found, including frame ids that differ from the document's."""
    if isinstance(data, bytes):
        try:
            message = parse_untrusted_xml(data)
        except XmlRejected as exc:
            raise FrameInvalid([FrameProblem(ProblemKind.STRUCTURE, str(exc))]) from None
    else:
        message = data
    if message.tag != _h(ARCHIVE_INTERACTION):
        raise FrameInvalid(
            [FrameProblem(ProblemKind.STRUCTURE, f"the message is not {ARCHIVE_INTERACTION}")]
        )
    problems: list[FrameProblem] = []

    def need(value: str | None, what: str) -> str:
        if not value:
            problems.append(FrameProblem(ProblemKind.STRUCTURE, f"the frame has no {what}"))
        return value or ""

    message_id = need(_ii(message.find(_h("id"))), "message id")
    created_at = _ts(message.find(_h("creationTime")))
    if created_at is None:
        problems.append(FrameProblem(ProblemKind.STRUCTURE, "the frame has no valid creationTime"))
    interaction = message.find(_h("interactionId"))
    interaction_id = need(
        None if interaction is None else interaction.get("extension"), "interactionId"
    )
    if interaction_id and interaction_id != ARCHIVE_INTERACTION:
        problems.append(
            FrameProblem(ProblemKind.STRUCTURE, "interactionId differs from the message name")
        )
    sender = need(_ii(message.find(f"{_h('sender')}/{_h('device')}/{_h('id')}")), "sender device")
    receiver = need(
        _ii(message.find(f"{_h('receiver')}/{_h('device')}/{_h('id')}")), "receiver device"
    )
    processing = message.find(_h("processingCode"))
    processing_code = need(None if processing is None else processing.get("code"), "processingCode")
    act = message.find(_h("controlActProcess"))
    reason = None if act is None else act.find(_h("reasonCode"))
    service_request = need(None if reason is None else reason.get("code"), "service request code")
    carried = None if act is None else act.find(f"{_h('subject')}/{_h('clinicalDocument')}")
    if carried is None:
        problems.append(FrameProblem(ProblemKind.STRUCTURE, "the frame has no clinicalDocument"))
        raise FrameInvalid(problems)
    frame_ids = _frame_ids(carried, problems)
    document = _carried_document(carried, problems)
    if document is None or frame_ids is None:
        raise FrameInvalid(problems)
    try:
        ids = document_ids(parse_untrusted_xml(document))
    except XmlRejected as exc:
        raise FrameInvalid([*problems, FrameProblem(ProblemKind.DOCUMENT, str(exc))]) from None
    except FrameInvalid as exc:
        raise FrameInvalid([*problems, *exc.problems]) from None
    problems.extend(compare_ids(frame_ids, ids))
    if problems:
        raise FrameInvalid(problems)
    return ParsedFrame(
        message_id=message_id,
        created_at=created_at,
        interaction_id=interaction_id,
        parties=FrameParties(sender, receiver, processing_code),
        service_request_code=service_request,
        ids=ids,
        document=document,
    )


def compare_ids(frame: DocumentIds, document: DocumentIds) -> list[FrameProblem]:
    """What differs between the frame's ids and the document's (names only, no values)."""
    pairs = (
        ("id", frame.document_oid, document.document_oid),
        ("setId", frame.set_oid, document.set_oid),
        ("versionNumber", frame.version, document.version),
        ("replaced document id", frame.replaces_oid, document.replaces_oid),
    )
    return [
        FrameProblem(ProblemKind.MISMATCH, f"the frame's {name} differs from the document's")
        for name, in_frame, in_document in pairs
        if in_frame != in_document
    ]


def frame_document_ids(message: etree._Element) -> DocumentIds:
    """The ids a frame names for its document, without reading the document itself (for a
    frame and a document given separately, as the validation service takes them)."""
    carried = message.find(f"{_h('controlActProcess')}/{_h('subject')}/{_h('clinicalDocument')}")
    if message.tag != _h(ARCHIVE_INTERACTION) or carried is None:
        raise FrameInvalid(
            [FrameProblem(ProblemKind.STRUCTURE, "not a frame with a clinicalDocument")]
        )
    problems: list[FrameProblem] = []
    ids = _frame_ids(carried, problems)
    if ids is None:
        raise FrameInvalid(problems)
    return ids


def service_request_code(message: etree._Element) -> str | None:
    """The frame's service request code (controlActProcess/reasonCode/@code)."""
    reason = message.find(f"{_h('controlActProcess')}/{_h('reasonCode')}")
    return None if reason is None else reason.get("code")


def _frame_ids(carried: etree._Element, problems: list[FrameProblem]) -> DocumentIds | None:
    document_oid = _ii(carried.find(_h("id")))
    set_oid = _ii(carried.find(_h("setId")))
    version = _int_value(carried.find(_h("versionNumber")))
    missing = [
        name
        for name, value in (("id", document_oid), ("setId", set_oid), ("versionNumber", version))
        if value is None
    ]
    for name in missing:
        problems.append(
            FrameProblem(ProblemKind.STRUCTURE, f"clinicalDocument has no valid {name}")
        )
    if missing:
        return None
    assert document_oid is not None and set_oid is not None and version is not None
    parent = carried.find(f"{_h('relatedDocument')}[@typeCode='RPLC']/{_h('parentDocument')}")
    replaces = None if parent is None else _ii(parent.find(_h("id")))
    return DocumentIds(document_oid, set_oid, version, replaces)


def _carried_document(carried: etree._Element, problems: list[FrameProblem]) -> bytes | None:
    text = carried.find(_h("text"))
    if text is None or text.get("representation") != "B64" or not (text.text or "").strip():
        problems.append(
            FrameProblem(ProblemKind.DOCUMENT, "clinicalDocument/text has no base64 document")
        )
        return None
    try:
        return base64.b64decode("".join((text.text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        problems.append(FrameProblem(ProblemKind.DOCUMENT, "clinicalDocument/text is not base64"))
        return None


# --- acknowledgement ------------------------------------------------------------------------


class AckCode(StrEnum):
    ACCEPT = "AA"
    ERROR = "AE"  # the message was understood, but breaks a rule (version, content)
    REJECT = "AR"  # the message itself is unacceptable (frame, signature, ids)


@dataclass(frozen=True)
class AckDetail:
    """One numbered error: a short machine code, a text that names fields (never values)."""

    code: str
    text: str
    location: str | None = None
    type_code: str = "E"  # E error, W warning, I information


@dataclass(frozen=True)
class Acknowledgement:
    type_code: str
    message_id: str
    target_message_id: str
    details: tuple[AckDetail, ...] = field(default_factory=tuple)

    @property
    def accepted(self) -> bool:
        return self.type_code in ("AA", "CA")

    def numbered(self) -> list[str]:
        """The details as the archive numbers them: ``1. text``, ``2. text``..."""
        return [f"{number}. {detail.text}" for number, detail in enumerate(self.details, 1)]


def build_acknowledgement(
    target_message_id: str,
    type_code: AckCode,
    details: tuple[AckDetail, ...] | list[AckDetail] = (),
    *,
    parties: FrameParties,
    message_id: str | None = None,
    created_at: dt.datetime | None = None,
) -> bytes:
    """The acknowledgement of message ``target_message_id``; ``parties`` are the acknowledgement's
    own sender (the archive) and receiver (the system that sent the message)."""
    message = etree.Element(_h(ACK_INTERACTION), nsmap={None: HL7_NS}, ITSVersion="XML_1.0")
    moment = created_at or dt.datetime.now(dt.UTC)
    _transmission_wrapper(
        message, message_id or _new_id(), moment, ACK_INTERACTION, parties, accept_ack="NE"
    )
    ack = etree.SubElement(message, _h("acknowledgement"), typeCode=AckCode(type_code).value)
    target = etree.SubElement(ack, _h("targetMessage"))
    _set_ii(etree.SubElement(target, _h("id")), target_message_id)
    for detail in details:
        node = etree.SubElement(ack, _h("acknowledgementDetail"), typeCode=detail.type_code)
        etree.SubElement(node, _h("code"), code=detail.code)
        etree.SubElement(node, _h("text")).text = detail.text
        if detail.location:
            etree.SubElement(node, _h("location")).text = detail.location
    return etree.tostring(message, xml_declaration=True, encoding="UTF-8")


def parse_acknowledgement(data: bytes | etree._Element) -> Acknowledgement:
    """Read an acknowledgement (any HL7 V3 message with an ``acknowledgement``)."""
    if isinstance(data, bytes):
        try:
            message = parse_untrusted_xml(data)
        except XmlRejected as exc:
            raise FrameInvalid([FrameProblem(ProblemKind.STRUCTURE, str(exc))]) from None
    else:
        message = data
    ack = message.find(_h("acknowledgement"))
    type_code = None if ack is None else ack.get("typeCode")
    if ack is None or not type_code:
        raise FrameInvalid(
            [FrameProblem(ProblemKind.STRUCTURE, "the reply has no acknowledgement typeCode")]
        )
    details = tuple(
        AckDetail(
            code=_attribute(node.find(_h("code")), "code"),
            text=_text(node.find(_h("text"))),
            location=_text(node.find(_h("location"))) or None,
            type_code=node.get("typeCode") or "E",
        )
        for node in ack.findall(_h("acknowledgementDetail"))
    )
    return Acknowledgement(
        type_code=type_code,
        message_id=_ii(message.find(_h("id"))) or "",
        target_message_id=_ii(ack.find(f"{_h('targetMessage')}/{_h('id')}")) or "",
        details=details,
    )


# --- small HL7 V3 data type helpers ---------------------------------------------------------


def _transmission_wrapper(
    message: etree._Element,
    message_id: str,
    moment: dt.datetime,
    interaction: str,
    parties: FrameParties,
    accept_ack: str,
) -> None:
    """The MCCI transmission wrapper's elements, in their schema order."""
    _set_ii(etree.SubElement(message, _h("id")), message_id)
    etree.SubElement(message, _h("creationTime"), value=format_ts(moment))
    etree.SubElement(message, _h("interactionId"), root=INTERACTION_ROOT, extension=interaction)
    etree.SubElement(message, _h("processingCode"), code=parties.processing_code)
    etree.SubElement(message, _h("processingModeCode"), code="T")  # T: current processing
    etree.SubElement(message, _h("acceptAckCode"), code=accept_ack)
    for role, type_code, oid in (
        ("receiver", "RCV", parties.receiver_oid),
        ("sender", "SND", parties.sender_oid),
    ):
        node = etree.SubElement(message, _h(role), typeCode=type_code)
        device = etree.SubElement(node, _h("device"), classCode="DEV", determinerCode="INSTANCE")
        _set_ii(etree.SubElement(device, _h("id")), oid)


def _new_id() -> str:
    # A UUID is a valid II root; upper case as HL7 recommends for UUIDs.
    return str(uuid.uuid4()).upper()


def _set_ii(node: etree._Element, value: str) -> None:
    root, _, extension = value.partition("^")
    node.set("root", root)
    if extension:
        node.set("extension", extension)


def _ii(node: etree._Element | None) -> str | None:
    if node is None or not node.get("root"):
        return None
    root = node.get("root", "")
    extension = node.get("extension")
    return f"{root}^{extension}" if extension else root


def _int_value(node: etree._Element | None) -> int | None:
    if node is None:
        return None
    try:
        value = int(node.get("value", ""))
    except ValueError:
        return None
    return value if value >= 1 else None


def _copy_attributes(node: etree._Element, name: str) -> etree._Element:
    """A shallow copy (attributes only) in the frame's namespace."""
    return etree.Element(_h(name), {key: value for key, value in node.attrib.items()})


def _attribute(node: etree._Element | None, name: str) -> str:
    return "" if node is None else node.get(name, "")


def _text(node: etree._Element | None) -> str:
    return "" if node is None else "".join(node.itertext()).strip()


def format_ts(moment: dt.datetime) -> str:
    """HL7 V3 TS: ``YYYYMMDDHHMMSS`` plus the UTC offset (``+0200``)."""
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.strftime("%Y%m%d%H%M%S%z")


def _ts(node: etree._Element | None) -> dt.datetime | None:
    value = "" if node is None else node.get("value", "")
    for pattern in ("%Y%m%d%H%M%S%z", "%Y%m%d%H%M%S"):
        try:
            moment = dt.datetime.strptime(value, pattern)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return None
