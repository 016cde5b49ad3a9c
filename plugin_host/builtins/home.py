"""The client's home in the host: summary cards and the views enabled for the unit.

Where a launch lands when its token names no view; cards come from every enabled plugin's
``client_cards`` hook, and a plugin that fails there shows as a labelled placeholder card.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, g, jsonify, render_template
from flask_babel import get_locale, gettext
from werkzeug.wrappers import Response

from plugin_host import __version__
from plugin_host.api import Card, hookimpl
from plugin_host.api_schemas import CardListSchema
from plugin_host.services import HostServices, host_services
from plugin_host.slots import LAUNCH_SLOTS, enabled_plugins, views_by_plugin

bp = Blueprint("host_home", __name__)


@hookimpl
def plugin_manifest() -> dict[str, Any]:
    return {
        "name": "host_home",
        "version": __version__,
        "title": {"fi": "Asiakkaan etusivu", "sv": "Klientens startsida", "en": "Client home"},
        "requires_host": f"=={__version__}",
        "internal": True,
    }


@hookimpl
def client_blueprint() -> Blueprint:
    return bp


def client_cards(services: HostServices) -> list[dict[str, Any]]:
    """Every enabled plugin's cards for the launched client, failures as placeholders."""
    plugins = enabled_plugins(services.registry, services.enablement, g.launch.org_unit)
    locale = str(get_locale() or "fi")
    cards = []
    for outcome in services.registry.call_each("client_cards", only=plugins, launch=g.launch):
        title = services.registry.manifest(outcome.plugin).localized_title(locale)
        if not outcome.ok:
            cards.append(
                {
                    "plugin": outcome.plugin,
                    "plugin_title": title,
                    "summary": gettext("This plugin is not available right now"),
                    "indicator": "warning",
                    "detail": "",
                    "placeholder": True,
                }
            )
            continue
        for card in outcome.value or ():
            if isinstance(card, Card):
                cards.append(
                    {"plugin": outcome.plugin, "plugin_title": title, "placeholder": False}
                    | asdict(card)
                )
    return cards


@bp.get("/c/<client_id>/")
def client_home() -> str:
    services = host_services()
    plugins = enabled_plugins(services.registry, services.enablement, g.launch.org_unit)
    views = views_by_plugin(services.registry, g.launch.org_unit, plugins)
    # Team and unit views open by their own launches from the record system's pages, not here.
    client_views = {
        name: [v for v in found if v.slot not in LAUNCH_SLOTS] for name, found in views.items()
    }
    return render_template(
        "host/client_home.html",
        cards=client_cards(services),
        views=[
            (services.registry.manifest(name), client_views[name])
            for name in sorted(client_views)
            if client_views[name]
        ],
    )


@bp.get("/c/<client_id>/cards.json")
def cards_json() -> Response:
    return jsonify(CardListSchema().dump({"cards": client_cards(host_services())}))
