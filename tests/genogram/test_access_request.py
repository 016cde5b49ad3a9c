"""Masking third parties and confidential persons for a client's access request.

The family is invented. Eino is the client; his father is under a non-disclosure order, his
grandmother, aunt and foster mother are third parties in the case.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from plugin_host.api import load_payload
from plugins.genogram.access_request import is_masked, mask_third_parties
from plugins.genogram.schemas import GenogramSchema


def family() -> dict[str, Any]:
    data = {
        "index_person": "eino",
        "persons": [
            {
                "id": "eino",
                "record_person_id": "rec-0001",
                "first_names": "Eino",
                "last_name": "Esimerkki",
                "gender_identity": "man",
                "sex_at_birth": "male",
                "born": {"date": "2015-06-01"},
                "markers": [{"kind": "resource", "text": "Loves football"}],
            },
            {
                "id": "maija",
                "record_person_id": "rec-0002",
                "first_names": "Maija",
                "last_name": "Testinen",
                "gender_identity": "woman",
                "sex_at_birth": "female",
                "born": {"date": "1985-02-03"},
                "note": "Works shifts.",
            },
            {
                "id": "jari",
                "record_person_id": "rec-0003",
                "first_names": "Jari",
                "last_name": "Salainen",
                "gender_identity": "man",
                "sex_at_birth": "male",
                "born": {"date": "1982-11", "approximate": True},
                "markers": [{"kind": "worry", "text": "Threatening messages"}],
                "note": "Address under a non-disclosure order.",
                "confidential": True,
            },
            {
                "id": "aino",
                "record_person_id": "rec-0004",
                "first_names": "Aino",
                "last_name": "Isoaho",
                "gender_identity": "woman",
                "sex_at_birth": "female",
                "born": {"date": "1950"},
                "vital_status": "deceased",
                "died": {"date": "2020-03-14"},
                "avatar": "elder",
                "note": "Cared for Eino as a baby.",
                "third_party": True,
            },
            {
                "id": "kai",
                "first_names": "Kai",
                "last_name": "Isoaho",
                "gender_identity": "non_binary",
                "sex_at_birth": "intersex",
                "born": {"date": "1988"},
                "third_party": True,
            },
            {
                "id": "pekka",
                "first_names": "Pekka",
                "last_name": "Malli",
                "gender_identity": "man",
                "sex_at_birth": "male",
            },
            {
                "id": "helena",
                "first_names": "Helena",
                "last_name": "Sijainen",
                "gender_identity": "woman",
                "sex_at_birth": "female",
                "born": {"date": "1970-01-01"},
                "third_party": True,
            },
        ],
        "unions": [
            {
                "id": "u1",
                "partners": ["jari", "maija"],
                "status": "divorced",
                "divorced": {"date": "2017"},
            },
            {"id": "u2", "partners": ["maija", "pekka"], "kind": "cohabitation"},
        ],
        "parentage": [
            {"child": "eino", "parent": "maija"},
            {"child": "eino", "parent": "jari"},
            {"child": "maija", "parent": "aino"},
            {"child": "kai", "parent": "aino"},
            {"child": "eino", "parent": "pekka", "kind": "step"},
            {"child": "eino", "parent": "helena", "kind": "foster"},
        ],
        "households": [
            {"id": "h1", "members": ["eino", "maija", "pekka"], "label": "Home"},
            {"id": "h2", "members": ["eino", "helena"], "label": "Helena's foster home"},
        ],
        "ties": [
            {"id": "t1", "source": "eino", "target": "maija", "kind": "close", "note": "Warm"},
            {
                "id": "t2",
                "source": "maija",
                "target": "jari",
                "kind": "conflict",
                "perspective": "jari",
                "note": "He says she started it.",
            },
            {
                "id": "t3",
                "source": "aino",
                "target": "kai",
                "kind": "cutoff",
                "note": "An old quarrel over the summer cottage.",
            },
            {
                "id": "t4",
                "source": "eino",
                "target": "kai",
                "kind": "caregiving",
                "perspective": "eino",
                "note": "Visits on Sundays.",
            },
        ],
        "network": [
            {"id": "n1", "label": "Koivukylä school", "category": "school", "persons": ["eino"]},
            {
                "id": "n2",
                "label": "Neighbour Pirkko",
                "category": "friends",
                "note": "Pirkko drives Eino to football.",
            },
            {"id": "n3", "label": "Uncle Matti's family", "category": "relatives"},
            {"id": "n4", "label": "Child psychiatry clinic", "category": "health"},
            {"id": "n5", "label": "Coach Timo", "category": "other"},
        ],
        "pins": {"network": [{"id": "n2", "x": 5, "y": 6}]},
    }
    return load_payload(GenogramSchema(), data)


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def test_third_parties_and_confidential_persons_keep_only_their_role() -> None:
    masked = by_id(mask_third_parties(family())["persons"])
    assert (masked["aino"]["first_names"], masked["aino"]["last_name"]) == ("grandmother", "")
    assert masked["jari"]["first_names"] == "father"
    assert masked["helena"]["first_names"] == "foster mother"
    # A non-binary aunt is named by the neutral word, and the identity itself is not shown.
    assert masked["kai"]["first_names"] == "parent's sibling"
    assert masked["kai"]["gender_identity"] == "unknown"
    for person_id in ("aino", "jari", "kai", "helena"):
        person = masked[person_id]
        assert person["last_name"] == ""
        assert person["born"] is None and person["died"] is None
        assert person["record_person_id"] is None
        assert person["note"] == "" and person["markers"] == []
        assert person["avatar"] is None
        assert person["sex_at_birth"] == "unknown"


def test_masked_persons_keep_their_place_in_the_family() -> None:
    original = family()
    result = mask_third_parties(original)
    aino = by_id(result["persons"])["aino"]
    assert (aino["kind"], aino["vital_status"], aino["third_party"]) == (
        "person",
        "deceased",
        True,
    )
    assert by_id(result["persons"])["jari"]["confidential"] is True
    assert [p["id"] for p in result["persons"]] == [p["id"] for p in original["persons"]]
    for section in ("unions", "parentage", "pins"):
        assert result[section] == original[section]


def test_others_are_unchanged() -> None:
    original = by_id(family()["persons"])
    masked = by_id(mask_third_parties(family())["persons"])
    for person_id in ("eino", "maija", "pekka"):
        assert masked[person_id] == original[person_id]


def test_tie_notes_of_masked_persons_go_and_the_kinds_stay() -> None:
    ties = by_id(mask_third_parties(family())["ties"])
    assert (ties["t1"]["kind"], ties["t1"]["note"]) == ("close", "Warm")
    assert (ties["t2"]["kind"], ties["t2"]["note"]) == ("conflict", "")  # seen by the father
    assert (ties["t3"]["kind"], ties["t3"]["note"]) == ("cutoff", "")  # only between third parties
    assert ties["t4"]["note"] == "Visits on Sundays."  # the client's own view
    assert ties["t2"]["perspective"] == "jari"


def test_private_network_nodes_show_their_category() -> None:
    network = by_id(mask_third_parties(family())["network"])
    assert network["n1"]["label"] == "Koivukylä school"
    assert network["n4"]["label"] == "Child psychiatry clinic"
    assert (network["n2"]["label"], network["n2"]["note"]) == ("friends", "")
    assert network["n3"]["label"] == "relatives"
    assert network["n5"]["label"] == "other"


def test_household_labels_naming_masked_members_go() -> None:
    households = by_id(mask_third_parties(family())["households"])
    assert households["h1"]["label"] == "Home"
    assert households["h2"]["label"] == ""
    assert households["h2"]["members"] == ["eino", "helena"]


def test_nothing_identifying_a_masked_person_remains() -> None:
    text = json.dumps(mask_third_parties(family()), ensure_ascii=False)
    for secret in (
        "Jari",
        "Salainen",
        "rec-0003",
        "rec-0004",
        "Threatening",
        "non-disclosure",
        "Isoaho",
        "1950",
        "2020-03-14",
        "Helena",
        "Sijainen",
        "non_binary",
        "intersex",
        "Pirkko",
        "Matti",
        "Timo",
        "cottage",
        "elder",
    ):
        assert secret not in text, secret


def test_result_still_validates() -> None:
    result = mask_third_parties(family())
    assert load_payload(GenogramSchema(), result) == result


def test_input_is_unchanged() -> None:
    original = family()
    before = copy.deepcopy(original)
    mask_third_parties(original)
    assert original == before


def test_nobody_to_mask_changes_nothing() -> None:
    genogram = family()
    for person in genogram["persons"]:
        person["third_party"] = person["confidential"] = False
    genogram["network"] = [n for n in genogram["network"] if n["category"] in ("school", "health")]
    assert mask_third_parties(genogram) == genogram


def test_is_masked() -> None:
    assert is_masked({"third_party": True})
    assert is_masked({"confidential": True})
    assert not is_masked({"third_party": False, "confidential": False})
