"""The Kanta code tables: the JSON files in ``codes/`` and the JSON schemas in ``json_schemas/``.

Every code the CDA documents carry lives in those files, not here: this module loads them,
checks them with marshmallow (an error names the file and the field, e.g.
``document_types.json: types.3.content_specification_id: Not a valid OID.``), checks that every
reference between them resolves, and answers look-ups.

Files (all in ``codes/``):

- ``code_systems.json``: ``{"code_systems": {key: {oid, name, verified, source}}}``; ``oid`` is
  what goes into ``codeSystem`` (null while unknown: the code is then written without one);
- one code list per file, ``{"code_system": key, "codes": [{code, name{fi,sv,en}, verified,
  source}]}``: general_document_types, document_groups, service_tasks, retention_classes,
  record_statuses, register_types, file_formats, confidentiality, service_processes,
  restriction_grounds;
- ``document_types.json``: the specific document types and, per type, its content
  specification (``contentSpecificationId``), general type, group, default service task,
  retention class, record status, register, file formats, service process and service request.

Each content specification has its JSON schema in ``json_schemas/<content specification id>.json``
(draft-07, as Sosmeta publishes them).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

CODES_DIR = Path(__file__).with_name("codes")
JSON_SCHEMAS_DIR = Path(__file__).with_name("json_schemas")

OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+\Z")
CHECKED_RESULTS = 1024
_KEY = re.compile(r"^[a-z][a-z0-9_]*\Z")

# Which code list each reference in a document type points into.
_TYPE_REFERENCES = {
    "general_type": "general_document_types",
    "document_group": "document_groups",
    "service_task": "service_tasks",
    "retention_class": "retention_classes",
    "record_status": "record_statuses",
    "register_type": "register_types",
    "service_process": "service_processes",
}
CODE_LISTS = (
    *_TYPE_REFERENCES.values(),
    "file_formats",
    "confidentiality",
    "restriction_grounds",
)


class CodeTableError(ValueError):
    """A code table or JSON schema file is missing, malformed or inconsistent."""


class UnknownCode(LookupError):
    """A code that the tables do not have (the message names the list, never client data)."""


# --- what the files hold ------------------------------------------------------------------


@dataclass(frozen=True)
class CodeSystem:
    key: str
    oid: str | None
    name: str
    verified: bool
    source: str
    classification_oid: str | None = None


@dataclass(frozen=True)
class Code:
    """One code of one code list, with the system it belongs to."""

    code: str
    name: Mapping[str, str]
    system: CodeSystem
    verified: bool
    source: str
    rule: str | None = None


@dataclass(frozen=True)
class DocumentType:
    """A specific document type and everything its header needs."""

    code: str
    name: Mapping[str, str]
    system: CodeSystem
    content_specification_id: str
    general_type: Code
    document_group: Code
    service_task: Code
    retention_class: Code
    record_status: Code
    register_type: Code
    file_formats: tuple[Code, ...]
    service_process: Code | None
    service_request: str
    verified: bool
    source: str
    unverified_fields: tuple[str, ...] = field(default_factory=tuple)


# --- marshmallow schemas of the files -----------------------------------------------------


def _oid(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(OID, error="Not a valid OID."), **kwargs)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _NameSchema(_Strict):
    fi = fields.String(required=True, validate=validate.Length(min=1))
    sv = fields.String(required=True, validate=validate.Length(min=1))
    en = fields.String(required=True, validate=validate.Length(min=1))


class _StrictBoolean(fields.Boolean):
    """``true`` or ``false`` only: a provenance flag of ``"yes"`` or ``1`` is a typo, not a fact."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class _Provenance(_Strict):
    verified = _StrictBoolean(required=True)
    source = fields.String(required=True, validate=validate.Length(min=1))


class _CodeSystemSchema(_Provenance):
    oid = _oid(required=True, allow_none=True)
    classification_oid = _oid(load_default=None, allow_none=True)
    name = fields.String(required=True, validate=validate.Length(min=1))

    @validates_schema
    def _unknown_is_unverified(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("oid") is None and data.get("verified"):
            raise ValidationError("A code system without an OID cannot be verified.", "verified")


class _CodeSystemsFileSchema(_Strict):
    description = fields.String(load_default="")
    code_systems = fields.Dict(
        keys=fields.String(validate=validate.Regexp(_KEY, error="Use a lower_case key.")),
        values=fields.Nested(_CodeSystemSchema),
        required=True,
    )


class _CodeSchema(_Provenance):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.Nested(_NameSchema, required=True)
    rule = fields.String(load_default=None)


class _CodeListFileSchema(_Strict):
    description = fields.String(load_default="")
    code_system = fields.String(required=True)
    codes = fields.List(fields.Nested(_CodeSchema), required=True)

    @validates_schema
    def _unique(self, data: dict[str, Any], **_kwargs: Any) -> None:
        _no_duplicates(data.get("codes") or [], "codes", "code")


_TYPE_FIELDS = (
    "name",
    "name.en",
    "content_specification_id",
    *_TYPE_REFERENCES,
    "file_formats",
    "service_request",
)


class _DocumentTypeSchema(_Provenance):
    code = fields.String(
        required=True, validate=validate.Regexp(r"^[0-9]{1,9}\Z", error="Use digits only.")
    )
    name = fields.Nested(_NameSchema, required=True)
    content_specification_id = _oid(required=True)
    json_schema = fields.String(load_default=None)
    general_type = fields.String(required=True)
    document_group = fields.String(required=True)
    service_task = fields.String(required=True)
    retention_class = fields.String(required=True)
    record_status = fields.String(required=True)
    register_type = fields.String(required=True)
    file_formats = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    service_process = fields.String(load_default=None)
    service_request = fields.String(required=True, validate=validate.Length(min=1))
    unverified_fields = fields.List(
        fields.String(validate=validate.OneOf(_TYPE_FIELDS)), load_default=list
    )

    @validates_schema
    def _honest(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("verified") and data.get("unverified_fields"):
            raise ValidationError("An entry with unverified fields cannot be verified.", "verified")


class _DocumentTypesFileSchema(_Strict):
    description = fields.String(load_default="")
    code_system = fields.String(required=True)
    types = fields.List(fields.Nested(_DocumentTypeSchema), required=True)

    @validates_schema
    def _unique(self, data: dict[str, Any], **_kwargs: Any) -> None:
        _no_duplicates(data.get("types") or [], "types", "code")


def _no_duplicates(items: list[dict[str, Any]], section: str, key: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item[key] in seen:
            raise ValidationError({section: {index: {key: ["This code is already listed."]}}})
        seen.add(item[key])


def _flatten(messages: Any, prefix: str = "") -> list[str]:
    """marshmallow's nested messages as ``field.path: message`` lines."""
    if isinstance(messages, Mapping):
        lines = []
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            lines.extend(_flatten(value, "" if key == "_schema" and not prefix else path))
        return lines
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{prefix}: {m}" if prefix else m for m in messages]
    if isinstance(messages, list):
        return [line for item in messages for line in _flatten(item, prefix)]
    return [f"{prefix}: {messages}" if prefix else str(messages)]


def _load_file(path: Path, schema: Schema) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CodeTableError(f"{path.name}: missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CodeTableError(f"{path.name}: not valid UTF-8 JSON ({exc})") from None
    try:
        return schema.load(raw)
    except ValidationError as exc:
        lines = _flatten(exc.messages)
        raise CodeTableError("; ".join(f"{path.name}: {line}" for line in lines)) from None


# --- the tables ---------------------------------------------------------------------------


class CodeTables:
    """All code tables and JSON schemas, checked; build with :meth:`load`."""

    def __init__(
        self,
        code_systems: Mapping[str, CodeSystem],
        code_lists: Mapping[str, tuple[CodeSystem, Mapping[str, Code]]],
        document_types: Mapping[str, DocumentType],
        json_schemas: Mapping[str, dict[str, Any]],
    ) -> None:
        self._systems = dict(code_systems)
        self._lists = {name: dict(codes) for name, (_, codes) in code_lists.items()}
        self._list_systems = {name: system for name, (system, _) in code_lists.items()}
        self._types = dict(document_types)
        self._schemas = dict(json_schemas)
        # Compiled once, with local $refs inlined (jsonschema resolves a $ref on every visit,
        # a large share of its time): reused for every document of its specification.
        self._validators = {
            spec: jsonschema.Draft7Validator(_inline_local_refs(schema))
            for spec, schema in self._schemas.items()
        }
        # The yes/no check compiled to Python code (fastjsonschema, about 9x jsonschema's
        # is_valid here); jsonschema stays for describing what is wrong when something is.
        self._fast_checks = {
            spec: fastjsonschema.compile(_inline_local_refs(schema))
            for spec, schema in self._schemas.items()
        }
        # Results of recent checks by (specification, SHA-256 of the exact JSON bytes): the
        # validator rechecking what the builder has just checked costs a hash, not a walk.
        self._checked: OrderedDict[tuple[str, bytes], list[tuple[str, str]]] = OrderedDict()
        self._checked_lock = threading.Lock()

    @classmethod
    def load(
        cls, codes_dir: Path = CODES_DIR, json_schemas_dir: Path = JSON_SCHEMAS_DIR
    ) -> CodeTables:
        """Read and check every file; raise :class:`CodeTableError` naming file and field."""
        raw_systems = _load_file(codes_dir / "code_systems.json", _CodeSystemsFileSchema())
        systems = {
            key: CodeSystem(key=key, **entry) for key, entry in raw_systems["code_systems"].items()
        }
        lists = {name: _code_list(codes_dir, name, systems) for name in CODE_LISTS}
        types_file = codes_dir / "document_types.json"
        raw_types = _load_file(types_file, _DocumentTypesFileSchema())
        type_system = _system(systems, raw_types["code_system"], types_file.name)
        types: dict[str, DocumentType] = {}
        schema_files: dict[str, str] = {}
        for index, entry in enumerate(raw_types["types"]):
            where = f"{types_file.name}: types.{index}"
            codes = {name: codes for name, (_, codes) in lists.items()}
            types[entry["code"]] = _document_type(entry, type_system, codes, where)
            spec = entry["content_specification_id"]
            schema_files[spec] = entry["json_schema"] or f"{spec}.json"
        schemas = {
            spec: _json_schema(json_schemas_dir / name, spec) for spec, name in schema_files.items()
        }
        return cls(systems, lists, types, schemas)

    # look-ups

    def code_system(self, key: str) -> CodeSystem:
        try:
            return self._systems[key]
        except KeyError:
            raise UnknownCode(f"no code system {key!r} in code_systems.json") from None

    def document_type(self, code: str) -> DocumentType:
        try:
            return self._types[code]
        except KeyError:
            raise UnknownCode(f"document type {code!r} is not in document_types.json") from None

    def document_types(self) -> tuple[DocumentType, ...]:
        return tuple(self._types.values())

    def code(self, list_name: str, code: str) -> Code:
        """One code of a code list, e.g. ``code("service_tasks", "02")``."""
        codes = self._lists.get(list_name)
        if codes is None:
            raise UnknownCode(f"no code list {list_name!r}")
        try:
            return codes[code]
        except KeyError:
            raise UnknownCode(f"code {code!r} is not in {list_name}.json") from None

    def code_list_system(self, list_name: str) -> CodeSystem:
        """The code system a code list belongs to."""
        try:
            return self._list_systems[list_name]
        except KeyError:
            raise UnknownCode(f"no code list {list_name!r}") from None

    def codes(self, list_name: str) -> tuple[Code, ...]:
        if list_name not in self._lists:
            raise UnknownCode(f"no code list {list_name!r}")
        return tuple(self._lists[list_name].values())

    def content_specifications(self) -> tuple[str, ...]:
        return tuple(self._schemas)

    def json_schema(self, content_specification_id: str) -> dict[str, Any]:
        try:
            return self._schemas[content_specification_id]
        except KeyError:
            raise UnknownCode("no JSON schema for that content specification") from None

    def json_validator(self, content_specification_id: str) -> jsonschema.Draft7Validator:
        """The compiled validator of a content specification's JSON schema."""
        try:
            return self._validators[content_specification_id]
        except KeyError:
            raise UnknownCode("no JSON schema for that content specification") from None

    def structured_errors(
        self, content_specification_id: str, payload: bytes, instance: Any = None
    ) -> list[tuple[str, str]]:
        """Schema violations of the JSON ``payload`` as (JSON path, rule), without values.

        ``instance`` is ``payload`` already parsed, if the caller has it. Results are kept
        for the last :data:`CHECKED_RESULTS` payloads (a pure function of the bytes).
        """
        validator = self.json_validator(content_specification_id)
        key = (content_specification_id, hashlib.sha256(payload).digest())
        with self._checked_lock:
            if key in self._checked:
                self._checked.move_to_end(key)
                return list(self._checked[key])
        if instance is None:
            instance = json.loads(payload)
        # The compiled check is the fast path; errors are walked (and sorted) only when it fails.
        try:
            self._fast_checks[content_specification_id](instance)
            errors: list[tuple[str, str]] = []
        except fastjsonschema.JsonSchemaException:
            errors = json_schema_errors(validator, instance)
        with self._checked_lock:
            self._checked[key] = errors
            while len(self._checked) > CHECKED_RESULTS:
                self._checked.popitem(last=False)
        return list(errors)

    def unverified(self) -> list[str]:
        """Every entry not checked against a public source, as ``file: key`` (for admins)."""
        found = [f"code_systems.json: {s.key}" for s in self._systems.values() if not s.verified]
        for name, codes in self._lists.items():
            found.extend(f"{name}.json: {c.code}" for c in codes.values() if not c.verified)
        found.extend(
            f"document_types.json: {t.code}" for t in self._types.values() if not t.verified
        )
        return found


def _system(systems: Mapping[str, CodeSystem], key: str, where: str) -> CodeSystem:
    try:
        return systems[key]
    except KeyError:
        raise CodeTableError(f"{where}: code_system: {key!r} is not in code_systems.json") from None


def _code_list(
    directory: Path, name: str, systems: Mapping[str, CodeSystem]
) -> tuple[CodeSystem, dict[str, Code]]:
    path = directory / f"{name}.json"
    raw = _load_file(path, _CodeListFileSchema())
    system = _system(systems, raw["code_system"], path.name)
    return system, {entry["code"]: Code(system=system, **entry) for entry in raw["codes"]}


def _document_type(
    entry: dict[str, Any],
    system: CodeSystem,
    lists: Mapping[str, Mapping[str, Code]],
    where: str,
) -> DocumentType:
    def ref(field_name: str, list_name: str, value: str) -> Code:
        try:
            return lists[list_name][value]
        except KeyError:
            raise CodeTableError(
                f"{where}.{field_name}: no code {value!r} in {list_name}.json"
            ) from None

    resolved = {
        name: ref(name, list_name, entry[name])
        for name, list_name in _TYPE_REFERENCES.items()
        if entry.get(name) is not None
    }
    formats = tuple(
        ref(f"file_formats.{i}", "file_formats", value)
        for i, value in enumerate(entry["file_formats"])
    )
    return DocumentType(
        code=entry["code"],
        name=entry["name"],
        system=system,
        content_specification_id=entry["content_specification_id"],
        general_type=resolved["general_type"],
        document_group=resolved["document_group"],
        service_task=resolved["service_task"],
        retention_class=resolved["retention_class"],
        record_status=resolved["record_status"],
        register_type=resolved["register_type"],
        file_formats=formats,
        service_process=resolved.get("service_process"),
        service_request=entry["service_request"],
        verified=entry["verified"],
        source=entry["source"],
        unverified_fields=tuple(entry["unverified_fields"]),
    )


def _json_schema(path: Path, content_specification_id: str) -> dict[str, Any]:
    where = f"json_schemas/{path.name}"
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CodeTableError(
            f"{where}: missing (the JSON schema of content specification "
            f"{content_specification_id})"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CodeTableError(f"{where}: not valid UTF-8 JSON ({exc})") from None
    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        location = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise CodeTableError(f"{where}: not a valid JSON schema at {location}") from None
    expected_id = f"urn:oid:{content_specification_id}"
    if schema.get("$id") != expected_id:
        raise CodeTableError(f"{where}: $id must be {expected_id}")
    return schema


def _inline_local_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every ``{"$ref": "#/definitions/x"}`` replaced by the definition itself.

    Only for schemas whose definitions do not refer to themselves (ours; checked: a cycle
    raises CodeTableError rather than recursing for ever).
    """
    definitions = schema.get("definitions", {})

    def inline(node: Any, trail: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if len(node) == 1 and isinstance(reference, str):
                name = reference.removeprefix("#/definitions/")
                if name != reference and name in definitions:
                    if name in trail:
                        raise CodeTableError(f"{schema.get('$id')}: definition {name} is recursive")
                    return inline(definitions[name], (*trail, name))
            return {key: inline(value, trail) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item, trail) for item in node]
        return node

    return inline(schema, ())


def json_schema_errors(
    validator: jsonschema.protocols.Validator, instance: Any, limit: int = 20
) -> list[tuple[str, str]]:
    """The first ``limit`` schema violations as (JSON path, rule), without the values."""
    found = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.path])
    return [(error.json_path, describe_json_schema_error(error)) for error in found[:limit]]


def describe_json_schema_error(error: jsonschema.ValidationError) -> str:
    """Which rule failed; jsonschema's own message quotes the offending value, so it is not
    used (the value may be client data)."""
    keyword = error.validator
    rule = error.validator_value
    if keyword == "required" and isinstance(error.instance, dict):
        missing = [name for name in rule if name not in error.instance]
        return f"missing required member {', '.join(missing)}"
    if keyword == "additionalProperties":
        return "has a member the schema does not allow"
    if keyword == "type":
        return f"must be of type {rule}"
    if keyword in {"enum", "const"}:
        return "not an allowed value"
    if keyword == "pattern":
        return "not in the required form"
    if keyword in {"anyOf", "oneOf"}:
        return "matches none of the allowed shapes"
    if isinstance(rule, int | float) and not isinstance(rule, bool):
        return f"violates {keyword} {rule}"
    return f"violates {keyword}"


@cache
def default_tables() -> CodeTables:
    """The shipped tables, loaded once per process."""
    return CodeTables.load()
