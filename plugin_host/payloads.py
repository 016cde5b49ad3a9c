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


class FieldErrors:
    """Errors a schema's cross-field checks collect under dotted paths (``tasks.0.owner``),
    raised nested as marshmallow reports them, or flat as ``PayloadInvalid``."""

    def __init__(self) -> None:
        self.flat: dict[str, list[Any]] = {}

    def add(self, path: str, message: Any) -> None:
        self.flat.setdefault(path, []).append(message)

    def unique(self, section: str, key: str, items: list[dict[str, Any]], message: Any) -> set[str]:
        """Add ``message`` at each item whose ``key`` repeats an earlier one; the keys seen."""
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item[key] in seen:
                self.add(f"{section}.{index}.{key}", message)
            seen.add(item[key])
        return seen

    def raise_as_validation_error(self) -> None:
        if not self.flat:
            return
        nested: dict[Any, Any] = {}
        for path, messages in self.flat.items():
            *parents, last = path.split(".")
            node = nested
            for key in parents:
                node = node.setdefault(int(key) if key.isdigit() else key, {})
            node[last] = messages
        raise ValidationError(nested)

    def raise_as_payload_invalid(self) -> None:
        if self.flat:
            raise PayloadInvalid({k: [str(m) for m in ms] for k, ms in self.flat.items()})
