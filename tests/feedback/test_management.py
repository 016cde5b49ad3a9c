"""The unit's management page: figures per team and month from the feedback actually given
(through the plugin's own ask, open and answer flow, by two teams of one unit), suppressed
alike on the page and in every CSV export, without free text or worker ids; and the unit launch
that opens it reaches nothing of any client, while a client launch cannot open it."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from plugin_host.demo import DEMO_UNIT
from plugin_host.statistics import Statistics
from plugins.feedback.figures import TENTHS, last_months
from tests.feedback.conftest import (
    OPEN,
    TEAM_A,
    TEAM_M,
    deliver,
    launch,
    open_answers,
    panel_path,
    unit_launch,
)

MANAGEMENT = f"/u/{DEMO_UNIT}/p/feedback/"
HELSINKI = ZoneInfo("Europe/Helsinki")  # the host's default time zone: the page's "today"
FREE_TEXT = "Vapaa teksti joka ei saa näkyä"
MINIMUM = 5


def _months() -> list[str]:
    """The page's months, oldest first: the last 12 up to this one."""
    return last_months(datetime.now(HELSINKI).date(), 12)


@dataclass(frozen=True)
class Given:
    team: str
    month: str
    client: str
    total: int


def _day(month: str) -> str:
    return date.fromisoformat(f"{month}-01").isoformat()


@pytest.fixture
def given(app, family, record_system_server) -> list[Given]:
    """Answers by two teams over three months: team-a's five families twice and two of them
    once more (a month under the minimum beside published ones); six of team-m's families every
    month, one of them twice a month; each with free text; and asks never answered."""
    months = _months()
    m2, m1, m0 = months[-3], months[-2], months[-1]
    team_a = [f"c-100{n}" for n in range(1, 6)]
    team_m = [f"c-70{k}1" for k in range(1, 7)]
    plan: list[tuple[str, str, str, int]] = []
    for n, client in enumerate(team_a):
        plan += [(TEAM_A, m2, client, 5 + n), (TEAM_A, m1, client, 6 + n % 3)]
    plan += [(TEAM_A, m0, "c-1001", 2), (TEAM_A, m0, "c-1002", 4)]
    for k, client in enumerate(team_m):
        for month in (m2, m1, m0):
            plan.append((TEAM_M, month, client, 3 + k))
        if k == 0:
            plan.append((TEAM_M, m0, client, 10))
    families = {client: family(client) for client in {p[2] for p in plan}}
    done = []
    for team, month, client, value in plan:
        families[client].give(open_answers(value), free_text=FREE_TEXT, meeting_date=_day(month))
        done.append(Given(team, month, client, value))
    families["c-1003"].ask(meeting_date=_day(m1))  # asked, never answered
    families["c-7011"].ask(meeting_date=_day(m0))
    deliver(app)
    return done


def _page_tables(page: str) -> dict[str, dict[str, dict[str, str]]]:
    """Each table of the page: row -> column -> text, with its "Total" row and column."""
    tree = lxml.html.fromstring(page)
    tables = {}
    for section in tree.xpath("//section[starts-with(@aria-labelledby, 'table-')]"):
        key = section.get("aria-labelledby").removeprefix("table-")
        [table] = section.xpath(".//table")
        header = [th.text_content().strip() for th in table.xpath(".//thead//th")][1:]
        rows = {}
        for tr in table.xpath(".//tbody/tr"):
            name = tr.xpath("./th")[0].text_content().strip()
            cells = [td.text_content().strip() for td in tr.xpath("./td")]
            rows[name] = dict(zip(header, cells, strict=True))
        tables[key] = rows
    return tables


def _csv_table(manager, key: str) -> dict[str, dict[str, str]]:
    answer = manager.get(f"{MANAGEMENT}export.csv", query_string={"table": key})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "text/csv"
    header, *body = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in body}


def _expected(given: list[Given], months: list[str]):
    """Direct counts over the answers given: per (team, month), team, month and the unit,
    the answers, their summed totals and the distinct families."""
    answers: dict[tuple, int] = defaultdict(int)
    sums: dict[tuple, int] = defaultdict(int)
    families: dict[tuple, set] = defaultdict(set)
    for g in given:
        if g.month not in months:
            continue
        for place in ((g.team, g.month), (g.team, "Total"), ("Total", g.month), ("Total", "Total")):
            answers[place] += 1
            sums[place] += g.total
            families[place].add(g.client)
    return answers, sums, {k: len(v) for k, v in families.items()}


def test_the_figures_equal_a_direct_count_and_small_cells_are_hidden(app, launch_keys, given):
    months = _months()
    manager = unit_launch(app, launch_keys)
    page = manager.get(MANAGEMENT)
    assert page.status_code == 200, page.get_data(as_text=True)
    text = page.get_data(as_text=True)
    tables = _page_tables(text)
    assert {"invitations", "answers", "mean"} <= set(tables)
    answers, sums, families = _expected(given, months)
    columns = [*months, "Total"]

    for key in ("answers", "mean"):
        shown, exported = tables[key], _csv_table(manager, key)
        assert shown == exported, key  # the CSV is exactly the page's table
        assert set(shown) == {TEAM_A, TEAM_M, "Total"}
        hidden = 0
        for row, cells in shown.items():
            assert list(cells) == columns
            for column, figure in cells.items():
                place = (row, column)
                if families.get(place, 0) < MINIMUM:
                    # Primary: fewer than five families (or none) is never shown.
                    assert figure == f"< {MINIMUM}", (key, place, figure)
                if figure == f"< {MINIMUM}":
                    hidden += 1
                    continue
                if key == "answers":
                    assert figure == str(answers[place]), (place, figure)
                else:
                    assert figure == f"{sums[place] / answers[place]:.1f}", (place, figure)
        assert hidden >= 1

        # Team-a's month of two families, beside published months: "< 5" on page and CSV.
        assert families[(TEAM_A, months[-1])] == 2
        assert shown[TEAM_A][months[-1]] == exported[TEAM_A][months[-1]] == f"< {MINIMUM}"
        # Secondary: the row's total must not give the hidden cell away, so a second figure of
        # the row is hidden too (a cell, or the total itself); and likewise every line.
        row = shown[TEAM_A]
        assert sum(v == f"< {MINIMUM}" for v in row.values()) >= 2
        for line in [*shown.values(), *({r: shown[r][c] for r in shown} for c in columns)]:
            items = [v for v in line.values() if v != ""]
            assert sum(v == f"< {MINIMUM}" for v in items) != 1, (key, line)

    # Not over-protected: single cells go before totals, so the unit's monthly totals (8 to 11
    # families each) and the grand total stay published, equal to the direct count.
    for column in [*months[-3:], "Total"]:
        assert tables["answers"]["Total"][column] == str(answers[("Total", column)]), column
    assert tables["answers"]["Total"]["Total"] == str(answers[("Total", "Total")])
    # Invitations: every ask, answered or not (team-a's three months: 5 + 6 + 2).
    invited = _csv_table(manager, "invitations")
    assert invited == tables["invitations"]
    assert invited["Total"]["Total"] == str(len(given) + 2)

    # Nothing of any person: no free text, no worker, no client, no name.
    for content in [text, *(_raw_csv(manager, k) for k in tables)]:
        for secret in (FREE_TEXT, "w-demo", "w-m-sosiaali", "c-1001", "c-7011", "Testinen"):
            assert secret not in content, secret


def _raw_csv(manager, key: str) -> str:
    return manager.get(f"{MANAGEMENT}export.csv", query_string={"table": key}).get_data(
        as_text=True
    )


def test_teams_go_by_the_names_an_admin_gave_them_on_the_page_and_in_the_csv(
    app, launch_keys, given
):
    app.extensions["plugin_host"].settings.save(
        "feedback", {"team_names": {TEAM_A: "Itäinen tiimi"}}, actor="admin-a"
    )
    manager = unit_launch(app, launch_keys)
    tables = _page_tables(manager.get(MANAGEMENT).get_data(as_text=True))
    named = {"Itäinen tiimi", TEAM_M, "Total"}  # team-m has no name: its id stays
    assert set(tables["answers"]) == set(_csv_table(manager, "answers")) == named
    assert set(tables["invitations"]) == named
    assert set(tables["levels"]) == {"low", "middle", "high"}  # not teams: as they were


def test_the_statistics_store_counts_the_same_as_the_answers(app, given):
    """The roll-up the page reads equals the count over the observations and the answers."""
    months = _months()
    services = app.extensions["plugin_host"]
    store = Statistics(services.database, services.config.secret_key, "feedback", DEMO_UNIT)
    rolled = store.table("answers", "total", months=months, d1=OPEN)
    raw = store.raw_table("answers", "total", months=months, d1=OPEN)
    assert rolled == raw
    answers, sums, families = _expected(given, months)
    for (row, column), cell in rolled.cells.items():
        assert (cell.count, cell.total, cell.families) == (
            answers[(row, column)],
            sums[(row, column)] * TENTHS,  # totals are kept in tenths
            families[(row, column)],
        )
    assert rolled.grand_total.count == answers[("Total", "Total")]
    assert rolled.grand_total.families == families[("Total", "Total")] == 11


def test_meeting_figures_are_suppressed_alike(make_host, feedback_config, launch_keys):
    """With the weekly meeting on, its discussion shares are tables of the page and exports."""
    app = make_host(enable=("feedback", "weekly_meeting"), config=feedback_config)
    services = app.extensions["plugin_host"]
    meetings = Statistics(
        services.database, services.config.secret_key, "weekly_meeting", DEMO_UNIT
    )
    month = _months()[-1]
    present = {f"c-70{k}1": int(k % 2 == 0) for k in range(1, 8)}  # 7 families, 3 present
    for client, flag in present.items():
        meetings.record(
            "discussions",
            client_id=client,
            team_id=TEAM_M,
            month=month,
            values={
                "family_present": flag,
                "network_present": 0,
                "child_view": 1,
                "two_hypotheses": 1,
                "outcome": 1,
            },
        )
    for client in ("c-1001", "c-1002"):
        meetings.record(
            "discussions",
            client_id=client,
            team_id=TEAM_A,
            month=month,
            values={
                "family_present": 1,
                "network_present": 1,
                "child_view": 0,
                "two_hypotheses": 0,
                "outcome": 0,
            },
        )
    manager = unit_launch(app, launch_keys)
    page = manager.get(MANAGEMENT)
    assert page.status_code == 200
    shown = _page_tables(page.get_data(as_text=True))["meetings_family_present"]
    exported = _csv_table(manager, "meetings_family_present")
    assert shown == exported
    assert shown[TEAM_A][month] == f"< {MINIMUM}"
    # Team-m's seven families: shown only if nothing lets team-a's two be worked out.
    team_m = shown[TEAM_M][month]
    assert team_m in (f"{100 * 3 / 7:.0f} %", f"< {MINIMUM}")
    column = [shown[r][month] for r in shown]
    assert sum(v == f"< {MINIMUM}" for v in column if v) != 1


# --- who may open what -------------------------------------------------------------------------


def test_a_unit_launch_reaches_no_client_route_or_document(app, family, launch_keys):
    family("c-1001").give(open_answers(7), free_text=FREE_TEXT)
    deliver(app)
    manager = unit_launch(app, launch_keys)
    assert manager.get(MANAGEMENT).status_code == 200
    for client in ("c-1001", "c-7011"):
        for path in (
            panel_path(client),
            f"/c/{client}/",
            f"/c/{client}/cards.json",
            f"/c/{client}/api/session",
            f"/c/{client}/api/feedback/documents/feedback_response",
            f"/c/{client}/p/client_note/",
        ):
            answer = manager.get(path)
            assert answer.status_code in (401, 403), (path, answer.status_code)
            assert FREE_TEXT not in answer.get_data(as_text=True)
    for path in ("/t/team-a/p/weekly_meeting/", "/r/p/feedback/"):
        assert manager.get(path).status_code in (401, 403, 404), path
    asked = manager.post(
        f"{panel_path('c-1001')}ask",
        data={"questionnaire_id": OPEN, "respondent_role": "parent", "band": "adult"},
    )
    assert asked.status_code in (401, 403)
    # Another unit's page is not this launch's either.
    assert manager.get("/u/lastensuojelu-2/p/feedback/").status_code == 403


def test_a_client_launch_cannot_open_the_management_view(app, launch_keys, family):
    launch(app, launch_keys, client_id="c-1001", view="feedback/management", expect=404)
    worker = family("c-1001").worker
    assert worker.get(MANAGEMENT).status_code == 403
    assert worker.get(f"{MANAGEMENT}export.csv?table=answers").status_code == 403
    # Nor does a unit launch open a client's panel as its view.
    launch(app, launch_keys, client_id=None, view="feedback/panel", expect=404)


def test_a_page_with_small_level_cells_beside_published_answers_comes_in_time(app, launch_keys):
    """Eight teams, twelve months, six to twenty-five families in each cell, scores leaning high
    as feedback scores do (the benchmark's distribution at 3,000 answers): every answer cell is
    published, and many "low" and "high" level cells of one to four families are not. The page
    must answer within seconds, not hang in ``suppress_partition``'s exact linear check of the
    answers and their levels suppressed together."""
    import random
    import threading

    from plugins.feedback.figures import LEVELS, level_key

    services = app.extensions["plugin_host"]
    store = Statistics(services.database, services.config.secret_key, "feedback", DEMO_UNIT)
    rng = random.Random(0)
    for team in range(8):
        for month in _months():
            for family_number in range(rng.randint(6, 25)):
                client = f"c-{team}-{family_number}"
                value = round(sum(min(10, int(rng.triangular(0, 11, 9))) for _ in range(4)) / 4)
                common = {"client_id": client, "team_id": f"team-{team}", "month": month}
                store.record(
                    "answers",
                    **common,
                    dims=(OPEN, "adult", "parent"),
                    values={"total": value * TENTHS, "item_heard": value},
                )
                level = ("low", "middle", "high")[min(value * 3 // 10, 2)]
                store.record(
                    LEVELS, **common, dims=(level_key(OPEN, level),), values={"answers": 1}
                )
    manager = unit_launch(app, launch_keys)
    answered: list = []
    # A daemon thread: a page that hangs fails the test and is left behind, not waited for.
    worker = threading.Thread(target=lambda: answered.append(manager.get(MANAGEMENT)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert answered, "the management page took longer than 10 s"
    assert answered[0].status_code == 200
