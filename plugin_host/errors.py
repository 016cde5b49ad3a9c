"""Error pages in the user's language; a failing plugin becomes a labelled placeholder.

The same explanation goes out as RFC 9457 problem details (``application/problem+json``) to the
host's JSON API (the routes ``plugin_host.api_operations`` describes) and to any request that
asks for JSON rather than HTML (a plugin page's script sending ``Accept: application/json``).
"""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from plugin_host.api_operations import OPERATIONS
from plugin_host.api_schemas import ProblemSchema
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


PROBLEM_JSON = "application/problem+json"


def _wants_json() -> bool:
    """The host's JSON API (also a path under it that matches no route), or a request that
    prefers JSON to HTML."""
    if request.url_rule is not None and request.url_rule.endpoint in OPERATIONS:
        return True
    if request.url_rule is None and "/api/" in request.path:
        return True
    preferred = request.accept_mimetypes.best_match(("text/html", "application/json", PROBLEM_JSON))
    return preferred in ("application/json", PROBLEM_JSON)


def _explain(
    status: int,
    placeholder: bool = False,
    record_system_down: bool = False,
    scope: str | None = None,
    state_conflict: bool = False,
) -> tuple[str, str]:
    """The heading and the explanation of an error, in the request's language."""
    if placeholder:
        return gettext("This plugin is not available right now"), gettext(
            "The rest of the client record works normally. The failure has been logged for the "
            "administrator."
        )
    if record_system_down:
        return gettext("The client record system is not answering"), gettext(
            "Try again in a moment."
        )
    if scope:
        return gettext("This plugin lacks a permission"), gettext(
            "An administrator has not approved the permission %(scope)s for this plugin.",
            scope=scope,
        )
    if state_conflict:
        return gettext("Someone else saved this at the same time"), gettext(
            "Nothing was overwritten. Go back, reload the page to see their changes, and make "
            "yours again."
        )
    known = {
        400: (gettext("The information has errors"), ""),
        401: (gettext("No open session"), gettext("Open this view again from the client record.")),
        403: (
            gettext("No access"),
            gettext("You do not have access to this information in this view."),
        ),
        404: (gettext("Not found"), gettext("The page or document was not found.")),
    }
    return known.get(status, (gettext("Something went wrong"), gettext("Try again in a moment.")))


def _page(
    status: int,
    plugin_title: str | None = None,
    problems: dict[str, list[str]] | None = None,
    **context,
) -> tuple[str, int] | Response:
    heading, explanation = _explain(status, **context)
    if _wants_json():
        problem = {"type": "about:blank", "title": heading, "status": status, "detail": explanation}
        if problems:
            problem["errors"] = problems
        body = ProblemSchema().dumps(problem, ensure_ascii=False)
        return Response(body, status, mimetype=PROBLEM_JSON)
    page = render_template(
        "host/error.html",
        status=status,
        plugin_title=plugin_title,
        heading=heading,
        explanation=explanation,
        problems=problems or {},
    )
    return page, status


def handle_http(error: HTTPException) -> tuple[str, int] | Response:
    return _page(error.code or 500, _plugin_title())


def handle_payload(error: PayloadInvalid) -> tuple[str, int] | Response:
    problems = {field: [gettext(m) for m in messages] for field, messages in error.errors.items()}
    return _page(400, _plugin_title(), problems=problems)


def handle_scope(error: ScopeDenied) -> tuple[str, int] | Response:
    return _page(403, _plugin_title(), scope=error.scope)


def handle_state_conflict(_error: StateConflict) -> tuple[str, int] | Response:
    """Two people saved the same thing at once: the later one is told, nothing is overwritten."""
    return _page(409, _plugin_title(), state_conflict=True)


def handle_record_error(error: RecordSystemError) -> tuple[str, int] | Response:
    if isinstance(error, RecordAccessDenied):
        return _page(403, _plugin_title())
    if isinstance(error, RecordNotFound):
        return _page(404, _plugin_title())
    if isinstance(error, RecordUnavailable):
        return _page(503, _plugin_title(), record_system_down=True)
    return _page(502, _plugin_title(), record_system_down=True)


def handle_unexpected(error: Exception) -> tuple[str, int] | Response:
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
