"""``[plugins.feedback]``: which questionnaires are in use, on which channel, and the figures'
suppression limit. Checked when the host starts (and by ``plugin-host check-config``).

The bundled open set is always available; an admin loads other instruments (licensed ones too)
as definition files in ``definitions_dir``. A licensed instrument is enabled only with its
licence reference; nothing instrument-specific lives in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from plugin_host.api import PayloadInvalid
from plugin_host.api import lazy_gettext as _
from plugins.feedback.definitions import (
    CHANNELS,
    Questionnaire,
    check_enable,
    latest_versions,
    load_defaults,
    load_directory,
)


@dataclass(frozen=True)
class EnabledQuestionnaire:
    definition: Questionnaire
    channel: str  # clinical: into the client's record; service_evaluation: anonymous statistics
    licence_reference: str | None


class EnabledSchema(Schema):
    questionnaire_id = fields.String(required=True)
    version = fields.Integer(load_default=None, validate=validate.Range(min=1))
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))
    licence_reference = fields.String(load_default=None, validate=validate.Length(max=200))


class FeedbackSettings(Schema):
    # Extra definition files (JSON) an admin loads, e.g. licensed instruments; absolute path.
    definitions_dir = fields.String(load_default=None)
    questionnaires = fields.List(
        fields.Nested(EnabledSchema),
        load_default=lambda: [{"questionnaire_id": "after_meeting"}],
        validate=validate.Length(min=1),
    )
    # Figures based on fewer families than this are shown as "< n" (and hidden in exports).
    minimum_families = fields.Integer(load_default=5, validate=validate.Range(min=3, max=50))
    # The host keeps a respondent link at most 30 days.
    link_days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=30))
    # The management page's names for the record system's team ids (the id where none is set).
    team_names = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        values=fields.String(validate=validate.Length(min=1, max=100)),
        load_default=dict,
    )

    @post_load
    def _build(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        # The definitions are read once; every loaded version is kept too: an answer is read
        # with the version it was given to.
        known = _known(data)
        return {**data, "catalogue": _catalogue(data, known), "definitions": known}


def _known(data: dict[str, Any]) -> dict[tuple[str, int], Questionnaire]:
    """Every loaded definition by (id, version); raises ValidationError naming the setting."""
    folder = Path(data["definitions_dir"]) if data.get("definitions_dir") else None
    if folder is not None and not folder.is_absolute():
        raise ValidationError({"definitions_dir": [_("Give an absolute path.")]})
    if folder is not None and not folder.is_dir():
        raise ValidationError({"definitions_dir": [_("The folder does not exist.")]})
    try:
        known = load_defaults()
        if folder is not None:
            known |= load_directory(folder)
    except PayloadInvalid as exc:
        raise ValidationError({"definitions_dir": [str(exc)]}) from None
    except OSError:
        raise ValidationError({"definitions_dir": [_("The folder cannot be read.")]}) from None
    return known


def _catalogue(
    data: dict[str, Any], known: dict[tuple[str, int], Questionnaire]
) -> dict[str, EnabledQuestionnaire]:
    """The enabled questionnaires by id; raises ValidationError naming the setting."""
    latest = latest_versions(known)
    enabled: dict[str, EnabledQuestionnaire] = {}
    errors: dict[str, Any] = {}
    for index, wanted in enumerate(data["questionnaires"]):
        qid = wanted["questionnaire_id"]
        version = wanted.get("version")
        definition = known.get((qid, version)) if version else latest.get(qid)
        if definition is None:
            errors[index] = {"questionnaire_id": [_("No such questionnaire is loaded.")]}
            continue
        try:
            reference = check_enable(definition, wanted.get("licence_reference"))
        except PayloadInvalid as exc:
            errors[index] = exc.errors
            continue
        enabled[qid] = EnabledQuestionnaire(
            definition, wanted.get("channel") or definition.channel_default, reference
        )
    if errors:
        raise ValidationError({"questionnaires": errors})
    return enabled
