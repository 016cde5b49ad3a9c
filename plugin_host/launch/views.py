"""``/launch``: the record system opens a plugin view here with a signed token."""

from __future__ import annotations

import logging
from dataclasses import replace

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from plugin_host.audit import AuditRecord
from plugin_host.clock import utcnow
from plugin_host.launch.context import LaunchContext
from plugin_host.launch.sessions import (
    consume_token_id,
    open_launches,
    open_session,
    remember_launch,
)
from plugin_host.launch.tokens import LaunchRejected, verify_launch_token
from plugin_host.records import RecordAccessDenied, RecordSystemError
from plugin_host.respondent.views import clear_kiosk_lock
from plugin_host.services import host_services
from plugin_host.slots import LAUNCH_SLOTS, TEAM_SLOT, UNIT_SLOT, find_view

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
        # A view opens only by its kind of launch: team, unit, or client.
        kind = TEAM_SLOT if claims.team_id else "" if claims.client_id else UNIT_SLOT
        if view is None or (view.slot if view.slot in LAUNCH_SLOTS else "") != kind:
            abort(404)
        target = view.endpoint

    # The record system has the last word on access; no session opens before it agrees.
    g.launch = claims.as_context()
    _require_record_access(claims.client_id, claims.team_id)
    detail = f"{claims.view} team {claims.team_id}" if claims.team_id else claims.view
    if not claims.client_id and not claims.team_id:
        detail = f"{claims.view} unit {claims.org_unit}"
    response = _open_and_redirect(claims.as_context(), target, detail)
    # A new signed launch means the worker has the device back from a family member (kiosk).
    clear_kiosk_lock(response)
    return response


@bp.get("/t/<team_id>/open/<plugin>/<view_id>")
def open_from_team(plugin: str, view_id: str) -> Response:
    """From a team launch (the weekly meeting), open a client view of one of the team's clients
    (the family's genogram): a client launch of its own, after the same access check. The client
    is named in the query (``?client=``), which the access log drops: no client id in a path.

    ``team_id`` is bound to the team launch by ``binding`` before this runs."""
    services = host_services()
    team_launch: LaunchContext = g.launch
    client_id = request.args.get("client", "")
    view = find_view(services.registry, services.enablement, team_launch.org_unit, plugin, view_id)
    if view is None or view.slot in LAUNCH_SLOTS:
        abort(404)
    client_launch = replace(team_launch, client_id=client_id, team_id="")
    g.launch = client_launch
    try:
        team = services.record_system.get_team(team_launch.request_context(), team_launch.team_id)
    except RecordSystemError as exc:
        _audit_launch("error", type(exc).__name__)
        raise
    if client_id not in {c.client_id for c in team.clients}:
        _audit_launch("denied", "not a client of the launched team")
        abort(403)
    _require_record_access(client_id, "")
    # A client opened again (family after family in a meeting) reuses its launch: new ones would
    # push the team's own launch out of the browser's open launches.
    reused = next(
        (
            item
            for item in open_launches(services.database)
            if item.client_id == client_id
            and (item.worker_id, item.org_unit, item.purpose)
            == (team_launch.worker_id, team_launch.org_unit, team_launch.purpose)
        ),
        None,
    )
    # Only the meeting it is opened from passes on (the genogram links its version to it).
    passed = {"meeting": request.args["meeting"][:64]} if request.args.get("meeting") else {}
    if reused is not None:
        g.launch = reused
        _audit_launch("success", f"{plugin}/{view_id} from team {team_launch.team_id}, reused")
        return redirect(url_for(view.endpoint, **passed), code=303)
    return _open_and_redirect(
        client_launch, view.endpoint, f"{plugin}/{view_id} from team {team_launch.team_id}", passed
    )


def _require_record_access(client_id: str, team_id: str) -> None:
    """Ask the record system: may this worker open the client (or is the worker in the team)?

    A unit launch (neither) reads aggregate figures only: the record system's signature on the
    token is its word, and nothing of any client is reached through it."""
    if not client_id and not team_id:
        return
    services = host_services()
    ctx = g.launch.request_context()
    try:
        if team_id:
            # The record system answers a team's listing only to its members.
            services.record_system.get_team(ctx, team_id)
            return
        decision = services.record_system.check_access(ctx, client_id)
    except RecordAccessDenied:
        _audit_launch("denied", "record system refused access")
        abort(403)
    except RecordSystemError as exc:
        _audit_launch("error", type(exc).__name__)
        raise
    if not decision.allowed:
        _audit_launch("denied", "record system refused access")
        abort(403)


def _open_and_redirect(
    launch: LaunchContext, endpoint: str, detail: str | None, args: dict[str, str] | None = None
) -> Response:
    services = host_services()
    still_open = open_launches(services.database)
    g.launch = open_session(services.database, launch, services.config.session_hours)
    _audit_launch("success", detail)
    response = redirect(url_for(endpoint, **(args or {})), code=303)
    remember_launch(response, g.launch, still_open, services.config.session_hours)
    return response


def _audit_launch(outcome: str, detail: str | None) -> None:
    host_services().audit.record(
        g.launch,
        AuditRecord(plugin=HOST_PLUGIN, operation="launch", outcome=outcome, detail=detail),
    )
