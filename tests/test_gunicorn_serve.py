"""``plugin-host serve --workers 2``: gunicorn as a real process against the reference system."""

from __future__ import annotations

import datetime
import gc
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from gunicorn.config import Config

from plugin_host import __version__
from plugin_host.demo import DEMO_UNIT, free_port, stop_process, wait_until_up
from plugin_host.enablement import Enablement
from plugin_host.gunicorn_app import ACCESS_LOG_FORMAT, HostApplication, RedactingLogger
from plugin_host.registry import PluginRegistry
from plugin_host.storage import Database
from tests.fixtures.host import CLIENT_A, LaunchKeys, write_host_config

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def gunicorn_host(
    tmp_path: Path, record_system_server, launch_keys: LaunchKeys
) -> Iterator[tuple[str, Path]]:
    """A host served by ``plugin-host serve --workers 2``; yields its URL and its log file."""
    config = write_host_config(tmp_path / "host", record_system_server.url, launch_keys.public_key)
    database = Database(config.database_url)
    database.upgrade()
    registry = PluginRegistry(__version__, config.hook_budget_seconds)
    registry.discover()
    enablement = Enablement(database)
    enablement.set_enabled("client_note", DEMO_UNIT, True, "test-admin")
    enablement.approve("client_note", registry.manifest("client_note").scopes, "test-admin")
    database.engine.dispose()

    port = free_port()
    log_path = tmp_path / "host.log"
    command = [sys.executable, "-m", "plugin_host.cli", "serve", "--workers", "2"]
    command += ["--config", str(tmp_path / "host" / "host.toml"), "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_up(f"{url}/-/health", 60, process=process)
        except RuntimeError as exc:
            raise RuntimeError(log_path.read_text()) from exc
        yield url, log_path
    finally:
        stop_process(process, seconds=30)


def test_two_workers_serve_health_launch_and_panel(gunicorn_host, launch_keys: LaunchKeys):
    url, log_path = gunicorn_host
    health = requests.get(f"{url}/-/health", timeout=10)
    assert health.status_code == 200
    assert health.json()["status"] == "ok"

    browser = requests.Session()
    launched = browser.get(
        f"{url}/launch",
        params={"token": launch_keys.sign(view="client_note/panel")},
        allow_redirects=False,
        timeout=10,
    )
    assert launched.status_code == 303, launched.text
    panel_url = requests.compat.urljoin(url, launched.headers["Location"])
    assert f"/c/{CLIENT_A}/" in panel_url
    # Fresh connections land on either worker; the session lives in the database, so both
    # know it.
    for _ in range(6):
        panel = browser.get(panel_url, headers={"Connection": "close"}, timeout=10)
        assert panel.status_code == 200, panel.text
        assert "<html" in panel.text.lower()

    time.sleep(0.2)  # the access log line is written after the response
    log = log_path.read_text()
    assert "Booting worker" in log
    request_lines = [line for line in log.splitlines() if '"GET ' in line]
    assert any('"GET /launch HTTP/1.1" 303' in line for line in request_lines), log
    assert any('"GET /c/-/' in line and '" 200 ' in line for line in request_lines), log
    assert "token=" not in log
    assert "?" not in "".join(request_lines)
    assert CLIENT_A not in log


def test_access_log_atoms_carry_no_query_string_client_or_headers():
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/c/c-1001/genogram/?token=secret.jwt",
        "PATH_INFO": "/c/c-1001/genogram/",
        "QUERY_STRING": "token=secret.jwt",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "http://records.test/clients/c-1001?token=secret.jwt",
    }
    response = SimpleNamespace(status="200 OK", sent=12, headers=[("Set-Cookie", "s=1")])
    request = SimpleNamespace(headers=[("COOKIE", "plugin_host_session=abc")])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))
    assert atoms["r"] == "GET /c/-/genogram/ HTTP/1.1"
    assert atoms["U"] == "/c/-/genogram/"
    line = ACCESS_LOG_FORMAT % logger.atoms_wrapper_class(atoms)
    assert line.endswith('"GET /c/-/genogram/ HTTP/1.1" 200 12 5ms')
    for secret in ("secret", "c-1001", "abc", "records.test"):
        assert secret not in repr(atoms)
    wrapped = logger.atoms_wrapper_class(atoms)
    assert wrapped["q"] == wrapped["f"] == wrapped["{cookie}i"] == wrapped["{query_string}e"] == "-"


def test_a_worker_builds_its_app_then_freezes_the_start_up_heap(
    tmp_path: Path, record_system_server, launch_keys: LaunchKeys
):
    """What start-up built is kept out of later full collections (``freeze_startup_heap``)."""
    write_host_config(tmp_path / "host", record_system_server.url, launch_keys.public_key)
    application = HostApplication(
        str(tmp_path / "host" / "host.toml"), "127.0.0.1", free_port(), workers=2, threads=2
    )
    gc.unfreeze()
    try:
        app = application.load()
        assert gc.get_freeze_count() > 0
        # Frozen objects are outside the collector's generations: the app is among them.
        assert not any(tracked is app for tracked in gc.get_objects())
    finally:
        gc.unfreeze()
