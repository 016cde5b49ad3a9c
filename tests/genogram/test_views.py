"""The genogram plugin in a host against the real reference record system (SOAP over HTTP)."""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select

from plugin_host.storage.models import AuditEvent

PREFIX = "/c/{client}/p/genogram"


@pytest.fixture
def app(make_host) -> Flask:
    return make_host(enable=("genogram",))


@pytest.fixture
def open_genogram(app: Flask, launch_keys) -> Callable[..., tuple[FlaskClient, str, str]]:
    """Launch for a client (English unless told), open the editor: browser, page, CSRF token."""

    def launch(client_id: str, locale: str = "en") -> tuple[FlaskClient, str, str]:
        browser = app.test_client()
        answer = browser.get(
            "/launch",
            query_string={
                "token": launch_keys.sign(
                    client_id=client_id, view="genogram/editor", locale=locale
                )
            },
        )
        assert answer.status_code == 303
        page = browser.get(answer.headers["Location"])
        assert page.status_code == 200, page.get_data(as_text=True)
        html = page.get_data(as_text=True)
        return browser, html, _csrf(html)

    return launch


def _csrf(html: str) -> str:
    found = re.search(r'csrf[-_]token"?[^>]*?(?:value|content)="([^"]+)"', html)
    assert found, "the editor carries the CSRF token"
    return found.group(1)


def svg_root_kind(data: bytes) -> str | None:
    return etree.fromstring(data).get("aria-roledescription")


def _seeded(html: str) -> dict:
    raw = re.search(
        r'<script type="application/json" id="genogram-data">(.*?)</script>', html, re.S
    )
    assert raw, "the editor embeds the genogram as JSON"
    return json.loads(raw.group(1))


def _save(browser, client_id, csrf, genogram, document_id=None, expected_version=None):
    return browser.post(
        f"{PREFIX.format(client=client_id)}/save",
        json={
            "genogram": genogram,
            "document_id": document_id,
            "expected_version": expected_version,
            "idempotency_key": uuid.uuid4().hex,
        },
        headers={"X-CSRF-Token": csrf},
    )


def _drain(app: Flask) -> None:
    app.extensions["plugin_host"].outbox.drain()


def test_a_new_genogram_starts_from_the_family_the_record_knows(open_genogram):
    _browser, html, _csrf_token = open_genogram("c-1004")
    genogram = _seeded(html)
    people = {p["record_person_id"]: p for p in genogram["persons"]}
    assert people["c-1004"]["id"] == genogram["index_person"]
    assert {"p-1004-01", "p-1004-02", "p-1004-03", "p-1004-06"} <= people.keys()
    links = {(link["parent"], link["child"], link["kind"]) for link in genogram["parentage"]}
    index = genogram["index_person"]
    mother, father = people["p-1004-01"]["id"], people["p-1004-02"]["id"]
    assert {(mother, index, "biological"), (father, index, "biological")} <= links
    assert (people["p-1004-06"]["id"], index, "foster") in links
    union = next(u for u in genogram["unions"] if set(u["partners"]) == {mother, father})
    assert union["status"] == "separated"  # the record has them in different households
    assert "Jukka" in html and "Irma" in html
    # Nothing of another client's family reaches this page.
    for other in ("Sanna", "Laura", "Minna", "Noora", "Testinen", "Esimerkki"):
        assert other not in html


def test_a_save_becomes_a_version_in_the_record_and_the_editor_reads_it_back(app, open_genogram):
    browser, html, csrf = open_genogram("c-1001")
    genogram = _seeded(html)
    first = _save(browser, "c-1001", csrf, genogram)
    assert first.status_code == 202, first.get_data(as_text=True)
    assert first.json["pending"] is True
    _drain(app)

    browser, html, csrf = open_genogram("c-1001")
    stored = _seeded(html)
    assert stored["persons"] == genogram["persons"]
    document_id = re.search(r'data-document-id="([^"]+)"', html).group(1)
    version = int(re.search(r'data-version="(\d+)"', html).group(1))

    stored["persons"].append({"id": "new-aunt", "first_names": "Kaisa", "gender_identity": "woman"})
    second = _save(browser, "c-1001", csrf, stored, document_id, version)
    assert second.status_code == 202
    assert second.json["version"] == version + 1
    _drain(app)

    listing = browser.get(f"{PREFIX.format(client='c-1001')}/versions/").get_data(as_text=True)
    assert f"Version {version + 1}" in listing and f"Version {version}" in listing
    old = browser.get(f"{PREFIX.format(client='c-1001')}/versions/{version}")
    assert old.status_code == 200 and "Kaisa" not in old.get_data(as_text=True)
    changes = browser.get(
        f"{PREFIX.format(client='c-1001')}/diff",
        query_string={"from": version, "to": version + 1},
    ).get_data(as_text=True)
    assert "Person added: Kaisa" in changes


def test_as_of_a_day_shows_the_version_current_then(app, open_genogram):
    browser, html, csrf = open_genogram("c-1003")
    assert _save(browser, "c-1003", csrf, _seeded(html)).status_code == 202
    _drain(app)
    prefix = PREFIX.format(client="c-1003")
    today = browser.get(f"{prefix}/as-of", query_string={"date": "2999-01-01"})
    assert today.status_code == 303 and re.search(r"/versions/\d+$", today.headers["Location"])
    before = browser.get(f"{prefix}/as-of", query_string={"date": "2000-01-01"})
    assert before.status_code == 303 and "none_before=2000-01-01" in before.headers["Location"]


def test_an_invalid_genogram_gets_errors_naming_the_field_in_the_workers_language(open_genogram):
    browser, html, csrf = open_genogram("c-1004", locale="fi")
    genogram = _seeded(html)
    genogram["persons"][0]["born"] = {"date": "2019-02-30"}
    genogram["unions"].append({"id": "bad", "partners": [genogram["index_person"]]})
    answer = browser.post(
        f"{PREFIX.format(client='c-1004')}/render",
        json={"genogram": genogram},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 422
    errors = answer.json["errors"]
    assert set(errors) == {
        "genogram.persons.0.born.date",
        f"genogram.unions.{len(genogram['unions']) - 1}.partners",
    }
    assert errors["genogram.persons.0.born.date"] == ["Päivämäärää ei ole olemassa."]


def test_render_answers_pictures_table_and_summary(open_genogram):
    browser, html, csrf = open_genogram("c-1004")
    answer = browser.post(
        f"{PREFIX.format(client='c-1004')}/render",
        json={"genogram": _seeded(html), "avatars": True},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 200
    svg = etree.fromstring(answer.json["genogram_svg"].encode())
    assert svg.get("role") == "graphics-document"
    assert len(svg.findall(".//{*}g[@data-person-id]")) == len(_seeded(html)["persons"])
    assert "Jukka" in answer.json["table_html"] and answer.json["summary"]


def test_a_write_without_the_csrf_token_is_refused(open_genogram):
    browser, html, _csrf_token = open_genogram("c-1004")
    answer = browser.post(
        f"{PREFIX.format(client='c-1004')}/save", json={"genogram": _seeded(html)}
    )
    assert answer.status_code == 403


def test_a_session_for_one_client_cannot_open_anothers_genogram(open_genogram):
    browser, _html, _csrf_token = open_genogram("c-1004")
    assert browser.get(f"{PREFIX.format(client='c-1001')}/").status_code in (401, 403)


def test_exports_and_the_access_request_mask(app, open_genogram):
    browser, html, csrf = open_genogram("c-1002")
    genogram = _seeded(html)
    grandfather = next(p for p in genogram["persons"] if p["first_names"] == "Kalevi")
    assert grandfather["third_party"] is True
    assert _save(browser, "c-1002", csrf, genogram).status_code == 202
    _drain(app)
    prefix = PREFIX.format(client="c-1002")
    svg = browser.get(f"{prefix}/export.svg")
    assert svg.mimetype == "image/svg+xml" and b"Kalevi" in svg.data
    assert "attachment" in svg.headers["Content-Disposition"]
    assert "Onni" not in svg.headers["Content-Disposition"]
    masked = browser.get(f"{prefix}/export.svg", query_string={"masked": "1"})
    assert b"Kalevi" not in masked.data and b"Laura" in masked.data  # a guardian stays named
    assert browser.get(f"{prefix}/export.pdf").data.startswith(b"%PDF")
    assert browser.get(f"{prefix}/export.png").data.startswith(b"\x89PNG")
    network = etree.fromstring(browser.get(f"{prefix}/export.svg?map=network").data)
    assert network.get("aria-roledescription") != svg_root_kind(svg.data)
    gedcom = browser.get(f"{prefix}/export.ged")
    assert gedcom.data.startswith(b"0 HEAD")
    imported = browser.post(
        f"{prefix}/import",
        data={"gedcom": (io.BytesIO(gedcom.data), "family.ged")},
        headers={"X-CSRF-Token": csrf},
    )
    assert imported.status_code == 200, imported.get_data(as_text=True)
    names = {p["first_names"] for p in imported.json["genogram"]["persons"]}
    assert names == {p["first_names"] for p in genogram["persons"]}


def test_a_broken_gedcom_file_is_answered_with_the_line(open_genogram):
    browser, _html, csrf = open_genogram("c-1004")
    answer = browser.post(
        f"{PREFIX.format(client='c-1004')}/import",
        data={"gedcom": (io.BytesIO(b"0 HEAD\n1 GEDC\n3 VERS 7.0\n"), "broken.ged")},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 422
    assert answer.json["errors"]["gedcom"][0].startswith("Line 3")


def test_every_read_and_write_is_in_the_audit_log(app, open_genogram):
    browser, html, csrf = open_genogram("c-1004")
    _save(browser, "c-1004", csrf, _seeded(html) | {"note": "audit"})
    with app.extensions["plugin_host"].database.transaction() as session:
        rows = session.scalars(
            select(AuditEvent).where(
                AuditEvent.plugin == "genogram", AuditEvent.client_id == "c-1004"
            )
        ).all()
    operations = {row.operation for row in rows}
    assert {"client.read", "family.read", "documents.list", "documents.save"} <= operations


def test_a_repeated_save_with_the_same_key_answers_the_first_write(open_genogram):
    browser, html, csrf = open_genogram("c-1004")
    genogram = _seeded(html)
    body = {"genogram": genogram, "idempotency_key": uuid.uuid4().hex}
    url = f"{PREFIX.format(client='c-1004')}/save"
    first = browser.post(url, json=body, headers={"X-CSRF-Token": csrf})
    again = browser.post(url, json=body, headers={"X-CSRF-Token": csrf})
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json["write_id"] == first.json["write_id"]
