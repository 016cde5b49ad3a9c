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
        ("plugin_blueprint", "", client_prefix),
        ("team_blueprint", TEAM_BLUEPRINT_SUFFIX, team_prefix),
        ("respondent_blueprint", RESPONDENT_BLUEPRINT_SUFFIX, respondent_prefix),
        ("unit_blueprint", UNIT_BLUEPRINT_SUFFIX, unit_prefix),
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
            if not installed.manifest.internal or suffix == RESPONDENT_BLUEPRINT_SUFFIX:
                own_prefix = prefix(installed.name) + own_prefix
            app.register_blueprint(blueprint, url_prefix=own_prefix)
