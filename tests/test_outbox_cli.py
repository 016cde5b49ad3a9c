"""plugin-host outbox: what an admin sees and may do, and the audit trail of a discard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from plugin_host.cli import main
from plugin_host.config import load_config
from plugin_host.launch.context import LaunchContext
from plugin_host.outbox import queue
from plugin_host.records import DocumentDraft
from plugin_host.storage import Database
from plugin_host.storage.models import AuditEvent
from tests.fixtures.host import both_databases, write_host_config

pytestmark = both_databases  # the host on SQLite, then on PostgreSQL

LAUNCH = LaunchContext("s", "w-demo", "lastensuojelu-1", "c-1001", "asiakastyö", "fi")


@pytest.fixture
def config_file(tmp_path: Path, launch_keys, database_url: str) -> Path:
    write_host_config(tmp_path, "http://127.0.0.1:9", launch_keys.public_key, database_url)
    return tmp_path / "host.toml"


@pytest.fixture
def database(config_file: Path) -> Database:
    database = Database(load_config(config_file).database_url)
    database.upgrade()
    return database


def _accept(database: Database, text: str) -> str:
    draft = DocumentDraft("c-1001", "note", text, json.dumps({"text": text}))
    with database.transaction() as session:
        return queue.accept(session, LAUNCH, "client_note", draft, None, f"key-{text}").write_id


def _run(config_file: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["outbox", *args, "--config", str(config_file)])
    return result.exit_code, result.output


def test_status_and_list_show_open_writes_without_their_contents(config_file, database):
    write_ids = [_accept(database, text) for text in ("salainen yksi", "salainen kaksi")]
    code, output = _run(config_file, "status")
    assert code == 0
    status = json.loads(output)
    assert status["depth"] == 2 and status["counts"] == {"pending": 2}
    assert status["oldest_open_seconds"] >= 0

    code, output = _run(config_file, "list")
    assert [row["write_id"] for row in json.loads(output)] == write_ids
    assert "salainen" not in output


def test_discard_needs_a_reason_and_is_audit_logged(config_file, database):
    write_id = _accept(database, "hylättävä")
    code, output = _run(config_file, "discard", write_id)
    assert code == 2 and "--reason" in output
    code, output = _run(
        config_file, "discard", write_id, "--reason", "kaksoiskappale", "--actor", "admin-anna"
    )
    assert code == 0, output
    assert json.loads(_run(config_file, "status")[1])["depth"] == 0
    with database.transaction() as session:
        [row] = session.scalars(select(AuditEvent)).all()
    assert (row.operation, row.worker_id, row.client_id, row.purpose) == (
        "outbox.discard",
        "admin-anna",
        "c-1001",
        "ylläpito",
    )
    assert "kaksoiskappale" in row.detail
    code, output = _run(config_file, "discard", write_id, "--reason", "uudestaan")
    assert code == 1 and "cannot be discarded" in output


def test_retry_makes_a_write_due_and_refuses_a_delivered_one(config_file, database):
    write_id = _accept(database, "uudelleen")
    assert _run(config_file, "retry", write_id)[0] == 0
    with database.transaction() as session:
        row = queue.find_write(session, "c-1001", write_id)
        row.status = queue.DELIVERED
    code, output = _run(config_file, "retry", write_id)
    assert code == 1 and "delivered" in output
    assert "no write nope" in _run(config_file, "retry", "nope")[1]
