"""The app factory: wires the parts together and holds no logic of its own."""

from __future__ import annotations

from flask import Flask

from plugin_host import __version__, errors, headers, i18n
from plugin_host.adapter_loading import build_record_system
from plugin_host.archiving import build_archiving
from plugin_host.audit import AuditLog
from plugin_host.config import HostConfig, load_config
from plugin_host.document_types import DocumentTypes
from plugin_host.enablement import Enablement
from plugin_host.launch import binding
from plugin_host.launch.views import bp as launch_bp
from plugin_host.mounting import mount_plugins
from plugin_host.outbox.worker import build_outbox
from plugin_host.plugin_settings import PluginSettings, collect_plugin_settings
from plugin_host.records import RecordSystem
from plugin_host.registry import PluginRegistry
from plugin_host.respondent.views import bp as respondent_bp
from plugin_host.services import EXTENSION_KEY, HostServices
from plugin_host.storage import Database


def create_app(
    config: HostConfig | None = None,
    *,
    record_system: RecordSystem | None = None,
    registry: PluginRegistry | None = None,
) -> Flask:
    """Build the host; ``registry`` lets tests hand in extra plugins before discovery."""
    config = config or load_config()
    database = Database(config.database_url)
    database.upgrade()
    if registry is None:
        registry = PluginRegistry(__version__, config.hook_budget_seconds)
        registry.discover()

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_NAME="plugin_host_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=config.cookie_secure,
        # Inside a cross-site record-system iframe only SameSite=None (with Secure) is sent.
        SESSION_COOKIE_SAMESITE="None" if config.cookie_secure else "Lax",
        SESSION_COOKIE_PARTITIONED=config.cookie_secure,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    record_system = record_system or build_record_system(config.record_system)
    audit = AuditLog(database)
    outbox = build_outbox(
        config.outbox, database, record_system, audit, config.record_system.timeout_seconds
    )
    document_types = DocumentTypes.collect(registry)
    app.extensions[EXTENSION_KEY] = HostServices(
        config=config,
        database=database,
        registry=registry,
        enablement=Enablement(database),
        audit=audit,
        record_system=record_system,
        document_types=document_types,
        outbox=outbox,
        archiving=build_archiving(
            config.kanta, database, audit, registry, document_types, record_system
        ),
        plugin_settings=collect_plugin_settings(registry, config.plugin_settings, config.source),
        settings=PluginSettings(registry, config.plugin_settings, database),
    )
    i18n.init_app(app, registry, config.default_locale)
    headers.init_app(app, config.frame_ancestors)
    errors.init_app(app)
    binding.init_app(app)
    app.register_blueprint(launch_bp)
    app.register_blueprint(respondent_bp)
    mount_plugins(app, registry)
    registry.call_each("host_startup", app=app)
    if config.outbox.worker:
        outbox.start()
    return app
