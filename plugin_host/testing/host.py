"""A host configured against the reference record system, launch keys, and launched clients."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from plugin_host import __version__
from plugin_host.app import create_app
from plugin_host.config import HostConfig, load_config
from plugin_host.demo import DEMO_ISSUER, DEMO_UNIT, host_config_text
from plugin_host.enablement import Enablement
from plugin_host.registry import PluginRegistry

HOST_URL = "http://host.test"
DEMO_WORKER = "w-demo"
CLIENT_A = "c-1001"
CLIENT_B = "c-1002"
SQLITE_URL = "sqlite:///host.db"  # beside the configuration
TEST_ADMIN = "test-admin"


@dataclass(frozen=True)
class LaunchKeys:
    private_key: Path
    public_key: Path

    def sign(self, **claims: Any) -> str:
        """A launch token as the reference record system would sign it; claims override."""
        from reference_record_system.launch_signer import sign_launch

        values: dict[str, Any] = {
            "issuer": DEMO_ISSUER,
            "audience": HOST_URL,
            "worker_id": DEMO_WORKER,
            "org_unit": DEMO_UNIT,
            "client_id": CLIENT_A,
            "purpose": "asiakastyö",
            "locale": "fi",
            "view": "client_note/panel",
        }
        values.update(claims)
        return sign_launch(self.private_key.read_bytes(), **values)


def make_launch_keys(directory: Path) -> LaunchKeys:
    """A new key pair in ``directory``: the record system signs launches with its private half."""
    from reference_record_system.launch_signer import generate_key_pair

    private, public = generate_key_pair(directory)
    return LaunchKeys(private_key=private, public_key=public)


def write_host_config(
    directory: Path, records_url: str, public_key: Path, database_url: str = SQLITE_URL
) -> HostConfig:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "secret-key").write_text(secrets.token_hex(32))
    path = directory / "host.toml"
    path.write_text(
        host_config_text(
            public_url=HOST_URL,
            database_url=database_url,
            records_url=records_url,
            public_key_file=str(public_key),
            secret_key_file="secret-key",  # noqa: S106 - a file name, not a secret
            outbox_worker=False,  # tests deliver with outbox.drain() when they mean to
            records_timeout_seconds=1,  # so a timeout-after-commit fault is quick to provoke
        )
    )
    return load_config(path)


def build_host(
    host_config: HostConfig,
    extra_plugins: Iterable[tuple[ModuleType | object, str]] = (),
    enable: Iterable[str] = (),
    config: HostConfig | None = None,
) -> Flask:
    """A host app: the discovered plugins and ``extra_plugins`` (module, name) beside them; each
    plugin in ``enable`` enabled for the demo unit with every scope it asks for approved."""
    registry = PluginRegistry(__version__, host_config.hook_budget_seconds)
    registry.discover()
    for module, name in extra_plugins:
        registry.add(module, expected_name=name, source="test")
    app = create_app(config or host_config, registry=registry)
    app.config["TESTING"] = True
    enablement = Enablement(app.extensions["plugin_host"].database)
    for name in enable:
        enablement.set_enabled(name, DEMO_UNIT, True, TEST_ADMIN)
        enablement.approve(name, registry.manifest(name).scopes, TEST_ADMIN)
    return app


def launch_client(
    app: Flask, keys: LaunchKeys, client_id: str = CLIENT_A, **claims: Any
) -> FlaskClient:
    """A fresh browser-like test client with a launch opened for ``client_id``."""
    browser = app.test_client()
    answer = browser.get(
        "/launch", query_string={"token": keys.sign(client_id=client_id, **claims)}
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return browser
