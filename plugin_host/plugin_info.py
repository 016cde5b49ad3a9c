"""One description of an installed plugin, for ``/-/plugins`` and ``plugin-host plugins``."""

from __future__ import annotations

from typing import Any

from plugin_host.enablement import PluginGrants
from plugin_host.registry import InstalledPlugin


def describe(plugin: InstalledPlugin, grants: PluginGrants) -> dict[str, Any]:
    """What an admin needs to decide about a plugin: status, reason, scopes, units."""
    manifest = plugin.manifest
    return {
        "name": plugin.name,
        "source": plugin.source,
        "status": plugin.status,
        "reason": plugin.reason,
        "version": manifest.version if manifest else None,
        "title": manifest.title if manifest else None,
        "internal": bool(manifest and manifest.internal),
        "requires_host": manifest.requires_host if manifest else None,
        "slots": list(manifest.slots) if manifest else [],
        "scopes": {
            "requested": list(manifest.scopes) if manifest else [],
            "approved": sorted(grants.approved_scopes),
        },
        "enabled_units": sorted(grants.enabled_units),
        "disabled_units": sorted(grants.disabled_units),
    }
