"""``/-/admin/outbox``: the outbox for admins; the same actions as ``plugin-host outbox``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from plugin_host import __version__
from plugin_host.admin_auth import admin_form_token, admin_required
from plugin_host.api import hookimpl
from plugin_host.outbox import admin as outbox_admin
from plugin_host.services import host_services

bp = Blueprint("host_admin_outbox", __name__, url_prefix="/-/admin/outbox")


@hookimpl
def plugin_manifest() -> dict[str, Any]:
    return {
        "name": "host_admin_outbox",
        "version": __version__,
        "title": {"fi": "Lähtevät tallennukset", "sv": "Utgående sparanden", "en": "Outbox"},
        "requires_host": f"=={__version__}",
        "internal": True,
    }


@hookimpl
def client_blueprint() -> Blueprint:
    return bp


@bp.get("/")
@admin_required
def overview() -> str:
    services = host_services()
    status = request.args.get("status") or None
    with services.database.transaction() as session:
        summary = outbox_admin.summary(session)
        rows = [outbox_admin.describe(r) for r in outbox_admin.list_writes(session, status, 200)]
    return render_template(
        "host/admin_outbox.html",
        summary=summary,
        rows=rows,
        breaker=services.outbox.deliverer.breaker.current_state,
        form_token=admin_form_token(),
        problem=request.args.get("problem"),
    )


@bp.post("/<write_id>/retry")
@admin_required
def retry(write_id: str) -> Response:
    return _act(lambda session: outbox_admin.retry(session, write_id))


@bp.post("/<write_id>/discard")
@admin_required
def discard(write_id: str) -> Response:
    reason = request.form.get("reason", "")
    return _act(lambda session: outbox_admin.discard(session, write_id, reason, g.admin))


def _act(action) -> Response:
    services = host_services()
    try:
        with services.database.transaction() as session:
            action(session)
    except outbox_admin.OutboxAdminError as exc:
        return redirect(url_for(".overview", problem=str(exc)), code=303)
    services.outbox.wake()
    return redirect(url_for(".overview"), code=303)
