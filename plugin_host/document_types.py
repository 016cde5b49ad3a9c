"""Document types plugins write: each declared with its schema, every write checked against it."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from marshmallow import Schema, fields, validate

from plugin_host.manifest import LocalizedTextSchema, SchemaClassField
from plugin_host.payloads import PayloadInvalid, load_payload
from plugin_host.registry import PluginRegistry

JSON = "application/json"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentType:
    plugin: str
    name: str
    schema: type[Schema]
    title: dict[str, str]


class DocumentTypeSchema(Schema):
    type = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$"))
    schema = SchemaClassField(required=True)
    title = fields.Nested(LocalizedTextSchema, required=True)


class DocumentTypes:
    """What each plugin declared through ``document_types``; a bad declaration is left out."""

    def __init__(self, declared: dict[tuple[str, str], DocumentType]) -> None:
        self._declared = declared

    @classmethod
    def collect(cls, registry: PluginRegistry) -> DocumentTypes:
        declared: dict[tuple[str, str], DocumentType] = {}
        for outcome in registry.call_each("document_types"):
            if not outcome.ok:
                continue
            for item in outcome.value or ():
                try:
                    data = load_payload(DocumentTypeSchema(), item)
                except PayloadInvalid as exc:
                    registry.record_failure(outcome.plugin, "document_types", None)
                    log.error("plugin %s declared a bad document type: %s", outcome.plugin, exc)
                    continue
                declared[outcome.plugin, data["type"]] = DocumentType(
                    plugin=outcome.plugin,
                    name=data["type"],
                    schema=data["schema"],
                    title=data["title"],
                )
        return cls(declared)

    def owner(self, name: str) -> str | None:
        """The plugin that declared the document type ``name`` (the first, if several did)."""
        owners = (plugin for (plugin, type_name) in sorted(self._declared) if type_name == name)
        return next(owners, None)

    def of(self, plugin: str) -> list[DocumentType]:
        return [t for (owner, _name), t in sorted(self._declared.items()) if owner == plugin]

    def check_content(self, plugin: str, name: str, content: str, content_type: str) -> None:
        """Raise PayloadInvalid unless ``content`` is valid for the plugin's declared type."""
        declared = self._declared.get((plugin, name))
        if declared is None:
            raise PayloadInvalid({"document_type": [f"{name!r} is not declared by {plugin}."]})
        if content_type != JSON:
            raise PayloadInvalid({"content_type": [f"Must be {JSON}."]})
        try:
            data = json.loads(content)
        except ValueError:
            raise PayloadInvalid({"content": ["Not valid JSON."]}) from None
        load_payload(declared.schema(), data)
