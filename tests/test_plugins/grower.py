"""A plugin whose second version asks for more than its first (``family.read``), with settings.

``version1`` and ``version2`` are the same plugin, ``grower``, as two releases: register one or
the other. Its views: ``/family`` needs the scope only version 2 asks for; ``/settings`` answers
with ``api.plugin_settings()``.
"""

from __future__ import annotations

import types

from flask import Blueprint
from marshmallow import Schema, fields, validate

from plugin_host.api import gateway, hookimpl, plugin_settings

NAME = "grower"
bp = Blueprint(NAME, __name__)


class Options(Schema):
    colour = fields.String(required=True)


class GrowerSettings(Schema):
    greeting = fields.String(load_default="hei", validate=validate.Length(min=1, max=20))
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=10))
    ratio = fields.Float(load_default=0.5)
    loud = fields.Boolean(load_default=False)
    words = fields.List(fields.String(), load_default=lambda: ["a"])
    options = fields.Nested(Options, load_default=lambda: {"colour": "blue"})


@bp.get("/client")
def client():
    return {"name": gateway().client().display_name}


@bp.get("/family")
def family():
    return {"members": len(gateway().family().members)}


@bp.get("/settings")
def settings():
    return dict(plugin_settings())


def _release(version: str, scopes: list[str]) -> types.ModuleType:
    def plugin_manifest():
        return {
            "name": NAME,
            "version": version,
            "title": {"fi": "Kasvaja", "sv": "Växare", "en": "Grower"},
            "requires_host": ">=0.1",
            "scopes": scopes,
            "settings": GrowerSettings,
        }

    def client_blueprint():
        return bp

    module = types.ModuleType(f"{__name__}.v{version.replace('.', '_')}")
    module.__file__ = __file__
    module.plugin_manifest = hookimpl(plugin_manifest)
    module.client_blueprint = hookimpl(client_blueprint)
    return module


version1 = _release("1.0", ["client.read"])
version2 = _release("2.0", ["client.read", "family.read"])
