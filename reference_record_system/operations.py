"""The seven operations of the record-system contract over the store.

Each takes the store, the request context and the (already XSD-valid) request element, and
returns the reply element or raises a typed fault. Access is the record system's own rule: a
worker sees the clients of their own team.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from lxml import etree

from reference_record_system.soap_envelope import (
    access_denied,
    element,
    not_found,
    tns,
    validation_failed,
)
from reference_record_system.store import REF_KEYS, RecordStore

Context = dict[str, str]
Operation = Callable[[RecordStore, Context, etree._Element], etree._Element]

_CLIENT_FIELDS = (
    "client_id",
    "first_names",
    "last_name",
    "birth_date",
    "identity_code",
    "case_id",
    "responsible_worker_id",
    "team_id",
)
_MEMBER_FIELDS = (
    "person_id",
    "first_names",
    "last_name",
    "birth_date",
    "identity_code",
    "relation",
    "is_guardian",
    "in_household",
    "client_id",
)
_TEAM_MEMBER_FIELDS = ("worker_id", "name", "role")
# The contract orders a reference as the store does.
_REF_FIELDS = REF_KEYS


def camel(name: str) -> str:
    """The contract's element name for a store field: ``client_id`` -> ``ClientId``."""
    return "".join(part.capitalize() for part in name.split("_"))


def _text(payload: etree._Element, name: str) -> str | None:
    node = payload.find(tns(name))
    return None if node is None else node.text or ""


def _int(payload: etree._Element, name: str) -> int | None:
    text = _text(payload, name)
    return None if text is None else int(text)


def request_context(payload: etree._Element) -> Context:
    node = payload.find(tns("RequestContext"))
    return {key: _text(node, camel(key)) or "" for key in ("worker_id", "org_unit", "purpose")}


def _record(name: str, record: dict, keys: Iterable[str]) -> etree._Element:
    return element(name, {camel(key): record[key] for key in keys})


def _require_access(store: RecordStore, ctx: Context, client_id: str) -> None:
    allowed, reason = store.check_access(ctx["worker_id"], client_id)
    if not allowed:
        raise access_denied(reason)


def get_client(store: RecordStore, ctx: Context, payload: etree._Element) -> etree._Element:
    client_id = _text(payload, "ClientId")
    _require_access(store, ctx, client_id)
    response = element("GetClientResponse")
    response.append(_record("Client", store.get_client(client_id), _CLIENT_FIELDS))
    return response


def get_family(store: RecordStore, ctx: Context, payload: etree._Element) -> etree._Element:
    client_id = _text(payload, "ClientId")
    _require_access(store, ctx, client_id)
    response = element("GetFamilyResponse", {"ClientId": client_id})
    response.extend(_record("Member", m, _MEMBER_FIELDS) for m in store.get_family(client_id))
    return response


def list_team_clients(store: RecordStore, ctx: Context, payload: etree._Element) -> etree._Element:
    team_id = _text(payload, "TeamId")
    worker = store.get_worker(ctx["worker_id"])
    if worker is None or worker["team_id"] != team_id:
        raise access_denied("the worker does not belong to this team")
    response = element("ListTeamClientsResponse", {"TeamId": team_id})
    response.extend(_record("Client", c, _CLIENT_FIELDS) for c in store.list_clients(team_id))
    response.extend(_record("Member", m, _TEAM_MEMBER_FIELDS) for m in store.team_members(team_id))
    return response


def list_documents(store: RecordStore, ctx: Context, payload: etree._Element) -> etree._Element:
    client_id = _text(payload, "ClientId")
    _require_access(store, ctx, client_id)
    since = _text(payload, "Since")
    try:
        since_time = None if since is None else datetime.fromisoformat(since)
    except ValueError as exc:
        # xsd:dateTime allows a few forms Python does not read; say so rather than fail.
        raise validation_failed("Since", "unsupported dateTime form") from exc
    refs = store.list_documents(client_id, _text(payload, "DocumentType"), since_time)
    response = element("ListDocumentsResponse", {"ClientId": client_id})
    response.extend(_record("Document", ref, _REF_FIELDS) for ref in refs)
    return response


def get_document(store: RecordStore, ctx: Context, payload: etree._Element) -> etree._Element:
    document_id = _text(payload, "DocumentId")
    document = store.get_document(document_id, _int(payload, "Version"))
    if document is None:
        raise not_found(f"no document {document_id} in that version")
    _require_access(store, ctx, document["client_id"])
    response = element("GetDocumentResponse")
    response.append(_record("DocumentRef", document, _REF_FIELDS))
    for key in ("content", "content_type"):
        etree.SubElement(response, tns(camel(key))).text = document[key]
    return response


def save_document(store: RecordStore, ctx: Context, payload: etree._Element) -> etree._Element:
    client_id = _text(payload, "ClientId")
    _require_access(store, ctx, client_id)
    ref = store.save_document(
        ctx["worker_id"],
        client_id,
        _text(payload, "DocumentType"),
        _text(payload, "Title"),
        _text(payload, "Content"),
        _text(payload, "ContentType"),
        document_id=_text(payload, "DocumentId"),
        expected_version=_int(payload, "ExpectedVersion"),
        idempotency_key=_text(payload, "IdempotencyKey"),
    )
    response = element("SaveDocumentResponse")
    response.append(_record("DocumentRef", ref, _REF_FIELDS))
    return response


def check_access(store: RecordStore, ctx: Context, payload: etree._Element) -> etree._Element:
    allowed, reason = store.check_access(ctx["worker_id"], _text(payload, "ClientId"))
    return element("CheckAccessResponse", {"Allowed": allowed, "Reason": reason})


OPERATIONS: dict[str, Operation] = {
    "GetClient": get_client,
    "GetFamily": get_family,
    "ListTeamClients": list_team_clients,
    "ListDocuments": list_documents,
    "GetDocument": get_document,
    "SaveDocument": save_document,
    "CheckAccess": check_access,
}
# Operations that change the record: the ones a timeout after commit applies to.
WRITES = frozenset({"SaveDocument"})
