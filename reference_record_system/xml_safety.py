"""The one way the reference record system parses XML it did not write itself.

SOAP 1.1 forbids a DOCTYPE in a message, so any DTD is refused outright: that closes external
entities (XXE), entity expansion (billion laughs) and DTD fetches in one rule. The parser also
never touches the network, never expands entities and refuses oversized input before parsing.
"""

from __future__ import annotations

from lxml import etree

MAX_MESSAGE_BYTES = 2 * 1024 * 1024


class UnsafeXml(ValueError):
    """The input is not XML we are willing to process; the message says why, without echoing it."""


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers keep state and must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_untrusted(data: bytes, max_bytes: int = MAX_MESSAGE_BYTES) -> etree._Element:
    """Parse ``data`` into an element tree, or raise :class:`UnsafeXml`."""
    if len(data) > max_bytes:
        raise UnsafeXml(f"message larger than {max_bytes} bytes")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml("not well-formed XML") from exc
    if root.getroottree().docinfo.doctype or root.getroottree().docinfo.internalDTD is not None:
        raise UnsafeXml("DOCTYPE is not allowed in a SOAP message")
    return root
