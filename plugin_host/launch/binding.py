"""Every request that names a client (or a team) must belong to a launch for that client (team).

Routes carrying ``<client_id>`` (the host's and every plugin's, mounted under
``/c/<client_id>/p/<plugin>``) or ``<team_id>`` (team views under ``/t/<team_id>/p/<plugin>``)
are checked here before any view runs: no launch at all is 401, a launch for another client or
team is 403, a plugin not enabled in the launch's unit is 403, and an unsafe method needs the
launch's CSRF token. A browser handed to a family member in kiosk mode (``plugin_host.respondent``)
gets 403 and the locked page on all of them, whatever launches it holds.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Flask, abort, current_app, g, request

from plugin_host.launch.sessions import csrf_token_for, open_launches
from plugin_host.plugin_context import plugin_of_blueprint
from plugin_host.respondent import binding as respondent_binding
from plugin_host.services import host_services

CLIENT_ARG = "client_id"
TEAM_ARG = "team_id"
UNIT_ARG = "unit_id"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bind_client(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if not values or not ({CLIENT_ARG, TEAM_ARG, UNIT_ARG} & values.keys()):
        return
    respondent_binding.refuse_if_locked()
    services = host_services()
    launches = open_launches(services.database)
    if not launches:
        abort(401)
    if CLIENT_ARG in values:
        client_id = values.pop(CLIENT_ARG)
        for_client = [item for item in launches if item.client_id == client_id]
    elif TEAM_ARG in values:
        team_id = values.pop(TEAM_ARG)
        for_client = [item for item in launches if item.is_team_launch and item.team_id == team_id]
    else:
        unit = values.pop(UNIT_ARG)
        for_client = [item for item in launches if item.is_unit_launch and item.org_unit == unit]
    if not for_client:
        abort(403)
    if request.method in SAFE_METHODS:
        launch = for_client[0]
    else:
        # The launch whose token the page carries: several frames of one record page open
        # launches for the same client at once, and a page keeps the token it was served with.
        sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER, "")
        launch = next(
            (
                item
                for item in for_client
                if hmac.compare_digest(sent, csrf_token_for(item, current_app.secret_key))
            ),
            None,
        )
        if launch is None:
            abort(403)
    g.launch = launch
    plugin = plugin_of_blueprint(request.blueprint)
    installed = services.registry.plugins.get(plugin)
    if installed is not None and installed.manifest and not installed.manifest.internal:
        if not services.enablement.grants(plugin).enabled_for(launch.org_unit):
            abort(403)


def add_client(endpoint: str, values: dict[str, Any]) -> None:
    """Let ``url_for`` fill in the launched client (team) so plugins never handle their ids."""
    launch = g.get("launch")
    if launch is None:
        return
    unit = launch.org_unit if launch.is_unit_launch else ""
    for arg, value in (
        (CLIENT_ARG, launch.client_id),
        (TEAM_ARG, launch.team_id),
        (UNIT_ARG, unit),
    ):
        if value and arg not in values and current_app.url_map.is_endpoint_expecting(endpoint, arg):
            values[arg] = value


def csrf_token() -> str:
    """The form token of this request's launch, or of its respondent session."""
    launch = g.get("launch")
    if launch is not None:
        return csrf_token_for(launch, current_app.secret_key)
    return respondent_binding.respondent_csrf_token()


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(bind_client)
    app.url_defaults(add_client)
    app.add_template_global(csrf_token)
    respondent_binding.init_app(app)
