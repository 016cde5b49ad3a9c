"""What a verified launch establishes for the rest of the request."""

from __future__ import annotations

from dataclasses import dataclass, replace

from plugin_host.records import RequestContext


@dataclass(frozen=True)
class LaunchContext:
    """A worker's session bound to one client (or, for a team launch, to one team and no client:
    ``client_id`` empty) in one organisation unit, for one purpose."""

    session_id: str
    worker_id: str
    org_unit: str
    client_id: str
    purpose: str
    locale: str
    team_id: str = ""

    @property
    def is_team_launch(self) -> bool:
        return bool(self.team_id) and not self.client_id

    @property
    def is_unit_launch(self) -> bool:
        """A manager's launch for the unit's figures: no client, no team, no record access."""
        return not self.team_id and not self.client_id

    def for_team_client(self, client_id: str) -> LaunchContext:
        """The same session acting on one client of its team (audit rows name that client)."""
        return replace(self, client_id=client_id)

    def request_context(self) -> RequestContext:
        return RequestContext(
            worker_id=self.worker_id, org_unit=self.org_unit, purpose=self.purpose
        )
