"""How fast the outbox drains a backlog, and what accepting a write into it costs.

``python -m bench.outbox_drain [--writes N] [--quick] [--concurrency C]``

One run, one stack (a reference record system and a host as real processes, on loopback):

1. the record system's own write rate: SaveDocument straight through the SOAP adapter, with the
   concurrency the host's outbox worker has;
2. the drain rate of a backlog: the record system answers 503 while N writes are accepted over
   the host's HTTP API, then it recovers and the clock runs until the outbox is empty;
3. the added latency of an accepted write while the record system is healthy: the POST's round
   trip against a GET of similar framing (same session and launch checks, no write).

Afterwards the record system must hold every write exactly once; a run that lost or doubled a
write says so and exits 1. Nothing here asserts a time: the figures are printed, not judged.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import func, select

from adapters.soap import SoapRecordSystem, SoapSettings
from bench._stack import PURPOSE, WORKER, HostSession, Stack, running_stack
from bench._table import Row, print_table
from plugin_host.config import load_config
from plugin_host.demo import DEMO_UNIT
from plugin_host.records import DocumentDraft, RequestContext
from plugin_host.storage import Database
from plugin_host.storage.models import OutboxWrite

CLIENTS = ("c-1001", "c-1002", "c-1003", "c-1004")
PLUGIN = "client_note"
DOCUMENT_TYPE = "note"
NOTES_PATH = f"/api/{PLUGIN}/documents/{DOCUMENT_TYPE}"
# Health is polled this often while draining: fine enough for a drain of seconds, and one cheap
# query for the host, so the poll itself does not slow the drain it measures.
POLL_SECONDS = 0.05
DRAIN_TIMEOUT_SECONDS = 900
WARMUP = 10  # untimed requests before each timed series: connections, caches, zeep


@dataclass(frozen=True)
class Options:
    writes: int
    direct_writes: int
    samples: int
    outbox: dict[str, float | int | bool]
    keep: bool


@dataclass(frozen=True)
class Rate:
    writes: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.writes / self.seconds


@dataclass(frozen=True)
class Direct:
    concurrency: int
    parallel: Rate  # as many writes in flight as the outbox worker delivers at once
    serial: Rate  # one write at a time


@dataclass(frozen=True)
class Drain:
    accepted: Rate  # how fast the host took the backlog in while the record system was down
    drained: Rate  # from the record system's recovery until the outbox was empty
    first_delivery_seconds: float  # from the recovery until the first write arrived
    breaker_at_recovery: str
    attempts: tuple[float, int]  # mean and max delivery attempts per backlog write


@dataclass(frozen=True)
class Latency:
    write_ms: list[float]
    baseline_ms: list[float]


class Titles:
    """Unique, recognisable document titles: the check afterwards finds each write by its own."""

    def __init__(self) -> None:
        self.run = uuid.uuid4().hex[:8]
        self.sent: list[str] = []
        self._lock = threading.Lock()  # the direct writes take titles from several threads

    def next(self, phase: str) -> str:
        with self._lock:
            title = f"bench {self.run} {phase} {len(self.sent)}"
            self.sent.append(title)
        return title

    def mine(self, title: str) -> bool:
        return title.startswith(f"bench {self.run} ")


# --- 1. the record system's own write rate -----------------------------------------------------


def _direct_writer(stack: Stack, titles: Titles) -> Callable[[int], None]:
    records = SoapRecordSystem(SoapSettings(endpoint=f"{stack.records_url}/soap"))
    ctx = RequestContext(worker_id=WORKER, org_unit=DEMO_UNIT, purpose=PURPOSE)

    def write(number: int) -> None:
        draft = DocumentDraft(
            client_id=CLIENTS[number % len(CLIENTS)],
            document_type=DOCUMENT_TYPE,
            title=titles.next("direct"),
            content=json.dumps({"text": f"direct write {number}"}),
            content_type="application/json",
        )
        records.save_document(ctx, draft, None, uuid.uuid4().hex)

    return write


def _timed_writes(write: Callable[[int], None], writes: int, in_flight: int) -> Rate:
    with ThreadPoolExecutor(in_flight) as pool:
        list(pool.map(write, range(WARMUP)))
        started = time.perf_counter()
        list(pool.map(write, range(writes)))
        return Rate(writes, time.perf_counter() - started)


def measure_direct(stack: Stack, titles: Titles, writes: int, concurrency: int) -> Direct:
    """New documents, unique idempotency keys; as many in flight as the outbox worker has,
    and one at a time for comparison: a delivery path that serialises its calls gets that."""
    write = _direct_writer(stack, titles)
    return Direct(
        concurrency=concurrency,
        parallel=_timed_writes(write, writes, concurrency),
        serial=_timed_writes(write, writes, 1),
    )


# --- writes over the host's HTTP API -----------------------------------------------------------


def post_note(session: HostSession, title: str) -> None:
    answer = session.post_json(NOTES_PATH, {"title": title, "content": {"text": title}})
    if answer.status_code != 202:
        raise RuntimeError(f"write {title!r} answered {answer.status_code}: {answer.text[:300]}")


def enqueue(sessions: Sequence[HostSession], titles: Titles, writes: int) -> Rate:
    """``writes`` POSTs, one thread per session, each session taking its share in turn."""
    shares = [range(i, writes, len(sessions)) for i in range(len(sessions))]
    planned = [[titles.next("backlog") for _ in share] for share in shares]

    def send(index: int) -> None:
        for title in planned[index]:
            post_note(sessions[index], title)

    started = time.perf_counter()
    with ThreadPoolExecutor(len(sessions)) as pool:
        list(pool.map(send, range(len(sessions))))
    return Rate(writes, time.perf_counter() - started)


# --- 2. draining a backlog ---------------------------------------------------------------------


def _outbox(stack: Stack) -> tuple[int, int]:
    """(open writes, delivered writes) as the host reports them in ``/-/health``."""
    outbox = stack.health()["outbox"]
    return outbox["depth"], outbox["counts"].get("delivered", 0)


def wait_until_empty(stack: Stack) -> tuple[float, float | None]:
    """Seconds until the outbox is empty, and until the first write was delivered meanwhile."""
    started = time.perf_counter()
    _, delivered_before = _outbox(stack)
    first = None
    while True:
        depth, delivered = _outbox(stack)
        now = time.perf_counter() - started
        if first is None and delivered > delivered_before:
            first = now
        if depth == 0:
            return now, first
        if now > DRAIN_TIMEOUT_SECONDS:
            raise TimeoutError(f"{depth} writes still open after {now:.0f} s: {stack.health()}")
        time.sleep(POLL_SECONDS)


def delivery_attempts(stack: Stack, titles: Titles) -> tuple[float, int]:
    """Mean and max attempts per backlog write: what the outage cost in retries and backoff."""
    database = Database(load_config(stack.config).database_url)
    try:
        with database.transaction() as session:
            mean, most = session.execute(
                select(func.avg(OutboxWrite.attempts), func.max(OutboxWrite.attempts)).where(
                    OutboxWrite.title.like(f"bench {titles.run} backlog %")
                )
            ).one()
    finally:
        database.engine.dispose()
    return float(mean or 0), int(most or 0)


def measure_drain(
    stack: Stack, sessions: Sequence[HostSession], titles: Titles, writes: int
) -> Drain:
    """Outage, backlog, recovery; the drain's clock starts when the faults are lifted."""
    stack.set_faults(http_503=True)
    accepted = enqueue(sessions, titles, writes)
    breaker = stack.health()["record_system_breaker"]
    stack.reset_faults()
    seconds, first = wait_until_empty(stack)
    return Drain(
        accepted=accepted,
        drained=Rate(writes, seconds),
        first_delivery_seconds=seconds if first is None else first,
        breaker_at_recovery=breaker,
        attempts=delivery_attempts(stack, titles),
    )


# --- 3. the latency an accepted write adds -----------------------------------------------------


def _timed_ms(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def measure_latency(session: HostSession, titles: Titles, samples: int) -> Latency:
    """POST and baseline GET interleaved, one at a time, so both meet the same host state."""
    for _ in range(WARMUP):
        session.session_info()
        post_note(session, titles.next("latency"))
    write_ms: list[float] = []
    baseline_ms: list[float] = []
    for _ in range(samples):
        baseline_ms.append(_timed_ms(session.session_info))
        title = titles.next("latency")
        write_ms.append(_timed_ms(lambda title=title: post_note(session, title)))
    return Latency(write_ms, baseline_ms)


# --- the check: every write in the record system exactly once ---------------------------------


def count_documents(stack: Stack) -> Counter[str]:
    """Titles of the record's documents of our clients (latest versions; ours have one)."""
    store = stack.record_store()
    return Counter(
        ref["title"] for client in CLIENTS for ref in store.list_documents(client, DOCUMENT_TYPE)
    )


def check_record(before: Counter[str], after: Counter[str], titles: Titles) -> list[str]:
    """Problems found, none when each write sent is in the record exactly once."""
    new = after - before
    mine = Counter({title: n for title, n in new.items() if titles.mine(title)})
    missing = [t for t in titles.sent if t not in mine]
    doubled = [t for t, n in mine.items() if n > 1]
    problems = []
    if missing:
        problems.append(f"{len(missing)} writes MISSING, e.g. {missing[:3]}")
    if doubled:
        problems.append(f"{len(doubled)} writes DUPLICATED, e.g. {doubled[:3]}")
    if sum(new.values()) != len(titles.sent):
        problems.append(f"{sum(new.values())} new documents for {len(titles.sent)} writes sent")
    return problems


# --- the report --------------------------------------------------------------------------------


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _goal(text: str, met: bool) -> str:
    return f"{text} ({'met' if met else 'NOT met'})"




def _row(figure: str, value: str, baseline: str = "", ratio: str = "", goal: str = "") -> Row:
    return (figure, value, baseline, ratio, goal)


def _drain_rows(direct: Direct, drain: Drain) -> list[Row]:
    rate = direct.parallel.per_second
    drained = drain.drained.per_second
    # The rate once writes flow again: the drain without the wait for breaker and backoff.
    flowing = drain.drained.seconds - drain.first_delivery_seconds
    steady = drain.drained.writes / flowing if flowing > 0 else float("nan")
    return [
        _row(
            f"backlog drain rate, {drain.drained.writes} writes",
            f"{drained:.0f} w/s",
            f"{rate:.0f} w/s",
            f"{drained / rate:.2f}",
            _goal(">= 0.9", drained / rate >= 0.9),
        ),
        _row("  drain time, recovery to empty", f"{drain.drained.seconds:.1f} s"),
        _row("  time to first delivery", f"{drain.first_delivery_seconds:.2f} s"),
        _row("  drain rate after first delivery", f"{steady:.0f} w/s", "", f"{steady / rate:.2f}"),
        _row("  backlog accepted during outage", f"{drain.accepted.per_second:.0f} w/s"),
    ]


def _latency_rows(latency: Latency) -> list[Row]:
    write_median = statistics.median(latency.write_ms)
    baseline_median = statistics.median(latency.baseline_ms)
    added = write_median - baseline_median
    return [
        _row(
            "accepted write (POST) round trip, median",
            f"{write_median:.2f} ms",
            f"{baseline_median:.2f} ms",
        ),
        _row(
            "accepted write (POST) round trip, p95",
            f"{_p95(latency.write_ms):.2f} ms",
            f"{_p95(latency.baseline_ms):.2f} ms",
        ),
        _row(
            "added latency, difference of medians",
            f"{added:.2f} ms",
            goal=_goal("< 5 ms", added < 5),
        ),
    ]


def _direct_rows(direct: Direct) -> list[Row]:
    parallel, serial = direct.parallel.per_second, direct.serial.per_second
    return [
        _row(
            f"record system write rate, SOAP, {direct.concurrency} in flight", f"{parallel:.0f} w/s"
        ),
        _row("  the same, 1 in flight", f"{serial:.0f} w/s", "", f"{serial / parallel:.2f}"),
    ]


def report_rows(direct: Direct, drain: Drain, latency: Latency) -> list[Row]:
    return [*_direct_rows(direct), *_drain_rows(direct, drain), *_latency_rows(latency)]




def print_notes(drain: Drain, latency: Latency, stack: Stack) -> None:
    outbox = stack.outbox
    mean, most = drain.attempts
    print(
        f"\nhost outbox: concurrency {outbox.concurrency}, poll {outbox.poll_seconds} s, "
        f"breaker reset {outbox.breaker_reset_seconds} s, max backoff "
        f"{outbox.max_backoff_seconds} s; breaker at recovery: {drain.breaker_at_recovery}"
    )
    print(f"backlog delivery attempts per write: mean {mean:.1f}, max {most}")
    print(
        f"latency: {len(latency.write_ms)} POSTs and {len(latency.baseline_ms)} GETs "
        f"/c/<client>/api/session, one at a time; baseline = that GET"
    )


# --- the run -----------------------------------------------------------------------------------


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox_drain", description=__doc__)
    parser.add_argument("--writes", type=int, default=10_000, help="backlog size (10000)")
    parser.add_argument("--direct-writes", type=int, help="direct SOAP writes (writes/5, >= 200)")
    parser.add_argument("--samples", type=int, default=500, help="latency samples (500)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 200 writes, 50 samples")
    parser.add_argument("--concurrency", type=int, help="[outbox] concurrency (host default)")
    parser.add_argument("--keep", action="store_true", help="keep the directory and logs")
    args = parser.parse_args(argv)
    if args.quick:
        args.writes, args.samples = 200, 50
    outbox: dict[str, float | int | bool] = {}
    if args.concurrency is not None:
        outbox["concurrency"] = args.concurrency
    return Options(
        writes=args.writes,
        direct_writes=args.direct_writes or max(200, args.writes // 5),
        samples=args.samples,
        outbox=outbox,
        keep=args.keep,
    )


def run(stack: Stack, options: Options) -> int:
    titles = Titles()
    before = count_documents(stack)
    sessions = [HostSession(stack, client) for client in CLIENTS]
    concurrency = stack.outbox.concurrency
    print(
        f"direct: {options.direct_writes} SOAP writes, {concurrency} and 1 in flight ...",
        flush=True,
    )
    direct = measure_direct(stack, titles, options.direct_writes, concurrency)
    print(f"latency: {options.samples} POSTs against as many GETs ...", flush=True)
    latency = measure_latency(sessions[0], titles, options.samples)
    wait_until_empty(stack)  # the backlog starts from an empty outbox
    print(f"backlog: {options.writes} writes while the record system answers 503 ...", flush=True)
    try:
        drain = measure_drain(stack, sessions, titles, options.writes)
    except TimeoutError as stuck:
        print(f"\n!!! OUTBOX DID NOT DRAIN: {stuck}", file=sys.stderr)
        return 1
    print()
    print_table(report_rows(direct, drain, latency))
    print_notes(drain, latency, stack)
    problems = check_record(before, count_documents(stack), titles)
    if problems:
        print("\n!!! WRITES LOST OR DOUBLED: " + "; ".join(problems), file=sys.stderr)
        return 1
    phases = Counter(title.split()[2] for title in titles.sent)
    print(
        f"\nrecord check: OK, each of the {len(titles.sent)} writes exactly once "
        f"({phases['backlog']} backlog + {phases['direct']} direct + {phases['latency']} latency)"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    with running_stack(options.outbox, keep=options.keep) as stack:
        return run(stack, options)


if __name__ == "__main__":
    raise SystemExit(main())
