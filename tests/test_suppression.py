"""Small-cell suppression: primary and secondary suppression in rows and columns, totals and
differences of published figures that would give a small cell away, distributions, and a
property test that no suppressed cell can be computed from what a table publishes."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import given, settings
from hypothesis import strategies as st

from plugin_host.statistics import Cell
from plugin_host.suppression import (
    GRAND,
    PRIMARY,
    SECONDARY,
    LinearFigure,
    SuppressedTable,
    Table,
    check_no_disclosure,
    protect,
    suppress,
    suppress_partition,
    table_figures,
)

K = 5


def families_cell(families: set[int], distribution: dict[int, int] | None = None) -> Cell:
    distribution = distribution or ({7: len(families)} if families else {})
    count = sum(distribution.values())
    total = sum(v * n for v, n in distribution.items())
    return Cell(("x",), count, total, len(families), distribution)


def table_of(grid: dict[tuple[str, str], set[int]], totals: bool = True) -> Table[Cell]:
    """A table from each cell's set of families (totals: the unions, as the store counts)."""
    rows = tuple(sorted({r for r, _ in grid}))
    columns = tuple(sorted({c for _, c in grid}))

    def union(keys: Iterable[tuple[str, str]]) -> Cell:
        return families_cell(set().union(*(grid[k] for k in keys)))

    return Table(
        rows=rows,
        columns=columns,
        cells={key: families_cell(found) for key, found in grid.items() if found},
        row_totals={r: union((r, c) for c in columns) for r in rows} if totals else {},
        column_totals={c: union((r, c) for r in rows) for c in columns} if totals else {},
        grand_total=union(grid) if totals else None,
    )


def fam(first: int, number: int) -> set[int]:
    return set(range(first, first + number))


def published_and_hidden(
    table: Table, shown: SuppressedTable
) -> tuple[list[LinearFigure], list[LinearFigure]]:
    figures = table_figures(table)
    hidden = shown.suppressed()
    return (
        [f for p, f in figures.items() if p not in hidden],
        [f for p, f in figures.items() if p in hidden],
    )


def lines(table: Table) -> list[list[tuple[str, ...]]]:
    """Every published relation of the table: a total and its members."""
    found = [[("row", r), *(("cell", r, c) for c in table.columns)] for r in table.rows]
    found += [[("column", c), *(("cell", r, c) for r in table.rows)] for c in table.columns]
    found.append([GRAND, *(("row", r) for r in table.rows)])
    found.append([GRAND, *(("column", c) for c in table.columns)])
    return found


def solved_by_single_unknown_lines(table: Table, shown: SuppressedTable) -> set[tuple[str, ...]]:
    """What an attacker learns by solving, again and again, every line with one unknown
    (empty cells taken as known): the suppressed non-empty positions computed."""
    figures = table_figures(table)
    hidden = shown.suppressed()
    known = {p for p, f in figures.items() if p not in hidden or f.empty}
    learned = set()
    changed = True
    while changed:
        changed = False
        for line in lines(table):
            # A figure the page does not publish (a total left out) is never known.
            unknown = [p for p in line if p not in known]
            if line[0] in figures and len(unknown) == 1:
                known.add(unknown[0])
                learned.add(unknown[0])
                changed = True
    return {p for p in learned if p in figures and not figures[p].empty}


def hidden_items_per_line(table: Table, shown: SuppressedTable) -> list[int]:
    figures = table_figures(table)
    hidden = shown.suppressed()
    counts = []
    for line in lines(table):
        if all(p in figures for p in line):
            items = [p for p in line if p in figures and not figures[p].empty]
            counts.append(sum(p in hidden for p in items))
    return counts


# --- primary -----------------------------------------------------------------------------------


def test_a_cell_or_total_under_the_minimum_is_suppressed():
    grid = {(f"t{r}", f"m{c}"): fam(100 * r + 10 * c, 6 + r + c) for r in (1, 2, 3)
            for c in (1, 2, 3)}  # fmt: skip
    grid[("t1", "m1")] = fam(0, 3)
    table = table_of(grid)
    shown = suppress(table, K)
    assert shown.cells[("t1", "m1")].suppressed
    assert shown.cells[("t1", "m1")].reason == PRIMARY
    assert shown.cells[("t1", "m1")].text(lambda c: str(c.count)) == "< 5"
    # The smallest others of its row and column, and where they cross: a rectangle.
    assert shown.suppressed() == {("cell", r, c) for r in ("t1", "t2") for c in ("m1", "m2")}
    assert shown.cells[("t3", "m3")].text(lambda c: str(c.count)) == "12"

    tiny = table_of({("t1", "m1"): fam(0, 2), ("t1", "m2"): fam(0, 2)})
    shown = suppress(tiny, K)
    assert shown.row_totals["t1"].reason == PRIMARY  # the total itself is small
    assert shown.grand_total is not None and shown.grand_total.reason == PRIMARY


def test_a_cell_without_answers_is_shown_as_under_the_minimum_but_protects_nothing():
    table = table_of(
        {("t1", "m1"): fam(0, 3), ("t1", "m2"): set(), ("t1", "m3"): fam(10, 9),
         ("t2", "m1"): fam(20, 9), ("t2", "m2"): fam(30, 9), ("t2", "m3"): fam(40, 9)}
    )  # fmt: skip
    shown = suppress(table, K)
    assert shown.cells[("t1", "m2")].text(str) == "< 5"
    # The empty cell does not count as the row's second suppressed cell: m3 goes too.
    assert shown.cells[("t1", "m3")].reason == SECONDARY
    assert not check_no_disclosure(*published_and_hidden(table, shown))


# --- secondary ---------------------------------------------------------------------------------


def test_secondary_suppression_in_a_row():
    table = table_of(
        {("t1", "m1"): fam(0, 3), ("t1", "m2"): fam(10, 12), ("t1", "m3"): fam(30, 6)},
    )
    shown = suppress(table, K)
    # Row total 21 families minus two published months would give m1: m3, the next-smallest
    # cell of the row, is suppressed too; each column is one cell, so its total goes as well.
    assert shown.cells[("t1", "m3")].reason == SECONDARY
    assert not shown.cells[("t1", "m2")].suppressed
    assert not shown.row_totals["t1"].suppressed
    assert all(count != 1 for count in hidden_items_per_line(table, shown))
    assert not check_no_disclosure(*published_and_hidden(table, shown))


def test_secondary_suppression_in_a_column():
    grid = {("t1", "m1"): fam(0, 2), ("t2", "m1"): fam(10, 20), ("t3", "m1"): fam(40, 8)}
    table = Table(
        rows=("t1", "t2", "t3"),
        columns=("m1",),
        cells={key: families_cell(found) for key, found in grid.items()},
        row_totals={},  # only the column's total is published
        column_totals={"m1": families_cell(set().union(*grid.values()))},
    )
    shown = suppress(table, K)
    assert shown.cells[("t1", "m1")].reason == PRIMARY
    assert shown.cells[("t3", "m1")].reason == SECONDARY  # 8 families: the next-smallest
    assert not shown.cells[("t2", "m1")].suppressed
    assert not shown.column_totals["m1"].suppressed
    assert not check_no_disclosure(*published_and_hidden(table, shown))


def test_the_unit_total_minus_the_other_teams_totals_does_not_give_a_small_team_away():
    grid = {}
    for n, team in enumerate(("t1", "t2", "t3", "t4")):
        for m, month in enumerate(("m1", "m2")):
            grid[(team, month)] = fam(100 * n + 10 * m, 6 + n)
    grid[("t3", "m1")], grid[("t3", "m2")] = fam(300, 2), fam(300, 2)  # a small team
    table = table_of(grid)
    shown = suppress(table, K)
    assert shown.row_totals["t3"].reason == PRIMARY
    assert not shown.grand_total.suppressed
    # Unit total minus t1, t2, t4 would be t3: another team's total is suppressed.
    assert sum(shown.row_totals[r].suppressed for r in table.rows) >= 2
    assert shown.row_totals["t1"].reason == SECONDARY  # the smallest other team
    assert not check_no_disclosure(*published_and_hidden(table, shown))
    assert not solved_by_single_unknown_lines(table, shown)


def test_a_teams_total_over_months_1_3_beside_months_1_2_does_not_give_month_3_away():
    cells = [LinearFigure(f"m{n}", frozenset({n}), families) for n, families in
             ((1, 10), (2, 11), (3, 2))]  # fmt: skip
    first_three = LinearFigure("m1-3", frozenset({1, 2, 3}), 20)
    first_two = LinearFigure("m1-2", frozenset({1, 2}), 18)
    figures = [*cells, first_three, first_two]
    month_3 = cells[2]
    assert check_no_disclosure([*cells[:2], first_three, first_two], [month_3])

    hidden = protect(figures, K)
    assert hidden == {"m3", "m1-3"}
    published = [f for f in figures if f.name not in hidden]
    assert not check_no_disclosure(published, [f for f in figures if f.name in hidden])


def test_a_combination_of_several_lines_is_caught_where_every_line_has_two_unknowns():
    # Two 2x2 blocks of suppressed cells joined by one more suppressed cell (r2, c3): every
    # line has two or three unknowns, yet rows r1 + r2 minus columns c1 + c2 give (r2, c3).
    rows, columns = ("r1", "r2", "r3", "r4"), ("c1", "c2", "c3", "c4", "c5")
    grid = {(r, c): fam(100 * i + 10 * j, 9) for i, r in enumerate(rows)
            for j, c in enumerate(columns)}  # fmt: skip
    table = table_of(grid)
    pattern = {("cell", r, c) for r, c in [
        ("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2"), ("r2", "c3"),
        ("r3", "c3"), ("r3", "c4"), ("r4", "c3"), ("r4", "c4"),
    ]}  # fmt: skip
    figures = table_figures(table)
    published = [f for p, f in figures.items() if p not in pattern]
    problems = check_no_disclosure(published, [figures[p] for p in pattern])
    assert problems == ["('cell', 'r2', 'c3') is computable from the published figures"]

    hidden = protect(list(figures.values()), K, hidden=pattern)
    assert not check_no_disclosure(
        [f for p, f in figures.items() if p not in hidden],
        [f for p, f in figures.items() if p in hidden],
    )


# --- distributions -----------------------------------------------------------------------------


def bucket_figures(table: Table, hidden: set) -> tuple[list[LinearFigure], list[LinearFigure]]:
    """Every bucket of every figure as a sum of (cell, value) atoms; and each cell's count."""
    values = sorted({v for cell in table.cells.values() for v in cell.distribution})
    published, secret = [], []
    for position, figure in table_figures(table).items():
        for value in values:
            atoms = frozenset((atom, value) for atom in figure.atoms)
            bucket = LinearFigure((position, value), atoms, figure.families)
            (secret if position in hidden else published).append(bucket)
        if position in hidden:
            every = frozenset((atom, v) for atom in figure.atoms for v in values)
            secret.append(LinearFigure((position, "count"), every, figure.families))
    return published, secret


def test_no_bucket_of_a_suppressed_distribution_can_be_computed():
    grid = {("t1", "m1"): {3: 1, 9: 2}, ("t1", "m2"): {9: 6, 10: 4}, ("t1", "m3"): {5: 8},
            ("t2", "m1"): {9: 7}, ("t2", "m2"): {0: 2, 10: 7}, ("t2", "m3"): {9: 9}}  # fmt: skip
    families = {("t1", "m1"): 3, ("t1", "m2"): 8, ("t1", "m3"): 6, ("t2", "m1"): 7,
                ("t2", "m2"): 9, ("t2", "m3"): 9}  # fmt: skip

    def add(*keys: tuple[str, str]) -> Cell:
        merged: dict[int, int] = {}
        for key in keys:
            for value, count in grid[key].items():
                merged[value] = merged.get(value, 0) + count
        return Cell(("x",), sum(merged.values()), 0, sum(families[k] for k in keys), merged)

    rows, columns = ("t1", "t2"), ("m1", "m2", "m3")
    table = Table(
        rows=rows,
        columns=columns,
        cells={key: add(key) for key in grid},
        row_totals={r: add(*((r, c) for c in columns)) for r in rows},
        column_totals={c: add(*((r, c) for r in rows)) for c in columns},
        grand_total=add(*grid),
    )
    # Primary suppression alone: the row's total distribution minus two months gives t1/m1's.
    primary_only = {p for p, f in table_figures(table).items() if f.families < K}
    assert check_no_disclosure(*bucket_figures(table, primary_only))

    shown = suppress(table, K)
    assert shown.cells[("t1", "m1")].reason == PRIMARY
    assert not check_no_disclosure(*bucket_figures(table, shown.suppressed()))
    # A distribution is published or suppressed whole: all buckets with the cell's count.
    assert shown.cells[("t1", "m2")].figures.distribution == {9: 6, 10: 4}


# --- property ------------------------------------------------------------------------------


@st.composite
def tables(draw) -> Table[Cell]:
    rows = [f"t{n}" for n in range(draw(st.integers(1, 5)))]
    columns = [f"m{n}" for n in range(draw(st.integers(1, 6)))]
    pool = st.sets(st.integers(0, 40), max_size=14)
    grid = {(r, c): draw(pool) for r in rows for c in columns}
    table = table_of(grid)
    # Now and then a page leaves a total out: that relation is then not published.
    unpublished = st.sets(st.sampled_from([*rows, *columns]), max_size=2)
    left_out = draw(unpublished) if draw(st.booleans()) else set()
    return Table(
        rows=table.rows,
        columns=table.columns,
        cells=table.cells,
        row_totals={r: t for r, t in table.row_totals.items() if r not in left_out},
        column_totals={c: t for c, t in table.column_totals.items() if c not in left_out},
        grand_total=table.grand_total if draw(st.booleans()) or not left_out else None,
    )


@settings(max_examples=300, deadline=None)
@given(table=tables(), minimum=st.integers(2, 8))
def test_no_suppressed_cell_can_be_computed_from_a_tables_published_figures(table, minimum):
    shown = suppress(table, minimum)
    figures = table_figures(table)
    hidden = shown.suppressed()
    # Primary: everything under the minimum is suppressed.
    assert all(p in hidden for p, f in figures.items() if f.families < minimum)
    # Secondary: no published relation with exactly one suppressed non-empty item ...
    assert all(count != 1 for count in hidden_items_per_line(table, shown))
    # ... nothing learned by solving lines of one unknown again and again ...
    assert not solved_by_single_unknown_lines(table, shown)
    # ... nor by any linear combination.
    assert not check_no_disclosure(*published_and_hidden(table, shown))
    # A fixed point: suppressing the result again changes nothing.
    again = protect(list(figures.values()), minimum, hidden=hidden)
    assert again == hidden


def test_a_table_and_its_parts_are_suppressed_together():
    """answers = low + middle + high on one page: a small hidden part must not be the
    difference of the published total and the other parts."""
    grid = {
        "low": {("team-a", "2026-10"): fam(0, 2), ("team-a", "2026-11"): fam(20, 6)},
        "middle": {("team-a", "2026-10"): fam(2, 5), ("team-a", "2026-11"): fam(26, 6)},
        "high": {("team-a", "2026-10"): fam(7, 5), ("team-a", "2026-11"): fam(32, 6)},
    }
    parts = {level: table_of(cells) for level, cells in grid.items()}
    whole = table_of(
        {key: set().union(*(grid[level][key] for level in grid)) for key in grid["low"]}
    )
    shown_whole, shown_parts = suppress_partition(whole, parts, K)
    assert shown_parts["low"].cells[("team-a", "2026-10")].suppressed
    published: list[LinearFigure] = []
    hidden: list[LinearFigure] = []
    for name, table, shown in [("", whole, shown_whole)] + [
        (level, parts[level], shown_parts[level]) for level in grid
    ]:
        for position, figure in table_figures(table).items():
            atoms = frozenset(
                (part, *atom) for atom in figure.atoms for part in ([name] if name else grid)
            )
            linear = LinearFigure((name, position), atoms, figure.families)
            is_hidden = (
                (position[0] == "cell" and shown.cells[position[1:]].suppressed)
                or (position[0] == "row" and shown.row_totals[position[1]].suppressed)
                or (position[0] == "column" and shown.column_totals[position[1]].suppressed)
                or (position == GRAND and shown.grand_total.suppressed)
            )
            (hidden if is_hidden else published).append(linear)
    assert check_no_disclosure(published, hidden) == []
    # Without suppressing them together, the low part would follow from the others.
    alone = suppress(parts["low"], K)
    assert alone.cells[("team-a", "2026-10")].suppressed
    assert not suppress(whole, K).cells[("team-a", "2026-10")].suppressed
