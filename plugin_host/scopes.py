"""Scopes a plugin asks for and an admin approves; the gateway checks them on every call."""

from __future__ import annotations

import re

SCOPE_PATTERN = re.compile(
    r"^(client\.read|family\.read|team\.read|documents\.(read|write):[a-z][a-z0-9_]{0,39})$"
)


class ScopeDenied(Exception):
    """A plugin called the gateway outside the scopes an admin approved for it."""

    def __init__(self, plugin: str, scope: str) -> None:
        super().__init__(f"plugin {plugin!r} lacks approved scope {scope!r}")
        self.plugin = plugin
        self.scope = scope


def document_scope(action: str, document_type: str) -> str:
    return f"documents.{action}:{document_type}"
