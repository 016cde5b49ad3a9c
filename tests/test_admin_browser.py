"""The IT admin in a real headless Chromium: a plugin enabled for one unit in the console shows in
that unit's client record and not in another unit's; the console pages pass axe-core."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugin_host.admin_auth import add_user
from plugin_host.demo import (
    DEMO_UNIT,
)
from tests.fixtures.browser import Stack, axe_violations, running_stack

pytestmark = pytest.mark.browser

AUTH = {"username": "anna", "password": "pitkä salasana 1"}
PLUGIN = "client_note"
FRAME = f'iframe.plugin-frame[data-plugin="{PLUGIN}"]'


@pytest.fixture(scope="module")
def admin_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The demo stack of its own (the shared one must keep its plugins) with an admin."""

    def with_admin(config: Path) -> None:
        config.write_text(config.read_text() + '\n[admin]\ncredentials_file = "admins"\n')
        add_user(config.parent / "admins", AUTH["username"], AUTH["password"])

    with running_stack(tmp_path_factory.mktemp("admin-stack"), with_admin) as running:
        yield running


@pytest.fixture
def admin_page(browser) -> Iterator[object]:
    context = browser.new_context(locale="fi-FI", bypass_csp=True, http_credentials=AUTH)
    yield context.new_page()
    context.close()


def _set_unit(page, stack: Stack, unit: str, button: str) -> None:
    page.goto(f"{stack.host_url}/-/admin/plugins/{PLUGIN}")
    page.get_by_label("Organisaatioyksikkö (* kaikille yksiköille)").fill(unit)
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_selector("#notice")


def _frames_on(page, stack: Stack, client_id: str, worker: str) -> list[str]:
    page.goto(f"{stack.records_url}/clients/{client_id}?worker={worker}")
    page.wait_for_selector("#plugins")
    return [f.get_attribute("data-plugin") for f in page.query_selector_all("iframe.plugin-frame")]


def test_a_plugin_enabled_for_one_unit_shows_only_in_that_units_records(
    admin_page, page, admin_stack
):
    # The demo enabled everything for lastensuojelu-1: take client_note out, then back in.
    _set_unit(admin_page, admin_stack, DEMO_UNIT, "Poista käytöstä")
    assert f"Poistettu käytöstä yksikössä {DEMO_UNIT}" in admin_page.inner_text("#notice")
    assert PLUGIN not in _frames_on(page, admin_stack, "c-1001", "w-demo")

    _set_unit(admin_page, admin_stack, DEMO_UNIT, "Ota käyttöön")
    assert DEMO_UNIT in admin_page.inner_text("#enabled-units")
    assert PLUGIN in _frames_on(page, admin_stack, "c-1001", "w-demo")
    page.wait_for_selector(FRAME).content_frame().wait_for_selector("#client-note-text")
    assert PLUGIN not in _frames_on(page, admin_stack, "c-2001", "w-other")  # lastensuojelu-2

    admin_page.goto(f"{admin_stack.host_url}/-/admin/audit?operation=admin.enable")
    rows = admin_page.inner_text("#audit-rows")
    assert "anna" in rows and f"org_unit={DEMO_UNIT}" in rows


def test_the_console_pages_pass_axe(admin_page, admin_stack):
    pages = {
        "plugins": "/-/admin/",
        "plugin": f"/-/admin/plugins/{PLUGIN}",
        "settings": "/-/admin/plugins/weekly_meeting/settings",
        "audit": "/-/admin/audit?client=c-1001",
        "audit with an error": "/-/admin/audit?from=eilen",
    }
    found = {}
    for name, path in pages.items():
        admin_page.goto(f"{admin_stack.host_url}{path}")
        admin_page.wait_for_selector("main h1")
        found[name] = [
            v for v in axe_violations(admin_page) if v["impact"] in ("serious", "critical")
        ]
    assert all(v == [] for v in found.values()), json.dumps(found, indent=1)
