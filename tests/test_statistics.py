"""The statistics store: figures read from the roll-up equal a direct count over the answers,
it holds no client id, one unit never sees another's figures, and concurrent writers lose no
count; on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from plugin_host.launch.context import LaunchContext
from plugin_host.statistics import Cell, Statistics, statistics_for_request
from plugin_host.storage import Database
from plugin_host.storage.models import StatFamily, StatObservation, StatRollup
from tests.fixtures.host import SQLITE_URL, both_databases

pytestmark = both_databases  # SQLite, then PostgreSQL

SECRET = "s" * 40
PLUGIN = "feedback"
UNIT = "unit-north"
TEAMS = ("team-a", "team-b", "team-c")
MONTHS = ("2024-01", "2024-02", "2024-03", "2024-04")
MEASURES = ("q1", "total")


@pytest.fixture
def database(tmp_path: Path, database_url: str) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'stats.db'}" if database_url == SQLITE_URL else database_url
    database = Database(url)
    database.upgrade()
    yield database
    database.engine.dispose()


def store(database: Database, unit: str = UNIT, plugin: str = PLUGIN) -> Statistics:
    return Statistics(database, SECRET, plugin, unit)


# (client, team, month, d1, {measure: value}); every answer carries every measure
answers = st.lists(
    st.tuples(
        st.integers(0, 9),
        st.sampled_from(TEAMS),
        st.sampled_from(MONTHS),
        st.sampled_from(("", "kysely-a")),
        st.fixed_dictionaries({m: st.integers(0, 10) for m in MEASURES}),
    ),
    max_size=30,
)


def python_cells(rows, measure: str, months, by: tuple[str, ...], d1: str | None) -> list[Cell]:
    """The figures counted in Python from the answers as given."""
    counts: dict[tuple, dict[int, int]] = defaultdict(dict)
    families: dict[tuple, set[int]] = defaultdict(set)
    for client, team, month, dim, values in rows:
        if month not in months or (d1 is not None and dim != d1):
            continue
        fields = {"team_id": team, "month": month, "d1": dim}
        key = tuple(fields[name] for name in by)
        value = values[measure]
        counts[key][value] = counts[key].get(value, 0) + 1
        families[key].add(client)
    return [
        Cell(
            key=key,
            count=sum(distribution.values()),
            total=sum(v * n for v, n in distribution.items()),
            families=len(families[key]),
            distribution=dict(sorted(distribution.items())),
        )
        for key, distribution in sorted(counts.items())
    ]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=answers,
    months=st.lists(st.sampled_from(MONTHS), min_size=1, unique=True),
    by=st.sampled_from(
        [("team_id", "month"), ("team_id",), ("month",), (), ("d1", "team_id"), ("month", "d1")]
    ),
    d1=st.sampled_from([None, "", "kysely-a"]),
)
def test_figures_equal_a_direct_count_over_the_answers(database, rows, months, by, d1):
    dataset = f"answers-{uuid.uuid4().hex[:8]}"  # each example on a dataset of its own
    statistics = store(database)
    for client, team, month, dim, values in rows:
        dims = (dim,) if dim else ()
        statistics.record(
            dataset, client_id=f"c-{client}", team_id=team, month=month, dims=dims, values=values
        )
    for measure in MEASURES:
        expected = python_cells(rows, measure, months, by, d1)
        asked = {"months": months, "by": by, "d1": d1}
        assert statistics.cells(dataset, measure, **asked) == expected
        assert statistics.raw_cells(dataset, measure, **asked) == expected
        page = {"months": months, "d1": d1}
        assert statistics.table(dataset, measure, **page) == statistics.raw_table(
            dataset, measure, **page
        )


def test_a_table_counts_families_once_over_months_and_teams(database):
    statistics = store(database)
    for team in TEAMS[:2]:
        for month in MONTHS[:3]:
            statistics.record(
                "answers", client_id="c-1", team_id=team, month=month, values={"t": 1}
            )
    table = statistics.table("answers", "t", months=list(MONTHS))
    assert table.rows == TEAMS[:2]
    assert table.columns == MONTHS
    assert table.grand_total == Cell((), 6, 6, 1, {1: 6})
    assert {r: t.families for r, t in table.row_totals.items()} == {"team-a": 1, "team-b": 1}
    assert table.column_totals["2024-04"].families == 0  # a month without answers is there
    assert table == statistics.raw_table("answers", "t", months=list(MONTHS))


def test_the_store_holds_no_client_id(database):
    client_id = "c-7351"
    statistics = store(database)
    for month in MONTHS:
        statistics.record(
            "answers",
            client_id=client_id,
            team_id="team-a",
            month=month,
            dims=("kysely-a", "äiti"),
            values={"q1": 7, "total": 31},
        )
    plain_hash = hashlib.sha256(client_id.encode()).hexdigest()
    with database.transaction() as session:
        for model in (StatObservation, StatRollup, StatFamily):
            rows = session.execute(select(*model.__table__.columns)).all()
            assert rows
            for row in rows:
                for value in row:
                    assert client_id not in str(value)
                    assert "7351" not in str(value)
                    assert str(value) != plain_hash
        keys = set(session.scalars(select(StatFamily.family_key)))
    assert keys == {statistics.family_key(client_id)}
    # Keyed: another host's secret makes another key for the same client.
    assert Statistics(database, "t" * 40, PLUGIN, UNIT).family_key(client_id) not in keys


def test_another_units_figures_are_not_visible(database):
    north, south = store(database, "unit-north"), store(database, "unit-south")
    north.record("answers", client_id="c-1", team_id="team-a", month="2024-01", values={"t": 5})
    south.record("answers", client_id="c-2", team_id="team-a", month="2024-01", values={"t": 9})
    south.record("answers", client_id="c-3", team_id="team-a", month="2024-01", values={"t": 9})
    months = ["2024-01"]
    assert north.cells("answers", "t", months=months) == [
        Cell(("team-a", "2024-01"), 1, 5, 1, {5: 1})
    ]
    assert south.cells("answers", "t", months=months) == [
        Cell(("team-a", "2024-01"), 2, 18, 2, {9: 2})
    ]
    assert store(database, "unit-east").cells("answers", "t", months=months) == []
    assert store(database, "unit-east").raw_cells("answers", "t", months=months) == []


def test_any_plugin_reads_another_plugins_figures_in_its_own_unit(database):
    store(database).record(
        "answers", client_id="c-1", team_id="team-a", month="2024-01", values={"t": 4}
    )
    meeting = store(database, plugin="weekly_meeting")
    assert meeting.cells("answers", "t", months=["2024-01"]) == []
    assert meeting.cells("answers", "t", months=["2024-01"], plugin=PLUGIN, team_id="team-a")
    other_unit = store(database, "unit-south", plugin="weekly_meeting")
    assert other_unit.cells("answers", "t", months=["2024-01"], plugin=PLUGIN) == []


def test_concurrent_writers_lose_no_count(database):
    statistics = store(database)

    def write(worker: int) -> None:
        for n in range(20):
            statistics.record(
                "answers",
                client_id=f"c-{worker}-{n % 3}",
                team_id="team-a",
                month="2024-01",
                values={"q1": n % 2, "total": 10},
            )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    [cell] = statistics.cells("answers", "total", months=["2024-01"])
    assert cell == Cell(("team-a", "2024-01"), 160, 1600, 24, {10: 160})
    assert statistics.cells("answers", "q1", months=["2024-01"], by=())[0].distribution == {
        0: 80,
        1: 80,
    }


def test_bad_arguments_are_refused(database):
    statistics = store(database)
    with pytest.raises(ValueError, match="YYYY-MM"):
        statistics.record("a", client_id="c", team_id="t", month="2024-13", values={"x": 1})
    with pytest.raises(ValueError, match="dimensions"):
        statistics.record(
            "a", client_id="c", team_id="t", month="2024-01", dims=("1", "2", "3", "4"),
            values={"x": 1},
        )  # fmt: skip
    with pytest.raises(ValueError, match="keyed by"):
        statistics.cells("a", "x", months=["2024-01"], by=("d2",))
    assert statistics.cells("a", "x", months=[]) == []


def test_the_api_binds_the_calling_plugin_and_the_launch_unit(host_app):
    launch = LaunchContext("s", "w-demo", "unit-launch", "c-1001", "asiakastyö", "fi")
    with host_app.test_request_context():
        g.launch = launch
        statistics = statistics_for_request("feedback")
        statistics.record(
            "answers", client_id="c-1001", team_id="team-a", month="2024-05", values={"t": 3}
        )
        database = host_app.extensions["plugin_host"].database
    [cell] = Statistics(database, "ignored-for-reading", "feedback", "unit-launch").cells(
        "answers", "t", months=["2024-05"]
    )
    assert cell.count == 1
    assert Statistics(database, "x", "feedback", "other").cells("a", "t", months=["2024-05"]) == []
