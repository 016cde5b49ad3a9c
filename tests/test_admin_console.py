"""The IT admin's console ``/-/admin/``: plugins per unit, scopes held back, settings from the
plugin's schema, the audit log searched and exported; behind admin login, every change audited."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from plugin_host.cli import main
from plugin_host.config import load_config
from plugin_host.storage.models import AuditEvent, PluginSetting
from tests.fixtures.host import CLIENT_A, CLIENT_B, both_databases
from tests.test_plugins import grower, outdated

pytestmark = both_databases  # the host on SQLite, then on PostgreSQL

AUTH = ("anna", "pitkä salasana 1")
UNIT = "lastensuojelu-1"
OTHER_UNIT = "lastensuojelu-2"
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def admin_config(tmp_path, record_system_server, launch_keys, host_config):
    """The test host's configuration with an admin (anna) and a ``[plugins.grower]`` section."""
    config_path = tmp_path / "host" / "host.toml"
    config_path.write_text(
        config_path.read_text()
        + '\n[admin]\ncredentials_file = "admins"\n'
        + '\n[plugins.grower]\ngreeting = "terve"\nratio = 0.25\n'
    )
    result = CliRunner().invoke(
        main,
        ["admin", "add-user", "anna", "--config", str(config_path)],
        input=f"{AUTH[1]}\n{AUTH[1]}\n",
    )
    assert result.exit_code == 0, result.output
    return load_config(config_path)


@pytest.fixture
def host_with(make_host, admin_config):
    """A host instance with ``release`` of the grower plugin (each call: another instance on the
    same database, as after an upgrade or beside another instance)."""

    def build(release=grower.version1) -> Flask:
        return make_host(
            extra_plugins=((release, "grower"), (outdated, "outdated")), config=admin_config
        )

    return build


@pytest.fixture
def admin_app(host_with) -> Flask:
    return host_with()


def _token(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def _page(browser, url: str, **kwargs) -> str:
    answer = browser.get(url, auth=AUTH, **kwargs)
    assert answer.status_code == 200, answer.status_code
    return answer.get_data(as_text=True)


def _post(browser, url: str, data: dict, **kwargs):
    token = _token(_page(browser, "/-/admin/plugins/grower"))
    return browser.post(url, data={**data, "csrf_token": token}, auth=AUTH, **kwargs)


def _launched(app: Flask, launch_keys, client_id: str = CLIENT_A):
    browser = app.test_client()
    token = launch_keys.sign(client_id=client_id)
    assert browser.get("/launch", query_string={"token": token}).status_code == 303
    return browser


def _admin_rows(app: Flask, operation: str) -> list[AuditEvent]:
    with app.extensions["plugin_host"].database.transaction() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.operation == operation)))


# --- login and form tokens ---------------------------------------------------------------------


def test_the_console_asks_for_an_admin(admin_app):
    browser = admin_app.test_client()
    for url in ("/-/admin/", "/-/admin/plugins/grower", "/-/admin/audit"):
        assert browser.get(url).status_code == 401
        assert browser.get(url, auth=("anna", "väärä")).status_code == 401
        assert browser.get(url, auth=AUTH).status_code == 200
    assert browser.get("/-/admin/audit/export.csv").status_code == 401
    assert browser.get("/-/admin/plugins/grower/settings").status_code == 401


def test_without_admins_configured_there_is_no_console(host_app):
    browser = host_app.test_client()
    assert browser.get("/-/admin/", auth=AUTH).status_code == 404
    assert browser.get("/-/admin/audit", auth=AUTH).status_code == 404


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/-/admin/plugins/grower/units", {"org_unit": UNIT, "action": "enable"}),
        ("/-/admin/plugins/grower/approve", {"scope": "client.read"}),
        ("/-/admin/plugins/grower/revoke", {}),
        ("/-/admin/plugins/grower/settings", {"limit": "3"}),
    ],
)
def test_every_change_needs_the_form_token(admin_app, url, data):
    browser = admin_app.test_client()
    assert browser.post(url, data=data, auth=AUTH).status_code == 403
    assert browser.post(url, data={**data, "csrf_token": "x" * 64}, auth=AUTH).status_code == 403
    grants = admin_app.extensions["plugin_host"].enablement.grants("grower")
    assert not grants.enabled_units and not grants.approved_scopes
    assert _admin_rows(admin_app, "admin.enable") == []


# --- plugins ------------------------------------------------------------------------------------


def test_the_console_lists_plugins_with_version_source_status_and_reason(admin_app):
    page = _page(admin_app.test_client(), "/-/admin/", headers=ENGLISH)
    assert 'data-plugin="grower"' in page and ">1.0<" in page and "test" in page
    assert "refused" in page and "requires host &gt;=9.0" in page  # outdated, with its reason
    assert 'href="/-/admin/outbox/"' in page
    assert "client_note" in page and "host_admin_console" in page
    finnish = _page(admin_app.test_client(), "/-/admin/")
    assert "Laajennukset" in finnish and 'lang="fi"' in finnish


def test_an_admin_enables_a_plugin_for_one_unit_only(admin_app, launch_keys):
    browser = admin_app.test_client()
    done = _post(browser, "/-/admin/plugins/grower/units", {"org_unit": UNIT, "action": "enable"})
    assert done.status_code == 303
    _post(browser, "/-/admin/plugins/grower/approve", {"scope": "client.read"})
    page = _page(browser, done.headers["Location"])
    assert f"<code>{UNIT}</code>" in page and OTHER_UNIT not in page

    def enabled(unit: str) -> bool:
        listing = browser.get("/-/plugins", query_string={"org_unit": unit}).get_json()
        return next(p for p in listing["plugins"] if p["name"] == "grower")["enabled"]

    assert enabled(UNIT) and not enabled(OTHER_UNIT)
    assert (
        _launched(admin_app, launch_keys).get(f"/c/{CLIENT_A}/p/grower/client").status_code == 200
    )
    other = admin_app.test_client()
    token = launch_keys.sign(org_unit=OTHER_UNIT, view="client_note/panel")
    other.get("/launch", query_string={"token": token})
    assert other.get(f"/c/{CLIENT_A}/p/grower/client").status_code in (401, 403)

    [row] = _admin_rows(admin_app, "admin.enable")
    assert (row.worker_id, row.org_unit, row.plugin) == ("anna", "admin", "grower")
    assert row.detail == f"org_unit={UNIT}"
    assert (
        _post(
            browser, "/-/admin/plugins/grower/units", {"org_unit": UNIT, "action": "disable"}
        ).status_code
        == 303
    )
    assert not enabled(UNIT)
    assert len(_admin_rows(admin_app, "admin.disable")) == 1


def test_an_empty_unit_is_refused_with_a_message(admin_app):
    answer = _post(
        admin_app.test_client(),
        "/-/admin/plugins/grower/units",
        {"org_unit": " ", "action": "enable"},
    )
    assert answer.status_code == 400 and 'id="problem"' in answer.get_data(as_text=True)


def test_scopes_a_new_version_adds_are_held_back_until_approved(host_with, launch_keys):
    first = host_with(grower.version1)
    browser = first.test_client()
    _post(browser, "/-/admin/plugins/grower/units", {"org_unit": UNIT, "action": "enable"})
    assert _post(browser, "/-/admin/plugins/grower/approve", {}).status_code == 303  # all asked
    assert "held back" not in _page(browser, "/-/admin/plugins/grower", headers=ENGLISH)

    second = host_with(grower.version2)  # the upgrade: version 2 also asks for family.read
    admin = second.test_client()
    overview = _page(admin, "/-/admin/", headers=ENGLISH)
    row = overview.split('data-plugin="grower"')[1].split("</tr>")[0]
    assert ">2.0<" in row and "family.read" in row.split('class="held-back"')[1]
    page = _page(admin, "/-/admin/plugins/grower", headers=ENGLISH)
    held = page.split('data-scope="family.read"')[1].split("</tr>")[0]
    assert "scope-held-back" in page.split('data-scope="family.read"')[1][:40]
    assert "held back" in held and "Approve" in held
    assert "scope-approved" in page.split('data-scope="client.read"')[1][:40]

    worker = _launched(second, launch_keys)
    assert worker.get(f"/c/{CLIENT_A}/p/grower/client").status_code == 200  # the old grant
    assert worker.get(f"/c/{CLIENT_A}/p/grower/family").status_code == 403  # refused
    denied = [r for r in _rows_for(second, CLIENT_A) if r.outcome == "denied"]
    assert [r.detail for r in denied] == ["scope family.read"]  # the refusal is in the log

    assert (
        _post(admin, "/-/admin/plugins/grower/approve", {"scope": "family.read"}).status_code == 303
    )
    assert worker.get(f"/c/{CLIENT_A}/p/grower/family").status_code == 200
    assert "held back" not in _page(admin, "/-/admin/plugins/grower", headers=ENGLISH)
    approvals = _admin_rows(second, "admin.approve")
    assert [r.detail for r in approvals] == ["scopes=client.read", "scopes=family.read"]

    assert (
        _post(admin, "/-/admin/plugins/grower/revoke", {"scope": "family.read"}).status_code == 303
    )
    assert worker.get(f"/c/{CLIENT_A}/p/grower/family").status_code == 403
    assert [r.detail for r in _admin_rows(second, "admin.revoke")] == ["scopes=family.read"]


def _rows_for(app: Flask, client_id: str) -> list[AuditEvent]:
    with app.extensions["plugin_host"].database.transaction() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.client_id == client_id)))


def test_approving_what_the_plugin_does_not_ask_for_is_refused(admin_app):
    answer = _post(
        admin_app.test_client(), "/-/admin/plugins/grower/approve", {"scope": "team.read"}
    )
    assert answer.status_code == 400
    assert not admin_app.extensions["plugin_host"].enablement.grants("grower").approved_scopes


def test_an_unknown_plugin_is_404(admin_app):
    assert admin_app.test_client().get("/-/admin/plugins/nobody", auth=AUTH).status_code == 404


# --- settings -----------------------------------------------------------------------------------


def test_the_settings_form_is_made_from_the_schema(admin_app):
    page = _page(admin_app.test_client(), "/-/admin/plugins/grower/settings", headers=ENGLISH)
    assert 'id="setting-greeting" name="greeting" value="terve"' in page  # from the file
    assert 'id="setting-limit" name="limit" value="5"' in page and 'inputmode="numeric"' in page
    assert 'name="ratio" value="0.25"' in page
    assert 'type="checkbox" id="setting-loud" name="loud"' in page
    assert '<textarea id="setting-words" name="words"' in page  # a list: JSON
    assert '<textarea id="setting-options" name="options"' in page  # nested: JSON
    greeting = page.split('data-setting="greeting"')[1].split("</div>")[0]
    assert "From the configuration file." in greeting
    assert "The plugin's default." in page.split('data-setting="limit"')[1].split("</div>")[0]


def _settings_form(page: str, **changes: str) -> dict[str, str]:
    values = {
        "greeting": "terve",
        "limit": "5",
        "ratio": "0.25",
        "words": '["a"]',
        "options": '{"colour": "blue"}',
    }
    return {**values, **changes, "csrf_token": _token(page)}


def test_settings_errors_are_shown_beside_their_fields_and_nothing_is_stored(admin_app):
    browser = admin_app.test_client()
    url = "/-/admin/plugins/grower/settings"
    form = _settings_form(
        _page(browser, url),
        limit="kaksitoista",
        words="not json",
        options='{"colour": 5}',
        greeting="x" * 30,
    )
    answer = browser.post(url, data=form, auth=AUTH, headers=ENGLISH)
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)

    def error_of(key: str) -> str:
        return page.split(f'id="error-{key}">')[1].split("</p>")[0]

    assert "Not valid JSON." in error_of("words")
    assert 'aria-invalid="true"' in page.split('id="setting-words"')[1].split(">")[0]
    # once the JSON parses, the schema's own messages come back per field:
    form = _settings_form(
        _page(browser, url), limit="kaksitoista", options='{"colour": 5}', greeting="x" * 30
    )
    page = browser.post(url, data=form, auth=AUTH, headers=ENGLISH).get_data(as_text=True)
    assert "Not a valid integer." in error_of("limit")
    assert "colour: Not a valid string." in error_of("options")
    assert "Length must be between 1 and 20." in error_of("greeting")
    assert 'value="kaksitoista"' in page  # what was typed stays in the form
    with admin_app.extensions["plugin_host"].database.transaction() as session:
        assert session.get(PluginSetting, "grower") is None
    assert _admin_rows(admin_app, "admin.settings") == []

    form = _settings_form(_page(browser, url), limit="11")
    finnish = browser.post(url, data=form, auth=AUTH).get_data(as_text=True)
    assert "Mitään ei tallennettu" in finnish and 'id="error-limit"' in finnish


def test_saved_settings_take_effect_without_a_restart_on_every_instance(host_with, launch_keys):
    console = host_with()
    other_instance = host_with()  # a second host process on the same database
    worker = _launched(other_instance, launch_keys)
    enablement = other_instance.extensions["plugin_host"].enablement
    enablement.set_enabled("grower", UNIT, True, "test-admin")
    enablement.approve("grower", ["client.read"], "test-admin")
    before = worker.get(f"/c/{CLIENT_A}/p/grower/settings").get_json()
    assert before == {
        "greeting": "terve",  # the configuration file
        "limit": 5,  # the schema's default
        "ratio": 0.25,
        "loud": False,
        "words": ["a"],
        "options": {"colour": "blue"},
    }

    browser = console.test_client()
    url = "/-/admin/plugins/grower/settings"
    form = _settings_form(
        _page(browser, url), greeting="moi", limit="7", words='["x", "y"]', loud="true"
    )
    saved = browser.post(url, data=form, auth=AUTH)
    assert saved.status_code == 303, saved.get_data(as_text=True)
    with console.extensions["plugin_host"].database.transaction() as session:
        stored = json.loads(session.get(PluginSetting, "grower").data)
    # only what differs from the file and the defaults is the admin's
    assert stored == {"greeting": "moi", "limit": 7, "loud": True, "words": ["x", "y"]}

    other_instance.extensions["plugin_host"].settings.ttl_seconds = 0.2  # instead of 2 s
    time.sleep(0.3)
    after = worker.get(f"/c/{CLIENT_A}/p/grower/settings").get_json()
    assert after == {**before, "greeting": "moi", "limit": 7, "loud": True, "words": ["x", "y"]}
    assert after["ratio"] == 0.25  # still the file's

    page = _page(browser, url, headers=ENGLISH)
    assert "Saved by an admin." in page.split('data-setting="limit"')[1].split("</div>")[0]
    [row] = _admin_rows(console, "admin.settings")
    assert (row.worker_id, row.org_unit, row.detail) == (
        "anna",
        "admin",
        "keys=greeting,limit,loud,words",
    )

    # set back to the file's value: the file rules again
    form = _settings_form(_page(browser, url), greeting="terve", limit="7", words='["x", "y"]')
    assert browser.post(url, data=form, auth=AUTH).status_code == 303
    with console.extensions["plugin_host"].database.transaction() as session:
        assert json.loads(session.get(PluginSetting, "grower").data) == {
            "limit": 7,
            "words": ["x", "y"],
        }


# --- the audit log -----------------------------------------------------------------------------


@pytest.fixture
def logged(admin_app, launch_keys) -> Flask:
    """Reads of two clients' records, so the log has rows about both."""
    for client_id in (CLIENT_A, CLIENT_B):
        browser = _launched(admin_app, launch_keys, client_id)
        assert browser.get(f"/c/{client_id}/p/client_note/").status_code == 200
    assert {
        r.client_id for r in _rows_for(admin_app, CLIENT_A) + _rows_for(admin_app, CLIENT_B)
    } == {
        CLIENT_A,
        CLIENT_B,
    }
    return admin_app


def test_searching_by_client_shows_only_that_clients_rows(logged):
    browser = logged.test_client()
    page = _page(browser, "/-/admin/audit", query_string={"client": CLIENT_A}, headers=ENGLISH)
    table = page.split('id="audit-rows"')[1]
    assert f'data-client="{CLIENT_A}"' in table and CLIENT_B not in table
    assert 'href="/-/admin/audit/export.csv?client=c-1001"' in page
    everything = _page(browser, "/-/admin/audit")
    assert CLIENT_A in everything and CLIENT_B in everything
    [search] = [r for r in _admin_rows(logged, "admin.audit_search") if r.client_id == CLIENT_A]
    assert (search.worker_id, search.org_unit, search.plugin) == (
        "anna",
        "admin",
        "host_admin_console",
    )


def test_the_period_is_whole_days_in_helsinki(logged):
    browser = logged.test_client()
    today = datetime.now(ZoneInfo("Europe/Helsinki")).date()
    day = {"client": CLIENT_A, "from": today.isoformat(), "to": today.isoformat()}
    assert f'data-client="{CLIENT_A}"' in _page(browser, "/-/admin/audit", query_string=day)
    tomorrow = (today + timedelta(days=1)).isoformat()
    later = _page(browser, "/-/admin/audit", query_string={"client": CLIENT_A, "from": tomorrow})
    assert f'data-client="{CLIENT_A}"' not in later
    bad = browser.get("/-/admin/audit", query_string={"from": "eilen"}, auth=AUTH)
    assert bad.status_code == 400 and 'id="error-from"' in bad.get_data(as_text=True)
    reversed_ = browser.get(
        "/-/admin/audit", query_string={"from": tomorrow, "to": today.isoformat()}, auth=AUTH
    )
    assert reversed_.status_code == 400


def test_a_clients_export_holds_that_client_only_as_csv_and_json(logged):
    browser = logged.test_client()
    answer = browser.get("/-/admin/audit/export.csv", query_string={"client": CLIENT_A}, auth=AUTH)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert 'filename="audit_client-c-1001.csv"' in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert rows and {r["client_id"] for r in rows} == {CLIENT_A}
    assert list(rows[0]) == [
        "event_id", "occurred_at", "worker_id", "org_unit", "client_id", "purpose", "plugin",
        "operation", "document_id", "document_version", "outcome", "detail",
    ]  # fmt: skip
    assert {"w-demo"} <= {r["worker_id"] for r in rows}

    period = {"client": CLIENT_A, "from": "2020-01-01", "to": "2099-12-31"}
    answer = browser.get("/-/admin/audit/export.json", query_string=period, auth=AUTH)
    disposition = answer.headers["Content-Disposition"]
    assert "audit_client-c-1001_from-2020-01-01_to-2099-12-31.json" in disposition
    body = json.loads(answer.get_data(as_text=True))
    assert body["filter"] == period
    assert body["rows"] and {r["client_id"] for r in body["rows"]} == {CLIENT_A}
    assert CLIENT_B not in answer.get_data(as_text=True)

    exports = _admin_rows(logged, "admin.audit_export")
    assert [(r.worker_id, r.client_id) for r in exports] == [("anna", CLIENT_A)] * 2
    assert [r.detail for r in exports] == [
        "all format=csv",
        "from=2020-01-01 to=2099-12-31 format=json",
    ]
