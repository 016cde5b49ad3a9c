"""Finding, checking and calling plugins: entry-point discovery and isolated hook calls."""

from __future__ import annotations

import logging
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from plugin_host import hookspecs
from plugin_host.manifest import Manifest, ManifestSchema
from plugin_host.payloads import PayloadInvalid, load_payload
from plugin_host.plugin_context import calling_plugin

ENTRY_POINT_GROUP = "plugin_host.plugins"
INTERNAL_PREFIX = "plugin_host."

log = logging.getLogger(__name__)


@dataclass
class InstalledPlugin:
    """A plugin found on this host: loaded, or refused with a reason an admin can read."""

    name: str
    source: str
    status: str  # "loaded" | "refused"
    reason: str = ""
    manifest: Manifest | None = None
    module: ModuleType | None = None

    @property
    def loaded(self) -> bool:
        return self.status == "loaded"


@dataclass(frozen=True)
class HookOutcome:
    """One plugin's answer to one hook call; ``failure`` replaces ``value`` when it broke."""

    plugin: str
    value: Any = None
    failure: str | None = None  # "error" | "overrun"

    @property
    def ok(self) -> bool:
        return self.failure is None


class PluginRegistry:
    """Owns the pluggy manager; every hook call goes through :meth:`call_each`."""

    def __init__(self, host_version: str, hook_budget_seconds: float) -> None:
        self.host_version = Version(host_version)
        self.hook_budget_seconds = hook_budget_seconds
        self.manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.manager.add_hookspecs(hookspecs)
        self.plugins: dict[str, InstalledPlugin] = {}
        self.failures: Counter[str] = Counter()

    # --- discovery -------------------------------------------------------------------------

    def discover(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Load every plugin advertised in the entry-point group; refuse the unfit ones."""
        for entry_point in sorted(entry_points(group=group), key=lambda ep: ep.name):
            self._load_entry_point(entry_point)

    def _load_entry_point(self, entry_point: EntryPoint) -> None:
        source = f"{entry_point.value} ({entry_point.dist.name if entry_point.dist else '?'})"
        try:
            module = entry_point.load()
        except Exception as exc:  # a broken package must not stop the host
            self._refuse(entry_point.name, source, f"import failed: {type(exc).__name__}: {exc}")
            return
        self.add(module, expected_name=entry_point.name, source=source)

    def add(self, module: ModuleType, *, expected_name: str, source: str) -> InstalledPlugin:
        """Register one plugin module after checking its manifest and host requirement."""
        self.manager.register(module, name=expected_name)
        manifest_impls = [
            impl
            for impl in self.manager.hook.plugin_manifest.get_hookimpls()
            if impl.plugin_name == expected_name
        ]
        reason = ""
        manifest: Manifest | None = None
        if not manifest_impls:
            reason = "no plugin_manifest hook"
        else:
            try:
                manifest = load_payload(ManifestSchema(), manifest_impls[0].function())
            except PayloadInvalid as exc:
                reason = f"invalid manifest: {exc}"
            except Exception as exc:
                reason = f"plugin_manifest raised {type(exc).__name__}: {exc}"
        if manifest is not None:
            reason = self._incompatibility(manifest, module, expected_name)
        if reason:
            self.manager.unregister(module)
            return self._refuse(expected_name, source, reason)
        installed = InstalledPlugin(
            name=expected_name, source=source, status="loaded", manifest=manifest, module=module
        )
        self.plugins[expected_name] = installed
        return installed

    def _incompatibility(self, manifest: Manifest, module: ModuleType, name: str) -> str:
        if manifest.name != name:
            return f"manifest name {manifest.name!r} differs from entry point name {name!r}"
        if self.host_version not in SpecifierSet(manifest.requires_host, prereleases=True):
            return f"requires host {manifest.requires_host}, this host is {self.host_version}"
        if manifest.internal and not module.__name__.startswith(INTERNAL_PREFIX):
            return "only the host's own plugins may declare internal: true"
        return ""

    def _refuse(self, name: str, source: str, reason: str) -> InstalledPlugin:
        log.warning("plugin %s refused: %s", name, reason)
        installed = InstalledPlugin(name=name, source=source, status="refused", reason=reason)
        self.plugins[name] = installed
        return installed

    # --- queries ---------------------------------------------------------------------------

    def loaded(self) -> list[InstalledPlugin]:
        return [p for p in self.plugins.values() if p.loaded]

    def manifest(self, name: str) -> Manifest | None:
        plugin = self.plugins.get(name)
        return plugin.manifest if plugin else None

    # --- isolated hook calls ---------------------------------------------------------------

    def call_each(
        self,
        hook_name: str,
        only: Callable[[str], bool] | Iterable[str] | None = None,
        **kwargs: Any,
    ) -> list[HookOutcome]:
        """Call ``hook_name`` on each (selected) plugin; a raise or an overrun becomes a failure.

        Called per implementation rather than through pluggy's loop so that one plugin's
        exception cannot cut the others off, and each answer carries the plugin's name.
        """
        select = _selector(only)
        outcomes: list[HookOutcome] = []
        hook = getattr(self.manager.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):  # pluggy's own order: last registered first
            if not select(impl.plugin_name):
                continue
            args = {name: kwargs[name] for name in impl.argnames}
            started = time.perf_counter()
            token = calling_plugin.set(impl.plugin_name)
            try:
                value = impl.function(**args)
            except Exception as exc:
                outcomes.append(self._failed(impl.plugin_name, hook_name, "error", exc))
                continue
            finally:
                calling_plugin.reset(token)
            if time.perf_counter() - started > self.hook_budget_seconds:
                outcomes.append(self._failed(impl.plugin_name, hook_name, "overrun", None))
                continue
            outcomes.append(HookOutcome(plugin=impl.plugin_name, value=value))
        return outcomes

    def record_failure(self, plugin: str, where: str, exc: BaseException | None) -> None:
        """Count and log a plugin's failure without its message (it may carry client data)."""
        self.failures[plugin] += 1
        location = ""
        if exc is not None and exc.__traceback__ is not None:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            location = f" at {frame.filename}:{frame.lineno}"
        kind = type(exc).__name__ if exc is not None else "time budget exceeded"
        log.error("plugin %s failed in %s: %s%s", plugin, where, kind, location)

    def _failed(
        self, plugin: str, hook_name: str, failure: str, exc: BaseException | None
    ) -> HookOutcome:
        self.record_failure(plugin, hook_name, exc)
        return HookOutcome(plugin=plugin, failure=failure)


def _selector(only: Callable[[str], bool] | Iterable[str] | None) -> Callable[[str], bool]:
    if only is None:
        return lambda _name: True
    if callable(only):
        return only
    chosen = frozenset(only)
    return chosen.__contains__
