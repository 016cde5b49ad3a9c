"""Several host processes on one PostgreSQL database: every write is claimed by one outbox
worker, none is left behind, and each arrives in the record system exactly once.

First the claim itself, two transactions side by side on one database (``FOR UPDATE SKIP
LOCKED``); then the whole thing: two hosts as real processes, each with its own outbox worker,
writes split over both while the record system fails, compared row by row with the record.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select, text

from plugin_host.clock import utcnow
from plugin_host.demo import (
    DEMO_UNIT,
    enable_everything,
    free_port,
    host_config_text,
    prepare,
    start_host,
    start_record_system,
    stop_process,
    wait_until_up,
)
from plugin_host.launch.context import LaunchContext
from plugin_host.outbox import queue
from plugin_host.records import DocumentDraft
from plugin_host.storage import Database
from plugin_host.storage.models import OutboxWrite
from reference_record_system.store import RecordStore
from tests.fixtures.record_system import RecordSystemProcess
from tests.fixtures.soak import OUTBOX_TUNING
from tests.soak_checks import outbox_problems, record_problems
from tests.soak_client import DocumentHistory, HostClient, write_documents, write_versions

LAUNCH = LaunchContext("s", "w-demo", DEMO_UNIT, "c-1001", "asiakastyö", "fi")
LEASE = timedelta(seconds=30)

# --- the claim, transaction against transaction --------------------------------------------


def _accept(database: Database, count: int, document_id: str | None = None) -> list[int]:
    """``count`` writes, each a new document (or all to ``document_id``); their seqs."""
    seqs = []
    for n in range(count):
        text_ = f"kirjoitus {n}"
        draft = DocumentDraft(
            "c-1001", "note", text_, json.dumps({"text": text_}), document_id=document_id
        )
        with database.transaction() as session:
            row = queue.accept(session, LAUNCH, "client_note", draft, None, f"key-{utcnow()}-{n}")
            seqs.append(row.seq)
    return seqs


@pytest.fixture
def two_workers(postgres_url: str) -> Iterator[tuple[Database, Database]]:
    """Two engines on one database, as two host processes have."""
    first, second = Database(postgres_url), Database(postgres_url)
    first.upgrade()
    yield first, second
    first.engine.dispose()
    second.engine.dispose()


def _claim(session, limit: int = 100) -> list[int]:
    # A claim that waits on another's row lock fails here instead of hanging the test.
    session.execute(text("SET LOCAL lock_timeout = '2s'"))
    return queue.claim_due(session, utcnow(), limit, LEASE)


def test_a_second_worker_passes_over_the_writes_another_is_claiming(two_workers):
    first, second = two_workers
    seqs = _accept(first, 10)
    with first.transaction() as mine:
        assert queue.locks_rows(mine)
        held = _claim(mine, limit=4)  # locked, not yet committed
        with second.transaction() as theirs:
            taken = _claim(theirs)
    assert len(held) == 4 and len(taken) == 6
    assert sorted(held + taken) == seqs
    with first.transaction() as session:
        claim_ids = {row.seq: row.claim_id for row in session.scalars(select(OutboxWrite))}
    assert len({claim_ids[s] for s in held}) == 1 and len({claim_ids[s] for s in taken}) == 1
    assert claim_ids[held[0]] != claim_ids[taken[0]]


def test_writes_of_a_claim_rolled_back_are_claimed_in_the_next_round(two_workers):
    first, second = two_workers
    seqs = _accept(first, 5)
    with pytest.raises(RuntimeError), first.transaction() as mine:
        assert _claim(mine) == seqs
        with second.transaction() as theirs:
            assert _claim(theirs) == []  # all held by the first, none claimed twice
        raise RuntimeError("the claiming worker died before its commit")
    with second.transaction() as theirs:
        assert _claim(theirs) == seqs


def test_a_document_s_next_write_waits_while_its_head_is_being_claimed(two_workers):
    first, second = two_workers
    [head] = _accept(first, 1)
    _accept(first, 2, document_id=f"pending:{_write_id(first, head)}")
    with first.transaction() as mine:
        assert _claim(mine) == [head]
        with second.transaction() as theirs:
            assert _claim(theirs) == []  # the head is locked, the others wait behind it


def _write_id(database: Database, seq: int) -> str:
    with database.transaction() as session:
        return session.get(OutboxWrite, seq).write_id


def test_sqlite_claims_as_before(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'host.db'}")
    database.upgrade()
    seqs = _accept(database, 3)
    with database.transaction() as session:
        assert not queue.locks_rows(session)
        heads = queue.due_heads(session, utcnow(), 10)
    with database.transaction() as session:
        assert queue.claim(session, [h.seq for h in heads], LEASE) == seqs
    with database.transaction() as session:
        assert queue.claim(session, seqs, LEASE) == []  # compare-and-set: claimed once


# --- two hosts, one database, one record system -------------------------------------------

CLIENTS = ("c-1001", "c-1002", "c-1003", "c-1004")  # team a: w-demo may open them all
RECORDS_TIMEOUT_SECONDS = 1
# While faults are on: documents and versions each writer sends; after: one more version of
# each, and new documents. 2 hosts x 4 clients x (4 x 3 + 4 + 9) = 200 writes.
FAULTY_DOCUMENTS, FAULTY_VERSIONS, NEW_DOCUMENTS = 4, 3, 9
FAULT_HOLD_SECONDS = 1.5
FAULT_CAP_SECONDS = 15.0  # a bound: a fault that met no request in this long never will
SETTLE_SECONDS = 120.0  # a bound on the drain, not a measurement


def _faults() -> dict[str, dict[str, Any]]:
    """Faults in turn, under the name the record system counts each by."""
    # Longer than the hosts wait: the write is in the record, its answer never reaches the host.
    after_commit_ms = RECORDS_TIMEOUT_SECONDS * 1000 + 500
    return {
        "timeout_after_commit": {"timeout_after_commit_ms": after_commit_ms},
        "http_503": {"http_503": True},
        "soap_fault:Unavailable": {"soap_fault": "Unavailable"},
    }


@dataclass
class Host:
    name: str
    url: str
    config: Path
    process: Any = None


def _host_config(directory: Path, host: Host, database_url: str, records_url: str) -> None:
    text_ = host_config_text(
        public_url=host.url,
        database_url=database_url,
        records_url=records_url,
        public_key_file="keys/launch-public.pem",
        secret_key_file="secret-key",
        outbox_worker=True,
        records_timeout_seconds=RECORDS_TIMEOUT_SECONDS,
    )
    text_ = text_.replace("[outbox]\n", f"[outbox]\n{OUTBOX_TUNING}", 1)
    # Each host names itself in X-Road headers: the record system's log tells who delivered.
    text_ += (
        f'\n[record_system.xroad]\nclient = "FI/MUN/1234567-8/{host.name}"\n'
        'service = "FI/MUN/7654321-0/records"\n'
    )
    host.config.write_text(text_)


class RequestWatch:
    """Who sent which SaveDocument: polls the record system's short request log, by message id."""

    def __init__(self, records_url: str) -> None:
        self.records_url = records_url
        self.saves: dict[str, str] = {}  # X-Road message id -> the sending host's subsystem
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RequestWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._poll()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self._poll()

    def _poll(self) -> None:
        try:
            entries = requests.get(f"{self.records_url}/-/requests", timeout=5).json()
        except requests.RequestException:
            return
        for entry in entries:
            xroad = entry.get("xroad") or {}
            if entry.get("operation") == "SaveDocument" and "id" in xroad:
                self.saves[xroad["id"]] = xroad["client"].get("subsystemCode", "")

    def senders(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for sender in self.saves.values():
            counts[sender] = counts.get(sender, 0) + 1
        return counts


@pytest.fixture
def scale_out(
    tmp_path: Path, postgres_url: str
) -> Iterator[tuple[list[Host], RecordSystemProcess]]:
    records_url = f"http://127.0.0.1:{free_port()}"
    hosts = [
        Host(name, f"http://127.0.0.1:{free_port()}", tmp_path / f"{name}.toml")
        for name in ("host-a", "host-b")
    ]
    prepare(tmp_path, hosts[0].url, records_url)  # keys and secret as the demo has them
    for host in hosts:
        _host_config(tmp_path, host, postgres_url, records_url)
    enable_everything(hosts[0].config, DEMO_UNIT, actor="scale-out-test")  # migrates, once
    with (tmp_path / "records.log").open("ab") as log:
        process = start_record_system(tmp_path, records_url, hosts[0].url, log)
    records = RecordSystemProcess(
        records_url, tmp_path / "records.db", tmp_path / "records.log", process
    )
    try:
        wait_until_up(f"{records_url}/-/ready")
        for host in hosts:
            with (tmp_path / f"{host.name}.log").open("ab") as log:
                host.process = start_host(host.config, host.url, log)
            wait_until_up(f"{host.url}/-/health")
        yield hosts, records
    finally:
        for host in hosts:
            if host.process is not None:
                stop_process(host.process)
        stop_process(process)


def _write_faulty(client: HostClient, label: str) -> list[DocumentHistory]:
    return write_documents(client, label, FAULTY_DOCUMENTS, FAULTY_VERSIONS)


def _write_healthy(client: HostClient, label: str, earlier: list[DocumentHistory]):
    write_versions(client, f"{label}-more", earlier, 1)
    return [*earlier, *write_documents(client, f"{label}-new", NEW_DOCUMENTS, 1)]


def _hold(records: RecordSystemProcess, kind: str, faults: dict[str, Any]) -> int:
    """Keep a fault on for a while and until it met a request; how many requests it met."""
    records.set_faults(**faults)
    started = time.monotonic()
    while True:
        met = records.fault_stats()["faults_injected"].get(kind, 0)
        held = time.monotonic() - started
        if (met and held >= FAULT_HOLD_SECONDS) or held >= FAULT_CAP_SECONDS:
            return met


def _depths(hosts: list[Host]) -> list[int | None]:
    return [requests.get(f"{h.url}/-/health", timeout=10).json()["outbox"]["depth"] for h in hosts]


def _wait_until_drained(hosts: list[Host]) -> float:
    started = time.monotonic()
    while True:
        depths = _depths(hosts)
        if depths == [0] * len(hosts):
            return time.monotonic() - started
        if time.monotonic() - started > SETTLE_SECONDS:
            raise AssertionError(f"outbox depth still {depths} after {SETTLE_SECONDS} s")
        time.sleep(0.2)


def _outbox(database_url: str) -> dict[str, OutboxWrite]:
    database = Database(database_url)
    try:
        with database.transaction() as session:
            rows = session.scalars(select(OutboxWrite)).all()
            session.expunge_all()
    finally:
        database.engine.dispose()
    return {row.write_id: row for row in rows}


def test_two_hosts_on_one_postgresql_deliver_every_write_exactly_once(scale_out, postgres_url):
    hosts, records = scale_out
    private_key = (records.db_path.parent / "keys" / "launch-private.pem").read_bytes()
    # Launches ask the record system about access: all before the faults begin.
    writers = [
        (HostClient.launch(host.url, private_key, client_id), f"{host.name}-{client_id}")
        for host in hosts
        for client_id in CLIENTS
    ]
    started = time.monotonic()
    injected = {}
    with RequestWatch(records.url) as watch, ThreadPoolExecutor(len(writers)) as pool:
        kinds = iter(_faults().items())
        kind, faults = next(kinds)
        records.set_faults(**faults)
        runs = [pool.submit(_write_faulty, client, label) for client, label in writers]
        injected[kind] = _hold(records, kind, faults)
        for kind, faults in kinds:
            injected[kind] = _hold(records, kind, faults)
        records.reset_faults()
        histories = [run.result() for run in runs]
        runs = [
            pool.submit(_write_healthy, client, label, earlier)
            for (client, label), earlier in zip(writers, histories, strict=True)
        ]
        histories = [history for run in runs for history in run.result()]
        accepted = time.monotonic() - started
        drained = _wait_until_drained(hosts)
    rows = _outbox(postgres_url)

    assert sum(len(h.write_ids) for h in histories) == len(rows) == 200
    assert all(injected.values()), f"a fault met no request: {injected}"
    assert outbox_problems(rows, histories) == []
    assert record_problems(RecordStore(str(records.db_path)), rows, histories) == []
    senders = watch.senders()
    assert senders.get("host-a") and senders.get("host-b"), f"both workers deliver: {senders}"
    print(
        f"\nscale-out: {len(rows)} writes to {len(histories)} documents through 2 hosts on one"
        f" PostgreSQL, accepted in {accepted:.1f} s, drained {drained:.1f} s later;"
        f" faults injected: {injected}; saves seen by sender: {senders}"
    )
