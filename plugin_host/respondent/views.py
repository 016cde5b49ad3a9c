"""``/r/<token>``: a family member opens a one-time link; and the pages a respondent may see.

Unknown token: 404. Expired or already opened: 410. A GET only shows a page with a button: mail
scanners and chat previews fetch links with GET, and must not use a link up before the family
member sees it. The button's POST opens the link (the first open consumes it, whatever happens
after): a respondent session starts (its secret in the ``ph_respondent`` cookie) and the browser
goes on to the plugin's respondent page. A kiosk link
(the worker's own device handed over) also locks the browser: see ``binding``.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import lazy_gettext
from sqlalchemy import delete
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from plugin_host.audit import AuditRecord
from plugin_host.clock import utcnow
from plugin_host.launch.sessions import COOKIE_PREFIX, open_launches
from plugin_host.respondent import links
from plugin_host.services import host_services
from plugin_host.storage.models import LaunchSession

bp = Blueprint("respondent", __name__)
log = logging.getLogger(__name__)

RESPONDENT_COOKIE = "ph_respondent"
RESPONDENT_COOKIE_PATH = "/r/"  # the respondent's pages only
KIOSK_COOKIE = "ph_kiosk"
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")

HEADINGS = {
    "unknown": lazy_gettext("Link not found"),
    "expired": lazy_gettext("This link has expired"),
    "used": lazy_gettext("This link has already been used"),
    "no_session": lazy_gettext("The questionnaire is not open"),
    "unavailable": lazy_gettext("This questionnaire is not available"),
    "locked": lazy_gettext("This device is in questionnaire mode. Give it back to the worker."),
    "thanks": lazy_gettext("Thank you — please give the device back to the worker"),
    "ready": lazy_gettext("A questionnaire for you"),
}
STATUS = {
    "unknown": 404,
    "expired": 410,
    "used": 410,
    "no_session": 401,
    "unavailable": 404,
    "locked": 403,
    "thanks": 403,
    "ready": 200,
}


def notice(state: str) -> Response:
    """A respondent's page: no navigation, nothing of the record, in the browser's language."""
    page = render_template("host/respondent.html", state=state, heading=HEADINGS[state])
    return current_app.make_response((page, STATUS[state]))


@bp.route("/r/<token>", methods=["GET", "POST"])
def open_link(token: str) -> Response:
    services = host_services()
    if not TOKEN_SHAPE.match(token):
        return notice("unknown")
    row, context = links.find(services.database, token)
    try:
        links.check_openable(row, utcnow())
        target = _target(row.endpoint, context)
        if request.method == "HEAD":
            return current_app.make_response(("", 204))
        if target is None:
            # Not consumed: the plugin is switched off (or gone) in the link's unit.
            _audit(context, "respondent.open", "denied", "plugin not available")
            return notice("unavailable")
        if request.method == "GET":
            return notice("ready")
        opened = links.open_link(services.database, token)
    except links.LinkRefused as refused:
        log.info("respondent link refused: %s", refused.reason)  # never the token itself
        if refused.context is not None:
            _audit(refused.context, "respondent.open", "denied", refused.reason)
        return notice(refused.reason)
    _audit(opened.context, "respondent.open", "success", "kiosk" if opened.context.kiosk else None)
    response = current_app.redirect(target, code=303)
    _set_cookie(
        response,
        RESPONDENT_COOKIE,
        opened.session_secret,
        links.SESSION_MINUTES * 60,
        RESPONDENT_COOKIE_PATH,
    )
    if opened.context.kiosk:
        lock_browser(response, opened.session_secret)
    return response


def lock_browser(response: Response, lock_secret: str) -> None:
    """Kiosk: this browser's launches end (server side and cookie) and the lock cookie is set.

    The lock holds the respondent session's secret: its hash is the link row's ``session_hash``,
    so a lock cookie counts only when it belongs to a kiosk link that was really opened."""
    services = host_services()
    ended = [launch.session_id for launch in open_launches(services.database)]
    if ended:
        with services.database.transaction() as session:
            session.execute(delete(LaunchSession).where(LaunchSession.session_id.in_(ended)))
    for name in request.cookies:
        if name.startswith(COOKIE_PREFIX):
            _delete_cookie(response, name, "/")
    _set_cookie(response, KIOSK_COOKIE, lock_secret, int(services.config.session_hours * 3600), "/")


def clear_kiosk_lock(response: Response) -> None:
    """A new signed launch from the record system: the worker has the device back."""
    if KIOSK_COOKIE in request.cookies:
        _delete_cookie(response, KIOSK_COOKIE, "/")


def end_respondent_cookie(response: Response) -> Response:
    _delete_cookie(response, RESPONDENT_COOKIE, RESPONDENT_COOKIE_PATH)
    return response


def _target(endpoint: str, context: links.RespondentContext) -> str | None:
    services = host_services()
    installed = services.registry.plugins.get(context.plugin)
    if installed is None or not installed.loaded or installed.manifest is None:
        return None
    if not installed.manifest.internal and not services.enablement.grants(
        context.plugin
    ).enabled_for(context.org_unit):
        return None
    try:
        return url_for(endpoint)
    except BuildError:
        return None


def _audit(
    context: links.RespondentContext, operation: str, outcome: str, detail: str | None
) -> None:
    text = f"respondent link {context.link_id}" + (f", {detail}" if detail else "")
    host_services().audit.record(
        context.as_launch(),
        AuditRecord(plugin=context.plugin, operation=operation, outcome=outcome, detail=text),
    )


def _set_cookie(response: Response, name: str, value: str, max_age: int, path: str) -> None:
    config = current_app.config
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        secure=config["SESSION_COOKIE_SECURE"],
        samesite=config["SESSION_COOKIE_SAMESITE"],
        partitioned=config["SESSION_COOKIE_PARTITIONED"],
    )


def _delete_cookie(response: Response, name: str, path: str) -> None:
    config = current_app.config
    response.delete_cookie(
        name,
        path=path,
        secure=config["SESSION_COOKIE_SECURE"],
        samesite=config["SESSION_COOKIE_SAMESITE"],
        partitioned=config["SESSION_COOKIE_PARTITIONED"],
    )
