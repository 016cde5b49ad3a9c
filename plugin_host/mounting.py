"""Mounting plugin blueprints: internal ones at the root, others under the client's prefix."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask

from plugin_host.plugin_context import TEAM_BLUEPRINT_SUFFIX
from plugin_host.registry import PluginRegistry

log = logging.getLogger(__name__)


def client_prefix(plugin: str) -> str:
    return f"/c/<client_id>/p/{plugin}"


def team_prefix(plugin: str) -> str:
    return f"/t/<team_id>/p/{plugin}"


def mount_plugins(app: Flask, registry: PluginRegistry) -> None:
    """Client blueprints under the client's prefix, team blueprints under the team's."""
    for hook, suffix, prefix in (
        ("plugin_blueprint", "", client_prefix),
        ("team_blueprint", TEAM_BLUEPRINT_SUFFIX, team_prefix),
    ):
        for outcome in registry.call_each(hook):
            installed = registry.plugins[outcome.plugin]
            blueprint = outcome.value
            if not outcome.ok or blueprint is None:
                continue
            if not isinstance(blueprint, Blueprint) or blueprint.name != installed.name + suffix:
                registry.record_failure(installed.name, hook, None)
                log.error(
                    "plugin %s: %s must be a Blueprint named %s",
                    installed.name,
                    hook,
                    installed.name + suffix,
                )
                continue
            own_prefix = blueprint.url_prefix or ""
            if not installed.manifest.internal:
                own_prefix = prefix(installed.name) + own_prefix
            app.register_blueprint(blueprint, url_prefix=own_prefix)
