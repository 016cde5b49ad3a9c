"""Check every reply against the contract's XSD before zeep turns it into Python.

zeep is lenient with replies: a missing required element becomes None, an unreadable date is
logged and dropped, ``<Allowed>maybe</Allowed>`` reads as False. A reply that does not conform
to the XSD is refused here instead, so the dataclasses only ever hold what the contract allows.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import zeep
from lxml import etree

from adapters.soap.contract import TNS
from plugin_host.records import RecordProtocolError

_SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_XSD = "http://www.w3.org/2001/XMLSchema"


@cache
def contract_schema(wsdl_path: str) -> etree.XMLSchema:
    """The schema in the WSDL's types section (with what it imports), compiled by lxml."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    types = etree.parse(wsdl_path, parser).find(f".//{{{_XSD}}}schema")
    return etree.XMLSchema(types)


class ContractCheck(zeep.Plugin):
    """A zeep plugin refusing replies that are not the operation's response as the XSD says."""

    def __init__(self, schema: etree.XMLSchema) -> None:
        self._schema = schema
        # The schema keeps the last run's errors on itself; one validation at a time keeps
        # the error read below the one of this reply.
        self._lock = threading.Lock()

    def ingress(self, envelope: etree._Element, http_headers: Any, operation: Any) -> Any:
        body = envelope.find(f"{{{_SOAP_ENV}}}Body")
        payload = [] if body is None else [c for c in body if isinstance(c.tag, str)]
        if len(payload) != 1:
            raise RecordProtocolError("reply body must hold exactly one element")
        if payload[0].tag == f"{{{_SOAP_ENV}}}Fault":
            return envelope, http_headers  # faults are read by adapters.soap.faults
        if payload[0].tag != f"{{{TNS}}}{operation.name}Response":
            raise RecordProtocolError(f"reply to {operation.name} is {etree.QName(payload[0])}")
        with self._lock:
            valid = self._schema.validate(payload[0])
            error = None if valid else self._schema.error_log[0]
        if error is not None:
            # The line and the rule, never the value: it may be an identity code.
            raise RecordProtocolError(
                f"reply does not conform to the contract (line {error.line}: {error.type_name})"
            )
        return envelope, http_headers
