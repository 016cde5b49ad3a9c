"""API 1.3: the hook ``plugin_blueprint`` is now ``client_blueprint``; the old one warns, still
mounts, and the contract suite names it."""

from __future__ import annotations

import re
import types
import warnings

import pytest
from flask import Blueprint

from plugin_host import __version__
from plugin_host.api import API_VERSION, hookimpl
from plugin_host.registry import PluginRegistry
from plugin_host.testing.contract import Contract, PluginUnderTest, manifest_problems
from plugin_host.testing.host import launch_client
from tests.fixtures.host import CLIENT_A
from tests.test_plugins import legacy

DEPRECATED = (
    "plugin_blueprint is deprecated since plugin API 1.3 and will be removed in 2.0: "
    "implement client_blueprint (same return value)"
)


def test_the_deprecation_is_of_api_1_3_and_the_api_has_not_reached_2_0():
    major, minor = map(int, API_VERSION.split("."))
    assert (1, 3) <= (major, minor) < (2, 0)


def test_registering_the_old_hook_warns():
    registry = PluginRegistry(__version__, 2.0)
    with pytest.warns(DeprecationWarning, match=f"^{re.escape(DEPRECATED)}$"):
        installed = registry.add(legacy, expected_name="legacy", source="test")
    assert installed.loaded


def test_no_plugin_of_this_repository_uses_the_old_hook():
    registry = PluginRegistry(__version__, 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        registry.discover()
    assert registry.loaded()
    assert registry.manager.hook.plugin_blueprint.get_hookimpls() == []


def test_the_old_hook_still_mounts_under_the_clients_prefix(make_host, launch_keys):
    with pytest.warns(DeprecationWarning, match="plugin_blueprint is deprecated"):
        app = make_host(extra_plugins=((legacy, "legacy"),), enable=("legacy",))
    assert "legacy" in app.blueprints
    browser = launch_client(app, launch_keys, CLIENT_A)
    answer = browser.get(f"/c/{CLIENT_A}/p/legacy/")
    assert answer.status_code == 200
    assert answer.json == {"plugin": "legacy"}
    assert browser.get("/c/c-1002/p/legacy/").status_code == 403


def test_a_plugin_with_both_hooks_has_its_client_blueprint_mounted_once(make_host, launch_keys):
    new = Blueprint("both_hooks", __name__)
    old = Blueprint("both_hooks", __name__)
    new.add_url_rule("/", "panel", lambda: {"hook": "client_blueprint"})
    old.add_url_rule("/", "panel", lambda: {"hook": "plugin_blueprint"})
    module = types.ModuleType("both_hooks")
    module.__file__ = __file__
    module.plugin_manifest = hookimpl(
        lambda: {
            "name": "both_hooks",
            "version": "1.0",
            "title": {"fi": "Molemmat", "sv": "Båda", "en": "Both"},
            "requires_host": ">=0.1",
        }
    )
    module.client_blueprint = hookimpl(lambda: new)
    module.plugin_blueprint = hookimpl(lambda: old)
    with pytest.warns(DeprecationWarning):
        app = make_host(extra_plugins=((module, "both_hooks"),), enable=("both_hooks",))
    assert app.blueprints["both_hooks"] is new
    assert app.extensions["plugin_host"].registry.failures["both_hooks"] == 0
    answer = launch_client(app, launch_keys, CLIENT_A).get(f"/c/{CLIENT_A}/p/both_hooks/")
    assert answer.json == {"hook": "client_blueprint"}


def test_the_contract_suite_names_the_old_hook(make_host, launch_keys):
    with pytest.warns(DeprecationWarning):
        app = make_host(extra_plugins=((legacy, "legacy"),), enable=("legacy",))
    contract = Contract(app, PluginUnderTest(legacy, "legacy"), launch_keys)
    assert manifest_problems(contract) == [
        "the hook plugin_blueprint is deprecated since plugin API 1.3 and removed in 2.0: "
        "rename it to client_blueprint (same return value)"
    ]
