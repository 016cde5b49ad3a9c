"""Retention: ``plugin-host purge`` deletes settled outbox writes and finished respondent links
older than ``[retention]``, never an open write's stream, never what is still to come."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select, update

from plugin_host.cli import main
from plugin_host.clock import utcnow
from plugin_host.config import RetentionConfig
from plugin_host.launch.context import LaunchContext
from plugin_host.respondent import links
from plugin_host.retention import Purged, first_month_kept, purge
from plugin_host.statistics import Statistics
from plugin_host.storage.models import AuditEvent, OutboxWrite, RespondentLink
from reference_record_system.store import RecordStore
from tests.fixtures.host import CLIENT_A, both_databases
from tests.test_outbox import _drain, _versions, _worker

pytestmark = both_databases  # the host on SQLite, then on PostgreSQL

THIRTY_DAYS = RetentionConfig(
    delivered_writes_days=30, respondent_links_days=30, statistics_months=36
)
LONG_AGO = timedelta(days=40)


def _database(app: Flask):
    return app.extensions["plugin_host"].database


def _age_write(app: Flask, write_id: str) -> None:
    with _database(app).transaction() as session:
        session.execute(
            update(OutboxWrite)
            .where(OutboxWrite.write_id == write_id)
            .values(updated_at=utcnow() - LONG_AGO)
        )


def _copies(app: Flask) -> dict[str, str]:
    """Each outbox row's copy of its document, by write id ("" once forgotten)."""
    with _database(app).transaction() as session:
        return dict(session.execute(select(OutboxWrite.write_id, OutboxWrite.content)).all())


def test_settled_writes_lose_their_copy_after_their_days_but_not_while_their_document_is_busy(
    host_app, launched, record_system_server
):
    worker = _worker(launched)
    old = worker.create("Vanha muistiinpano").json
    recent = worker.create("Tuore muistiinpano").json
    busy = worker.create("Kesken oleva").json
    _drain(host_app)
    old_id = worker.status(old["write_id"])["document_id"]
    busy_id = worker.status(busy["write_id"])["document_id"]
    waiting = worker.update(busy_id, "Kesken oleva, muutettu", if_match=1)
    assert waiting.status_code == 202  # not delivered: the busy document has an open write
    for write in (old, busy):
        _age_write(host_app, write["write_id"])
    with _database(host_app).transaction() as session:  # what an admin and the system noted
        session.execute(
            update(OutboxWrite)
            .where(OutboxWrite.write_id == old["write_id"])
            .values(resolution="Aino Testinen pyysi", last_error="aikakatkaisu")
        )

    assert purge(_database(host_app), THIRTY_DAYS, utcnow(), dry_run=True) == Purged(1, 0, 0)
    assert all(_copies(host_app).values())
    assert purge(_database(host_app), THIRTY_DAYS, utcnow()) == Purged(1, 0, 0)
    copies = _copies(host_app)
    assert copies.pop(old["write_id"]) == ""  # the old note's copy is gone from the host ...
    assert all(copies.values())  # ... the busy document keeps its copies while a write waits
    with _database(host_app).transaction() as session:
        [forgotten] = session.execute(
            select(OutboxWrite.title, OutboxWrite.resolution, OutboxWrite.last_error).where(
                OutboxWrite.write_id == old["write_id"]
            )
        ).all()
    assert tuple(forgotten) == ("", None, None)
    assert purge(_database(host_app), THIRTY_DAYS, utcnow()) == Purged(0, 0, 0)

    # The record has the old note: the host reads it from there, not from its forgotten copy,
    # and the note's first pending id still names it (corrections come weeks later).
    assert worker.get(old_id).json["content"] == {"text": "Vanha muistiinpano"}
    corrected = worker.update(old["document_id"], "Vanha, korjattu", if_match=1)
    assert old["document_id"].startswith("pending:") and corrected.status_code == 202
    _drain(host_app)
    store = RecordStore(str(record_system_server.db_path))
    assert _versions(store, old_id) == ["Vanha muistiinpano", "Vanha, korjattu"]
    assert _versions(store, busy_id) == ["Kesken oleva", "Kesken oleva, muutettu"]
    assert recent["write_id"] in copies


def _issue(app: Flask, minutes: int = 60) -> str:
    launch = LaunchContext(
        session_id="s-retention",
        worker_id="w-demo",
        org_unit="lastensuojelu-1",
        client_id=CLIENT_A,
        purpose="asiakastyo",
        locale="fi",
    )
    issued = links.issue(
        _database(app), launch, "asker", "asker_respondent.form", {}, minutes, False
    )
    return issued.link_id


def _set_link(app: Flask, link_id: str, **values) -> None:
    with _database(app).transaction() as session:
        session.execute(
            update(RespondentLink).where(RespondentLink.link_id == link_id).values(**values)
        )


def _link_ids(app: Flask) -> set[str]:
    with _database(app).transaction() as session:
        return set(session.scalars(select(RespondentLink.link_id)))


def test_respondent_links_go_once_expired_or_opened_long_enough_ago(host_app):
    long_ago = utcnow() - LONG_AGO
    expired_long_ago, opened_long_ago = _issue(host_app), _issue(host_app)
    _set_link(host_app, expired_long_ago, expires_at=long_ago)
    _set_link(host_app, opened_long_ago, opened_at=long_ago, finished_at=long_ago)
    expired_lately, waiting = _issue(host_app, minutes=0), _issue(host_app)
    opened_lately = _issue(host_app)
    _set_link(host_app, opened_lately, opened_at=utcnow() - timedelta(hours=2))

    assert purge(_database(host_app), THIRTY_DAYS, utcnow()) == Purged(0, 2, 0)
    assert _link_ids(host_app) == {expired_lately, waiting, opened_lately}


def test_statistics_go_by_month_once_older_than_their_months(host_app):
    store = Statistics(_database(host_app), "k" * 64, "feedback", "lastensuojelu-1")
    for month in ("2023-10", "2023-11", "2026-11"):  # 37 and 36 months before 2026-11, and 2026-11
        for client in ("c-1001", "c-1002"):
            store.record(
                "answers", client_id=client, team_id="team-a", month=month, values={"total": 7}
            )
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert first_month_kept(now, 36) == "2023-12"
    assert first_month_kept(datetime(2026, 1, 5, tzinfo=UTC), 13) == "2025-01"

    # Two observations, one roll-up row and two families go with each month dropped.
    assert purge(_database(host_app), THIRTY_DAYS, now) == Purged(0, 0, 2 * (2 + 1 + 2))
    left = store.cells("answers", "total", months=["2023-10", "2023-11", "2026-11"])
    assert [(cell.key, cell.count, cell.families) for cell in left] == [
        (("team-a", "2026-11"), 2, 2)
    ]
    assert store.raw_cells("answers", "total", months=["2023-10", "2023-11"]) == []


def test_the_purge_command_counts_first_and_audits_what_it_deletes(host_app, host_config):
    config_file = Path(host_config.source)  # the file the configuration was read from
    link_id = _issue(host_app)
    _set_link(host_app, link_id, expires_at=utcnow() - LONG_AGO)

    runner = CliRunner()
    counted = runner.invoke(main, ["purge", "--dry-run", "--config", str(config_file)])
    assert counted.exit_code == 0, counted.output
    assert "would purge: outbox_copies=0 respondent_links=1 statistics_rows=0" in counted.output
    assert _link_ids(host_app) == {link_id}

    done = runner.invoke(main, ["purge", "--actor", "admin-a", "--config", str(config_file)])
    assert done.exit_code == 0, done.output
    assert "purged: outbox_copies=0 respondent_links=1 statistics_rows=0" in done.output
    assert _link_ids(host_app) == set()
    with _database(host_app).transaction() as session:
        [row] = session.scalars(select(AuditEvent).where(AuditEvent.operation == "admin.purge"))
    assert (row.worker_id, row.detail) == (
        "admin-a",
        "outbox_copies=0 respondent_links=1 statistics_rows=0",
    )


def test_retention_is_checked_with_the_configuration(host_config):
    config_file = Path(host_config.source)
    config_file.write_text(config_file.read_text() + "\n[retention]\nrespondent_links_days = 1\n")
    checked = CliRunner().invoke(main, ["check-config", "--config", str(config_file)])
    assert checked.exit_code == 1
    assert "retention.respondent_links_days: Must be greater than or equal to 2" in checked.output
