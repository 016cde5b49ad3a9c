"""Team launches: a session bound to a team, its views, its listing, and plugin state.

Against the real reference record system: team-a is w-demo, w-sosiaali, w-terapeutti and
w-koordinaattori with clients c-1001..c-1005 (unit lastensuojelu-1); team-b is w-other with
c-2001 (unit lastensuojelu-2).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from plugin_host.demo import DEMO_UNIT
from plugin_host.enablement import Enablement
from plugin_host.storage.models import AuditEvent, LaunchSession
from tests.fixtures.host import CLIENT_A, CLIENT_B, LaunchKeys, both_databases
from tests.test_plugins import teamwork

pytestmark = both_databases  # the host on SQLite, then on PostgreSQL

TEAM_A = "team-a"
TEAM_B = "team-b"
TEAM_A_CLIENTS = {"c-1001", "c-1002", "c-1003", "c-1004", "c-1005"}
OTHER_TEAMS_CLIENT = "c-2001"
OTHER_UNIT = "lastensuojelu-2"
BOARD = f"/t/{TEAM_A}/p/teamwork"


@pytest.fixture
def app(make_host) -> Flask:
    app = make_host(extra_plugins=((teamwork, "teamwork"),), enable=("teamwork",))
    # team-b's worker launches in the other unit.
    Enablement(app.extensions["plugin_host"].database).set_enabled(
        "teamwork", OTHER_UNIT, True, "test-admin"
    )
    return app


def _audit(app: Flask, **where: Any) -> list[AuditEvent]:
    with app.extensions["plugin_host"].database.transaction() as session:
        rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    return [r for r in rows if all(getattr(r, k) == v for k, v in where.items())]


def _sessions(app: Flask) -> list[LaunchSession]:
    with app.extensions["plugin_host"].database.transaction() as session:
        return list(session.scalars(select(LaunchSession)))


def _team_token(keys: LaunchKeys, team_id: str = TEAM_A, **claims: Any) -> str:
    values: dict[str, Any] = {"client_id": None, "team_id": team_id, "view": "teamwork/board"}
    values.update(claims)
    return keys.sign(**values)


def _team_launch(app: Flask, keys: LaunchKeys, team_id: str = TEAM_A, **claims) -> FlaskClient:
    browser = app.test_client()
    answer = browser.get("/launch", query_string={"token": _team_token(keys, team_id, **claims)})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return browser


def _team_b_launch(app: Flask, keys: LaunchKeys) -> FlaskClient:
    return _team_launch(app, keys, TEAM_B, worker_id="w-other", org_unit=OTHER_UNIT)


def _client_launch(app: Flask, keys: LaunchKeys, client_id: str = CLIENT_A) -> FlaskClient:
    browser = app.test_client()
    token = keys.sign(client_id=client_id, view="teamwork/panel")
    answer = browser.get("/launch", query_string={"token": token})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return browser


def _csrf(browser: FlaskClient, prefix: str = BOARD) -> dict[str, str]:
    return {"X-CSRF-Token": browser.get(f"{prefix}/form-token").get_data(as_text=True)}


def _put(browser: FlaskClient, key: str, data: dict, client_id: str | None = None, **query):
    body: dict[str, Any] = {"data": data}
    if client_id is not None:
        body["client_id"] = client_id
    return browser.post(
        f"{BOARD}/state/{key}", json=body, query_string=query, headers=_csrf(browser)
    )


# --- opening a team launch ---------------------------------------------------------------------


def test_a_team_launch_opens_a_session_and_lands_on_the_team_view(app, launch_keys):
    browser = app.test_client()
    answer = browser.get("/launch", query_string={"token": _team_token(launch_keys)})
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"{BOARD}/"
    page = browser.get(answer.headers["Location"])
    assert page.status_code == 200
    assert page.get_json()["team_id"] == TEAM_A
    [session] = _sessions(app)
    assert (session.team_id, session.client_id, session.worker_id) == (TEAM_A, "", "w-demo")
    [row] = _audit(app, plugin="host", operation="launch")
    assert (row.outcome, row.worker_id, row.client_id) == ("success", "w-demo", "")


def test_url_for_fills_in_the_launched_team(app, launch_keys):
    browser = _team_launch(app, launch_keys)
    assert browser.get(f"{BOARD}/link").get_json() == {"url": f"{BOARD}/state/k"}


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"client_id": CLIENT_A, "team_id": TEAM_A}, id="both"),
        pytest.param({"client_id": None, "view": None}, id="neither-nor-view"),
        pytest.param({"client_id": None, "team_id": TEAM_A, "view": None}, id="team-without-view"),
    ],
)
def test_a_token_names_one_subject_and_a_team_or_unit_launch_its_view(app, launch_keys, claims):
    answer = app.test_client().get("/launch", query_string={"token": launch_keys.sign(**claims)})
    assert answer.status_code == 401
    assert _sessions(app) == []


def test_a_team_launch_for_a_team_the_worker_is_not_in_is_refused_and_audited(app, launch_keys):
    browser = app.test_client()
    answer = browser.get("/launch", query_string={"token": _team_token(launch_keys, TEAM_B)})
    assert answer.status_code == 403
    assert _sessions(app) == []
    [row] = _audit(app, plugin="host", operation="launch")
    assert (row.outcome, row.worker_id) == ("denied", "w-demo")
    assert browser.get(f"/t/{TEAM_B}/p/teamwork/").status_code == 401  # no session opened


def test_a_team_launch_for_a_team_that_does_not_exist_is_refused(app, launch_keys):
    answer = app.test_client().get(
        "/launch", query_string={"token": _team_token(launch_keys, "team-zzz")}
    )
    assert answer.status_code == 403
    assert _sessions(app) == []


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"client_id": CLIENT_A, "view": "teamwork/board"}, id="client-opens-team"),
        pytest.param(
            {"client_id": None, "team_id": TEAM_A, "view": "teamwork/panel"},
            id="team-opens-client-panel",
        ),
        pytest.param(
            {"client_id": None, "team_id": TEAM_A, "view": "client_note/panel"},
            id="team-opens-other-plugins-panel",
        ),
    ],
)
def test_a_view_opens_only_for_its_kind_of_launch(app, launch_keys, claims):
    answer = app.test_client().get("/launch", query_string={"token": launch_keys.sign(**claims)})
    assert answer.status_code == 404
    assert _sessions(app) == []


# --- binding: team routes to team launches, client routes to client launches ------------------


def test_a_team_launch_cannot_reach_client_routes(app, launch_keys):
    browser = _team_launch(app, launch_keys)
    for url in (
        f"/c/{CLIENT_A}/p/teamwork/",
        f"/c/{CLIENT_A}/p/teamwork/state/k",
        f"/c/{CLIENT_A}/p/client_note/",
    ):
        assert browser.get(url).status_code == 403, url


def test_a_client_launch_cannot_reach_team_routes(app, launch_keys):
    browser = _client_launch(app, launch_keys)
    for url in (f"{BOARD}/", f"{BOARD}/client/{CLIENT_A}", f"{BOARD}/state/k"):
        assert browser.get(url).status_code == 403, url
    own = browser.get(f"/c/{CLIENT_A}/p/teamwork/state/k")  # its own routes still work
    assert own.status_code == 404  # no such entry, but bound and served


def test_a_team_launch_cannot_reach_another_teams_routes(app, launch_keys):
    browser = _team_launch(app, launch_keys)
    assert browser.get(f"/t/{TEAM_B}/p/teamwork/").status_code == 403


def test_without_a_launch_team_routes_are_401(app):
    browser = app.test_client()
    assert browser.get(f"{BOARD}/").status_code == 401
    assert browser.post(f"{BOARD}/state/k", json={"data": {}}).status_code == 401
    assert browser.get(f"/t/{TEAM_A}/open/teamwork/panel?client={CLIENT_A}").status_code == 401


def test_team_routes_of_a_plugin_not_enabled_in_the_unit_are_refused(app, launch_keys):
    browser = _team_launch(app, launch_keys)
    assert browser.get(f"{BOARD}/").status_code == 200
    Enablement(app.extensions["plugin_host"].database).set_enabled(
        "teamwork", DEMO_UNIT, False, "test-admin"
    )
    assert browser.get(f"{BOARD}/").status_code == 403
    assert browser.get(f"{BOARD}/state/k").status_code == 403


def test_a_team_post_needs_the_launchs_csrf_token(app, launch_keys):
    browser = _team_launch(app, launch_keys)
    url = f"{BOARD}/state/k"
    assert browser.post(url, json={"data": {"a": 1}}).status_code == 403
    wrong = {"X-CSRF-Token": "0" * 64}
    assert browser.post(url, json={"data": {"a": 1}}, headers=wrong).status_code == 403
    assert browser.get(url).status_code == 404  # nothing was written
    assert _put(browser, "k", {"a": 1}).status_code == 200


def test_a_client_launchs_csrf_token_does_not_open_team_writes(app, launch_keys):
    browser = _client_launch(app, launch_keys)
    client_token = _csrf(browser, f"/c/{CLIENT_A}/p/teamwork")
    answer = browser.get("/launch", query_string={"token": _team_token(launch_keys)})
    assert answer.status_code == 303  # the same browser now holds both launches
    url = f"{BOARD}/state/k"
    assert browser.post(url, json={"data": {}}, headers=client_token).status_code == 403
    assert browser.post(url, json={"data": {}}, headers=_csrf(browser)).status_code == 200


# --- the team gateway --------------------------------------------------------------------------


def test_the_listing_names_the_teams_clients_with_one_audit_row_each(app, launch_keys):
    browser = _team_launch(app, launch_keys)
    answer = browser.get(f"{BOARD}/")
    assert answer.status_code == 200
    assert set(answer.get_json()["clients"]) == TEAM_A_CLIENTS
    rows = _audit(app, plugin="teamwork", operation="team.list")
    assert sorted(r.client_id for r in rows) == sorted(TEAM_A_CLIENTS)  # one row per client
    for row in rows:
        assert (row.worker_id, row.org_unit, row.outcome, row.purpose) == (
            "w-demo",
            DEMO_UNIT,
            "success",
            "asiakastyö",
        )


def test_the_listing_needs_the_approved_team_read_scope(app, launch_keys):
    Enablement(app.extensions["plugin_host"].database).revoke("teamwork", ["team.read"])
    browser = _team_launch(app, launch_keys)
    answer = browser.get(f"{BOARD}/")
    assert answer.status_code == 403
    assert "team.read" in answer.get_data(as_text=True)
    [row] = _audit(app, plugin="teamwork", operation="team.list")
    assert row.outcome == "denied"


def test_a_client_of_another_team_cannot_be_opened_and_the_attempt_is_audited(app, launch_keys):
    browser = _team_launch(app, launch_keys)
    assert browser.get(f"{BOARD}/client/{OTHER_TEAMS_CLIENT}").status_code == 403
    [row] = _audit(app, plugin="teamwork", operation="team.open")
    assert (row.client_id, row.outcome, row.worker_id) == (OTHER_TEAMS_CLIENT, "denied", "w-demo")
    assert _audit(app, plugin="teamwork", operation="client.read") == []


def test_a_client_of_the_team_opens_and_is_audited_under_that_client(app, launch_keys):
    browser = _team_launch(app, launch_keys)
    answer = browser.get(f"{BOARD}/client/{CLIENT_A}")
    assert answer.status_code == 200
    assert answer.get_json() == {"display_name": "Aino Testinen"}
    [opened] = _audit(app, plugin="teamwork", operation="team.open")
    [read] = _audit(app, plugin="teamwork", operation="client.read")
    for row in (opened, read):
        assert (row.client_id, row.outcome, row.worker_id, row.org_unit) == (
            CLIENT_A,
            "success",
            "w-demo",
            DEMO_UNIT,
        )


# --- plugin state --------------------------------------------------------------------------------


def test_team_state_about_a_client_is_seen_by_that_clients_launch_only(app, launch_keys):
    team = _team_launch(app, launch_keys)
    written = _put(team, "k-1001", {"topic": "koulu"}, client_id=CLIENT_A)
    assert written.status_code == 200
    assert written.get_json() == {
        "data": {"topic": "koulu"},
        "version": 1,
        "team_id": TEAM_A,
        "client_id": CLIENT_A,
        "updated_by": "w-demo",
    }
    assert team.get(f"{BOARD}/state/k-1001").get_json()["data"] == {"topic": "koulu"}

    own_client = _client_launch(app, launch_keys, CLIENT_A)
    seen = own_client.get(f"/c/{CLIENT_A}/p/teamwork/state/k-1001")
    assert seen.status_code == 200
    assert seen.get_json()["data"] == {"topic": "koulu"}

    other_client = _client_launch(app, launch_keys, CLIENT_B)
    assert other_client.get(f"/c/{CLIENT_B}/p/teamwork/state/k-1001").status_code == 404

    team_b = _team_b_launch(app, launch_keys)
    assert team_b.get(f"/t/{TEAM_B}/p/teamwork/state/k-1001").status_code == 404

    colleague = _team_launch(app, launch_keys, worker_id="w-sosiaali")
    assert colleague.get(f"{BOARD}/state/k-1001").status_code == 200


def test_a_team_cannot_write_state_about_another_teams_client(app, launch_keys):
    team = _team_launch(app, launch_keys)
    answer = _put(team, "k-2001", {"topic": "x"}, client_id=OTHER_TEAMS_CLIENT)
    assert answer.status_code == 403
    assert team.get(f"{BOARD}/state/k-2001").status_code == 404
    assert {row.outcome for row in _audit(app, operation="state.write")} == {"denied"}


def test_another_team_cannot_overwrite_a_teams_entry(app, launch_keys):
    team_a = _team_launch(app, launch_keys)
    assert _put(team_a, "shared", {"by": "a"}).status_code == 200
    team_b = _team_b_launch(app, launch_keys)
    prefix = f"/t/{TEAM_B}/p/teamwork"
    answer = team_b.post(
        f"{prefix}/state/shared", json={"data": {"by": "b"}}, headers=_csrf(team_b, prefix)
    )
    assert answer.status_code == 403
    assert team_a.get(f"{BOARD}/state/shared").get_json()["data"] == {"by": "a"}


def test_a_stale_expected_version_is_a_conflict(app, launch_keys):
    team = _team_launch(app, launch_keys)
    assert _put(team, "k", {"n": 1}, expected_version=0).get_json()["version"] == 1
    stale = _put(team, "k", {"n": 2}, expected_version=0)
    assert stale.status_code == 409
    assert stale.get_json() == {"current_version": 1}
    assert team.get(f"{BOARD}/state/k").get_json()["data"] == {"n": 1}
    fresh = _put(team, "k", {"n": 2}, expected_version=1)
    assert (fresh.status_code, fresh.get_json()["version"]) == (200, 2)


def test_state_reads_and_writes_about_a_client_are_audited_under_that_client(app, launch_keys):
    team = _team_launch(app, launch_keys)
    _put(team, "k-1001", {"topic": "koulu"}, client_id=CLIENT_A)
    _put(team, "team-only", {"agenda": []})  # about no client: no client audit row
    [write] = _audit(app, operation="state.write")
    assert (write.client_id, write.plugin, write.worker_id, write.outcome, write.detail) == (
        CLIENT_A,
        "teamwork",
        "w-demo",
        "success",
        "k-1001",
    )
    team.get(f"{BOARD}/state/k-1001")
    team.get(f"{BOARD}/state/team-only")
    own_client = _client_launch(app, launch_keys, CLIENT_A)
    own_client.get(f"/c/{CLIENT_A}/p/teamwork/state/k-1001")
    reads = _audit(app, operation="state.read")
    assert [r.client_id for r in reads] == [CLIENT_A, CLIENT_A]
    assert all(
        (r.plugin, r.worker_id, r.outcome) == ("teamwork", "w-demo", "success") for r in reads
    )


# --- opening a client view from the team's page ----------------------------------------------


def test_a_team_launch_opens_a_client_view_of_its_client(app, launch_keys):
    browser = _team_launch(app, launch_keys)
    answer = browser.get(f"/t/{TEAM_A}/open/teamwork/panel?client={CLIENT_A}")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/c/{CLIENT_A}/p/teamwork/"
    page = browser.get(answer.headers["Location"])
    assert page.status_code == 200
    assert page.get_json() == {"client_id": CLIENT_A, "name": "Aino Testinen"}
    assert browser.get(f"{BOARD}/").status_code == 200  # the team launch still stands
    assert browser.get(f"/c/{CLIENT_B}/p/teamwork/").status_code == 403  # only that client
    sessions = {(s.team_id, s.client_id) for s in _sessions(app)}
    assert sessions == {(TEAM_A, ""), ("", CLIENT_A)}
    [opened] = [
        r for r in _audit(app, plugin="host", operation="launch") if r.client_id == CLIENT_A
    ]
    assert opened.outcome == "success"


def test_opening_from_a_meeting_passes_the_meeting_on_and_nothing_else(app, launch_keys):
    browser = _team_launch(app, launch_keys)
    query = {"client": CLIENT_A, "meeting": "m-1234", "token": "x", "next": "//elsewhere"}
    first = browser.get(f"/t/{TEAM_A}/open/teamwork/panel", query_string=query)
    assert first.headers["Location"] == f"/c/{CLIENT_A}/p/teamwork/?meeting=m-1234"
    again = browser.get(f"/t/{TEAM_A}/open/teamwork/panel", query_string=query)
    assert again.headers["Location"] == f"/c/{CLIENT_A}/p/teamwork/?meeting=m-1234"


def test_a_team_launch_cannot_open_another_teams_client(app, launch_keys):
    browser = _team_launch(app, launch_keys)
    answer = browser.get(f"/t/{TEAM_A}/open/teamwork/panel?client={OTHER_TEAMS_CLIENT}")
    assert answer.status_code == 403
    assert {(s.team_id, s.client_id) for s in _sessions(app)} == {(TEAM_A, "")}
    [denied] = _audit(app, plugin="host", operation="launch", outcome="denied")
    assert denied.client_id == OTHER_TEAMS_CLIENT
    assert browser.get(f"/c/{OTHER_TEAMS_CLIENT}/p/teamwork/").status_code == 403


def test_opening_from_the_team_needs_a_client_view_and_a_team_launch(app, launch_keys):
    team = _team_launch(app, launch_keys)
    assert team.get(f"/t/{TEAM_A}/open/teamwork/board?client={CLIENT_A}").status_code == 404
    assert team.get(f"/t/{TEAM_A}/open/teamwork/nothing?client={CLIENT_A}").status_code == 404
    client = _client_launch(app, launch_keys)
    assert client.get(f"/t/{TEAM_A}/open/teamwork/panel?client={CLIENT_B}").status_code == 403


# --- bugs found ----------------------------------------------------------------------------------


def test_a_plugin_whose_name_ends_in_team_is_not_taken_for_another_plugin(make_host, launch_keys):
    """A plugin named ``client_note_team`` would have its blueprint taken for client_note's
    team blueprint (enablement and scopes of another plugin): such names are refused at load."""
    app = make_host(extra_plugins=((teamwork.sneaky, teamwork.SNEAKY_NAME),))
    refused = app.extensions["plugin_host"].registry.plugins[teamwork.SNEAKY_NAME]
    assert not refused.loaded
    assert "_team" in refused.reason
    browser = app.test_client()
    assert browser.get("/launch", query_string={"token": launch_keys.sign()}).status_code == 303
    # Refused, so nothing of it is mounted.
    assert browser.get(f"/c/{CLIENT_A}/p/{teamwork.SNEAKY_NAME}/").status_code == 404


def test_a_raising_team_view_is_a_placeholder_labelled_and_counted_for_its_plugin(app, launch_keys):
    """A team view's blueprint is ``teamwork_team``: the error page and the failure count must
    still name the plugin ``teamwork`` (plugin_host/errors.py uses ``plugin_of_blueprint``)."""
    browser = _team_launch(app, launch_keys)
    answer = browser.get(f"{BOARD}/boom")
    assert answer.status_code == 500
    failures = app.extensions["plugin_host"].registry.failures
    assert failures["teamwork"] == 1, dict(failures)
    assert "Tiimityö" in answer.get_data(as_text=True)


def test_the_team_launch_survives_opening_the_teams_clients_during_a_meeting(app, launch_keys):
    """A weekly meeting walks through the team's families from the board, often one more than
    once: a client opened again reuses its launch, and no client launch pushes out the team's."""
    board = _team_launch(app, launch_keys)
    opens = [*sorted(TEAM_A_CLIENTS), *sorted(TEAM_A_CLIENTS)]  # ten opens, five families
    for number, client_id in enumerate(opens, start=1):
        answer = board.get(f"/t/{TEAM_A}/open/teamwork/panel?client={client_id}")
        assert answer.status_code == 303, f"open #{number} ({client_id}): {answer.status_code}"
        assert board.get(answer.headers["Location"]).status_code == 200
        still = board.get(f"{BOARD}/").status_code
        assert still == 200, f"the board's team launch was dropped by open #{number}: {still}"
