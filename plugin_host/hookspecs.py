"""Every hook a plugin can implement. One line each: when it is called, what it returns.

Hooks grow only by optional arguments (pluggy passes an implementation just the arguments it
names); a breaking change gets a new hook name. Implement them with ``plugin_host.api.hookimpl``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from flask import Blueprint, Flask

    from plugin_host.api import ArchiveForm, Card, LaunchContext, RecordEvent, SlotView

PROJECT_NAME = "plugin_host"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


@hookspec
def plugin_manifest() -> dict[str, Any]:
    """Called once at load; returns this plugin's manifest (validated by ManifestSchema)."""


@hookspec
def client_blueprint() -> Blueprint | None:
    """Called once at start-up; returns the blueprint to mount under ``/c/<client_id>/p/<name>``."""


@hookspec(
    warn_on_impl=DeprecationWarning(
        "plugin_blueprint is deprecated since plugin API 1.3 and will be removed in 2.0: "
        "implement client_blueprint (same return value)"
    )
)
def plugin_blueprint() -> Blueprint | None:
    """Called once at start-up unless client_blueprint is implemented: its deprecated old name."""


@hookspec
def team_blueprint() -> Blueprint | None:
    """Called once at start-up; returns a blueprint named ``<name>_team`` for team launches."""


@hookspec
def respondent_blueprint() -> Blueprint | None:
    """Called once at start-up; returns a blueprint named ``<name>_respondent`` for link answers."""


@hookspec
def unit_blueprint() -> Blueprint | None:
    """Called once at start-up; returns a blueprint named ``<name>_unit`` for unit launches."""


@hookspec
def slot_views(slot: str, org_unit: str) -> list[SlotView]:
    """Called when the record system asks what a slot (tab/panel/action/team) shows; the views."""


@hookspec
def client_cards(launch: LaunchContext) -> list[Card]:
    """Called when a client's summary is shown; returns cards (CDS-Hooks-like) for that client."""


@hookspec
def document_types() -> list[dict[str, Any]]:
    """Called at start-up; returns the document types this plugin writes (type, schema, title)."""


@hookspec
def archive_form(document_type: str, content: dict[str, Any]) -> ArchiveForm | None:
    """Called when one of the plugin's documents goes to Kanta; returns its archive form or None."""


@hookspec
def record_event(event: RecordEvent) -> None:
    """Called when the gateway accepts a document write (ids only, no content); no result."""


@hookspec
def host_startup(app: Flask) -> None:
    """Called once after every plugin is mounted and before the first request; no result."""
