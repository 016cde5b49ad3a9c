"""``plugin-host``: serve, demo, check the configuration, and manage plugins."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from plugin_host import __version__
from plugin_host.admin_actions import AdminActionError, AdminTools
from plugin_host.audit import AuditLog
from plugin_host.config import CONFIG_ENV, ConfigError, HostConfig, load_config
from plugin_host.enablement import ALL_UNITS, Enablement
from plugin_host.outbox import admin as outbox_admin
from plugin_host.payloads import PayloadInvalid
from plugin_host.plugin_settings import (
    NO_VALUE,
    NotJson,
    PluginSettings,
    coerce,
    collect_plugin_settings,
    setting_fields,
)
from plugin_host.registry import PluginRegistry
from plugin_host.storage import Database

config_option = click.option(
    "--config",
    "config_path",
    envvar=CONFIG_ENV,
    type=click.Path(dir_okay=False),
    help=f"Host configuration (TOML); defaults to ${CONFIG_ENV}.",
)


def _load(config_path: str | None) -> HostConfig:
    try:
        return load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _admin_parts(config_path: str | None) -> tuple[PluginRegistry, Enablement]:
    config = _load(config_path)
    database = Database(config.database_url)
    database.upgrade()
    registry = PluginRegistry(__version__, config.hook_budget_seconds)
    registry.discover()
    return registry, Enablement(database)


def _tools(config_path: str | None) -> AdminTools:
    """The admin's actions as the console has them, audited alike."""
    config = _load(config_path)
    database = Database(config.database_url)
    database.upgrade()
    registry = PluginRegistry(__version__, config.hook_budget_seconds)
    registry.discover()
    return AdminTools(
        registry,
        Enablement(database),
        AuditLog(database),
        PluginSettings(registry, config.plugin_settings, database),
    )


def _act(step):
    try:
        return step()
    except AdminActionError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
@click.version_option(__version__)
def main() -> None:
    """Plugin host for systemic child-protection practice."""


@main.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Processes; more than one serves with gunicorn.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    help="Request threads per gunicorn worker [default: 8].",
)
@click.option(
    "--server",
    type=click.Choice(["werkzeug", "gunicorn"]),
    help="Default: werkzeug for one worker, gunicorn for more.",
)
def serve(
    config_path: str | None,
    host: str,
    port: int,
    workers: int,
    threads: int | None,
    server: str | None,
) -> None:
    """Serve the host (Werkzeug's threaded server, or gunicorn with several workers)."""
    server = server or ("gunicorn" if workers > 1 else "werkzeug")
    config = _load(config_path)
    if server == "werkzeug":
        if workers > 1 or threads is not None:
            raise click.UsageError("--workers above 1 and --threads need --server gunicorn")
        from plugin_host.app import create_app
        from plugin_host.serving import serve as serve_app

        try:
            app = create_app(config)
        except ConfigError as exc:  # a plugin's settings, checked once plugins are loaded
            raise click.ClickException(str(exc)) from None
        serve_app(app, host, port)
        return

    from plugin_host.gunicorn_app import DEFAULT_THREADS
    from plugin_host.gunicorn_app import serve as serve_gunicorn

    # Migrate once here, before the fork: workers starting together must not race on it.
    database = Database(config.database_url)
    database.upgrade()
    database.engine.dispose()
    # Each worker reads the configuration again after the fork (the same file, made absolute).
    path = str(Path(config_path).resolve()) if config_path else None
    serve_gunicorn(path, host, port, workers, threads or DEFAULT_THREADS)


@main.command()
@click.option("--dir", "directory", default=".demo", show_default=True, type=click.Path())
@click.option("--host-port", default=8080, show_default=True, type=int)
@click.option("--records-port", default=8081, show_default=True, type=int)
def demo(directory: str, host_port: int, records_port: int) -> None:
    """Start the host with the bundled reference record system on localhost."""
    from plugin_host.demo import run_demo

    run_demo(Path(directory), host_port=host_port, records_port=records_port)


@main.command("check-config")
@config_option
def check_config(config_path: str | None) -> None:
    """Validate the configuration, plugin settings included; each problem names its key."""
    config = _load(config_path)
    registry = PluginRegistry(__version__, config.hook_budget_seconds)
    registry.discover()
    try:
        collect_plugin_settings(registry, config.plugin_settings, config.source)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"OK: host {config.public_url}, {len(config.issuers)} launch issuer(s), "
        f"record system {config.record_system.endpoint}"
    )
    _check_saved_settings(config, registry)


def _check_saved_settings(config: HostConfig, registry: PluginRegistry) -> None:
    """What admins saved in the console must pass the installed plugins' schemas too."""
    source = "settings saved in the admin console"
    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        click.echo(f"No database yet: no {source} to check.")
        return
    database = Database(config.database_url)
    try:
        settings = PluginSettings(registry, config.plugin_settings, database)
        problems, not_installed = settings.saved_problems()
    except SQLAlchemyError as exc:
        # Not migrated yet, or unreachable: the file itself is fine, say what was not checked.
        click.echo(f"The {source} were not checked: the database answered {type(exc).__name__}.")
        return
    finally:
        database.engine.dispose()
    if not_installed:
        click.echo(f"Kept for plugins not installed now: {', '.join(not_installed)}.")
    if problems:
        message = str(ConfigError(source, problems))
        raise click.ClickException(
            f"{message}\nThe host uses the file's settings for these plugins. Mend them in the "
            "console or with `plugin-host plugins settings NAME --set/--unset KEY`."
        )
    click.echo(f"OK: {source}")


@main.group()
def plugins() -> None:
    """Installed plugins: list, inspect, enable, disable, approve scopes."""


@plugins.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins_list(config_path: str | None, as_json: bool) -> None:
    """List installed plugins with their status (and scopes held back)."""
    rows = _tools(config_path).all_plugins()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        units = ",".join(row["enabled_units"]) or "-"
        line = f"{row['name']:<24} {row['version'] or '-':<10} {row['status']:<8} units={units}"
        if row["scopes"]["held_back"]:
            line += f"  held back: {','.join(row['scopes']['held_back'])}"
        click.echo(line + (f"  reason: {row['reason']}" if row["reason"] else ""))


@plugins.command("info")
@config_option
@click.argument("name")
def plugins_info(config_path: str | None, name: str) -> None:
    """Show one plugin's manifest, status, grants and scopes held back (asked, not approved)."""
    tools = _tools(config_path)
    info = _act(lambda: tools.overview(name))
    click.echo(json.dumps(info, indent=2, ensure_ascii=False))


unit_option = click.option(
    "--unit", "org_unit", required=True, help=f"Organisation unit, or {ALL_UNITS!r} for all."
)
actor_option = click.option("--actor", default=getpass.getuser, show_default="current user")


def _set_enabled(config_path: str | None, name: str, org_unit: str, enabled: bool, actor: str):
    tools = _tools(config_path)
    _act(lambda: tools.set_enabled(name, org_unit, enabled, actor))
    click.echo(f"{name} {'enabled' if enabled else 'disabled'} for {org_unit.strip()}")


@plugins.command("enable")
@config_option
@unit_option
@actor_option
@click.argument("name")
def plugins_enable(config_path: str | None, org_unit: str, actor: str, name: str) -> None:
    """Enable a plugin for an organisation unit."""
    _set_enabled(config_path, name, org_unit, True, actor)


@plugins.command("disable")
@config_option
@unit_option
@actor_option
@click.argument("name")
def plugins_disable(config_path: str | None, org_unit: str, actor: str, name: str) -> None:
    """Disable a plugin for an organisation unit."""
    _set_enabled(config_path, name, org_unit, False, actor)


@plugins.command("approve")
@config_option
@actor_option
@click.option("--scope", "scopes", multiple=True, help="Approve only these (default: all asked).")
@click.argument("name")
def plugins_approve(
    config_path: str | None, actor: str, scopes: tuple[str, ...], name: str
) -> None:
    """Approve the scopes a plugin asks for."""
    tools = _tools(config_path)
    chosen = _act(lambda: tools.approve(name, scopes, actor))
    click.echo(f"{name}: approved {', '.join(chosen) or 'nothing (no scopes asked)'}")


@plugins.command("revoke")
@config_option
@actor_option
@click.option("--scope", "scopes", multiple=True, help="Withdraw only these (default: all).")
@click.argument("name")
def plugins_revoke(config_path: str | None, actor: str, scopes: tuple[str, ...], name: str) -> None:
    """Withdraw the approval of scopes; the gateway refuses them from then on."""
    tools = _tools(config_path)
    chosen = _act(lambda: tools.revoke(name, scopes, actor))
    click.echo(f"{name}: withdrew {', '.join(chosen) or 'nothing (none approved)'}")


@plugins.command("settings")
@config_option
@actor_option
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help="Save a value.")
@click.option("--unset", "removals", multiple=True, metavar="KEY", help="Follow the file again.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.argument("name")
def plugins_settings(
    config_path: str | None,
    actor: str,
    assignments: tuple[str, ...],
    removals: tuple[str, ...],
    as_json: bool,
    name: str,
) -> None:
    """Show a plugin's effective settings and where each comes from; --set saves values (checked
    by the plugin's settings schema; nothing is saved when one fails)."""
    tools = _tools(config_path)
    _act(lambda: tools.loaded(name))
    schema = tools.settings.schema_of(name)
    if schema is None:
        raise click.ClickException(f"{name} has no settings")
    if assignments or removals:
        fields_ = setting_fields(schema)
        saved = dict(tools.settings.saved(name).values)
        problems: dict[str, list[str]] = {}
        for assignment in assignments:
            key, sep, text = assignment.partition("=")
            key = key.strip()
            if not sep or key not in fields_:
                problems[key or assignment] = ["No such setting." if sep else "Use KEY=VALUE."]
                continue
            try:
                saved[key] = coerce(fields_[key], text)
            except NotJson:
                problems[key] = ["Not valid JSON."]
        for key in removals:
            # A key the schema no longer has may still be saved: removing it mends the settings.
            if key not in fields_ and key not in saved:
                problems[key] = ["No such setting."]
            saved.pop(key, None)
        try:
            if problems:
                raise PayloadInvalid(problems)
            tools.save_settings(name, saved, actor)
        except PayloadInvalid as exc:
            lines = [f"plugins.{name}.{key}: {'; '.join(m)}" for key, m in exc.errors.items()]
            raise click.ClickException("nothing saved:\n" + "\n".join(lines)) from None
        click.echo(f"{name}: settings saved")
    _show_settings(tools, name, as_json)


def _show_settings(tools: AdminTools, name: str, as_json: bool) -> None:
    saved = tools.settings.saved(name)
    rows = [
        {
            "key": v.key,
            "value": None if v.value is NO_VALUE else v.value,
            "source": v.source,
        }
        for v in tools.settings.values(name)
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    click.echo(f"{name}: effective settings (default < configuration file < admin)")
    for row in rows:
        source = row["source"]
        if source == "admin":
            source = f"admin ({saved.changed_by}, {saved.changed_at:%Y-%m-%d %H:%M} UTC)"
        value = json.dumps(row["value"], ensure_ascii=False)
        click.echo(f"  {row['key']:<24} = {value:<30} [{source}]")


def _installed(registry: PluginRegistry, name: str):
    plugin = registry.plugins.get(name)
    if plugin is None:
        known = ", ".join(sorted(registry.plugins)) or "none"
        raise click.ClickException(f"no plugin named {name!r} is installed (installed: {known})")
    return plugin


def _loaded(registry: PluginRegistry, name: str):
    plugin = _installed(registry, name)
    if not plugin.loaded:
        raise click.ClickException(f"{name} was refused: {plugin.reason}")
    return plugin


@main.group()
def outbox() -> None:
    """Writes waiting for the record system: status, list, retry, discard, work."""


def _outbox_database(config_path: str | None) -> Database:
    database = Database(_load(config_path).database_url)
    database.upgrade()
    return database


@outbox.command("status")
@config_option
def outbox_status(config_path: str | None) -> None:
    """Counts by state and the age of the oldest open write."""
    with _outbox_database(config_path).transaction() as session:
        click.echo(json.dumps(outbox_admin.summary(session).as_json(), indent=2))


@outbox.command("list")
@config_option
@click.option("--status", type=click.Choice(outbox_admin.ALL_STATES), help="Default: open ones.")
@click.option("--limit", default=100, show_default=True, type=int)
def outbox_list(config_path: str | None, status: str | None, limit: int) -> None:
    """Writes, oldest first, without their contents."""
    with _outbox_database(config_path).transaction() as session:
        rows = [outbox_admin.describe(r) for r in outbox_admin.list_writes(session, status, limit)]
    click.echo(json.dumps(rows, indent=2))


@outbox.command("retry")
@config_option
@click.argument("write_ids", nargs=-1, required=True)
def outbox_retry(config_path: str | None, write_ids: tuple[str, ...]) -> None:
    """Make failed or waiting writes due now."""
    with _outbox_database(config_path).transaction() as session:
        for write_id in write_ids:
            _admin_step(lambda w=write_id: outbox_admin.retry(session, w))
            click.echo(f"{write_id}: due now")


@outbox.command("discard")
@config_option
@actor_option
@click.option("--reason", required=True, help="Why; goes into the audit log.")
@click.argument("write_id")
def outbox_discard(config_path: str | None, actor: str, reason: str, write_id: str) -> None:
    """Give up on one write, with a reason (audit-logged)."""
    with _outbox_database(config_path).transaction() as session:
        _admin_step(lambda: outbox_admin.discard(session, write_id, reason, actor))
    click.echo(f"{write_id}: discarded")


@outbox.command("work")
@config_option
def outbox_work(config_path: str | None) -> None:
    """Deliver writes in this process until stopped (beside hosts with worker = false)."""
    from plugin_host.adapter_loading import build_record_system
    from plugin_host.audit import AuditLog
    from plugin_host.outbox.worker import build_outbox

    config = _load(config_path)
    database = _outbox_database(config_path)
    worker = build_outbox(
        config.outbox,
        database,
        build_record_system(config.record_system),
        AuditLog(database),
        config.record_system.timeout_seconds,
    )
    worker.start()
    try:
        worker.wait()
    finally:
        worker.stop()


@main.group()
def audit() -> None:
    """The audit log: search it, export it (a client's access request: --client)."""


def _audit_filter_options(command):
    for option in reversed(
        [
            click.option("--client", help="Only rows about this client (an access request)."),
            click.option("--worker", help="Only this worker's rows."),
            click.option("--plugin", help="Only this plugin's rows."),
            click.option("--operation", help="e.g. documents.save, admin.enable."),
            click.option("--outcome", help="success, denied, not_found, invalid, error."),
            click.option("--from", "date_from", metavar="YYYY-MM-DD", help="First day (Helsinki)."),
            click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Last day, included."),
        ]
    ):
        command = option(command)
    return command


def _audit_filter(**values: str | None):
    from plugin_host.audit_search import AuditFilter

    renamed = {k: v for k, v in values.items() if k not in ("date_from", "date_to")}
    renamed |= {"from": values.get("date_from"), "to": values.get("date_to")}
    try:
        return AuditFilter.parse(renamed)
    except PayloadInvalid as exc:
        problems = ", ".join(f"--{key}: {'; '.join(m)}" for key, m in exc.errors.items())
        raise click.ClickException(problems) from None


@audit.command("search")
@config_option
@actor_option
@_audit_filter_options
@click.option("--page", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--page-size", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def audit_search(
    config_path: str | None,
    actor: str,
    page: int,
    page_size: int,
    as_json: bool,
    **filters: str | None,
) -> None:
    """Matching rows, newest first, a page at a time (the search is itself audit-logged)."""
    from plugin_host.audit_search import search

    audit_filter = _audit_filter(**filters)
    database = _outbox_database(config_path)
    with database.transaction() as session:
        found = search(session, audit_filter, page, page_size)
    AuditLog(database).record_admin(
        actor,
        "host_admin_console",
        "admin.audit_search",
        f"{audit_filter.describe()} page={found.page}",
        client_id=audit_filter.client or "",
    )
    if as_json:
        body = {"total": found.total, "page": found.page, "pages": found.pages, "rows": found.rows}
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    click.echo(f"{found.total} row(s), page {found.page} of {found.pages}")
    for row in found.rows:
        document = row["document_id"] or "-"
        click.echo(
            f"{row['occurred_at']}  {row['worker_id']:<12} {row['org_unit']:<16} "
            f"{row['client_id'] or '-':<10} {row['plugin']:<18} {row['operation']:<20} "
            f"{row['outcome']:<9} {document} {row['detail'] or ''}".rstrip()
        )


@audit.command("export")
@config_option
@actor_option
@_audit_filter_options
@click.option(
    "--format",
    "export_format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(file_okay=True, writable=True),
    help="File to write, or a folder for a file named after the filter [default: stdout].",
)
def audit_export(
    config_path: str | None,
    actor: str,
    export_format: str,
    output: str | None,
    **filters: str | None,
) -> None:
    """All matching rows, all columns, oldest first, as CSV or JSON (the export is audit-logged
    and not in itself)."""
    from plugin_host.audit_search import csv_chunks, iter_rows, json_chunks, last_id

    audit_filter = _audit_filter(**filters)
    database = _outbox_database(config_path)
    last = last_id(database)
    AuditLog(database).record_admin(
        actor,
        "host_admin_console",
        "admin.audit_export",
        f"{audit_filter.describe()} format={export_format}",
        client_id=audit_filter.client or "",
    )
    counted = []

    def rows():
        for row in iter_rows(database, audit_filter, up_to=last):
            counted.append(1)
            yield row

    chunks = csv_chunks(rows()) if export_format == "csv" else json_chunks(rows(), audit_filter)
    if output is None or output == "-":
        for chunk in chunks:
            click.echo(chunk, nl=False)
        return
    path = Path(output)
    if path.is_dir():
        path = path / audit_filter.file_name(export_format)
    with path.open("w", encoding="utf-8", newline="") as file:
        for chunk in chunks:
            file.write(chunk)
    click.echo(f"{len(counted)} row(s) written to {path}", err=True)


@main.group()
def admin() -> None:
    """Admins of the host's admin pages."""


@admin.command("add-user")
@config_option
@click.argument("name")
@click.password_option(help="Asked for twice when not given.")
def admin_add_user(config_path: str | None, name: str, password: str) -> None:
    """Add an admin (or set a new password); only a hash is stored."""
    from plugin_host.admin_auth import add_user

    path = _load(config_path).admin.credentials_file
    if path is None:
        raise click.ClickException("set [admin] credentials_file in the configuration first")
    try:
        add_user(path, name, password)
    except ValueError as exc:
        raise click.ClickException(f"name: {exc}") from None
    click.echo(f"admin {name} saved in {path}")


def _admin_step(step) -> None:
    try:
        step()
    except outbox_admin.OutboxAdminError as exc:
        raise click.ClickException(str(exc)) from None


from plugin_host.scaffold.command import new_plugin  # noqa: E402 - beside its registration

main.add_command(new_plugin)


@main.command()
@config_option
@actor_option
@click.option("--dry-run", is_flag=True, help="Count what would go; delete nothing.")
def purge(config_path: str | None, actor: str, dry_run: bool) -> None:
    """Forget what [retention] keeps no longer: settled writes' copies, finished respondent
    links, old months' statistics.

    Run it daily (a cron job or systemd timer); each run is audit-logged.
    """
    from plugin_host.audit import AuditLog
    from plugin_host.clock import utcnow
    from plugin_host.retention import purge as purge_rows

    config = _load(config_path)
    database = _outbox_database(config_path)
    purged = purge_rows(database, config.retention, utcnow(), dry_run=dry_run)
    if dry_run:
        click.echo(f"would purge: {purged.summary()}")
        return
    AuditLog(database).record_admin(actor, "host", "admin.purge", purged.summary())
    click.echo(f"purged: {purged.summary()}")


if __name__ == "__main__":
    sys.exit(main())
