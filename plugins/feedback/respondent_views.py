"""The family member's questionnaire, opened by a one-time link or on the handed-over device.

Before any question, the page says where the answers go: into the client's record, where the
worker sees them (clinical), or only into anonymous statistics (service evaluation). A child is
asked whether the guardians may see the answers; nothing is shared without that choice.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from flask import render_template, request
from werkzeug.wrappers import Response

from plugin_host import api
from plugins.feedback import figures
from plugins.feedback.blueprints import respondent_bp
from plugins.feedback.definitions import Questionnaire, localised
from plugins.feedback.responses import DOCUMENT_TYPE, ResponseSchema
from plugins.feedback.scoring import score

WHOLE_NUMBER = re.compile(r"-?[0-9]{1,4}")
TITLES = {
    "child": api.lazy_gettext("A child's feedback after a meeting"),
    "parent": api.lazy_gettext("A parent's feedback after a meeting"),
    "other_adult": api.lazy_gettext("Feedback after a meeting"),
}


def _definition(data: dict[str, Any]) -> Questionnaire:
    """The version the link was issued for, even if a newer one is enabled since."""
    definitions = api.plugin_settings()["definitions"]
    return definitions[(data["questionnaire_id"], data["version"])]


@respondent_bp.get("/")
def questionnaire() -> str:
    link = api.current_respondent()
    return _page(link, {}, {})


@respondent_bp.post("/")
def answer() -> Response | tuple[str, int]:
    link = api.current_respondent()
    data = link.data
    definition = _definition(data)
    given = {item: request.form.get(f"item-{item}", "") for item in definition.item_ids}
    answers = {k: int(v) for k, v in given.items() if WHOLE_NUMBER.fullmatch(v.strip())}
    errors = {
        f"item-{item}": [api.gettext("Choose an answer.")] for item in given if item not in answers
    }
    free_text = request.form.get("free_text", "").strip()
    if len(free_text) > 2000:
        errors["free_text"] = [api.gettext("Write at most 2000 characters.")]
    if errors:
        return _page(link, given, errors), 422
    try:
        scored = score(definition, data["band"], answers)
    except api.PayloadInvalid as invalid:
        errors = {f"item-{k.split('.', 1)[-1]}": v for k, v in invalid.errors.items()}
        return _page(link, given, errors), 422
    answered = datetime.now(UTC)
    day = date.fromisoformat(data["meeting_date"])
    if data["channel"] == "clinical":
        content = api.load_payload(
            ResponseSchema(),
            {
                "questionnaire_id": definition.questionnaire_id,
                "questionnaire_version": definition.version,
                "band": data["band"],
                "respondent_role": data["role"],
                "channel": "clinical",
                "answers": answers,
                "total": scored.total,
                "free_text": free_text if definition.free_text.enabled else "",  # clinical only
                "shared_with_guardians": bool(request.form.get("share")),
                "meeting_id": data.get("meeting_id"),
                "meeting_date": data["meeting_date"],
                "answered_at": answered.isoformat(),
            },
        )
        api.respondent_gateway().save_document(
            DOCUMENT_TYPE,
            api.gettext("Feedback %(date)s", date=api.format_date(day)),
            json.dumps(ResponseSchema().dump(content), ensure_ascii=False, sort_keys=True),
        )
    figures.record_answer(
        link.client_id, data["team_id"], day, definition, data["band"], data["role"], scored
    )
    api.finish_respondent()
    return render_template(
        "feedback/thanks.html", clinical=data["channel"] == "clinical", kiosk=link.kiosk
    )


def answer_choices(minimum: int, maximum: int, presentation: str) -> list[tuple[int, str]]:
    """(value, face) for each button: five faces for the youngest, every step for the others."""
    if presentation == "pictures":
        values = sorted({round(minimum + (maximum - minimum) * k / 4) for k in range(5)})
    else:
        values = list(range(minimum, maximum + 1))
    span = (maximum - minimum) or 1

    def face(value: int) -> str:
        share = (value - minimum) / span
        return "sad" if share < 1 / 3 else "neutral" if share < 2 / 3 else "happy"

    return [(value, face(value)) for value in values]


def _page(link: Any, given: dict[str, str], errors: dict[str, list[str]]) -> str:
    data = link.data
    definition = _definition(data)
    locale = api.current_locale()
    band = data["band"]
    return render_template(
        "feedback/questionnaire.html",
        definition=definition,
        band=band,
        presentation=definition.presentation(band),
        role=data["role"],
        channel=data["channel"],
        title=TITLES[data["role"]],
        locale=locale,
        localised=localised,
        given=given,
        errors=errors,
        error_count=sum(len(m) for m in errors.values()),
        answer_choices=answer_choices,
    )
