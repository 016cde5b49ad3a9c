"""PluginState: a plugin's own working state in the host's database, bound to a team or client.

For what is not (yet) a client document: a meeting in progress, an index of what a plugin
wrote so that a team view needs no hundred record reads. An entry belongs to the plugin that
wrote it and carries the team and the client it is about; a launch sees an entry only when it is
about the launch's client, or, for a team launch, when it belongs to the launch's team. Reads
and writes of entries about a client are audit-logged under that client. Optimistic
concurrency: ``put`` with ``expected_version`` refuses a stale write.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g
from sqlalchemy import Select, select

from plugin_host.audit import AuditLog, AuditRecord
from plugin_host.clock import as_utc, utcnow
from plugin_host.launch.context import LaunchContext
from plugin_host.records import RecordAccessDenied
from plugin_host.services import host_services
from plugin_host.storage import Database
from plugin_host.storage.models import PluginStateEntry

MAX_ENTRY_BYTES = 1_000_000


@dataclass(frozen=True)
class StateEntry:
    kind: str
    key: str
    data: dict[str, Any]
    version: int
    team_id: str
    client_id: str
    updated_at: datetime
    updated_by: str


class StateConflict(Exception):
    """Someone saved the entry since it was read; ``current_version`` is theirs."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"the entry is at version {current_version}")
        self.current_version = current_version


class PluginState:
    def __init__(
        self,
        database: Database,
        audit: AuditLog,
        launch: LaunchContext,
        plugin: str,
        team_clients: Callable[[], set[str]],
    ) -> None:
        self._database = database
        self._audit = audit
        self._launch = launch
        self._plugin = plugin
        self._team_clients = team_clients

    def get(self, kind: str, key: str) -> StateEntry | None:
        """The entry, or None when there is none this launch may see."""
        with self._database.transaction() as session:
            row = (
                self._visible()
                .where(PluginStateEntry.kind == kind)
                .where(PluginStateEntry.key == key)
            )
            found = session.scalars(row).one_or_none()
            entry = None if found is None else _entry(found)
        if entry is not None:
            self._audit_read([entry])
        return entry

    def find(self, kind: str, client_id: str | None = None) -> list[StateEntry]:
        """Every visible entry of ``kind`` (about ``client_id`` only, when given), newest first."""
        with self._database.transaction() as session:
            query = self._visible().where(PluginStateEntry.kind == kind)
            if client_id is not None:
                query = query.where(PluginStateEntry.client_id == client_id)
            rows = session.scalars(query.order_by(PluginStateEntry.updated_at.desc())).all()
            entries = [_entry(row) for row in rows]
        self._audit_read(entries)
        return entries

    def put(
        self,
        kind: str,
        key: str,
        data: dict[str, Any],
        *,
        client_id: str | None = None,
        expected_version: int | None = None,
    ) -> StateEntry:
        """Create or replace an entry; ``client_id`` defaults to the launch's client."""
        client_id = self._launch.client_id if client_id is None else client_id
        self._check_subject(client_id)
        text = json.dumps(data, sort_keys=True, ensure_ascii=False)
        if len(text.encode()) > MAX_ENTRY_BYTES:
            raise ValueError("a plugin state entry is limited to 1 MB")
        with self._database.transaction() as session:
            row = session.scalars(
                select(PluginStateEntry)
                .where(PluginStateEntry.plugin == self._plugin)
                .where(PluginStateEntry.kind == kind)
                .where(PluginStateEntry.key == key)
                .with_for_update()
            ).one_or_none()
            if row is not None and not self._may_see(row):
                raise RecordAccessDenied("the entry belongs to another launch's team or client")
            current = 0 if row is None else row.version
            if expected_version is not None and expected_version != current:
                raise StateConflict(current)
            if row is None:
                row = PluginStateEntry(
                    plugin=self._plugin,
                    kind=kind,
                    key=key,
                    team_id=self._launch.team_id,
                    client_id=client_id,
                    version=0,
                )
                session.add(row)
            row.client_id = client_id
            row.data = text
            row.version = current + 1
            row.updated_at = utcnow()
            row.updated_by = self._launch.worker_id
            if client_id:
                AuditLog.add(session, self._about(client_id), self._record("state.write", key))
            session.flush()
            return _entry(row)

    def _check_subject(self, client_id: str) -> None:
        if self._launch.is_team_launch:
            refused = bool(client_id) and client_id not in self._team_clients()
        else:
            refused = client_id != self._launch.client_id
        if refused:
            self._audit.record(
                self._about(client_id),
                AuditRecord(
                    plugin=self._plugin, operation="state.write", outcome="denied", detail=None
                ),
            )
            raise RecordAccessDenied("a launch writes about its own client or team only")

    def _visible(self) -> Select:
        query = select(PluginStateEntry).where(PluginStateEntry.plugin == self._plugin)
        if self._launch.is_team_launch:
            return query.where(PluginStateEntry.team_id == self._launch.team_id)
        # A unit launch (client "" and team ""): only entries about no client and no team.
        query = query.where(PluginStateEntry.client_id == self._launch.client_id)
        if self._launch.is_unit_launch:
            query = query.where(PluginStateEntry.team_id == "")
        return query

    def _may_see(self, row: PluginStateEntry) -> bool:
        if self._launch.is_team_launch:
            return row.team_id == self._launch.team_id
        if self._launch.is_unit_launch:
            return row.team_id == "" and row.client_id == ""
        return row.client_id == self._launch.client_id

    def _audit_read(self, entries: list[StateEntry]) -> None:
        about = sorted({e.client_id for e in entries if e.client_id})
        if not about:
            return
        with self._database.transaction() as session:
            for client_id in about:
                AuditLog.add(session, self._about(client_id), self._record("state.read", None))

    def _about(self, client_id: str) -> LaunchContext:
        return self._launch.for_team_client(client_id)

    def _record(self, operation: str, key: str | None) -> AuditRecord:
        return AuditRecord(plugin=self._plugin, operation=operation, outcome="success", detail=key)


def _entry(row: PluginStateEntry) -> StateEntry:
    return StateEntry(
        kind=row.kind,
        key=row.key,
        data=json.loads(row.data),
        version=row.version,
        team_id=row.team_id,
        client_id=row.client_id,
        updated_at=as_utc(row.updated_at),
        updated_by=row.updated_by,
    )


def plugin_state_for_request(plugin_name: str) -> PluginState:
    """The calling plugin's state, seen from this request's launch."""
    from plugin_host.team_gateway import team_gateway_for_request

    services = host_services()
    launch: LaunchContext = g.launch

    def team_clients() -> set[str]:
        team = team_gateway_for_request(plugin_name).team()
        return {c.client_id for c in team.clients}

    return PluginState(services.database, services.audit, launch, plugin_name, team_clients)
