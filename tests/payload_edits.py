"""Editing a JSON payload by dotted paths, for tests that break one field at a time."""

from __future__ import annotations

from typing import Any

DELETE = object()


def apply_edits(doc: Any, *edits: tuple[str, Any]) -> Any:
    """Set each dotted path in ``doc`` (``+`` appends to a list, DELETE removes); returns it."""
    for path, value in edits:
        *parents, last = path.split(".")
        node: Any = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if last == "+":
            node.append(value)
        elif value is DELETE:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return doc
