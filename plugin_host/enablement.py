"""Admin decisions that persist: where each plugin runs and which scopes it may use."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import select

from plugin_host.clock import utcnow
from plugin_host.storage import Database
from plugin_host.storage.models import PluginEnablement, ScopeGrant

ALL_UNITS = "*"


@dataclass(frozen=True)
class PluginGrants:
    """What the admin has decided for one plugin."""

    enabled_units: frozenset[str]
    disabled_units: frozenset[str]
    approved_scopes: frozenset[str]

    def enabled_for(self, org_unit: str) -> bool:
        # Disabled for "*" is the kill switch: off everywhere, whatever was enabled by name.
        if org_unit in self.disabled_units or ALL_UNITS in self.disabled_units:
            return False
        return org_unit in self.enabled_units or ALL_UNITS in self.enabled_units


class Enablement:
    """Reads and writes enablement and scope grants."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def set_enabled(self, plugin: str, org_unit: str, enabled: bool, actor: str) -> None:
        self._forget(plugin)
        with self.database.transaction() as session:
            session.merge(
                PluginEnablement(
                    plugin=plugin,
                    org_unit=org_unit,
                    enabled=enabled,
                    changed_by=actor,
                    changed_at=utcnow(),
                )
            )

    def approve(self, plugin: str, scopes: list[str] | tuple[str, ...], actor: str) -> None:
        self._forget(plugin)
        with self.database.transaction() as session:
            for scope in scopes:
                session.merge(
                    ScopeGrant(plugin=plugin, scope=scope, granted_by=actor, granted_at=utcnow())
                )

    def revoke(self, plugin: str, scopes: list[str] | tuple[str, ...]) -> None:
        self._forget(plugin)
        with self.database.transaction() as session:
            for scope in scopes:
                grant = session.get(ScopeGrant, (plugin, scope))
                if grant is not None:
                    session.delete(grant)

    def grants(self, plugin: str) -> PluginGrants:
        """The decisions for ``plugin``, read once per request (binding, gateway and slots all
        ask for them while serving one page)."""
        if not has_request_context():
            return self._read(plugin)
        cached = g.setdefault("plugin_grants", {})
        if plugin not in cached:
            cached[plugin] = self._read(plugin)
        return cached[plugin]

    def _forget(self, plugin: str) -> None:
        if has_request_context():
            g.setdefault("plugin_grants", {}).pop(plugin, None)

    def _read(self, plugin: str) -> PluginGrants:
        with self.database.transaction() as session:
            units = session.execute(
                select(PluginEnablement.org_unit, PluginEnablement.enabled).where(
                    PluginEnablement.plugin == plugin
                )
            ).all()
            scopes = session.scalars(
                select(ScopeGrant.scope).where(ScopeGrant.plugin == plugin)
            ).all()
        return PluginGrants(
            enabled_units=frozenset(u for u, on in units if on),
            disabled_units=frozenset(u for u, on in units if not on),
            approved_scopes=frozenset(scopes),
        )
