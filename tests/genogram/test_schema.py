"""The genogram document schema: invalid payloads name the exact field, valid ones load.

Every family here is invented. Each invalid case changes one thing in a valid family, so the
error must be that one field and no other.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from plugin_host.api import PayloadInvalid, load_payload
from plugins.genogram.schemas import GenogramSchema
from tests.genogram import families
from tests.genogram.families import by_id, child_of, ended, person, union, when
from tests.payload_edits import DELETE, apply_edits


def family() -> dict[str, Any]:
    """A small valid three-generation family; the cases below break it one field at a time."""
    return {
        "index_person": "c",
        "persons": [
            {"id": "c", "first_names": "Eino", "born": {"date": "2015-04-03"}},  # 0
            {"id": "m", "first_names": "Maija", "born": {"date": "1985"}},  # 1
            {"id": "f", "first_names": "Jari"},  # 2
            {"id": "g", "first_names": "Aino", "vital_status": "deceased"},  # 3
            {"id": "s", "first_names": "Lilja"},  # 4
        ],
        "unions": [{"id": "u1", "partners": ["f", "m"]}],
        "parentage": [
            {"child": "c", "parent": "m"},
            {"child": "c", "parent": "f"},
            {"child": "m", "parent": "g"},
            {"child": "s", "parent": "m"},
        ],
        "households": [{"id": "h1", "members": ["c", "m"]}],
        "ties": [{"id": "t1", "source": "c", "target": "m", "kind": "close"}],
        "network": [{"id": "n1", "label": "Koivukylä school", "category": "school"}],
        "pins": {
            "genogram": [{"id": "c", "x": 10}],
            "network": [{"id": "n1", "x": 1, "y": 2}],
        },
    }


def edited(*edits: tuple[str, Any]) -> dict[str, Any]:
    """``family()`` with each dotted path set (``+`` appends to a list, DELETE removes)."""
    return apply_edits(family(), *edits)


MISCARRIAGE = {"id": "x", "kind": "miscarriage"}

INVALID = [
    # closed vocabularies
    ("person kind", [("persons.0.kind", "alien")], "persons.0.kind"),
    ("gender identity", [("persons.1.gender_identity", "female")], "persons.1.gender_identity"),
    ("sex at birth", [("persons.1.sex_at_birth", "f")], "persons.1.sex_at_birth"),
    ("vital status", [("persons.3.vital_status", "dead")], "persons.3.vital_status"),
    ("avatar", [("persons.0.avatar", "dragon")], "persons.0.avatar"),
    (
        "marker kind",
        [("persons.0.markers", [{"kind": "concern", "text": "Sleeps badly"}])],
        "persons.0.markers.0.kind",
    ),
    ("union kind", [("unions.0.kind", "engaged")], "unions.0.kind"),
    ("union status", [("unions.0.status", "married")], "unions.0.status"),
    ("parentage kind", [("parentage.0.kind", "birth")], "parentage.0.kind"),
    ("tie kind", [("ties.0.kind", "love")], "ties.0.kind"),
    ("tie direction", [("ties.0.direction", "up")], "ties.0.direction"),
    ("tie quality", [("ties.0.quality", "good")], "ties.0.quality"),
    ("network category", [("network.0.category", "club")], "network.0.category"),
    ("network strength", [("network.0.strength", "huge")], "network.0.strength"),
    (
        "twin kind",
        [("twins", [{"id": "w1", "members": ["c", "s"], "kind": "triplets"}])],
        "twins.0.kind",
    ),
    # dates
    ("not a real day", [("persons.0.born", {"date": "2019-02-30"})], "persons.0.born.date"),
    ("words for a date", [("persons.0.born", {"date": "sometime"})], "persons.0.born.date"),
    ("too long ago", [("persons.1.born", {"date": "1700"})], "persons.1.born.date"),
    ("too far ahead", [("persons.1.born", {"date": "2201"})], "persons.1.born.date"),
    ("month 13", [("persons.0.born", {"date": "2019-13"})], "persons.0.born.date"),
    ("one-digit month", [("persons.0.born", {"date": "2019-4-3"})], "persons.0.born.date"),
    ("day-first date", [("persons.0.born", {"date": "03.04.2015"})], "persons.0.born.date"),
    (
        "non-ASCII digits",
        [("persons.1.born", {"date": "\u0661\u0669\u0668\u0665"})],
        "persons.1.born.date",
    ),
    ("date without date", [("persons.0.born", {"approximate": True})], "persons.0.born.date"),
    ("date as a string", [("persons.0.born", "2015-04-03")], "persons.0.born"),
    (
        "approximate not a boolean",
        [("persons.0.born", {"date": "2015", "approximate": "roughly"})],
        "persons.0.born.approximate",
    ),
    (
        "unknown field in a date",
        [("persons.0.born", {"date": "2015", "circa": True})],
        "persons.0.born.circa",
    ),
    (
        "died before born",
        [("persons.1.vital_status", "deceased"), ("persons.1.died", {"date": "1984-12"})],
        "persons.1.died",
    ),
    ("death date while alive", [("persons.1.died", {"date": "2020"})], "persons.1.died"),
    (
        "death date while not known whether alive",
        [("persons.1.vital_status", "unknown"), ("persons.1.died", {"date": "2020"})],
        "persons.1.died",
    ),
    # unions
    ("one partner", [("unions.0.partners", ["m"])], "unions.0.partners"),
    ("three partners", [("unions.0.partners", ["m", "f", "g"])], "unions.0.partners"),
    ("own partner", [("unions.0.partners", ["m", "m"])], "unions.0.partners"),
    ("unknown partner", [("unions.0.partners", ["m", "nobody"])], "unions.0.partners"),
    ("no partners", [("unions.0.partners", DELETE)], "unions.0.partners"),
    (
        "divorce of a cohabitation",
        [("unions.0.kind", "cohabitation"), ("unions.0.status", "divorced")],
        "unions.0.status",
    ),
    (
        "divorce date of a dating",
        [
            ("unions.0.kind", "dating"),
            ("unions.0.status", "separated"),
            ("unions.0.divorced", {"date": "2012"}),
        ],
        "unions.0.status",
    ),
    (
        "separation date while together",
        [("unions.0.separated", {"date": "2010"})],
        "unions.0.separated",
    ),
    ("widowed date while together", [("unions.0.widowed", {"date": "2010"})], "unions.0.widowed"),
    (
        "separated before the union began",
        [
            ("unions.0.started", {"date": "2010"}),
            ("unions.0.status", "separated"),
            ("unions.0.separated", {"date": "2005"}),
        ],
        "unions.0.separated",
    ),
    (
        "a miscarriage as a partner",
        [("persons.+", MISCARRIAGE), ("unions.0.partners", ["f", "x"])],
        "unions.0.partners",
    ),
    ("unknown field in a union", [("unions.0.since", "2001")], "unions.0.since"),
    # parentage
    ("unknown child", [("parentage.0.child", "nobody")], "parentage.0.child"),
    ("unknown parent", [("parentage.1.parent", "nobody")], "parentage.1.parent"),
    ("own parent", [("parentage.+", {"child": "m", "parent": "m"})], "parentage.4.parent"),
    ("parent linked twice", [("parentage.+", {"child": "c", "parent": "m"})], "parentage.4.parent"),
    (
        "a miscarriage as a parent",
        [("persons.+", MISCARRIAGE), ("parentage.+", {"child": "s", "parent": "x"})],
        "parentage.4.parent",
    ),
    (
        "own grandparent",
        [("parentage.+", {"child": "g", "parent": "c"})],
        "parentage.4.parent",
    ),
    (
        # g's first link (to f) is not part of the cycle c -> m -> g -> c; the second one is.
        "ancestry cycle closed by a person's second parent link",
        [
            ("parentage.+", {"child": "g", "parent": "f"}),
            ("parentage.+", {"child": "g", "parent": "c"}),
        ],
        "parentage.5.parent",
    ),
    # twins, households
    ("one twin", [("twins", [{"id": "w1", "members": ["c"]}])], "twins.0.members"),
    ("twin listed twice", [("twins", [{"id": "w1", "members": ["c", "c"]}])], "twins.0.members"),
    ("unknown twin", [("twins", [{"id": "w1", "members": ["c", "nobody"]}])], "twins.0.members"),
    (
        "unknown household member",
        [("households.0.members", ["c", "nobody"])],
        "households.0.members",
    ),
    ("empty household", [("households.0.members", [])], "households.0.members"),
    # ties
    ("unknown tie source", [("ties.0.source", "nobody")], "ties.0.source"),
    ("unknown tie target", [("ties.0.target", "nobody")], "ties.0.target"),
    ("tie to oneself", [("ties.0.target", "c")], "ties.0.target"),
    ("unknown perspective", [("ties.0.perspective", "nobody")], "ties.0.perspective"),
    # network and pins
    ("unknown network person", [("network.0.persons", ["nobody"])], "network.0.persons"),
    ("network node without label", [("network.0.label", "")], "network.0.label"),
    (
        "network id twice",
        [("network.+", {"id": "n1", "label": "Clinic", "category": "health"})],
        "network.1.id",
    ),
    ("pin of nobody", [("pins.genogram.0.id", "nobody")], "pins.genogram.0.id"),
    ("network pin of no node", [("pins.network.0.id", "n9")], "pins.network.0.id"),
    ("network pin without y", [("pins.network.0.y", DELETE)], "pins.network.0.y"),
    ("pin x not a number", [("pins.genogram.0.x", "left")], "pins.genogram.0.x"),
    ("pin x far away", [("pins.genogram.0.x", 1e7)], "pins.genogram.0.x"),
    ("pin x not a number at all", [("pins.genogram.0.x", float("nan"))], "pins.genogram.0.x"),
    ("network pin y far away", [("pins.network.0.y", 1e7)], "pins.network.0.y"),
    # ids and the index person
    ("person id twice", [("persons.+", {"id": "m"})], "persons.5.id"),
    (
        "union id twice",
        [("unions.+", {"id": "u1", "partners": ["g", "s"]})],
        "unions.1.id",
    ),
    ("id with a space", [("persons.+", {"id": "has space"})], "persons.5.id"),
    ("id with a line break", [("persons.+", {"id": "p9\n"})], "persons.5.id"),
    ("empty id", [("persons.+", {"id": ""})], "persons.5.id"),
    ("id too long", [("persons.+", {"id": "a" * 65})], "persons.5.id"),
    ("person without id", [("persons.4.id", DELETE)], "persons.4.id"),
    ("unknown index person", [("index_person", "nobody")], "index_person"),
    (
        "index person a miscarriage",
        [("persons.+", MISCARRIAGE), ("index_person", "x")],
        "index_person",
    ),
    ("no index person", [("index_person", DELETE)], "index_person"),
    # the document
    ("schema version 2", [("schema_version", 2)], "schema_version"),
    ("unknown field", [("colour", "blue")], "colour"),
    ("unknown person field", [("persons.0.nickname", "Eikka")], "persons.0.nickname"),
    ("no persons", [("persons", [])], "persons"),
    ("persons not a list", [("persons", {"id": "c"})], "persons"),
    ("persons missing", [("persons", DELETE)], "persons"),
    ("first names too long", [("persons.0.first_names", "E" * 101)], "persons.0.first_names"),
    ("last name too long", [("persons.0.last_name", "V" * 101)], "persons.0.last_name"),
    ("note too long", [("persons.0.note", "n" * 501)], "persons.0.note"),
    ("name not a string", [("persons.0.first_names", 42)], "persons.0.first_names"),
    ("third party not a boolean", [("persons.0.third_party", "maybe")], "persons.0.third_party"),
    (
        "markers on a miscarriage",
        [("persons.+", {**MISCARRIAGE, "markers": [{"kind": "worry", "text": "Grief"}]})],
        "persons.5.markers",
    ),
    (
        "empty marker",
        [("persons.0.markers", [{"kind": "worry", "text": ""}])],
        "persons.0.markers.0.text",
    ),
    (
        "too many markers",
        [("persons.0.markers", [{"kind": "resource", "text": "Friends"}] * 21)],
        "persons.0.markers",
    ),
    ("document note too long", [("note", "n" * 2001)], "note"),
    ("meeting id too long", [("meeting_id", "m" * 65)], "meeting_id"),
    ("pins not a mapping", [("pins", [])], "pins"),
]


def test_there_are_many_invalid_cases() -> None:
    assert len(INVALID) >= 40
    assert len({name for name, _edits, _path in INVALID}) == len(INVALID)


def test_the_base_family_is_valid() -> None:
    load_payload(GenogramSchema(), family())


@pytest.mark.parametrize(
    ("edits", "path"),
    [pytest.param(edits, path, id=name) for name, edits, path in INVALID],
)
def test_invalid_payload_names_the_field(edits: list[tuple[str, Any]], path: str) -> None:
    with pytest.raises(PayloadInvalid) as raised:
        load_payload(GenogramSchema(), edited(*edits))
    assert list(raised.value.errors) == [path]
    assert all(message for message in raised.value.errors[path])


def test_minimal_genogram_loads_with_defaults() -> None:
    loaded = load_payload(GenogramSchema(), {"index_person": "p1", "persons": [{"id": "p1"}]})
    assert loaded["schema_version"] == 1
    assert loaded["persons"] == [
        {
            "id": "p1",
            "record_person_id": None,
            "kind": "person",
            "first_names": "",
            "last_name": "",
            "gender_identity": "unknown",
            "sex_at_birth": "unknown",
            "born": None,
            "vital_status": "alive",
            "died": None,
            "markers": [],
            "third_party": False,
            "confidential": False,
            "avatar": None,
            "note": "",
        }
    ]
    for section in ("unions", "parentage", "twins", "households", "ties", "network"):
        assert loaded[section] == []
    assert loaded["pins"] == {"genogram": [], "network": []}


def full_family() -> dict[str, Any]:
    """The Testinen family (families.py) with every feature of the document added."""
    doc = families.the_testinen_family()
    people = by_id(doc["persons"])
    people["aino"].update(avatar="elder", third_party=True)
    people["maija"].update(
        record_person_id="rec-0002",
        markers=[
            {"kind": "worry", "text": "Tired after night shifts"},
            {"kind": "resource", "text": "Close to her sister"},
        ],
    )
    people["jari"]["confidential"] = True
    people["eino"].update(record_person_id="rec-0001", avatar="child")
    doc["persons"] += [
        person("helena", "Helena", gender_identity="woman"),
        person("elsa", "Elsa", born=when("2015-06-01")),
        {"id": "mc1", "kind": "miscarriage", "born": when("2013", approximate=True)},
        {"id": "sb1", "kind": "stillbirth", "born": when("2012-01-05")},
        {"id": "baby", "kind": "pregnancy"},
        person("leo", "Leo", gender_identity="other"),
    ]
    unions = by_id(doc["unions"])
    unions["u2"]["kind"] = "registered_partnership"
    unions["u3"]["status"] = "together"
    doc["unions"].append(union("u4", "kai", "leo", kind="dating", **ended("separated", "2020")))
    (step,) = (link for link in doc["parentage"] if link.get("kind") == "step")
    step["started"] = when("2018")
    doc["parentage"] += [
        *child_of("elsa", "maija", "jari"),
        *child_of("mc1", "maija"),
        *child_of("sb1", "maija"),
        *child_of("baby", "maija", "pekka"),
        {
            "child": "eino",
            "parent": "helena",
            "kind": "foster",
            "started": when("2021-09"),
            "ended": when("2023-01"),
        },
        *child_of("elsa", "kai", kind="kinship_carer"),
        *child_of("elsa", "leo", kind="guardian"),
        *child_of("kai", "helena", kind="adoptive"),
    ]
    doc.update(
        schema_version=1,
        meeting_id="meeting-2024-05",
        note="Drawn with the family in the weekly meeting.",
        twins=[{"id": "w1", "members": ["eino", "elsa"], "kind": "fraternal"}],
        households=[
            {"id": "h1", "members": ["maija", "pekka", "elsa"], "label": "Home"},
            {
                "id": "h2",
                "members": ["eino", "helena"],
                "label": "Foster home",
                "started": when("2021-09"),
                "ended": when("2023-01"),
            },
        ],
        ties=[
            {
                "id": "t1",
                "source": "eino",
                "target": "maija",
                "kind": "close",
                "quality": "empowering",
            },
            {
                "id": "t2",
                "source": "maija",
                "target": "jari",
                "kind": "conflict",
                "direction": "from_to",
                "perspective": "maija",
                "note": "Arguments at handovers.",
            },
            {"id": "t3", "source": "eino", "target": "kai", "kind": "caregiving"},
            {
                "id": "t4",
                "source": "jari",
                "target": "eino",
                "kind": "distant",
                "perspective": "worker",
            },
        ],
        network=[
            {
                "id": "n1",
                "label": "Koivukylä school",
                "category": "school",
                "strength": "strong",
                "persons": ["eino", "elsa"],
            },
            {
                "id": "n2",
                "label": "Neighbour Pirkko",
                "category": "friends",
                "stressful": True,
                "flow": "to_family",
                "note": "Helps on Tuesdays.",
            },
            {"id": "n3", "label": "Football club", "category": "hobbies", "strength": "tenuous"},
        ],
        pins={
            "genogram": [{"id": "eino", "x": 120.5}, {"id": "eino", "x": 140.0}],
            "network": [{"id": "n1", "x": -40, "y": 80}, {"id": "n2", "x": 10.0, "y": -5.5}],
        },
    )
    return doc


def test_three_generation_family_with_every_feature_loads() -> None:
    loaded = load_payload(GenogramSchema(), full_family())
    assert [p["id"] for p in loaded["persons"]][:3] == ["aino", "veikko", "maija"]
    assert loaded["persons"][0]["born"] == {"date": "1948", "approximate": True}
    assert loaded["parentage"][0]["kind"] == "biological"
    # One pin per id: the last drag wins.
    assert loaded["pins"]["genogram"] == [{"id": "eino", "x": 140.0, "y": None}]
    assert loaded["ties"][0]["perspective"] == "family"


VALID_VARIATIONS = [
    (
        "death in the birth year, at coarser precision",
        [
            ("persons.1.born", {"date": "1985-05-01"}),
            ("persons.1.vital_status", "deceased"),
            ("persons.1.died", {"date": "1985"}),
        ],
    ),
    ("deceased without a date", [("persons.1.vital_status", "deceased")]),
    ("deceased index person", [("persons.0.vital_status", "deceased")]),
    (
        "divorced registered partnership",
        [
            ("unions.0.kind", "registered_partnership"),
            ("unions.0.status", "divorced"),
            ("unions.0.divorced", {"date": "2019-06-30"}),
        ],
    ),
    (
        "widowed dating",
        [("unions.0.kind", "dating"), ("unions.0.status", "widowed")],
    ),
    (
        "the same couple twice",
        [("unions.+", {"id": "u2", "partners": ["m", "f"], "kind": "cohabitation"})],
    ),
    (
        "step-parent, foster parent and guardian besides both parents",
        [
            ("parentage.+", {"child": "c", "parent": "g", "kind": "guardian"}),
            ("parentage.+", {"child": "c", "parent": "s", "kind": "kinship_carer"}),
        ],
    ),
    ("ids with dots and dashes", [("persons.+", {"id": "P.9-x_1"})]),
    ("perspective of the worker", [("ties.0.perspective", "worker")]),
    ("a tie seen by someone in it", [("ties.0.perspective", "m")]),
    ("a pin off the network axis", [("pins.genogram.0.y", 12.5)]),
    ("empty note and meeting", [("note", ""), ("meeting_id", None)]),
    (
        "twins of three",
        [("twins", [{"id": "w1", "members": ["c", "s", "f"], "kind": "identical"}])],
    ),
    ("record id unknown", [("persons.0.record_person_id", None)]),
]


@pytest.mark.parametrize(
    "edits", [pytest.param(edits, id=name) for name, edits in VALID_VARIATIONS]
)
def test_valid_variation_loads(edits: list[tuple[str, Any]]) -> None:
    load_payload(GenogramSchema(), edited(*edits))


def test_loading_does_not_change_the_payload() -> None:
    payload = full_family()
    before = copy.deepcopy(payload)
    load_payload(GenogramSchema(), payload)
    assert payload == before
