"""The public plugin API: the only module a plugin imports from the host.

Everything here is covered by the API version below; anything else in ``plugin_host`` may change
without notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy
from flask import g
from flask_babel import (
    format_date,
    format_datetime,
    get_timezone,
    gettext,
    lazy_gettext,
    ngettext,
)

from plugin_host.hookspecs import PROJECT_NAME
from plugin_host.launch.context import LaunchContext
from plugin_host.payloads import PayloadInvalid, load_payload
from plugin_host.plugin_context import current_plugin
from plugin_host.plugin_state import StateConflict, StateEntry
from plugin_host.records import (
    AccessDecision,
    Client,
    Document,
    DocumentList,
    DocumentRef,
    Family,
    FamilyMember,
    RecordAccessDenied,
    RecordNotFound,
    RecordSystemError,
    RecordTimeout,
    RecordUnavailable,
    RecordValidationFailed,
    Team,
    TeamMember,
    VersionConflict,
)
from plugin_host.scopes import ScopeDenied
from plugin_host.xml_safety import XmlRejected, parse_untrusted_xml

if TYPE_CHECKING:
    from plugin_host.gateway import RecordGateway
    from plugin_host.plugin_state import PluginState
    from plugin_host.team_gateway import TeamGateway

API_VERSION = "1.1"  # 1.1: team launches, team_gateway(), plugin_state(), plugin_settings()

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@dataclass(frozen=True)
class SlotView:
    """A view offered for a record-system slot; ``endpoint`` is in the plugin's blueprint."""

    view_id: str
    slot: str
    endpoint: str
    title: dict[str, str]


@dataclass(frozen=True)
class Card:
    """A summary card for the launched client (CDS-Hooks-like); indicator info|warning|critical."""

    summary: str
    indicator: str = "info"
    detail: str = ""
    link_endpoint: str | None = None


@dataclass(frozen=True)
class RecordEvent:
    """Something that happened to a client's record, e.g. ``document.saved`` (ids only)."""

    kind: str
    client_id: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ArchiveForm:
    """A document as the national archive (Kanta) takes it: its specific document type code
    (code system 1.2.246.537.6.1506.201701, e.g. ``19013`` other client-record entry), the
    display form as an XHTML fragment (the content of ``<body>``) rendered from the same data,
    and the structured form (JSON) per the content specification named in the code tables."""

    type_code: str
    display_xhtml: str
    structured: dict[str, Any]


def current_launch() -> LaunchContext:
    """The launch this request belongs to: worker, unit, client, purpose and locale."""
    return g.launch


def gateway() -> RecordGateway:
    """The record gateway for the calling plugin and this launch (scopes and client enforced)."""
    from plugin_host.gateway import gateway_for_request

    return gateway_for_request(plugin_name=current_plugin())


def team_gateway() -> TeamGateway:
    """For a team launch: the team's listing and a record gateway per client on it (audited)."""
    from plugin_host.team_gateway import team_gateway_for_request

    return team_gateway_for_request(plugin_name=current_plugin())


def plugin_settings() -> dict[str, Any]:
    """The calling plugin's settings (``[plugins.<name>]``, checked by its settings schema)."""
    from plugin_host.services import host_services

    return host_services().plugin_settings.get(current_plugin(), {})


def view_available(plugin: str, view_id: str) -> bool:
    """Whether another plugin's view is enabled for this launch's unit (to link to it)."""
    from plugin_host.services import host_services
    from plugin_host.slots import find_view

    services = host_services()
    launch = current_launch()
    return (
        find_view(services.registry, services.enablement, launch.org_unit, plugin, view_id)
        is not None
    )


def plugin_state() -> PluginState:
    """The calling plugin's own working state, as far as this launch (client or team) may see."""
    from plugin_host.plugin_state import plugin_state_for_request

    return plugin_state_for_request(plugin_name=current_plugin())


__all__ = [
    "API_VERSION",
    "AccessDecision",
    "ArchiveForm",
    "Card",
    "Client",
    "Document",
    "DocumentList",
    "DocumentRef",
    "Family",
    "FamilyMember",
    "LaunchContext",
    "PayloadInvalid",
    "RecordAccessDenied",
    "RecordEvent",
    "RecordNotFound",
    "RecordSystemError",
    "RecordTimeout",
    "RecordUnavailable",
    "RecordValidationFailed",
    "ScopeDenied",
    "SlotView",
    "StateConflict",
    "StateEntry",
    "Team",
    "TeamMember",
    "VersionConflict",
    "XmlRejected",
    "current_launch",
    "format_date",
    "format_datetime",
    "gateway",
    "get_timezone",
    "gettext",
    "hookimpl",
    "lazy_gettext",
    "load_payload",
    "ngettext",
    "parse_untrusted_xml",
    "plugin_settings",
    "plugin_state",
    "team_gateway",
    "view_available",
]
