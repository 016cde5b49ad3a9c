"""A plugin with a manifest that fails validation."""

from plugin_host.api import hookimpl


@hookimpl
def plugin_manifest():
    return {
        "name": "careless",
        "version": "one",
        "title": {"fi": "Huolimaton"},
        "requires_host": ">=0.1",
        "scopes": ["everything"],
    }
