"""The outbox page for admins: behind admin login, the same actions as the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from flask import Flask

from plugin_host.cli import main
from plugin_host.launch.context import LaunchContext
from plugin_host.outbox import queue
from plugin_host.records import DocumentDraft
from tests.fixtures.host import both_databases

pytestmark = both_databases  # the host on SQLite, then on PostgreSQL

LAUNCH = LaunchContext("s", "w-demo", "lastensuojelu-1", "c-1001", "asiakastyö", "fi")
AUTH = ("anna", "pitkä salasana 1")


@pytest.fixture
def admin_app(tmp_path, record_system_server, launch_keys, make_host) -> Flask:
    config_path = tmp_path / "host" / "host.toml"
    config_path.write_text(config_path.read_text() + '\n[admin]\ncredentials_file = "admins"\n')
    result = CliRunner().invoke(
        main,
        ["admin", "add-user", "anna", "--config", str(config_path)],
        input=f"{AUTH[1]}\n{AUTH[1]}\n",
    )
    assert result.exit_code == 0, result.output
    assert AUTH[1] not in (tmp_path / "host" / "admins").read_text()
    from plugin_host.config import load_config

    return make_host(config=load_config(config_path))


def _accept(app: Flask) -> str:
    draft = DocumentDraft("c-1001", "note", "t", json.dumps({"text": "t"}))
    with app.extensions["plugin_host"].database.transaction() as session:
        return queue.accept(session, LAUNCH, "client_note", draft, None, "k-admin").write_id


def _token(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_the_page_asks_for_an_admin(admin_app):
    browser = admin_app.test_client()
    assert browser.get("/-/admin/outbox/").status_code == 401
    assert browser.get("/-/admin/outbox/", auth=("anna", "väärä")).status_code == 401
    assert browser.get("/-/admin/outbox/", auth=AUTH).status_code == 200


def test_without_admins_configured_there_is_no_admin_page(host_app):
    assert host_app.test_client().get("/-/admin/outbox/", auth=AUTH).status_code == 404


def test_an_admin_discards_with_a_reason_and_needs_the_form_token(admin_app):
    write_id = _accept(admin_app)
    browser = admin_app.test_client()
    page = browser.get("/-/admin/outbox/", auth=AUTH).get_data(as_text=True)
    assert write_id in page and 'id="outbox-depth">1<' in page
    url = f"/-/admin/outbox/{write_id}/discard"
    assert browser.post(url, data={"reason": "x"}, auth=AUTH).status_code == 403
    no_reason = browser.post(url, data={"reason": " ", "csrf_token": _token(page)}, auth=AUTH)
    assert "reason" in browser.get(no_reason.headers["Location"], auth=AUTH).get_data(as_text=True)
    done = browser.post(url, data={"reason": "testi", "csrf_token": _token(page)}, auth=AUTH)
    assert done.status_code == 303
    page = browser.get("/-/admin/outbox/", auth=AUTH).get_data(as_text=True)
    assert 'id="outbox-depth">0<' in page
