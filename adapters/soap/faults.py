"""What went wrong on the wire, as the typed errors of ``plugin_host.records``.

Typed SOAP faults map one to one. Transport failures split by whether the request may have been
applied: a refused connection was not (RecordUnavailable), a reply that never came may have been
(RecordTimeout, so the outbox reconciles before resending). Anything hostile or outside the
contract is a RecordProtocolError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests
import urllib3.exceptions
import zeep.exceptions
from lxml import etree

from adapters.soap.contract import TNS
from plugin_host.records import (
    RecordAccessDenied,
    RecordNotFound,
    RecordProtocolError,
    RecordSystemError,
    RecordTimeout,
    RecordUnavailable,
    RecordValidationFailed,
    VersionConflict,
)
from plugin_host.xml_safety import XmlRejected

# HTTP statuses that mean "busy or down, try later" rather than "you spoke nonsense".
_BUSY_STATUSES = frozenset({429, 502, 503, 504})


def snake(name: str) -> str:
    """The host's name for a contract element: ``IdempotencyKey`` -> ``idempotency_key``."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _text(detail: etree._Element, name: str) -> str:
    node = detail.find(f"{{{TNS}}}{name}")
    if node is None:
        raise RecordProtocolError(f"fault detail lacks {name}")
    return node.text or ""  # the XSD allows an empty element


def _version_conflict(detail: etree._Element) -> RecordSystemError:
    try:
        current = int(_text(detail, "CurrentVersion"))
    except ValueError:
        return RecordProtocolError("fault detail has a malformed CurrentVersion")
    return VersionConflict(current, _text(detail, "Message"))


_TYPED_FAULTS: dict[str, Callable[[etree._Element], RecordSystemError]] = {
    "NotFoundFault": lambda d: RecordNotFound(_text(d, "Message")),
    "AccessDeniedFault": lambda d: RecordAccessDenied(_text(d, "Message")),
    "VersionConflictFault": _version_conflict,
    "ValidationFailedFault": lambda d: RecordValidationFailed(
        snake(_text(d, "Field")), _text(d, "Message")
    ),
    "UnavailableFault": lambda d: RecordUnavailable(_text(d, "Message")),
}


def from_fault(fault: zeep.exceptions.Fault) -> RecordSystemError:
    detail = fault.detail
    typed = [] if detail is None else [c for c in detail if isinstance(c.tag, str)]
    if len(typed) != 1 or etree.QName(typed[0]).namespace != TNS:
        return RecordProtocolError(f"SOAP fault outside the contract ({fault.code})")
    build = _TYPED_FAULTS.get(etree.QName(typed[0]).localname)
    if build is None:
        return RecordProtocolError(f"unknown fault {etree.QName(typed[0]).localname}")
    try:
        return build(typed[0])
    except RecordProtocolError as exc:
        return exc


def from_transport(exc: requests.RequestException) -> RecordSystemError:
    if isinstance(exc, requests.ConnectTimeout):
        return RecordUnavailable("no connection in time")
    if isinstance(exc, requests.Timeout):
        return RecordTimeout("no reply in time; the request may have been applied")
    if (
        isinstance(exc, requests.ConnectionError)
        and exc.args
        and isinstance(exc.args[0], urllib3.exceptions.ProtocolError)
    ):
        # The connection broke after the request went out: same uncertainty as a timeout.
        return RecordTimeout("connection lost before the reply; the request may have been applied")
    return RecordUnavailable(f"record system unreachable ({type(exc).__name__})")


def from_zeep(exc: zeep.exceptions.Error) -> RecordSystemError:
    if isinstance(exc, zeep.exceptions.Fault):
        return from_fault(exc)
    if isinstance(exc, zeep.exceptions.TransportError):
        if exc.status_code in _BUSY_STATUSES:
            return RecordUnavailable(f"record system answered HTTP {exc.status_code}")
        return RecordProtocolError(f"reply is not a SOAP message (HTTP {exc.status_code})")
    if isinstance(exc, zeep.exceptions.ValidationError):
        # Raised before sending, when a value does not fit the contract's message.
        field = snake(str(exc.path[-1])) if exc.path else "request"
        return RecordValidationFailed(field, exc.message)
    # DTDForbidden, EntitiesForbidden, XMLSyntaxError, XMLParseError, UnexpectedElementError, ...
    return RecordProtocolError(f"reply outside the contract ({type(exc).__name__})")


@contextmanager
def typed_errors() -> Iterator[None]:
    """Turn every wire-level failure inside the block into a RecordSystemError."""
    try:
        yield
    except zeep.exceptions.Error as exc:
        # ``from None``: zeep's messages quote the reply, which may hold client data that must
        # not reach technical logs through a chained traceback.
        raise from_zeep(exc) from None
    except requests.RequestException as exc:
        raise from_transport(exc) from None
    except XmlRejected as exc:
        raise RecordProtocolError(f"reply refused by the hardened parser: {exc.kind}") from None
