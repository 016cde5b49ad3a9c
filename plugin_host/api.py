"""The public plugin API: the only module a plugin imports from the host.

Everything here is covered by the API version below; anything else in ``plugin_host`` may change
without notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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
from markupsafe import Markup

from plugin_host.hookspecs import PROJECT_NAME
from plugin_host.launch.context import LaunchContext
from plugin_host.payloads import FieldErrors, PayloadInvalid, load_payload
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
from plugin_host.respondent.links import RespondentContext, WaitingLink
from plugin_host.scopes import ScopeDenied
from plugin_host.statistics import Cell, Statistics
from plugin_host.suppression import (
    LinearFigure,
    Shown,
    SuppressedTable,
    Table,
    check_no_disclosure,
    protect,
    suppress,
    suppress_partition,
)
from plugin_host.xml_safety import XmlRejected, parse_untrusted_xml

if TYPE_CHECKING:
    from plugin_host.gateway import RecordGateway
    from plugin_host.plugin_state import PluginState
    from plugin_host.team_gateway import TeamGateway

# 1.1: team launches, team_gateway(), plugin_state(), plugin_settings()
# 1.2: respondent links (issue_respondent_link, current_respondent, respondent_gateway, ...)
# 1.3: the hook client_blueprint (plugin_blueprint deprecated: it warns, removed in 2.0)
API_VERSION = "1.4"

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


@dataclass(frozen=True)
class RespondentLink:
    """A one-time link for a family member: ``url`` (absolute) to send, show or turn into a QR
    code; ``token`` is in it and is shown this once (the host keeps only its hash)."""

    url: str
    token: str
    link_id: str
    expires_at: datetime
    kiosk: bool


def current_locale() -> str:
    """The language of this request's pages: fi, sv or en."""
    from flask_babel import get_locale

    return str(get_locale() or "fi")


def current_launch() -> LaunchContext:
    """The launch this request belongs to: worker, unit, client, purpose and locale."""
    launch = g.get("launch")
    if launch is None:
        raise RecordAccessDenied("no launch in this request")
    return launch


def gateway() -> RecordGateway:
    """The record gateway for the calling plugin and this launch (scopes and client enforced)."""
    from plugin_host.gateway import gateway_for_request

    return gateway_for_request(plugin_name=current_plugin())


def team_gateway() -> TeamGateway:
    """For a team launch: the team's listing and a record gateway per client on it (audited)."""
    from plugin_host.team_gateway import team_gateway_for_request

    return team_gateway_for_request(plugin_name=current_plugin())


def plugin_settings() -> dict[str, Any]:
    """The calling plugin's settings, checked by its settings schema: ``[plugins.<name>]`` of
    the configuration with an admin's saved values laid over it (a change applies within
    seconds, without a restart)."""
    from plugin_host.services import host_services

    services = host_services()
    if services.settings is None:
        return services.plugin_settings.get(current_plugin(), {})
    return services.settings.effective(current_plugin())


def plugin_available(plugin: str) -> bool:
    """Whether another plugin is loaded and enabled in this launch's unit (to use its figures)."""
    from plugin_host.services import host_services
    from plugin_host.slots import enabled_plugins

    services = host_services()
    return plugin in enabled_plugins(
        services.registry, services.enablement, current_launch().org_unit
    )


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


def statistics() -> Statistics:
    """Anonymous statistics of the calling plugin in this launch's unit (any plugin's dataset
    may be read: figures are aggregates); publish them through ``suppress``."""
    from plugin_host.statistics import statistics_for_request

    return statistics_for_request(plugin_name=current_plugin())


def issue_respondent_link(
    endpoint: str,
    data: dict[str, Any],
    *,
    minutes_valid: int = 60 * 24 * 7,
    kiosk: bool = False,
) -> RespondentLink:
    """In a client launch: a one-time link to ``endpoint`` of the calling plugin's respondent
    blueprint for this client, valid for ``minutes_valid``; ``kiosk`` locks the browser that
    opens it (hand the worker's device over: open ``url`` in this same frame)."""
    from plugin_host.respondent.binding import issue_for_request

    issued, url = issue_for_request(endpoint, data, minutes_valid, kiosk)
    return RespondentLink(
        url=url,
        token=issued.token,
        link_id=issued.link_id,
        expires_at=issued.expires_at,
        kiosk=issued.kiosk,
    )


def waiting_respondent_links() -> list[WaitingLink]:
    """In a client launch: the calling plugin's links for this client that nobody has opened
    yet and that have not expired, newest first (with the ``data`` they were issued with)."""
    from plugin_host.respondent.binding import waiting_for_request

    return waiting_for_request()


def withdraw_respondent_link(link_id: str) -> bool:
    """In a client launch: withdraw one of those links (it expires now and never opens);
    False when this plugin has no such waiting link for this client. Audited."""
    from plugin_host.respondent.binding import withdraw_for_request

    return withdraw_for_request(link_id)


def current_respondent() -> RespondentContext:
    """In a respondent's request: the opened link (client, issuing worker, plugin, data)."""
    from plugin_host.respondent.binding import current

    return current()


def respondent_gateway() -> RecordGateway:
    """In a respondent's request: write new documents of the plugin's approved types; no reads."""
    from plugin_host.respondent.gateway import respondent_gateway_for_request

    return respondent_gateway_for_request()


def finish_respondent() -> None:
    """The respondent has answered: the session ends now and the link stays used."""
    from plugin_host.respondent.binding import finish

    finish()


def respondent_qr_svg(url: str) -> Markup:
    """An inline SVG QR code of ``url`` (a respondent link), with a title and a description for
    screen readers; safe to put in a template as it is."""
    import segno

    svg = segno.make(url, error="m").svg_inline(
        scale=4,
        border=4,
        light="#fff",
        title=gettext("QR code of the questionnaire link"),
        desc=gettext("Scan it with a phone camera to open the questionnaire."),
    )
    # segno escapes the title and description; the URL is in the drawing only, never as text.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704


__all__ = [
    "API_VERSION",
    "AccessDecision",
    "ArchiveForm",
    "Card",
    "Cell",
    "Client",
    "Document",
    "DocumentList",
    "DocumentRef",
    "Family",
    "FamilyMember",
    "FieldErrors",
    "LaunchContext",
    "LinearFigure",
    "PayloadInvalid",
    "RecordAccessDenied",
    "RecordEvent",
    "RecordNotFound",
    "RecordSystemError",
    "RecordTimeout",
    "RecordUnavailable",
    "RecordValidationFailed",
    "RespondentContext",
    "RespondentLink",
    "ScopeDenied",
    "Shown",
    "SlotView",
    "StateConflict",
    "StateEntry",
    "Statistics",
    "SuppressedTable",
    "Table",
    "Team",
    "TeamMember",
    "VersionConflict",
    "WaitingLink",
    "XmlRejected",
    "check_no_disclosure",
    "current_launch",
    "current_locale",
    "current_respondent",
    "finish_respondent",
    "format_date",
    "format_datetime",
    "gateway",
    "get_timezone",
    "gettext",
    "hookimpl",
    "issue_respondent_link",
    "lazy_gettext",
    "load_payload",
    "ngettext",
    "parse_untrusted_xml",
    "plugin_available",
    "plugin_settings",
    "plugin_state",
    "protect",
    "respondent_gateway",
    "respondent_qr_svg",
    "statistics",
    "suppress",
    "suppress_partition",
    "team_gateway",
    "view_available",
    "waiting_respondent_links",
    "withdraw_respondent_link",
]
