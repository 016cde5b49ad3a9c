"""Mounting plugin blueprints: internal ones at the root, others under the client's prefix."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask

from plugin_host.registry import PluginRegistry

log = logging.getLogger(__name__)


def client_prefix(plugin: str) -> str:
    return f"/c/<client_id>/p/{plugin}"


def mount_plugins(app: Flask, registry: PluginRegistry) -> None:
    for outcome in registry.call_each("plugin_blueprint"):
        installed = registry.plugins[outcome.plugin]
        blueprint = outcome.value
        if not outcome.ok or blueprint is None:
            continue
        if not isinstance(blueprint, Blueprint) or blueprint.name != installed.name:
            registry.record_failure(installed.name, "plugin_blueprint", None)
            log.error("plugin %s: blueprint must be a Blueprint named after it", installed.name)
            continue
        own_prefix = blueprint.url_prefix or ""
        if not installed.manifest.internal:
            own_prefix = client_prefix(installed.name) + own_prefix
        app.register_blueprint(blueprint, url_prefix=own_prefix)
