"""Respondent access: one-time links and kiosk hand-over, against the real reference record system.

A worker in a client launch issues a link (``tests/test_plugins/asker.py``); a family member opens
it once, answers through ``respondent_gateway()`` (writes only) and finishes. Kiosk links lock the
browser they are opened in until a new signed launch.
"""

from __future__ import annotations

import datetime
import json
import logging
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select, update

from plugin_host.clock import utcnow
from plugin_host.demo import DEMO_UNIT
from plugin_host.gunicorn_app import RedactingLogger
from plugin_host.launch.context import LaunchContext
from plugin_host.launch.sessions import _cookie_name
from plugin_host.manifest import ManifestSchema
from plugin_host.records import RecordAccessDenied
from plugin_host.respondent import links
from plugin_host.respondent.binding import issue_for_request
from plugin_host.serving import redact_request_line
from plugin_host.storage.models import AuditEvent, LaunchSession, OutboxWrite, RespondentLink
from reference_record_system.store import RecordStore
from tests.fixtures.host import CLIENT_A, CLIENT_B, HOST_URL, LaunchKeys, both_databases
from tests.test_gunicorn_serve import Config
from tests.test_plugins import asker, teamwork

pytestmark = both_databases  # the host on SQLite, then on PostgreSQL

FORM = "/r/p/asker/"
PANEL = f"/c/{CLIENT_A}/p/asker/"
LOCKED = "This device is in questionnaire mode. Give it back to the worker."
THANKS = "Thank you — please give the device back to the worker"


@pytest.fixture
def app(make_host) -> Flask:
    return make_host(
        extra_plugins=((asker, "asker"), (asker.other, "other_asker"), (teamwork, "teamwork")),
        enable=("asker", "other_asker", "teamwork"),
    )


def _browser(app: Flask) -> FlaskClient:
    """A browser that asks for English (the pages' source language) where no launch decides."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


def _db(app: Flask):
    return app.extensions["plugin_host"].database


def _launch(app: Flask, keys: LaunchKeys, browser: FlaskClient | None = None, **claims: Any):
    browser = browser or _browser(app)
    claims.setdefault("view", None)
    answer = browser.get("/launch", query_string={"token": keys.sign(**claims)})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return browser


def _csrf(browser: FlaskClient, prefix: str = PANEL) -> str:
    return browser.get(f"{prefix}form-token").get_data(as_text=True)


def _issue(worker: FlaskClient, **form: Any) -> dict[str, Any]:
    answer = worker.post(f"{PANEL}issue", data={"csrf_token": _csrf(worker), **form})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def _path(link: dict[str, Any]) -> str:
    assert link["url"].startswith(f"{HOST_URL}/r/")
    return link["url"].removeprefix(HOST_URL)


def _open(app: Flask, link: dict[str, Any], browser: FlaskClient | None = None) -> FlaskClient:
    browser = browser or _browser(app)
    answer = browser.post(_path(link))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert answer.headers["Location"] == FORM
    return browser


def _answer(respondent: FlaskClient, text: str = "Hyvin menee"):
    return respondent.post(
        f"{FORM}answer", data={"text": text, "csrf_token": _csrf(respondent, FORM)}
    )


def _rows(app: Flask, model, **where: Any) -> list:
    with _db(app).transaction() as session:
        order = {OutboxWrite: OutboxWrite.seq, LaunchSession: LaunchSession.created_at}
        rows = list(
            session.scalars(select(model).order_by(order.get(model, getattr(model, "id", None))))
        )
        for row in rows:
            session.expunge(row)
    return [r for r in rows if all(getattr(r, k) == v for k, v in where.items())]


def _set_link(app: Flask, link_id: str, **values: Any) -> None:
    with _db(app).transaction() as session:
        session.execute(
            update(RespondentLink).where(RespondentLink.link_id == link_id).values(**values)
        )


@pytest.fixture
def worker(app, launch_keys) -> FlaskClient:
    return _launch(app, launch_keys)


# --- a link works once, then never -------------------------------------------------------------


def test_a_get_shows_a_button_and_leaves_the_link_unused(app, worker):
    """Mail scanners and link previews GET links: only the button's POST opens one."""
    link = _issue(worker)
    for _ in range(3):
        page = _browser(app).get(_path(link))
        assert page.status_code == 200
        assert '<form method="post">' in page.get_data(as_text=True)
    assert _rows(app, RespondentLink, link_id=link["link_id"])[0].opened_at is None
    assert _browser(app).post(_path(link)).status_code == 303
    assert _browser(app).get(_path(link)).status_code == 410


def test_a_link_opens_once_into_the_plugins_respondent_page(app, worker):
    link = _issue(worker)
    assert link["kiosk"] is False and len(link["token"]) >= 43
    respondent = _browser(app)
    opened = respondent.post(_path(link))
    assert opened.status_code == 303 and opened.headers["Location"] == FORM
    cookie = opened.headers["Set-Cookie"]
    assert cookie.startswith("ph_respondent=") and "HttpOnly" in cookie and "Path=/r/" in cookie
    page = respondent.get(FORM)
    assert page.status_code == 200 and "q1" in page.get_data(as_text=True)
    who = respondent.get(f"{FORM}whoami").json
    assert who == {
        "link_id": link["link_id"],
        "plugin": "asker",
        "client_id": CLIENT_A,
        "org_unit": "lastensuojelu-1",
        "worker_id": "w-demo",
        "purpose": "asiakastyö",
        "locale": "fi",
        "data": {"question": "q1"},
        "kiosk": False,
    }
    # Only hashes are stored: neither the token nor the session's secret.
    [row] = _rows(app, RespondentLink)
    secret = opened.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    assert link["token"] not in (row.token_hash, row.session_hash, row.data)
    assert secret not in (row.token_hash, row.session_hash)
    assert row.opened_at is not None and row.finished_at is None


def test_a_second_open_is_refused_in_any_browser(app, worker):
    link = _issue(worker)
    respondent = _open(app, link)
    for browser in (respondent, _browser(app)):
        again = browser.post(_path(link))
        assert again.status_code == 410
        assert "This link has already been used" in again.get_data(as_text=True)
    assert respondent.get(FORM).status_code == 200  # the first opener's session goes on
    [denied] = _rows(app, AuditEvent, operation="respondent.open", outcome="denied")[:1]
    assert denied.detail == f"respondent link {link['link_id']}, used"


def test_finishing_ends_the_session_and_the_link_stays_used(app, worker):
    link = _issue(worker)
    respondent = _open(app, link)
    answer = _answer(respondent)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert "ph_respondent=;" in answer.headers["Set-Cookie"]  # the cookie goes
    [row] = _rows(app, RespondentLink)
    assert row.finished_at is not None
    after = respondent.get(FORM)
    assert after.status_code == 401
    assert "The questionnaire is not open" in after.get_data(as_text=True)
    assert _browser(app).post(_path(link)).status_code == 410


def test_a_finished_session_is_over_even_with_its_cookie_kept(app, worker):
    link = _issue(worker)
    respondent = _open(app, link)
    secret = respondent.get_cookie("ph_respondent", path="/r/").value
    _answer(respondent)
    respondent.set_cookie("ph_respondent", secret, path="/r/")
    assert respondent.get(FORM).status_code == 401
    assert respondent.post(f"{FORM}save-only", data={"text": "x"}).status_code == 401


def test_a_head_request_does_not_use_the_link_up(app, worker):
    link = _issue(worker)
    assert _browser(app).head(_path(link)).status_code == 204
    _open(app, link)


# --- expiry and unknown tokens -----------------------------------------------------------------


def test_a_link_issued_valid_for_no_time_has_expired(app, worker):
    link = _issue(worker, minutes=0)
    answer = _browser(app).post(_path(link))
    assert answer.status_code == 410
    assert "This link has expired" in answer.get_data(as_text=True)
    [row] = _rows(app, RespondentLink)
    assert row.opened_at is None and row.session_hash is None


def test_a_link_past_its_time_has_expired(app, worker):
    link = _issue(worker)
    _set_link(app, link["link_id"], expires_at=utcnow() - timedelta(seconds=1))
    answer = _browser(app).post(_path(link))
    assert answer.status_code == 410
    assert "This link has expired" in answer.get_data(as_text=True)


def _withdraw(worker: FlaskClient, link_id: str) -> bool:
    answer = worker.post(f"{PANEL}withdraw", data={"link_id": link_id, "csrf_token": _csrf(worker)})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json["withdrawn"]


def _waiting(worker: FlaskClient, panel: str = PANEL) -> list[str]:
    return [link["link_id"] for link in worker.get(f"{panel}waiting").json["links"]]


def test_the_worker_sees_the_links_waiting_and_withdraws_one_that_then_never_opens(app, worker):
    first, second = _issue(worker), _issue(worker, kiosk="1")
    opened = _issue(worker)
    _open(app, opened)
    _issue(worker, minutes=0)  # expired at once: not waiting
    assert _waiting(worker) == [second["link_id"], first["link_id"]]  # newest first

    assert _withdraw(worker, first["link_id"])
    assert _waiting(worker) == [second["link_id"]]
    answer = _browser(app).post(_path(first))
    assert answer.status_code == 410
    assert "This link has expired" in answer.get_data(as_text=True)
    assert not _withdraw(worker, first["link_id"])  # once is enough
    assert not _withdraw(worker, opened["link_id"])  # an opened link is used, not withdrawn
    audited = _rows(app, AuditEvent, operation="respondent.withdraw")
    assert [(row.outcome, row.client_id) for row in audited] == [
        ("success", CLIENT_A),
        ("denied", CLIENT_A),
        ("denied", CLIENT_A),
    ]
    assert audited[0].detail == f"respondent link {first['link_id']}"


def test_links_are_withdrawn_only_for_their_own_client_and_plugin(app, worker, launch_keys):
    link = _issue(worker)
    other_client = _launch(app, launch_keys, client_id=CLIENT_B)
    assert _waiting(other_client, f"/c/{CLIENT_B}/p/asker/") == []
    answer = other_client.post(
        f"/c/{CLIENT_B}/p/asker/withdraw",
        data={
            "link_id": link["link_id"],
            "csrf_token": _csrf(other_client, f"/c/{CLIENT_B}/p/asker/"),
        },
    )
    assert answer.json == {"withdrawn": False}
    # The other plugin of the same client cannot withdraw it either.
    assert not links.withdraw(_db(app), link["link_id"], CLIENT_A, "other_asker")
    assert _waiting(worker) == [link["link_id"]]
    denied = _rows(app, AuditEvent, operation="respondent.withdraw")
    assert [(row.outcome, row.detail) for row in denied] == [("denied", "no such waiting link")]
    assert _open(app, link)  # still opens, once


def test_the_respondent_session_lasts_an_hour_from_opening(app, worker):
    link = _issue(worker)
    respondent = _open(app, link)
    _set_link(app, link["link_id"], opened_at=utcnow() - timedelta(minutes=59))
    assert respondent.get(FORM).status_code == 200
    _set_link(app, link["link_id"], opened_at=utcnow() - timedelta(minutes=61))
    assert respondent.get(FORM).status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/r/" + "A" * 43,  # well-formed, never issued
        "/r/short",
        "/r/" + "x" * 200,
        "/r/p",
    ],
)
def test_an_unknown_token_is_not_found(app, worker, path):
    _issue(worker)
    answer = _browser(app).get(path)
    assert answer.status_code == 404
    assert "Link not found" in answer.get_data(as_text=True)


def test_a_link_with_a_changed_character_is_not_found(app, worker):
    link = _issue(worker)
    token = link["token"]
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert _browser(app).get(f"/r/{wrong}").status_code == 404
    _open(app, link)  # the real one still opens


# --- where a respondent cannot go --------------------------------------------------------------


def test_a_respondent_reaches_neither_client_nor_team_routes(app, worker):
    respondent = _open(app, _issue(worker))
    assert respondent.get(PANEL).status_code == 401
    assert respondent.get(f"/c/{CLIENT_A}/p/asker/form-token").status_code == 401
    assert respondent.get(f"/c/{CLIENT_B}/p/asker/").status_code == 401
    assert respondent.get("/t/team-a/p/teamwork/").status_code == 401


def test_a_respondent_session_is_for_its_own_plugin_only(app, worker, launch_keys):
    respondent = _open(app, _issue(worker))
    assert respondent.get("/r/p/other_asker/").status_code == 401
    # And the other way round: other_asker's respondent cannot reach asker's pages.
    token = _csrf(worker, f"/c/{CLIENT_A}/p/asker/")
    other = worker.post(f"/c/{CLIENT_A}/p/other_asker/issue", data={"csrf_token": token})
    assert other.status_code == 200, other.get_data(as_text=True)
    browser = _browser(app)
    opened = browser.post(other.json["url"].removeprefix(HOST_URL))
    assert opened.headers["Location"] == "/r/p/other_asker/"
    assert browser.get("/r/p/other_asker/").json == {"plugin": "other_asker"}
    assert browser.get(FORM).status_code == 401


def test_a_plugin_cannot_issue_a_link_to_another_plugins_page(app, worker):
    token = _csrf(worker)
    answer = worker.post(f"/c/{CLIENT_A}/p/other_asker/issue-foreign", data={"csrf_token": token})
    assert answer.status_code == 500  # a ValueError in the plugin's view
    assert _rows(app, RespondentLink) == []


def test_a_link_needs_a_route_without_arguments(app, worker):
    answer = worker.post(
        f"{PANEL}issue",
        data={"csrf_token": _csrf(worker), "endpoint": "asker_respondent.needs_argument"},
    )
    assert answer.status_code == 500
    assert _rows(app, RespondentLink) == []


def test_a_link_is_issued_only_in_a_client_launch(app):
    team_launch = LaunchContext("s", "w-demo", "lastensuojelu-1", "", "asiakastyö", "fi", "team-a")
    with app.test_request_context(f"/c/{CLIENT_A}/p/asker/issue"):
        with pytest.raises(RecordAccessDenied):
            issue_for_request("asker_respondent.form", {}, 60, False)  # no launch at all
        g.launch = team_launch
        with pytest.raises(RecordAccessDenied):
            issue_for_request("asker_respondent.form", {}, 60, False)


def test_a_respondents_form_needs_its_sessions_token(app, worker):
    respondent = _open(app, _issue(worker))
    no_token = respondent.post(f"{FORM}answer", data={"text": "x"})
    assert no_token.status_code == 403
    workers_token = respondent.post(
        f"{FORM}answer", data={"text": "x", "csrf_token": _csrf(worker)}
    )
    assert workers_token.status_code == 403
    other = _open(app, _issue(worker))
    someone_elses = respondent.post(
        f"{FORM}answer", data={"text": "x", "csrf_token": _csrf(other, FORM)}
    )
    assert someone_elses.status_code == 403
    assert _rows(app, OutboxWrite) == []
    assert _answer(respondent).status_code == 200


def test_the_pages_speak_the_browsers_language(app, worker):
    link = _issue(worker)
    _open(app, link)
    again = _browser(app).post(_path(link), headers={"Accept-Language": "sv"})
    assert again.status_code == 410
    page = again.get_data(as_text=True)
    assert 'lang="sv"' in page and "This link has already been used" not in page
    nobody = _browser(app).get(FORM, headers={"Accept-Language": "fi"})
    assert nobody.status_code == 401 and 'lang="fi"' in nobody.get_data(as_text=True)


# --- the respondent's gateway ------------------------------------------------------------------


@pytest.mark.parametrize("what", ["client", "family", "documents", "document", "launch_gateway"])
def test_a_respondent_reads_nothing(app, worker, what):
    respondent = _open(app, _issue(worker))
    answer = respondent.get(f"{FORM}read/{what}")
    assert answer.status_code == 403
    assert "Hyvönen" not in answer.get_data(as_text=True)
    if what != "launch_gateway":
        [row] = _rows(app, AuditEvent, plugin="asker", outcome="denied")
        assert row.worker_id == "w-demo" and row.client_id == CLIENT_A
        assert row.detail.startswith("respondent link ")


def test_a_respondent_writes_only_approved_types_and_only_new_documents(app, worker):
    respondent = _open(app, _issue(worker))
    token = _csrf(respondent, FORM)
    memo = respondent.post(
        f"{FORM}save-only", data={"type": "memo", "text": "x", "csrf_token": token}
    )
    assert memo.status_code == 403 and "documents.write:memo" in memo.get_data(as_text=True)
    overwrite = respondent.post(f"{FORM}overwrite", data={"id": "d-1", "csrf_token": token})
    assert overwrite.status_code == 403
    assert _rows(app, OutboxWrite) == []
    denied = _rows(app, AuditEvent, plugin="asker", outcome="denied")
    assert [r.operation for r in denied] == ["documents.save", "documents.save"]


def test_an_unapproved_write_scope_is_not_the_respondents_either(app, worker):
    from plugin_host.enablement import Enablement

    Enablement(_db(app)).revoke("asker", ["documents.write:note"])
    respondent = _open(app, _issue(worker))
    assert _answer(respondent).status_code == 403
    assert _rows(app, OutboxWrite) == []


def test_an_answer_goes_through_the_outbox_into_the_record(app, worker, record_system_server):
    link = _issue(worker)
    respondent = _open(app, link)
    answer = _answer(respondent, "Vastaus perheeltä")
    assert answer.status_code == 200
    [write] = _rows(app, OutboxWrite)
    assert (write.client_id, write.worker_id, write.plugin, write.document_type) == (
        CLIENT_A,
        "w-demo",
        "asker",
        "note",
    )
    assert write.status == "pending"
    app.extensions["plugin_host"].outbox.drain()
    [write] = _rows(app, OutboxWrite)
    assert write.status == "delivered" and write.document_id
    store = RecordStore(str(record_system_server.db_path))
    stored = store.get_document(write.document_id)
    assert stored["client_id"] == CLIENT_A
    assert json.loads(stored["content"]) == {"text": "Vastaus perheeltä"}
    # The audit names the issuing worker and the link, from issue to finish.
    rows = [r for r in _rows(app, AuditEvent) if r.plugin == "asker"]
    ops = [(r.operation, r.outcome) for r in rows]
    assert ops[:4] == [
        ("respondent.issue", "success"),
        ("respondent.open", "success"),
        ("documents.save", "accepted"),
        ("respondent.finish", "success"),
    ]
    for row in rows[:4]:
        assert (row.worker_id, row.client_id, row.org_unit) == ("w-demo", CLIENT_A, DEMO_UNIT)
        assert row.detail.startswith(f"respondent link {link['link_id']}")


def test_a_respondent_can_write_no_more_after_finishing(app, worker):
    respondent = _open(app, _issue(worker))
    _answer(respondent)
    again = respondent.post(f"{FORM}save-only", data={"text": "x", "csrf_token": "x"})
    assert again.status_code == 401
    assert len(_rows(app, OutboxWrite)) == 1


def test_a_link_of_a_plugin_switched_off_does_not_open_and_is_not_used_up(app, worker):
    from plugin_host.enablement import Enablement

    link = _issue(worker)
    enablement = Enablement(_db(app))
    enablement.set_enabled("asker", DEMO_UNIT, False, "test-admin")
    assert _browser(app).post(_path(link)).status_code == 404
    enablement.set_enabled("asker", DEMO_UNIT, True, "test-admin")
    respondent = _open(app, link)
    enablement.set_enabled("asker", DEMO_UNIT, False, "test-admin")
    assert respondent.get(FORM).status_code == 404


# --- kiosk -------------------------------------------------------------------------------------


def test_a_kiosk_link_locks_the_workers_browser(app, worker, launch_keys):
    _launch(app, launch_keys, worker, client_id=None, team_id="team-a", view="teamwork/board")
    assert worker.get(PANEL).status_code == 200
    assert worker.get("/t/team-a/p/teamwork/").status_code == 200
    link = _issue(worker, kiosk="1")
    assert link["kiosk"] is True
    _open(app, link, worker)  # opened in the worker's own browser: handed over
    assert worker.get(FORM).status_code == 200
    for path in (PANEL, f"/c/{CLIENT_B}/p/asker/", "/t/team-a/p/teamwork/", f"/c/{CLIENT_A}/"):
        answer = worker.get(path)
        assert answer.status_code == 403, path
        page = answer.get_data(as_text=True)
        assert LOCKED in page and "<a " not in page.replace('<a class="skip-link"', "")
    # The browser's launches are over, not just hidden.
    assert _rows(app, LaunchSession) == []

    assert _answer(worker).status_code == 200
    thanks = worker.get(FORM)
    assert thanks.status_code == 403
    page = thanks.get_data(as_text=True)
    assert THANKS in page and "<form" not in page
    assert "<a " not in page.replace('<a class="skip-link"', "")
    assert worker.get(PANEL).status_code == 403  # still locked after finishing
    assert LOCKED in worker.get(PANEL).get_data(as_text=True)
    assert worker.post(_path(link)).status_code == 410


def test_a_new_signed_launch_unlocks_the_browser(app, worker, launch_keys):
    _open(app, _issue(worker, kiosk="1"), worker)
    refused = worker.get("/launch", query_string={"token": "not-a-token"})
    assert refused.status_code == 401
    assert worker.get(PANEL).status_code == 403  # a failed launch unlocks nothing
    answer = worker.get("/launch", query_string={"token": launch_keys.sign(view=None)})
    assert answer.status_code == 303
    assert "ph_kiosk=;" in ",".join(answer.headers.getlist("Set-Cookie"))
    assert worker.get(PANEL).status_code == 200


def test_a_kiosk_lock_outlasts_the_worker_putting_back_an_old_launch_cookie(
    app, worker, launch_keys
):
    [session] = _rows(app, LaunchSession)
    name = _cookie_name(session.session_id)
    assert worker.get_cookie(name) is not None
    _open(app, _issue(worker, kiosk="1"), worker)
    assert worker.get_cookie(name) is None  # the kiosk's open dropped it
    worker.set_cookie(name, session.session_id)
    assert worker.get(PANEL).status_code == 403
    worker.delete_cookie("ph_kiosk")
    assert worker.get(PANEL).status_code == 401  # the lock gone by hand: the launch is over too


def test_a_made_up_lock_cookie_locks_nothing(app, worker):
    worker.set_cookie("ph_kiosk", "made-up")
    assert worker.get(PANEL).status_code == 200
    # Nor does the secret of an ordinary (not kiosk) link.
    respondent = _open(app, _issue(worker))
    secret = respondent.get_cookie("ph_respondent", path="/r/").value
    worker.set_cookie("ph_kiosk", secret)
    assert worker.get(PANEL).status_code == 200


def test_an_ordinary_link_opened_in_the_workers_browser_does_not_lock_it(app, worker):
    _open(app, _issue(worker), worker)
    assert worker.get(PANEL).status_code == 200


# --- the QR code -------------------------------------------------------------------------------


def test_the_qr_code_is_an_svg_with_a_text_alternative(app, worker):
    link = _issue(worker)
    svg = worker.get(f"{PANEL}qr", query_string={"url": link["url"]}).get_data(as_text=True)
    assert svg.startswith('<svg role="img" ')
    assert "<title>" in svg and "<desc>" in svg and "&lt;" not in svg[:20]
    assert link["token"] not in svg  # the code, not the text, carries it


# --- logs ----------------------------------------------------------------------------------------


def test_no_token_in_the_logs(app, worker, caplog):
    caplog.set_level(logging.DEBUG)
    link = _issue(worker, minutes=0)
    _browser(app).post(_path(link))
    link = _issue(worker)
    _open(app, link)
    _browser(app).post(_path(link))
    assert link["token"] not in caplog.text
    for row in _rows(app, AuditEvent):
        assert link["token"] not in (row.detail or "")


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        ("GET /r/abcDEF123_-xyzabcDEF123_-xyzabcDEF123_-xyz HTTP/1.1", "GET /r/- HTTP/1.1"),
        ("GET /r/abcDEF123_-xyz?x=1 HTTP/1.1", "GET /r/- HTTP/1.1"),
        ("GET /r/p/asker/ HTTP/1.1", "GET /r/p/asker/ HTTP/1.1"),
        ("POST /r/p/asker/answer HTTP/1.1", "POST /r/p/asker/answer HTTP/1.1"),
        ("GET /r/p HTTP/1.1", "GET /r/p HTTP/1.1"),
        ("GET /r/pq HTTP/1.1", "GET /r/- HTTP/1.1"),
    ],
)
def test_the_access_log_blanks_a_respondent_token(line, logged):
    assert redact_request_line(line) == logged


def test_gunicorns_access_log_blanks_a_respondent_token():
    token = "abcDEF123_-xyzabcDEF123_-xyzabcDEF123_-xyz"
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/r/{token}",
        "PATH_INFO": f"/r/{token}",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="303 SEE OTHER", sent=0, headers=[])
    request = SimpleNamespace(headers=[])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))
    assert atoms["r"] == "GET /r/- HTTP/1.1" and atoms["U"] == "/r/-"
    assert token not in repr(atoms)


# --- names -------------------------------------------------------------------------------------


def test_a_respondent_blueprint_must_be_named_after_its_plugin(make_host):
    import types

    from flask import Blueprint

    from plugin_host.api import hookimpl

    module = types.ModuleType("misnamed")
    module.__file__ = __file__
    module.plugin_manifest = hookimpl(
        lambda: {
            "name": "misnamed",
            "version": "1.0",
            "title": {"fi": "a", "sv": "a", "en": "a"},
            "requires_host": ">=0.1",
        }
    )
    module.respondent_blueprint = hookimpl(lambda: Blueprint("asker_respondent2", __name__))
    app = make_host(extra_plugins=((module, "misnamed"),))
    assert "asker_respondent2" not in app.blueprints
    assert not [r for r in app.url_map.iter_rules() if r.rule.startswith("/r/p/misnamed")]


def test_no_plugin_may_be_named_like_a_respondent_blueprint():
    errors = ManifestSchema().validate(
        {
            "name": "asker_respondent",
            "version": "1.0",
            "title": {"fi": "a", "sv": "a", "en": "a"},
            "requires_host": ">=0.1",
        }
    )
    assert "_respondent" in str(errors["name"])
