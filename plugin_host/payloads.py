"""Loading request bodies through marshmallow schemas, with errors a person can read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext
from marshmallow import Schema, ValidationError

# marshmallow's fixed default messages, marked so the catalogs carry their translations;
# the error page passes each message through gettext.
MARSHMALLOW_MESSAGES = (
    lazy_gettext("Missing data for required field."),
    lazy_gettext("Field may not be null."),
    lazy_gettext("Unknown field."),
    lazy_gettext("Not a valid string."),
    lazy_gettext("Not a valid integer."),
    lazy_gettext("Not a valid boolean."),
    lazy_gettext("Not a valid date."),
    lazy_gettext("Not a valid datetime."),
    lazy_gettext("Not a valid list."),
    lazy_gettext("Not a valid mapping type."),
    lazy_gettext("Invalid value."),
    lazy_gettext("Invalid input type."),
    lazy_gettext("String does not match expected pattern."),
)


class PayloadInvalid(Exception):
    """A payload failed its schema; ``errors`` maps dotted field paths to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(", ".join(f"{k}: {'; '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into ``{"a.0.b": [message, ...]}``."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix or "_schema"
            for sub_path, sub_messages in flatten_errors(value, path).items():
                flat.setdefault(sub_path, []).extend(sub_messages)
        return flat
    if isinstance(messages, list | tuple):
        return {prefix or "_schema": [str(m) for m in messages]}
    return {prefix or "_schema": [str(messages)]}


def load_payload(schema: Schema, data: Any) -> Any:
    """Validate and load ``data`` with ``schema``; raise PayloadInvalid naming each bad field."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise PayloadInvalid(flatten_errors(exc.messages)) from None
