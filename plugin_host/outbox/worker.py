"""The delivery loop: claim the due writes, deliver them a few at a time, repeat.

Runs as a thread in the host (``[outbox] worker = true``) or as its own process
(``plugin-host outbox work``). Several loops, in one process or many, may run against one
database: a write is claimed by compare-and-set (on PostgreSQL under ``FOR UPDATE SKIP LOCKED``
row locks, so loops in several processes take different writes and never wait on each other),
and a claim left behind by a dead loop expires.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from plugin_host.audit import AuditLog
from plugin_host.clock import utcnow
from plugin_host.config import OutboxConfig
from plugin_host.outbox import queue
from plugin_host.outbox.delivery import Deliverer, DeliverySettings
from plugin_host.records import RecordSystem
from plugin_host.storage import Database

log = logging.getLogger(__name__)


class OutboxWorker:
    def __init__(
        self,
        database: Database,
        deliverer: Deliverer,
        concurrency: int = 4,
        poll_seconds: float = 0.5,
        lease: timedelta = timedelta(seconds=30),
    ) -> None:
        self.lease = lease
        self.database = database
        self.deliverer = deliverer
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="outbox-delivery")

    def wake(self) -> None:
        """A write was accepted: look now rather than at the next poll."""
        self._wake.set()

    def run_once(self) -> int:
        """Claim and deliver what is due now; returns how many writes were attempted."""
        limit = self.concurrency * 8
        with self.database.transaction() as session:
            queue.release_stale(session)
            if queue.locks_rows(session):
                heads = None
            else:
                heads = queue.due_heads(session, utcnow(), limit)
                if not heads:
                    return 0
        with self.database.transaction() as session:
            if heads is None:
                # PostgreSQL: find and claim under row locks, other processes' claims skipped.
                claimed = queue.claim_due(session, utcnow(), limit, self.lease)
            else:
                # SQLite: one writer at a time; the compare-and-set decides between loops.
                claimed = queue.claim(session, [head.seq for head in heads], self.lease)
        if not claimed:
            return 0
        list(self._pool.map(self.deliverer.deliver, claimed))
        return len(claimed)

    def drain(self, max_rounds: int = 10_000) -> None:
        """Deliver until nothing is due (tests and the CLI)."""
        for _ in range(max_rounds):
            if self.run_once() == 0:
                return

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the loop must outlive a database hiccup
                log.exception("outbox round failed")
                busy = 0
            if not busy:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="outbox-worker", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Block until the loop stops (SIGINT or SIGTERM end the process and with it the loop)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=1)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._pool.shutdown(wait=True)


def build_outbox(
    config: OutboxConfig,
    database: Database,
    record_system: RecordSystem,
    audit: AuditLog,
    call_timeout_seconds: float,
) -> OutboxWorker:
    deliverer = Deliverer(
        database,
        record_system,
        audit,
        DeliverySettings(
            max_backoff_seconds=config.max_backoff_seconds,
            breaker_fail_max=config.breaker_fail_max,
            breaker_reset_seconds=config.breaker_reset_seconds,
        ),
    )
    # A delivery makes at most two calls (read back, save), each with a connect and a read
    # timeout: past that, its claim is surely dead and another worker may take the write.
    lease = timedelta(seconds=4 * call_timeout_seconds + 5)
    return OutboxWorker(database, deliverer, config.concurrency, config.poll_seconds, lease)
