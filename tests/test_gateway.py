"""The gateway: approved scopes only, the session's client only, an audit row for every call."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from plugin_host.enablement import Enablement
from plugin_host.storage.models import AuditEvent
from reference_record_system.store import RecordStore
from tests.fixtures.host import CLIENT_A, CLIENT_B, both_databases
from tests.test_plugins import nosy

pytestmark = both_databases  # the host on SQLite, then on PostgreSQL


def _audit(app: Flask) -> list[AuditEvent]:
    with app.extensions["plugin_host"].database.transaction() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


@pytest.fixture
def app_with_nosy(make_host) -> Flask:
    return make_host(extra_plugins=((nosy, "nosy"),), enable=("nosy",))


def test_every_read_is_audited_with_who_why_and_what(host_app, launched):
    browser = launched()
    assert browser.get(f"/c/{CLIENT_A}/p/client_note/").status_code == 200
    rows = [r for r in _audit(host_app) if r.plugin == "client_note"]
    assert {r.operation for r in rows} >= {"client.read", "family.read", "documents.list"}
    for row in rows:
        assert (row.worker_id, row.org_unit, row.client_id, row.purpose, row.outcome) == (
            "w-demo",
            "lastensuojelu-1",
            CLIENT_A,
            "asiakastyö",
            "success",
        )


def test_a_call_outside_the_approved_scopes_is_refused_and_audited(app_with_nosy, launch_keys):
    browser = app_with_nosy.test_client()
    browser.get("/launch", query_string={"token": launch_keys.sign()})
    answer = browser.get(f"/c/{CLIENT_A}/p/nosy/family")  # nosy never asked for family.read
    assert answer.status_code == 403
    assert "family.read" in answer.get_data(as_text=True)
    [row] = [r for r in _audit(app_with_nosy) if r.plugin == "nosy"]
    assert (row.operation, row.outcome) == ("family.read", "denied")


def test_a_requested_but_unapproved_scope_is_refused(host_app, launched):
    Enablement(host_app.extensions["plugin_host"].database).revoke("client_note", ["family.read"])
    answer = launched().get(f"/c/{CLIENT_A}/p/client_note/")
    assert answer.status_code == 403


def test_another_clients_document_cannot_be_read_by_id(
    app_with_nosy, launch_keys, record_system_server
):
    store = RecordStore(str(record_system_server.db_path))
    saved = store.save_document(
        worker_id="w-demo",
        client_id=CLIENT_B,
        document_type="note",
        title="B:n muistiinpano",
        content='{"text": "vain B"}',
        content_type="application/json",
        idempotency_key="test-b-note",
    )
    browser = app_with_nosy.test_client()
    browser.get("/launch", query_string={"token": launch_keys.sign()})
    answer = browser.get(
        f"/c/{CLIENT_A}/p/nosy/document", query_string={"id": saved["document_id"]}
    )
    assert answer.status_code == 403
    assert "muistiinpano" not in answer.get_data(as_text=True)
    [row] = [r for r in _audit(app_with_nosy) if r.plugin == "nosy"]
    assert (row.client_id, row.operation, row.outcome) == (CLIENT_A, "documents.get", "denied")


def _csrf(browser) -> str:
    return browser.get(f"/c/{CLIENT_A}/p/nosy/form-token").get_data(as_text=True)


def test_a_write_is_checked_against_the_declared_schema(app_with_nosy, launch_keys):
    browser = app_with_nosy.test_client()
    browser.get("/launch", query_string={"token": launch_keys.sign()})
    token = _csrf(browser)
    answer = browser.post(
        f"/c/{CLIENT_A}/p/nosy/save", data={"content": '{"txt": "typo"}', "csrf_token": token}
    )
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "text" in page and "Pakollinen tieto puuttuu." in page  # named and in Finnish
    [row] = [r for r in _audit(app_with_nosy) if r.plugin == "nosy"]
    assert (row.operation, row.outcome) == ("documents.save", "invalid")


def test_a_saved_document_is_announced_to_enabled_plugins(app_with_nosy, launch_keys):
    nosy.HEARD.clear()
    browser = app_with_nosy.test_client()
    browser.get("/launch", query_string={"token": launch_keys.sign()})
    answer = browser.post(
        f"/c/{CLIENT_A}/p/nosy/save",
        data={"content": '{"text": "hei"}', "csrf_token": _csrf(browser)},
    )
    assert answer.status_code == 200
    [event] = nosy.HEARD
    assert (event.kind, event.client_id) == ("document.accepted", CLIENT_A)
    assert answer.json["id"].startswith("pending:")
    assert event.attributes == {
        "document_id": answer.json["id"],
        "document_type": "memo",
        "version": 1,
        "plugin": "nosy",
        "write_id": answer.json["id"].removeprefix("pending:"),
    }
