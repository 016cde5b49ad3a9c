"""The note document: the one schema that checks the form and shapes what goes to the record."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_load, validate
from plugin_host.api import lazy_gettext

DOCUMENT_TYPE = "note"
NOTE_MAX_LENGTH = 2000


class NoteSchema(Schema):
    """Content of a ``note`` document, stored in the record as JSON."""

    # Lazy so the message is translated into the worker's locale when validation fails,
    # not into whatever locale was active at import.
    text = fields.String(
        required=True,
        error_messages={"required": lazy_gettext("Write the note before saving.")},
        validate=[
            validate.Length(min=1, error=lazy_gettext("Write the note before saving.")),
            validate.Length(
                max=NOTE_MAX_LENGTH,
                error=lazy_gettext("The note can be at most {max} characters long."),
            ),
        ],
    )
    written_at = fields.AwareDateTime(load_default=None)

    @pre_load
    def strip_text(self, data: Any, **_kwargs: Any) -> Any:
        """Treat a note of only spaces and line breaks as empty."""
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            return {**data, "text": data["text"].strip()}
        return data
