"""Searching and exporting the audit log, for ``/-/admin/audit`` and ``plugin-host audit``.

A filter is exact on client, worker, plugin, operation and outcome, and takes a period as whole
days of Finland's calendar (Europe/Helsinki), both ends included. The export of one client's
rows (an access request) holds nothing but rows whose client is that client.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from plugin_host.clock import as_utc
from plugin_host.payloads import PayloadInvalid
from plugin_host.storage import Database
from plugin_host.storage.models import AuditEvent

HELSINKI = ZoneInfo("Europe/Helsinki")
COLUMNS = (
    "event_id",
    "occurred_at",
    "worker_id",
    "org_unit",
    "client_id",
    "purpose",
    "plugin",
    "operation",
    "document_id",
    "document_version",
    "outcome",
    "detail",
)
PAGE_SIZE = 50
_TEXT_FILTERS = ("client", "worker", "plugin", "operation", "outcome")


@dataclass(frozen=True)
class AuditFilter:
    client: str | None = None
    worker: str | None = None
    plugin: str | None = None
    operation: str | None = None
    outcome: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def parse(cls, values: dict[str, Any]) -> AuditFilter:
        """From text (query string, command line: ``from``/``to`` as YYYY-MM-DD); raises
        PayloadInvalid naming the bad key."""
        errors: dict[str, list[str]] = {}
        found: dict[str, Any] = {}
        for key in _TEXT_FILTERS:
            value = (values.get(key) or "").strip()
            if len(value) > 200:
                errors[key] = ["Longer than maximum length 200."]
            found[key] = value or None
        for key, attribute in (("from", "date_from"), ("to", "date_to")):
            value = (values.get(key) or "").strip()
            found[attribute] = None
            if value:
                try:
                    found[attribute] = date.fromisoformat(value)
                except ValueError:
                    errors[key] = ["Not a valid date."]
        if not errors and found["date_from"] and found["date_to"]:
            if found["date_from"] > found["date_to"]:
                errors["to"] = ["The end is before the start."]
        if errors:
            raise PayloadInvalid(errors)
        return cls(**found)

    def as_params(self) -> dict[str, str]:
        """Back to the query string (only what is set)."""
        params = {k: getattr(self, k) for k in _TEXT_FILTERS if getattr(self, k)}
        if self.date_from:
            params["from"] = self.date_from.isoformat()
        if self.date_to:
            params["to"] = self.date_to.isoformat()
        return params

    @property
    def empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def describe(self) -> str:
        """For the audit row of a search: the filter without the client (that has a column)."""
        params = {k: v for k, v in self.as_params().items() if k != "client"}
        return " ".join(f"{k}={v}" for k, v in sorted(params.items())) or "all"

    def file_name(self, extension: str) -> str:
        """A file name that says the filter, e.g. ``audit_client-c-1001_from-2026-01-01.csv``."""
        parts = ["audit"] + [f"{k}-{_safe(v)}" for k, v in self.as_params().items()]
        if len(parts) == 1:
            parts.append("all")
        return "_".join(parts)[:180] + f".{extension}"

    def statement(self) -> Select:
        query = select(AuditEvent)
        for key, column in (
            ("client", AuditEvent.client_id),
            ("worker", AuditEvent.worker_id),
            ("plugin", AuditEvent.plugin),
            ("operation", AuditEvent.operation),
            ("outcome", AuditEvent.outcome),
        ):
            value = getattr(self, key)
            if value is not None:
                query = query.where(column == value)
        if self.date_from is not None:
            query = query.where(AuditEvent.occurred_at >= _day_start(self.date_from))
        if self.date_to is not None:
            query = query.where(AuditEvent.occurred_at < _day_start(self.date_to + timedelta(1)))
        return query


def _safe(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-") or "x"


def _day_start(day: date) -> datetime:
    """Midnight in Helsinki on ``day``, as UTC (the log stores UTC)."""
    return datetime.combine(day, time(0), tzinfo=HELSINKI).astimezone(ZoneInfo("UTC"))


def row_dict(event: AuditEvent) -> dict[str, Any]:
    values = {column: getattr(event, column) for column in COLUMNS}
    values["occurred_at"] = as_utc(event.occurred_at).isoformat()
    return values


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def search(
    session: Session, audit_filter: AuditFilter, page: int = 1, size: int = PAGE_SIZE
) -> Page:
    """One page of matching rows, newest first."""
    query = audit_filter.statement()
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    events = session.scalars(
        query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    return Page([row_dict(e) for e in events], total, page, pages)


def last_id(database: Database) -> int:
    """The newest row's id: an export reads up to it, so it is what the log held when asked."""
    with database.transaction() as session:
        return session.scalar(select(func.max(AuditEvent.id))) or 0


def iter_rows(
    database: Database, audit_filter: AuditFilter, up_to: int | None = None, batch: int = 1000
) -> Iterator[dict]:
    """Every matching row, oldest first, read in batches (an export may be long)."""
    after = 0
    while True:
        with database.transaction() as session:
            query = audit_filter.statement().where(AuditEvent.id > after)
            if up_to is not None:
                query = query.where(AuditEvent.id <= up_to)
            events = session.scalars(query.order_by(AuditEvent.id).limit(batch)).all()
        if not events:
            return
        for event in events:
            yield row_dict(event)
        after = events[-1].id


def _csv_cell(value: Any) -> Any:
    # A cell a spreadsheet would run as a formula is written as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def csv_chunks(rows: Iterator[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for count, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(row[c]) for c in COLUMNS])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(rows: Iterator[dict], audit_filter: AuditFilter) -> Iterator[str]:
    """``{"filter": {...}, "rows": [...]}``, written as it is read."""
    yield '{"filter": ' + json.dumps(audit_filter.as_params(), ensure_ascii=False)
    yield ', "columns": ' + json.dumps(list(COLUMNS)) + ', "rows": ['
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"
