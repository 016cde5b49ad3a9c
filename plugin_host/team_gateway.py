"""TeamGateway: how a team-launched plugin (the weekly meeting) reaches its team's clients.

A team launch is bound to one team and no client. The team's listing comes from the record
system, which answers it only to the team's members; a client's record is reached through an
ordinary :class:`~plugin_host.gateway.RecordGateway` for that client, handed out only for a
client on the team's listing and only after the record system's own access check agrees. Every
client the listing names gets an audit row, as does every client opened.
"""

from __future__ import annotations

from flask import g

from plugin_host.audit import AuditLog, AuditRecord
from plugin_host.gateway import RecordGateway, gateway_for_launch, granted_scopes
from plugin_host.launch.context import LaunchContext
from plugin_host.records import RecordAccessDenied, RecordSystem, RecordSystemError, Team
from plugin_host.scopes import ScopeDenied
from plugin_host.services import host_services

TEAM_SCOPE = "team.read"


class TeamGateway:
    def __init__(
        self,
        record_system: RecordSystem,
        audit: AuditLog,
        launch: LaunchContext,
        plugin: str,
        scopes: frozenset[str],
    ) -> None:
        self._records = record_system
        self._audit = audit
        self._launch = launch
        self._plugin = plugin
        self._scopes = scopes
        self._team: Team | None = None
        self._opened: dict[str, RecordGateway] = {}

    @property
    def team_id(self) -> str:
        return self._launch.team_id

    def team(self) -> Team:
        """The team's clients and members (once per request; each listed client audited)."""
        if self._team is None:
            if TEAM_SCOPE not in self._scopes:
                self._audit.record(self._launch, self._entry("team.list", "denied", "scope"))
                raise ScopeDenied(self._plugin, TEAM_SCOPE)
            try:
                team = self._records.get_team(self._launch.request_context(), self.team_id)
            except RecordSystemError as exc:
                self._audit.record(
                    self._launch, self._entry("team.list", "error", type(exc).__name__)
                )
                raise
            with self._audit.database.transaction() as session:
                for client in team.clients:
                    AuditLog.add(
                        session,
                        self._launch.for_team_client(client.client_id),
                        self._entry("team.list", "success", f"team {self.team_id}"),
                    )
            self._team = team
        return self._team

    def client(self, client_id: str) -> RecordGateway:
        """A record gateway for one of the team's clients; RecordAccessDenied for anyone else."""
        if client_id in self._opened:
            return self._opened[client_id]
        on_listing = client_id in {c.client_id for c in self.team().clients}
        launch = self._launch.for_team_client(client_id)
        if not on_listing:
            self._audit.record(launch, self._entry("team.open", "denied", "not on the listing"))
            raise RecordAccessDenied("not a client of this team")
        decision = self._records.check_access(launch.request_context(), client_id)
        if not decision.allowed:
            self._audit.record(launch, self._entry("team.open", "denied", "record system"))
            raise RecordAccessDenied("the record system refused access")
        self._audit.record(launch, self._entry("team.open", "success", f"team {self.team_id}"))
        self._opened[client_id] = gateway_for_launch(self._plugin, launch)
        return self._opened[client_id]

    def _entry(self, operation: str, outcome: str, detail: str | None) -> AuditRecord:
        return AuditRecord(plugin=self._plugin, operation=operation, outcome=outcome, detail=detail)


def team_gateway_for_request(plugin_name: str) -> TeamGateway:
    """The calling plugin's team gateway for this request's team launch (one per request)."""
    launch: LaunchContext = g.launch
    if not launch.is_team_launch:
        raise RecordAccessDenied("not a team launch")
    cached = g.setdefault("team_gateways", {})
    if plugin_name not in cached:
        services = host_services()
        cached[plugin_name] = TeamGateway(
            record_system=services.record_system,
            audit=services.audit,
            launch=launch,
            plugin=plugin_name,
            scopes=granted_scopes(plugin_name),
        )
    return cached[plugin_name]
