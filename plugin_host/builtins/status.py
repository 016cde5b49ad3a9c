"""``/-/health``, ``/-/plugins`` and ``/-/openapi.json``: machine-readable state and API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text
from werkzeug.wrappers import Response

from plugin_host import __version__
from plugin_host.api import hookimpl
from plugin_host.api_schemas import HealthSchema, PluginListSchema
from plugin_host.openapi import build_openapi
from plugin_host.outbox import admin as outbox_admin
from plugin_host.plugin_info import describe
from plugin_host.registry import InstalledPlugin
from plugin_host.services import HostServices, host_services
from plugin_host.slots import enabled_plugins, views_by_plugin

bp = Blueprint("host_status", __name__, url_prefix="/-")


@hookimpl
def plugin_manifest() -> dict[str, Any]:
    return {
        "name": "host_status",
        "version": __version__,
        "title": {"fi": "Tila", "sv": "Status", "en": "Status"},
        "requires_host": f"=={__version__}",
        "internal": True,
    }


@hookimpl
def client_blueprint() -> Blueprint:
    return bp


@bp.get("/health")
def health() -> tuple[Response, int]:
    services = host_services()
    outbox = None
    try:
        with services.database.transaction() as session:
            session.execute(text("SELECT 1"))
            outbox = outbox_admin.summary(session)
        database = "ok"
    except Exception:  # report, do not raise: this is what a monitor polls
        database = "unavailable"
    plugins = services.registry.plugins.values()
    body = HealthSchema().dump(
        {
            "status": "ok" if database == "ok" else "degraded",
            "version": __version__,
            "database": database,
            "outbox": outbox,
            # This process's view; each host process has its own breaker.
            "record_system_breaker": services.outbox.deliverer.breaker.current_state,
            "plugins": {
                "loaded": sum(1 for p in plugins if p.loaded),
                "refused": sum(1 for p in plugins if not p.loaded),
                "failures": sum(services.registry.failures.values()),
            },
        }
    )
    return jsonify(body), 200 if database == "ok" else 503


@bp.get("/plugins")
def plugins() -> Response:
    """Every installed plugin; with ``?org_unit=`` also whether it runs there and its views."""
    services = host_services()
    org_unit = request.args.get("org_unit")
    enabled = enabled_plugins(services.registry, services.enablement, org_unit or "*")
    views = views_by_plugin(services.registry, org_unit or "*", enabled)
    listing = {
        "host_version": __version__,
        "plugins": [
            _describe(services, plugin, org_unit, enabled, views)
            for plugin in sorted(services.registry.plugins.values(), key=lambda p: p.name)
        ],
    }
    return jsonify(PluginListSchema().dump(listing))


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI description of the host's JSON API (no session needed)."""
    return jsonify(build_openapi(current_app))


def _describe(
    services: HostServices,
    plugin: InstalledPlugin,
    org_unit: str | None,
    enabled: set[str],
    views: dict[str, list],
) -> dict[str, Any]:
    return {
        **describe(plugin, services.enablement.grants(plugin.name)),
        "enabled": (plugin.name in enabled) if org_unit else None,
        "failures": services.registry.failures[plugin.name],
        "views": views.get(plugin.name, []),
    }
