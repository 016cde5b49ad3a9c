"""Which plugin's code is running: set by the registry around every hook call."""

from __future__ import annotations

from contextvars import ContextVar

from flask import request

calling_plugin: ContextVar[str | None] = ContextVar("calling_plugin", default=None)

# A plugin's team blueprint is named after it with this suffix.
TEAM_BLUEPRINT_SUFFIX = "_team"


def current_plugin() -> str:
    """The plugin in a hook call, else the plugin whose blueprint serves this request."""
    return calling_plugin.get() or plugin_of_blueprint(request.blueprint)


def plugin_of_blueprint(blueprint: str | None) -> str:
    return (blueprint or "").split(".")[0].removesuffix(TEAM_BLUEPRINT_SUFFIX)
