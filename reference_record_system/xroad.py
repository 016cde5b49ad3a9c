"""X-Road message protocol 4.0 headers as the reference record system receives them.

They are optional: a request without them is served as is. A request with them must carry the
ones every X-Road message has, and gets them echoed in the reply, as X-Road requires.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from reference_record_system.soap_envelope import envelope_refused

XROAD_NS = "http://x-road.eu/xsd/xroad.xsd"
IDENTIFIERS_NS = "http://x-road.eu/xsd/identifiers"
PROTOCOL_VERSION = "4.0"
_REQUIRED = ("client", "service", "id", "protocolVersion")
_IDENTIFIER_HEADERS = ("client", "service")


def read_xroad_headers(
    headers: Iterable[etree._Element],
) -> tuple[tuple[etree._Element, ...], dict | None]:
    """The X-Road header elements (to echo) and a plain summary of them (None if absent)."""
    xroad = tuple(h for h in headers if etree.QName(h).namespace == XROAD_NS)
    if not xroad:
        return (), None
    by_name = {etree.QName(h).localname: h for h in xroad}
    for name in _REQUIRED:
        if name not in by_name:
            raise envelope_refused(f"X-Road header {name} is missing")
    if by_name["protocolVersion"].text != PROTOCOL_VERSION:
        raise envelope_refused(f"X-Road protocolVersion must be {PROTOCOL_VERSION}")
    summary = {
        name: _identifier(node) if name in _IDENTIFIER_HEADERS else (node.text or "")
        for name, node in by_name.items()
    }
    return xroad, summary


def _identifier(node: etree._Element) -> dict:
    parts = {etree.QName(child).localname: child.text or "" for child in node}
    return {"objectType": node.get(f"{{{IDENTIFIERS_NS}}}objectType"), **parts}
