"""The Kanta archiving API's real answers match ``/-/openapi.json`` (with a real archive)."""

from __future__ import annotations

import pytest
from flask import Flask

from plugin_host.archiving import ArchiveNotAnswering, NotArchivable
from tests.kanta.test_archiving import (  # noqa: F401 (fixtures)
    CLIENT,
    _launch,
    _save,
    app,
    archive_and_records,
)
from tests.openapi_check import DescribedApi

KANTA = "/c/{client_id}/api/kanta/{document_id}"


def test_archiving_answers_match_their_description(
    app: Flask,  # noqa: F811
    launch_keys,
    monkeypatch: pytest.MonkeyPatch,
):
    api = DescribedApi(app)
    browser, genogram, csrf, saved = _launch(app, launch_keys)
    genogram["note"] = "Ensin tämä"
    document_id, older = _save(app, browser, csrf, genogram, *saved)
    genogram["note"] = "Sitten tämä"
    document_id, _newer = _save(app, browser, csrf, genogram, document_id, older)
    path = f"/c/{CLIENT}/api/kanta/{document_id}"
    unsafe = {"X-CSRF-Token": csrf}

    sent = api.check(browser.post(path, headers=unsafe), KANTA, "post")
    assert sent["status"] == "accepted", sent["errors"]
    assert api.check(browser.get(path), KANTA, "get")["transmissions"]
    older_one = browser.post(path, json={"version": older}, headers=unsafe)
    assert older_one.status_code == 409
    api.check(older_one, KANTA, "post")

    archiving = app.extensions["plugin_host"].archiving
    for failure, status in ((NotArchivable, 422), (ArchiveNotAnswering, 503)):

        def fail(*_args, failure=failure):
            raise failure()

        monkeypatch.setattr(archiving, "archive", fail)
        answer = browser.post(path, headers=unsafe)
        assert answer.status_code == status
        assert "error" in api.check(answer, KANTA, "post")

    assert api.json_answers("/c/{client_id}/api/kanta/") <= api.checked
