"""The record system over SOAP: :class:`plugin_host.records.RecordSystem` with zeep.

The WSDL is parsed once per process and file; each (file, timeout) pair shares one zeep client
and its HTTP connection pool; each :class:`SoapRecordSystem` only binds it to its endpoint.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import requests
import zeep
from zeep.proxy import ServiceProxy
from zeep.transports import Transport
from zeep.wsdl import Document as WsdlDocument

from adapters.soap import convert
from adapters.soap.contract import BINDING
from adapters.soap.faults import typed_errors
from adapters.soap.settings import SoapSettings
from adapters.soap.validation import ContractCheck, contract_schema
from adapters.soap.xroad import xroad_headers
from plugin_host.records import (
    AccessDecision,
    Client,
    Document,
    DocumentDraft,
    DocumentRef,
    Family,
    RequestContext,
    Team,
)
from plugin_host.xml_safety import parse_untrusted_xml

# SOAP 1.1 answers 200 with a reply and 500 with a fault; other statuses are zeep's to map.
_SOAP_STATUSES = (200, 500)

# Replies are untrusted: no DTD, no entities, no fetching, no recovering from broken XML.
_ZEEP_SETTINGS = zeep.Settings(
    strict=True,
    forbid_dtd=True,
    forbid_entities=True,
    forbid_external=True,
    xml_huge_tree=False,
)


@cache
def _wsdl(wsdl_path: str) -> WsdlDocument:
    path = Path(wsdl_path)
    if not path.is_file():
        # zeep would happily fetch a URL; the contract must come with the code instead.
        raise ValueError(f"WSDL must be a local file: {wsdl_path}")
    return WsdlDocument(str(path), Transport(), settings=_ZEEP_SETTINGS)


class GuardedTransport(Transport):
    """Every SOAP reply passes the host's hardened parser (size cap, no DTD) before zeep."""

    def __init__(self, max_reply_bytes: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_reply_bytes = max_reply_bytes

    def post(self, address: str, message: str, headers: dict[str, str]) -> requests.Response:
        response = super().post(address, message, headers)
        if response.status_code in _SOAP_STATUSES:
            parse_untrusted_xml(response.content, self.max_reply_bytes)
        return response


@cache
def _client(wsdl_path: str, timeout_seconds: float, max_reply_bytes: int) -> zeep.Client:
    transport = GuardedTransport(
        max_reply_bytes, timeout=timeout_seconds, operation_timeout=timeout_seconds
    )
    return zeep.Client(
        _wsdl(wsdl_path),
        transport=transport,
        settings=_ZEEP_SETTINGS,
        plugins=[ContractCheck(contract_schema(wsdl_path))],
    )


class SoapRecordSystem:
    """A municipality's record system behind the SOAP contract in ``record_system.wsdl``."""

    def __init__(self, settings: SoapSettings) -> None:
        self._settings = settings
        self._service: ServiceProxy = _client(
            settings.wsdl_path, settings.timeout_seconds, settings.max_reply_bytes
        ).create_service(BINDING, settings.endpoint)

    def _call(self, ctx: RequestContext, operation: str, **params: Any) -> Any:
        xroad = self._settings.xroad
        headers = None if xroad is None else xroad_headers(xroad, operation, ctx.worker_id)
        context = {"WorkerId": ctx.worker_id, "OrgUnit": ctx.org_unit, "Purpose": ctx.purpose}
        with typed_errors():
            return self._service[operation](RequestContext=context, _soapheaders=headers, **params)

    def get_client(self, ctx: RequestContext, client_id: str) -> Client:
        return convert.client(self._call(ctx, "GetClient", ClientId=client_id))

    def get_family(self, ctx: RequestContext, client_id: str) -> Family:
        return convert.family(self._call(ctx, "GetFamily", ClientId=client_id))

    def get_team(self, ctx: RequestContext, team_id: str) -> Team:
        return convert.team(self._call(ctx, "ListTeamClients", TeamId=team_id))

    def list_documents(
        self,
        ctx: RequestContext,
        client_id: str,
        document_type: str | None = None,
        since: datetime | None = None,
    ) -> tuple[DocumentRef, ...]:
        reply = self._call(
            ctx,
            "ListDocuments",
            ClientId=client_id,
            DocumentType=document_type,
            Since=None if since is None else convert.as_utc(since),
        )
        return tuple(convert.document_ref(d) for d in reply.Document)

    def get_document(
        self, ctx: RequestContext, document_id: str, version: int | None = None
    ) -> Document:
        reply = self._call(ctx, "GetDocument", DocumentId=document_id, Version=version)
        return convert.document(reply)

    def save_document(
        self,
        ctx: RequestContext,
        draft: DocumentDraft,
        expected_version: int | None,
        idempotency_key: str,
    ) -> DocumentRef:
        reply = self._call(
            ctx,
            "SaveDocument",
            ClientId=draft.client_id,
            DocumentType=draft.document_type,
            Title=draft.title,
            Content=draft.content,
            ContentType=draft.content_type,
            DocumentId=draft.document_id,
            ExpectedVersion=expected_version,
            IdempotencyKey=idempotency_key,
        )
        return convert.document_ref(reply)

    def check_access(self, ctx: RequestContext, client_id: str) -> AccessDecision:
        return convert.access(self._call(ctx, "CheckAccess", ClientId=client_id))
