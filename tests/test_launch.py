"""Launch tokens: only a fresh, correctly signed token for this host opens a session."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from sqlalchemy import func, select

from plugin_host.serving import redact_request_line
from plugin_host.storage.models import AuditEvent, LaunchSession
from reference_record_system.store import RecordStore
from tests.fixtures.host import CLIENT_A, HOST_URL, both_databases

pytestmark = both_databases  # the host on SQLite, then on PostgreSQL


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**overrides):
    now = int(time.time())
    claims = {
        "iss": "reference-record-system",
        "aud": HOST_URL,
        "sub": "w-demo",
        "org_unit": "lastensuojelu-1",
        "client_id": CLIENT_A,
        "purpose": "asiakastyö",
        "locale": "fi",
        "view": "client_note/panel",
        "iat": now,
        "exp": now + 60,
        "jti": f"jti-{time.monotonic_ns()}",
    }
    claims.update(overrides)
    return claims


def _hmac_token(secret: bytes) -> str:
    """HS256 signed with the issuer's *public* key: the classic algorithm-confusion attack."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    signing_input = f"{header}.{_b64(json.dumps(_claims()).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _count(app, model) -> int:
    with app.extensions["plugin_host"].database.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_valid_launch_opens_the_view_for_that_client(host_app, launch_keys):
    browser = host_app.test_client()
    answer = browser.get("/launch", query_string={"token": launch_keys.sign()})
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/c/{CLIENT_A}/p/client_note/"
    page = browser.get(answer.headers["Location"])
    assert page.status_code == 200
    assert "Aino" in page.get_data(as_text=True)
    assert _count(host_app, LaunchSession) == 1


def test_the_token_can_come_as_a_posted_form_field(host_app, launch_keys):
    answer = host_app.test_client().post("/launch", data={"token": launch_keys.sign()})
    assert answer.status_code == 303


BAD_TOKENS = {
    "expired": lambda keys, foreign: keys.sign(lifetime_seconds=-120),
    "foreign signature": lambda keys, foreign: foreign.sign(),
    "wrong audience": lambda keys, foreign: keys.sign(audience="http://another-host.test"),
    "alg none": lambda keys, foreign: jwt.encode(_claims(), None, algorithm="none"),
    "hmac with public key": lambda keys, foreign: _hmac_token(keys.public_key.read_bytes()),
    "too long lifetime": lambda keys, foreign: keys.sign(lifetime_seconds=3600),
    "unknown issuer": lambda keys, foreign: keys.sign(issuer="someone-else"),
    "garbage": lambda keys, foreign: "not.a.jwt",
    "missing": lambda keys, foreign: "",
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_a_bad_token_gets_401_and_reads_nothing(kind, host_app, launch_keys, foreign_keys):
    token = BAD_TOKENS[kind](launch_keys, foreign_keys)
    browser = host_app.test_client()
    answer = browser.get("/launch", query_string={"token": token})
    assert answer.status_code == 401
    assert "Linkkiä ei hyväksytty" in answer.get_data(as_text=True)
    assert _count(host_app, LaunchSession) == 0
    assert _count(host_app, AuditEvent) == 0
    assert browser.get(f"/c/{CLIENT_A}/p/client_note/").status_code == 401


def test_a_replayed_token_gets_401(host_app, launch_keys):
    token = launch_keys.sign()
    assert host_app.test_client().get("/launch", query_string={"token": token}).status_code == 303
    again = host_app.test_client().get("/launch", query_string={"token": token})
    assert again.status_code == 401
    assert "Linkki on jo käytetty" in again.get_data(as_text=True)


def test_the_refusal_speaks_the_browsers_language(host_app, launch_keys):
    token = launch_keys.sign(lifetime_seconds=-120)
    swedish = host_app.test_client().get(
        "/launch", query_string={"token": token}, headers={"Accept-Language": "sv-FI,sv;q=0.9"}
    )
    assert swedish.status_code == 401
    assert "Länken har gått ut" in swedish.get_data(as_text=True)
    assert 'lang="sv"' in swedish.get_data(as_text=True)


def test_the_record_system_decides_access(host_app, launch_keys, record_system_server):
    other_team_client = RecordStore(str(record_system_server.db_path)).list_clients("team-b")[0]
    answer = host_app.test_client().get(
        "/launch",
        query_string={"token": launch_keys.sign(client_id=other_team_client["client_id"])},
    )
    assert answer.status_code == 403
    assert _count(host_app, LaunchSession) == 0
    with host_app.extensions["plugin_host"].database.transaction() as session:
        row = session.scalars(select(AuditEvent)).one()
    assert (row.operation, row.outcome, row.client_id) == (
        "launch",
        "denied",
        other_team_client["client_id"],
    )


def test_answers_may_be_framed_only_by_the_record_system(
    host_app, launch_keys, record_system_server
):
    answer = host_app.test_client().get("/launch", query_string={"token": launch_keys.sign()})
    policy = answer.headers["Content-Security-Policy"]
    assert f"frame-ancestors {record_system_server.url}" in policy
    assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_the_access_log_carries_neither_token_nor_client(launch_keys):
    line = f"GET /launch?token={launch_keys.sign()} HTTP/1.1"
    assert redact_request_line(line) == "GET /launch HTTP/1.1"
    assert redact_request_line("POST /c/c-1001/p/client_note/notes HTTP/1.1") == (
        "POST /c/-/p/client_note/notes HTTP/1.1"
    )
