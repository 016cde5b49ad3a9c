"""The reference record system as a Flask app: SOAP service, fault injection, web page."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, Response, jsonify

from reference_record_system import faults, kanta_archive, request_log, soap_service, web
from reference_record_system.store import EXTENSION, RecordStore

_DEFAULTS: dict[str, object] = {
    "HOST_URL": None,  # the plugin host the web page launches plugin views in
    "LAUNCH_PRIVATE_KEY": None,  # PEM text of the key that signs launch tokens
    "LAUNCH_ISSUER": "reference-record-system",
    "LAUNCH_AUDIENCE": None,
    "ORG_UNIT": "lastensuojelu-1",
}


def create_app(config: Mapping[str, object]) -> Flask:
    """``config`` needs DATABASE (a SQLite path); the launch keys are for the web page."""
    app = Flask(__name__)
    app.config.update(_DEFAULTS)
    app.config.update(config)
    app.extensions[EXTENSION] = RecordStore(str(app.config["DATABASE"]))
    app.register_blueprint(soap_service.bp)
    app.register_blueprint(faults.bp)
    app.register_blueprint(request_log.bp)
    app.register_blueprint(web.bp)
    app.register_blueprint(kanta_archive.bp)  # the Kanta archive simulator, /kanta/

    @app.get("/-/ready")
    def ready() -> Response:
        return jsonify(status="ready")

    return app
