"""What an admin does to plugins, the same from ``/-/admin/`` and from ``plugin-host``: enable
and disable per unit, approve and revoke scopes, change settings. Each change writes an audit row
naming the admin (worker ``<admin>``, unit ``admin``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plugin_host.audit import AuditLog
from plugin_host.enablement import ALL_UNITS, Enablement
from plugin_host.plugin_info import describe
from plugin_host.plugin_settings import PluginSettings
from plugin_host.registry import InstalledPlugin, PluginRegistry

MAX_UNIT_LENGTH = 100


class AdminActionError(Exception):
    """An action that cannot be done as asked; the message says why (in English, as the CLI's)."""


@dataclass(frozen=True)
class AdminTools:
    registry: PluginRegistry
    enablement: Enablement
    audit: AuditLog
    settings: PluginSettings

    # --- looking ---------------------------------------------------------------------------

    def installed(self, name: str) -> InstalledPlugin:
        plugin = self.registry.plugins.get(name)
        if plugin is None:
            known = ", ".join(sorted(self.registry.plugins)) or "none"
            raise AdminActionError(f"no plugin named {name!r} is installed (installed: {known})")
        return plugin

    def loaded(self, name: str) -> InstalledPlugin:
        plugin = self.installed(name)
        if not plugin.loaded:
            raise AdminActionError(f"{name} was refused: {plugin.reason}")
        return plugin

    def overview(self, name: str) -> dict[str, Any]:
        """``plugin_info.describe`` plus what this version asks for that is not approved (held
        back: the gateway refuses it until approved), grants it no longer asks for, failures."""
        plugin = self.installed(name)
        info = describe(plugin, self.enablement.grants(name))
        requested = info["scopes"]["requested"]
        approved = info["scopes"]["approved"]
        info["scopes"]["held_back"] = [s for s in requested if s not in approved]
        info["scopes"]["not_requested"] = [s for s in approved if s not in requested]
        info["failures"] = self.registry.failures[name]
        info["has_settings"] = bool(plugin.manifest and plugin.manifest.settings)
        return info

    def all_plugins(self) -> list[dict[str, Any]]:
        return [self.overview(name) for name in sorted(self.registry.plugins)]

    # --- deciding --------------------------------------------------------------------------

    def set_enabled(self, name: str, org_unit: str, enabled: bool, actor: str) -> None:
        org_unit = org_unit.strip()
        if not org_unit or len(org_unit) > MAX_UNIT_LENGTH:
            raise AdminActionError(f"an organisation unit (1-{MAX_UNIT_LENGTH} characters)")
        # Enabling needs a loaded plugin; disabling works for a refused one too.
        (self.loaded if enabled else self.installed)(name)
        self.enablement.set_enabled(name, org_unit, enabled, actor)
        operation = "admin.enable" if enabled else "admin.disable"
        self.audit.record_admin(actor, name, operation, f"org_unit={org_unit}")

    def approve(self, name: str, scopes: list[str] | tuple[str, ...], actor: str) -> list[str]:
        """Approve ``scopes`` (default: everything this version asks for)."""
        requested = list(self.loaded(name).manifest.scopes)
        unknown = sorted(set(scopes) - set(requested))
        if unknown:
            raise AdminActionError(f"{name} does not ask for: {', '.join(unknown)}")
        chosen = list(scopes) or requested
        if chosen:
            self.enablement.approve(name, chosen, actor)
            self.audit.record_admin(actor, name, "admin.approve", "scopes=" + ",".join(chosen))
        return chosen

    def revoke(self, name: str, scopes: list[str] | tuple[str, ...], actor: str) -> list[str]:
        """Withdraw approved ``scopes`` (default: all approved ones)."""
        self.installed(name)
        approved = self.enablement.grants(name).approved_scopes
        unknown = sorted(set(scopes) - approved)
        if unknown:
            raise AdminActionError(f"{name} has no approval for: {', '.join(unknown)}")
        chosen = list(scopes) or sorted(approved)
        if chosen:
            self.enablement.revoke(name, chosen)
            self.audit.record_admin(actor, name, "admin.revoke", "scopes=" + ",".join(chosen))
        return chosen

    def save_settings(self, name: str, saved: dict[str, Any], actor: str) -> None:
        """Replace the admin's saved values; raises PayloadInvalid (nothing stored) when the
        plugin's schema refuses the result."""
        before = self.settings.saved(self.loaded(name).name).values
        self.settings.save(name, saved, actor)
        changed = sorted(
            key for key in set(before) | set(saved) if before.get(key, ...) != saved.get(key, ...)
        )
        # Keys only: a value may be a path or a reference that is nobody's business in the log.
        self.audit.record_admin(actor, name, "admin.settings", "keys=" + ",".join(changed))


def unit_choices(tools: AdminTools) -> list[str]:
    """Units an admin has decided something for, for the console's suggestions."""
    units = set()
    for name in tools.registry.plugins:
        grants = tools.enablement.grants(name)
        units |= grants.enabled_units | grants.disabled_units
    return sorted(units - {ALL_UNITS})
