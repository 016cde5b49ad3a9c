"""A launch without a view lands on the client's home: cards from plugins, then the views."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.fixtures.host import CLIENT_A
from tests.test_plugins import broken


@pytest.fixture
def app_with_broken(make_host) -> Flask:
    return make_host(extra_plugins=((broken, "broken"),), enable=("broken",))


def test_a_launch_without_a_view_shows_cards_and_views(app_with_broken, launch_keys):
    browser = app_with_broken.test_client()
    answer = browser.get("/launch", query_string={"token": launch_keys.sign(view=None)})
    assert answer.headers["Location"] == f"/c/{CLIENT_A}/"
    page = browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Ei vielä muistiinpanoja" in page  # client_note's card, in Finnish
    assert "Rikkinäinen" in page and "Laajennus ei ole juuri nyt käytettävissä" in page
    assert f'href="/c/{CLIENT_A}/p/client_note/"' in page


def test_cards_as_json_count_the_clients_notes(app_with_broken, launch_keys):
    browser = app_with_broken.test_client()
    browser.get("/launch", query_string={"token": launch_keys.sign(view=None, locale="en")})
    page = browser.get(f"/c/{CLIENT_A}/p/client_note/").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    for text in ("Ensimmäinen", "Toinen"):
        browser.post(f"/c/{CLIENT_A}/p/client_note/notes", data={"text": text, "csrf_token": token})
    cards = {c["plugin"]: c for c in browser.get(f"/c/{CLIENT_A}/cards.json").json["cards"]}
    assert cards["client_note"]["summary"] == "2 notes"
    assert cards["client_note"]["detail"] == "Latest: Toinen"
    assert cards["broken"]["placeholder"] is True
