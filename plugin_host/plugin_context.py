"""Which plugin's code is running: set by the registry around every hook call."""

from __future__ import annotations

from contextvars import ContextVar

from flask import request

calling_plugin: ContextVar[str | None] = ContextVar("calling_plugin", default=None)

# A plugin's team blueprint is named after it with this suffix, its respondent blueprint (the
# pages a family member answers through a one-time link) with the other. No plugin's own name
# ends in either (the manifest refuses it), so a blueprint's name tells its plugin and its kind.
TEAM_BLUEPRINT_SUFFIX = "_team"
RESPONDENT_BLUEPRINT_SUFFIX = "_respondent"
UNIT_BLUEPRINT_SUFFIX = "_unit"  # a unit's management pages
BLUEPRINT_SUFFIXES = (TEAM_BLUEPRINT_SUFFIX, RESPONDENT_BLUEPRINT_SUFFIX, UNIT_BLUEPRINT_SUFFIX)


def current_plugin() -> str:
    """The plugin in a hook call, else the plugin whose blueprint serves this request."""
    return calling_plugin.get() or plugin_of_blueprint(request.blueprint)


def blueprint_kind(blueprint: str | None) -> tuple[str, str]:
    """``(plugin, suffix)`` of a blueprint name: suffix "" (client), "_team" or "_respondent"."""
    top = (blueprint or "").split(".")[0]
    for suffix in BLUEPRINT_SUFFIXES:
        if top.endswith(suffix):
            return top.removesuffix(suffix), suffix
    return top, ""


def plugin_of_blueprint(blueprint: str | None) -> str:
    return blueprint_kind(blueprint)[0]


def is_respondent_blueprint(blueprint: str | None) -> bool:
    return blueprint_kind(blueprint)[1] == RESPONDENT_BLUEPRINT_SUFFIX
