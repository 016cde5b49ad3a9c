"""Serving the host with an access log that carries no tokens and no client ids."""

from __future__ import annotations

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


def serve(app: Flask, host: str, port: int) -> None:
    run_simple(host, port, app, threaded=True, request_handler=RedactingRequestHandler)
