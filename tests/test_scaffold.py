"""The plugin kit: ``plugin-host new-plugin`` makes a package that passes its own tests and the
contract suite; a bad plugin fails the contract suite with messages that say what to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from plugin_host.cli import main
from plugin_host.testing.contract import (
    Contract,
    foreign_client_problems,
    log_problems,
    manifest_problems,
    scope_problems,
    translation_problems,
)
from tests.bad_vendor import plugin as bad_vendor

ROOT = Path(__file__).resolve().parents[1]
NAME = "acme_notes"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("vendor")
    answer = CliRunner().invoke(
        main,
        [
            "new-plugin",
            NAME,
            "--directory",
            str(directory),
            "--title-fi",
            "Acme-muistiot",
            "--title-sv",
            "Acme-anteckningar",
            "--title-en",
            "Acme notes",
        ],
    )
    assert answer.exit_code == 0, answer.output
    return directory / NAME


def _run_pytest(package: Path, *args: str) -> subprocess.CompletedProcess:
    """The generated package's tests, as its vendor runs them: its own folder as the rootdir,
    the package importable without installing it."""
    environment = {**os.environ, "PYTHONPATH": str(package)}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        str(package / "tests"),
    ]
    return subprocess.run(
        [*command, *args],
        cwd=package,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_new_plugin_writes_an_installable_package(generated: Path) -> None:
    files = {str(p.relative_to(generated)) for p in generated.rglob("*") if p.is_file()}
    assert {
        "pyproject.toml",
        "setup.cfg",
        "babel.cfg",
        "README.md",
        "CHANGELOG.md",
        "acme_notes/__init__.py",
        "acme_notes/plugin.py",
        "acme_notes/schemas.py",
        "acme_notes/views.py",
        "acme_notes/templates/acme_notes/panel.html",
        "acme_notes/translations/messages.pot",
        "tests/conftest.py",
        "tests/test_panel.py",
        "tests/test_contract.py",
    } <= files
    for locale in ("fi", "sv", "en"):
        assert f"acme_notes/translations/{locale}/LC_MESSAGES/messages.po" in files
        assert f"acme_notes/translations/{locale}/LC_MESSAGES/messages.mo" in files
    setup = (generated / "setup.cfg").read_text()
    assert "plugin_host.plugins =\n    acme_notes = acme_notes.plugin" in setup
    plugin = (generated / "acme_notes" / "plugin.py").read_text()
    assert "def client_blueprint()" in plugin and "plugin_blueprint" not in plugin
    views = (generated / "acme_notes" / "views.py").read_text()
    assert 'TITLE = {"fi": "Acme-muistiot", "sv": "Acme-anteckningar", "en": "Acme notes"}' in views
    lint = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "ruff"), "check", "--no-cache", str(generated)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout


def test_the_generated_plugin_passes_its_own_tests_and_the_contract_suite(
    generated: Path,
) -> None:
    run = _run_pytest(generated, "-m", "not browser")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "9 passed, 1 deselected" in run.stdout, run.stdout


@pytest.mark.browser
def test_the_generated_plugins_pages_pass_axe_core(generated: Path) -> None:
    run = _run_pytest(generated, "-k", "accessibility", "-m", "browser")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout, run.stdout


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("acme_team", "A name may not end in _team."),
        ("acme_unit", "A name may not end in _unit."),
        ("Acme", "Use a-z, 0-9 and _ only."),
        ("a", "Use a-z, 0-9 and _ only."),
        ("acme-notes", "Use a-z, 0-9 and _ only."),
    ],
)
def test_new_plugin_refuses_an_invalid_name(tmp_path: Path, name: str, message: str) -> None:
    answer = CliRunner().invoke(main, ["new-plugin", name, "--directory", str(tmp_path)])
    assert answer.exit_code == 1
    assert f"{name!r} is not a valid plugin name: {message}" in answer.output
    assert list(tmp_path.iterdir()) == []


def test_new_plugin_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / "mine.py").write_text("# keep me\n")
    answer = CliRunner().invoke(main, ["new-plugin", NAME, "--directory", str(tmp_path)])
    assert answer.exit_code == 1
    assert "already exists: choose another --directory or name" in answer.output
    assert [p.name for p in tmp_path.iterdir()] == [NAME]
    assert [p.name for p in (tmp_path / NAME).iterdir()] == ["mine.py"]


# --- the bad plugin ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def plugin_host_record_system(record_system_server):
    """The session's record system serves the host's pytest plugin here too."""
    return record_system_server


@pytest.fixture
def plugin_under_test():
    return bad_vendor, bad_vendor.NAME


@pytest.fixture
def plugin_host_form_data():
    return {"bad_vendor.add_note": {"text": "Bad vendor note {marker}"}}


def test_a_bad_plugin_fails_the_contract_with_what_to_fix(plugin_host_contract: Contract):
    assert manifest_problems(plugin_host_contract) == []

    scopes = scope_problems(plugin_host_contract)
    assert scopes == [
        "scope documents.read:bad_vendor is declared but no route uses it: remove it from the "
        "manifest's scopes",
        "scope documents.write:bad_vendor is declared but no route uses it: remove it from the "
        "manifest's scopes",
        "scope family.read is declared but no route uses it: remove it from the manifest's scopes",
    ]

    translations = translation_problems(plugin_host_contract)
    sv_catalog = "tests/bad_vendor/translations/sv/LC_MESSAGES/messages.po"
    assert (
        f"sv: 1 of 2 messages are not translated in {sv_catalog} ('Add a note'): translate them "
        "(a fuzzy one counts as untranslated), then `pybabel compile -d "
        "tests/bad_vendor/translations`"
    ) in translations
    assert not [p for p in translations if p.startswith("fi: 1 of")]

    foreign = foreign_client_problems(plugin_host_contract)
    assert (
        "GET /c/c-1001/p/bad_vendor/notes/c-1002 (a launch for c-1001, with c-1002 named in the "
        "URL) shows data of client c-1002 (1 name(s), identity code(s) or text(s) of theirs): "
        "take the client from api.current_launch() or use api.gateway(), never a client id from "
        "the URL, the query or the form"
    ) in foreign
    assert (
        "a write in the launch for c-1001 (POST /c/c-1001/p/bad_vendor/notes/c-1002) shows up "
        "for client c-1002 at GET /c/c-1002/p/bad_vendor/notes/c-1002: write only about the "
        "launched client (api.gateway().save_document, api.plugin_state()), never a client "
        "named in the URL, the query or the form"
    ) in foreign
    # The host itself refuses another client's path, whatever the plugin does.
    assert not [p for p in foreign if "not 403" in p]

    logs = log_problems(plugin_host_contract)
    assert len(logs) == 1
    assert logs[0].startswith("the log record of logger 'tests.bad_vendor.plugin' at ")
    assert logs[0].endswith(
        "holds a client's or family member's name: log ids of your own (document ids, write "
        "ids) or counts, never names, identity codes or client ids (the host's audit log "
        "records who was read)"
    )


def test_the_contract_finds_an_undeclared_scope(
    plugin_host_contract: Contract, monkeypatch: pytest.MonkeyPatch
):
    """The bad plugin's panel asks for client.read: with the manifest not declaring it, the
    contract names the call to stop or the scope to add."""
    manifest = bad_vendor.plugin_manifest()
    registry = plugin_host_contract.services.registry
    installed = registry.plugins["bad_vendor"]
    monkeypatch.setattr(
        installed,
        "manifest",
        type(installed.manifest)(
            **{**vars(installed.manifest), "scopes": tuple(manifest["scopes"][1:])}
        ),
    )
    problems = scope_problems(plugin_host_contract)
    assert (
        "GET /c/c-1001/p/bad_vendor/ asks the gateway for scope client.read, which the manifest "
        "does not declare: add client.read to the manifest's scopes, or stop calling "
        "api.gateway().client()"
    ) in problems
