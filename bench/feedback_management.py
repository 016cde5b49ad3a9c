"""How fast a client-feedback management page gets its figures from the statistics store.

``python -m bench.feedback_management [--answers 1000000] [--runs 20] [--baseline-runs 5]``

Set-up, untimed: a fresh SQLite host database (migrated) filled with ``--answers`` feedback
answers of one unit: 8 teams, 24 months, about 3,000 families (each family in one team), an
answer being four item scores 0-10 and their total 0-40, so five observations. The rows go
into ``stat_observation``, ``stat_rollup`` and ``stat_family`` with bulk inserts, as
``Statistics.record`` writes them (the same family keys, roll-up counts and distinct families);
then a few answers more through ``record`` itself.

Timed, ``--runs`` times after a warm-up: one management page's figures, team x month over the
last 12 months for the total score (answers, families, mean, distribution of totals; each
team's, each month's and the unit's totals with families distinct over their cells):

1. ``Statistics.table`` (roll-up and family table) and ``suppress`` of the table;
2. the baseline, same run: ``Statistics.raw_table``, plain GROUP BY over the observations,
   and the same ``suppress``;
3. ``suppress`` alone.

Printed: median and p95 in milliseconds, ratio baseline / ours, goal under 200 ms a page on
SQLite. A slow run is a finding; the benchmark exits 1 only if the two ways give different
figures.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench._table import Row, print_table
from plugin_host.statistics import Statistics
from plugin_host.storage import Database
from plugin_host.suppression import SuppressedTable, Table, suppress

PLUGIN = "feedback"
DATASET = "answers"
UNIT = "unit-bench"
SECRET = "bench-secret-" + "x" * 32
TEAMS = tuple(f"team-{n}" for n in range(1, 9))
MONTHS = tuple(f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13))
PAGE_MONTHS = list(MONTHS[-12:])
FAMILIES = 3000
ITEMS = ("q1", "q2", "q3", "q4")
GOAL_MS = 200.0
SEED = 0
_BATCH = 50_000


@dataclass(frozen=True)
class Options:
    answers: int
    runs: int
    baseline_runs: int


@dataclass(frozen=True)
class Filled:
    observations: int
    rollups: int
    family_rows: int
    seconds: float


def fill(database: Database, answers: int) -> Filled:
    """``answers`` answers in bulk, the rows ``Statistics.record`` would have written."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    store = Statistics(database, SECRET, PLUGIN, UNIT)
    keys = [store.family_key(f"c-{n}") for n in range(FAMILIES)]
    teams = [rng.choice(TEAMS) for _ in range(FAMILIES)]
    recorded = datetime(2024, 12, 31, 12, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    rollup: Counter[tuple[str, str, str, int]] = Counter()
    families: set[tuple[str, str, str]] = set()
    observations = 0
    connection = database.engine.raw_connection()
    try:
        cursor = connection.cursor()
        batch: list[tuple] = []
        for _ in range(answers):
            family = rng.randrange(FAMILIES)
            team, month = teams[family], rng.choice(MONTHS)
            # Scores lean high, as feedback scores do.
            scores = [min(10, int(rng.triangular(0, 11, 9))) for _ in ITEMS]
            values = [*zip(ITEMS, scores, strict=True), ("total", sum(scores))]
            for measure, value in values:
                batch.append((team, month, keys[family], measure, value))
                rollup[(team, month, measure, value)] += 1
            families.add((team, month, keys[family]))
            if len(batch) >= _BATCH:
                observations += _insert_observations(cursor, batch, recorded)
                batch = []
        observations += _insert_observations(cursor, batch, recorded)
        cursor.executemany(
            "INSERT INTO stat_rollup (plugin, dataset, org_unit, team_id, month, d1, d2, d3,"
            " measure, value, count) VALUES (?, ?, ?, ?, ?, '', '', '', ?, ?, ?)",
            [(PLUGIN, DATASET, UNIT, *key, count) for key, count in rollup.items()],
        )
        cursor.executemany(
            "INSERT INTO stat_family (plugin, dataset, org_unit, team_id, month, d1, family_key)"
            " VALUES (?, ?, ?, ?, ?, '', ?)",
            [(PLUGIN, DATASET, UNIT, *row) for row in families],
        )
        connection.commit()
        cursor.execute("ANALYZE")
    finally:
        connection.close()
    for n in range(5):  # and through the front door, on top of the bulk rows
        scores = {item: 7 for item in ITEMS}
        store.record(
            DATASET,
            client_id=f"c-{n}",
            team_id=teams[n],
            month=MONTHS[-1],
            values={**scores, "total": sum(scores.values())},
        )
    return Filled(
        observations=observations + 5 * (len(ITEMS) + 1),
        rollups=len(rollup),
        family_rows=len(families),
        seconds=time.perf_counter() - started,
    )


def _insert_observations(cursor, batch: list[tuple], recorded: str) -> int:
    cursor.executemany(
        "INSERT INTO stat_observation (plugin, dataset, org_unit, team_id, month, family_key,"
        " d1, d2, d3, measure, value, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, '', '', '', ?, ?, ?)",
        [(PLUGIN, DATASET, UNIT, *row, recorded) for row in batch],
    )
    return len(batch)


# --- what is timed -----------------------------------------------------------------------------


def page(read: Callable[..., Table]) -> SuppressedTable:
    """One management page: team x month of the last 12 months, totals, suppressed."""
    return suppress(read(DATASET, "total", months=PAGE_MONTHS))


def timed(call: Callable[[], object], runs: int) -> list[float]:
    call()  # warm-up: the page cache, SQLAlchemy's statement cache
    seconds = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def median_ms(seconds: list[float]) -> float:
    return 1000 * statistics.median(seconds)


def p95_ms(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return 1000 * ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --- the run -----------------------------------------------------------------------------------


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.feedback_management", description=__doc__
    )
    parser.add_argument("--answers", type=int, default=1_000_000, help="answers (1,000,000)")
    parser.add_argument("--runs", type=int, default=20, help="timed pages (20)")
    parser.add_argument("--baseline-runs", type=int, default=5, help="timed baseline pages (5)")
    parser.add_argument("--quick", action="store_true", help="50,000 answers, 10 and 3 runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.answers, args.runs, args.baseline_runs = 50_000, 10, 3
    return Options(max(1, args.answers), max(1, args.runs), max(1, args.baseline_runs))


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    with tempfile.TemporaryDirectory(prefix="bench-") as directory:
        database = Database(f"sqlite:///{Path(directory) / 'host.db'}")
        database.upgrade()
        print(f"filling {options.answers:,} answers ...", flush=True)
        filled = fill(database, options.answers)
        store = Statistics(database, SECRET, PLUGIN, UNIT)
        ours, baseline = page(store.table), page(store.raw_table)
        if ours != baseline:
            print("THE ROLL-UP AND THE OBSERVATIONS GIVE DIFFERENT FIGURES")
            return 1
        table = store.table(DATASET, "total", months=PAGE_MONTHS)
        fast = timed(lambda: page(store.table), options.runs)
        slow = timed(lambda: page(store.raw_table), options.baseline_runs)
        suppressing = timed(lambda: suppress(table), options.runs)
        database.engine.dispose()
    ratio = f"{median_ms(slow) / median_ms(fast):.1f}x"
    met = "met" if median_ms(fast) < GOAL_MS and p95_ms(fast) < GOAL_MS else "NOT met"
    rows: list[Row] = [
        (
            "page, median (table + suppress)",
            f"{median_ms(fast):.1f} ms",
            f"{median_ms(slow):.1f} ms",
            ratio,
            f"< {GOAL_MS:.0f} ms per page on SQLite ({met})",
        ),
        ("page, p95", f"{p95_ms(fast):.1f} ms", f"{p95_ms(slow):.1f} ms", "", ""),
        ("  of which suppress, median", f"{median_ms(suppressing):.2f} ms", "", "", ""),
    ]
    print()
    print_table(rows)
    print(
        f"\n{options.answers:,} answers = {filled.observations:,} observations, "
        f"{filled.rollups:,} roll-up rows, {filled.family_rows:,} family rows "
        f"(filled in {filled.seconds:.0f} s); page: {len(TEAMS)} teams x "
        f"{len(PAGE_MONTHS)} months of {len(MONTHS)}, {len(ours.suppressed())} figures "
        f"suppressed; median and p95 of {options.runs} pages (baseline: {options.baseline_runs}"
        "); baseline = the same page by GROUP BY over stat_observation"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
