"""Which plugin views a record-system slot offers in an organisation unit."""

from __future__ import annotations

from plugin_host.api import SlotView
from plugin_host.enablement import Enablement
from plugin_host.registry import PluginRegistry

# The record system's team page: its views open by a team launch, never by a client's; and a
# unit's management page, opened by a unit launch.
TEAM_SLOT = "team"
UNIT_SLOT = "unit"
LAUNCH_SLOTS = frozenset({TEAM_SLOT, UNIT_SLOT})


def enabled_plugins(registry: PluginRegistry, enablement: Enablement, org_unit: str) -> set[str]:
    """Names of loaded, non-internal plugins enabled for ``org_unit``."""
    return {
        p.name
        for p in registry.loaded()
        if p.manifest is not None
        and not p.manifest.internal
        and enablement.grants(p.name).enabled_for(org_unit)
    }


def views_by_plugin(
    registry: PluginRegistry, org_unit: str, plugins: set[str]
) -> dict[str, list[SlotView]]:
    """Ask each chosen plugin for its views in every slot its manifest names."""
    found: dict[str, list[SlotView]] = {name: [] for name in plugins}
    slots = {s for name in plugins for s in registry.plugins[name].manifest.slots}
    for slot in sorted(slots):
        for outcome in registry.call_each("slot_views", only=plugins, slot=slot, org_unit=org_unit):
            if outcome.ok and outcome.value:
                found[outcome.plugin].extend(v for v in outcome.value if isinstance(v, SlotView))
    return found


def find_view(
    registry: PluginRegistry, enablement: Enablement, org_unit: str, plugin: str, view_id: str
) -> SlotView | None:
    if plugin not in enabled_plugins(registry, enablement, org_unit):
        return None
    for view in views_by_plugin(registry, org_unit, {plugin})[plugin]:
        if view.view_id == view_id:
            return view
    return None
