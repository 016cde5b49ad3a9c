"""A local stand-in for the Kanta social-welfare archive, under ``/kanta/``.

- ``POST /kanta/archive``: a SOAP 1.1 envelope whose Body holds an ``RCMR_IN200002FI01`` frame.
  The simulator parses it with the hardened parser, checks that the frame's ids equal the
  document's, verifies the XML signature against the configured trusted certificates,
  validates the content with ``adapters.kanta.validation`` (when that module exists and content
  validation is on), applies the version rules (``kanta_store``) and answers, always with HTTP
  200 and a SOAP envelope holding an HL7 acknowledgement: ``AA`` accepted (also for a
  redelivery), ``AR`` the message is refused (frame, ids, signature), ``AE`` the message breaks
  a rule (content, versions), each error numbered in order. Input that is not a SOAP envelope
  gets a SOAP fault (HTTP 500), as on ``/soap``.
- ``GET /kanta/documents/<set_oid>``: the versions of a set (ids, version, received time,
  status), JSON; never contents.
- ``POST /kanta/validate``: in the manner of the national validation service. The body is
  either XML (a CDA document, or a frame carrying one) or JSON with ``asiakirjaXml`` (the
  document), optional ``siirtokehysXml`` (the frame) and ``palveluPyynto`` (service request
  code), the field names a public client of the national service sends (unverified). Answer:
  200 with an empty body when valid, otherwise 400, ``text/plain``, one numbered error per
  line (``1. …``). No signature is required here.

Configuration (``app.config``; CLI flags in ``__main__``): ``KANTA_TRUSTED_CERTS`` PEM text of
the certificates signatures must chain to or equal (none: every archive message is refused);
``KANTA_ARCHIVE_OID`` the simulator's device id in acknowledgements (default under the 2.999
example arc); ``KANTA_CONTENT_VALIDATION`` (default on).

Logs name message ids and outcomes only: never identity codes, names or document contents.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from types import ModuleType

from cryptography import x509
from flask import Blueprint, Response, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState
from lxml import etree

from adapters.kanta import signing
from adapters.kanta.frame import (
    ARCHIVE_INTERACTION,
    HL7_NS,
    AckCode,
    AckDetail,
    DocumentIds,
    FrameInvalid,
    FrameParties,
    ParsedFrame,
    build_acknowledgement,
    compare_ids,
    document_ids,
    frame_document_ids,
    parse_frame,
    service_request_code,
)
from plugin_host.xml_safety import XmlRejected, parse_untrusted_xml
from reference_record_system.kanta_store import ArchiveStore, VersionRefused
from reference_record_system.soap_envelope import (
    SoapFault,
    envelope,
    envelope_refused,
    fault_envelope,
    read_envelope,
)

bp = Blueprint("kanta_archive", __name__, url_prefix="/kanta")

_EXTENSION = "kanta_archive"
_XML = "text/xml; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"
_CHUNK_BYTES = 64 * 1024
MAX_MESSAGE_BYTES = 8 * 1024 * 1024
_DRAIN_CHUNKS = 2 * MAX_MESSAGE_BYTES // _CHUNK_BYTES
_VALIDATION_MODULE = "adapters.kanta.validation"


@dataclass
class _Simulator:
    store: ArchiveStore
    trusted: list[x509.Certificate]
    archive_oid: str
    content_validation: bool


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    config = state.app.config
    config.setdefault("KANTA_TRUSTED_CERTS", None)
    config.setdefault("KANTA_ARCHIVE_OID", "2.999.1.1")
    config.setdefault("KANTA_CONTENT_VALIDATION", True)
    pem = config["KANTA_TRUSTED_CERTS"]
    state.app.extensions[_EXTENSION] = _Simulator(
        store=ArchiveStore(str(config["DATABASE"])),
        trusted=signing.load_certificates(pem) if pem else [],
        archive_oid=str(config["KANTA_ARCHIVE_OID"]),
        content_validation=bool(config["KANTA_CONTENT_VALIDATION"]),
    )


def _simulator() -> _Simulator:
    return current_app.extensions[_EXTENSION]


# --- archive --------------------------------------------------------------------------------


@bp.post("/archive")
def archive() -> Response:
    try:
        frame_root = _frame_from_envelope(_read_body())
    except SoapFault as fault:
        return Response(fault_envelope(fault), status=500, content_type=_XML)
    message_id = _message_id(frame_root)
    code, details, sender = _archive(frame_root)
    sim = _simulator()
    ack = build_acknowledgement(
        message_id,
        code,
        details,
        parties=FrameParties(
            sender_oid=sim.archive_oid,
            receiver_oid=sender or "unknown",
            processing_code=_processing_code(frame_root),
        ),
    )
    current_app.logger.info(
        "kanta archive: message %s answered %s (%d details)", message_id, code.value, len(details)
    )
    return Response(envelope(parse_untrusted_xml(ack)), content_type=_XML)


def _archive(frame_root: etree._Element) -> tuple[AckCode, list[AckDetail], str | None]:
    """Every check in order; returns the acknowledgement code, its details and the sender."""
    sim = _simulator()
    try:
        frame = parse_frame(frame_root)
    except FrameInvalid as exc:
        details = [
            AckDetail(f"frame-{problem.kind.value}", problem.message) for problem in exc.problems
        ]
        return AckCode.REJECT, details, _sender(frame_root)
    sender = frame.parties.sender_oid
    if not sim.trusted:
        detail = AckDetail("signature-trust", "the simulator has no trusted certificate configured")
        return AckCode.REJECT, [detail], sender
    try:
        verified = signing.verify(frame.document, sim.trusted)
    except signing.SignatureInvalid as exc:
        return AckCode.REJECT, [AckDetail(f"signature-{exc.reason.value}", exc.message)], sender
    # From here on only what the signature covers counts ("see what is signed").
    signed_ids = document_ids(verified.document)
    mismatches = compare_ids(frame.ids, signed_ids)
    if mismatches:
        details = [AckDetail("frame-mismatch", problem.message) for problem in mismatches]
        return AckCode.REJECT, details, sender
    content_problems = _content_problems(frame.document)
    if content_problems:
        return AckCode.ERROR, [AckDetail("content", text) for text in content_problems], sender
    return _store(frame, signed_ids, sender)


def _store(
    frame: ParsedFrame, ids: DocumentIds, sender: str
) -> tuple[AckCode, list[AckDetail], str | None]:
    try:
        stored = _simulator().store.store(ids, frame.message_id, frame.document)
    except VersionRefused as exc:
        details = [AckDetail(f"version-{refusal.code}", refusal.text) for refusal in exc.refusals]
        return AckCode.ERROR, details, sender
    if not stored:
        info = AckDetail("duplicate", "already archived; nothing stored again", type_code="I")
        return AckCode.ACCEPT, [info], sender
    return AckCode.ACCEPT, [], sender


def _frame_from_envelope(body: bytes) -> etree._Element:
    try:
        message = read_envelope(parse_untrusted_xml(body, MAX_MESSAGE_BYTES))
    except XmlRejected as exc:
        raise envelope_refused(str(exc)) from exc
    if message.payload.tag != f"{{{HL7_NS}}}{ARCHIVE_INTERACTION}":
        raise envelope_refused(f"the SOAP Body must hold {ARCHIVE_INTERACTION}")
    return message.payload


def _read_body() -> bytes:
    """At most one byte over the cap, so the parser can refuse an oversized message."""
    body = request.stream.read(MAX_MESSAGE_BYTES + 1)
    if len(body) > MAX_MESSAGE_BYTES:
        # Drain (bounded) before refusing: closing with unread input resets the connection.
        for _ in range(_DRAIN_CHUNKS):
            if not request.stream.read(_CHUNK_BYTES):
                break
    return body


def _message_id(frame_root: etree._Element) -> str:
    node = frame_root.find(f"{{{HL7_NS}}}id")
    root = "" if node is None else node.get("root", "")
    extension = None if node is None else node.get("extension")
    return f"{root}^{extension}" if extension else (root or "unknown")


def _sender(frame_root: etree._Element) -> str | None:
    node = frame_root.find(f"{{{HL7_NS}}}sender/{{{HL7_NS}}}device/{{{HL7_NS}}}id")
    return None if node is None else node.get("root")


def _processing_code(frame_root: etree._Element) -> str:
    node = frame_root.find(f"{{{HL7_NS}}}processingCode")
    code = None if node is None else node.get("code")
    return code if code in ("P", "T", "D") else "P"


# --- content validation ---------------------------------------------------------------------


def _validation_module() -> ModuleType | None:
    """``adapters.kanta.validation`` if it exists; imported lazily so the simulator runs
    without it (a missing module is not an error, a broken one is)."""
    try:
        return importlib.import_module(_VALIDATION_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name == _VALIDATION_MODULE:
            return None
        raise


def _content_problems(document: bytes) -> list[str]:
    if not _simulator().content_validation:
        return []
    module = _validation_module()
    if module is None:
        return []
    return [_describe(problem) for problem in module.validate(document, production=False)]


def _describe(problem: object) -> str:
    """A validation problem as one line; the module's own wording when it defines one."""
    if type(problem).__str__ is not object.__str__:
        return str(problem)
    message = getattr(problem, "message", None)
    return message if isinstance(message, str) and message else repr(problem)


# --- listing --------------------------------------------------------------------------------


@bp.get("/documents/<path:set_oid>")
def documents(set_oid: str) -> Response:
    return jsonify(set_oid=set_oid, versions=_simulator().store.versions(set_oid))


# --- validation service ---------------------------------------------------------------------


@bp.post("/validate")
def validate() -> Response:
    errors = _validation_errors(_read_body())
    if not errors:
        return Response("", status=200, content_type=_TEXT)
    text = "".join(f"{number}. {error}\n" for number, error in enumerate(errors, 1))
    return Response(text, status=400, content_type=_TEXT)


def _validation_errors(body: bytes) -> list[str]:
    if request.mimetype == "application/json":
        try:
            fields = json.loads(body)
            document = fields["asiakirjaXml"].encode("utf-8")
            frame = fields.get("siirtokehysXml")
            requested = fields.get("palveluPyynto")
        except (ValueError, KeyError, TypeError, AttributeError):
            return ["the request must be JSON with asiakirjaXml (and optional siirtokehysXml)"]
        frame_bytes = _strip_declaration(frame.encode("utf-8")) if frame else None
        return _check_pair(_strip_declaration(document), frame_bytes, requested)
    try:
        root = parse_untrusted_xml(body, MAX_MESSAGE_BYTES)
    except XmlRejected as exc:
        return [f"the input is not acceptable XML ({exc.kind})"]
    if root.tag == f"{{{HL7_NS}}}{ARCHIVE_INTERACTION}":
        try:
            frame = parse_frame(root)
        except FrameInvalid as exc:
            return [problem.message for problem in exc.problems]
        return _content_problems(frame.document)
    return _check_pair(body, None, None)


def _check_pair(document: bytes, frame: bytes | None, requested: str | None) -> list[str]:
    """A document, and optionally the frame it will travel in given separately."""
    try:
        document_root = parse_untrusted_xml(document, MAX_MESSAGE_BYTES)
    except XmlRejected as exc:
        return [f"the document is not acceptable XML ({exc.kind})"]
    errors: list[str] = []
    try:
        ids = document_ids(document_root)
    except FrameInvalid as exc:
        errors.extend(problem.message for problem in exc.problems)
        ids = None
    if frame is not None:
        errors.extend(_frame_errors(frame, ids, requested))
    return errors + _content_problems(document)


def _frame_errors(frame: bytes, ids: DocumentIds | None, requested: str | None) -> list[str]:
    try:
        frame_root = parse_untrusted_xml(frame, MAX_MESSAGE_BYTES)
        frame_ids = frame_document_ids(frame_root)
    except XmlRejected as exc:
        return [f"the frame is not acceptable XML ({exc.kind})"]
    except FrameInvalid as exc:
        return [problem.message for problem in exc.problems]
    errors = [] if ids is None else [problem.message for problem in compare_ids(frame_ids, ids)]
    if requested and service_request_code(frame_root) != requested:
        errors.append("the frame's service request code differs from palveluPyynto")
    return errors


def _strip_declaration(data: bytes) -> bytes:
    """JSON carries XML as text; a declaration naming another encoding (clients send
    ``encoding="utf-16"`` with UTF-8 text) would make the parser misread it."""
    text = data.lstrip()
    if text.startswith(b"<?xml"):
        end = text.find(b"?>")
        if end != -1:
            return text[end + 2 :]
    return data
