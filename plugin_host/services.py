"""The parts the app factory wires together, reachable from a request as ``host_services()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import current_app

from plugin_host.audit import AuditLog
from plugin_host.config import HostConfig
from plugin_host.document_types import DocumentTypes
from plugin_host.enablement import Enablement
from plugin_host.outbox.worker import OutboxWorker
from plugin_host.records import RecordSystem
from plugin_host.registry import PluginRegistry
from plugin_host.storage import Database

if TYPE_CHECKING:
    from plugin_host.archiving import Archiving
    from plugin_host.plugin_settings import PluginSettings

EXTENSION_KEY = "plugin_host"


@dataclass(frozen=True)
class HostServices:
    config: HostConfig
    database: Database
    registry: PluginRegistry
    enablement: Enablement
    audit: AuditLog
    record_system: RecordSystem
    document_types: DocumentTypes
    outbox: OutboxWorker
    archiving: Archiving | None = None  # None: no [kanta] section, nothing goes to the archive
    # The configuration file's settings as checked at start-up ...
    plugin_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    # ... and the effective ones (an admin's saved values laid over them), read through a cache.
    settings: PluginSettings | None = None


def host_services() -> HostServices:
    return current_app.extensions[EXTENSION_KEY]
