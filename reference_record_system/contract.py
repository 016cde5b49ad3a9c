"""The record-system contract as the reference system reads it: the same WSDL and XSD files the
adapter ships (``adapters/soap``), so the two sides cannot drift apart.

Only the files are shared, never code: the reference system stands in for a municipality's
system, which knows the contract and nothing else of the host.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from importlib.resources import files

from lxml import etree

from plugin_host.xml_safety import parse_untrusted_xml

WSDL_NAME = "record_system.wsdl"
XSD_NAME = "record_system.xsd"
_CONTRACT = files("adapters") / "soap"
_WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
_XSD_NS = "http://www.w3.org/2001/XMLSchema"

# "Element '{ns}Title': ..." names the element; "Expected is ( {ns}A, {ns}B )" names what was
# missing, and the last one listed is the first required one (optional ones come before it).
_ELEMENT = re.compile(r"Element '(?:\{[^}]*\})?([\w.-]+)'")
_EXPECTED = re.compile(r"Expected is (?:one of )?\( ([^)]*) \)")
_FACET = re.compile(r"\[facet '(\w+)'\]")
_VALIDATION_LOCK = threading.Lock()


class ContractViolation(ValueError):
    """A request body that does not conform to the XSD; names the offending element."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def xsd_bytes() -> bytes:
    return (_CONTRACT / XSD_NAME).read_bytes()


@cache
def _schema_root() -> etree._Element:
    return parse_untrusted_xml(xsd_bytes())


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(_schema_root())


def target_namespace() -> str:
    return _schema_root().get("targetNamespace")


def wsdl_for(soap_url: str) -> bytes:
    """The WSDL with its address and schema location pointing at this server."""
    root = parse_untrusted_xml((_CONTRACT / WSDL_NAME).read_bytes())
    for address in root.iter(f"{{{_WSDL_SOAP_NS}}}address"):
        address.set("location", soap_url)
    for schema_import in root.iter(f"{{{_XSD_NS}}}import"):
        schema_import.set("schemaLocation", f"{soap_url}?xsd={XSD_NAME}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def validate(element: etree._Element) -> None:
    """Check one request element against the XSD; raise :class:`ContractViolation` if it fails."""
    schema = _schema()
    # The schema keeps the last run's errors on itself, and the server is threaded.
    with _VALIDATION_LOCK:
        if schema.validate(element):
            return
        error = schema.error_log[0]
    expected = _EXPECTED.search(error.message)
    if expected:
        field = expected.group(1).split(", ")[-1].rpartition("}")[2]
    else:
        named = _ELEMENT.search(error.message)
        field = named.group(1) if named else element.tag.rpartition("}")[2]
    # Say which rule failed but never echo the value: it may be an identity code.
    facet = _FACET.search(error.message)
    reason = f"violates {facet.group(1)}" if facet else error.type_name.lower()
    raise ContractViolation(field, f"does not conform to the contract ({reason})")
