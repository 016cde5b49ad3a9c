"""Serving the host with an access log that carries no tokens and no client ids."""

from __future__ import annotations

import gc
import re

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, run_simple

CLIENT_SEGMENT = re.compile(r"/c/[^/?\s]+")
# A respondent link's token is a path segment: /r/<token>, but not /r/p/<plugin> (its pages).
RESPONDENT_TOKEN_SEGMENT = re.compile(r"/r/(?!p(?:[/?\s]|$))[^/?\s]+")


def redact_target(target: str) -> str:
    """A request target without query string (a launch token rides in it), client id or
    respondent token."""
    path = CLIENT_SEGMENT.sub("/c/-", target.split("?", 1)[0])
    return RESPONDENT_TOKEN_SEGMENT.sub("/r/-", path)


def redact_request_line(line: str) -> str:
    """Drop the query string, the client id and a respondent link's token from a log line."""
    method, _, rest = line.partition(" ")
    target, _, protocol = rest.partition(" ")
    return f"{method} {redact_target(target)} {protocol}".strip()


class RedactingRequestHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        line = redact_request_line(f"{self.command} {self.path} {self.request_version}")
        self.log("info", '"%s" %s %s', line, code, size)


def freeze_startup_heap() -> None:
    """Move what start-up built (app, plugins, templates, the WSDL) out of the collector's way.

    A request that makes tens of thousands of objects (a management page reads that many rows)
    sets off full collections, and each would walk the whole long-lived heap again: frozen, it
    is skipped (the management page of ``bench/feedback_management.py`` went from about 250 to
    160 ms). Called once the app exists, before serving.
    """
    gc.collect()
    gc.freeze()


def serve(app: Flask, host: str, port: int) -> None:
    freeze_startup_heap()
    run_simple(host, port, app, threaded=True, request_handler=RedactingRequestHandler)
