"""The plugin manifest: what a plugin is, what host it needs, what it may touch."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, ValidationError, fields, post_load, validate
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from plugin_host.scopes import SCOPE_PATTERN

# "team" is the record system's team page: its views are opened by a team launch.
SLOTS = ("tab", "panel", "action", "team", "unit")
LOCALES = ("fi", "sv", "en")


def _valid_version(value: str) -> None:
    try:
        Version(value)
    except InvalidVersion:
        raise ValidationError("Not a PEP 440 version.") from None


def _valid_specifier(value: str) -> None:
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        raise ValidationError("Not a PEP 440 version specifier.") from None


class LocalizedTextSchema(Schema):
    fi = fields.String(required=True, validate=validate.Length(min=1, max=200))
    sv = fields.String(required=True, validate=validate.Length(min=1, max=200))
    en = fields.String(required=True, validate=validate.Length(min=1, max=200))


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str
    title: dict[str, str]
    requires_host: str
    scopes: tuple[str, ...]
    slots: tuple[str, ...]
    settings: type[Schema] | None
    internal: bool

    def localized_title(self, locale: str) -> str:
        return self.title.get(locale) or self.title["fi"]


class SchemaClassField(fields.Field):
    """A marshmallow Schema subclass: the plugin's settings schema."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, type) and issubclass(value, Schema):
            return value
        raise ValidationError("Must be a marshmallow Schema class.")


class ManifestSchema(Schema):
    name = fields.String(
        required=True,
        validate=[
            validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$", error="Use a-z, 0-9 and _ only."),
            # "<name>_team" and "<name>_respondent" name a plugin's team and respondent blueprints.
            validate.Regexp(r"^(?!.*_team$)", error="A name may not end in _team."),
            validate.Regexp(r"^(?!.*_respondent$)", error="A name may not end in _respondent."),
            validate.Regexp(r"^(?!.*_unit$)", error="A name may not end in _unit."),
        ],
    )
    version = fields.String(required=True, validate=_valid_version)
    title = fields.Nested(LocalizedTextSchema, required=True)
    requires_host = fields.String(required=True, validate=_valid_specifier)
    scopes = fields.List(
        fields.String(validate=validate.Regexp(SCOPE_PATTERN, error="Unknown scope.")),
        load_default=list,
    )
    slots = fields.List(fields.String(validate=validate.OneOf(SLOTS)), load_default=list)
    settings = SchemaClassField(load_default=None, allow_none=True)
    internal = fields.Boolean(load_default=False)

    @post_load
    def to_manifest(self, data: dict, **_kwargs) -> Manifest:
        return Manifest(
            name=data["name"],
            version=data["version"],
            title=data["title"],
            requires_host=data["requires_host"],
            scopes=tuple(dict.fromkeys(data["scopes"])),
            slots=tuple(dict.fromkeys(data["slots"])),
            settings=data["settings"],
            internal=data["internal"],
        )
