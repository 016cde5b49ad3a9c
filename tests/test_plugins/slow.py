"""A plugin whose hook overruns the host's time budget."""

import time

from plugin_host.api import hookimpl


@hookimpl
def plugin_manifest():
    return {
        "name": "slow",
        "version": "1.0",
        "title": {"fi": "Hidas", "sv": "Långsam", "en": "Slow"},
        "requires_host": ">=0.1",
        "slots": ["panel"],
    }


@hookimpl
def slot_views():
    time.sleep(0.2)
    return []
