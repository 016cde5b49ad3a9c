"""No write is ever lost: thousands of writes through a record system that keeps failing, and a
host killed with a full outbox. Both compare what the clients sent with what the record system
holds, row by row: every version once, in order, nothing missing, nothing extra.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from plugin_host.outbox.queue import DELIVERED
from tests.fixtures.soak import SoakStack
from tests.soak_checks import outbox_problems, record_problems
from tests.soak_client import DocumentHistory, new_histories, write_documents, write_versions

CLIENTS = ("c-1001", "c-1002", "c-1003", "c-1004")  # team a: w-demo may open them all
WRITERS = 8
DOCUMENTS_PER_WRITER = 6
VERSIONS = 63  # 8 writers x 6 documents x 63 versions = 3024 writes
# Bounds on waiting, not measurements. A write claimed when its host died waits out its lease
# before another round may try it; a drain of thousands is given far more than it needs.
SETTLE_SECONDS = 90.0  # the lease is 4 x the record-system timeout + 5 s: 25 s here
DRAIN_SECONDS = 300.0
DOWN_SECONDS = 2.0
PHASE_SECONDS = 2.0
HEALTHY_SECONDS = 1.0
# A bound, not a measurement: a fault that met no request in this long never will.
FAULT_CAP_SECONDS = 20.0


def _faults(record_timeout_seconds: float) -> dict[str, dict[str, Any]]:
    """Each fault to inject, in order, under the name the record system counts it by.

    The timeout comes first, while the outbox surely has a backlog to send into it; latency
    next, as the writes left hanging by the timeout keep the host busy for a while.
    """
    # Longer than the host waits: the write is in the record, its answer never reaches the host.
    after_commit_ms = int(record_timeout_seconds * 1000) + 500
    return {
        "timeout_after_commit": {"timeout_after_commit_ms": after_commit_ms},
        "latency": {"latency_ms": 50, "latency_max_ms": 400},
        "reply:malformed": {"reply": "malformed"},
        "drop_connection": {"drop_connection": True},
        "soap_fault:Unavailable": {"soap_fault": "Unavailable"},
        "http_503": {"http_503_every": 3},
    }


def _take_down(stack: SoakStack) -> None:
    """Kill the record system mid-traffic and bring it back on the same port and database."""
    stack.kill_records()
    time.sleep(DOWN_SECONDS)
    stack.start_records()


def _hold(stack: SoakStack, kind: str, faults: dict[str, Any]) -> int:
    """Keep one fault in force for a while and until it has met a request; how many it met.

    Held by a one-phase schedule rather than for a fixed time: while the breaker is open or a
    delivery round waits on timed-out writes, few requests reach the record system.
    """
    phase = {"start_s": 0, "duration_s": FAULT_CAP_SECONDS, "faults": faults}
    stack.records.set_schedule([phase])
    started = time.monotonic()
    while True:
        met = stack.records.fault_stats()["faults_injected"].get(kind, 0)
        held = time.monotonic() - started
        if (met and held >= PHASE_SECONDS) or held >= FAULT_CAP_SECONDS:
            stack.records.reset_faults()
            return met
        time.sleep(0.1)


def _disturb(stack: SoakStack, faults: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Kill the record system, inject each fault in turn, kill it again; what each fault met."""
    _take_down(stack)
    met = {}
    for kind, settings in faults.items():
        met[kind] = _hold(stack, kind, settings)
        time.sleep(HEALTHY_SECONDS)  # some writes get through between the faults
    _take_down(stack)
    return met


def _write_while_failing(
    stack: SoakStack, faults: dict[str, dict[str, Any]]
) -> tuple[list[DocumentHistory], dict[str, int]]:
    """Eight workers write concurrently through the trouble; what they sent, what was injected."""
    clients = [stack.launch(CLIENTS[n % len(CLIENTS)]) for n in range(WRITERS)]
    with ThreadPoolExecutor(WRITERS) as pool:
        runs = [
            pool.submit(write_documents, client, f"w{n}", DOCUMENTS_PER_WRITER, VERSIONS)
            for n, client in enumerate(clients)
        ]
        injected = _disturb(stack, faults)
        return [history for run in runs for history in run.result()], injected


def test_thousands_of_writes_through_a_failing_record_system_arrive_exactly_once(soak_stack):
    faults = _faults(soak_stack.record_timeout_seconds)
    started = time.monotonic()
    histories, injected = _write_while_failing(soak_stack, faults)
    accepted = time.monotonic() - started
    rows = soak_stack.wait_until_settled(DRAIN_SECONDS)
    settled = time.monotonic() - started

    assert all(injected.values()), f"a fault met no request: {injected}"
    assert outbox_problems(rows, histories) == []
    assert record_problems(soak_stack.record_store(), rows, histories) == []
    retried = sum(row.attempts - 1 for row in rows.values())
    print(
        f"\nsoak: {len(rows)} writes to {len(histories)} documents by {WRITERS} workers,"
        f" accepted in {accepted:.1f} s, all delivered after {settled:.1f} s;"
        f" record system killed twice; faults injected: {injected};"
        f" {retried} delivery attempts retried"
    )


def test_writes_in_the_outbox_of_a_killed_host_arrive_after_restart(soak_stack):
    clients = [soak_stack.launch(client_id) for client_id in CLIENTS]
    # Some documents already in the record: their next versions are based on delivered ones.
    histories = {c.client_id: write_documents(c, "before", 2, 1) for c in clients}
    soak_stack.wait_until_settled(SETTLE_SECONDS)

    soak_stack.kill_records()
    for client in clients:
        write_versions(client, "down", histories[client.client_id], 3)
        histories[client.client_id] += write_versions(
            client, "down-new", new_histories(client.client_id, 2), 3
        )
    everything = [history for per_client in histories.values() for history in per_client]
    waiting = [row for row in soak_stack.outbox().values() if row.status != DELIVERED]
    assert len(waiting) == len(CLIENTS) * (2 * 3 + 2 * 3), "all accepted, none delivered"

    soak_stack.kill_host()
    soak_stack.start_host()
    soak_stack.start_records()
    # Nobody writes, retries or wakes anything from here on: the host resumes on its own.
    rows = soak_stack.wait_until_settled(SETTLE_SECONDS)

    assert outbox_problems(rows, everything) == []
    assert record_problems(soak_stack.record_store(), rows, everything) == []
