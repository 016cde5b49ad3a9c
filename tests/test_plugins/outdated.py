"""A plugin written for a host version that does not exist yet."""

from plugin_host.api import hookimpl


@hookimpl
def plugin_manifest():
    return {
        "name": "outdated",
        "version": "3.0",
        "title": {"fi": "Vanha", "sv": "Gammal", "en": "Outdated"},
        "requires_host": ">=9.0",
    }
