"""The documents API: a plugin's documents over HTTP, with ETag/If-Match and the outbox.

``/c/<client_id>/api/<plugin>/documents/<type>[/<document_id>]`` reads and writes through that
plugin's gateway (its scopes, this launch's client). A write answers 202 with the write's id and
status; ``/c/<client_id>/api/writes/<write_id>`` follows it, and a write stopped by a version
conflict is settled by the worker at ``/c/<client_id>/writes/<write_id>`` (or its JSON twin).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from plugin_host import __version__
from plugin_host.api import hookimpl
from plugin_host.api_schemas import (
    AcceptedWriteSchema,
    DocumentBodySchema,
    DocumentListSchema,
    DocumentSchema,
    ResolutionSchema,
    SessionSchema,
    VersionMismatchSchema,
    WriteStatusSchema,
)
from plugin_host.gateway import RecordGateway, gateway_for_request
from plugin_host.launch.binding import csrf_token
from plugin_host.outbox import queue
from plugin_host.payloads import load_payload
from plugin_host.records import DocumentRef, RecordSystemError
from plugin_host.services import host_services
from plugin_host.slots import enabled_plugins
from plugin_host.storage.models import OutboxWrite

bp = Blueprint("host_documents", __name__)


@hookimpl
def plugin_manifest() -> dict[str, Any]:
    return {
        "name": "host_documents",
        "version": __version__,
        "title": {"fi": "Asiakirjat", "sv": "Dokument", "en": "Documents"},
        "requires_host": f"=={__version__}",
        "internal": True,
    }


@hookimpl
def client_blueprint() -> Blueprint:
    return bp


def _gateway(plugin: str) -> RecordGateway:
    """The plugin's gateway, if the plugin runs in this launch's unit; else 404."""
    services = host_services()
    if plugin not in enabled_plugins(services.registry, services.enablement, g.launch.org_unit):
        abort(404)
    return gateway_for_request(plugin)


def _accepted(ref: DocumentRef) -> tuple[Response, int]:
    body = jsonify(AcceptedWriteSchema().dump(ref))
    body.headers["ETag"] = f'"{ref.version}"'
    body.headers["Location"] = url_for(".write_status", write_id=ref.write_id)
    return body, 202


def _if_match() -> int:
    """The version the change is based on: 428 without If-Match, 412 if it is no version."""
    header = request.headers.get("If-Match")
    if not header:
        abort(428)
    try:
        return int(header.removeprefix("W/").strip('"'))
    except ValueError:
        abort(412)


@bp.get("/c/<client_id>/api/session")
def session_info() -> Response:
    """What a script in the plugin's page needs: the launch's CSRF token and its locale."""
    return jsonify(SessionSchema().dump({"csrf_token": csrf_token(), "locale": g.launch.locale}))


@bp.get("/c/<client_id>/api/<plugin>/documents/<document_type>")
def list_documents(plugin: str, document_type: str) -> Response:
    listing = _gateway(plugin).documents(document_type)
    return jsonify(DocumentListSchema().dump({"documents": listing, "complete": listing.complete}))


@bp.post("/c/<client_id>/api/<plugin>/documents/<document_type>")
def create_document(plugin: str, document_type: str) -> tuple[Response, int]:
    body = load_payload(DocumentBodySchema(), request.get_json(silent=True))
    ref = _gateway(plugin).save_document(
        document_type, body["title"], json.dumps(body["content"], ensure_ascii=False)
    )
    return _accepted(ref)


@bp.get("/c/<client_id>/api/<plugin>/documents/<document_type>/<document_id>")
def get_document(plugin: str, document_type: str, document_id: str) -> Response:
    found = _gateway(plugin).document(document_id)
    if found.ref.document_type != document_type:
        abort(404)
    document = {**asdict(found.ref), "content": json.loads(found.content)}
    body = jsonify(DocumentSchema().dump(document))
    body.headers["ETag"] = f'"{found.ref.version}"'
    return body


@bp.put("/c/<client_id>/api/<plugin>/documents/<document_type>/<document_id>")
def update_document(plugin: str, document_type: str, document_id: str) -> tuple[Response, int]:
    based_on = _if_match()
    body = load_payload(DocumentBodySchema(), request.get_json(silent=True))
    gateway = _gateway(plugin)
    try:
        current = gateway.document(document_id).ref
    except RecordSystemError as exc:
        if not exc.retryable:
            raise
        current = None  # cannot check now; the record system checks at delivery
    if current is not None:
        if current.document_type != document_type:
            abort(404)
        if current.version != based_on:
            answer = jsonify(VersionMismatchSchema().dump({"current_version": current.version}))
            answer.headers["ETag"] = f'"{current.version}"'
            return answer, 412
    ref = gateway.save_document(
        document_type,
        body["title"],
        json.dumps(body["content"], ensure_ascii=False),
        document_id=document_id,
        expected_version=based_on,
    )
    return _accepted(ref)


def _write(write_id: str) -> OutboxWrite:
    services = host_services()
    with services.database.transaction() as session:
        plugin = session.scalar(
            select(OutboxWrite.plugin).where(
                OutboxWrite.write_id == write_id, OutboxWrite.client_id == g.launch.client_id
            )
        )
    if plugin is None:
        abort(404)
    # Read through the writing plugin's gateway: its scopes, and an audit row for the read.
    return _gateway(plugin).pending_write(write_id)


def _write_json(row: OutboxWrite) -> dict[str, Any]:
    with host_services().database.transaction() as session:
        document_id = queue.document_id_of(session, row)
    return WriteStatusSchema().dump(
        {
            "write_id": row.write_id,
            "status": row.status,
            "document_id": document_id,
            "version": row.delivered_version or row.predicted_version,
            "conflict_version": row.conflict_version,
            "attempts": row.attempts,
            "last_error": row.last_error,
        }
    )


@bp.get("/c/<client_id>/api/writes/<write_id>")
def write_status(write_id: str) -> Response:
    return jsonify(_write_json(_write(write_id)))


def _resolve(write_id: str, data: Any) -> OutboxWrite:
    row = _write(write_id)
    choice = load_payload(ResolutionSchema(), data)
    content = choice["content"]
    if choice["choice"] == "merged" and content is None:
        abort(400)
    resolved = _gateway(row.plugin).resolve_conflict(
        write_id,
        choice["choice"],
        content=None if content is None else json.dumps(content, ensure_ascii=False),
        title=choice["title"],
    )
    host_services().outbox.wake()
    return resolved


@bp.post("/c/<client_id>/api/writes/<write_id>/resolve")
def resolve_json(write_id: str) -> tuple[Response, int]:
    return jsonify(_write_json(_resolve(write_id, request.get_json(silent=True)))), 202


@bp.get("/c/<client_id>/writes/<write_id>")
def conflict_page(write_id: str) -> str:
    """Theirs and mine side by side; the worker keeps one or saves a merge."""
    row = _write(write_id)
    theirs = None
    if row.status == queue.NEEDS_USER and row.document_id:
        theirs = _gateway(row.plugin).document(row.document_id, version=row.conflict_version)
    return render_template(
        "host/conflict.html",
        write=row,
        mine=_pretty(row.content),
        theirs=_pretty(theirs.content) if theirs else None,
        theirs_ref=theirs.ref if theirs else None,
    )


@bp.post("/c/<client_id>/writes/<write_id>")
def conflict_form(write_id: str) -> Response:
    data: dict[str, Any] = {"choice": request.form.get("choice", "")}
    if data["choice"] == "merged":
        try:
            data["content"] = json.loads(request.form.get("content", ""))
        except ValueError:
            data["content"] = request.form.get("content", "")  # the schema names the field
    _resolve(write_id, data)
    return redirect(url_for(".conflict_page", write_id=write_id), code=303)


def _pretty(content: str) -> str:
    try:
        return json.dumps(json.loads(content), indent=2, ensure_ascii=False)
    except ValueError:
        return content
