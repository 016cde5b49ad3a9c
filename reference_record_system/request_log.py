"""What the reference record system was asked, for tests to check what actually arrived.

Only the envelope's metadata is kept (operation, request context, X-Road headers), never
document contents, and only the most recent requests.
"""

from __future__ import annotations

import threading
from collections import deque

from flask import Blueprint, Response, current_app, jsonify
from flask.blueprints import BlueprintSetupState

_EXTENSION = "request_log"
_KEEP = 200


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict] = deque(maxlen=_KEEP)

    def record(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self._entries)


def request_log() -> RequestLog:
    return current_app.extensions[_EXTENSION]


bp = Blueprint("request_log", __name__)


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    state.app.extensions[_EXTENSION] = RequestLog()


@bp.get("/-/requests")
def show_requests() -> Response:
    """Oldest first."""
    return jsonify(request_log().entries())
