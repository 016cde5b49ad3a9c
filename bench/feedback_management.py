"""How fast a client-feedback management page gets its figures from the statistics store.

``python -m bench.feedback_management [--answers 1000000] [--runs 20] [--baseline-runs 5]``

Set-up, untimed: a fresh SQLite host database (migrated) filled with ``--answers`` feedback
answers of one unit: 8 teams, 24 months, about 3,000 families (each family in one team), an
answer written as the plugin writes it (``plugins.feedback.figures.record_answer``): the
bundled ``after_meeting`` questionnaire as the first dimension, age band and role as the others,
four item scores 0-10 (``item_<id>``) and the total (their mean, in tenths), so five
observations, and the answer's level (low, middle, high third of the scale) in the levels dataset;
and an invitation (``issued``) for every answer and for one answer in five more that never came.
The rows go into ``stat_observation``, ``stat_rollup`` and ``stat_family`` with bulk inserts, as
``Statistics.record`` writes them (the same family keys, roll-up counts and distinct families);
then a few answers more through ``record`` itself.

Timed, ``--runs`` times after a warm-up: one management page's figures, team x month over the
last 12 months for the total score (answers, families, mean, distribution of totals; each
team's, each month's and the unit's totals with families distinct over their cells):

1. ``Statistics.table`` (roll-up and family table) and ``suppress`` of the table;
2. the baseline, same run: ``Statistics.raw_table``, plain GROUP BY over the observations,
   and the same ``suppress``;
3. ``suppress`` alone;
4. the real management page: a host app (``create_app``) over the same database file with the
   feedback plugin enabled for the unit, one unit launch (``/launch`` with a signed token without
   client and team) in a Flask test client, then ``GET /u/<unit>/p/feedback/?until=2024-12``:
   every table of the page (invitations, answers with their levels, response rate, mean; the
   weekly meeting is not enabled, so no meeting tables), each suppressed, the trend chart and
   the template, through the host's launch binding, with the start-up heap frozen as
   ``plugin-host serve`` freezes it (``plugin_host.serving.freeze_startup_heap``); its
   baseline is the same page's figures counted by plain GROUP BY over the observations
   (``raw_table`` for invitations, answers and the three levels, suppressed as the page
   suppresses them).
   The record system is never contacted: the SOAP adapter is built from its local WSDL, and a
   unit launch asks the record system nothing (``launch.views._require_record_access``); the
   configuration points it at a closed port to prove it.

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
from plugin_host import __version__
from plugin_host.app import create_app
from plugin_host.config import load_config
from plugin_host.demo import DEMO_ISSUER, host_config_text
from plugin_host.enablement import Enablement
from plugin_host.registry import PluginRegistry
from plugin_host.serving import freeze_startup_heap
from plugin_host.statistics import Statistics
from plugin_host.storage import Database
from plugin_host.suppression import SuppressedTable, Table, suppress, suppress_partition
from plugins.feedback.figures import LEVEL_NAMES, LEVELS, TENTHS, level_key
from reference_record_system.launch_signer import generate_key_pair, sign_launch

PLUGIN = "feedback"
DATASET = "answers"
UNIT = "unit-bench"
SECRET = "bench-secret-" + "x" * 32
TEAMS = tuple(f"team-{n}" for n in range(1, 9))
MONTHS = tuple(f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13))
PAGE_MONTHS = list(MONTHS[-12:])
FAMILIES = 3000
QUESTIONNAIRE = "after_meeting"  # the bundled questionnaire: the page's default
ITEMS = ("heard", "mattered", "way_of_working", "overall")
DIMS = (QUESTIONNAIRE, "adult", "parent")
INVITATIONS = "invitations"
UNANSWERED_SHARE = 0.2  # invitations never answered, per answer
WORKER = "w-bench-manager"
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
    """``answers`` answers and their invitations in bulk, the rows ``Statistics.record`` would
    have written for ``record_answer`` and ``record_invitation``."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    store = Statistics(database, SECRET, PLUGIN, UNIT)
    keys = [store.family_key(f"c-{n}") for n in range(FAMILIES)]
    teams = [rng.choice(TEAMS) for _ in range(FAMILIES)]
    recorded = datetime(2024, 12, 31, 12, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    # (dataset, team, month, d1, d2, d3, measure, value) -> count; (dataset, team, month, d1,
    # family key) for the families
    rollup: Counter[tuple] = Counter()
    families: set[tuple] = set()
    observations = 0
    unanswered = round(answers * UNANSWERED_SHARE)
    connection = database.engine.raw_connection()
    try:
        cursor = connection.cursor()
        batch: list[tuple] = []
        for number in range(answers + unanswered):
            family = rng.randrange(FAMILIES)
            team, month = teams[family], rng.choice(MONTHS)
            rows: list[tuple] = [(INVITATIONS, QUESTIONNAIRE, "", "", "issued", 1)]
            if number < answers:
                # Scores lean high, as feedback scores do; the total is their mean, rounded.
                scores = [min(10, int(rng.triangular(0, 11, 9))) for _ in ITEMS]
                values = [(f"item_{i}", v) for i, v in zip(ITEMS, scores, strict=True)]
                mean = sum(scores) / len(scores)
                values.append(("total", round(mean * TENTHS)))
                rows += [(DATASET, *DIMS, measure, value) for measure, value in values]
                level = level_key(QUESTIONNAIRE, LEVEL_NAMES[min(int(mean / 10 * 3), 2)])
                rows.append((LEVELS, level, "", "", "answers", 1))
            for dataset, d1, d2, d3, measure, value in rows:
                batch.append((dataset, team, month, keys[family], d1, d2, d3, measure, value))
                rollup[(dataset, team, month, d1, d2, d3, measure, value)] += 1
            for dataset, d1, *_rest in rows:
                families.add((dataset, team, month, d1, keys[family]))
            if len(batch) >= _BATCH:
                observations += _insert_observations(cursor, batch, recorded)
                batch = []
        observations += _insert_observations(cursor, batch, recorded)
        cursor.executemany(
            "INSERT INTO stat_rollup (plugin, dataset, org_unit, team_id, month, d1, d2, d3,"
            " measure, value, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(PLUGIN, key[0], UNIT, *key[1:], count) for key, count in rollup.items()],
        )
        cursor.executemany(
            "INSERT INTO stat_family (plugin, dataset, org_unit, team_id, month, d1, family_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(PLUGIN, row[0], UNIT, *row[1:]) for row in families],
        )
        connection.commit()
        cursor.execute("ANALYZE")
    finally:
        connection.close()
    for n in range(5):  # and through the front door, on top of the bulk rows
        scores = {f"item_{item}": 7 for item in ITEMS}
        store.record(
            DATASET,
            client_id=f"c-{n}",
            team_id=teams[n],
            month=MONTHS[-1],
            dims=DIMS,
            values={**scores, "total": 7 * TENTHS},
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
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(PLUGIN, row[0], UNIT, *row[1:], recorded) for row in batch],
    )
    return len(batch)


# --- what is timed -----------------------------------------------------------------------------


def page(read: Callable[..., Table]) -> SuppressedTable:
    """One management page: team x month of the last 12 months, totals, suppressed."""
    return suppress(read(DATASET, "total", months=PAGE_MONTHS, d1=QUESTIONNAIRE))


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


# --- the real management page ------------------------------------------------------------------


def management_browser(directory: Path):
    """A host over ``directory``'s ``host.db`` with the feedback plugin enabled for the unit,
    and a Flask test client holding a unit launch; the record system's port is closed."""
    private, public = generate_key_pair(directory / "keys")
    (directory / "secret-key").write_text(SECRET)
    host_url = "http://host.bench"
    config_path = directory / "host.toml"
    config_path.write_text(
        host_config_text(
            public_url=host_url,
            database_url="sqlite:///host.db",
            records_url="http://127.0.0.1:9",  # nothing listens: a contact would fail
            public_key_file=str(public),
            secret_key_file="secret-key",
            outbox_worker=False,
        )
        + "\n[plugins.feedback]\n[[plugins.feedback.questionnaires]]\n"
        + f'questionnaire_id = "{QUESTIONNAIRE}"\n'
    )
    config = load_config(config_path)
    registry = PluginRegistry(__version__, config.hook_budget_seconds)
    registry.discover()
    app = create_app(config, registry=registry)
    enablement = Enablement(app.extensions["plugin_host"].database)
    enablement.set_enabled(PLUGIN, UNIT, True, "bench")
    enablement.approve(PLUGIN, registry.manifest(PLUGIN).scopes, "bench")
    browser = app.test_client()
    token = sign_launch(
        private.read_bytes(),
        issuer=DEMO_ISSUER,
        audience=host_url,
        worker_id=WORKER,
        org_unit=UNIT,
        purpose="johtaminen",
        locale="fi",
        view=f"{PLUGIN}/management",
    )
    launched = browser.get("/launch", query_string={"token": token})
    if launched.status_code != 303:
        raise RuntimeError(f"the unit launch answered {launched.status_code}")
    freeze_startup_heap()  # as both servers do once the app is built
    return app, browser


PAGE_PATH = f"/u/{UNIT}/p/{PLUGIN}/?until={PAGE_MONTHS[-1]}"


def get_page(browser) -> str:
    answer = browser.get(PAGE_PATH)
    if answer.status_code != 200:
        raise RuntimeError(f"the management page answered {answer.status_code}")
    return answer.get_data(as_text=True)


def raw_page_figures(store: Statistics) -> list[object]:
    """The page's figures by plain GROUP BY over the observations: invitations, answers (count,
    rate and mean share one table) with its three levels, suppressed as the page does."""
    answers = store.raw_table(DATASET, "total", months=PAGE_MONTHS, d1=QUESTIONNAIRE)
    invited = store.raw_table(INVITATIONS, "issued", months=PAGE_MONTHS, d1=QUESTIONNAIRE)
    levels = {
        name: store.raw_table(
            LEVELS, "answers", months=PAGE_MONTHS, d1=level_key(QUESTIONNAIRE, name)
        )
        for name in LEVEL_NAMES
    }
    return [suppress(invited), suppress_partition(answers, levels)]


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
        table = store.table(DATASET, "total", months=PAGE_MONTHS, d1=QUESTIONNAIRE)
        fast = timed(lambda: page(store.table), options.runs)
        slow = timed(lambda: page(store.raw_table), options.baseline_runs)
        suppressing = timed(lambda: suppress(table), options.runs)
        app, browser = management_browser(Path(directory))
        shown = get_page(browser)
        figures_shown = shown.count("<td")
        if f"<td>{ours.grand_total.figures.count}</td>" not in shown:
            print("THE MANAGEMENT PAGE DOES NOT SHOW THE STORE'S FIGURES")
            return 1
        http = timed(lambda: get_page(browser), options.runs)
        http_baseline = timed(lambda: raw_page_figures(store), options.baseline_runs)
        app.extensions["plugin_host"].database.engine.dispose()
        database.engine.dispose()
    ratio = f"{median_ms(slow) / median_ms(fast):.1f}x"
    met = "met" if median_ms(fast) < GOAL_MS and p95_ms(fast) < GOAL_MS else "NOT met"
    http_met = "met" if median_ms(http) < GOAL_MS and p95_ms(http) < GOAL_MS else "NOT met"
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
        (
            "real page GET (unit launch), median",
            f"{median_ms(http):.1f} ms",
            f"{median_ms(http_baseline):.1f} ms",
            f"{median_ms(http_baseline) / median_ms(http):.1f}x",
            f"< {GOAL_MS:.0f} ms per page on SQLite ({http_met})",
        ),
        ("real page GET, p95", f"{p95_ms(http):.1f} ms", f"{p95_ms(http_baseline):.1f} ms", "", ""),
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
    print(
        f"real page: GET {PAGE_PATH} in a Flask test client after one unit launch, "
        f"{figures_shown} table cells, {len(shown):,} characters; median and p95 of "
        f"{options.runs} GETs; its baseline: the page's figures (invitations, answers "
        f"and their levels) by GROUP BY over stat_observation and suppressed, no HTTP, no template "
        f"({options.baseline_runs} runs); the record system was not contacted (closed port)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
