"""Statistics: the host's anonymous store of observations for aggregate figures, per unit.

A plugin records observations (a feedback answer's item scores, a discussion's fidelity flags)
for its team and month; management views read counts, sums and value distributions per team,
month and first dimension, with the number of distinct families behind each figure for
small-cell suppression (``plugin_host.suppression``).

What is kept: plugin, dataset, unit, team, month, up to three plain dimensions, measure, value,
and ``family_key`` = HMAC-SHA256(host secret key, "<plugin>:<client id>"). The store never holds
a client id, a name or an identity code; the family key only tells one family from another and
cannot be turned back into a client id without the host's secret key (a new secret key makes new
keys: families are then counted twice across the change). A plugin passes no names or codes in
dimensions either: they are for categories (a question set, a meeting role).

Every ``record`` adds its rows to three tables in one transaction: one observation per measure,
one more count for the measure's value in ``StatRollup`` (an atomic upsert, safe with several
host instances writing on PostgreSQL) and the family in ``StatFamily``. Figures are read from the
roll-up and the family table only, thousands of rows however many answers there are;
``raw_cells`` counts the same figures over the observations, for checks and as the baseline.

Families are counted per dataset, not per measure: a dataset's records should carry the same
measures every time (an unanswered item as a measure of its own, e.g. ``answered``), so that
the families behind every measure's figures are the families recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from flask import g
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from plugin_host.clock import utcnow
from plugin_host.storage import Database
from plugin_host.storage.models import StatFamily, StatObservation, StatRollup
from plugin_host.suppression import Table

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
GROUPS = ("team_id", "month", "d1")  # what a cell may be keyed by: StatFamily has these
MAX_DIMENSIONS = 3
_ROLLUP_KEY = (
    "plugin",
    "dataset",
    "org_unit",
    "team_id",
    "month",
    "d1",
    "d2",
    "d3",
    "measure",
    "value",
)
_FAMILY_KEY = ("plugin", "dataset", "org_unit", "team_id", "month", "d1", "family_key")


@dataclass(frozen=True)
class Cell:
    """The figures of one cell: ``key`` holds the values of the ``by`` columns, in order.

    ``count`` observations, their ``total`` (sum of values), ``families`` distinct families
    behind them, and ``distribution`` value -> count.
    """

    key: tuple[str, ...]
    count: int
    total: int
    families: int
    distribution: dict[int, int] = field(default_factory=dict)

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


class Statistics:
    """One plugin's statistics in one unit: it records into its own datasets and reads any
    plugin's figures, always of its own unit."""

    def __init__(self, database: Database, secret_key: str, plugin: str, org_unit: str) -> None:
        self._database = database
        self._secret = secret_key.encode()
        self._plugin = plugin
        self._org_unit = org_unit

    def family_key(self, client_id: str) -> str:
        """The family's pseudonym: keyed, so that nobody without the host's key can make it."""
        message = f"{self._plugin}:{client_id}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def record(
        self,
        dataset: str,
        *,
        client_id: str,
        team_id: str,
        month: str,
        dims: tuple[str, ...] = (),
        values: dict[str, int],
    ) -> None:
        """One observation per measure in ``values``, for ``client_id``'s family (not kept)."""
        _check_month(month)
        if len(dims) > MAX_DIMENSIONS:
            raise ValueError(f"at most {MAX_DIMENSIONS} dimensions")
        if not values:
            raise ValueError("an observation needs at least one measure")
        d1, d2, d3 = (*dims, "", "", "")[:MAX_DIMENSIONS]
        cell = {
            "plugin": self._plugin,
            "dataset": dataset,
            "org_unit": self._org_unit,
            "team_id": team_id,
            "month": month,
            "d1": d1,
        }
        family = self.family_key(client_id)
        # Only the day the month began: an exact time could be matched with the one-time link
        # an answer came through, and so with the client.
        now = utcnow().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        # Sorted, so that concurrent writers lock the same roll-up rows in the same order.
        measures = sorted((measure, int(value)) for measure, value in values.items())
        full = {**cell, "d2": d2, "d3": d3}
        observations = [
            {**full, "family_key": family, "measure": m, "value": v, "recorded_at": now}
            for m, v in measures
        ]
        with self._database.transaction() as session:
            session.execute(StatObservation.__table__.insert(), observations)
            upsert = _insert(session, StatRollup)
            for m, v in measures:
                row = {**full, "measure": m, "value": v, "count": 1}
                session.execute(
                    upsert.values(row).on_conflict_do_update(
                        index_elements=list(_ROLLUP_KEY),
                        set_={"count": StatRollup.__table__.c.count + 1},
                    )
                )
            session.execute(
                _insert(session, StatFamily)
                .values({**cell, "family_key": family})
                .on_conflict_do_nothing(index_elements=list(_FAMILY_KEY))
            )

    def cells(
        self,
        dataset: str,
        measure: str,
        *,
        months: Sequence[str],
        by: tuple[str, ...] = ("team_id", "month"),
        d1: str | None = None,
        plugin: str | None = None,
        team_id: str | None = None,
    ) -> list[Cell]:
        """The figures per ``by`` key over ``months`` in this unit, from the roll-up.

        ``plugin`` reads another plugin's dataset: figures are aggregates, any plugin may read
        them. Families are distinct over everything a cell covers (several months or teams).
        """
        where = self._where(StatRollup, dataset, plugin, months, d1, team_id, by)
        if where is None:
            return []
        groups = [getattr(StatRollup, name) for name in by]
        counted = (
            select(*groups, StatRollup.value, func.sum(StatRollup.count))
            .where(*where, StatRollup.measure == measure)
            .group_by(*groups, StatRollup.value)
        )
        family_where = self._where(StatFamily, dataset, plugin, months, d1, team_id, by)
        family_groups = [getattr(StatFamily, name) for name in by]
        families = (
            select(*family_groups, func.count(StatFamily.family_key.distinct()))
            .where(*(family_where or ()))
            .group_by(*family_groups)
        )
        with self._database.transaction() as session:
            return _cells(session.execute(counted).all(), session.execute(families).all())

    def raw_cells(
        self,
        dataset: str,
        measure: str,
        *,
        months: Sequence[str],
        by: tuple[str, ...] = ("team_id", "month"),
        d1: str | None = None,
        plugin: str | None = None,
        team_id: str | None = None,
    ) -> list[Cell]:
        """The same figures as ``cells``, counted with GROUP BY over the observations."""
        where = self._where(StatObservation, dataset, plugin, months, d1, team_id, by)
        if where is None:
            return []
        where.append(StatObservation.measure == measure)
        groups = [getattr(StatObservation, name) for name in by]
        counted = (
            select(*groups, StatObservation.value, func.count())
            .where(*where)
            .group_by(*groups, StatObservation.value)
        )
        families = (
            select(*groups, func.count(StatObservation.family_key.distinct()))
            .where(*where)
            .group_by(*groups)
        )
        with self._database.transaction() as session:
            return _cells(session.execute(counted).all(), session.execute(families).all())

    def table(
        self,
        dataset: str,
        measure: str,
        *,
        months: Sequence[str],
        rows: str = "team_id",
        columns: str = "month",
        d1: str | None = None,
        plugin: str | None = None,
    ) -> Table:
        """A management page's table, ready for ``suppress``: cells per ``rows`` x ``columns``
        (e.g. team x month), each row's and column's total and the grand total, the families of
        every total distinct over its cells."""
        by = (rows, columns)
        where = self._where(StatRollup, dataset, plugin, months, d1, None, by)
        family_where = self._where(StatFamily, dataset, plugin, months, d1, None, by)
        if where is None or family_where is None:
            return _assemble(columns, months, [], [])
        row, column = getattr(StatRollup, rows), getattr(StatRollup, columns)
        counted = (
            select(row, column, StatRollup.value, func.sum(StatRollup.count))
            .where(*where, StatRollup.measure == measure)
            .group_by(row, column, StatRollup.value)
        )
        family_row, family_column = getattr(StatFamily, rows), getattr(StatFamily, columns)
        with self._database.transaction() as session:
            # Core, not the ORM's result machinery: tens of thousands of plain rows.
            connection = session.connection()
            counts = connection.execute(counted).all()
            # One pass over the page's family rows, the totals' distinct families made from
            # the cells' in Python, rather than a COUNT(DISTINCT) scan per kind of total; the
            # rows present narrow the index range (team before month in the key).
            present = sorted({r for r, *_ in counts})
            families = (
                select(family_row, family_column, StatFamily.family_key)
                .where(*family_where, family_row.in_(present))
                .order_by(family_row, family_column)
            )
            members = connection.execute(families).all() if present else []
        return _assemble(columns, months, counts, members)

    def raw_table(
        self,
        dataset: str,
        measure: str,
        *,
        months: Sequence[str],
        rows: str = "team_id",
        columns: str = "month",
        d1: str | None = None,
        plugin: str | None = None,
    ) -> Table:
        """``table`` counted with ``raw_cells`` over the observations, one query per kind of
        figure (cells, row totals, column totals, grand total): for checks and baselines."""

        def cells(by: tuple[str, ...]) -> list[Cell]:
            return self.raw_cells(dataset, measure, months=months, by=by, d1=d1, plugin=plugin)

        inner, row_cells, column_cells = cells((rows, columns)), cells((rows,)), cells((columns,))
        return _table(columns, months, inner, row_cells, column_cells, cells(()))

    def _where(
        self,
        model: type[StatObservation] | type[StatRollup] | type[StatFamily],
        dataset: str,
        plugin: str | None,
        months: Sequence[str],
        d1: str | None,
        team_id: str | None,
        by: tuple[str, ...],
    ) -> list[ColumnElement[bool]] | None:
        """The unit's rows of the dataset in ``months``; None when no month is asked for."""
        unknown = set(by) - set(GROUPS)
        if unknown or len(set(by)) != len(by):
            raise ValueError(f"cells are keyed by distinct names of {GROUPS}, not {by}")
        for month in months:
            _check_month(month)
        if not months:
            return None
        where = [
            model.plugin == (plugin or self._plugin),
            model.dataset == dataset,
            model.org_unit == self._org_unit,
            model.month.in_(sorted(set(months))),
        ]
        if d1 is not None:
            where.append(model.d1 == d1)
        if team_id is not None:
            where.append(model.team_id == team_id)
        return where


def _check_month(month: str) -> None:
    if not MONTH.match(month):
        raise ValueError(f"a month is YYYY-MM, not {month!r}")


def _insert(session: Session, model: type[StatRollup] | type[StatFamily]):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"statistics need SQLite or PostgreSQL, not {dialect}")


def _cells(counted: Sequence, families: Sequence) -> list[Cell]:
    """Cells from rows (*key, value, count) and (*key, families)."""
    distributions: dict[tuple[str, ...], dict[int, int]] = {}
    for *key, value, count in counted:
        distribution = distributions.setdefault(tuple(key), {})
        distribution[value] = distribution.get(value, 0) + int(count)
    distinct = {tuple(key): int(number) for *key, number in families}
    return [
        Cell(
            key=key,
            count=sum(distribution.values()),
            total=sum(value * count for value, count in distribution.items()),
            families=distinct.get(key, 0),
            distribution=dict(sorted(distribution.items())),
        )
        for key, distribution in sorted(distributions.items())
    ]


def _assemble(columns: str, months: Sequence[str], counts: Sequence, members: Sequence) -> Table:
    """A table from rows (row, column, value, count) and (row, column, family_key)."""
    distributions: dict[tuple[str, ...], dict[int, int]] = {}
    for r, c, value, count in counts:
        for place in (("cell", r, c), ("row", r), ("column", c), ("grand",)):
            distribution = distributions.setdefault(place, {})
            distribution[value] = distribution.get(value, 0) + int(count)
    families: dict[tuple[str, ...], set[str]] = {}
    for (r, c), group in groupby(members, key=itemgetter(0, 1)):
        families.setdefault(("cell", r, c), set()).update(map(itemgetter(2), group))
    for (_, r, c), found in list(families.items()):
        for place in (("row", r), ("column", c), ("grand",)):
            families.setdefault(place, set()).update(found)
    found: dict[str, list[Cell]] = {"cell": [], "row": [], "column": [], "grand": []}
    for place, distribution in sorted(distributions.items()):
        found[place[0]].append(
            Cell(
                key=place[1:],
                count=sum(distribution.values()),
                total=sum(value * count for value, count in distribution.items()),
                families=len(families.get(place, ())),
                distribution=dict(sorted(distribution.items())),
            )
        )
    return _table(columns, months, found["cell"], found["row"], found["column"], found["grand"])


def _table(
    columns: str,
    months: Sequence[str],
    inner: list[Cell],
    row_cells: list[Cell],
    column_cells: list[Cell],
    grand: list[Cell],
) -> Table:
    row_totals = {cell.key[0]: cell for cell in row_cells}
    column_totals = {cell.key[0]: cell for cell in column_cells}
    column_keys = sorted(set(months)) if columns == "month" else sorted(column_totals)
    # A month without answers is published too: as an empty total, not as a missing one.
    for key in column_keys:
        column_totals.setdefault(key, _empty((key,)))
    return Table(
        rows=tuple(sorted(row_totals)),
        columns=tuple(column_keys),
        cells={(cell.key[0], cell.key[1]): cell for cell in inner},
        row_totals=row_totals,
        column_totals=column_totals,
        grand_total=grand[0] if grand else _empty(()),
    )


def _empty(key: tuple[str, ...]) -> Cell:
    return Cell(key=key, count=0, total=0, families=0, distribution={})


def statistics_for_request(plugin_name: str) -> Statistics:
    """The calling plugin's statistics in this request's unit: the launch's, or for a family
    member answering through a one-time link, the unit of the worker who issued it."""
    from plugin_host.services import host_services

    services = host_services()
    subject = g.get("launch") or g.get("respondent")
    if subject is None:
        raise RuntimeError("statistics need a launch or a respondent session")
    return Statistics(services.database, services.config.secret_key, plugin_name, subject.org_unit)
