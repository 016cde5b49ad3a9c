"""Host part: send a record document of the launched client to the Kanta archive, see sendings.

``POST /c/<client>/api/kanta/<document_id>`` (optional JSON ``{"version": n}``) sends that
version (default: the newest) and answers with the transmission; ``GET`` the same path lists the
document's transmissions. ``POST /c/<client>/kanta/<document_id>`` does the same from a plugin
page's form (fields ``version``, ``back``) and shows the answer. 404 when the host has no
``[kanta]`` configuration. Plugin templates see ``kanta_archiving()``: whether it has one.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, g, jsonify, render_template, request
from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response

from plugin_host import __version__
from plugin_host.api import hookimpl
from plugin_host.archiving import ArchiveNotAnswering, NotArchivable, OlderThanArchived
from plugin_host.payloads import load_payload
from plugin_host.services import host_services
from plugin_host.storage.models import KantaTransmission

bp = Blueprint("host_kanta", __name__)


@hookimpl
def plugin_manifest() -> dict[str, Any]:
    return {
        "name": "host_kanta",
        "version": __version__,
        "title": {"fi": "Kanta-arkistointi", "sv": "Kanta-arkivering", "en": "Kanta archiving"},
        "requires_host": f"=={__version__}",
        "internal": True,
    }


@hookimpl
def plugin_blueprint() -> Blueprint:
    return bp


@hookimpl
def host_startup(app: Flask) -> None:
    app.add_template_global(lambda: host_services().archiving is not None, "kanta_archiving")


class ArchiveRequestSchema(Schema):
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))


def _archiving():
    archiving = host_services().archiving
    if archiving is None:
        abort(404)
    return archiving


@bp.post("/c/<client_id>/api/kanta/<document_id>")
def archive_document(document_id: str) -> tuple[Response, int]:
    body = load_payload(ArchiveRequestSchema(), request.get_json(silent=True) or {})
    try:
        row = _archiving().archive(g.launch, document_id, body["version"])
    except NotArchivable:
        return jsonify(error="No plugin gives an archive form for this document type."), 422
    except ArchiveNotAnswering:
        return jsonify(error="The archive is not answering; nothing was sent."), 503
    except OlderThanArchived:
        return jsonify(error="A newer version of this document is in the archive already."), 409
    return jsonify(_transmission_json(row)), 200


@bp.post("/c/<client_id>/kanta/<document_id>")
def archive_from_form(document_id: str) -> tuple[str, int]:
    version = request.form.get("version", type=int)
    back = request.form.get("back", "")
    # Only a path inside this client's pages: never an open redirect.
    back = back if back.startswith(f"/c/{g.launch.client_id}/") and "//" not in back else ""
    try:
        row = _archiving().archive(g.launch, document_id, version)
    except NotArchivable:
        return render_template("host/kanta_result.html", row=None, back=back), 422
    except ArchiveNotAnswering:
        return render_template("host/kanta_result.html", row=None, silent=True, back=back), 503
    except OlderThanArchived:
        return render_template("host/kanta_result.html", row=None, newer=True, back=back), 409
    status = 200 if row.status == "accepted" else 502
    return render_template("host/kanta_result.html", row=row, back=back), status


@bp.get("/c/<client_id>/api/kanta/<document_id>")
def list_transmissions(document_id: str) -> Response:
    rows = _archiving().transmissions(g.launch, document_id)
    return jsonify(transmissions=[_transmission_json(row) for row in rows])


def _transmission_json(row: KantaTransmission) -> dict[str, Any]:
    return {
        "correlation_id": row.correlation_id,
        "status": row.status,
        "record_document_id": row.record_document_id,
        "record_version": row.record_version,
        "set_oid": row.set_oid,
        "document_oid": row.document_oid,
        "kanta_version": row.kanta_version,
        "errors": row.errors.splitlines() if row.errors else [],
        "sent_at": row.sent_at.isoformat(),
    }
