"""The genogram document: the one model behind the genogram, the network map and every export.

A genogram is stored in the client's record as one JSON document of type ``genogram``; every save
is a new version. These schemas are the single source of truth for its shape: the editor's
payloads, the record document, the GEDCOM import and the layout all go through them, and every
error names the field (``persons.3.death``, ``unions.0.partners``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from itertools import pairwise
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from plugin_host.api import lazy_gettext as _
from plugins.genogram import vocabulary as v

DOCUMENT_TYPE = "genogram"
SCHEMA_VERSION = 1
MAX_PERSONS = 10_000
MAX_NETWORK_NODES = 500
NAME_LENGTH = 100
NOTE_LENGTH = 500
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
PARTIAL_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")


def _one_of(vocabulary: Iterable[str]) -> validate.OneOf:
    choices = tuple(vocabulary)
    return validate.OneOf(choices, error=_("Must be one of: {choices}."))


def _identifier(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(
            IDENTIFIER, error=_("Use 1-64 letters, digits, dots, dashes or underscores.")
        ),
        **kwargs,
    )


class PartialDate(fields.String):
    """A date as precise as it is known: ``1958``, ``1958-04`` or ``1958-04-30``.

    The precision is the form itself, so a year known only roughly never turns into 1 January.
    """

    default_error_messages = {
        "format": _("Write the date as YYYY, YYYY-MM or YYYY-MM-DD."),
        "range": _("The date is not a real date."),
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        match = PARTIAL_DATE.match(text)
        if match is None:
            raise self.make_error("format")
        year, month, day = (int(part) if part else None for part in match.groups())
        try:
            date(year, month or 1, day or 1)
        except ValueError:
            raise self.make_error("range") from None
        if year < 1800 or year > 2200:
            raise self.make_error("range")
        return text


def sort_key(partial: str | None) -> tuple[int, int, int]:
    """Order partial dates; an unknown date sorts last, a year alone before its months."""
    if not partial:
        return (9999, 99, 99)
    parts = [int(p) for p in partial.split("-")]
    return (parts[0], parts[1] if len(parts) > 1 else 0, parts[2] if len(parts) > 2 else 0)


class FuzzyDateSchema(Schema):
    """A partial date and whether it is only approximate ("about 1950")."""

    date = PartialDate(required=True)
    approximate = fields.Boolean(load_default=False)


class MarkerSchema(Schema):
    """A worry or a resource noted on a person, as systemic practice names them together."""

    kind = fields.String(required=True, validate=_one_of(v.MARKER_KINDS))
    text = fields.String(required=True, validate=validate.Length(min=1, max=200))


class PersonSchema(Schema):
    id = _identifier(required=True)
    # The record system's id for this person (a family member or the client), when known.
    record_person_id = fields.String(load_default=None, validate=validate.Length(max=64))
    kind = fields.String(load_default="person", validate=_one_of(v.PERSON_KINDS))
    first_names = fields.String(load_default="", validate=validate.Length(max=NAME_LENGTH))
    last_name = fields.String(load_default="", validate=validate.Length(max=NAME_LENGTH))
    gender_identity = fields.String(load_default="unknown", validate=_one_of(v.GENDER_IDENTITIES))
    sex_at_birth = fields.String(load_default="unknown", validate=_one_of(v.SEXES_AT_BIRTH))
    born = fields.Nested(FuzzyDateSchema, load_default=None, allow_none=True)
    vital_status = fields.String(load_default="alive", validate=_one_of(v.VITAL_STATUSES))
    died = fields.Nested(FuzzyDateSchema, load_default=None, allow_none=True)
    markers = fields.List(
        fields.Nested(MarkerSchema), load_default=list, validate=validate.Length(max=20)
    )
    # Not a client in this case: masked to their role in an access-request export.
    third_party = fields.Boolean(load_default=False)
    # Under a non-disclosure order or otherwise confidential: never shown in the family view.
    confidential = fields.Boolean(load_default=False)
    avatar = fields.String(load_default=None, allow_none=True, validate=_one_of(v.AVATARS))
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_LENGTH))

    @validates_schema
    def _life(self, data: dict[str, Any], **_kwargs: Any) -> None:
        died, born = data.get("died"), data.get("born")
        if died and data.get("vital_status") != "deceased":
            raise ValidationError(_("Only a deceased person has a date of death."), "died")
        if died and born and _before(died["date"], born["date"]):
            raise ValidationError(_("The date of death is before the date of birth."), "died")
        if data.get("kind") in {"miscarriage", "stillbirth"} and data.get("markers"):
            raise ValidationError(_("A pregnancy loss carries no markers."), "markers")


def _before(first: str, second: str) -> bool:
    """True if ``first`` is surely before ``second``, compared at the precision both have."""
    depth = min(first.count("-"), second.count("-")) + 1
    return sort_key(first)[:depth] < sort_key(second)[:depth]


class UnionSchema(Schema):
    """Two partners: marriage, registered partnership, cohabitation or dating, and how it ended."""

    id = _identifier(required=True)
    partners = fields.List(
        _identifier(),
        required=True,
        validate=validate.Length(equal=2, error=_("A union has exactly two partners.")),
    )
    kind = fields.String(load_default="marriage", validate=_one_of(v.UNION_KINDS))
    status = fields.String(load_default="together", validate=_one_of(v.UNION_STATUSES))
    started = fields.Nested(FuzzyDateSchema, load_default=None, allow_none=True)
    separated = fields.Nested(FuzzyDateSchema, load_default=None, allow_none=True)
    divorced = fields.Nested(FuzzyDateSchema, load_default=None, allow_none=True)
    widowed = fields.Nested(FuzzyDateSchema, load_default=None, allow_none=True)

    @validates_schema
    def _ending(self, data: dict[str, Any], **_kwargs: Any) -> None:
        partners = data.get("partners") or []
        if len(partners) == 2 and partners[0] == partners[1]:
            raise ValidationError(_("A person cannot be their own partner."), "partners")
        status = data.get("status", "together")
        if data.get("divorced") or status == "divorced":
            if data.get("kind", "marriage") not in v.FORMAL_UNIONS:
                raise ValidationError(
                    _("Only a marriage or a registered partnership ends in divorce."), "status"
                )
        for ending in ("separated", "divorced", "widowed"):
            if data.get(ending) and status == "together":
                raise ValidationError(
                    _("A union that is still together has no date of ending."), ending
                )
        _in_order(data, ("started", "separated", "divorced"))
        _in_order(data, ("started", "widowed"))


def _in_order(data: dict[str, Any], names: tuple[str, ...]) -> None:
    """Dates that follow each other in life must not be given the other way round."""
    given = [(name, data[name]["date"]) for name in names if data.get(name)]
    for (_earlier, first), (later, second) in pairwise(given):
        if _before(second, first):
            raise ValidationError(_("This date is before the one it follows."), later)


class _PeriodSchema(Schema):
    """Something that began and may have ended, in that order."""

    started = fields.Nested(FuzzyDateSchema, load_default=None, allow_none=True)
    ended = fields.Nested(FuzzyDateSchema, load_default=None, allow_none=True)

    @validates_schema
    def _dates(self, data: dict[str, Any], **_kwargs: Any) -> None:
        _in_order(data, ("started", "ended"))


class ParentageSchema(_PeriodSchema):
    """One parent of one child and the kind of parenthood; a child may have any number."""

    child = _identifier(required=True)
    parent = _identifier(required=True)
    kind = fields.String(load_default="biological", validate=_one_of(v.PARENTAGE_KINDS))


class TwinSetSchema(Schema):
    id = _identifier(required=True)
    members = fields.List(
        _identifier(),
        required=True,
        validate=validate.Length(min=2, max=8, error=_("Twins are two to eight people.")),
    )
    kind = fields.String(load_default="unknown", validate=_one_of(v.TWIN_KINDS))


class HouseholdSchema(_PeriodSchema):
    """People living together, with the dates they did; the current one has no end."""

    id = _identifier(required=True)
    members = fields.List(_identifier(), required=True, validate=validate.Length(min=1))
    label = fields.String(load_default="", validate=validate.Length(max=NAME_LENGTH))


class TieSchema(Schema):
    """An emotional relationship between two people, as someone in the family sees it."""

    id = _identifier(required=True)
    source = _identifier(required=True)
    target = _identifier(required=True)
    kind = fields.String(required=True, validate=_one_of(v.TIE_KINDS))
    direction = fields.String(load_default="mutual", validate=_one_of(v.TIE_DIRECTIONS))
    quality = fields.String(load_default="open", validate=_one_of(v.TIE_QUALITIES))
    # Whose view this is: a person in the drawing, the worker's or the family's shared view.
    perspective = _identifier(load_default="family")
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_LENGTH))


class NetworkNodeSchema(Schema):
    """Someone or something in the family's network (Hartman's ecomap)."""

    id = _identifier(required=True)
    label = fields.String(required=True, validate=validate.Length(min=1, max=NAME_LENGTH))
    category = fields.String(required=True, validate=_one_of(v.NETWORK_CATEGORIES))
    strength = fields.String(load_default="moderate", validate=_one_of(v.NETWORK_STRENGTHS))
    stressful = fields.Boolean(load_default=False)
    flow = fields.String(load_default="none", validate=_one_of(v.NETWORK_FLOWS))
    # Whom in the family the tie is with; empty means the household as a whole.
    persons = fields.List(_identifier(), load_default=list)
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_LENGTH))


class PinSchema(Schema):
    """Where the worker dragged a person (genogram: x within the generation row) or a node."""

    id = _identifier(required=True)
    x = fields.Float(required=True, allow_nan=False, validate=validate.Range(-1e6, 1e6))
    y = fields.Float(
        load_default=None, allow_none=True, allow_nan=False, validate=validate.Range(-1e6, 1e6)
    )


class PinsSchema(Schema):
    genogram = fields.List(fields.Nested(PinSchema), load_default=list)
    network = fields.List(fields.Nested(PinSchema), load_default=list)


class GenogramSchema(Schema):
    """Content of a ``genogram`` document."""

    schema_version = fields.Integer(
        load_default=SCHEMA_VERSION, validate=validate.Equal(SCHEMA_VERSION)
    )
    index_person = _identifier(required=True)
    persons = fields.List(
        fields.Nested(PersonSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_PERSONS),
    )
    unions = fields.List(fields.Nested(UnionSchema), load_default=list)
    parentage = fields.List(fields.Nested(ParentageSchema), load_default=list)
    twins = fields.List(fields.Nested(TwinSetSchema), load_default=list)
    households = fields.List(fields.Nested(HouseholdSchema), load_default=list)
    ties = fields.List(fields.Nested(TieSchema), load_default=list)
    network = fields.List(
        fields.Nested(NetworkNodeSchema),
        load_default=list,
        validate=validate.Length(max=MAX_NETWORK_NODES),
    )
    pins = fields.Nested(PinsSchema, load_default=lambda: {"genogram": [], "network": []})
    # The weekly meeting this version was made in, when there was one.
    meeting_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    note = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def _references(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Every id unique, every reference to something that exists, no impossible family."""
        errors = _ReferenceErrors()
        persons = data.get("persons") or []
        person_ids = errors.unique_ids("persons", persons)
        network_ids = errors.unique_ids("network", data.get("network") or [])
        for section in ("unions", "twins", "households", "ties"):
            errors.unique_ids(section, data.get(section) or [])
        if "index_person" in data and data["index_person"] not in person_ids:
            errors.add(("index_person",), _("No person has this id."))
        elif persons:
            index = next(p for p in persons if p["id"] == data["index_person"])
            if index["kind"] != "person":
                errors.add(("index_person",), _("The index person must be a born person."))
        unborn = {p["id"] for p in persons if p["kind"] != "person"}
        for i, union in enumerate(data.get("unions") or []):
            errors.known(("unions", i, "partners"), union["partners"], person_ids)
            if unborn & set(union["partners"]):
                errors.add(("unions", i, "partners"), _("Only a born person can be a partner."))
        for i, link in enumerate(data.get("parentage") or []):
            errors.known(("parentage", i, "child"), [link["child"]], person_ids)
            errors.known(("parentage", i, "parent"), [link["parent"]], person_ids)
            if link["parent"] in unborn:
                errors.add(("parentage", i, "parent"), _("Only a born person can be a parent."))
            if link["child"] == link["parent"]:
                errors.add(("parentage", i, "parent"), _("A person cannot be their own parent."))
        errors.duplicate_parentage(data.get("parentage") or [])
        for i, twins in enumerate(data.get("twins") or []):
            errors.known(("twins", i, "members"), twins["members"], person_ids)
            if len(set(twins["members"])) != len(twins["members"]):
                errors.add(("twins", i, "members"), _("A person is listed twice."))
        for i, household in enumerate(data.get("households") or []):
            errors.known(("households", i, "members"), household["members"], person_ids)
        for i, tie in enumerate(data.get("ties") or []):
            errors.known(("ties", i, "source"), [tie["source"]], person_ids)
            errors.known(("ties", i, "target"), [tie["target"]], person_ids)
            if tie["source"] == tie["target"]:
                errors.add(("ties", i, "target"), _("A tie needs two different people."))
            if tie["perspective"] not in v.SHARED_PERSPECTIVES:
                errors.known(("ties", i, "perspective"), [tie["perspective"]], person_ids)
        for i, node in enumerate(data.get("network") or []):
            errors.known(("network", i, "persons"), node["persons"], person_ids)
        pins = data.get("pins") or {}
        for i, pin in enumerate(pins.get("genogram", [])):
            errors.known(("pins", "genogram", i, "id"), [pin["id"]], person_ids)
        for i, pin in enumerate(pins.get("network", [])):
            errors.known(("pins", "network", i, "id"), [pin["id"]], network_ids)
            if pin.get("y") is None:
                errors.add(("pins", "network", i, "y"), _("A network pin needs both x and y."))
        if not errors:
            errors.ancestry_cycles(data.get("parentage") or [])
        errors.raise_if_any()

    @post_load
    def _sorted_pins(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        # One pin per id: the last drag wins, so an editor may simply append.
        for map_name in ("genogram", "network"):
            latest = {pin["id"]: pin for pin in data["pins"].get(map_name, [])}
            data["pins"][map_name] = list(latest.values())
        return data


class _ReferenceErrors:
    """Collects cross-reference errors under their field paths, as marshmallow nests them."""

    def __init__(self) -> None:
        self.messages: dict[Any, Any] = {}

    def __bool__(self) -> bool:
        return bool(self.messages)

    def add(self, path: tuple[Any, ...], message: Any) -> None:
        node = self.messages
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node.setdefault(path[-1], []).append(message)

    def unique_ids(self, section: str, items: list[dict[str, Any]]) -> set[str]:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item["id"] in seen:
                self.add((section, i, "id"), _("This id is already used."))
            seen.add(item["id"])
        return seen

    def known(self, path: tuple[Any, ...], ids: list[str], existing: set[str]) -> None:
        for missing in sorted(set(ids) - existing):
            self.add(path, _("No person or node has the id {id}.").format(id=missing))

    def duplicate_parentage(self, links: list[dict[str, Any]]) -> None:
        seen: set[tuple[str, str]] = set()
        for i, link in enumerate(links):
            pair = (link["child"], link["parent"])
            if pair in seen:
                self.add(("parentage", i, "parent"), _("This parent is already linked."))
            seen.add(pair)

    def ancestry_cycles(self, links: list[dict[str, Any]]) -> None:
        """Nobody can be their own ancestor (checked iteratively: families can be large)."""
        parents: dict[str, list[str]] = defaultdict(list)
        for link in links:
            parents[link["child"]].append(link["parent"])
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        for start in sorted(parents):
            if state.get(start):
                continue
            stack = [(start, iter(parents[start]))]
            state[start] = 1
            while stack:
                person, pending = stack[-1]
                parent = next(pending, None)
                if parent is None:
                    state[person] = 2
                    stack.pop()
                elif state.get(parent) == 1:
                    index = next(
                        i
                        for i, lk in enumerate(links)
                        if lk["child"] == person and lk["parent"] == parent
                    )
                    self.add(
                        ("parentage", index, "parent"),
                        _("This would make a person their own ancestor."),
                    )
                    return
                elif not state.get(parent):
                    state[parent] = 1
                    stack.append((parent, iter(parents.get(parent, ()))))

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)
