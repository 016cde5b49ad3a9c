"""A plugin that raises or overruns becomes a labelled placeholder; nothing else is harmed."""

from __future__ import annotations

import pytest
from flask import Flask

from plugin_host import __version__
from plugin_host.registry import PluginRegistry
from tests.fixtures.host import CLIENT_A
from tests.test_plugins import broken, careless, outdated, slow


@pytest.fixture
def app_with_broken(make_host) -> Flask:
    return make_host(extra_plugins=((broken, "broken"),), enable=("broken",))


def test_a_raising_view_is_a_labelled_placeholder_and_others_still_work(
    app_with_broken, launch_keys
):
    browser = app_with_broken.test_client()
    browser.get("/launch", query_string={"token": launch_keys.sign()})
    placeholder = browser.get(f"/c/{CLIENT_A}/p/broken/")
    assert placeholder.status_code == 500
    text = placeholder.get_data(as_text=True)
    assert "Rikkinäinen" in text  # labelled with the plugin's own title
    assert "Laajennus ei ole juuri nyt käytettävissä" in text
    assert "the view exploded" not in text
    assert browser.get(f"/c/{CLIENT_A}/p/client_note/").status_code == 200
    assert browser.get("/-/health").status_code == 200


def test_a_raising_hook_leaves_the_other_plugins_views(app_with_broken):
    listing = app_with_broken.test_client().get("/-/plugins?org_unit=lastensuojelu-1").json
    by_name = {p["name"]: p for p in listing["plugins"]}
    assert [v["view_id"] for v in by_name["client_note"]["views"]] == ["panel"]
    assert [v["view_id"] for v in by_name["broken"]["views"]] == ["panel"]  # its tab raised
    assert by_name["broken"]["failures"] >= 1
    assert by_name["client_note"]["failures"] == 0


def test_a_hook_over_its_time_budget_is_dropped_and_counted():
    registry = PluginRegistry(__version__, hook_budget_seconds=0.05)
    registry.add(slow, expected_name="slow", source="test")
    [outcome] = registry.call_each("slot_views", slot="panel", org_unit="u")
    assert outcome.failure == "overrun" and outcome.value is None
    assert registry.failures["slow"] == 1


def test_an_incompatible_plugin_is_refused_with_a_reason_and_the_host_starts(make_host):
    app = make_host(extra_plugins=((outdated, "outdated"), (careless, "careless")))
    listing = {p["name"]: p for p in app.test_client().get("/-/plugins").json["plugins"]}
    assert listing["outdated"]["status"] == "refused"
    assert listing["outdated"]["reason"] == f"requires host >=9.0, this host is {__version__}"
    assert listing["careless"]["status"] == "refused"
    for field in ("version", "title.sv", "title.en", "scopes.0"):
        assert field in listing["careless"]["reason"]
    assert listing["client_note"]["status"] == "loaded"


def test_the_vendor_example_is_found_through_its_entry_point():
    registry = PluginRegistry(__version__, hook_budget_seconds=1)
    registry.discover()
    example = registry.plugins["client_note"]
    assert example.loaded
    assert "systemic-client-note" in example.source
    assert registry.plugins["host_status"].manifest.internal
