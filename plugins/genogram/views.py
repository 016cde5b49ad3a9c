"""The genogram blueprint: the editor, its JSON calls, versions over time, diffs and exports."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from marshmallow import Schema, fields, validate

from plugin_host import api
from plugins.genogram import history, vocabulary
from plugins.genogram.access_request import mask_third_parties
from plugins.genogram.export import svg_bytes, to_pdf, to_png
from plugins.genogram.gedcom import GedcomError, export_gedcom, import_gedcom
from plugins.genogram.picture import draw
from plugins.genogram.schemas import DOCUMENT_TYPE, GenogramSchema
from plugins.genogram.seeding import seed_genogram
from plugins.genogram.svg import genogram_svg, network_svg

# The name must equal the plugin name: the host mounts the blueprint under that name.
bp = Blueprint(
    "genogram",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

GEDCOM_MAX_BYTES = 5 * 1024 * 1024
RECORD_ERRORS = (api.RecordSystemError, api.ScopeDenied)


class RenderRequestSchema(Schema):
    genogram = fields.Nested(GenogramSchema, required=True)
    avatars = fields.Boolean(load_default=False)
    family_view = fields.Boolean(load_default=False)


class SaveRequestSchema(Schema):
    genogram = fields.Nested(GenogramSchema, required=True)
    document_id = fields.String(load_default=None, allow_none=True)
    expected_version = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1)
    )
    idempotency_key = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9a-f]{32}$")
    )


@bp.get("/")
def editor() -> str:
    """The editor with the newest version, or a first draft seeded from the record."""
    ref = history.current_ref()
    if ref is None:
        gw = api.gateway()
        genogram = api.load_payload(GenogramSchema(), seed_genogram(gw.client(), gw.family()))
        document = None
    else:
        document, genogram = history.load_version(ref)
    if request.args.get("meeting"):
        genogram["meeting_id"] = request.args["meeting"][:64]
    return render_template(
        "genogram/editor.html",
        genogram=genogram,
        document=document.ref if document else None,
        picture=draw(genogram, date.today()),
        vocabularies=_vocabularies(),
    )


@bp.post("/render")
def render() -> tuple[Response, int]:
    """The pictures, table and summary for the editor's current (unsaved) genogram."""
    try:
        body = api.load_payload(RenderRequestSchema(), request.get_json(silent=True))
    except api.PayloadInvalid as exc:
        return _invalid(exc.errors)
    picture = draw(
        body["genogram"], date.today(), avatars=body["avatars"], family_view=body["family_view"]
    )
    return jsonify(
        genogram_svg=str(picture.genogram_svg),
        network_svg=str(picture.network_svg),
        table_html=render_template("genogram/_table.html", rows=picture.rows),
        summary=picture.summary,
    ), 200


@bp.post("/save")
def save() -> tuple[Response, int]:
    """Save the genogram as a new version in the record (through the outbox: 202, pending)."""
    try:
        body = api.load_payload(SaveRequestSchema(), request.get_json(silent=True))
    except api.PayloadInvalid as exc:
        return _invalid(exc.errors)
    try:
        ref = api.gateway().save_document(
            DOCUMENT_TYPE,
            api.gettext("Genogram"),
            json.dumps(GenogramSchema().dump(body["genogram"]), ensure_ascii=False),
            document_id=body["document_id"],
            expected_version=body["expected_version"],
            idempotency_key=body["idempotency_key"],
        )
    except api.PayloadInvalid as exc:
        return _invalid(exc.errors)
    except RECORD_ERRORS as exc:
        return _record_error(exc)
    return jsonify(
        document_id=ref.document_id, version=ref.version, pending=ref.pending, write_id=ref.write_id
    ), 202


@bp.post("/import")
def import_file() -> tuple[Response, int]:
    """A GEDCOM file read into a genogram for the editor; nothing is saved until a save."""
    upload = request.files.get("gedcom")
    if upload is None:
        return _invalid({"gedcom": [api.gettext("Choose a GEDCOM file to import.")]})
    data = upload.stream.read(GEDCOM_MAX_BYTES + 1)
    if len(data) > GEDCOM_MAX_BYTES:
        return _invalid({"gedcom": [api.gettext("The file is larger than 5 MB.")]})
    try:
        genogram = import_gedcom(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return _invalid({"gedcom": [api.gettext("The file is not UTF-8 text.")]})
    except GedcomError as exc:
        message = api.gettext("Line %(line)d: %(problem)s", line=exc.line, problem=exc.message)
        return _invalid({"gedcom": [message]})
    except api.PayloadInvalid as exc:
        return _invalid(exc.errors)
    return jsonify(genogram=GenogramSchema().dump(genogram)), 200


@bp.get("/versions/")
def versions() -> str:
    """Every saved version, with the forms for "as of a date" and "compare two versions"."""
    ref = history.current_ref()
    return render_template("genogram/versions.html", history=history.versions(ref) if ref else [])


@bp.get("/versions/<int:number>")
def version(number: int) -> str:
    """One version, read-only: the genogram as it was then."""
    ref = _current_or_404()
    if not 1 <= number <= ref.version:
        abort(404)
    document, genogram = history.load_version(ref, number)
    return render_template(
        "genogram/version.html",
        document=document.ref,
        picture=draw(genogram, document.ref.created_at.date()),
    )


@bp.get("/as-of")
def as_of() -> Response:
    """Redirect to the version that was current at the end of the given day."""
    try:
        day = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        abort(400)
    ref = _current_or_404()
    found = history.version_on(history.versions(ref), day, api.get_timezone())
    if found is None:
        return redirect(url_for(".versions", none_before=day.isoformat()), code=303)
    return redirect(url_for(".version", number=found.version), code=303)


@bp.get("/diff")
def diff() -> str:
    """What changed between two versions, in words, with both pictures."""
    ref = _current_or_404()
    numbers = [request.args.get(name, type=int) for name in ("from", "to")]
    if any(n is None or not 1 <= n <= ref.version for n in numbers):
        abort(400)
    (old_doc, old), (new_doc, new) = (history.load_version(ref, n) for n in numbers)
    names = history.names(old, new)
    return render_template(
        "genogram/diff.html",
        old=old_doc.ref,
        new=new_doc.ref,
        changes=[history.describe(c, names) for c in history.diff(old, new)],
        old_picture=draw(old, old_doc.ref.created_at.date()),
        new_picture=draw(new, new_doc.ref.created_at.date()),
    )


EXPORTS = {
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "png": "image/png",
    "ged": "text/vnd.familysearch.gedcom; charset=utf-8",
    "json": "application/json",
}


@bp.get("/export.<fmt>")
def export(fmt: str) -> Response:
    """A saved version for print, the record or another program; ``masked=1`` for an access
    request (third parties shown only by their role); ``map=network`` for the network map."""
    if fmt not in EXPORTS:
        abort(404)
    ref = _current_or_404()
    number = request.args.get("version", type=int)
    document, genogram = history.load_version(ref, number)
    masked = request.args.get("masked") == "1"
    if masked:
        genogram = mask_third_parties(genogram)
    body = _exported(genogram, fmt, network=request.args.get("map") == "network")
    # No names in the file name: downloads folders and mail attachments are not the record.
    name = f"genogram-v{document.ref.version}{'-masked' if masked else ''}"
    return Response(
        body,
        mimetype=EXPORTS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


def _exported(genogram: dict[str, Any], fmt: str, *, network: bool) -> bytes:
    if fmt == "ged":
        return export_gedcom(genogram).encode()
    if fmt == "json":
        return json.dumps(GenogramSchema().dump(genogram), ensure_ascii=False, indent=2).encode()
    today = date.today()
    element = (
        network_svg(genogram, today=today, legend=True)
        if network
        else genogram_svg(genogram, today=today, legend=True)
    )
    return {"svg": svg_bytes, "pdf": to_pdf, "png": to_png}[fmt](element)


def _current_or_404() -> api.DocumentRef:
    ref = history.current_ref()
    if ref is None:
        abort(404)
    return ref


def _vocabularies() -> dict[str, dict[str, str]]:
    """Every closed vocabulary with labels in the worker's language, for the editor's choices."""
    return {
        name.lower(): {code: str(label) for code, label in codes.items()}
        for name, codes in vars(vocabulary).items()
        if name.isupper() and isinstance(codes, dict)
    }


def _invalid(errors: dict[str, list[str]]) -> tuple[Response, int]:
    # Our messages are lazy (translated now); marshmallow's own come in English and the host's
    # catalog translates them.
    translated = {path: [api.gettext(str(m)) for m in msgs] for path, msgs in errors.items()}
    return jsonify(errors=translated), 422


def _record_error(exc: Exception) -> tuple[Response, int]:
    if isinstance(exc, api.RecordAccessDenied | api.ScopeDenied):
        status, message = 403, api.gettext("You do not have access to this client's information.")
    elif isinstance(exc, api.RecordUnavailable):
        status, message = (
            503,
            api.gettext(
                "The client record system is not responding right now. Try again in a moment."
            ),
        )
    else:
        status, message = 502, api.gettext("The client record system could not handle the request.")
    return jsonify(error=message), status
