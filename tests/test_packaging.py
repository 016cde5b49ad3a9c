"""A regular (non-editable) install carries everything the host reads from disk."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_templates_migrations_contract_and_catalogs(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    [wheel] = tmp_path.glob("systemic_plugin_host-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "plugin_host/templates/host/base.html",
        "plugin_host/static/host.css",
        "plugin_host/storage/migrations/env.py",
        "plugin_host/storage/migrations/versions/0001_initial_host_tables.py",
        "plugin_host/translations/fi/LC_MESSAGES/messages.po",
        "adapters/soap/record_system.wsdl",
        "adapters/soap/record_system.xsd",
        "reference_record_system/templates/web/client_record.html",
        "plugin_host/storage/migrations/versions/0004_kanta_transmission.py",
        "plugins/genogram/templates/genogram/editor.html",
        "plugins/genogram/static/editor.js",
        "plugins/genogram/translations/fi/LC_MESSAGES/messages.po",
        "adapters/kanta/codes/document_types.json",
        "adapters/kanta/schemas/hl7finland.xsd",
    ):
        assert expected in names
    assert not any(name.startswith(("tests/", "examples/")) for name in names)
