"""Security headers on every answer: who may frame us, no referrer, no caching of client data."""

from __future__ import annotations

from flask import Flask
from werkzeug.wrappers import Response


def init_app(app: Flask, frame_ancestors: tuple[str, ...]) -> None:
    ancestors = " ".join(frame_ancestors) or "'none'"
    policy = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )

    @app.after_request
    def _secure(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = policy
        # The launch URL carries a token: never let it leak through Referer.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Cache-Control", "no-store")
        return response
