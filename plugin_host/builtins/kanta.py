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
from werkzeug.wrappers import Response

from plugin_host import __version__
from plugin_host.api import hookimpl
from plugin_host.api_schemas import (
    ArchiveRequestSchema,
    ErrorSchema,
    TransmissionListSchema,
    TransmissionSchema,
)
from plugin_host.archiving import ArchiveNotAnswering, NotArchivable, OlderThanArchived
from plugin_host.payloads import load_payload
from plugin_host.services import host_services

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
def client_blueprint() -> Blueprint:
    return bp


@hookimpl
def host_startup(app: Flask) -> None:
    app.add_template_global(lambda: host_services().archiving is not None, "kanta_archiving")


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
        return _error("No plugin gives an archive form for this document type."), 422
    except ArchiveNotAnswering:
        return _error("The archive is not answering; nothing was sent."), 503
    except OlderThanArchived:
        return _error("A newer version of this document is in the archive already."), 409
    return jsonify(TransmissionSchema().dump(row)), 200


def _error(message: str) -> Response:
    return jsonify(ErrorSchema().dump({"error": message}))


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
    return jsonify(TransmissionListSchema().dump({"transmissions": rows}))
