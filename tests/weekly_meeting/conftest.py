"""Fixtures for the weekly meeting in a host against a real reference record system.

Every test gets a record system of its own (a fresh database: the demo's team-a, and team-m of
ten synthetic families from ``seed_meeting_team``), so that minutes signed in one test are never
another test's earlier minutes (open tasks carry over from them). ``Meeting`` drives the team's
pages as a browser would: it reads each form from the page and posts it back with changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import Babel
from sqlalchemy import select

from plugin_host.storage.models import AuditEvent
from plugins.weekly_meeting.schemas import MINUTES_TYPE
from reference_record_system.seed import seed, seed_meeting_team
from reference_record_system.store import RecordStore
from tests.fixtures.host import LaunchKeys
from tests.fixtures.record_system import RecordSystemProcess, start_record_system

TEAM_A = "team-a"
TEAM_M = "team-m"
TEAM_M_WORKER = "w-m-sosiaali"
HELSINKI = ZoneInfo("Europe/Helsinki")  # the host's default time zone: the meeting's "today"


def today() -> date:
    return datetime.now(HELSINKI).date()


# --- the record system ---------------------------------------------------------------------------


@pytest.fixture
def request_context() -> Iterator[None]:
    """A bare Flask request with Babel, for labels and dates formatted outside a view."""
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


@dataclass
class Records:
    """The record system of one test, and what its seeding made of team-m."""

    server: RecordSystemProcess
    team_m: list[dict[str, Any]]

    @property
    def store(self) -> RecordStore:
        return RecordStore(str(self.server.db_path))

    def minutes(self, client_id: str) -> list[dict[str, Any]]:
        """Each minutes document in the client's record: its ref and every version's content."""
        store = self.store
        found = []
        for ref in store.list_documents(client_id, MINUTES_TYPE):
            versions = {
                n: store.get_document(ref["document_id"], n) for n in range(1, ref["version"] + 1)
            }
            found.append(
                {
                    **ref,
                    "versions": {n: v["content"] for n, v in versions.items()},
                    "clients": {v["client_id"] for v in versions.values()},
                    "content": json.loads(versions[ref["version"]]["content"]),
                }
            )
        return found


@pytest.fixture
def record_system_server(tmp_path: Path) -> Iterator[RecordSystemProcess]:
    """Overrides the session's server: a fresh, seeded record system for each test."""
    directory = tmp_path / "record-system"
    directory.mkdir()
    store = RecordStore(str(directory / "records.db"))  # the name start_record_system uses
    seed(store)
    families = seed_meeting_team(store)
    handle = start_record_system(directory)
    handle.team_m = families  # type: ignore[attr-defined]  # for the ``records`` fixture
    yield handle
    handle.stop()


@pytest.fixture
def records(record_system_server: RecordSystemProcess) -> Records:
    return Records(record_system_server, record_system_server.team_m)  # type: ignore[attr-defined]


# --- the host ------------------------------------------------------------------------------------


@pytest.fixture
def app(make_host) -> Flask:
    return make_host(enable=("weekly_meeting", "genogram"))


def audit_rows(app: Flask, **where: Any) -> list[AuditEvent]:
    with app.extensions["plugin_host"].database.transaction() as session:
        rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        for row in rows:
            session.expunge(row)
    return [r for r in rows if all(getattr(r, k) == v for k, v in where.items())]


def deliver(app: Flask) -> None:
    """Let the outbox deliver every write to the record system."""
    app.extensions["plugin_host"].outbox.drain()


# --- reading pages -------------------------------------------------------------------------------


def form_values(html: str, action_suffix: str) -> dict[str, str]:
    """The values a browser would post from the page's form whose action ends so."""
    page = lxml.html.fromstring(html)
    for form in page.forms:
        if (form.get("action") or "").endswith(action_suffix):
            return dict(form.form_values())
    raise AssertionError(f"no form posting to …{action_suffix}")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page carries the CSRF token"
    return found.group(1)


def field_error(html: str, field_id: str) -> list[str]:
    """The error messages shown at a form field (``<p class="field-error" id="<id>-error">``)."""
    page = lxml.html.fromstring(html)
    return [p.text_content() for p in page.xpath(f'//p[@id="{field_id}-error"]')]


def task_rows(html: str) -> dict[str, dict[str, Any]]:
    """The discussion form's task rows by task id: index, text, state, carried_from, overdue."""
    page = lxml.html.fromstring(html)
    rows = {}
    for hidden in page.xpath('//input[substring(@name, string-length(@name) - 2) = "-id"]'):
        name = hidden.get("name")
        if not name.startswith("tasks-"):
            continue
        index = name.split("-")[1]
        row = hidden.getparent()
        carried = row.xpath(f'.//input[@name="tasks-{index}-carried_from"]')
        state = row.xpath(f'.//select[@name="tasks-{index}-state"]')[0]
        rows[hidden.get("value")] = {
            "index": int(index),
            "text": row.xpath(f'.//input[@name="tasks-{index}-text"]')[0].get("value"),
            "state": state.value,
            "due": row.xpath(f'.//input[@name="tasks-{index}-due"]')[0].get("value"),
            "carried_from": carried[0].get("value") if carried else None,
            "overdue": bool(row.xpath('.//*[contains(@class, "overdue")]')),
        }
    return rows


# --- driving the meeting -------------------------------------------------------------------------


@dataclass
class Meeting:
    """A team launch's browser and the pages of the weekly meeting it opens."""

    app: Flask
    browser: FlaskClient
    team_id: str
    csrf: str
    meeting_id: str = ""
    items: dict[str, str] = field(default_factory=dict)  # first client -> agenda item id

    @property
    def prefix(self) -> str:
        return f"/t/{self.team_id}/p/weekly_meeting"

    def get(self, path: str = "/", status: int = 200) -> str:
        answer = self.browser.get(self.prefix + path)
        assert answer.status_code == status, (path, answer.status_code)
        return answer.get_data(as_text=True)

    def post(self, path: str, data: dict[str, Any]) -> Any:
        body = {"csrf_token": self.csrf, **data}
        return self.browser.post(self.prefix + path, data=body)

    def create(self, day: date) -> str:
        answer = self.post("/meetings", {"date": day.isoformat()})
        assert answer.status_code == 303, answer.get_data(as_text=True)
        self.meeting_id = answer.headers["Location"].rsplit("/", 1)[-1]
        return self.meeting_id

    def add(self, client_id: str) -> str:
        """Put the client's family on the agenda; the new item's id."""
        path = f"/meetings/{self.meeting_id}/agenda"
        answer = self.post(path, {"action": "add", "client": client_id})
        assert answer.status_code == 303, answer.get_data(as_text=True)
        page = self.get(f"/meetings/{self.meeting_id}")
        item_id = re.findall(r'<li id="item-([^"]+)"', page)[-1]
        self.items[client_id] = item_id
        return item_id

    def item_path(self, client_id: str, suffix: str = "") -> str:
        return f"/meetings/{self.meeting_id}/items/{self.items[client_id]}{suffix}"

    def discussion(self, client_id: str) -> str:
        return self.get(self.item_path(client_id))

    def save(self, client_id: str, changes: dict[str, Any], keep: bool = True) -> Any:
        """Post the discussion form: as the page shows it (``keep``) with ``changes`` on top."""
        path = self.item_path(client_id)
        page = self.get(path)
        values = form_values(page, self.items[client_id]) if keep else {}
        values.update({"csrf_token": csrf_of(page), **changes})
        values = {k: v for k, v in values.items() if v is not None}
        return self.browser.post(self.prefix + path, data=values)

    def sign(self, client_id: str, correction_reason: str | None = None) -> Any:
        data = {} if correction_reason is None else {"correction_reason": correction_reason}
        return self.post(self.item_path(client_id, "/sign"), data)

    def correct(self, client_id: str) -> Any:
        return self.post(self.item_path(client_id, "/correct"), {})

    def family_screen(self, client_id: str) -> str:
        return self.get(self.item_path(client_id, "/family"))


@pytest.fixture
def team_launch(app: Flask, launch_keys: LaunchKeys) -> Callable[..., Meeting]:
    """A team launch of the weekly meeting (w-demo in team-a unless told)."""

    def launch(worker_id: str = "w-demo", team_id: str = TEAM_A, **claims: Any) -> Meeting:
        browser = app.test_client()
        token = launch_keys.sign(
            client_id=None,
            team_id=team_id,
            worker_id=worker_id,
            view="weekly_meeting/meeting",
            **claims,
        )
        answer = browser.get("/launch", query_string={"token": token})
        assert answer.status_code == 303, answer.get_data(as_text=True)
        board = browser.get(answer.headers["Location"])
        assert board.status_code == 200, board.get_data(as_text=True)
        return Meeting(app, browser, team_id, csrf_of(board.get_data(as_text=True)))

    return launch


@pytest.fixture
def client_launch(app: Flask, launch_keys: LaunchKeys) -> Callable[..., FlaskClient]:
    def launch(client_id: str, view: str = "weekly_meeting/minutes") -> FlaskClient:
        browser = app.test_client()
        answer = browser.get(
            "/launch", query_string={"token": launch_keys.sign(client_id=client_id, view=view)}
        )
        assert answer.status_code == 303, answer.get_data(as_text=True)
        return browser

    return launch


# --- filling a discussion ------------------------------------------------------------------------


def in_days(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


def present(
    workers: tuple[str, ...] = (), family: tuple[str, ...] = (), consent: str = "attend"
) -> dict[str, str]:
    """Form fields marking team members and (consenting) family members present."""
    fields: dict[str, str] = {}
    for worker_id in workers:
        fields[f"team-{worker_id}-present"] = "1"
    for person_id in family:
        fields[f"family-{person_id}-present"] = "1"
        fields[f"family-{person_id}-consent"] = consent
    return fields


def hypothesis(
    n: int, text: str, by: str, shared: bool = False, status: str = "open"
) -> dict[str, str]:
    fields = {
        f"hypotheses-{n}-text": text,
        f"hypotheses-{n}-proposed_by": by,
        f"hypotheses-{n}-status": status,
    }
    if shared:
        fields[f"hypotheses-{n}-shared_with_family"] = "1"
    return fields


def reflection(n: int, text: str, by: str, shared: bool = False) -> dict[str, str]:
    fields = {f"reflections-{n}-text": text, f"reflections-{n}-by": by}
    if shared:
        fields[f"reflections-{n}-shared_with_family"] = "1"
    return fields


def task(n: int, text: str, owner: str, due: str, state: str = "open") -> dict[str, str]:
    return {
        f"tasks-{n}-text": text,
        f"tasks-{n}-owner": owner,
        f"tasks-{n}-due": due,
        f"tasks-{n}-state": state,
    }


def outcome(kind: str = "decision", reason: str = "") -> dict[str, str]:
    return {"outcome-kind": kind, "outcome-reason": reason}
