"""One person's answers to a questionnaire: the clinical channel's record document, and the
respondent form's payload. Service-evaluation answers never become a document: only their
anonymous figures are kept (``figures.record_answer``)."""

from __future__ import annotations

import json
from typing import Any

from marshmallow import Schema, fields, validate

from plugin_host import api
from plugin_host.api import lazy_gettext as _
from plugins.feedback.definitions import BANDS, CHANNELS

DOCUMENT_TYPE = "feedback_response"
SCHEMA_VERSION = 1
# Who answers; a child's answers stay the child's unless the child chooses to share them.
RESPONDENT_ROLES = ("child", "parent", "other_adult")
CHILD_BANDS = ("under_7", "7_12", "13_plus")


class ResponseSchema(Schema):
    """Content of a ``feedback_response`` document in the client's record."""

    schema_version = fields.Integer(
        load_default=SCHEMA_VERSION, validate=validate.Equal(SCHEMA_VERSION)
    )
    questionnaire_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    questionnaire_version = fields.Integer(required=True, validate=validate.Range(min=1))
    band = fields.String(required=True, validate=validate.OneOf(BANDS))
    respondent_role = fields.String(required=True, validate=validate.OneOf(RESPONDENT_ROLES))
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=40)),
        values=fields.Integer(strict=True),
        required=True,
    )
    total = fields.Float(required=True)
    free_text = fields.String(
        load_default="",
        validate=validate.Length(max=2000, error=_("Write at most {max} characters.")),
    )
    # The child's own choice: may the guardians see these answers? Never assumed.
    shared_with_guardians = fields.Boolean(load_default=False)
    meeting_id = fields.String(load_default=None, allow_none=True)
    meeting_date = fields.Date(load_default=None, allow_none=True)
    answered_at = fields.AwareDateTime(required=True)


class IssueForm(Schema):
    """The worker's request for feedback: who answers, in which age band, how."""

    questionnaire_id = fields.String(required=True)
    respondent_role = fields.String(required=True, validate=validate.OneOf(RESPONDENT_ROLES))
    band = fields.String(required=True, validate=validate.OneOf(BANDS))
    mode = fields.String(required=True, validate=validate.OneOf(("kiosk", "link")))
    meeting_id = fields.String(load_default=None, validate=validate.Length(max=64))
    meeting_date = fields.Date(load_default=None)


def answers_in_record() -> list[dict[str, Any]]:
    """The launched client's feedback documents, oldest answer first (by when it was given:
    the outbox may deliver a late answer after a newer one)."""
    record = api.gateway()
    given = [
        json.loads(record.document(ref.document_id).content)
        for ref in record.documents(DOCUMENT_TYPE)
    ]
    return sorted(given, key=lambda answer: answer["answered_at"])


def is_child(response: dict[str, Any]) -> bool:
    return response["respondent_role"] == "child"
