"""``/-/admin/``: the IT admin's console, the same actions as ``plugin-host plugins`` and
``plugin-host audit``.

Installed plugins (version, source, status, the reason when refused); per plugin the units where
it runs, enabling and disabling for a unit, the scopes it asks for against those approved (what
a new version asks for beyond the approval is *held back*: the gateway refuses it until
approved), its failures and its settings (a form made from its settings schema); and the audit
log, searched and exported as CSV or JSON. Every change and every look at the audit log writes an
audit row naming the admin.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_datetime, gettext, lazy_gettext

from plugin_host import __version__
from plugin_host.admin_actions import AdminActionError, AdminTools, unit_choices
from plugin_host.admin_auth import admin_form_token, admin_required
from plugin_host.api import current_locale, hookimpl
from plugin_host.audit_search import (
    COLUMNS,
    AuditFilter,
    csv_chunks,
    iter_rows,
    json_chunks,
    last_id,
    search,
)
from plugin_host.payloads import PayloadInvalid
from plugin_host.plugin_settings import (
    NO_VALUE,
    NotJson,
    SettingValue,
    coerce,
    setting_fields,
)
from plugin_host.services import host_services

NAME = "host_admin_console"
bp = Blueprint(NAME, __name__, url_prefix="/-/admin")

# Messages made here or in plugin_host.audit_search / plugin_settings, shown through gettext.
CONSOLE_MESSAGES = (
    lazy_gettext("No such setting."),
    lazy_gettext("Not valid JSON."),
    lazy_gettext("The end is before the start."),
    lazy_gettext("Longer than maximum length 200."),
    lazy_gettext("This plugin has no settings."),
)
DONE = {
    "enabled": lazy_gettext("Enabled for %(unit)s."),
    "disabled": lazy_gettext("Disabled for %(unit)s."),
    "approved": lazy_gettext("Approved: %(scopes)s."),
    "revoked": lazy_gettext("Approval withdrawn: %(scopes)s."),
    "settings": lazy_gettext("Settings saved. They apply within seconds, without a restart."),
}


@hookimpl
def plugin_manifest() -> dict[str, Any]:
    return {
        "name": NAME,
        "version": __version__,
        "title": {"fi": "Ylläpito", "sv": "Administration", "en": "Administration"},
        "requires_host": f"=={__version__}",
        "internal": True,
    }


@hookimpl
def client_blueprint() -> Blueprint:
    return bp


def _tools() -> AdminTools:
    services = host_services()
    return AdminTools(services.registry, services.enablement, services.audit, services.settings)


def _plugin_or_404(tools: AdminTools, name: str) -> dict[str, Any]:
    try:
        return tools.overview(name)
    except AdminActionError:
        abort(404)


def _title(info: dict[str, Any]) -> str:
    title = info.get("title") or {}
    return title.get(current_locale()) or title.get("fi") or info["name"]


@bp.app_template_global("admin_title")
def admin_title(info: dict[str, Any]) -> str:
    return _title(info)


# --- plugins ----------------------------------------------------------------------------------


@bp.get("/")
@admin_required
def console() -> str:
    tools = _tools()
    return render_template(
        "host/admin_console.html",
        plugins=tools.all_plugins(),
        form_token=admin_form_token(),
    )


@bp.get("/plugins/<name>")
@admin_required
def plugin(name: str) -> str:
    tools = _tools()
    return _plugin_page(tools, name)


def _plugin_page(tools: AdminTools, name: str, problem: str | None = None, status: int = 200):
    info = _plugin_or_404(tools, name)
    done = DONE.get(request.args.get("done", ""))
    notice = None
    if done is not None:
        notice = done % {
            "unit": request.args.get("unit", ""),
            "scopes": request.args.get("scopes", ""),
        }
    return (
        render_template(
            "host/admin_plugin.html",
            info=info,
            units=unit_choices(tools),
            form_token=admin_form_token(),
            notice=notice,
            problem=problem,
        ),
        status,
    )


@bp.post("/plugins/<name>/units")
@admin_required
def set_unit(name: str):
    tools = _tools()
    _plugin_or_404(tools, name)
    unit = request.form.get("org_unit", "").strip()
    action = request.form.get("action")
    if action not in ("enable", "disable"):
        abort(400)
    try:
        tools.set_enabled(name, unit, action == "enable", g.admin)
    except AdminActionError:
        problem = (
            gettext("Give an organisation unit.")
            if not unit or len(unit) > 100
            else gettext("A refused plugin cannot be enabled.")
        )
        return _plugin_page(tools, name, problem, 400)
    done = "enabled" if action == "enable" else "disabled"
    return redirect(url_for(".plugin", name=name, done=done, unit=unit), code=303)


@bp.post("/plugins/<name>/approve")
@admin_required
def approve(name: str):
    tools = _tools()
    _plugin_or_404(tools, name)
    try:
        chosen = tools.approve(name, request.form.getlist("scope"), g.admin)
    except AdminActionError:
        return _plugin_page(tools, name, gettext("This plugin does not ask for that."), 400)
    return redirect(
        url_for(".plugin", name=name, done="approved", scopes=", ".join(chosen)), code=303
    )


@bp.post("/plugins/<name>/revoke")
@admin_required
def revoke(name: str):
    tools = _tools()
    _plugin_or_404(tools, name)
    try:
        chosen = tools.revoke(name, request.form.getlist("scope"), g.admin)
    except AdminActionError:
        return _plugin_page(tools, name, gettext("That scope is not approved."), 400)
    return redirect(
        url_for(".plugin", name=name, done="revoked", scopes=", ".join(chosen)), code=303
    )


# --- settings ---------------------------------------------------------------------------------


def _as_text(setting: SettingValue) -> str:
    if setting.value is NO_VALUE or setting.value is None:
        return ""
    if setting.kind == "json":
        return json.dumps(setting.value, indent=2, ensure_ascii=False, default=str)
    if setting.kind == "boolean":
        return "true" if setting.value is True else ""
    return str(setting.value)


@bp.route("/plugins/<name>/settings", methods=["GET", "POST"])
@admin_required
def settings(name: str):
    tools = _tools()
    info = _plugin_or_404(tools, name)
    schema = tools.settings.schema_of(name)
    if schema is None or info["status"] != "loaded":
        abort(404)
    values = tools.settings.values(name)
    entered = {v.key: _as_text(v) for v in values}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        fields_ = setting_fields(schema)
        kinds = {v.key: v.kind for v in values}
        submitted: dict[str, Any] = {}
        for key, field in fields_.items():
            if kinds[key] == "boolean":  # a checkbox: absent when not ticked
                submitted[key] = request.form.get(key) == "true"
                entered[key] = "true" if submitted[key] else ""
                continue
            entered[key] = request.form.get(key, "")
            try:
                submitted[key] = coerce(field, entered[key])
            except NotJson:
                errors[key] = [gettext("Not valid JSON.")]
        if not errors:
            saved = tools.settings.saved(name).values
            overrides = tools.settings.overrides_from(name, submitted)
            try:
                if overrides != saved:
                    tools.save_settings(name, overrides, g.admin)
            except PayloadInvalid as exc:
                errors = _errors_by_field(exc.errors, set(fields_))
            else:
                return redirect(url_for(".plugin", name=name, done="settings"), code=303)
        status = 422
    saved = tools.settings.saved(name)
    return (
        render_template(
            "host/admin_settings.html",
            info=info,
            values=values,
            entered=entered,
            errors=errors,
            saved=saved,
            form_token=admin_form_token(),
        ),
        status,
    )


def _errors_by_field(flat: dict[str, list[str]], keys: set[str]) -> dict[str, list[str]]:
    """marshmallow's dotted paths onto the form's fields; a nested path keeps its inner part."""
    errors: dict[str, list[str]] = {}
    for path, messages in flat.items():
        head, _, rest = path.partition(".")
        field = head if head in keys else "_schema"
        for message in messages:
            text = gettext(message)
            errors.setdefault(field, []).append(f"{rest}: {text}" if rest else text)
    return errors


# --- the audit log ----------------------------------------------------------------------------


def _filter() -> tuple[AuditFilter, dict[str, list[str]]]:
    try:
        return AuditFilter.parse(request.args), {}
    except PayloadInvalid as exc:
        return AuditFilter(), {k: [gettext(m) for m in v] for k, v in exc.errors.items()}


@bp.get("/audit")
@admin_required
def audit() -> tuple[str, int]:
    services = host_services()
    audit_filter, errors = _filter()
    page = None
    if not errors:
        with services.database.transaction() as session:
            page = search(session, audit_filter, request.args.get("page", 1, type=int))
        for row in page.rows:  # in Finland's time, as the filter's days
            moment = datetime.fromisoformat(row["occurred_at"])
            row["occurred_at_local"] = format_datetime(moment, "yyyy-MM-dd HH:mm:ss")
        services.audit.record_admin(
            g.admin,
            NAME,
            "admin.audit_search",
            f"{audit_filter.describe()} page={page.page}",
            client_id=audit_filter.client or "",
        )
    return (
        render_template(
            "host/admin_audit.html",
            audit_filter=audit_filter,
            entered=request.args,
            errors=errors,
            page=page,
            columns=COLUMNS,
            params=audit_filter.as_params(),
        ),
        400 if errors else 200,
    )


@bp.get("/audit/export.<any(csv, json):extension>")
@admin_required
def audit_export(extension: str) -> Response:
    services = host_services()
    audit_filter, errors = _filter()
    if errors:
        abort(400)
    # The export holds the rows up to now; its own audit row (written next) is not in it.
    last = last_id(services.database)
    services.audit.record_admin(
        g.admin,
        NAME,
        "admin.audit_export",
        f"{audit_filter.describe()} format={extension}",
        client_id=audit_filter.client or "",
    )
    rows = iter_rows(services.database, audit_filter, up_to=last)
    if extension == "csv":
        body, mimetype = csv_chunks(rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = json_chunks(rows, audit_filter), "application/json"
    return Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{audit_filter.file_name(extension)}"',
            "Cache-Control": "no-store",
        },
    )
