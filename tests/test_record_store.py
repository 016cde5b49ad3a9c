"""The reference record system's store and seed, without any server."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from reference_record_system.seed import (
    WORKERS,
    identity_code,
    seed,
    seed_if_empty,
    seed_large_family,
)
from reference_record_system.store import NotFound, RecordStore, ValidationFailed, VersionConflict

IDENTITY_CODE = re.compile(r"^(\d{6})([-A])(\d{3})([0-9A-Y])$")


@pytest.fixture
def store(tmp_path) -> RecordStore:
    store = RecordStore(str(tmp_path / "records.db"))
    seed(store)
    return store


def save(store: RecordStore, key: str, **changes: object) -> dict:
    draft = {
        "worker_id": "w-demo",
        "client_id": "c-1001",
        "document_type": "genogram",
        "title": "Genogrammi",
        "content": '{"people": []}',
        "content_type": "application/json",
    }
    return store.save_document(**{**draft, **changes}, idempotency_key=key)


def assert_test_identity_code(code: str) -> None:
    """Checked here independently of seed.identity_code: a test code with the right check."""
    match = IDENTITY_CODE.match(code)
    assert match, code
    birth, _sign, individual, check = match.groups()
    assert 900 <= int(individual) <= 999
    assert "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(birth + individual) % 31] == check


def test_the_seed_has_the_demo_workers_in_two_teams(store):
    workers = {w["worker_id"]: w for w in store.workers()}
    assert workers["w-demo"] == {
        "worker_id": "w-demo",
        "name": "Demo Työntekijä",
        "org_unit": "lastensuojelu-1",
        "team_id": "team-a",
        "role": "social-worker",
    }
    assert {w["role"] for w in store.team_members("team-a")} == {
        "social-worker",
        "family-therapist",
        "coordinator",
    }
    assert workers["w-other"]["team_id"] == "team-b"
    assert workers["w-other"]["org_unit"] == "lastensuojelu-2"


def test_the_seed_has_five_clients_in_team_a_and_one_in_team_b(store):
    team_a = store.list_clients("team-a")
    assert len(team_a) >= 5
    assert {c["responsible_worker_id"] for c in team_a} == {"w-demo", "w-sosiaali"}
    assert len(store.list_clients("team-b")) == 1
    assert {c["team_id"] for c in team_a} == {"team-a"}
    assert len(store.list_clients()) == len(team_a) + 1
    aino = store.get_client("c-1001")
    assert (aino["first_names"], aino["last_name"], aino["birth_date"]) == (
        "Aino",
        "Testinen",
        "2014-05-12",
    )


def test_seeded_families_span_three_generations_with_guardians_and_households(store):
    for client in store.list_clients("team-a"):
        family = store.get_family(client["client_id"])
        relations = {m["relation"] for m in family}
        assert "grandparent" in relations
        assert relations & {"mother", "father"}
        assert any(m["is_guardian"] for m in family)
        assert {m["in_household"] for m in family} == {True, False}
        assert all(isinstance(m["is_guardian"], bool) for m in family)
    assert "step-parent" in {m["relation"] for m in store.get_family("c-1001")}


def test_every_identity_code_is_a_valid_test_code(store):
    people = [*store.list_clients()]
    for client in store.list_clients():
        people += store.get_family(client["client_id"])
    codes = [p["identity_code"] for p in people if p["identity_code"]]
    assert len(codes) > 20
    for code in codes:
        assert_test_identity_code(code)


def test_identity_codes_only_come_from_the_test_range():
    with pytest.raises(ValueError):
        identity_code(datetime(2014, 5, 12).date(), 123)


def test_seeding_is_done_once(store):
    assert seed_if_empty(store) is False
    assert len(store.workers()) == len(WORKERS)


def test_a_large_family_for_benchmarks(store):
    client_id = seed_large_family(store, size=40)
    family = store.get_family(client_id)
    assert len(family) == 40
    assert len({m["person_id"] for m in family}) == 40
    assert [m["relation"] for m in family if m["relation"] in ("mother", "father")] == [
        "mother",
        "father",
    ]
    for member in family:
        assert_test_identity_code(member["identity_code"])


def test_check_access_allows_only_the_workers_own_team(store):
    assert store.check_access("w-demo", "c-1001")[0] is True
    allowed, reason = store.check_access("w-other", "c-1001")
    assert allowed is False and reason
    assert store.check_access("w-nobody", "c-1001")[0] is False
    with pytest.raises(NotFound):
        store.check_access("w-demo", "c-0000")


def test_a_new_document_is_version_one_with_its_author(store):
    ref = save(store, "key-new-0001")
    assert ref["version"] == 1
    assert ref["author_id"] == "w-demo"
    assert set(ref) == {
        "document_id",
        "client_id",
        "document_type",
        "version",
        "title",
        "created_at",
        "author_id",
    }
    assert datetime.fromisoformat(ref["created_at"]).tzinfo is not None
    document = store.get_document(ref["document_id"])
    assert document["content"] == '{"people": []}'
    assert document["content_type"] == "application/json"


def test_a_new_version_needs_the_current_version(store):
    first = save(store, "key-ver-0001")
    second = save(
        store, "key-ver-0002", title="v2", document_id=first["document_id"], expected_version=1
    )
    assert (second["document_id"], second["version"]) == (first["document_id"], 2)
    with pytest.raises(VersionConflict) as conflict:
        save(store, "key-ver-0003", document_id=first["document_id"], expected_version=1)
    assert conflict.value.current_version == 2
    assert store.get_document(first["document_id"], 1)["title"] == "Genogrammi"
    assert store.get_document(first["document_id"])["title"] == "v2"
    assert store.get_document(first["document_id"], 3) is None


def test_the_same_idempotency_key_never_writes_twice(store):
    first = save(store, "key-same-0001")
    again = save(store, "key-same-0001")
    assert again == first
    assert len(store.list_documents("c-1001")) == 1


def test_an_idempotency_key_reused_for_another_request_is_refused(store):
    save(store, "key-reuse-0001")
    with pytest.raises(ValidationFailed) as refused:
        save(store, "key-reuse-0001", title="something else")
    assert refused.value.field == "idempotency_key"


def test_concurrent_redeliveries_write_one_version(store):
    with ThreadPoolExecutor(max_workers=8) as pool:
        refs = list(pool.map(lambda _: save(store, "key-race-0001"), range(16)))
    assert len({(r["document_id"], r["version"]) for r in refs}) == 1
    assert len(store.list_documents("c-1001")) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"document_type": ""}, "document_type"),
        ({"content_type": ""}, "content_type"),
        ({"document_id": "doc-x"}, "expected_version"),
        ({"expected_version": 1}, "expected_version"),
    ],
)
def test_invalid_drafts_name_the_field(store, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        save(store, "key-invalid-01", **changes)
    assert refused.value.field == field


def test_saving_for_unknown_clients_or_documents_is_not_found(store):
    with pytest.raises(NotFound):
        save(store, "key-nf-000001", client_id="c-0000")
    with pytest.raises(NotFound):
        save(store, "key-nf-000002", document_id="doc-missing", expected_version=1)


def test_a_document_stays_with_its_client_and_type(store):
    ref = save(store, "key-own-00001")
    with pytest.raises(ValidationFailed) as other_client:
        save(
            store,
            "key-own-00002",
            client_id="c-1002",
            document_id=ref["document_id"],
            expected_version=1,
        )
    assert other_client.value.field == "document_id"
    with pytest.raises(ValidationFailed) as other_type:
        save(
            store,
            "key-own-00003",
            document_type="note",
            document_id=ref["document_id"],
            expected_version=1,
        )
    assert other_type.value.field == "document_type"


def test_list_documents_newest_first_by_type_and_since(store):
    genogram = save(store, "key-list-0001")
    note = save(store, "key-list-0002", document_type="note", title="Muistiinpano")
    assert [d["document_id"] for d in store.list_documents("c-1001")] == [
        note["document_id"],
        genogram["document_id"],
    ]
    assert [d["document_id"] for d in store.list_documents("c-1001", "note")] == [
        note["document_id"]
    ]
    after_note = datetime.fromisoformat(note["created_at"]) + timedelta(microseconds=1)
    assert store.list_documents("c-1001", since=after_note) == []
    assert len(store.list_documents("c-1001", since=datetime(2000, 1, 1, tzinfo=UTC))) == 2
    # A new version brings a document back to the top, as its latest version.
    updated = save(
        store, "key-list-0003", title="v2", document_id=genogram["document_id"], expected_version=1
    )
    listed = store.list_documents("c-1001")
    assert listed[0] == updated
    assert store.list_documents("c-1002") == []
