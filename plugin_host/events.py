"""Record events: when a write is accepted, the plugins enabled in its unit hear of it (ids)."""

from __future__ import annotations

from plugin_host.api import RecordEvent
from plugin_host.launch.context import LaunchContext
from plugin_host.records import DocumentRef
from plugin_host.services import HostServices
from plugin_host.slots import enabled_plugins


def publish_saved(
    services: HostServices, launch: LaunchContext, writer: str, ref: DocumentRef
) -> None:
    """Tell every plugin enabled in the launch's unit that a document write was accepted."""
    event = RecordEvent(
        kind="document.accepted",
        client_id=launch.client_id,
        attributes={
            "document_id": ref.document_id,
            "document_type": ref.document_type,
            "version": ref.version,
            "plugin": writer,
            "write_id": ref.write_id,
        },
    )
    listeners = enabled_plugins(services.registry, services.enablement, launch.org_unit)
    services.registry.call_each("record_event", only=listeners, event=event)
