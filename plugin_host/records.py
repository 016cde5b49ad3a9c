"""The record-system contract as the host sees it: plain dataclasses, typed errors, one protocol.

Adapters (``adapters/soap``, later others) implement :class:`RecordSystem`; nothing of the wire
format (zeep objects, XML elements) crosses this line. Plugins see these types through
``plugin_host.api``, always behind the :class:`~plugin_host.gateway.RecordGateway`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class RequestContext:
    """Who asks and why; travels with every call (X-Road ``userId``, the record's own log)."""

    worker_id: str
    org_unit: str
    purpose: str


@dataclass(frozen=True)
class Client:
    client_id: str
    first_names: str
    last_name: str
    birth_date: date | None = None
    identity_code: str | None = None
    case_id: str | None = None
    responsible_worker_id: str | None = None
    team_id: str | None = None

    @property
    def display_name(self) -> str:
        return f"{self.first_names} {self.last_name}"


@dataclass(frozen=True)
class TeamMember:
    """A worker of a team; ``role`` is the record system's code (social-worker, family-therapist,
    coordinator, ...)."""

    worker_id: str
    name: str
    role: str


@dataclass(frozen=True)
class Team:
    """A team's clients and members as the record system lists them for the asking worker."""

    team_id: str
    clients: tuple[Client, ...] = ()
    members: tuple[TeamMember, ...] = ()


@dataclass(frozen=True)
class FamilyMember:
    person_id: str
    first_names: str
    last_name: str
    relation: str  # e.g. mother, father, sibling, grandparent, step-parent, foster-parent
    birth_date: date | None = None
    identity_code: str | None = None
    is_guardian: bool = False
    in_household: bool = False
    client_id: str | None = None  # the member is a client too (a sibling with their own record)

    @property
    def display_name(self) -> str:
        return f"{self.first_names} {self.last_name}"


@dataclass(frozen=True)
class Family:
    """The client's family and household as the record knows them."""

    client_id: str
    members: tuple[FamilyMember, ...] = ()

    @property
    def household(self) -> tuple[FamilyMember, ...]:
        return tuple(m for m in self.members if m.in_household)


@dataclass(frozen=True)
class DocumentRef:
    document_id: str
    client_id: str
    document_type: str
    version: int
    title: str
    created_at: datetime
    author_id: str
    # Set by the host for a write accepted but not yet in the record system (read-your-writes).
    pending: bool = False
    write_id: str | None = None


class DocumentList(tuple):
    """Documents of a client; ``complete`` is False when only the host's pending ones are known
    (the record system did not answer)."""

    complete: bool = True

    def __new__(cls, refs=(), complete: bool = True) -> DocumentList:
        listing = super().__new__(cls, refs)
        listing.complete = complete
        return listing


@dataclass(frozen=True)
class Document:
    ref: DocumentRef
    content: str
    content_type: str = "application/json"


@dataclass(frozen=True)
class DocumentDraft:
    """A document to save; ``document_id`` is None for a new document."""

    client_id: str
    document_type: str
    title: str
    content: str
    content_type: str = "application/json"
    document_id: str | None = None


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    reason: str = ""


# --- typed errors -------------------------------------------------------------------------


class RecordSystemError(Exception):
    """Base of every error an adapter raises; ``retryable`` tells the outbox whether to retry."""

    retryable = False


class RecordNotFound(RecordSystemError):
    pass


class RecordAccessDenied(RecordSystemError):
    pass


@dataclass(eq=False)
class VersionConflict(RecordSystemError):
    current_version: int
    message: str = "version conflict"

    def __str__(self) -> str:
        return f"{self.message} (current version {self.current_version})"


@dataclass(eq=False)
class RecordValidationFailed(RecordSystemError):
    field_name: str
    message: str = "validation failed"

    def __str__(self) -> str:
        return f"{self.field_name}: {self.message}"


class RecordUnavailable(RecordSystemError):
    """The record system did not answer usefully (down, 503, refused); safe to retry."""

    retryable = True


class RecordTimeout(RecordUnavailable):
    """Outcome unknown (timeout, or connection lost after sending): reconcile before resending."""


class RecordProtocolError(RecordSystemError):
    """The reply was malformed, hostile (DTD, entities) or outside the contract."""

    retryable = True


@runtime_checkable
class RecordSystem(Protocol):
    """What the host needs from a municipality's record system."""

    def get_client(self, ctx: RequestContext, client_id: str) -> Client: ...

    def get_family(self, ctx: RequestContext, client_id: str) -> Family: ...

    def get_team(self, ctx: RequestContext, team_id: str) -> Team: ...

    def list_documents(
        self,
        ctx: RequestContext,
        client_id: str,
        document_type: str | None = None,
        since: datetime | None = None,
    ) -> tuple[DocumentRef, ...]: ...

    def get_document(
        self, ctx: RequestContext, document_id: str, version: int | None = None
    ) -> Document: ...

    def save_document(
        self,
        ctx: RequestContext,
        draft: DocumentDraft,
        expected_version: int | None,
        idempotency_key: str,
    ) -> DocumentRef: ...

    def check_access(self, ctx: RequestContext, client_id: str) -> AccessDecision: ...


__all__ = [
    "AccessDecision",
    "Client",
    "Document",
    "DocumentDraft",
    "DocumentList",
    "DocumentRef",
    "Family",
    "FamilyMember",
    "RecordAccessDenied",
    "RecordNotFound",
    "RecordProtocolError",
    "RecordSystem",
    "RecordSystemError",
    "RecordTimeout",
    "RecordUnavailable",
    "RecordValidationFailed",
    "RequestContext",
    "Team",
    "TeamMember",
    "VersionConflict",
]
