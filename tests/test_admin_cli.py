"""The console's actions through ``plugin-host``: units, held-back scopes, settings, audit log."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from plugin_host.cli import main
from plugin_host.registry import PluginRegistry
from plugin_host.storage import Database
from plugin_host.storage.models import AuditEvent, PluginSetting
from tests.fixtures.host import CLIENT_A, CLIENT_B
from tests.test_plugins import grower

UNIT = "lastensuojelu-1"


@pytest.fixture
def config_path(host_config, tmp_path) -> Path:
    path = tmp_path / "host" / "host.toml"
    path.write_text(path.read_text() + '\n[plugins.grower]\ngreeting = "terve"\nratio = 0.25\n')
    return path


@pytest.fixture
def release(monkeypatch):
    """Which release of ``grower`` the CLI's discovery finds beside the installed plugins."""
    chosen = {"module": grower.version1}
    discover = PluginRegistry.discover

    def discover_with_grower(self, *args, **kwargs):
        discover(self, *args, **kwargs)
        self.add(chosen["module"], expected_name="grower", source="test")

    monkeypatch.setattr(PluginRegistry, "discover", discover_with_grower)
    return chosen


def _run(config_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--config", str(config_path)])
    return result.exit_code, result.output


def _database(config_path: Path) -> Database:
    from plugin_host.config import load_config

    return Database(load_config(config_path).database_url)


def _rows(config_path: Path, **where: str) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    with _database(config_path).transaction() as session:
        return list(session.scalars(query))


def _info(config_path: Path, name: str) -> dict:
    code, output = _run(config_path, "plugins", "info", name)
    assert code == 0, output
    return json.loads(output)


def test_enabling_for_one_unit_is_audited_with_the_admins_name(config_path, release):
    code, output = _run(config_path, "plugins", "enable", "grower", "--unit", UNIT, "--actor", "bo")
    assert code == 0 and output == f"grower enabled for {UNIT}\n"
    assert _info(config_path, "grower")["enabled_units"] == [UNIT]
    [row] = _rows(config_path, operation="admin.enable")
    assert (row.worker_id, row.org_unit, row.plugin, row.detail) == (
        "bo",
        "admin",
        "grower",
        f"org_unit={UNIT}",
    )
    code, output = _run(config_path, "plugins", "enable", "nobody", "--unit", UNIT)
    assert code == 1 and "no plugin named 'nobody'" in output
    code, output = _run(config_path, "plugins", "disable", "grower", "--unit", UNIT)
    assert code == 0 and _info(config_path, "grower")["enabled_units"] == []
    assert len(_rows(config_path, operation="admin.disable")) == 1


def test_a_new_versions_extra_scope_is_held_back_until_approved(config_path, release):
    assert _run(config_path, "plugins", "approve", "grower", "--actor", "bo")[0] == 0
    assert _info(config_path, "grower")["scopes"]["held_back"] == []

    release["module"] = grower.version2
    info = _info(config_path, "grower")
    assert info["version"] == "2.0"
    assert info["scopes"]["held_back"] == ["family.read"]
    assert info["scopes"]["approved"] == ["client.read"]
    code, output = _run(config_path, "plugins", "list")
    assert code == 0 and "held back: family.read" in output

    code, output = _run(config_path, "plugins", "approve", "grower", "--scope", "team.read")
    assert code == 1 and "does not ask for: team.read" in output
    code, output = _run(config_path, "plugins", "approve", "grower", "--scope", "family.read")
    assert code == 0 and "approved family.read" in output
    assert _info(config_path, "grower")["scopes"]["held_back"] == []

    code, output = _run(config_path, "plugins", "revoke", "grower", "--scope", "family.read")
    assert code == 0 and "withdrew family.read" in output
    assert _info(config_path, "grower")["scopes"]["held_back"] == ["family.read"]
    assert [r.operation for r in _rows(config_path, plugin="grower")] == [
        "admin.approve",
        "admin.approve",
        "admin.revoke",
    ]


def test_settings_show_their_source_and_refuse_what_the_schema_refuses(config_path, release):
    code, output = _run(config_path, "plugins", "settings", "grower")
    assert code == 0, output
    lines = {line.split()[0]: line for line in output.splitlines()[1:]}
    assert '"terve"' in lines["greeting"] and "[configuration]" in lines["greeting"]
    assert "5" in lines["limit"] and "[default]" in lines["limit"]

    for assignment, problem in [
        ("limit=kaksitoista", "plugins.grower.limit: Not a valid integer."),
        ("limit=11", "plugins.grower.limit: Must be greater than or equal to 1"),
        ("nosuch=1", "plugins.grower.nosuch: No such setting."),
        ("words=[x", "plugins.grower.words: Not valid JSON."),
        ('options={"colour": 5}', "plugins.grower.options.colour: Not a valid string."),
        ("limit", "plugins.grower.limit: Use KEY=VALUE."),
    ]:
        code, output = _run(config_path, "plugins", "settings", "grower", "--set", assignment)
        assert code == 1 and "nothing saved" in output and problem in output, output
    with _database(config_path).transaction() as session:
        assert session.get(PluginSetting, "grower") is None

    code, output = _run(
        config_path,
        "plugins",
        "settings",
        "grower",
        "--set",
        "limit=7",
        "--set",
        'words=["x", "y"]',
        "--set",
        "loud=yes",
        "--actor",
        "bo",
        "--json",
    )
    assert code == 0, output
    shown = {row["key"]: row for row in json.loads(output.split("\n", 1)[1])}
    assert shown["limit"] == {"key": "limit", "value": 7, "source": "admin"}
    assert shown["words"]["value"] == ["x", "y"] and shown["loud"]["value"] is True
    assert shown["greeting"]["source"] == "configuration"
    [row] = _rows(config_path, operation="admin.settings")
    assert (row.worker_id, row.detail) == ("bo", "keys=limit,loud,words")

    code, output = _run(config_path, "plugins", "settings", "grower", "--unset", "limit")
    assert code == 0 and "[default]" in output.split("limit")[1].splitlines()[0]


def test_a_running_host_takes_a_cli_change_without_restart(
    config_path, release, make_host, launch_keys
):
    from plugin_host.config import load_config

    app = make_host(config=load_config(config_path))  # discovery finds grower (``release``)
    services = app.extensions["plugin_host"]
    services.enablement.set_enabled("grower", UNIT, True, "test")
    services.enablement.approve("grower", ["client.read"], "test")
    services.settings.ttl_seconds = 0.2
    worker = app.test_client()
    worker.get("/launch", query_string={"token": launch_keys.sign()})
    assert worker.get(f"/c/{CLIENT_A}/p/grower/settings").get_json()["limit"] == 5
    assert _run(config_path, "plugins", "settings", "grower", "--set", "limit=9")[0] == 0
    time.sleep(0.3)
    assert worker.get(f"/c/{CLIENT_A}/p/grower/settings").get_json()["limit"] == 9


@pytest.fixture
def logged(config_path, release, make_host, launch_keys) -> Path:
    """Reads of two clients' records through a host on the CLI's database."""
    from plugin_host.config import load_config

    app = make_host(config=load_config(config_path))
    for client_id in (CLIENT_A, CLIENT_B):
        browser = app.test_client()
        browser.get("/launch", query_string={"token": launch_keys.sign(client_id=client_id)})
        assert browser.get(f"/c/{client_id}/p/client_note/").status_code == 200
    return config_path


def test_audit_search_and_export_for_one_client(logged, tmp_path):
    code, output = _run(logged, "audit", "search", "--client", CLIENT_A, "--json", "--actor", "bo")
    assert code == 0, output
    found = json.loads(output)
    assert found["total"] >= 1 and {r["client_id"] for r in found["rows"]} == {CLIENT_A}
    code, output = _run(logged, "audit", "search")
    assert code == 0 and CLIENT_A in output and CLIENT_B in output

    target = tmp_path / "pyynto.csv"
    code, output = _run(
        logged, "audit", "export", "--client", CLIENT_A, "--format", "csv", "--output", str(target)
    )
    assert code == 0 and "written to" in output
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert rows and {r["client_id"] for r in rows} == {CLIENT_A}
    assert CLIENT_B not in target.read_text()

    code, output = _run(
        logged, "audit", "export", "--client", CLIENT_A, "--format", "json", "--from", "2020-01-01"
    )
    assert code == 0
    body = json.loads(output)
    assert body["filter"] == {"client": CLIENT_A, "from": "2020-01-01"}
    assert body["rows"] and {r["client_id"] for r in body["rows"]} == {CLIENT_A}

    folder = tmp_path / "exports"
    folder.mkdir()
    _run(
        logged, "audit", "export", "--client", CLIENT_A, "--format", "json", "--output", str(folder)
    )
    assert (folder / "audit_client-c-1001.json").is_file()

    code, output = _run(logged, "audit", "search", "--from", "eilen")
    assert code == 1 and "--from: Not a valid date." in output
    views = _rows(logged, org_unit="admin")
    assert {r.operation for r in views} == {"admin.audit_search", "admin.audit_export"}
    assert ("bo", CLIENT_A) in {(r.worker_id, r.client_id) for r in views}
