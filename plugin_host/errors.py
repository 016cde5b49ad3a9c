"""Error pages in the user's language; a failing plugin becomes a labelled placeholder."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from plugin_host.payloads import PayloadInvalid
from plugin_host.plugin_context import plugin_of_blueprint
from plugin_host.plugin_state import StateConflict
from plugin_host.records import (
    RecordAccessDenied,
    RecordNotFound,
    RecordSystemError,
    RecordUnavailable,
)
from plugin_host.scopes import ScopeDenied
from plugin_host.services import host_services


def _plugin_title() -> str | None:
    """The title of the plugin whose view is running, if a plugin's view is running."""
    name = plugin_of_blueprint(request.blueprint)
    manifest = host_services().registry.manifest(name)
    if manifest is None or manifest.internal:
        return None
    from flask_babel import get_locale

    return manifest.localized_title(str(get_locale() or "fi"))


def _page(status: int, plugin_title: str | None = None, **context) -> tuple[str, int]:
    return render_template(
        "host/error.html", status=status, plugin_title=plugin_title, **context
    ), status


def handle_http(error: HTTPException) -> tuple[str, int]:
    return _page(error.code or 500, _plugin_title())


def handle_payload(error: PayloadInvalid) -> tuple[str, int]:
    problems = {field: [gettext(m) for m in messages] for field, messages in error.errors.items()}
    return _page(400, _plugin_title(), problems=problems)


def handle_scope(error: ScopeDenied) -> tuple[str, int]:
    return _page(403, _plugin_title(), scope=error.scope)


def handle_state_conflict(_error: StateConflict) -> tuple[str, int]:
    """Two people saved the same thing at once: the later one is told, nothing is overwritten."""
    return _page(409, _plugin_title(), state_conflict=True)


def handle_record_error(error: RecordSystemError) -> tuple[str, int]:
    if isinstance(error, RecordAccessDenied):
        return _page(403, _plugin_title())
    if isinstance(error, RecordNotFound):
        return _page(404, _plugin_title())
    if isinstance(error, RecordUnavailable):
        return _page(503, _plugin_title(), record_system_down=True)
    return _page(502, _plugin_title(), record_system_down=True)


def handle_unexpected(error: Exception) -> tuple[str, int]:
    """A plugin view that raises: count it, log it without its message, show a placeholder."""
    name = plugin_of_blueprint(request.blueprint)
    host_services().registry.record_failure(name or "host", "view", error)
    return _page(500, _plugin_title(), placeholder=True)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(PayloadInvalid, handle_payload)
    app.register_error_handler(ScopeDenied, handle_scope)
    app.register_error_handler(RecordSystemError, handle_record_error)
    app.register_error_handler(StateConflict, handle_state_conflict)
    app.register_error_handler(Exception, handle_unexpected)
