"""Fixtures for the client-feedback plugin in a host against a real reference record system.

Every test that builds a host gets a record system of its own (a fresh database: the demo's
team-a with c-1001..c-1005, and team-m, ten synthetic families of the same unit, from
``seed_meeting_team``), so that answers saved in one test are never another test's. The host is
configured with ``[plugins.feedback]``: the bundled open questionnaire and the licensed test
instrument (``fixtures/licensed_example.json``) with its licence reference.

``Family`` drives the feedback pages as a worker and a family member would: ask (kiosk or
one-time link), open the link, answer.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from plugin_host.config import HostConfig, load_config
from plugin_host.storage.models import OutboxWrite
from plugins.feedback.responses import DOCUMENT_TYPE
from reference_record_system.seed import seed, seed_meeting_team
from reference_record_system.store import RecordStore
from tests.fixtures.host import HOST_URL, LaunchKeys
from tests.fixtures.record_system import RecordSystemProcess, start_record_system

FIXTURES = Path(__file__).parent / "fixtures"
LICENSED = "licensed-example"
OPEN = "after_meeting"
LICENCE = "LIC-2024-0042"
TEAM_A = "team-a"
TEAM_M = "team-m"
TEAM_M_WORKER = "w-m-sosiaali"
TEAM_A_CLIENTS = ("c-1001", "c-1002", "c-1003", "c-1004", "c-1005")
FORM = "/r/p/feedback/"
LINK = re.compile(r'id="link">([^<]+)<')
KIOSK = re.compile(r'<a class="button" href="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def panel_path(client_id: str) -> str:
    return f"/c/{client_id}/p/feedback/"


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, page
    return found.group(1)


def feedback_section(
    questionnaires: list[dict[str, Any]] | None = None,
    definitions_dir: Path | None = None,
    **more: Any,
) -> str:
    """``[plugins.feedback]`` as TOML."""
    lines = ["", "[plugins.feedback]"]
    if definitions_dir is not None:
        lines.append(f'definitions_dir = "{definitions_dir}"')
    for key, value in more.items():
        lines.append(f"{key} = {json.dumps(value)}")
    for entry in questionnaires or []:
        lines.append("[[plugins.feedback.questionnaires]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in entry.items()]
    return "\n".join(lines) + "\n"


def configure(
    host_config: HostConfig, section: str, name: str = "feedback.toml"
) -> tuple[Path, HostConfig]:
    """A copy of the test host's configuration with ``section`` added; its path and loaded
    form (load_config checks the host's part; plugin settings are checked at create_app)."""
    source = Path(host_config.source)
    path = source.with_name(name)
    path.write_text(source.read_text() + section)
    return path, load_config(path)


@pytest.fixture
def definitions_dir(tmp_path: Path) -> Path:
    """A definitions folder holding the licensed test instrument."""
    folder = tmp_path / "definitions"
    folder.mkdir()
    shutil.copy(FIXTURES / "licensed_example.json", folder / "licensed_example.json")
    return folder


DEFAULT_QUESTIONNAIRES = [
    {"questionnaire_id": OPEN},
    {"questionnaire_id": LICENSED, "channel": "clinical", "licence_reference": LICENCE},
]


@pytest.fixture
def feedback_config(host_config: HostConfig, definitions_dir: Path) -> HostConfig:
    return configure(host_config, feedback_section(DEFAULT_QUESTIONNAIRES, definitions_dir))[1]


# --- the record system ---------------------------------------------------------------------------


@pytest.fixture
def record_system_server(tmp_path: Path) -> Iterator[RecordSystemProcess]:
    """Overrides the session's server: a fresh, seeded record system for each test."""
    directory = tmp_path / "record-system"
    directory.mkdir()
    store = RecordStore(str(directory / "records.db"))  # the name start_record_system uses
    seed(store)
    families = seed_meeting_team(store, team_id=TEAM_M, worker_id=TEAM_M_WORKER)
    handle = start_record_system(directory)
    handle.team_m = families  # type: ignore[attr-defined]
    yield handle
    handle.stop()


@pytest.fixture
def record_store(record_system_server: RecordSystemProcess) -> RecordStore:
    return RecordStore(str(record_system_server.db_path))


def responses_in_record(store: RecordStore, client_id: str) -> list[dict[str, Any]]:
    """The feedback_response documents in a client's record, their content parsed."""
    return [
        {**ref, "content": json.loads(store.get_document(ref["document_id"])["content"])}
        for ref in store.list_documents(client_id, DOCUMENT_TYPE)
    ]


# --- the host ------------------------------------------------------------------------------------


@pytest.fixture
def app(make_host, feedback_config: HostConfig) -> Flask:
    return make_host(enable=("feedback",), config=feedback_config)


def deliver(app: Flask) -> list[OutboxWrite]:
    """Drain the outbox; every write, delivered or not."""
    app.extensions["plugin_host"].outbox.drain()
    with app.extensions["plugin_host"].database.transaction() as session:
        rows = list(session.scalars(select(OutboxWrite).order_by(OutboxWrite.seq)))
        for row in rows:
            session.expunge(row)
    return rows


def browser(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def launch(
    app: Flask,
    keys: LaunchKeys,
    client: FlaskClient | None = None,
    *,
    expect: int = 303,
    **claims: Any,
) -> FlaskClient:
    """A signed launch in ``client`` (a new English browser when None)."""
    client = client or browser(app)
    claims.setdefault("locale", "en")
    claims.setdefault("view", "feedback/panel")
    answer = client.get("/launch", query_string={"token": keys.sign(**claims)})
    assert answer.status_code == expect, answer.get_data(as_text=True)
    return client


def unit_launch(app: Flask, keys: LaunchKeys, client: FlaskClient | None = None) -> FlaskClient:
    return launch(app, keys, client, client_id=None, view="feedback/management")


@dataclass
class Asked:
    """A one-time link (or kiosk hand-over) as the worker's page shows it."""

    url: str
    page: str

    @property
    def path(self) -> str:
        assert self.url.startswith(f"{HOST_URL}/r/"), self.url
        return self.url.removeprefix(HOST_URL)


@dataclass
class Family:
    """One client's worker in a launched browser, asking for and giving feedback."""

    app: Flask
    worker: FlaskClient
    client_id: str

    def panel(self) -> str:
        page = self.worker.get(panel_path(self.client_id))
        assert page.status_code == 200, page.get_data(as_text=True)
        return page.get_data(as_text=True)

    def ask(self, **form: Any) -> Asked:
        data = {
            "questionnaire_id": OPEN,
            "respondent_role": "parent",
            "band": "adult",
            "mode": "link",
            "meeting_date": "",
            "meeting_id": "",
            "csrf_token": csrf_of(self.panel()),
            **form,
        }
        answer = self.worker.post(f"{panel_path(self.client_id)}ask", data=data)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        page = answer.get_data(as_text=True)
        found = (KIOSK if data["mode"] == "kiosk" else LINK).search(page)
        assert found, page
        return Asked(found.group(1).strip(), page)

    def open(self, asked: Asked, client: FlaskClient | None = None) -> FlaskClient:
        respondent = client or browser(self.app)
        opened = respondent.post(asked.path)
        assert opened.status_code == 303, opened.get_data(as_text=True)
        assert opened.headers["Location"] == FORM
        return respondent

    def respond(
        self,
        respondent: FlaskClient,
        answers: dict[str, int],
        free_text: str = "",
        share: bool = False,
    ):
        page = respondent.get(FORM)
        assert page.status_code == 200, page.get_data(as_text=True)
        data = {f"item-{k}": str(v) for k, v in answers.items()}
        data |= {"free_text": free_text, "csrf_token": csrf_of(page.get_data(as_text=True))}
        if share:
            data["share"] = "1"
        return respondent.post(FORM, data=data)

    def give(self, answers: dict[str, int], free_text: str = "", share: bool = False, **form):
        """Ask with a one-time link, open it in another browser, answer: the thanks page."""
        respondent = self.open(self.ask(**form))
        answer = self.respond(respondent, answers, free_text, share)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer


@pytest.fixture
def family(app: Flask, launch_keys: LaunchKeys) -> Callable[..., Family]:
    """A worker's launched panel for a client (team-a's by w-demo, team-m's by its worker)."""

    def make(client_id: str = "c-1001", worker_id: str | None = None) -> Family:
        worker = worker_id or ("w-demo" if client_id in TEAM_A_CLIENTS else TEAM_M_WORKER)
        client = launch(app, launch_keys, client_id=client_id, worker_id=worker)
        return Family(app, client, client_id)

    return make


def open_answers(value: int) -> dict[str, int]:
    return {item: value for item in ("heard", "mattered", "way_of_working", "overall")}


def licensed_answers(*values: int) -> dict[str, int]:
    return dict(zip(("item_one", "item_two", "item_three", "item_four"), values, strict=True))
