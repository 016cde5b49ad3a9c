"""What a verified launch establishes for the rest of the request."""

from __future__ import annotations

from dataclasses import dataclass

from plugin_host.records import RequestContext


@dataclass(frozen=True)
class LaunchContext:
    """A worker's session bound to one client in one organisation unit, for one purpose."""

    session_id: str
    worker_id: str
    org_unit: str
    client_id: str
    purpose: str
    locale: str

    def request_context(self) -> RequestContext:
        return RequestContext(
            worker_id=self.worker_id, org_unit=self.org_unit, purpose=self.purpose
        )
