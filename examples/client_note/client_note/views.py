"""The plugin's blueprint: the client's household, the note form and the client's notes."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from plugin_host import api
from werkzeug.wrappers import Response

from client_note.schemas import DOCUMENT_TYPE, NOTE_MAX_LENGTH, NoteSchema

# The name must equal the plugin name: the host mounts the blueprint under that name.
bp = Blueprint("client_note", __name__, template_folder="templates")

TITLE_LENGTH = 60
IDEMPOTENCY_KEY = re.compile(r"^[0-9a-f]{32}$")

RELATIONS = {
    "mother": api.lazy_gettext("mother"),
    "father": api.lazy_gettext("father"),
    "parent": api.lazy_gettext("parent"),
    "sibling": api.lazy_gettext("sibling"),
    "half-sibling": api.lazy_gettext("half-sibling"),
    "grandparent": api.lazy_gettext("grandparent"),
    "great-grandparent": api.lazy_gettext("great-grandparent"),
    "aunt-uncle": api.lazy_gettext("aunt or uncle"),
    "cousin": api.lazy_gettext("cousin"),
    "step-parent": api.lazy_gettext("step-parent"),
    "foster-parent": api.lazy_gettext("foster-parent"),
}

# Most specific first: RecordTimeout is a RecordUnavailable, every record error a RecordSystemError.
# Each with the HTTP status the panel answers with and the message the worker sees.
RECORD_ERROR_ANSWERS = (
    (
        api.RecordNotFound,
        404,
        api.lazy_gettext("The client's information was not found in the record."),
    ),
    (
        (api.RecordAccessDenied, api.ScopeDenied),
        403,
        api.lazy_gettext("You do not have access to this client's information."),
    ),
    (
        api.RecordUnavailable,
        503,
        api.lazy_gettext(
            "The client record system is not responding right now. Try again in a moment."
        ),
    ),
    (
        api.RecordValidationFailed,
        502,
        api.lazy_gettext("The client record system did not accept the note."),
    ),
    (
        api.RecordSystemError,
        502,
        api.lazy_gettext("The client record system could not handle the request."),
    ),
)
RECORD_ERRORS = (api.RecordSystemError, api.ScopeDenied)


@bp.get("/")
def panel() -> tuple[str, int]:
    """The panel: household, note form, notes; ``?saved=1`` after a save (PRG)."""
    return _render_panel(saved=request.args.get("saved") == "1")


@bp.post("/notes")
def save_note() -> Response | tuple[str, int]:
    """Validate and save a new note, then redirect back to the panel."""
    text = request.form.get("text", "")
    try:
        note = api.load_payload(NoteSchema(), {"text": text})
    except api.PayloadInvalid as exc:
        return _render_panel(text=text, errors=_translated(exc.errors), status=422)
    note["written_at"] = datetime.now(UTC)
    try:
        api.gateway().save_document(
            DOCUMENT_TYPE,
            note_title(note["text"]),
            NoteSchema().dumps(note),
            idempotency_key=_idempotency_key(request.form.get("idempotency_key", "")),
        )
    except RECORD_ERRORS as exc:
        status, message = record_error_answer(exc)
        return _render_panel(text=text, save_error=message, status=status)
    # 303 so a reload of the panel never re-posts the note.
    return redirect(url_for(".panel", saved="1"), code=303)


def _render_panel(
    *,
    text: str = "",
    errors: dict[str, list[str]] | None = None,
    save_error: str = "",
    saved: bool = False,
    status: int = 200,
) -> tuple[str, int]:
    context: dict[str, Any] = {
        "text": text,
        "errors": errors or {},
        "save_error": save_error,
        "saved": saved,
        "max_length": NOTE_MAX_LENGTH,
        # A fresh key per rendered form: a double submit of the same form saves one note.
        "idempotency_key": uuid.uuid4().hex,
        "relation_label": relation_label,
    }
    try:
        gateway = api.gateway()
        context["client"] = gateway.client()
        context["household"] = gateway.family().household
        notes = gateway.documents(DOCUMENT_TYPE)
    except RECORD_ERRORS as exc:
        status, context["load_error"] = record_error_answer(exc)
    else:
        context["notes"] = sorted(notes, key=lambda ref: ref.created_at, reverse=True)
    return render_template("client_note/panel.html", **context), status


def note_title(text: str) -> str:
    """The note's first line, shortened: what the record's document list shows."""
    first_line = text.splitlines()[0].strip()
    if len(first_line) <= TITLE_LENGTH:
        return first_line
    return first_line[: TITLE_LENGTH - 1].rstrip() + "…"


def relation_label(relation: str) -> str:
    """The relation in the worker's language; an unknown code is shown as the record has it."""
    label = RELATIONS.get(relation)
    return str(label) if label is not None else relation


def record_error_answer(exc: Exception) -> tuple[int, str]:
    """Status and a message the worker can act on; the exception's own text may hold client data."""
    return next(
        (status, str(message))
        for kind, status, message in RECORD_ERROR_ANSWERS
        if isinstance(exc, kind)
    )


def _translated(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    # Our own messages are already translated; marshmallow's built-in ones come in English and
    # the host's catalog translates them.
    return {path: [api.gettext(m) for m in messages] for path, messages in errors.items()}


def _idempotency_key(value: str) -> str | None:
    return value if IDEMPOTENCY_KEY.match(value) else None
