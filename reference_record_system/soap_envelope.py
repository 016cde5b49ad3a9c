"""SOAP 1.1 on the wire for the reference record system: reading the envelope, writing replies
and the contract's typed faults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from reference_record_system.contract import target_namespace

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = target_namespace()
_NSMAP = {"soap": SOAP_ENV, "rs": TNS}


@dataclass
class SoapFault(Exception):
    """A fault to send back. ``code`` is the SOAP 1.1 faultcode's local name (Client/Server)."""

    code: str
    message: str
    detail: etree._Element | None = None


@dataclass(frozen=True)
class Envelope:
    headers: tuple[etree._Element, ...]
    payload: etree._Element


def read_envelope(root: etree._Element) -> Envelope:
    """Check the shape of a parsed SOAP 1.1 message and return its headers and body payload."""
    if etree.QName(root).localname != "Envelope":
        raise envelope_refused("not a SOAP envelope")
    if etree.QName(root).namespace != SOAP_ENV:
        raise SoapFault("VersionMismatch", "only SOAP 1.1 is supported")
    header = root.find(f"{{{SOAP_ENV}}}Header")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    payload = [] if body is None else [child for child in body if isinstance(child.tag, str)]
    if len(payload) != 1:
        raise envelope_refused("the SOAP Body must hold exactly one element")
    headers = () if header is None else tuple(h for h in header if isinstance(h.tag, str))
    return Envelope(headers, payload[0])


def tns(name: str) -> str:
    return f"{{{TNS}}}{name}"


def element(name: str, fields: Mapping[str, object] | None = None) -> etree._Element:
    """``<rs:name>`` with one child per non-None field, in the given (the XSD's) order."""
    parent = etree.Element(tns(name), nsmap=_NSMAP)
    for field, value in (fields or {}).items():
        if value is not None:
            etree.SubElement(parent, tns(field)).text = _lexical(value)
    return parent


def _lexical(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def envelope(payload: etree._Element, headers: Iterable[etree._Element] = ()) -> bytes:
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=_NSMAP)
    header_children = list(headers)
    if header_children:
        etree.SubElement(root, f"{{{SOAP_ENV}}}Header").extend(header_children)
    etree.SubElement(root, f"{{{SOAP_ENV}}}Body").append(payload)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def fault_envelope(fault: SoapFault) -> bytes:
    node = etree.Element(f"{{{SOAP_ENV}}}Fault", nsmap=_NSMAP)
    # faultcode, faultstring and detail are unqualified in SOAP 1.1.
    etree.SubElement(node, "faultcode").text = f"soap:{fault.code}"
    etree.SubElement(node, "faultstring").text = fault.message
    if fault.detail is not None:
        etree.SubElement(node, "detail").append(fault.detail)
    return envelope(node)


# --- the contract's typed faults ----------------------------------------------------------


def envelope_refused(message: str) -> SoapFault:
    """The message itself was refused (not XML, too large, a DTD): no typed detail."""
    return SoapFault("Client", message)


def not_found(message: str) -> SoapFault:
    return SoapFault("Client", message, element("NotFoundFault", {"Message": message}))


def access_denied(message: str) -> SoapFault:
    return SoapFault("Client", message, element("AccessDeniedFault", {"Message": message}))


def version_conflict(current_version: int, message: str) -> SoapFault:
    detail = element(
        "VersionConflictFault", {"CurrentVersion": current_version, "Message": message}
    )
    return SoapFault("Client", message, detail)


def validation_failed(field: str, message: str) -> SoapFault:
    detail = element("ValidationFailedFault", {"Field": field, "Message": message})
    return SoapFault("Client", f"{field}: {message}", detail)


def unavailable(message: str) -> SoapFault:
    return SoapFault("Server", message, element("UnavailableFault", {"Message": message}))


# What fault injection may ask for, by the names the WSDL gives the faults.
INJECTABLE_FAULTS = {
    "NotFound": lambda: not_found("injected fault"),
    "AccessDenied": lambda: access_denied("injected fault"),
    "VersionConflict": lambda: version_conflict(1, "injected fault"),
    "ValidationFailed": lambda: validation_failed("Title", "injected fault"),
    "Unavailable": lambda: unavailable("injected fault: the record system is down"),
}
