"""Sending frames to the Kanta archive (or its local simulator) and asking what it holds.

``ArchiveTransport`` is what the rest of the adapter (and the outbox worker) uses;
``HttpArchiveTransport`` speaks SOAP 1.1 over HTTP: HTTPS with a client certificate in
production, plain HTTP only to a loopback address (the simulator in
``reference_record_system.kanta_archive``).

Errors are typed for the outbox: :class:`ArchiveUnavailable` is worth retrying (network, timeout,
5xx, a reply we could not read: the outcome is unknown, so reconcile with :meth:`query` before
resending a new version); :class:`ArchiveRejected` is final and carries the numbered errors.

``query`` uses the simulator's JSON listing. The production archive answers such questions with
HL7 V3 query messages, which are not implemented here.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, urlsplit

import requests
from lxml import etree

from adapters.kanta.frame import AckDetail, Acknowledgement, FrameInvalid, parse_acknowledgement
from plugin_host.xml_safety import XmlRejected, parse_untrusted_xml

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_XML = "text/xml; charset=utf-8"
_MAX_REPLY_BYTES = 1024 * 1024
_RETRYABLE_STATUS = frozenset({408, 429, 502, 503, 504})


@dataclass(frozen=True)
class StoredVersion:
    """One version the archive holds (ids and times only; never contents)."""

    document_oid: str
    set_oid: str
    version: int
    received_at: dt.datetime
    status: str  # current, replaced or invalidated
    replaces_oid: str | None = None


class ArchiveTransport(Protocol):
    def send(self, frame: bytes, correlation_id: str) -> Acknowledgement:
        """Deliver one frame; return the acceptance or raise an :class:`ArchiveError`."""
        ...

    def query(self, set_oid: str) -> list[StoredVersion]:
        """The versions of a document set the archive holds, oldest first."""
        ...


class ArchiveError(Exception):
    retryable = False


class ArchiveUnavailable(ArchiveError):
    """Could not get an answer (or not one we could read): try again later."""

    retryable = True


class ArchiveRejected(ArchiveError):
    """The archive said no (AE/AR); resending the same frame will not help."""

    def __init__(self, acknowledgement: Acknowledgement) -> None:
        self.acknowledgement = acknowledgement
        self.errors = acknowledgement.numbered()
        super().__init__(f"archive answered {acknowledgement.type_code}: " + " ".join(self.errors))


class HttpArchiveTransport:
    """SOAP 1.1 over HTTP(S) to ``url`` (the service base, e.g. ``https://…/kanta``).

    ``client_cert`` is a PEM file holding certificate and key, or a (certificate, key) pair of
    paths; ``ca`` a PEM bundle of the CAs to trust for the server (default: the system's).
    """

    def __init__(
        self,
        url: str,
        client_cert: str | tuple[str, str] | None = None,
        ca: str | None = None,
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
            # Client documents never cross a network in clear text; HTTP is for the simulator.
            raise ValueError("plain HTTP is only allowed to a loopback address")
        if parts.scheme not in ("http", "https"):
            raise ValueError("the archive URL must be http(s)")
        self._url = url.rstrip("/")
        self._cert = client_cert
        self._verify: str | bool = ca or True
        self._timeout = timeout
        self._session = session or requests.Session()

    def send(self, frame: bytes, correlation_id: str) -> Acknowledgement:
        try:
            frame_root = parse_untrusted_xml(frame)
        except XmlRejected as exc:
            raise ValueError(f"the frame is not acceptable XML ({exc.kind})") from None
        body = _envelope(frame_root)
        try:
            response = self._session.post(
                f"{self._url}/archive",
                data=body,
                headers={
                    "Content-Type": _XML,
                    "SOAPAction": '""',
                    "X-Correlation-ID": correlation_id,
                },
                cert=self._cert,
                verify=self._verify,
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            raise ArchiveUnavailable(f"no answer from the archive ({type(exc).__name__})") from None
        if response.status_code in _RETRYABLE_STATUS:
            raise ArchiveUnavailable(f"the archive answered HTTP {response.status_code}")
        ack = self._acknowledgement(response)
        sent_id = _message_id(frame_root)
        if ack.target_message_id != sent_id:
            raise ArchiveUnavailable("the acknowledgement is for another message")
        if not ack.accepted:
            raise ArchiveRejected(ack)
        return ack

    def query(self, set_oid: str) -> list[StoredVersion]:
        try:
            response = self._session.get(
                f"{self._url}/documents/{quote(set_oid, safe='')}",
                cert=self._cert,
                verify=self._verify,
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            raise ArchiveUnavailable(f"no answer from the archive ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise ArchiveUnavailable(f"the archive answered HTTP {response.status_code}")
        try:
            rows = response.json()["versions"]
            return [
                StoredVersion(
                    document_oid=row["document_oid"],
                    set_oid=row["set_oid"],
                    version=int(row["version"]),
                    received_at=dt.datetime.fromisoformat(row["received_at"]),
                    status=row["status"],
                    replaces_oid=row.get("replaces_oid"),
                )
                for row in rows
            ]
        except (ValueError, KeyError, TypeError):
            raise ArchiveUnavailable("the archive's listing could not be read") from None

    def _acknowledgement(self, response: requests.Response) -> Acknowledgement:
        content = response.content[: _MAX_REPLY_BYTES + 1]
        try:
            root = parse_untrusted_xml(content, _MAX_REPLY_BYTES)
        except XmlRejected:
            raise ArchiveUnavailable(
                f"unreadable reply (HTTP {response.status_code}); outcome unknown"
            ) from None
        body = root.find(f"{{{SOAP_ENV}}}Body") if root.tag == f"{{{SOAP_ENV}}}Envelope" else None
        payload = None if body is None else next(iter(body), None)
        if payload is None:
            raise ArchiveUnavailable("the reply is not a SOAP message; outcome unknown")
        if payload.tag == f"{{{SOAP_ENV}}}Fault":
            code = payload.findtext("faultcode") or ""
            # A Client fault means the envelope itself was refused: resending will not help.
            if code.endswith("Client"):
                raise ArchiveRejected(Acknowledgement("AR", "", "", (_fault_detail(payload),)))
            raise ArchiveUnavailable("the archive reported a server fault")
        try:
            return parse_acknowledgement(payload)
        except FrameInvalid:
            raise ArchiveUnavailable(
                "the reply holds no acknowledgement; outcome unknown"
            ) from None


def _envelope(payload: etree._Element) -> bytes:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(payload)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def _message_id(frame: etree._Element) -> str:
    node = frame.find("{urn:hl7-org:v3}id")
    if node is None:
        return ""
    extension = node.get("extension")
    return f"{node.get('root', '')}^{extension}" if extension else node.get("root", "")


def _fault_detail(fault: etree._Element) -> AckDetail:
    return AckDetail(code="soap-fault", text=fault.findtext("faultstring") or "SOAP fault")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
