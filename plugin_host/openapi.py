"""The OpenAPI 3.1 description of the host's JSON API, served at ``GET /-/openapi.json``.

What is described: the monitoring routes (``/-/health``, ``/-/plugins``, this document), the
client's summary cards (``/c/{client_id}/cards.json``), the launch's session
(``/c/{client_id}/api/session``), the documents API with its writes and conflict resolution, and
the Kanta archiving API. Plugins' own routes, HTML pages, the launch itself and the admin pages
are not part of it.

Request and answer bodies come from ``plugin_host.api_schemas``, the same marshmallow schemas the
handlers load and dump with; what each route answers is listed in ``plugin_host.api_operations``;
paths and methods come from the running app's url_map, so a route described here exists.
Error answers are RFC 9457 problem details (``application/problem+json``, ``ProblemSchema``),
or the handler's own JSON where it gives more (the current version of a document, say).

To view it: ``curl http://localhost:8080/-/openapi.json`` (no session needed) and open the file
in any OpenAPI viewer (Swagger UI, Redoc, an editor plugin); or generate a client from it.
Every ``/c/{client_id}/...`` operation needs the session cookie a launch opened
(``GET /launch?token=...``), and unsafe methods also the ``X-CSRF-Token`` header
(the token from ``/c/{client_id}/api/session``).
"""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from werkzeug.routing import Rule

from plugin_host import __version__
from plugin_host import api_schemas as shapes
from plugin_host.api import API_VERSION
from plugin_host.api_operations import (
    HEADERS,
    OPERATIONS,
    PARAMETERS,
    SHARED_ANSWERS,
    TAGS,
    Answer,
    Operation,
)
from plugin_host.errors import PROBLEM_JSON
from plugin_host.launch.binding import CSRF_HEADER, SAFE_METHODS

OPENAPI_VERSION = "3.1.0"
JSON = "application/json"
SESSION_SCHEME = "launchSession"
CSRF_SCHEME = "csrfToken"
_ARGUMENT = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[^<>]+)>")


def build_openapi(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of the JSON routes ``app`` has (see the module docstring)."""
    marshmallow = MarshmallowPlugin()
    spec = APISpec(
        title="Systemic plugin host",
        version=__version__,
        openapi_version=OPENAPI_VERSION,
        plugins=[marshmallow],
        info={
            "description": "The host's JSON API for record systems, monitors and plugin pages.",
            "x-plugin-api-version": API_VERSION,
        },
    )
    marshmallow.map_to_openapi_type(shapes.StoredDateTime, "string", "date-time")
    for name, description in TAGS.items():
        spec.tag({"name": name, "description": description})
    spec.components.security_scheme(
        SESSION_SCHEME,
        {
            "type": "apiKey",
            "in": "cookie",
            "name": app.config["SESSION_COOKIE_NAME"],
            "description": "Opened by a signed launch (GET or POST /launch); bound to one "
            "worker, client and unit.",
        },
    )
    spec.components.security_scheme(
        CSRF_SCHEME,
        {
            "type": "apiKey",
            "in": "header",
            "name": CSRF_HEADER,
            "description": "The launch's token from /c/{client_id}/api/session.",
        },
    )
    for name, header in HEADERS.items():
        spec.components.header(name, header)
    for name, answer in SHARED_ANSWERS.items():
        spec.components.response(name, _answer(answer))
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        operation = OPERATIONS.get(rule.endpoint)
        if operation is not None:
            path, parameters = _path(rule)
            spec.path(path=path, operations=_operations(rule, operation, parameters))
    return spec.to_dict()


def _path(rule: Rule) -> tuple[str, list[dict[str, Any]]]:
    parameters = [
        {
            "in": "path",
            "name": found["name"],
            "required": True,
            "schema": {"type": "integer" if found["converter"] == "int" else "string"},
            "description": PARAMETERS.get(found["name"], ""),
        }
        for found in _ARGUMENT.finditer(rule.rule)
    ]
    return _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule.rule), parameters


def _operations(
    rule: Rule, operation: Operation, parameters: list[dict[str, Any]]
) -> dict[str, Any]:
    described = {}
    for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
        answers = dict(operation.answers)
        if "client_id" in rule.arguments:
            answers.setdefault(401, "NoLaunch")
            answers.setdefault(403, "Forbidden")
        described[method.lower()] = {
            "operationId": rule.endpoint.replace(".", "_"),
            "summary": operation.summary,
            "tags": [operation.tag],
            "parameters": [
                *parameters,
                *(
                    {"in": "query", "name": name, "schema": {"type": "string"}, "description": text}
                    for name, text in operation.query.items()
                ),
                *(
                    {
                        "in": "header",
                        "name": name,
                        "required": True,
                        "schema": {"type": "string"},
                        "description": text,
                    }
                    for name, text in operation.request_headers.items()
                ),
            ],
            "security": _security(rule, method),
            "responses": {
                str(status): answer if isinstance(answer, str) else _answer(answer)
                for status, answer in sorted(answers.items())
            },
        }
        if operation.body is not None:
            described[method.lower()]["requestBody"] = {
                "required": operation.body_required,
                "content": {JSON: {"schema": operation.body}},
            }
    return described


def _security(rule: Rule, method: str) -> list[dict[str, list[str]]]:
    if "client_id" not in rule.arguments:
        return []  # monitors and the record system read these without a session
    if method in SAFE_METHODS:
        return [{SESSION_SCHEME: []}]
    return [{SESSION_SCHEME: [], CSRF_SCHEME: []}]


def _answer(answer: Answer) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if answer.schema is not None:
        content[JSON] = {"schema": answer.schema}
    if answer.problem:
        content[PROBLEM_JSON] = {"schema": shapes.ProblemSchema}
    described: dict[str, Any] = {"description": answer.description, "content": content}
    if answer.headers:
        described["headers"] = dict(answer.headers)
    return described
