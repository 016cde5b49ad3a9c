"""Small-cell suppression: which figures of a statistics view may be published.

Pure functions over figures that carry ``families`` (distinct families behind the figure).

The model. Every published figure of a view is a sum over *atoms*, the innermost cells (e.g.
one team's answers in one month): a cell is one atom, a team's total over the months is the sum
of its row, the unit's total the sum of everything. A cell's count, its sum of values and each
bucket of its value distribution are all such sums, over the same atoms, and a cell is published
or suppressed with all of its figures; so the count, the sum and every bucket form copies of one
system of linear relations with one pattern of unknowns, and what holds for the cell holds for
each of its figures (a mean is sum / count: published exactly when both are).

The algorithm (``suppress`` for a table with row, column and grand totals; ``protect`` for any
list of figures, e.g. a team's totals over months 1-3 and 1-2 side by side):

1. Primary: every figure with fewer than ``minimum_families`` families is suppressed, totals
   included (shown as "< k"). A cell without observations too: nothing tells "0" from "1-4".
2. Lines (tables): every published relation "total = sum of members" (each row and column
   with its total; the row totals and the column totals, each with the grand total) must have
   0 or at least 2 suppressed non-empty items, the total counted, so that no difference of
   published figures gives one of them. With exactly one, the line's published non-empty
   member with the fewest families is suppressed too (its total when there is none). Empty
   cells protect nothing: an attacker may well know that a team had no answers in a month.
   Repeated until nothing changes.
3. Guarantee: the published figures are solved as a linear system (exact rational elimination)
   and every suppressed non-empty figure is checked for being a linear combination of them;
   lines alone miss combinations over several lines (two rows minus two columns). While one is
   determined, the published figure with the fewest families whose suppression leaves it
   undetermined is suppressed. Each round suppresses one more figure and suppressing more never
   determines anything, so it ends.

The guarantee: no suppressed figure of the view can be computed exactly from the figures
published in the same view (and its export), by any sum or difference of them, even when the
attacker knows which cells are empty. It does not protect against: bounds (a suppressed cell
is at most its line's total minus the published part; non-negativity narrows it further);
views of other periods or filters, seen on different days or by other people (months 1-12 today
and 2-13 next month differ by two months' cells); figures published elsewhere; or attribute
disclosure when all of a published cell's families answered alike. Use one pattern for every
measure of a dataset in one view: the pattern depends on families only, so the same table
shape and families give the same pattern.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, Protocol, TypeVar

MINIMUM_FAMILIES = 5

PRIMARY = "primary"
SECONDARY = "secondary"


class Figures(Protocol):
    """What suppression needs of a cell: the number of distinct families behind it."""

    @property
    def families(self) -> int: ...


F = TypeVar("F", bound=Figures)

Position = tuple[str, ...]  # ("cell", row, column), ("row", row), ("column", column), ("grand",)
GRAND: Position = ("grand",)


@dataclass(frozen=True)
class Table(Generic[F]):
    """A two-way table as a page publishes it: ``cells[(row, column)]`` (missing: no
    observations), each row's and column's total and the grand total (missing or None: not
    published). The totals' families are distinct over their cells, not sums."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: Mapping[tuple[str, str], F]
    row_totals: Mapping[str, F]
    column_totals: Mapping[str, F]
    grand_total: F | None = None


@dataclass(frozen=True)
class Shown(Generic[F]):
    """One figure as published: ``figures`` None when suppressed (``reason`` says why)."""

    figures: F | None
    reason: str
    minimum_families: int

    @property
    def suppressed(self) -> bool:
        return self.figures is None

    def text(self, show: Callable[[F], str]) -> str:
        """``show(figures)``, or "< k" when suppressed."""
        return f"< {self.minimum_families}" if self.figures is None else show(self.figures)


@dataclass(frozen=True)
class SuppressedTable(Generic[F]):
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    minimum_families: int
    cells: dict[tuple[str, str], Shown[F]]
    row_totals: dict[str, Shown[F]]
    column_totals: dict[str, Shown[F]]
    grand_total: Shown[F] | None

    def suppressed(self) -> set[Position]:
        """The positions of every suppressed figure."""
        found = {("cell", *key) for key, shown in self.cells.items() if shown.suppressed}
        found |= {("row", r) for r, shown in self.row_totals.items() if shown.suppressed}
        found |= {("column", c) for c, shown in self.column_totals.items() if shown.suppressed}
        if self.grand_total is not None and self.grand_total.suppressed:
            found.add(GRAND)
        return found


@dataclass(frozen=True)
class LinearFigure:
    """A figure that is the sum of its ``atoms`` (innermost cells), resting on ``families``."""

    name: Hashable
    atoms: frozenset[Hashable]
    families: int

    @property
    def empty(self) -> bool:
        return self.families == 0


class _Empty:
    families = 0


def suppress(table: Table[F], minimum_families: int = MINIMUM_FAMILIES) -> SuppressedTable[F]:
    """The table with every figure that must not be published suppressed (see the module)."""
    figures = table_figures(table)
    hidden = {f.name: PRIMARY for f in figures.values() if f.families < minimum_families}
    for name in _lines_rule(table, figures, set(hidden)):
        hidden.setdefault(name, SECONDARY)
    for name in protect(list(figures.values()), minimum_families, hidden=set(hidden)):
        hidden.setdefault(name, SECONDARY)

    return _apply(table, hidden, minimum_families)


def suppress_partition(
    whole: Table[F], parts: Mapping[str, Table[F]], minimum_families: int = MINIMUM_FAMILIES
) -> tuple[SuppressedTable[F], dict[str, SuppressedTable[F]]]:
    """A table and the tables it splits into (each cell of ``whole`` the sum of the parts' cells
    at the same place: answers = low + middle + high), suppressed together: no hidden figure of
    any of them follows from the figures published in all of them."""
    named: dict[str, Table[F]] = {"": whole, **parts}
    figures: list[LinearFigure] = []
    for name, table in named.items():
        for position, figure in table_figures(table).items():
            # An atom is a part's innermost cell; the whole's cells are made of the parts'.
            atoms = frozenset(
                (part, *atom) for atom in figure.atoms for part in (parts if not name else [name])
            )
            figures.append(LinearFigure((name, position), atoms, figure.families))
    hidden_names = {f.name for f in figures if f.families < minimum_families}
    for name, table in named.items():
        own = {position: f for (owner, position), f in _by_name(figures).items() if owner == name}
        for position in _lines_rule(table, own, {p for owner, p in hidden_names if owner == name}):
            hidden_names.add((name, position))
    hidden_names |= protect(figures, minimum_families, hidden=hidden_names)
    result = {
        name: _apply(
            table, {p: SECONDARY for owner, p in hidden_names if owner == name}, minimum_families
        )
        for name, table in named.items()
    }
    return result.pop(""), result


def _by_name(figures: Sequence[LinearFigure]) -> dict[Hashable, LinearFigure]:
    return {f.name: f for f in figures}


def _apply(
    table: Table[F], hidden: Mapping[Position, str], minimum_families: int
) -> SuppressedTable[F]:
    def shown(position: Position, cell: F | None) -> Shown[F]:
        if position in hidden:
            families = (cell or _Empty).families
            reason = PRIMARY if families < minimum_families else hidden[position]
            return Shown(None, reason, minimum_families)
        return Shown(cell, "", minimum_families)

    return SuppressedTable(
        rows=table.rows,
        columns=table.columns,
        minimum_families=minimum_families,
        cells={
            (r, c): shown(("cell", r, c), table.cells.get((r, c)))
            for r in table.rows
            for c in table.columns
        },
        row_totals={r: shown(("row", r), t) for r, t in table.row_totals.items()},
        column_totals={c: shown(("column", c), t) for c, t in table.column_totals.items()},
        grand_total=None if table.grand_total is None else shown(GRAND, table.grand_total),
    )


def table_figures(table: Table) -> dict[Position, LinearFigure]:
    """Every figure of the table as a sum of its cells, keyed by position."""
    figures: dict[Position, LinearFigure] = {}

    def add(position: Position, atoms: Iterable[tuple[str, str]], cell: Figures | None) -> None:
        families = (cell or _Empty).families
        figures[position] = LinearFigure(position, frozenset(atoms), families)

    for r in table.rows:
        for c in table.columns:
            add(("cell", r, c), [(r, c)], table.cells.get((r, c)))
    for r, total in table.row_totals.items():
        add(("row", r), [(r, c) for c in table.columns], total)
    for c, total in table.column_totals.items():
        add(("column", c), [(r, c) for r in table.rows], total)
    if table.grand_total is not None:
        every = [(r, c) for r in table.rows for c in table.columns]
        add(GRAND, every, table.grand_total)
    return figures


def _lines(table: Table) -> list[tuple[Position, list[Position]]]:
    """Each line's total and its members."""
    lines = [(("row", r), [("cell", r, c) for c in table.columns]) for r in table.rows]
    lines += [(("column", c), [("cell", r, c) for r in table.rows]) for c in table.columns]
    lines.append((GRAND, [("column", c) for c in table.columns]))
    lines.append((GRAND, [("row", r) for r in table.rows]))
    return lines


def _lines_rule(
    table: Table, figures: Mapping[Position, LinearFigure], hidden: set[Position]
) -> set[Position]:
    """Step 2: no line with exactly one suppressed non-empty item; the suppressed set."""
    lines = [
        (total, members)
        for total, members in _lines(table)
        if total in figures and all(p in figures for p in members)
    ]
    order = {position: index for index, position in enumerate(figures)}
    changed = True
    while changed:
        changed = False
        for total, members in lines:
            items = [p for p in [total, *members] if not figures[p].empty]
            if sum(p in hidden for p in items) != 1:
                continue
            candidates = [p for p in members if p in items and p not in hidden]
            if not candidates and total not in hidden:
                candidates = [total]
            if candidates:
                hidden.add(min(candidates, key=lambda p: (figures[p].families, order[p])))
                changed = True
    return hidden


def protect(
    figures: Sequence[LinearFigure],
    minimum_families: int = MINIMUM_FAMILIES,
    *,
    hidden: Iterable[Hashable] = (),
) -> set[Hashable]:
    """The names of the figures to suppress so that none is computable from the rest: primary
    (fewer families than the minimum), ``hidden`` as given, then step 3 of the module."""
    suppressed = set(hidden) | {f.name for f in figures if f.families < minimum_families}
    order = {f.name: index for index, f in enumerate(figures)}

    def preference(figure: LinearFigure) -> tuple[int, int, int]:
        # Single cells before totals: a total is worth more to the reader.
        return (len(figure.atoms) > 1, figure.families, order[figure.name])

    while True:
        published = [f for f in figures if f.name not in suppressed]
        secret = [f for f in figures if f.name in suppressed]
        exposed = _determined(published, secret)
        if not exposed:
            return suppressed
        target = exposed[0]
        candidates = sorted((f for f in published if not f.empty), key=preference)
        if not candidates:  # cannot happen: with nothing published nothing is determined
            raise AssertionError("a suppressed figure is determined by no figure")
        chosen = candidates[0]
        for candidate in candidates:
            rest = [f for f in published if f.name != candidate.name]
            if not _determined(rest, [target, candidate]):
                chosen = candidate
                break
        suppressed.add(chosen.name)


def check_no_disclosure(
    published: Sequence[LinearFigure], suppressed: Sequence[LinearFigure]
) -> list[str]:
    """A problem for every suppressed non-empty figure that some sum or difference of the
    published figures computes exactly (empty cells are taken as known to be empty)."""
    return [
        f"{figure.name!r} is computable from the published figures"
        for figure in _determined(published, suppressed)
    ]


def _determined(
    published: Sequence[LinearFigure], suppressed: Sequence[LinearFigure]
) -> list[LinearFigure]:
    """The suppressed non-empty figures in the span of the published ones."""
    every = [*published, *suppressed]
    zero = {atom for f in every if f.empty for atom in f.atoms}
    index: dict[Hashable, int] = {}
    for f in every:
        for atom in f.atoms:
            if atom not in zero:
                index.setdefault(atom, len(index))
    basis = _Basis()
    for f in published:
        basis.add(_vector(f, index, zero))
    return [f for f in suppressed if not f.empty and basis.spans(_vector(f, index, zero))]


def _vector(
    figure: LinearFigure, index: Mapping[Hashable, int], zero: set[Hashable]
) -> dict[int, Fraction]:
    return {index[atom]: Fraction(1) for atom in figure.atoms if atom not in zero}


class _Basis:
    """Rows in echelon form keyed by their leading (smallest) column, exact arithmetic."""

    def __init__(self) -> None:
        self._rows: dict[int, dict[int, Fraction]] = {}

    def _reduce(self, vector: dict[int, Fraction]) -> dict[int, Fraction]:
        vector = dict(vector)
        done: dict[int, Fraction] = {}
        while vector:
            lead = min(vector)
            factor = vector.pop(lead)
            row = self._rows.get(lead)
            if row is None:
                done[lead] = factor
                continue
            for column, value in row.items():
                if column == lead:
                    continue
                updated = vector.get(column, Fraction(0)) - factor * value
                if updated:
                    vector[column] = updated
                else:
                    vector.pop(column, None)
        return done

    def add(self, vector: dict[int, Fraction]) -> None:
        rest = self._reduce(vector)
        if rest:
            lead = min(rest)
            pivot = rest[lead]
            self._rows[lead] = {column: value / pivot for column, value in rest.items()}

    def spans(self, vector: dict[int, Fraction]) -> bool:
        return bool(vector) and not self._reduce(vector)
