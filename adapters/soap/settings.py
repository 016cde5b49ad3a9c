"""How to reach a record system over SOAP: endpoint, timeout, contract file, X-Road identity."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BUNDLED_WSDL = str(Path(__file__).with_name("record_system.wsdl"))


@dataclass(frozen=True)
class XRoadMember:
    """An X-Road member, or one of its subsystems when ``subsystem_code`` is set."""

    instance: str  # xRoadInstance, e.g. "FI"
    member_class: str  # e.g. "GOV", "MUN", "COM"
    member_code: str  # business id, e.g. "0123456-7"
    subsystem_code: str | None = None

    @classmethod
    def parse(cls, text: str) -> XRoadMember:
        """X-Road's own notation: ``INSTANCE/CLASS/CODE`` or ``INSTANCE/CLASS/CODE/SUBSYSTEM``."""
        parts = text.split("/")
        if len(parts) not in (3, 4) or not all(parts):
            # A service code does not belong here: each operation is its own service code.
            raise ValueError(f"not INSTANCE/CLASS/CODE[/SUBSYSTEM]: {text!r}")
        return cls(*parts)


@dataclass(frozen=True)
class XRoadSettings:
    """X-Road message protocol headers to send: who calls (``client``) whom (``service``).

    ``client`` and ``service`` may also be given as text (see :meth:`XRoadMember.parse`).
    """

    client: XRoadMember
    service: XRoadMember
    service_version: str | None = "v1"
    protocol_version: str = "4.0"

    def __post_init__(self) -> None:
        # Configuration files give identifiers in X-Road's text notation; accept it here.
        for name in ("client", "service"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, XRoadMember.parse(value))


@dataclass(frozen=True)
class SoapSettings:
    endpoint: str
    timeout_seconds: float = 5.0  # connect and read, each
    wsdl_path: str = BUNDLED_WSDL  # a local file: the contract is never fetched at run time
    xroad: XRoadSettings | None = None
    max_reply_bytes: int = 8 * 1024 * 1024  # larger replies are refused unread
