"""The panel against a stand-in host: a fake gateway, a base template, Babel and a CSRF global.

This is how a vendor can test a plugin without a running host or record system.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel
from jinja2 import DictLoader
from plugin_host import api
from plugin_host.manifest import ManifestSchema

import client_note
from client_note import plugin, views

TRANSLATIONS = Path(client_note.__file__).parent / "translations"
BASE = (
    '<!doctype html><html lang="fi"><title>{% block title %}{% endblock %}</title>'
    "<main>{% block content %}{% endblock %}</main></html>"
)
CLIENT = api.Client(client_id="c-1", first_names="Testi", last_name="Asiakas")
FAMILY = api.Family(
    client_id="c-1",
    members=(
        api.FamilyMember("p-1", "Äiti", "Esimerkki", "mother", is_guardian=True, in_household=True),
        api.FamilyMember("p-2", "Isä", "Esimerkki", "father", is_guardian=True),
        api.FamilyMember("p-3", "Sisko", "Esimerkki", "sibling", in_household=True),
    ),
)


@dataclass
class FakeGateway:
    """Records saves in memory; ``failure`` makes every call raise it."""

    notes: list[api.DocumentRef] = field(default_factory=list)
    contents: list[str] = field(default_factory=list)
    failure: Exception | None = None

    def _check(self) -> None:
        if self.failure is not None:
            raise self.failure

    def client(self) -> api.Client:
        self._check()
        return CLIENT

    def family(self) -> api.Family:
        self._check()
        return FAMILY

    def documents(self, document_type: str) -> tuple[api.DocumentRef, ...]:
        self._check()
        return tuple(ref for ref in self.notes if ref.document_type == document_type)

    def save_document(self, document_type, title, content, **_kwargs) -> api.DocumentRef:
        self._check()
        ref = api.DocumentRef(
            document_id=f"d-{len(self.notes) + 1}",
            client_id="c-1",
            document_type=document_type,
            version=1,
            title=title,
            created_at=datetime(2025, 1, 1 + len(self.notes), 12, tzinfo=UTC),
            author_id="w-test",
        )
        self.notes.append(ref)
        self.contents.append(content)
        return ref


@pytest.fixture
def fake_gateway(monkeypatch: pytest.MonkeyPatch) -> FakeGateway:
    fake = FakeGateway()
    monkeypatch.setattr(api, "gateway", lambda: fake)
    return fake


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    app.jinja_loader = DictLoader({"host/base.html": BASE})
    app.jinja_env.globals["csrf_token"] = lambda: "test-token"
    Babel(app, locale_selector=lambda: app.config.get("LOCALE", "fi"))
    app.register_blueprint(plugin.client_blueprint(), url_prefix="/c/c-1/p/client_note")
    return app


def test_manifest_is_valid_and_names_match() -> None:
    manifest = ManifestSchema().load(plugin.plugin_manifest())
    assert manifest.name == plugin.NAME == views.bp.name
    [view] = plugin.slot_views(slot="panel")
    assert view.endpoint == "client_note.panel"
    assert plugin.slot_views(slot="tab") == []


def test_panel_shows_household_with_guardian_in_finnish(app: Flask, fake_gateway) -> None:
    page = app.test_client().get("/c/c-1/p/client_note/").get_data(as_text=True)
    assert "Testi Asiakas" in page
    assert "Äiti Esimerkki, äiti <strong>(huoltaja)</strong>" in page
    assert "Sisko Esimerkki, sisarus" in page
    assert "Isä Esimerkki" not in page  # not in the household
    assert '<label for="client-note-text">Muistiinpano</label>' in page


def test_save_redirects_and_lists_the_note(app: Flask, fake_gateway) -> None:
    client = app.test_client()
    text = "  Kotikäynti sovittu.\nLisää "
    reply = client.post("/c/c-1/p/client_note/notes", data={"text": text})
    assert reply.status_code == 303
    page = client.get(reply.location).get_data(as_text=True)
    assert "Muistiinpano on tallennettu asiakkaan tietoihin." in page
    assert "Kotikäynti sovittu." in page
    content = json.loads(fake_gateway.contents[0])
    assert content["text"] == "Kotikäynti sovittu.\nLisää"
    assert datetime.fromisoformat(content["written_at"]).tzinfo is not None


def test_notes_are_listed_newest_first(app: Flask, fake_gateway) -> None:
    client = app.test_client()
    for text in ("Ensimmäinen", "Toinen"):
        client.post("/c/c-1/p/client_note/notes", data={"text": text})
    page = client.get("/c/c-1/p/client_note/").get_data(as_text=True)
    assert page.index("Toinen") < page.index("Ensimmäinen")


@pytest.mark.parametrize(
    ("locale", "text", "message"),
    [
        ("fi", "   ", "Kirjoita muistiinpano ennen tallentamista."),
        ("sv", "x" * 2001, "Anteckningen får vara högst 2000 tecken lång."),
    ],
)
def test_invalid_note_is_shown_next_to_the_field(
    app: Flask, fake_gateway, locale: str, text: str, message: str
) -> None:
    app.config["LOCALE"] = locale
    reply = app.test_client().post("/c/c-1/p/client_note/notes", data={"text": text})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert f'<p id="client-note-text-error" class="error">{message}</p>' in page
    assert 'aria-describedby="client-note-text-hint client-note-text-error"' in page
    assert fake_gateway.notes == []


def test_record_failure_is_a_message_not_a_trace(app: Flask, fake_gateway) -> None:
    fake_gateway.failure = api.RecordTimeout("client c-1 secret detail")
    reply = app.test_client().get("/c/c-1/p/client_note/")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 503
    assert "Asiakastietojärjestelmä ei vastaa juuri nyt." in page
    assert "secret detail" not in page


def test_failed_save_keeps_the_text(app: Flask, fake_gateway) -> None:
    client = app.test_client()
    client.get("/c/c-1/p/client_note/")
    fake_gateway.failure = api.RecordAccessDenied()
    page = client.post("/c/c-1/p/client_note/notes", data={"text": "Tärkeä"}).get_data(as_text=True)
    assert "Sinulla ei ole käyttöoikeutta tämän asiakkaan tietoihin." in page


def test_long_first_line_is_shortened_for_the_title() -> None:
    assert views.note_title("a" * 100 + "\nb") == "a" * 59 + "…"
