"""``/-/openapi.json`` describes every JSON route the host has, and real answers match it."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from plugin_host import __version__
from plugin_host.api import API_VERSION
from plugin_host.demo import DEMO_UNIT
from reference_record_system.store import RecordStore
from tests.fixtures.host import CLIENT_A, CLIENT_B
from tests.openapi_check import DescribedApi
from tests.test_plugins import broken, outdated

NOTES = "/c/{client_id}/api/{plugin}/documents/{document_type}"
NOTE = NOTES + "/{document_id}"
WRITE = "/c/{client_id}/api/writes/{write_id}"
KANTA = "/c/{client_id}/api/kanta/"  # checked with a real archive in tests/kanta
UNSAFE = {"post", "put", "patch", "delete"}


@pytest.fixture
def app(make_host) -> Flask:
    return make_host(extra_plugins=((broken, "broken"), (outdated, "outdated")), enable=("broken",))


@pytest.fixture
def api(app: Flask) -> DescribedApi:
    return DescribedApi(app)


def _json_routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/-/admin/"):
            continue  # the admin console: pages and exports behind the admin login
        if rule.rule.startswith(("/-/", "/c/<client_id>/api/")) or rule.rule.endswith(
            "/cards.json"
        ):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_the_document_is_valid_openapi_and_needs_no_session(app: Flask):
    answer = app.test_client().get("/-/openapi.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    validate(answer.json)
    assert answer.json["info"]["version"] == __version__
    assert answer.json["info"]["x-plugin-api-version"] == API_VERSION


def test_every_json_route_is_described_with_its_methods(app: Flask, api: DescribedApi):
    described = {(path, method) for path, ops in api.document["paths"].items() for method in ops}
    assert described == _json_routes(app)
    assert ("/c/{client_id}/api/{plugin}/documents/{document_type}/{document_id}", "put") in (
        described
    )


def test_client_routes_need_the_launch_and_unsafe_ones_the_csrf_token(api: DescribedApi):
    for path, operations in api.document["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/-/"):
                assert operation["security"] == [], path
            elif method in UNSAFE:
                assert operation["security"] == [{"launchSession": [], "csrfToken": []}], path
            else:
                assert operation["security"] == [{"launchSession": []}], path
    schemes = api.document["components"]["securitySchemes"]
    assert schemes["launchSession"]["name"] == "plugin_host_session"
    assert schemes["csrfToken"] == {**schemes["csrfToken"], "in": "header", "name": "X-CSRF-Token"}


def _launch(app: Flask, launch_keys, client_id: str = CLIENT_A) -> tuple[FlaskClient, str]:
    browser = app.test_client()
    token = launch_keys.sign(client_id=client_id, view=None)
    assert browser.get("/launch", query_string={"token": token}).status_code == 303
    return browser, browser.get(f"/c/{client_id}/api/session").json["csrf_token"]


def test_real_answers_match_their_description(
    app: Flask, api: DescribedApi, launch_keys, record_system, monkeypatch
):
    anyone = app.test_client()
    health = api.check(anyone.get("/-/health"), "/-/health", "get")
    assert health["status"] == "ok" and health["outbox"] is not None
    listing = api.check(anyone.get("/-/plugins"), "/-/plugins", "get")
    assert {"broken", "outdated"} <= {p["name"] for p in listing["plugins"]}
    in_unit = anyone.get("/-/plugins", query_string={"org_unit": DEMO_UNIT})
    assert any(p["views"] for p in api.check(in_unit, "/-/plugins", "get")["plugins"])
    api.check(anyone.get("/-/openapi.json"), "/-/openapi.json", "get")

    browser, csrf = _launch(app, launch_keys)
    session = api.check(
        browser.get(f"/c/{CLIENT_A}/api/session"), "/c/{client_id}/api/session", "get"
    )
    assert session["csrf_token"] == csrf
    base = f"/c/{CLIENT_A}/api/client_note/documents/note"
    sent = browser.post(
        base,
        json={"title": "Muistio", "content": {"text": "Muistio"}},
        headers={"X-CSRF-Token": csrf},
    )
    accepted = api.check(sent, NOTES, "post")
    assert accepted["status"] == "pending"
    api.check(browser.get(f"{base}/{accepted['document_id']}"), NOTE, "get")  # pending
    api.check(
        browser.get(WRITE.format(client_id=CLIENT_A, write_id=accepted["write_id"])), WRITE, "get"
    )
    app.extensions["plugin_host"].outbox.drain()
    documents = api.check(browser.get(base), NOTES, "get")["documents"]
    document_id = documents[0]["document_id"]
    assert api.check(browser.get(f"{base}/{document_id}"), NOTE, "get")["content"] == {
        "text": "Muistio"
    }
    stale = browser.put(
        f"{base}/{document_id}",
        json={"title": "Muistio", "content": {"text": "Toinen"}},
        headers={"X-CSRF-Token": csrf, "If-Match": '"99"'},
    )
    assert api.check(stale, NOTE, "put") == {"current_version": 1}
    cards = api.check(browser.get(f"/c/{CLIENT_A}/cards.json"), "/c/{client_id}/cards.json", "get")
    assert {c["placeholder"] for c in cards["cards"]} == {True, False}

    write_id = _conflict(app, browser, csrf, api, base, document_id, record_system)
    resolved = browser.post(
        f"/c/{CLIENT_A}/api/writes/{write_id}/resolve",
        json={"choice": "theirs"},
        headers={"X-CSRF-Token": csrf},
    )
    api.check(resolved, WRITE + "/resolve", "post")

    monkeypatch.setattr(app.extensions["plugin_host"].database, "transaction", _database_down)
    down = api.check(anyone.get("/-/health"), "/-/health", "get")
    assert (down["status"], down["outbox"]) == ("degraded", None)

    unchecked = api.json_answers() - api.json_answers(KANTA) - api.checked
    assert not unchecked, f"described JSON answers no test has seen: {sorted(unchecked)}"


def _conflict(app, browser, csrf, api, base, document_id, record_system) -> str:
    """Someone changes the record directly while the host cannot check: a conflict at delivery."""
    store = RecordStore(str(record_system.db_path))
    store.save_document(
        "w-demo",
        CLIENT_A,
        "note",
        "Heidän",
        json.dumps({"text": "Heidän"}),
        "application/json",
        document_id=document_id,
        expected_version=1,
        idempotency_key=f"direct-{document_id}",
    )
    record_system.set_faults(http_503=True)
    mine = browser.put(
        f"{base}/{document_id}",
        json={"title": "Minun", "content": {"text": "Minun"}},
        headers={"X-CSRF-Token": csrf, "If-Match": '"1"'},
    )
    write_id = api.check(mine, NOTE, "put")["write_id"]
    record_system.reset_faults()
    app.extensions["plugin_host"].outbox.drain()
    status = browser.get(f"/c/{CLIENT_A}/api/writes/{write_id}")
    assert api.check(status, WRITE, "get")["status"] == "needs_user"
    return write_id


def _database_down():
    raise OSError("database down")


PROBLEM = "application/problem+json"


def test_error_answers_are_described_problem_details(app: Flask, api: DescribedApi, launch_keys):
    session = "/c/{client_id}/api/session"
    nobody = app.test_client().get(f"/c/{CLIENT_A}/api/session")
    assert api.check(nobody, session, "get") == {
        "type": "about:blank",
        "title": "Ei avointa istuntoa",  # the host's default language: no launch says otherwise
        "status": 401,
        "detail": "Avaa tämä näkymä uudelleen asiakaskertomuksesta.",
    }
    browser, csrf = _launch(app, launch_keys)
    other_client = browser.get(f"/c/{CLIENT_B}/api/session")
    assert api.check(other_client, session, "get")["status"] == 403
    base = f"/c/{CLIENT_A}/api/client_note/documents/note"
    note = {"title": "Muistio", "content": {"text": "Muistio"}}
    for answer, status in (
        (browser.post(base, json=note), 403),  # no CSRF token
        (browser.post(base, json={"title": ""}, headers={"X-CSRF-Token": csrf}), 400),
        (browser.get(f"/c/{CLIENT_A}/api/nobody/documents/note"), 404),
    ):
        assert (answer.status_code, answer.mimetype) == (status, PROBLEM)
        assert api.check(answer, NOTES, answer.request.method)["status"] == status
    refused = browser.post(base, json={"title": ""}, headers={"X-CSRF-Token": csrf}).get_json()
    assert set(refused["errors"]) == {"title", "content"}  # each field named
    for headers, status in (({}, 428), ({"If-Match": "tuore"}, 412)):
        answer = browser.put(f"{base}/x", json=note, headers={"X-CSRF-Token": csrf, **headers})
        assert (answer.status_code, answer.mimetype) == (status, PROBLEM)
        api.check(answer, NOTE, "put")
    missing = browser.get(f"/c/{CLIENT_A}/api/writes/nothing")
    assert missing.status_code == 404
    api.check(missing, WRITE, "get")
    no_kanta = browser.get(f"/c/{CLIENT_A}/api/kanta/anything")
    assert no_kanta.status_code == 404
    api.check(no_kanta, "/c/{client_id}/api/kanta/{document_id}", "get")


def test_pages_keep_their_error_page_and_a_script_asking_for_json_gets_problem_details(
    app: Flask, launch_keys
):
    browser, _csrf = _launch(app, launch_keys)
    page = browser.get(f"/c/{CLIENT_B}/p/client_note/")
    assert (page.status_code, page.mimetype) == (403, "text/html")
    assert "Ei käyttöoikeutta" in page.get_data(as_text=True)
    script = browser.get(f"/c/{CLIENT_B}/p/client_note/", headers={"Accept": "application/json"})
    assert (script.status_code, script.mimetype) == (403, PROBLEM)
    assert script.get_json()["title"] == "Ei käyttöoikeutta"
    asked = browser.get(f"/c/{CLIENT_B}/p/client_note/", headers={"Accept": PROBLEM})
    assert asked.mimetype == PROBLEM
    # A path under the JSON API that matches no route is answered in JSON too.
    nowhere = browser.get(f"/c/{CLIENT_A}/api/no/such/route/here")
    assert (nowhere.status_code, nowhere.mimetype) == (404, PROBLEM)
