"""The worker's path in a real headless Chromium: record page → client → plugin panel → note."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.fixtures.browser import axe_violations

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "images" / "client-record.png"


def _reload_until_listed(page, text: str, seconds: float = 15) -> None:
    """The outbox delivers in the background: the record page shows the note once it has."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.reload()
        if text in page.inner_text("#documents"):
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never reached the record's document list")


def test_a_worker_saves_a_note_from_the_plugin_inside_the_client_record(page, stack, tmp_path):
    page.goto(f"{stack.records_url}/")
    page.click('a.client-link[data-client-id="c-1001"]')
    page.wait_for_url("**/clients/c-1001**")

    frame_element = page.wait_for_selector('iframe.plugin-frame[data-plugin="client_note"]')
    assert frame_element.get_attribute("title")
    frame = frame_element.content_frame()
    frame.wait_for_selector("#client-note-text")
    assert "Aino Testinen" in frame.inner_text("main")

    frame.get_by_label("Muistiinpano", exact=True).fill("Perhe toivoi seuraavaa tapaamista kotona.")
    frame.get_by_role("button", name="Tallenna muistiinpano").click()
    frame.wait_for_selector("#client-note-status")
    assert "tallennettu" in frame.inner_text("#client-note-status")

    _reload_until_listed(page, "Perhe toivoi seuraavaa tapaamista kotona.")
    page.wait_for_selector(
        'iframe.plugin-frame[data-plugin="client_note"]'
    ).content_frame().wait_for_selector("#client-note-text")
    genogram = page.wait_for_selector('iframe.plugin-frame[data-plugin="genogram"]')
    genogram.content_frame().wait_for_selector("#genogram-figure svg")
    # Chromium paints a frame only while it is in view: make the whole page the view.
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1280, "height": height})
    genogram.content_frame().wait_for_selector("#genogram-figure svg")
    target = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") else tmp_path / "record.png"
    page.screenshot(path=str(target), full_page=True)

    violations = {
        "record page": axe_violations(page),
        "plugin panel": axe_violations(
            page.wait_for_selector('iframe.plugin-frame[data-plugin="client_note"]').content_frame()
        ),
    }
    assert violations == {"record page": [], "plugin panel": []}, json.dumps(violations, indent=1)

    host_log = (stack.directory / "host.log").read_text()
    assert "/launch" in host_log  # the log is really written ...
    assert "token=" not in host_log and "c-1001" not in host_log  # ... and holds neither
    assert "120514A902F" not in host_log


def _open_panel(page, url: str, client_id: str):
    page.goto(f"{url}/clients/{client_id}")
    frame = page.wait_for_selector('iframe.plugin-frame[data-plugin="client_note"]').content_frame()
    frame.wait_for_selector("#client-note-text")
    return frame


def test_a_note_is_never_shown_in_another_clients_record(page, stack):
    secret = "Vain asiakkaan c-1003 tietoihin kuuluva merkintä"
    frame = _open_panel(page, stack.records_url, "c-1003")
    frame.get_by_label("Muistiinpano", exact=True).fill(secret)
    frame.get_by_role("button", name="Tallenna muistiinpano").click()
    frame.wait_for_selector("#client-note-status")
    assert secret in frame.inner_text("#client-note-notes")

    other = _open_panel(page, stack.records_url, "c-1004")
    assert secret not in other.inner_text("main")
    assert secret not in page.inner_text("#documents")
