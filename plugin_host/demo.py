"""``plugin-host demo``: the host and the bundled reference record system, ready on localhost."""

from __future__ import annotations

import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import requests

from plugin_host import __version__
from plugin_host.config import load_config
from plugin_host.enablement import Enablement
from plugin_host.registry import PluginRegistry
from plugin_host.storage import Database

DEMO_UNIT = "lastensuojelu-1"
DEMO_ISSUER = "reference-record-system"


def host_config_text(
    *,
    public_url: str,
    database_url: str,
    records_url: str,
    public_key_file: str,
    secret_key_file: str,
    issuer: str = DEMO_ISSUER,
    outbox_worker: bool = True,
    records_timeout_seconds: float = 5,
    kanta_keys: str | None = None,
) -> str:
    """A host configuration for a host beside a record system (demo and tests).

    ``kanta_keys`` is the folder (relative to the configuration) of ``kanta-key.pem`` and
    ``kanta-cert.pem``: with it, documents go to the record system's archive simulator.
    """
    kanta = ""
    if kanta_keys is not None:
        kanta = DEMO_KANTA.format(records_url=records_url, keys=kanta_keys)
    return f"""\
[host]
public_url = "{public_url}"
database_url = "{database_url}"
secret_key_file = "{secret_key_file}"
default_locale = "fi"

[launch]
max_token_seconds = 300

[[launch.issuers]]
issuer = "{issuer}"
public_key_file = "{public_key_file}"
origins = ["{records_url}"]

[record_system]
adapter = "soap"
endpoint = "{records_url}/soap"
timeout_seconds = {records_timeout_seconds}

[outbox]
worker = {str(outbox_worker).lower()}
{kanta}"""


# The demo's archive: the record system's simulator, a made-up controller, a test certificate.
DEMO_KANTA = """
[kanta]
archive_url = "{records_url}/kanta"
production = false
custodian_oid = "1.2.246.10.99999999"
custodian_name = "Kuvitteellinen hyvinvointialue"
sender_oid = "1.2.246.10.99999999.10.1"
receiver_oid = "2.999.1.1"
key_file = "{keys}/kanta-key.pem"
certificate_file = "{keys}/kanta-cert.pem"
"""


def prepare(directory: Path, host_url: str, records_url: str) -> Path:
    """Keys, secret and configuration in ``directory``; returns the configuration's path."""
    from reference_record_system.launch_signer import generate_key_pair

    directory.mkdir(parents=True, exist_ok=True)
    keys = directory / "keys"
    if not (keys / "launch-public.pem").exists():
        generate_key_pair(keys)
    if not (keys / "kanta-cert.pem").exists():
        from adapters.kanta.signing import generate_test_certificate, write_pem_files

        key, certificate = generate_test_certificate("Plugin host demo system")
        write_pem_files(key, [certificate], keys / "kanta-key.pem", keys / "kanta-cert.pem")
    secret = directory / "secret-key"
    if not secret.exists():
        secret.write_text(secrets.token_hex(32))
        secret.chmod(0o600)
    config = directory / "host.toml"
    config.write_text(
        host_config_text(
            public_url=host_url,
            database_url="sqlite:///host.db",
            records_url=records_url,
            public_key_file="keys/launch-public.pem",
            secret_key_file="secret-key",  # noqa: S106 - a file name, not a secret
            kanta_keys="keys",
        )
    )
    return config


def enable_everything(config_path: Path, org_unit: str, actor: str) -> list[str]:
    """Enable every installed vendor plugin for ``org_unit`` and approve what it asks for."""
    config = load_config(config_path)
    database = Database(config.database_url)
    database.upgrade()
    registry = PluginRegistry(__version__, config.hook_budget_seconds)
    registry.discover()
    enablement = Enablement(database)
    names = []
    for plugin in registry.loaded():
        if plugin.manifest.internal:
            continue
        enablement.set_enabled(plugin.name, org_unit, True, actor)
        enablement.approve(plugin.name, plugin.manifest.scopes, actor)
        names.append(plugin.name)
    return names


def wait_until_up(url: str, seconds: float = 20, process: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers OK; fail early if ``process`` (the server) has exited.

    A slow answer counts as not up yet: gunicorn's master listens at once and a request waits
    in its backlog until a worker has its app.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


def start_record_system(
    directory: Path, records_url: str, host_url: str, log: IO[bytes] | None = None
) -> subprocess.Popen:
    """The bundled record system as its own process, signing launches with the demo key."""
    port = records_url.rsplit(":", 1)[1]
    command = [sys.executable, "-m", "reference_record_system", "serve", "--port", port]
    command += ["--db", str(directory / "records.db"), "--host-url", host_url]
    command += ["--private-key", str(directory / "keys" / "launch-private.pem")]
    command += ["--issuer", DEMO_ISSUER, "--org-unit", DEMO_UNIT]
    command += ["--kanta-trusted-certs", str(directory / "keys" / "kanta-cert.pem")]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command, stdout=log, stderr=subprocess.STDOUT if log else None
    )


def run_demo(directory: Path, host_port: int, records_port: int) -> None:
    host_url = f"http://127.0.0.1:{host_port}"
    records_url = f"http://127.0.0.1:{records_port}"
    directory = directory.resolve()
    # Stopped by a service manager or `timeout`: still run the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    config_path = prepare(directory, host_url, records_url)
    enabled = enable_everything(config_path, DEMO_UNIT, actor="demo")
    records = start_record_system(directory, records_url, host_url)
    try:
        wait_until_up(f"{records_url}/-/ready")
        print(f"Record system: {records_url}/   (WSDL {records_url}/soap?wsdl)")
        print(f"Plugin host:   {host_url}/-/health   {host_url}/-/plugins")
        print(f"Enabled for {DEMO_UNIT}: {', '.join(enabled) or 'no plugins installed'}")
        print("Open the record system, choose a client, and see the plugins in the record.")
        from plugin_host.app import create_app
        from plugin_host.serving import serve

        serve(create_app(load_config(config_path)), "127.0.0.1", host_port)
    finally:
        records.terminate()
        records.wait(timeout=10)


def free_port() -> int:
    """A loopback port nobody listens on now (the demo's stand-ins in tests and benchmarks)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_host(config: Path, host_url: str, log: IO[bytes] | None = None) -> subprocess.Popen:
    """The host as its own process, serving ``config`` on the port of ``host_url``."""
    port = host_url.rsplit(":", 1)[1]
    command = [sys.executable, "-m", "plugin_host.cli", "serve", "--config", str(config)]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [*command, "--port", port], stdout=log, stderr=subprocess.STDOUT if log else None
    )


def stop_process(process: subprocess.Popen, seconds: float = 10) -> None:
    """Terminate politely, then kill."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=seconds)
