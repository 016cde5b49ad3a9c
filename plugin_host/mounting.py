"""Mounting plugin blueprints: internal ones at the root, others under the client's prefix."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask

from plugin_host.plugin_context import (
    RESPONDENT_BLUEPRINT_SUFFIX,
    TEAM_BLUEPRINT_SUFFIX,
    UNIT_BLUEPRINT_SUFFIX,
)
from plugin_host.registry import PluginRegistry

log = logging.getLogger(__name__)


def client_prefix(plugin: str) -> str:
    return f"/c/<client_id>/p/{plugin}"


def team_prefix(plugin: str) -> str:
    return f"/t/<team_id>/p/{plugin}"


def unit_prefix(plugin: str) -> str:
    return f"/u/<unit_id>/p/{plugin}"


def respondent_prefix(plugin: str) -> str:
    """No client in the path: a respondent's session (``plugin_host.respondent``) names it."""
    return f"/r/p/{plugin}"


def mount_plugins(app: Flask, registry: PluginRegistry) -> None:
    """Client blueprints under the client's prefix, team blueprints under the team's, respondent
    blueprints (a family member's questionnaire, opened by a one-time link) under ``/r/p``."""
    for hook, suffix, prefix in (
        ("client_blueprint", "", client_prefix),
        # Deprecated since API 1.3 (pluggy warns at registration); a plugin that implements
        # both hooks has its client_blueprint mounted only.
        ("plugin_blueprint", "", client_prefix),
        ("team_blueprint", TEAM_BLUEPRINT_SUFFIX, team_prefix),
        ("respondent_blueprint", RESPONDENT_BLUEPRINT_SUFFIX, respondent_prefix),
        ("unit_blueprint", UNIT_BLUEPRINT_SUFFIX, unit_prefix),
    ):
        only = _without_client_blueprint(registry) if hook == "plugin_blueprint" else None
        for outcome in registry.call_each(hook, only=only):
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
            if not installed.manifest.internal or suffix == RESPONDENT_BLUEPRINT_SUFFIX:
                own_prefix = prefix(installed.name) + own_prefix
            app.register_blueprint(blueprint, url_prefix=own_prefix)


def _without_client_blueprint(registry: PluginRegistry) -> frozenset[str]:
    """Plugins that still implement only the deprecated ``plugin_blueprint``."""
    modern = {impl.plugin_name for impl in registry.manager.hook.client_blueprint.get_hookimpls()}
    return frozenset(
        impl.plugin_name
        for impl in registry.manager.hook.plugin_blueprint.get_hookimpls()
        if impl.plugin_name not in modern
    )
