"""Per-plugin settings: ``[plugins.<name>]`` in the host's configuration, checked by the plugin's
own settings schema (its manifest's ``settings``) when the host starts.

A setting that fails its schema stops the start with an error naming ``plugins.<name>.<key>``;
a plugin with no section gets its schema's defaults.
"""

from __future__ import annotations

from typing import Any

from plugin_host.config import ConfigError
from plugin_host.payloads import PayloadInvalid, load_payload
from plugin_host.registry import PluginRegistry


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
