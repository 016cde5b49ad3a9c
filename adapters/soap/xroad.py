"""X-Road message protocol 4.0 SOAP headers (client, service, id, userId, protocolVersion)."""

from __future__ import annotations

import uuid

from lxml import etree

from adapters.soap.settings import XRoadMember, XRoadSettings

XROAD_NS = "http://x-road.eu/xsd/xroad.xsd"
IDENTIFIERS_NS = "http://x-road.eu/xsd/identifiers"
_NSMAP = {"xrd": XROAD_NS, "id": IDENTIFIERS_NS}


def xroad_headers(settings: XRoadSettings, service_code: str, user_id: str) -> list[etree._Element]:
    """The headers for one call of ``service_code`` on behalf of ``user_id`` (the worker)."""
    client_type = "SUBSYSTEM" if settings.client.subsystem_code else "MEMBER"
    return [
        _identifier("client", client_type, settings.client),
        _identifier(
            "service",
            "SERVICE",
            settings.service,
            serviceCode=service_code,
            serviceVersion=settings.service_version,
        ),
        _text("id", uuid.uuid4().hex),  # unique per message, as X-Road requires
        _text("userId", user_id),
        _text("protocolVersion", settings.protocol_version),
    ]


def _text(name: str, value: str) -> etree._Element:
    node = etree.Element(f"{{{XROAD_NS}}}{name}", nsmap=_NSMAP)
    node.text = value
    return node


def _identifier(
    name: str, object_type: str, member: XRoadMember, **service: str | None
) -> etree._Element:
    node = etree.Element(f"{{{XROAD_NS}}}{name}", nsmap=_NSMAP)
    node.set(f"{{{IDENTIFIERS_NS}}}objectType", object_type)
    # The order is the identifiers schema's sequence.
    parts = {
        "xRoadInstance": member.instance,
        "memberClass": member.member_class,
        "memberCode": member.member_code,
        "subsystemCode": member.subsystem_code,
        **service,
    }
    for part, value in parts.items():
        if value is not None:
            etree.SubElement(node, f"{{{IDENTIFIERS_NS}}}{part}").text = value
    return node
