"""Retention: what the host keeps only for a while, and its purge (``plugin-host purge``).

The host is not the record: once a write is in the record system, the outbox row's copy of the
document (client data) has served its purpose, and so has a respondent link once it can no
longer be opened. ``[retention]`` says for how many days they are kept; ``purge`` forgets the
copies (title, content, and the discard reason and last error beside them) and deletes the
links. The anonymous statistics go by month: observations, roll-ups and family keys of months
older than ``statistics_months``. The audit log is never purged here: its retention is the
organisation's, by law.

An outbox row itself stays, without its copy: a plugin may name a document by the ``pending:``
id of its first write long after (the weekly meeting corrects signed minutes weeks later), and
the row maps that id to the record's. A copy is forgotten only when its document has no open
write, so a conflict still waiting for the worker keeps everything it may need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from plugin_host.config import RetentionConfig
from plugin_host.outbox import queue
from plugin_host.storage import Database
from plugin_host.storage.models import (
    OutboxWrite,
    RespondentLink,
    StatFamily,
    StatObservation,
    StatRollup,
)

STATISTICS_TABLES = (StatObservation, StatRollup, StatFamily)


@dataclass(frozen=True)
class Purged:
    """How many rows of each kind were (or, in a dry run, would be) deleted."""

    outbox_copies: int
    respondent_links: int
    statistics_rows: int

    def summary(self) -> str:
        return (
            f"outbox_copies={self.outbox_copies} respondent_links={self.respondent_links} "
            f"statistics_rows={self.statistics_rows}"
        )


def purge(
    database: Database, retention: RetentionConfig, now: datetime, dry_run: bool = False
) -> Purged:
    """Forget settled writes' copies, delete finished links and old months' statistics."""
    settled_writes = _settled_writes(now - timedelta(days=retention.delivered_writes_days))
    old_links = _old_links(now - timedelta(days=retention.respondent_links_days))
    first_kept = first_month_kept(now, retention.statistics_months)
    with database.transaction() as session:
        counts = Purged(
            outbox_copies=session.scalar(select(func.count()).where(settled_writes)) or 0,
            respondent_links=session.scalar(select(func.count()).where(old_links)) or 0,
            statistics_rows=sum(
                session.scalar(select(func.count()).where(table.month < first_kept)) or 0
                for table in STATISTICS_TABLES
            ),
        )
        if not dry_run:
            session.execute(
                update(OutboxWrite)
                .where(settled_writes)
                # The discard reason an admin typed and the last error may name details too.
                .values(title="", content="", resolution=None, last_error=None)
                .execution_options(synchronize_session=False)
            )
            session.execute(
                delete(RespondentLink).where(old_links).execution_options(synchronize_session=False)
            )
            for table in STATISTICS_TABLES:
                session.execute(
                    delete(table)
                    .where(table.month < first_kept)
                    .execution_options(synchronize_session=False)
                )
    return counts


def first_month_kept(now: datetime, months: int) -> str:
    """``YYYY-MM`` of the oldest month whose figures stay: ``now``'s month and the ``months - 1``
    before it (months are compared as text, which orders them)."""
    index = now.year * 12 + now.month - 1 - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _settled_writes(cutoff: datetime):
    """Delivered or discarded before ``cutoff``, still with a copy, in a stream with no open
    write."""
    other = aliased(OutboxWrite)
    still_open = exists().where(
        and_(other.stream == OutboxWrite.stream, other.status.in_(queue.OPEN_STATES))
    )
    return and_(
        OutboxWrite.status.in_((queue.DELIVERED, queue.DISCARDED)),
        OutboxWrite.updated_at < cutoff,
        OutboxWrite.content != "",
        ~still_open,
    )


def _old_links(cutoff: datetime):
    """Expired before ``cutoff``, or opened before it (its 60-minute session long over)."""
    return or_(RespondentLink.expires_at < cutoff, RespondentLink.opened_at < cutoff)
