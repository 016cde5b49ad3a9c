"""No write is lost: accepted at once, delivered later, reconciled, and never overwriting."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from plugin_host.outbox import admin as outbox_admin
from plugin_host.outbox import queue
from plugin_host.storage.models import OutboxWrite
from reference_record_system.store import RecordStore
from tests.fixtures.host import CLIENT_A, both_databases

pytestmark = both_databases  # the host on SQLite, then on PostgreSQL

NOTES = f"/c/{CLIENT_A}/api/client_note/documents/note"


@dataclass
class Worker:
    """One worker's browser session on the documents API."""

    browser: FlaskClient
    csrf: str

    def create(self, text: str):
        return self.browser.post(
            NOTES,
            json={"title": text[:40], "content": {"text": text}},
            headers={"X-CSRF-Token": self.csrf},
        )

    def update(self, document_id: str, text: str, if_match: int | None):
        headers = {"X-CSRF-Token": self.csrf}
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        return self.browser.put(
            f"{NOTES}/{document_id}",
            json={"title": text[:40], "content": {"text": text}},
            headers=headers,
        )

    def get(self, document_id: str):
        return self.browser.get(f"{NOTES}/{document_id}")

    def status(self, write_id: str) -> dict:
        return self.browser.get(f"/c/{CLIENT_A}/api/writes/{write_id}").json


@pytest.fixture
def worker(launched) -> Worker:
    return _worker(launched)


def _worker(launched) -> Worker:
    browser = launched(view=None)
    return Worker(browser, browser.get(f"/c/{CLIENT_A}/api/session").json["csrf_token"])


@pytest.fixture
def store(record_system_server) -> RecordStore:
    return RecordStore(str(record_system_server.db_path))


def _drain(app: Flask) -> None:
    app.extensions["plugin_host"].outbox.drain()


def _make_due(app: Flask) -> None:
    """Skip the backoff: what an admin's retry does."""
    with app.extensions["plugin_host"].database.transaction() as session:
        for row in outbox_admin.list_writes(session, None, 1000):
            if row.status in outbox_admin.RETRYABLE_STATES:
                outbox_admin.retry(session, row.write_id)


def _versions(store: RecordStore, document_id: str) -> list[str]:
    latest = store.get_document(document_id)["version"]
    return [
        json.loads(store.get_document(document_id, v)["content"])["text"]
        for v in range(1, latest + 1)
    ]


def test_a_write_is_answered_at_once_and_delivered_by_the_worker(host_app, worker, store):
    in_the_record = {d["document_id"] for d in store.list_documents(CLIENT_A, "note")}
    answer = worker.create("Ensimmäinen tapaaminen")
    assert answer.status_code == 202
    body = answer.json
    assert body["status"] == "pending" and body["document_id"].startswith("pending:")
    assert answer.headers["ETag"] == '"1"'
    # Nothing new in the record yet (the record system outlives a test: compare, not count).
    assert {d["document_id"] for d in store.list_documents(CLIENT_A, "note")} == in_the_record

    listing = worker.browser.get(NOTES).json
    [mine] = [d for d in listing["documents"] if d["write_id"] == body["write_id"]]
    assert mine["pending"] is True

    _drain(host_app)
    status = worker.status(body["write_id"])
    assert status["status"] == "delivered" and not status["document_id"].startswith("pending:")
    assert _versions(store, status["document_id"]) == ["Ensimmäinen tapaaminen"]


def test_the_worker_sees_their_pending_write_while_the_record_system_is_down(
    host_app, worker, store, record_system
):
    record_system.set_faults(http_503=True)
    body = worker.create("Kirjoitettu katkon aikana").json
    _drain(host_app)  # tries, fails, keeps it
    assert worker.status(body["write_id"])["status"] == "pending"

    shown = worker.get(body["document_id"])
    assert shown.status_code == 200 and shown.json["pending"] is True
    assert shown.json["content"] == {"text": "Kirjoitettu katkon aikana"}
    listing = worker.browser.get(NOTES).json
    assert listing["complete"] is False
    assert [d["write_id"] for d in listing["documents"]] == [body["write_id"]]

    record_system.reset_faults()
    _make_due(host_app)
    _drain(host_app)
    delivered = worker.status(body["write_id"])
    assert delivered["status"] == "delivered"
    assert _versions(store, delivered["document_id"]) == ["Kirjoitettu katkon aikana"]


def _delivered_document(host_app: Flask, worker: Worker, text: str) -> str:
    write = worker.create(text).json
    _drain(host_app)
    return worker.status(write["write_id"])["document_id"]


@pytest.mark.parametrize(
    "fault", [{"timeout_after_commit_ms": 1500}, {"reply": "malformed"}], ids=["timeout", "garbled"]
)
def test_an_update_whose_answer_was_lost_is_reconciled_by_reading_back(
    host_app, worker, store, record_system, fault
):
    document_id = _delivered_document(host_app, worker, "Versio yksi")
    record_system.set_faults(**fault)
    write = worker.update(document_id, "Versio kaksi", if_match=1).json
    _drain(host_app)
    record_system.reset_faults()
    assert worker.status(write["write_id"])["status"] == "pending"  # outcome unknown

    _make_due(host_app)
    _drain(host_app)
    assert worker.status(write["write_id"])["status"] == "delivered"
    assert _versions(store, document_id) == ["Versio yksi", "Versio kaksi"]  # once, not twice


@pytest.mark.parametrize(
    "fault", [{"timeout_after_commit_ms": 1500}, {"reply": "malformed"}], ids=["timeout", "garbled"]
)
def test_a_new_document_whose_answer_was_lost_is_created_once(
    host_app, worker, store, record_system, fault
):
    before = len(store.list_documents(CLIENT_A, "note"))
    record_system.set_faults(**fault)
    write = worker.create("Luotu kerran").json
    _drain(host_app)
    record_system.reset_faults()
    _make_due(host_app)
    _drain(host_app)
    assert worker.status(write["write_id"])["status"] == "delivered"
    assert len(store.list_documents(CLIENT_A, "note")) == before + 1


def test_writes_to_one_document_arrive_in_order_even_before_it_exists(host_app, worker, store):
    first = worker.create("Yksi").json
    second = worker.update(first["document_id"], "Kaksi", if_match=1).json
    third = worker.update(second["document_id"], "Kolme", if_match=2).json
    assert (second["version"], third["version"]) == (2, 3)
    _drain(host_app)
    document_id = worker.status(third["write_id"])["document_id"]
    assert _versions(store, document_id) == ["Yksi", "Kaksi", "Kolme"]


def test_if_match_is_required_and_checked(host_app, worker):
    document_id = _delivered_document(host_app, worker, "Pohja")
    assert worker.update(document_id, "Ilman versiota", if_match=None).status_code == 428
    stale = worker.update(document_id, "Vanhaan versioon", if_match=7)
    assert stale.status_code == 412 and stale.json == {"current_version": 1}


def test_two_workers_on_one_document_the_second_is_stopped_then_merges(host_app, launched, store):
    anna, ben = _worker(launched), _worker(launched)
    document_id = _delivered_document(host_app, anna, "Sukupuu: äiti, isä")
    assert ben.get(document_id).headers["ETag"] == '"1"'

    assert anna.update(document_id, "Sukupuu: äiti, isä, mummo", if_match=1).status_code == 202
    clash = ben.update(document_id, "Sukupuu: äiti, isä, eno", if_match=1)
    assert clash.status_code == 412 and clash.json["current_version"] == 2

    theirs = ben.get(document_id)  # Anna's version, still pending, is what Ben sees now
    assert theirs.json["content"]["text"] == "Sukupuu: äiti, isä, mummo"
    merged = ben.update(document_id, "Sukupuu: äiti, isä, mummo, eno", if_match=2)
    assert merged.status_code == 202
    _drain(host_app)
    assert _versions(store, document_id) == [
        "Sukupuu: äiti, isä",
        "Sukupuu: äiti, isä, mummo",
        "Sukupuu: äiti, isä, mummo, eno",
    ]


def _conflicting_update(
    host_app: Flask, worker: Worker, store: RecordStore, record_system, texts: tuple[str, str, str]
) -> tuple[str, dict]:
    """Ours based on version 1 while someone changed the record directly: a conflict at delivery."""
    first, theirs, mine = texts
    document_id = _delivered_document(host_app, worker, first)
    store.save_document(  # someone changes the record directly, bypassing this host
        "w-demo",
        CLIENT_A,
        "note",
        theirs[:40],
        json.dumps({"text": theirs}),
        "application/json",
        document_id=document_id,
        expected_version=1,
        idempotency_key=f"direct-{document_id}",
    )
    record_system.set_faults(http_503=True)  # the host cannot check the version now
    write = worker.update(document_id, mine, if_match=1).json
    record_system.reset_faults()
    _drain(host_app)
    return document_id, write


def test_a_conflict_found_at_delivery_waits_for_the_worker_who_chooses(
    host_app, worker, store, record_system
):
    texts = ("Verkosto: koulu", "Verkosto: koulu, harrastus", "Verkosto: koulu, mummola")
    document_id, write = _conflicting_update(host_app, worker, store, record_system, texts)
    status = worker.status(write["write_id"])
    assert (status["status"], status["conflict_version"]) == ("needs_user", 2)
    assert _versions(store, document_id) == list(texts[:2])

    page = worker.browser.get(f"/c/{CLIENT_A}/writes/{write['write_id']}").get_data(as_text=True)
    assert "Tallennus pysähtyi" in page
    assert "koulu, harrastus" in page and "koulu, mummola" in page

    answer = worker.browser.post(
        f"/c/{CLIENT_A}/writes/{write['write_id']}",
        data={
            "choice": "merged",
            "content": json.dumps({"text": "Verkosto: koulu, harrastus, mummola"}),
            "csrf_token": worker.csrf,
        },
    )
    assert answer.status_code == 303
    _drain(host_app)
    assert worker.status(write["write_id"])["status"] == "delivered"
    assert _versions(store, document_id) == [*texts[:2], "Verkosto: koulu, harrastus, mummola"]


def test_keeping_theirs_drops_mine_and_frees_the_document(host_app, worker, store, record_system):
    document_id, write = _conflicting_update(
        host_app, worker, store, record_system, ("A", "B", "C")
    )
    answer = worker.browser.post(
        f"/c/{CLIENT_A}/api/writes/{write['write_id']}/resolve",
        json={"choice": "theirs"},
        headers={"X-CSRF-Token": worker.csrf},
    )
    assert answer.status_code == 202 and answer.json["status"] == "discarded"
    assert worker.update(document_id, "D", if_match=2).status_code == 202
    _drain(host_app)
    assert _versions(store, document_id) == ["A", "B", "D"]


def test_a_refused_write_fails_holds_its_document_and_an_admin_discards_it(
    host_app, worker, store, record_system
):
    document_id = _delivered_document(host_app, worker, "Alku")
    refused = worker.update(document_id, "Hylätty", if_match=1).json
    record_system.set_faults(soap_fault="ValidationFailed")  # the record refuses it at delivery
    _drain(host_app)
    record_system.reset_faults()
    assert worker.status(refused["write_id"])["status"] == "failed"
    behind = worker.update(document_id, "Jonossa", if_match=2).json
    _drain(host_app)
    assert worker.status(behind["write_id"])["status"] == "pending"  # waits behind the failure

    database = host_app.extensions["plugin_host"].database
    with database.transaction() as session, pytest.raises(outbox_admin.OutboxAdminError):
        outbox_admin.discard(session, refused["write_id"], "  ", "admin")
    with database.transaction() as session:
        outbox_admin.discard(session, refused["write_id"], "sisältö virheellinen", "admin")
    _drain(host_app)
    # The write behind was based on the discarded version 2: the record decides, as a conflict.
    assert worker.status(behind["write_id"])["status"] == "needs_user"
    assert _versions(store, document_id) == ["Alku"]


def test_health_reports_outbox_depth_and_breaker(host_app, worker, record_system):
    record_system.set_faults(http_503=True)
    for text in ("yksi", "kaksi", "kolme"):
        worker.create(text)
    health = host_app.test_client().get("/-/health").json
    assert health["outbox"]["depth"] == 3
    assert health["outbox"]["counts"] == {"pending": 3}
    assert health["record_system_breaker"] == "closed"
    deliverer = host_app.extensions["plugin_host"].outbox.deliverer
    for _ in range(deliverer.settings.breaker_fail_max):
        _make_due(host_app)
        _drain(host_app)
    assert host_app.test_client().get("/-/health").json["record_system_breaker"] == "open"


def test_the_panel_lists_delivered_and_pending_notes_together(host_app, worker):
    _delivered_document(host_app, worker, "Toimitettu muistiinpano")
    worker.create("Odottava muistiinpano")
    panel = worker.browser.get(f"/c/{CLIENT_A}/p/client_note/")
    assert panel.status_code == 200  # sorting pending with delivered times used to fail
    page = panel.get_data(as_text=True)
    assert page.index("Odottava muistiinpano") < page.index("Toimitettu muistiinpano")
    assert "odottaa tallennusta asiakastietoihin" in page


def test_changes_to_a_new_document_whose_creation_was_discarded_fail_visibly(
    host_app, worker, store, record_system
):
    record_system.set_faults(soap_fault="ValidationFailed")
    created = worker.create("Ei koskaan luotu").json
    change = worker.update(created["document_id"], "Muutos", if_match=1).json
    _drain(host_app)
    record_system.reset_faults()
    database = host_app.extensions["plugin_host"].database
    with database.transaction() as session:
        outbox_admin.discard(session, created["write_id"], "virheellinen", "admin")
    _drain(host_app)
    status = worker.status(change["write_id"])
    assert (status["status"], status["last_error"]) == ("failed", "document was never created")
    assert not [d for d in store.list_documents(CLIENT_A, "note") if d["title"] == "Muutos"]


def test_a_pending_id_keeps_working_after_its_document_is_delivered(host_app, worker, store):
    created = worker.create("Ensin odottava").json
    _drain(host_app)
    assert worker.get(created["document_id"]).json["content"] == {"text": "Ensin odottava"}
    assert worker.update(created["document_id"], "Sitten muutettu", if_match=1).status_code == 202
    _drain(host_app)
    record_id = worker.status(created["write_id"])["document_id"]
    assert _versions(store, record_id) == ["Ensin odottava", "Sitten muutettu"]


def test_a_lost_answer_is_settled_even_when_the_record_moved_on_since(
    host_app, worker, store, record_system
):
    document_id = _delivered_document(host_app, worker, "Yksi")
    record_system.set_faults(timeout_after_commit_ms=1500)
    write = worker.update(document_id, "Kaksi", if_match=1).json
    _drain(host_app)
    record_system.reset_faults()
    store.save_document(  # a colleague's change lands on top of ours before we read back
        "w-demo",
        CLIENT_A,
        "note",
        "Kolme",
        json.dumps({"text": "Kolme"}),
        "application/json",
        document_id=document_id,
        expected_version=2,
        idempotency_key=f"after-{document_id}",
    )
    _make_due(host_app)
    _drain(host_app)
    status = worker.status(write["write_id"])
    assert (status["status"], status["version"]) == ("delivered", 2)
    assert _versions(store, document_id) == ["Yksi", "Kaksi", "Kolme"]


def test_a_worker_whose_claim_was_taken_over_does_not_settle_the_write(host_app, worker):
    """A lease ran out and another worker claimed the write: the first one's late answer must
    not overwrite the second claim's state (the second delivers with the same key)."""
    write_id = worker.create("Lainattu vuoro").json["write_id"]
    services = host_app.extensions["plugin_host"]
    database = services.database
    with database.transaction() as session:
        row = session.query(OutboxWrite).filter_by(write_id=write_id).one()
        assert queue.claim(session, [row.seq], timedelta(seconds=30)) == [row.seq]
    with database.transaction() as session:
        first = session.query(OutboxWrite).filter_by(write_id=write_id).one()
        session.expunge(first)
        stored = session.get(OutboxWrite, first.seq)
        stored.claim_id = "another-worker-claim"  # the takeover after an expired lease
    services.outbox.deliverer._settle(first, queue.DELIVERED)
    assert worker.status(write_id)["status"] == "delivering"
