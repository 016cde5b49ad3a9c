"""Every request to a respondent blueprint needs an open respondent session for that plugin;
a kiosk browser stays locked out of the worker's routes.

A respondent route (``/r/p/<plugin>``, blueprint ``<plugin>_respondent``) is served only with the
``ph_respondent`` cookie of an open session (opened at most ``links.SESSION_MINUTES`` ago, not
finished) of a link for *that* plugin, while the plugin is enabled in the link's unit; else 401 (a
page in the browser's language). An unsafe method needs the session's CSRF token.

Kiosk: while the browser holds a ``ph_kiosk`` cookie that belongs to an opened kiosk link, every
client and team route answers 403 with the locked page (``launch.binding`` asks ``kiosk_locked``)
and a respondent route whose session has ended answers with the "give the device back" page. Only
a new signed ``/launch`` removes the cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Flask, abort, after_this_request, current_app, g, request, url_for
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from plugin_host.audit import AuditRecord
from plugin_host.launch.context import LaunchContext
from plugin_host.plugin_context import (
    RESPONDENT_BLUEPRINT_SUFFIX,
    blueprint_kind,
    current_plugin,
)
from plugin_host.records import RecordAccessDenied
from plugin_host.respondent import links
from plugin_host.respondent.links import RespondentContext
from plugin_host.respondent.views import (
    KIOSK_COOKIE,
    RESPONDENT_COOKIE,
    end_respondent_cookie,
    notice,
)
from plugin_host.services import host_services

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def kiosk_locked() -> bool:
    """Whether this browser is a kiosk handed to a family member (its lock cookie is genuine)."""
    lock = request.cookies.get(KIOSK_COOKIE, "")
    return bool(lock) and links.is_kiosk_lock(host_services().database, lock)


def refuse_if_locked() -> None:
    """For the worker's routes: a locked browser gets the locked page, nothing else."""
    if kiosk_locked():
        abort(notice("locked"))


def bind_respondent() -> None:
    plugin, kind = blueprint_kind(request.blueprint)
    if kind != RESPONDENT_BLUEPRINT_SUFFIX:
        return
    services = host_services()
    secret = request.cookies.get(RESPONDENT_COOKIE, "")
    found = links.session_for(services.database, secret)
    if found is None or found.state != links.OPEN or found.context.plugin != plugin:
        abort(notice("thanks" if kiosk_locked() else "no_session"))
    context = found.context
    installed = services.registry.plugins.get(plugin)
    if installed is None or installed.manifest is None:
        abort(notice("unavailable"))
    if not installed.manifest.internal and not services.enablement.grants(plugin).enabled_for(
        context.org_unit
    ):
        abort(notice("unavailable"))
    if request.method not in SAFE_METHODS:
        sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, _csrf_for(secret)):
            abort(403)
    g.respondent = context
    g.respondent_secret = secret


def respondent_csrf_token() -> str:
    """The form token of this request's respondent session ("" outside one)."""
    secret = g.get("respondent_secret")
    return _csrf_for(secret) if secret else ""


def _csrf_for(secret: str) -> str:
    message = b"respondent:" + secret.encode()
    return hmac.new(current_app.secret_key.encode(), message, hashlib.sha256).hexdigest()


# --- what plugin_host.api offers --------------------------------------------------------------


def issue_for_request(
    endpoint: str, data: dict[str, Any], minutes_valid: int, kiosk: bool
) -> tuple[links.IssuedLink, str]:
    """Issue a link in the current client launch for the calling plugin; the link and its URL."""
    launch = _client_launch()
    plugin = current_plugin()
    own = plugin + RESPONDENT_BLUEPRINT_SUFFIX
    if not isinstance(endpoint, str) or endpoint.split(".")[0] != own:
        raise ValueError(f"the endpoint must be in the blueprint {own}")
    try:
        url_for(endpoint)
    except BuildError:
        raise ValueError(f"no route {endpoint} without arguments") from None
    services = host_services()
    issued = links.issue(services.database, launch, plugin, endpoint, data, minutes_valid, kiosk)
    services.audit.record(
        launch,
        AuditRecord(
            plugin=plugin,
            operation="respondent.issue",
            outcome="success",
            detail=f"respondent link {issued.link_id}" + (", kiosk" if issued.kiosk else ""),
        ),
    )
    url = f"{services.config.public_url.rstrip('/')}/r/{issued.token}"
    return issued, url


def waiting_for_request() -> list[links.WaitingLink]:
    """The calling plugin's unopened links for the current client launch's client."""
    launch = _client_launch()
    return links.waiting(host_services().database, launch.client_id, current_plugin())


def withdraw_for_request(link_id: str) -> bool:
    """Withdraw one of the calling plugin's unopened links for this client; audited either way."""
    launch = _client_launch()
    plugin = current_plugin()
    services = host_services()
    withdrawn = isinstance(link_id, str) and links.withdraw(
        services.database, link_id, launch.client_id, plugin
    )
    services.audit.record(
        launch,
        AuditRecord(
            plugin=plugin,
            operation="respondent.withdraw",
            outcome="success" if withdrawn else "denied",
            # An id the client has no waiting link under is not repeated into the log.
            detail=f"respondent link {link_id}" if withdrawn else "no such waiting link",
        ),
    )
    return withdrawn


def _client_launch() -> LaunchContext:
    launch: LaunchContext | None = g.get("launch")
    if launch is None or launch.is_team_launch or not launch.client_id:
        raise RecordAccessDenied("respondent links belong to a client launch")
    return launch


def current() -> RespondentContext:
    context = g.get("respondent")
    if context is None:
        raise RecordAccessDenied("not a respondent's request")
    return context


def finish() -> None:
    """The answer is given: the session ends now (the link stays used)."""
    context = current()
    if g.get("respondent_finished"):
        return
    services = host_services()
    links.finish(services.database, context.link_id)
    g.respondent_finished = True
    services.audit.record(
        context.as_launch(),
        AuditRecord(
            plugin=context.plugin,
            operation="respondent.finish",
            outcome="success",
            detail=f"respondent link {context.link_id}",
        ),
    )

    @after_this_request
    def _forget(response: Response) -> Response:
        return end_respondent_cookie(response)


def init_app(app: Flask) -> None:
    app.before_request(bind_respondent)
