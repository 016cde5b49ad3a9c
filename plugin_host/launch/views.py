"""``/launch``: the record system opens a plugin view here with a signed token."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from plugin_host.audit import AuditRecord
from plugin_host.clock import utcnow
from plugin_host.launch.sessions import (
    consume_token_id,
    open_launches,
    open_session,
    remember_launch,
)
from plugin_host.launch.tokens import LaunchRejected, verify_launch_token
from plugin_host.records import RecordSystemError
from plugin_host.services import host_services
from plugin_host.slots import find_view

bp = Blueprint("launch", __name__)
log = logging.getLogger(__name__)

HOST_PLUGIN = "host"


@bp.route("/launch", methods=["GET", "POST"])
def launch() -> Response | tuple[str, int]:
    services = host_services()
    token = request.values.get("token", "")
    try:
        claims = verify_launch_token(token, services.config, utcnow())
        if not consume_token_id(services.database, claims):
            raise LaunchRejected("replayed")
    except LaunchRejected as rejected:
        log.warning("launch refused: %s", rejected.reason)  # never the token itself
        return render_template("host/launch_refused.html", reason=rejected.reason), 401

    target = "host_home.client_home"
    if claims.view:
        plugin, view_id = claims.view.split("/", 1)
        view = find_view(services.registry, services.enablement, claims.org_unit, plugin, view_id)
        if view is None:
            abort(404)
        target = view.endpoint

    # The record system has the last word on access; no session opens before it agrees.
    g.launch = claims.as_context()
    try:
        decision = services.record_system.check_access(g.launch.request_context(), claims.client_id)
    except RecordSystemError as exc:
        _audit_launch("error", type(exc).__name__)
        raise
    if not decision.allowed:
        _audit_launch("denied", "record system refused access")
        abort(403)
    still_open = open_launches(services.database)
    g.launch = open_session(services.database, claims, services.config.session_hours)
    _audit_launch("success", claims.view)
    response = redirect(url_for(target), code=303)
    remember_launch(response, g.launch, still_open, services.config.session_hours)
    return response


def _audit_launch(outcome: str, detail: str | None) -> None:
    host_services().audit.record(
        g.launch,
        AuditRecord(plugin=HOST_PLUGIN, operation="launch", outcome=outcome, detail=detail),
    )
