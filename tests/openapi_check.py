"""Real answers checked against the OpenAPI document the host serves at ``/-/openapi.json``."""

from __future__ import annotations

from typing import Any

from flask import Flask
from jsonschema import Draft202012Validator
from werkzeug.test import TestResponse

JSON = "application/json"


class DescribedApi:
    """The served document, and which described answers real requests have matched so far."""

    def __init__(self, app: Flask) -> None:
        self.document: dict[str, Any] = app.test_client().get("/-/openapi.json").json
        self.checked: set[tuple[str, str, int]] = set()

    def check(self, answer: TestResponse, path: str, method: str) -> Any:
        """Assert ``answer`` is one the document describes for ``method path``; its JSON body."""
        operation = self.document["paths"][path][method.lower()]
        described = operation["responses"].get(str(answer.status_code))
        assert described is not None, f"{method} {path} answered {answer.status_code}, undescribed"
        if "$ref" in described:
            described = self._resolve(described["$ref"])
        content = described["content"]
        assert answer.mimetype in content, f"{method} {path}: {answer.mimetype} undescribed"
        body = answer.get_json() if answer.is_json else answer.get_data(as_text=True)
        schema = {**content[answer.mimetype]["schema"], "components": self.document["components"]}
        Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
            body
        )
        for header, ref in described.get("headers", {}).items():
            if self._resolve(ref["$ref"]).get("required"):
                assert header in answer.headers, f"{method} {path}: no {header} header"
        self.checked.add((path, method.lower(), answer.status_code))
        return body

    def json_answers(self, prefix: str = "") -> set[tuple[str, str, int]]:
        """Every described answer with a JSON body, of the paths starting with ``prefix``."""
        found = set()
        for path, operations in self.document["paths"].items():
            for method, operation in operations.items():
                for status, described in operation["responses"].items():
                    if "$ref" in described:
                        described = self._resolve(described["$ref"])
                    if path.startswith(prefix) and JSON in described.get("content", {}):
                        found.add((path, method, int(status)))
        return found

    def _resolve(self, ref: str) -> dict[str, Any]:
        found: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            found = found[part]
        return found
