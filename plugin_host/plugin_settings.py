"""Per-plugin settings: ``[plugins.<name>]`` in the host's configuration, checked by the plugin's
own settings schema (its manifest's ``settings``) when the host starts; an admin's saved values
(``PluginSettings`` below) are laid over them.

A setting that fails its schema stops the start with an error naming ``plugins.<name>.<key>``;
a plugin with no section gets its schema's defaults.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import Schema, fields, missing
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from plugin_host.clock import utcnow
from plugin_host.config import ConfigError
from plugin_host.payloads import PayloadInvalid, load_payload
from plugin_host.registry import PluginRegistry
from plugin_host.storage import Database
from plugin_host.storage.models import PluginSetting

log = logging.getLogger(__name__)


def collect_plugin_settings(
    registry: PluginRegistry, configured: dict[str, dict[str, Any]], source: str = "configuration"
) -> dict[str, dict[str, Any]]:
    """Every loaded plugin's settings, validated; raises ConfigError naming the bad keys."""
    problems: dict[str, list[str]] = {
        f"plugins.{name}": ["No such plugin is installed."]
        for name in configured
        if name not in registry.plugins
    }
    settings: dict[str, dict[str, Any]] = {}
    for plugin in registry.loaded():
        schema = plugin.manifest.settings if plugin.manifest else None
        section = configured.get(plugin.name, {})
        if schema is None:
            if section:
                problems[f"plugins.{plugin.name}"] = ["This plugin has no settings."]
            continue
        try:
            settings[plugin.name] = load_payload(schema(), section)
        except PayloadInvalid as exc:
            for key, messages in exc.errors.items():
                problems[f"plugins.{plugin.name}.{key}"] = messages
    if problems:
        raise ConfigError(source, problems)
    return settings


# --- settings an admin saves in the host database ---------------------------------------------
#
# Precedence, lowest first: the schema's defaults, ``[plugins.<name>]`` of the configuration
# file, the values an admin saved (console or ``plugin-host plugins settings --set``). The whole is
# checked by the plugin's schema; a saved value that fails it is never stored. Each host process
# reads the saved values through a short cache, so a change reaches every instance sharing the
# database within ``ttl_seconds`` and no restart is needed.

DEFAULT_TTL_SECONDS = 2.0
SOURCE_ADMIN = "admin"
SOURCE_CONFIGURATION = "configuration"
SOURCE_DEFAULT = "default"
SOURCE_UNSET = "unset"


class _NoValue:
    def __repr__(self) -> str:
        return "<no value>"


NO_VALUE: Any = _NoValue()


@dataclass(frozen=True)
class SettingValue:
    """One setting as it goes into the plugin's schema (raw, JSON-like) and where it came from."""

    key: str
    kind: str  # "string" | "integer" | "float" | "boolean" | "json"
    value: Any  # NO_VALUE when nothing sets it
    source: str  # "admin" | "configuration" | "default" | "unset"
    required: bool


@dataclass(frozen=True)
class SavedSettings:
    values: dict[str, Any]
    changed_by: str | None = None
    changed_at: datetime | None = None


def setting_fields(schema_class: type[Schema]) -> dict[str, fields.Field]:
    """The schema's settable fields by the key they are written under."""
    schema = schema_class()
    return {
        (field.data_key or name): field
        for name, field in schema.fields.items()
        if not field.dump_only
    }


def field_kind(field: fields.Field) -> str:
    """How a setting is entered: a plain input for scalars, JSON for anything nested or a list."""
    if isinstance(field, fields.Boolean):
        return "boolean"
    if isinstance(field, fields.Integer):
        return "integer"
    if isinstance(field, fields.Float | fields.Decimal):
        return "float"
    if isinstance(field, fields.String):
        return "string"
    return "json"


def raw_default(field: fields.Field) -> Any:
    default = field.load_default
    if default is missing:
        return NO_VALUE
    return default() if callable(default) else default


class NotJson(ValueError):
    """A JSON setting's text is not JSON."""


def coerce(field: fields.Field, text: str) -> Any:
    """A setting typed as text (a form input, ``--set key=value``) as the schema takes it.

    What cannot be converted is passed on as typed, so the schema's own message names the
    problem ("Not a valid integer."); an empty input means "no value" (null).
    """
    kind = field_kind(field)
    if kind == "string":
        return None if text == "" and field.allow_none else text
    stripped = text.strip()
    if stripped == "":
        return None
    if kind == "json":
        try:
            return json.loads(stripped)
        except ValueError:
            raise NotJson(stripped) from None
    if kind == "boolean":
        if stripped.lower() in {str(v).lower() for v in field.truthy}:
            return True
        if stripped.lower() in {str(v).lower() for v in field.falsy}:
            return False
        return stripped
    number = int if kind == "integer" else float
    try:
        return number(stripped)
    except ValueError:
        return stripped


class PluginSettings:
    """Every plugin's effective settings: defaults < configuration file < saved by an admin."""

    def __init__(
        self,
        registry: PluginRegistry,
        configured: dict[str, dict[str, Any]],
        database: Database,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
    ) -> None:
        self.registry = registry
        self.configured = configured
        self.database = database
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        # plugin -> (read at, saved JSON text or None, loaded settings)
        self._cache: dict[str, tuple[float, str | None, dict[str, Any]]] = {}

    def schema_of(self, plugin: str) -> type[Schema] | None:
        manifest = self.registry.manifest(plugin)
        return manifest.settings if manifest else None

    # --- reading ---------------------------------------------------------------------------

    def effective(self, plugin: str) -> dict[str, Any]:
        """The plugin's settings as its schema loads them (what ``api.plugin_settings()`` gives)."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(plugin)
        if cached is not None and now - cached[0] < self.ttl_seconds:
            return cached[2]
        try:
            text = self._saved_text(plugin)
        except SQLAlchemyError:
            if cached is None:
                raise
            log.warning("plugin %s: saved settings unreadable, keeping the last ones", plugin)
            return cached[2]
        if cached is not None and cached[1] == text:
            loaded = cached[2]
        else:
            loaded = self._load(plugin, text)
        with self._lock:
            self._cache[plugin] = (now, text, loaded)
        return loaded

    def saved(self, plugin: str) -> SavedSettings:
        with self.database.transaction() as session:
            row = session.get(PluginSetting, plugin)
            if row is None:
                return SavedSettings({})
            return SavedSettings(json.loads(row.data), row.changed_by, row.changed_at)

    def values(self, plugin: str) -> list[SettingValue]:
        """Each setting of the schema with its value and source, for the console and the CLI."""
        schema = self.schema_of(plugin)
        if schema is None:
            return []
        saved = self.saved(plugin).values
        configured = self.configured.get(plugin, {})
        rows = []
        for key, field in setting_fields(schema).items():
            if key in saved:
                value, source = saved[key], SOURCE_ADMIN
            elif key in configured:
                value, source = configured[key], SOURCE_CONFIGURATION
            else:
                value = raw_default(field)
                source = SOURCE_UNSET if value is NO_VALUE else SOURCE_DEFAULT
            rows.append(SettingValue(key, field_kind(field), value, source, field.required))
        return rows

    def saved_problems(self) -> tuple[dict[str, list[str]], list[str]]:
        """Saved values that no longer pass (a new plugin version may disagree with them), by
        ``plugins.<name>.<key>``: the host uses the file's settings for such a plugin; and the
        plugins not installed that have saved values (kept for when they come back)."""
        with self.database.transaction() as session:
            rows = session.scalars(select(PluginSetting).order_by(PluginSetting.plugin)).all()
        problems: dict[str, list[str]] = {}
        not_installed = []
        for row in rows:
            if self.registry.manifest(row.plugin) is None:
                not_installed.append(row.plugin)
                continue
            try:
                self.check(row.plugin, json.loads(row.data))
            except PayloadInvalid as exc:
                for key, messages in exc.errors.items():
                    problems[f"plugins.{row.plugin}.{key}"] = messages
        return problems, not_installed

    # --- writing ---------------------------------------------------------------------------

    def check(self, plugin: str, saved: dict[str, Any]) -> dict[str, Any]:
        """Load configuration + ``saved`` through the schema; raises PayloadInvalid."""
        schema = self.schema_of(plugin)
        if schema is None:
            raise PayloadInvalid({"_schema": ["This plugin has no settings."]})
        known = setting_fields(schema)
        unknown = {key: ["No such setting."] for key in saved if key not in known}
        values = {key: value for key, value in saved.items() if key in known}
        try:
            loaded = load_payload(schema(), {**self.configured.get(plugin, {}), **values})
        except PayloadInvalid as exc:
            raise PayloadInvalid({**exc.errors, **unknown}) from None
        if unknown:
            raise PayloadInvalid(unknown)
        return loaded

    def save(self, plugin: str, saved: dict[str, Any], actor: str) -> None:
        """Store the admin's values (all of them, replacing the earlier ones) once they pass the
        schema; raises PayloadInvalid and stores nothing when they do not."""
        self.check(plugin, saved)
        text = json.dumps(saved, ensure_ascii=False, sort_keys=True)
        with self.database.transaction() as session:
            if saved:
                session.merge(
                    PluginSetting(plugin=plugin, data=text, changed_by=actor, changed_at=utcnow())
                )
            else:
                row = session.get(PluginSetting, plugin)
                if row is not None:
                    session.delete(row)
        self.forget(plugin)

    def overrides_from(self, plugin: str, submitted: dict[str, Any]) -> dict[str, Any]:
        """From a whole form: the values that differ from what the configuration file and the
        defaults give (a value set back to that is no longer an admin's value)."""
        schema = self.schema_of(plugin)
        fields_ = setting_fields(schema) if schema else {}
        configured = self.configured.get(plugin, {})
        overrides = {}
        for key, value in submitted.items():
            base = configured[key] if key in configured else raw_default(fields_[key])
            if base is NO_VALUE or base != value:
                overrides[key] = value
        return overrides

    def forget(self, plugin: str | None = None) -> None:
        with self._lock:
            if plugin is None:
                self._cache.clear()
            else:
                self._cache.pop(plugin, None)

    # --- inside ----------------------------------------------------------------------------

    def _saved_text(self, plugin: str) -> str | None:
        with self.database.transaction() as session:
            return session.scalar(select(PluginSetting.data).where(PluginSetting.plugin == plugin))

    def _load(self, plugin: str, text: str | None) -> dict[str, Any]:
        schema = self.schema_of(plugin)
        if schema is None:
            return {}
        configured = self.configured.get(plugin, {})
        saved = json.loads(text) if text else {}
        try:
            return load_payload(schema(), {**configured, **saved})
        except PayloadInvalid as exc:
            # Stored values passed the schema when saved; a new plugin version may disagree.
            log.warning(
                "plugin %s: saved settings no longer pass its schema (%s); using the file's",
                plugin,
                ", ".join(sorted(exc.errors)),
            )
            return load_payload(schema(), configured)
