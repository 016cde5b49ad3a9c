"""Launch-to-rendered latency of the genogram panel, and panels a second under gunicorn.

``python -m bench.panel_latency [--samples 200] [--users 50] [--seconds 10] [--quick]``

One stack (``bench._stack.running_stack``: reference record system and host, every plugin
enabled), plus a 40-person family: ``seed_large_family(store, size=40)`` written into the
record system's database (client ``c-9001``, team-a, whom the demo worker may open).

1. Latency, one request at a time against ``plugin-host serve`` (Werkzeug): per sample, a
   launch token is signed (untimed) for view ``genogram/editor``; timed is ``GET /launch``,
   following its redirect, until the editor's HTML is read in full, in a fresh browser-like
   session. Baselines in the same run, interleaved: the same for the ``client_note`` panel of
   the same client, and a ``GET /-/health`` round trip. Goals: median < 30 ms, p95 < 60 ms.
2. Throughput: ``plugin-host serve --workers 2`` on the same database; ``--users`` threads,
   each with a session of its own launched (untimed) for the genogram editor, ask for the
   editor again and again for ``--seconds``. Baseline: the same load on ``GET /-/health``.
   Goal: at least 300 panels a second.

Nothing is asserted about speed; the benchmark exits 1 if a panel does not render (not 200, or
without the family in it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import requests

from bench._stack import (
    DEMO_ISSUER,
    DEMO_UNIT,
    HTTP_TIMEOUT,
    PURPOSE,
    WORKER,
    Stack,
    gunicorn_host,
    launch_view,
    running_stack,
    sign_launch,
)
from bench._table import Row, print_table
from reference_record_system.seed import seed_large_family

FAMILY_SIZE = 40
GENOGRAM = "genogram/editor"
NOTE = "client_note/panel"
GOAL_MEDIAN_MS, GOAL_P95_MS, GOAL_PANELS_PER_SECOND = 30.0, 60.0, 300.0
# A member of the seeded family, as the editor shows it: proof that the panel rendered.
FAMILY_MARK = "Sukulainen-40"



class PanelBroken(Exception):
    """A panel that did not render: a correctness problem, not a slow one."""


@dataclass(frozen=True)
class Options:
    samples: int
    users: int
    seconds: float
    workers: int
    threads: int | None
    keep: bool


@dataclass(frozen=True)
class Load:
    done: int
    failed: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.done / self.seconds


def _check(answer: requests.Response, what: str, mark: str | None) -> None:
    if answer.status_code != 200 or (mark is not None and mark not in answer.text):
        raise PanelBroken(f"{what} answered {answer.status_code} ({len(answer.content)} bytes)")


def timed_launch(stack: Stack, client_id: str, view: str, mark: str | None) -> float:
    """Milliseconds from ``GET /launch`` to the view's HTML read in full (signing untimed)."""
    token = sign_launch(
        stack.private_key(),
        issuer=DEMO_ISSUER,
        audience=stack.host_url,
        worker_id=WORKER,
        org_unit=DEMO_UNIT,
        client_id=client_id,
        purpose=PURPOSE,
        view=view,
    )
    with requests.Session() as http:
        started = time.perf_counter()
        answer = http.get(f"{stack.host_url}/launch", params={"token": token}, timeout=HTTP_TIMEOUT)
        elapsed = (time.perf_counter() - started) * 1000
    _check(answer, view, mark)
    if not answer.history or answer.history[0].status_code != 303:
        raise PanelBroken(f"launch of {view} did not redirect")
    return elapsed


def timed_health(stack: Stack) -> float:
    started = time.perf_counter()
    answer = requests.get(f"{stack.host_url}/-/health", timeout=HTTP_TIMEOUT)
    elapsed = (time.perf_counter() - started) * 1000
    _check(answer, "/-/health", None)
    return elapsed


def measure_latency(stack: Stack, client_id: str, samples: int) -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {"genogram": [], "note": [], "health": []}
    for _ in range(3):  # warm-up: first requests compile templates and open connections
        timed_launch(stack, client_id, GENOGRAM, FAMILY_MARK)
        timed_launch(stack, client_id, NOTE, None)
    for _ in range(samples):
        runs["genogram"].append(timed_launch(stack, client_id, GENOGRAM, FAMILY_MARK))
        runs["note"].append(timed_launch(stack, client_id, NOTE, None))
        runs["health"].append(timed_health(stack))
    return runs


def run_load(users: int, seconds: float, request: Callable[[int], requests.Response]) -> Load:
    """``users`` threads each calling ``request(user)`` until ``seconds`` are up."""
    start = threading.Barrier(users + 1)
    stop = threading.Event()
    done = [0] * users
    failed = [0] * users

    def user(index: int) -> None:
        start.wait()
        while not stop.is_set():
            try:
                ok = request(index).status_code == 200
            except requests.RequestException:
                ok = False
            if ok:
                done[index] += 1
            else:
                failed[index] += 1

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=HTTP_TIMEOUT + 5)
    # Requests that finished after the stop count, and so does their time.
    return Load(sum(done), sum(failed), time.perf_counter() - began)


def measure_throughput(stack: Stack, client_id: str, options: Options) -> tuple[Load, Load]:
    with gunicorn_host(stack, workers=options.workers, threads=options.threads) as url:
        users = []
        for _ in range(options.users):
            http = requests.Session()
            # As a browser does: a request on a keep-alive connection the server has just
            # closed (gunicorn's keepalive is 2 s) is sent again on a new one.
            http.mount("http://", requests.adapters.HTTPAdapter(max_retries=1))
            http, shown = launch_view(stack, client_id, GENOGRAM, host_url=url, http=http)
            _check(shown, f"{GENOGRAM} under gunicorn", FAMILY_MARK)
            users.append((http, shown.url))
        for http, panel in users[:5]:  # warm-up of both workers
            http.get(panel, timeout=HTTP_TIMEOUT)
        panels = run_load(
            options.users,
            options.seconds,
            lambda i: users[i][0].get(users[i][1], timeout=HTTP_TIMEOUT),
        )
        health = run_load(
            options.users,
            options.seconds,
            lambda i: users[i][0].get(f"{url}/-/health", timeout=HTTP_TIMEOUT),
        )
        # A last look: the panel still renders after the load.
        http, panel = users[0]
        _check(http.get(panel, timeout=HTTP_TIMEOUT), f"{GENOGRAM} after the load", FAMILY_MARK)
    return panels, health


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _goal(text: str, met: bool) -> str:
    return f"{text} ({'met' if met else 'NOT met'})"


def latency_rows(runs: dict[str, list[float]]) -> list[Row]:
    genogram, note, health = runs["genogram"], runs["note"], runs["health"]
    median, p95 = statistics.median(genogram), _p95(genogram)
    note_median, note_p95 = statistics.median(note), _p95(note)
    return [
        (
            f"launch to genogram editor ({FAMILY_SIZE} persons), median",
            f"{median:.1f} ms",
            f"{note_median:.1f} ms",
            f"{median / note_median:.2f}",
            _goal(f"< {GOAL_MEDIAN_MS:g} ms", median < GOAL_MEDIAN_MS),
        ),
        (
            f"launch to genogram editor ({FAMILY_SIZE} persons), p95",
            f"{p95:.1f} ms",
            f"{note_p95:.1f} ms",
            f"{p95 / note_p95:.2f}",
            _goal(f"< {GOAL_P95_MS:g} ms", p95 < GOAL_P95_MS),
        ),
        (
            "  GET /-/health round trip, median / p95",
            f"{statistics.median(health):.1f} / {_p95(health):.1f} ms",
            "",
            "",
            "",
        ),
    ]


def throughput_rows(panels: Load, health: Load, options: Options) -> list[Row]:
    rate, baseline = panels.per_second, health.per_second
    return [
        (
            f"genogram panels/s, {options.users} users, {options.workers} gunicorn workers",
            f"{rate:.0f} /s",
            f"{baseline:.0f} /s",
            f"{rate / baseline:.2f}",
            _goal(f">= {GOAL_PANELS_PER_SECOND:g} /s", rate >= GOAL_PANELS_PER_SECOND),
        ),
        (
            "  failed requests (panels / health)",
            f"{panels.failed} / {health.failed}",
            "",
            "",
            "",
        ),
    ]




def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.panel_latency", description=__doc__)
    parser.add_argument("--samples", type=int, default=200, help="latency samples (200)")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (50)")
    parser.add_argument("--seconds", type=float, default=10, help="load duration (10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, help="threads per worker (serve's default)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 30 samples, 3 s")
    parser.add_argument("--keep", action="store_true", help="keep the directory and logs")
    args = parser.parse_args(argv)
    if args.quick:
        args.samples, args.seconds = 30, 3
    return Options(args.samples, args.users, args.seconds, args.workers, args.threads, args.keep)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    with running_stack({}, keep=options.keep) as stack:
        client_id = seed_large_family(stack.record_store(), size=FAMILY_SIZE)
        try:
            print(f"latency: {options.samples} launches of each panel ...", flush=True)
            runs = measure_latency(stack, client_id, options.samples)
            print(
                f"throughput: {options.users} users, {options.seconds:g} s each for panels and "
                f"health, {options.workers} workers ...",
                flush=True,
            )
            panels, health = measure_throughput(stack, client_id, options)
        except PanelBroken as broken:
            print(f"\n!!! PANEL DID NOT RENDER: {broken}", file=sys.stderr)
            return 1
    print()
    print_table([*latency_rows(runs), *throughput_rows(panels, health, options)])
    print(
        f"\nlatency: one request at a time against `plugin-host serve` (Werkzeug), fresh session "
        f"per launch, {options.samples} samples each, interleaved; baseline = the client_note "
        f"panel of the same client.\nthroughput: `serve --workers {options.workers}`"
        f"{f' --threads {options.threads}' if options.threads else ''} on the same SQLite "
        "database, each user its own launched session and keep-alive connection; the load "
        "generator runs on the same machine."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
