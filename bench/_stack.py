"""The whole stack for a benchmark: a reference record system and a host as real processes.

Set up as the demo is (``prepare``, ``enable_everything``, ``start_record_system``), on free
loopback ports in a directory of the benchmark's own, so that what is measured is what a
deployment of one host beside one record system would do: real HTTP, real SOAP, real SQLite.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from plugin_host.config import OutboxConfig, load_config
from plugin_host.demo import (
    DEMO_ISSUER,
    DEMO_UNIT,
    enable_everything,
    free_port,
    prepare,
    start_host,
    start_record_system,
    stop_process,
    wait_until_up,
)
from reference_record_system.launch_signer import sign_launch
from reference_record_system.store import RecordStore

WORKER = "w-demo"  # the seeded worker of team-a, who may open c-1001..c-1004
PURPOSE = "asiakastyö"
HTTP_TIMEOUT = 30
_STOP_SECONDS = 10


@dataclass(frozen=True)
class Stack:
    directory: Path
    config: Path
    host_url: str
    records_url: str

    @property
    def outbox(self) -> OutboxConfig:
        """The outbox settings the host runs with, as it reads them from its configuration."""
        return load_config(self.config).outbox

    def private_key(self) -> bytes:
        return (self.directory / "keys" / "launch-private.pem").read_bytes()

    def record_store(self) -> RecordStore:
        """The record system's own database: the truth about what arrived."""
        return RecordStore(str(self.directory / "records.db"))

    def set_faults(self, **faults: Any) -> None:
        """Replace the record system's fixed fault settings, e.g. ``http_503=True``."""
        answer = requests.put(f"{self.records_url}/-/faults", json=faults, timeout=HTTP_TIMEOUT)
        answer.raise_for_status()

    def reset_faults(self) -> None:
        requests.delete(f"{self.records_url}/-/faults", timeout=HTTP_TIMEOUT).raise_for_status()

    def health(self) -> dict[str, Any]:
        answer = requests.get(f"{self.host_url}/-/health", timeout=HTTP_TIMEOUT)
        answer.raise_for_status()
        return answer.json()


class HostSession:
    """One launched session of the seeded worker for one client, as a record-system tab has."""

    def __init__(self, stack: Stack, client_id: str) -> None:
        self.client_id = client_id
        self.base = f"{stack.host_url}/c/{client_id}"
        self.http = requests.Session()
        token = sign_launch(
            stack.private_key(),
            issuer=DEMO_ISSUER,
            audience=stack.host_url,
            worker_id=WORKER,
            org_unit=DEMO_UNIT,
            client_id=client_id,
            purpose=PURPOSE,
        )
        launched = self.http.get(
            f"{stack.host_url}/launch",
            params={"token": token},
            allow_redirects=False,
            timeout=HTTP_TIMEOUT,
        )
        if launched.status_code != 303:
            raise RuntimeError(f"launch for {client_id} answered {launched.status_code}")
        self.csrf = self.session_info().json()["csrf_token"]

    def session_info(self) -> requests.Response:
        """``GET /c/<client>/api/session``: cheap, behind the same session and launch checks."""
        answer = self.http.get(f"{self.base}/api/session", timeout=HTTP_TIMEOUT)
        answer.raise_for_status()
        return answer

    def post_json(self, path: str, body: dict[str, Any]) -> requests.Response:
        return self.http.post(
            f"{self.base}{path}",
            json=body,
            headers={"X-CSRF-Token": self.csrf},
            timeout=HTTP_TIMEOUT,
        )


def _outbox_tuning(settings: dict[str, Any]) -> str:
    # TOML values: booleans lower-case, numbers as they are.
    return "".join(
        f"{key} = {str(value).lower() if isinstance(value, bool) else value}\n"
        for key, value in settings.items()
    )


def _configure(directory: Path, outbox: dict[str, Any]) -> Stack:
    host_url = f"http://127.0.0.1:{free_port()}"
    records_url = f"http://127.0.0.1:{free_port()}"
    config = prepare(directory, host_url, records_url)
    # host_config_text ends with the [outbox] table, so these lines land in it; Stack.outbox
    # reads the result back, so a setting that did not take is seen in the printed figures.
    with config.open("a") as toml:
        toml.write(_outbox_tuning(outbox))
    enable_everything(config, DEMO_UNIT, actor="bench")
    return Stack(directory, config, host_url, records_url)


def _start_host(stack: Stack) -> subprocess.Popen:
    with (stack.directory / "host.log").open("ab") as log:
        return start_host(stack.config, stack.host_url, log)


@contextmanager
def _directory(keep: bool) -> Iterator[Path]:
    if keep:
        yield Path(tempfile.mkdtemp(prefix="bench-"))
        return
    with tempfile.TemporaryDirectory(prefix="bench-") as name:
        yield Path(name)


@contextmanager
def running_stack(outbox: dict[str, Any], keep: bool = False) -> Iterator[Stack]:
    """Record system and host up on loopback; both stopped on the way out.

    ``outbox`` adds settings to the host's ``[outbox]`` table (not ``worker``: the demo's
    configuration sets it already, on); ``keep`` leaves the directory (databases, logs) behind
    for a look afterwards.
    """
    with _directory(keep) as directory:
        stack = _configure(directory, outbox)
        with (directory / "records.log").open("ab") as log:
            records = start_record_system(directory, stack.records_url, stack.host_url, log)
        host = _start_host(stack)
        try:
            wait_until_up(f"{stack.records_url}/-/ready")
            wait_until_up(f"{stack.host_url}/-/health")
            yield stack
        finally:
            for process in (host, records):
                stop_process(process)
            if keep:
                print(f"kept {directory} (host.log, records.log, host.db, records.db)")


# --- additions for panel_latency: a launched view, and the host under gunicorn -----------------


def launch_view(
    stack: Stack,
    client_id: str,
    view: str | None = None,
    host_url: str | None = None,
    http: requests.Session | None = None,
) -> tuple[requests.Session, requests.Response]:
    """Sign a launch as the record system would and open it: ``GET /launch``, then the redirect.

    Returns the browser-like session and the view's response (its body read in full).
    ``host_url`` is a host serving the stack's configuration on another port (the token's
    audience is then that URL: give that host a configuration whose ``public_url`` it is).
    """
    target = host_url or stack.host_url
    http = http or requests.Session()
    token = sign_launch(
        stack.private_key(),
        issuer=DEMO_ISSUER,
        audience=target,
        worker_id=WORKER,
        org_unit=DEMO_UNIT,
        client_id=client_id,
        purpose=PURPOSE,
        view=view,
    )
    launched = http.get(
        f"{target}/launch", params={"token": token}, allow_redirects=False, timeout=HTTP_TIMEOUT
    )
    if launched.status_code != 303:
        raise RuntimeError(f"launch of {view} for {client_id} answered {launched.status_code}")
    shown = http.get(
        requests.compat.urljoin(target, launched.headers["Location"]), timeout=HTTP_TIMEOUT
    )
    return http, shown


@contextmanager
def gunicorn_host(stack: Stack, workers: int = 2, threads: int | None = None) -> Iterator[str]:
    """A second host on the stack's database, ``plugin-host serve --workers N``; yields its URL.

    Its configuration is the stack's with its own ``public_url`` (launch tokens for it name it
    as audience); log in ``host-gunicorn.log``.
    """
    url = f"http://127.0.0.1:{free_port()}"
    config = stack.directory / "host-gunicorn.toml"
    config.write_text(
        stack.config.read_text().replace(
            f'public_url = "{stack.host_url}"', f'public_url = "{url}"', 1
        )
    )
    command = [sys.executable, "-m", "plugin_host.cli", "serve", "--config", str(config)]
    command += ["--port", url.rsplit(":", 1)[1], "--workers", str(workers)]
    if threads is not None:
        command += ["--threads", str(threads)]
    with (stack.directory / "host-gunicorn.log").open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"{url}/-/health", 60, process=process)
        yield url
    finally:
        stop_process(process, seconds=30)
