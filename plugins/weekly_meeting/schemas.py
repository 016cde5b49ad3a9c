"""The case discussion and the minutes document: their shape, and the checks before saving.

A *case discussion* is one family's part of one weekly meeting. ``DiscussionSchema`` checks its
shape and everything that can be checked from the discussion alone (ids unique, every reference to
a participant in the list, consent recorded for family and network members). ``check_discussion``
adds what needs the launch's context: the team and family as the record knows them, today's date
and the tasks that already existed. ``check_ready_to_sign`` is the last gate before the minutes.

Every part of a discussion is optional; the parts come in the fixed order of DiscussionSchema's
fields (participants, question, update, hypotheses, reflections, family_view, child_view, worries,
resources, risk_scalings, decisions, tasks, outcome, next_review, genogram_version, team_notes),
and the family view and the minutes follow that order.

Loaded data holds ``date`` and ``datetime`` objects; ``dump_discussion`` gives the JSON form that
is stored. The schemas load either form, so loading is safe to repeat.

Every error names its field by dotted path (``tasks.0.owner``) through ``PayloadInvalid``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from plugin_host.api import FieldErrors, load_payload
from plugin_host.api import lazy_gettext as _
from plugins.weekly_meeting import vocabulary as v

# The document type of the minutes in the client's record (host rule: [a-z][a-z0-9_]{0,39}).
MINUTES_TYPE = "weekly_meeting_minutes"
SCHEMA_VERSION = 1

MAX_PARTICIPANTS = 50
MAX_HYPOTHESES = 100
MAX_REFLECTIONS = 200
MAX_FAMILY_WORDS = 100
MAX_RAISED = 100
MAX_SCALINGS = 50
MAX_DECISIONS = 100
MAX_TASKS = 200
MAX_FAMILY_CLIENTS = 20

IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
PARTICIPANT_ID = re.compile(r"^(?:[tf]:[A-Za-z0-9][A-Za-z0-9_.-]{0,63}|n:[0-9a-f]{8})\Z")

UNKNOWN_PARTICIPANT = _("Unknown participant.")
ALREADY_USED = _("This id is already used.")


def _one_of(choices: Iterable[str]) -> validate.OneOf:
    return validate.OneOf(tuple(choices), error=_("Must be one of: {choices}."))


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError(_("Write something here."))


def _identifier(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(
            IDENTIFIER, error=_("Use 1-64 letters, digits, dots, dashes or underscores.")
        ),
        **kwargs,
    )


def _text(max_length: int, *, required: bool) -> fields.String:
    """A free-text field: required ones must say something, optional ones default to ''."""
    length = validate.Length(max=max_length, error=_("Write at most {max} characters."))
    if required:
        return fields.String(required=True, validate=[length, _not_blank])
    return fields.String(load_default="", validate=length)


def _reference(**kwargs: Any) -> fields.String:
    """A participant id; whether that participant is in the discussion is checked later."""
    return fields.String(
        validate=validate.Regexp(PARTICIPANT_ID, error=UNKNOWN_PARTICIPANT), **kwargs
    )


def _aware_datetime(**kwargs: Any) -> fields.AwareDateTime:
    return fields.AwareDateTime(
        error_messages={"invalid_awareness": _("Give the time with its UTC offset.")}, **kwargs
    )


def _list(schema: type[Schema], max_length: int) -> fields.List:
    return fields.List(
        fields.Nested(schema),
        load_default=list,
        validate=validate.Length(max=max_length, error=_("At most {max} items.")),
    )


class ConsentSchema(Schema):
    """A family or network member's consent to take part, as a worker recorded it."""

    scope = fields.String(required=True, validate=_one_of(v.CONSENT_SCOPES))
    recorded_at = _aware_datetime(required=True)
    recorded_by = _identifier(required=True)
    # Withdrawn consent is kept, not deleted: the record shows it was given and then withdrawn.
    withdrawn_at = _aware_datetime(load_default=None, allow_none=True)

    @validates_schema
    def _order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        withdrawn, recorded = data.get("withdrawn_at"), data.get("recorded_at")
        if withdrawn and recorded and withdrawn < recorded:
            raise ValidationError(
                _("Consent cannot be withdrawn before it was recorded."), "withdrawn_at"
            )


class ParticipantSchema(Schema):
    participant_id = fields.String(
        required=True,
        validate=validate.Regexp(
            PARTICIPANT_ID, error=_("Use t:<worker id>, f:<person id> or n:<8 hex digits>.")
        ),
    )
    kind = fields.String(required=True, validate=_one_of(v.PARTICIPANT_KINDS))
    name = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=100, error=_("Write a name of 1-100 characters.")),
            _not_blank,
        ],
    )
    role = fields.String(required=True, validate=_one_of(v.ROLES))
    consent = fields.Nested(ConsentSchema, load_default=None, allow_none=True)

    @validates_schema
    def _kind(self, data: dict[str, Any], **_kwargs: Any) -> None:
        kind = data["kind"]
        errors: dict[str, list[Any]] = {}
        if not data["participant_id"].startswith(v.ID_PREFIXES[kind]):
            errors["participant_id"] = [_("The id does not match the kind of participant.")]
        if data["role"] not in v.ROLES_BY_KIND[kind]:
            errors["role"] = [_("This role is not one for this kind of participant.")]
        if kind == "team" and data.get("consent") is not None:
            errors["consent"] = [_("Team members do not give consent here.")]
        elif kind != "team" and data.get("consent") is None:
            errors["consent"] = [_("Consent to attend must be recorded.")]
        if errors:
            raise ValidationError(errors)


class HypothesisSchema(Schema):
    hypothesis_id = _identifier(required=True)
    text = _text(2000, required=True)
    proposed_by = _reference(required=True)
    status = fields.String(load_default="open", validate=_one_of(v.HYPOTHESIS_STATUSES))
    # Private unless the team decides to share it: the family view shows only shared ones.
    shared_with_family = fields.Boolean(load_default=False)


class ReflectionSchema(Schema):
    reflection_id = _identifier(required=True)
    by = _reference(required=True)
    text = _text(4000, required=True)
    shared_with_family = fields.Boolean(load_default=False)


class FamilyWordsSchema(Schema):
    """The family's own view, in their own words, by one family member."""

    by = _reference(required=True)
    text = _text(4000, required=True)


class ChildViewSchema(Schema):
    text = _text(4000, required=False)
    how_obtained = fields.String(required=True, validate=_one_of(v.CHILD_VIEW_METHODS))
    obtained_by = _reference(load_default=None, allow_none=True)
    reason_not_obtained = _text(2000, required=False)
    # The child decides whether the family view shows their words.
    child_agrees_to_share = fields.Boolean(load_default=False)

    @validates_schema
    def _obtained(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["how_obtained"] == "not_obtained":
            if not data["reason_not_obtained"].strip():
                raise ValidationError(
                    _("Say why the child's view was not obtained."), "reason_not_obtained"
                )
        elif not data["text"].strip():
            raise ValidationError(_("Write the child's view."), "text")


class RaisedSchema(Schema):
    """A worry or a resource, and who raised it."""

    text = _text(2000, required=True)
    raised_by = _reference(required=True)


class RiskScalingSchema(Schema):
    score = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(0, 10, error=_("Give a score from 0 to 10.")),
    )
    scored_by = _reference(required=True)
    why = _text(2000, required=True)


class DecisionSchema(Schema):
    decision_id = _identifier(required=True)
    text = _text(2000, required=True)


class TaskSchema(Schema):
    task_id = _identifier(required=True)
    text = _text(500, required=True)
    owner = fields.String(
        required=True,
        validate=validate.Regexp(PARTICIPANT_ID, error=UNKNOWN_PARTICIPANT),
        error_messages={
            "required": _("A task needs an owner."),
            "null": _("A task needs an owner."),
        },
    )
    due = fields.Date(required=True)
    state = fields.String(load_default="open", validate=_one_of(v.TASK_STATES))
    # The date of the meeting the task was agreed in; carried-over tasks keep theirs.
    created_on = fields.Date(required=True)
    carried_from = _identifier(load_default=None, allow_none=True)


class OutcomeSchema(Schema):
    kind = fields.String(required=True, validate=_one_of(v.OUTCOME_KINDS))
    # Required for postponed and escalated only at signing, so a draft can be saved half-written.
    reason = _text(2000, required=False)


class DiscussionSchema(Schema):
    """One family's case discussion; the field order is the order of its parts."""

    participants = _list(ParticipantSchema, MAX_PARTICIPANTS)
    question = _text(2000, required=False)
    update = _text(4000, required=False)
    hypotheses = _list(HypothesisSchema, MAX_HYPOTHESES)
    reflections = _list(ReflectionSchema, MAX_REFLECTIONS)
    family_view = _list(FamilyWordsSchema, MAX_FAMILY_WORDS)
    child_view = fields.Nested(ChildViewSchema, load_default=None, allow_none=True)
    worries = _list(RaisedSchema, MAX_RAISED)
    resources = _list(RaisedSchema, MAX_RAISED)
    risk_scalings = _list(RiskScalingSchema, MAX_SCALINGS)
    decisions = _list(DecisionSchema, MAX_DECISIONS)
    tasks = _list(TaskSchema, MAX_TASKS)
    outcome = fields.Nested(OutcomeSchema, load_default=None, allow_none=True)
    next_review = fields.Date(load_default=None, allow_none=True)
    genogram_version = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1)
    )
    # The team's own notes: in the record, never in the family view.
    team_notes = _text(4000, required=False)

    @validates_schema
    def _references(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Ids unique; everything said or done is by someone listed as taking part."""
        errors = FieldErrors()
        participants = data.get("participants") or []
        present = errors.unique("participants", "participant_id", participants, ALREADY_USED)
        family = {p["participant_id"] for p in participants if p["kind"] == "family"}
        errors.unique("hypotheses", "hypothesis_id", data.get("hypotheses") or [], ALREADY_USED)
        errors.unique("reflections", "reflection_id", data.get("reflections") or [], ALREADY_USED)
        errors.unique("decisions", "decision_id", data.get("decisions") or [], ALREADY_USED)
        errors.unique("tasks", "task_id", data.get("tasks") or [], ALREADY_USED)
        # Withdrawn consent does not unlist anyone: what they said stays part of the history.
        for section, key in (
            ("hypotheses", "proposed_by"),
            ("reflections", "by"),
            ("worries", "raised_by"),
            ("resources", "raised_by"),
            ("risk_scalings", "scored_by"),
        ):
            for i, item in enumerate(data.get(section) or []):
                if item[key] not in present:
                    errors.add(f"{section}.{i}.{key}", UNKNOWN_PARTICIPANT)
        for i, words in enumerate(data.get("family_view") or []):
            if words["by"] not in present:
                errors.add(f"family_view.{i}.by", UNKNOWN_PARTICIPANT)
            elif words["by"] not in family:
                errors.add(
                    f"family_view.{i}.by",
                    _("Only the family's own words belong here: choose a family member."),
                )
        child_view = data.get("child_view")
        if child_view and child_view["obtained_by"] not in (None, *present):
            errors.add("child_view.obtained_by", UNKNOWN_PARTICIPANT)
        errors.raise_as_validation_error()


def check_discussion(
    data: dict[str, Any],
    *,
    known_team: set[str],
    known_family: set[str],
    today: date,
    existing_task_ids: set[str],
) -> dict[str, Any]:
    """Load a discussion and check it against the launch's context; return the loaded data.

    ``known_team`` holds the team's worker ids and ``known_family`` the family's person ids as the
    record knows them (without the ``t:``/``f:`` prefix). ``existing_task_ids`` are the tasks saved
    before (carried over or from an earlier save): they may be overdue, a new task may not.
    Raises PayloadInvalid naming each bad field.
    """
    loaded: dict[str, Any] = load_payload(DiscussionSchema(), data)
    errors = FieldErrors()
    known = {"team": known_team, "family": known_family}
    present: set[str] = set()
    for i, participant in enumerate(loaded["participants"]):
        participant_id, kind = participant["participant_id"], participant["kind"]
        present.add(participant_id)
        if kind in known and participant_id[2:] not in known[kind]:
            errors.add(f"participants.{i}.participant_id", UNKNOWN_PARTICIPANT)
    team = {f"t:{worker_id}" for worker_id in known_team}
    for i, task in enumerate(loaded["tasks"]):
        if task["owner"] not in present and task["owner"] not in team:
            errors.add(f"tasks.{i}.owner", UNKNOWN_PARTICIPANT)
        if task["task_id"] not in existing_task_ids and task["due"] < today:
            errors.add(f"tasks.{i}.due", _("The due date cannot be in the past."))
    errors.raise_as_payload_invalid()
    return loaded


def dump_discussion(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON-safe form of a discussion (loaded or already JSON); raises PayloadInvalid."""
    schema = DiscussionSchema()
    return schema.dump(load_payload(schema, data))


def _signing_errors(discussion: dict[str, Any]) -> FieldErrors:
    errors = FieldErrors()
    outcome = discussion.get("outcome")
    if not outcome or not outcome.get("kind"):
        errors.add(
            "outcome",
            _(
                "A discussion cannot close without an outcome: a decision, an intervention, an "
                "understanding, or a postponement or escalation with its reason."
            ),
        )
    elif outcome["kind"] in v.OUTCOMES_NEEDING_REASON and not (outcome.get("reason") or "").strip():
        errors.add("outcome.reason", _("Say why the discussion was postponed or escalated."))
    return errors


def check_ready_to_sign(data: dict[str, Any]) -> None:
    """Raise PayloadInvalid unless the discussion has an outcome (with a reason where needed)."""
    _signing_errors(data).raise_as_payload_invalid()


class MeetingRefSchema(Schema):
    meeting_id = _identifier(required=True)
    team_id = _identifier(required=True)
    date = fields.Date(required=True)


class SignatureSchema(Schema):
    worker_id = _identifier(required=True)
    name = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=100, error=_("Write a name of 1-100 characters.")),
            _not_blank,
        ],
    )
    at = _aware_datetime(required=True)


class CorrectionSchema(Schema):
    """A signed entry is never edited: a correction is a new version saying what it corrects."""

    of_version = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, error=_("Must be 1 or more."))
    )
    reason = _text(2000, required=True)


class MinutesSchema(Schema):
    """Content of a ``weekly_meeting_minutes`` document: one family's signed discussion."""

    schema_version = fields.Integer(
        load_default=SCHEMA_VERSION, validate=validate.Equal(SCHEMA_VERSION)
    )
    meeting = fields.Nested(MeetingRefSchema, required=True)
    family_clients = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_FAMILY_CLIENTS, error=_("Name 1-{max} clients of the family.")
        ),
    )
    discussion = fields.Nested(DiscussionSchema, required=True)
    signed = fields.Nested(SignatureSchema, required=True)
    correction = fields.Nested(CorrectionSchema, load_default=None, allow_none=True)

    @validates_schema
    def _signable(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors = FieldErrors()
        for path, messages in _signing_errors(data["discussion"]).flat.items():
            for message in messages:
                errors.add(f"discussion.{path}", message)
        errors.raise_as_validation_error()
