"""pytest fixtures for testing a plugin against a real host (entry point ``pytest11``).

Loaded in every pytest run of an environment where the host is installed. Every fixture is
prefixed ``plugin_host_`` so it never meets a project's own; the one exception is
``plugin_under_test``, which your ``conftest.py`` overrides to name your plugin::

    @pytest.fixture
    def plugin_under_test():
        from acme_notes import plugin
        return plugin, "acme_notes"      # or just "acme_notes", the entry-point name

- ``plugin_host_record_system``: the reference record system as a process on a loopback port,
  seeded with synthetic families (clients ``c-1001`` ... ``c-2001``); one per session.
- ``plugin_host_app``: a host app against it, your plugin loaded, enabled for the demo unit
  ``lastensuojelu-1`` with every scope it asks for approved.
- ``plugin_host_launch``: ``plugin_host_launch(client_id="c-1001", **claims)`` gives a Flask
  test client with a launch opened for that client (worker ``w-demo``, locale ``fi``).
- ``plugin_host_page``: a Playwright page in Debian's headless ``/usr/bin/chromium`` (skipped
  when it is missing); ``plugin_host_live_url`` serves ``plugin_host_app`` over HTTP for it.
- ``plugin_host_contract``: what ``plugin_host.testing.contract`` checks; give it example form
  data for your POST routes with ``plugin_host_form_data`` and values for route arguments with
  ``plugin_host_route_arguments``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from plugin_host.config import HostConfig
from plugin_host.demo import DEMO_UNIT
from plugin_host.enablement import Enablement
from plugin_host.registry import ENTRY_POINT_GROUP
from plugin_host.testing.browser import CHROMIUM, CHROMIUM_ARGS, chromium_available
from plugin_host.testing.contract import Contract, PluginUnderTest
from plugin_host.testing.host import (
    CLIENT_A,
    TEST_ADMIN,
    LaunchKeys,
    build_host,
    launch_client,
    make_launch_keys,
    write_host_config,
)
from plugin_host.testing.live import live_server
from plugin_host.testing.record_system import RecordSystemProcess, start_record_system

BROWSER_MARKER = "browser: drives a real headless Chromium"


def pytest_configure(config: pytest.Config) -> None:
    if not any(line.split(":")[0].strip() == "browser" for line in config.getini("markers")):
        config.addinivalue_line("markers", BROWSER_MARKER)


@pytest.fixture
def plugin_under_test() -> Any:
    """Override in your conftest.py: your plugin as ``(module, name)`` or its entry-point name."""
    pytest.fail(
        "plugin_host: define a `plugin_under_test` fixture in your conftest.py that returns "
        "(your plugin module, its name) or the name of its plugin_host.plugins entry point",
        pytrace=False,
    )


@pytest.fixture
def plugin_host_plugin(plugin_under_test: Any) -> PluginUnderTest:
    """The plugin under test as the host will load it: its module and name."""
    return _resolve(plugin_under_test)


def _resolve(value: Any) -> PluginUnderTest:
    if isinstance(value, PluginUnderTest):
        return value
    if isinstance(value, str):
        found = entry_points(group=ENTRY_POINT_GROUP, name=value)
        if not found:
            pytest.fail(
                f"plugin_host: no {ENTRY_POINT_GROUP} entry point named {value!r} is installed: "
                "`pip install -e .` your plugin, or return (module, name) from plugin_under_test",
                pytrace=False,
            )
        return PluginUnderTest(module=next(iter(found)).load(), name=value)
    module, name = value
    if isinstance(module, str):
        module = importlib.import_module(module)
    return PluginUnderTest(module=module, name=name)


def _installed_as_entry_point(plugin: PluginUnderTest) -> bool:
    return any(
        ep.value == plugin.module.__name__
        for ep in entry_points(group=ENTRY_POINT_GROUP, name=plugin.name)
    )


@pytest.fixture(scope="session")
def plugin_host_launch_keys(tmp_path_factory: pytest.TempPathFactory) -> LaunchKeys:
    """The record system's launch-signing key pair (the host trusts its public half)."""
    return make_launch_keys(tmp_path_factory.mktemp("plugin-host-keys"))


@pytest.fixture(scope="session")
def plugin_host_record_system(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RecordSystemProcess]:
    """The reference record system on a loopback port, seeded with the synthetic families."""
    handle = start_record_system(tmp_path_factory.mktemp("plugin-host-records"))
    yield handle
    handle.stop()


@pytest.fixture
def plugin_host_config(
    tmp_path: Path,
    plugin_host_record_system: RecordSystemProcess,
    plugin_host_launch_keys: LaunchKeys,
) -> HostConfig:
    """A host configuration of its own per test (SQLite beside it; no outbox worker)."""
    return write_host_config(
        tmp_path / "plugin-host",
        plugin_host_record_system.url,
        plugin_host_launch_keys.public_key,
    )


@pytest.fixture
def plugin_host_app(plugin_host_config: HostConfig, plugin_host_plugin: PluginUnderTest) -> Flask:
    """A host with the plugin under test loaded, enabled for the demo unit, its scopes approved.
    A plugin the host refuses stays refused (the contract's manifest check says why)."""
    extra: tuple[tuple[ModuleType, str], ...] = ()
    if not _installed_as_entry_point(plugin_host_plugin):
        extra = ((plugin_host_plugin.module, plugin_host_plugin.name),)
    app = build_host(plugin_host_config, extra)
    services = app.extensions["plugin_host"]
    installed = services.registry.plugins.get(plugin_host_plugin.name)
    if installed is not None and installed.loaded:
        enablement = Enablement(services.database)
        enablement.set_enabled(installed.name, DEMO_UNIT, True, TEST_ADMIN)
        enablement.approve(installed.name, installed.manifest.scopes, TEST_ADMIN)
    return app


@pytest.fixture
def plugin_host_launch(
    plugin_host_app: Flask, plugin_host_launch_keys: LaunchKeys
) -> Callable[..., FlaskClient]:
    """``launch(client_id="c-1001", **claims)``: a test client with a launch for that client."""

    def launch(client_id: str = CLIENT_A, **claims: Any) -> FlaskClient:
        claims.setdefault("view", None)
        return launch_client(plugin_host_app, plugin_host_launch_keys, client_id, **claims)

    return launch


@pytest.fixture
def plugin_host_live_url(plugin_host_app: Flask) -> Iterator[str]:
    """``plugin_host_app`` served over HTTP on a loopback port (for ``plugin_host_page``)."""
    with live_server(plugin_host_app) as url:
        yield url


@pytest.fixture(scope="session")
def plugin_host_browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright; skipped when it is not installed."""
    if not chromium_available():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def plugin_host_page(plugin_host_browser) -> Iterator[object]:
    """A fresh page (Finnish locale); CSP bypassed so a test can inject axe-core."""
    context = plugin_host_browser.new_context(locale="fi-FI", bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def plugin_host_form_data() -> dict[str, dict[str, str]]:
    """Override: example form data per endpoint of your POST (PUT, ...) routes, e.g.
    ``{"acme_notes.save": {"text": "Contract check {marker}"}}``; ``{marker}`` becomes a
    unique text the contract looks for in other clients' pages. Routes without data are not
    exercised."""
    return {}


@pytest.fixture
def plugin_host_route_arguments() -> dict[str, str]:
    """Override: example values of your routes' arguments by name (arguments whose name has
    ``client`` in it get the client id the contract chooses)."""
    return {}


@pytest.fixture
def plugin_host_contract(
    plugin_host_app: Flask,
    plugin_host_plugin: PluginUnderTest,
    plugin_host_launch_keys: LaunchKeys,
    plugin_host_form_data: dict[str, dict[str, str]],
    plugin_host_route_arguments: dict[str, str],
) -> Contract:
    """Everything ``plugin_host.testing.contract`` needs to check the plugin under test."""
    return Contract(
        app=plugin_host_app,
        plugin=plugin_host_plugin,
        launch_keys=plugin_host_launch_keys,
        form_data=plugin_host_form_data,
        route_arguments=plugin_host_route_arguments,
    )
