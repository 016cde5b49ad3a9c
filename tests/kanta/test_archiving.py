"""A genogram from the record to the archive: host → Kanta adapter → archive simulator, all real.

The record system (with its archive simulator trusting our test system certificate) runs as its
own process; the host builds, validates, signs and frames each version and sends it over HTTP.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from adapters.kanta import signing
from adapters.kanta.transport import ArchiveUnavailable
from plugin_host import __version__
from plugin_host.app import create_app
from plugin_host.config import load_config
from plugin_host.demo import DEMO_UNIT
from plugin_host.enablement import Enablement
from plugin_host.registry import PluginRegistry
from plugin_host.storage.models import AuditEvent
from tests.fixtures.host import write_host_config
from tests.fixtures.record_system import RecordSystemProcess, start_record_system

CLIENT = "c-1003"
KANTA_SECTION = """
[kanta]
archive_url = "{url}/kanta"
production = false
custodian_oid = "1.2.246.10.99999999"
custodian_name = "Kuvitteellinen hyvinvointialue"
sender_oid = "1.2.246.10.99999999.10.1"
receiver_oid = "2.999.1.1"
key_file = "kanta-key.pem"
certificate_file = "kanta-cert.pem"
"""


@pytest.fixture(scope="module")
def archive_and_records(tmp_path_factory) -> Iterator[tuple[RecordSystemProcess, Path]]:
    directory = tmp_path_factory.mktemp("kanta")
    key, cert = signing.generate_test_certificate("Plugin host test system")
    signing.write_pem_files(key, [cert], directory / "kanta-key.pem", directory / "kanta-cert.pem")
    records = start_record_system(directory, kanta_trusted_certs=directory / "kanta-cert.pem")
    try:
        yield records, directory
    finally:
        records.stop()


@pytest.fixture
def app(archive_and_records, launch_keys, tmp_path) -> Flask:
    records, keys = archive_and_records
    host_dir = tmp_path / "host"
    write_host_config(host_dir, records.url, launch_keys.public_key)
    for name in ("kanta-key.pem", "kanta-cert.pem"):
        (host_dir / name).write_bytes((keys / name).read_bytes())
    with (host_dir / "host.toml").open("a") as toml:
        toml.write(KANTA_SECTION.format(url=records.url))
    registry = PluginRegistry(__version__, 2.0)
    registry.discover()
    host = create_app(load_config(host_dir / "host.toml"), registry=registry)
    enablement = Enablement(host.extensions["plugin_host"].database)
    enablement.set_enabled("genogram", DEMO_UNIT, True, "test-admin")
    enablement.approve("genogram", registry.manifest("genogram").scopes, "test-admin")
    return host


def _launch(app: Flask, launch_keys):
    browser = app.test_client()
    answer = browser.get(
        "/launch",
        query_string={"token": launch_keys.sign(client_id=CLIENT, view="genogram/editor")},
    )
    page = browser.get(answer.headers["Location"]).get_data(as_text=True)
    genogram = json.loads(page.split('id="genogram-data">')[1].split("</script>")[0])
    csrf = page.split('data-csrf-token="')[1].split('"')[0]
    return browser, genogram, csrf, _saved_as(page)


def _saved_as(page: str) -> tuple[str | None, int | None]:
    """The document and version the editor shows (None, None for a first draft)."""
    document = re.search(r'data-document-id="([^"]+)"', page)
    version = re.search(r'data-version="(\d+)"', page)
    return (document.group(1) if document else None, int(version.group(1)) if version else None)


def _save(app, browser, csrf, genogram, document_id=None, version=None) -> tuple[str, int]:
    answer = browser.post(
        f"/c/{CLIENT}/p/genogram/save",
        json={
            "genogram": genogram,
            "document_id": document_id,
            "expected_version": version,
            "idempotency_key": uuid.uuid4().hex,
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 202
    app.extensions["plugin_host"].outbox.drain()
    listing = browser.get(f"/c/{CLIENT}/api/genogram/documents/genogram").json["documents"]
    newest = max(listing, key=lambda ref: ref["created_at"])
    return newest["document_id"], newest["version"]


def test_each_record_version_becomes_the_next_archive_version_of_one_set(
    app, archive_and_records, launch_keys
):
    records, _keys = archive_and_records
    browser, genogram, csrf, saved = _launch(app, launch_keys)
    document_id, version = _save(app, browser, csrf, genogram, *saved)

    first = browser.post(f"/c/{CLIENT}/api/kanta/{document_id}", headers={"X-CSRF-Token": csrf})
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.json["status"] == "accepted", first.json["errors"]
    assert first.json["kanta_version"] == 1
    assert first.json["set_oid"] == first.json["document_oid"]

    genogram["note"] = "Tarkennettu tapaamisessa"
    document_id, version = _save(app, browser, csrf, genogram, document_id, version)
    second = browser.post(f"/c/{CLIENT}/api/kanta/{document_id}", headers={"X-CSRF-Token": csrf})
    assert second.json["status"] == "accepted", second.json["errors"]
    assert (second.json["kanta_version"], second.json["set_oid"]) == (2, first.json["set_oid"])
    assert second.json["document_oid"] != first.json["document_oid"]

    # Asking again for a version already archived sends nothing new.
    again = browser.post(f"/c/{CLIENT}/api/kanta/{document_id}", headers={"X-CSRF-Token": csrf})
    assert again.json["correlation_id"] == second.json["correlation_id"]

    stored = requests.get(f"{records.url}/kanta/documents/{first.json['set_oid']}", timeout=5)
    versions = stored.json()
    listed = versions["versions"] if isinstance(versions, dict) else versions
    assert [v["version"] for v in listed] == [1, 2]

    sendings = browser.get(f"/c/{CLIENT}/api/kanta/{document_id}").json["transmissions"]
    assert [s["kanta_version"] for s in sendings] == [2, 1]
    with app.extensions["plugin_host"].database.transaction() as session:
        disclosures = session.scalars(
            select(AuditEvent).where(AuditEvent.operation == "kanta.disclose")
        ).all()
        assert {(d.client_id, d.outcome) for d in disclosures} == {(CLIENT, "accepted")}


def test_a_host_without_kanta_configuration_has_no_archive_routes(make_host, launch_keys):
    host = make_host(enable=("genogram",))
    browser = host.test_client()
    browser.get("/launch", query_string={"token": launch_keys.sign(client_id=CLIENT)})
    assert browser.get(f"/c/{CLIENT}/api/kanta/anything").status_code == 404


def test_a_worker_sends_a_version_from_the_genogram_page(app, launch_keys):
    browser, genogram, csrf, saved = _launch(app, launch_keys)
    genogram["note"] = "Arkistoitava versio"
    document_id, version = _save(app, browser, csrf, genogram, *saved)
    page = browser.get(f"/c/{CLIENT}/p/genogram/versions/{version}").get_data(as_text=True)
    action = f'action="/c/{CLIENT}/kanta/{document_id}"'
    assert action in page
    answer = browser.post(
        f"/c/{CLIENT}/kanta/{document_id}",
        data={
            "csrf_token": csrf,
            "version": version,
            "back": f"/c/{CLIENT}/p/genogram/versions/{version}",
        },
    )
    result = answer.get_data(as_text=True)
    assert answer.status_code == 200, result
    assert "Arkisto hyväksyi" in result or "accepted" in result
    assert f'href="/c/{CLIENT}/p/genogram/versions/{version}"' in result
    forged_back = browser.post(
        f"/c/{CLIENT}/kanta/{document_id}",
        data={"csrf_token": csrf, "version": version, "back": "https://elsewhere.example/"},
    )
    assert "elsewhere" not in forged_back.get_data(as_text=True)


def test_a_sending_left_without_an_answer_is_settled_from_the_archives_listing(
    app, archive_and_records, launch_keys, monkeypatch
):
    """The answer is lost after the archive stored the version: asking again must not send a
    second version, and the sending becomes accepted from the archive's own listing."""
    records, _keys = archive_and_records
    browser, genogram, csrf, saved = _launch(app, launch_keys)
    genogram["note"] = "Vastaus katosi matkalla"
    document_id, _version = _save(app, browser, csrf, genogram, *saved)
    archive = app.extensions["plugin_host"].archiving._archive
    real_submit = archive.submit

    def answer_lost(document):
        real_submit(document)
        raise ArchiveUnavailable("reply lost")

    monkeypatch.setattr(archive, "submit", answer_lost)
    lost = browser.post(f"/c/{CLIENT}/api/kanta/{document_id}", headers={"X-CSRF-Token": csrf})
    assert lost.json["status"] == "unknown"
    monkeypatch.setattr(archive, "submit", real_submit)

    settled = browser.post(f"/c/{CLIENT}/api/kanta/{document_id}", headers={"X-CSRF-Token": csrf})
    assert settled.json["status"] == "accepted"
    assert settled.json["document_oid"] == lost.json["document_oid"]
    listing = requests.get(f"{records.url}/kanta/documents/{lost.json['set_oid']}", timeout=5)
    body = listing.json()
    stored = body["versions"] if isinstance(body, dict) else body
    assert [v["document_oid"] for v in stored if v["status"] == "current"] == [
        lost.json["document_oid"]
    ]


def test_an_older_version_is_not_sent_over_a_newer_one(app, launch_keys):
    browser, genogram, csrf, saved = _launch(app, launch_keys)
    genogram["note"] = "Ensin tämä"
    document_id, older = _save(app, browser, csrf, genogram, *saved)
    genogram["note"] = "Sitten tämä"
    document_id, newer = _save(app, browser, csrf, genogram, document_id, older)
    sent = browser.post(f"/c/{CLIENT}/api/kanta/{document_id}", headers={"X-CSRF-Token": csrf})
    assert sent.json["status"] == "accepted" and sent.json["record_version"] == newer
    back = browser.post(
        f"/c/{CLIENT}/api/kanta/{document_id}",
        json={"version": older},
        headers={"X-CSRF-Token": csrf},
    )
    assert back.status_code == 409
