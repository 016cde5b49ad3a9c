"""zeep's reply objects into the host's dataclasses; nothing of zeep gets past this module."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from plugin_host.records import (
    AccessDecision,
    Client,
    Document,
    DocumentRef,
    Family,
    FamilyMember,
    Team,
    TeamMember,
)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime with the stdlib's tzinfo; a naive one is taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def client(value: Any) -> Client:
    return Client(
        client_id=value.ClientId,
        first_names=value.FirstNames,
        last_name=value.LastName,
        birth_date=value.BirthDate,
        identity_code=value.IdentityCode,
        case_id=value.CaseId,
        responsible_worker_id=value.ResponsibleWorkerId,
        team_id=value.TeamId,
    )


def team(value: Any) -> Team:
    return Team(
        team_id=value.TeamId,
        clients=tuple(client(c) for c in value.Client),
        members=tuple(
            TeamMember(worker_id=m.WorkerId, name=m.Name, role=m.Role) for m in value.Member
        ),
    )


def family(value: Any) -> Family:
    return Family(
        client_id=value.ClientId,
        members=tuple(
            FamilyMember(
                person_id=m.PersonId,
                first_names=m.FirstNames,
                last_name=m.LastName,
                relation=m.Relation,
                birth_date=m.BirthDate,
                identity_code=m.IdentityCode,
                is_guardian=m.IsGuardian,
                in_household=m.InHousehold,
                client_id=m.ClientId,
            )
            for m in value.Member
        ),
    )


def document_ref(value: Any) -> DocumentRef:
    return DocumentRef(
        document_id=value.DocumentId,
        client_id=value.ClientId,
        document_type=value.DocumentType,
        version=value.Version,
        title=value.Title,
        created_at=as_utc(value.CreatedAt),
        author_id=value.AuthorId,
    )


def _text(value: str | None) -> str:
    # zeep reads an empty element as None; the contract means an empty string.
    return value or ""


def document(value: Any) -> Document:
    return Document(
        ref=document_ref(value.DocumentRef),
        content=_text(value.Content),
        content_type=value.ContentType,
    )


def access(value: Any) -> AccessDecision:
    return AccessDecision(allowed=value.Allowed, reason=_text(value.Reason))
