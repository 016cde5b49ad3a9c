"""Serving the host under gunicorn: several worker processes, each with its own app.

``plugin-host serve --workers N`` (N > 1, or ``--server gunicorn``) runs gunicorn from here
rather than from its own command line, so that the host's configuration stays the one file
``--config`` names. The app is built *after* the fork, in every worker (``preload_app`` off):
each worker has its own database engine, record-system client, circuit breaker and, with
``[outbox] worker = true``, its own outbox thread. Several outbox threads are safe because a
write is claimed by compare-and-set with a lease (``plugin_host.outbox.queue.claim``); on SQLite
one worker is still the recommendation, as every worker's writes queue for the one file lock.

The access log keeps the promise of ``plugin_host.serving``: no query string (a launch token
rides in one), client ids and respondent link tokens (``/r/<token>``) as ``-``, and none of the
header or environment atoms of gunicorn's log format (cookies, referers with tokens in them).
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from plugin_host.serving import freeze_startup_heap, redact_request_line, redact_target

# Like the Werkzeug server's line, plus the time taken in milliseconds.
ACCESS_LOG_FORMAT = '%(h)s - - %(t)s "%(r)s" %(s)s %(b)s %(M)sms'
DEFAULT_THREADS = 8
# Atoms safe to log; everything else (%(q)s, %(f)s, {header}i, {variable}e, ...) logs as "-".
_SAFE_ATOMS = ("h", "l", "t", "s", "m", "H", "b", "B", "T", "D", "M", "L", "p")


class RedactingLogger(Logger):
    """gunicorn's logger with the access-log atoms cut down to what may be logged."""

    def atoms(self, resp, req, environ, request_time) -> dict[str, Any]:
        every = super().atoms(resp, req, environ, request_time)
        atoms = {key: every[key] for key in _SAFE_ATOMS}
        atoms["r"] = redact_request_line(every["r"])
        atoms["U"] = _redact_target(every["U"] or "")
        atoms["u"] = "-"
        return atoms

    def exception(self, msg, *args, **kwargs) -> None:
        # "Error handling request %s" carries the request's target, query string and all.
        safe = tuple(_redact_target(a) if isinstance(a, str) and "/" in a else a for a in args)
        super().exception(msg, *safe, **kwargs)


def _redact_target(target: str) -> str:
    return redact_target(target)


def _stop_outbox(_server, worker) -> None:
    """gunicorn's ``worker_exit``: let the worker's outbox thread finish its round."""
    app = getattr(worker, "wsgi", None)
    services = getattr(app, "extensions", {}).get("plugin_host") if app is not None else None
    if services is not None and services.config.outbox.worker:
        services.outbox.stop()


class HostApplication(BaseApplication):
    """gunicorn, configured in code, loading ``create_app`` in each worker."""

    def __init__(
        self, config_path: str | None, host: str, port: int, workers: int, threads: int
    ) -> None:
        self.config_path = config_path
        self.options: dict[str, Any] = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "preload_app": False,
            "accesslog": "-",
            "errorlog": "-",
            "access_log_format": ACCESS_LOG_FORMAT,
            "logger_class": RedactingLogger,
            "worker_exit": _stop_outbox,
            "proc_name": "plugin-host",
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # gunicorn 24+ opens a control socket in $HOME by default: one per user, so two hosts
        # on one machine (or a test beside a running host) would fight over it.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)

    def load(self):
        from plugin_host.app import create_app
        from plugin_host.config import load_config

        app = create_app(load_config(self.config_path))
        freeze_startup_heap()
        return app


def serve(config_path: str | None, host: str, port: int, workers: int, threads: int) -> None:
    HostApplication(config_path, host, port, workers, threads).run()
