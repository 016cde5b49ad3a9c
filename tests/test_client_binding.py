"""A session for client A can never reach client B: every client route, host's and plugins'."""

from __future__ import annotations

import pytest
from flask import Flask

from plugin_host.enablement import Enablement
from tests.fixtures.host import CLIENT_A, CLIENT_B, both_databases
from tests.test_plugins import nosy

pytestmark = both_databases  # the host on SQLite, then on PostgreSQL


def _client_routes(app: Flask) -> list[tuple[str, str]]:
    """Every (method, URL) whose rule names a client, filled in for client B."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "client_id" not in rule.arguments:
            continue
        values = {arg: "x" for arg in rule.arguments}
        values["client_id"] = CLIENT_B
        if "filename" in rule.arguments:
            values["filename"] = "anything.css"
        try:
            url = app.url_map.bind("host.test").build(rule.endpoint, values)
        except ValueError:  # a number in the path (``<int:version>``)
            numbers = {arg: 1 for arg in rule.arguments if arg not in ("client_id", "filename")}
            url = app.url_map.bind("host.test").build(rule.endpoint, values | numbers)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, url))
    return routes


@pytest.fixture
def app_with_nosy(make_host) -> Flask:
    return make_host(extra_plugins=((nosy, "nosy"),), enable=("nosy",))


def test_every_client_route_refuses_another_client(app_with_nosy, launch_keys):
    browser = app_with_nosy.test_client()
    assert browser.get("/launch", query_string={"token": launch_keys.sign()}).status_code == 303
    routes = _client_routes(app_with_nosy)
    plugin_prefixes = {url.split("/p/")[1].split("/")[0] for _m, url in routes if "/p/" in url}
    assert {"client_note", "nosy"} <= plugin_prefixes  # the enumeration really covers plugins
    for method, url in routes:
        answer = browser.open(url, method=method)
        assert answer.status_code == 403, (method, url, answer.status_code)


def test_without_a_launch_every_client_route_is_401(app_with_nosy):
    browser = app_with_nosy.test_client()
    for method, url in _client_routes(app_with_nosy):
        assert browser.open(url, method=method).status_code == 401, (method, url)


def test_two_launches_in_one_browser_stay_apart(host_app, launch_keys):
    browser = host_app.test_client()
    for client in (CLIENT_A, CLIENT_B):
        token = launch_keys.sign(client_id=client)
        assert browser.get("/launch", query_string={"token": token}).status_code == 303
    page_a = browser.get(f"/c/{CLIENT_A}/p/client_note/").get_data(as_text=True)
    page_b = browser.get(f"/c/{CLIENT_B}/p/client_note/").get_data(as_text=True)
    assert "Aino" in page_a and "Aino" not in page_b


def test_a_write_without_the_sessions_csrf_token_is_refused(app_with_nosy, launch_keys):
    browser = app_with_nosy.test_client()
    browser.get("/launch", query_string={"token": launch_keys.sign()})
    assert browser.post(f"/c/{CLIENT_A}/p/nosy/save").status_code == 403


def test_a_plugin_not_enabled_for_the_unit_is_refused(host_app, launch_keys):
    browser = host_app.test_client()
    browser.get("/launch", query_string={"token": launch_keys.sign()})
    Enablement(host_app.extensions["plugin_host"].database).set_enabled(
        "client_note", "lastensuojelu-1", False, "test-admin"
    )
    assert browser.get(f"/c/{CLIENT_A}/p/client_note/").status_code == 403


def test_disabling_for_all_units_is_a_kill_switch(host_app, launch_keys):
    browser = host_app.test_client()
    browser.get("/launch", query_string={"token": launch_keys.sign()})
    enablement = Enablement(host_app.extensions["plugin_host"].database)
    enablement.set_enabled("client_note", "*", False, "test-admin")
    assert browser.get(f"/c/{CLIENT_A}/p/client_note/").status_code == 403  # enabled by name
    enablement.set_enabled("client_note", "*", True, "test-admin")
    assert browser.get(f"/c/{CLIENT_A}/p/client_note/").status_code == 200


def test_launches_answered_at_the_same_moment_both_stay_open(host_app, launch_keys):
    """A record page opens several plugin frames at once: no launch may overwrite another's."""
    browser = host_app.test_client()
    # Each launch is answered before the browser has stored the other's cookie.
    answers = [
        host_app.test_client().get("/launch", query_string={"token": launch_keys.sign(client_id=c)})
        for c in (CLIENT_A, CLIENT_B)
    ]
    for answer in answers:
        for header in answer.headers.getlist("Set-Cookie"):
            name, value = header.split(";", 1)[0].split("=", 1)
            browser.set_cookie(name, value)
    assert browser.get(f"/c/{CLIENT_A}/p/client_note/").status_code == 200
    assert browser.get(f"/c/{CLIENT_B}/p/client_note/").status_code == 200


def test_a_page_keeps_its_token_when_another_frame_launches_for_the_same_client(
    app_with_nosy, launch_keys
):
    browser = app_with_nosy.test_client()
    browser.get("/launch", query_string={"token": launch_keys.sign()})
    page = browser.get(f"/c/{CLIENT_A}/p/client_note/").get_data(as_text=True)
    first_token = page.split('name="csrf_token" value="')[1].split('"')[0]
    browser.get("/launch", query_string={"token": launch_keys.sign()})  # a second frame
    answer = browser.post(
        f"/c/{CLIENT_A}/p/client_note/notes", data={"text": "Kumpikin", "csrf_token": first_token}
    )
    assert answer.status_code == 303
    forged = browser.post(f"/c/{CLIENT_A}/p/nosy/save", data={"csrf_token": "x" * 64})
    assert forged.status_code == 403
