"""Hook implementations: what the host asks of the client-feedback plugin. The entry point names
this module."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from plugin_host.api import Card, SlotView, gettext, hookimpl, plugin_settings
from plugins.feedback import __version__, management_views, respondent_views, worker_views
from plugins.feedback.blueprints import client_bp, respondent_bp, unit_bp
from plugins.feedback.responses import DOCUMENT_TYPE, ResponseSchema, answers_in_record
from plugins.feedback.scoring import score
from plugins.feedback.settings import FeedbackSettings

# The view modules register their routes on the blueprints when imported.
VIEWS = (management_views, respondent_views, worker_views)

NAME = "feedback"
TITLE = {"fi": "Asiakaspalaute", "sv": "Klientrespons", "en": "Client feedback"}
MANAGEMENT_TITLE = {
    "fi": "Palaute ja työn seuranta",
    "sv": "Respons och uppföljning",
    "en": "Feedback and monitoring",
}


@hookimpl
def plugin_manifest() -> dict[str, Any]:
    return {
        "name": NAME,
        "version": __version__,
        "title": TITLE,
        "requires_host": ">=0.1,<1",
        "scopes": [
            "client.read",
            f"documents.read:{DOCUMENT_TYPE}",
            f"documents.write:{DOCUMENT_TYPE}",
        ],
        "slots": ["panel", "unit"],
        "settings": FeedbackSettings,
    }


@hookimpl
def client_blueprint() -> Blueprint:
    return client_bp


@hookimpl
def respondent_blueprint() -> Blueprint:
    return respondent_bp


@hookimpl
def unit_blueprint() -> Blueprint:
    return unit_bp


@hookimpl
def slot_views(slot: str) -> list[SlotView]:
    if slot == "panel":
        return [SlotView(view_id="panel", slot="panel", endpoint=f"{NAME}.panel", title=TITLE)]
    if slot == "unit":
        return [
            SlotView(
                view_id="management",
                slot="unit",
                endpoint=f"{NAME}_unit.management",
                title=MANAGEMENT_TITLE,
            )
        ]
    return []


@hookimpl
def document_types() -> list[dict[str, Any]]:
    return [
        {
            "type": DOCUMENT_TYPE,
            "schema": ResponseSchema,
            "title": {"fi": "Asiakaspalaute", "sv": "Klientrespons", "en": "Client feedback"},
        }
    ]


@hookimpl
def client_cards() -> list[Card]:
    """The latest answer's alliance alert, shown plainly to the worker at once."""
    answers = answers_in_record()
    if not answers:
        return []
    latest = answers[-1]
    definitions = plugin_settings()["definitions"]
    definition = definitions.get((latest["questionnaire_id"], latest["questionnaire_version"]))
    if definition is None:
        return []
    scored = score(definition, latest["band"], latest["answers"])
    if scored.alliance_alert:
        return [
            Card(
                summary=gettext("The latest feedback has an alliance alert."),
                indicator="warning",
                detail=gettext("Talk it through with the family: did they feel heard?"),
                link_endpoint=f"{NAME}.panel",
            )
        ]
    return [Card(summary=gettext("Latest feedback: total %(total)s.", total=f"{scored.total:g}"))]
