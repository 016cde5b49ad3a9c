"""Which plugin's code is running: set by the registry around every hook call."""

from __future__ import annotations

from contextvars import ContextVar

from flask import request

calling_plugin: ContextVar[str | None] = ContextVar("calling_plugin", default=None)


def current_plugin() -> str:
    """The plugin in a hook call, else the plugin whose blueprint serves this request."""
    return calling_plugin.get() or (request.blueprint or "").split(".")[0]
