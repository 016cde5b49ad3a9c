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
from tests.genogram import families
from tests.genogram.families import (
    MAN,
    WOMAN,
    by_id,
    child_of,
    deceased,
    ended,
    person,
    union,
    when,
)


def family() -> dict[str, Any]:
    """Eino, his mother Maija and her partner Pekka as in the Testinen family (families.py).

    Whoever is masked has a name and dates that nobody shown shares, so that a leak shows in the
    text: Kai gets a last name of their own; Jari, Aino (here Eino's only grandparent) and Helena
    are this module's own. The unions hold no dates of masked persons, as unions stay unmasked.
    """
    testinen = by_id(families.the_testinen_family()["persons"])
    data = {
        "index_person": "eino",
        "persons": [
            {
                **testinen["eino"],
                "record_person_id": "rec-0001",
                "markers": [{"kind": "resource", "text": "Loves football"}],
            },
            {**testinen["maija"], "record_person_id": "rec-0002"},
            person(
                "jari",
                "Jari",
                "Salainen",
                record_person_id="rec-0003",
                born=when("1982-11", approximate=True),
                markers=[{"kind": "worry", "text": "Threatening messages"}],
                note="Address under a non-disclosure order.",
                confidential=True,
                **MAN,
            ),
            person(
                "aino",
                "Aino",
                "Isoaho",
                record_person_id="rec-0004",
                born=when("1950"),
                **deceased("2020-03-14"),
                avatar="elder",
                note="Cared for Eino as a baby.",
                third_party=True,
                **WOMAN,
            ),
            {**testinen["kai"], "last_name": "Isoaho"},
            testinen["pekka"],
            person(
                "helena", "Helena", "Sijainen", born=when("1970-01-01"), third_party=True, **WOMAN
            ),
        ],
        "unions": [
            union("u1", "jari", "maija", **ended("divorced", "2017")),
            union("u2", "maija", "pekka", kind="cohabitation"),
        ],
        "parentage": [
            *child_of("eino", "maija", "jari"),
            *child_of("maija", "aino"),
            *child_of("kai", "aino"),
            *child_of("eino", "pekka", kind="step"),
            *child_of("eino", "helena", kind="foster"),
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


def _by_original_id(original: dict, result: dict) -> dict[str, dict]:
    """The result's persons under the ids they had before masking (the order is kept)."""
    return {
        before["id"]: after
        for before, after in zip(original["persons"], result["persons"], strict=True)
    }


def _stand_ins(original: dict, result: dict) -> dict[str, str]:
    return {k: v["id"] for k, v in _by_original_id(original, result).items()}


def test_third_parties_and_confidential_persons_keep_only_their_role() -> None:
    masked = _by_original_id(family(), mask_third_parties(family()))
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


def test_masked_persons_keep_their_place_in_the_family_under_stand_in_ids() -> None:
    original = family()
    result = mask_third_parties(original)
    persons = _by_original_id(original, result)
    aino = persons["aino"]
    assert (aino["kind"], aino["vital_status"], aino["third_party"]) == (
        "person",
        "deceased",
        True,
    )
    assert persons["jari"]["confidential"] is True
    ids = _stand_ins(original, result)
    # A seeded id carries the record's person id: masked persons get stand-ins.
    assert {ids[p] for p in ("aino", "jari", "kai", "helena")} == {
        "masked-1",
        "masked-2",
        "masked-3",
        "masked-4",
    }
    assert all(ids[p] == p for p in ("eino", "maija", "pekka"))
    renamed = [sorted(ids[p] for p in union["partners"]) for union in original["unions"]]
    assert [sorted(u["partners"]) for u in result["unions"]] == renamed
    assert [(ids[lk["parent"]], ids[lk["child"]]) for lk in original["parentage"]] == [
        (lk["parent"], lk["child"]) for lk in result["parentage"]
    ]
    assert load_payload(GenogramSchema(), result)  # still a valid genogram


def test_others_are_unchanged() -> None:
    original = by_id(family()["persons"])
    masked = by_id(mask_third_parties(family())["persons"])
    for person_id in ("eino", "maija", "pekka"):
        assert masked[person_id] == original[person_id]


def test_tie_notes_with_a_masked_person_go_and_the_kinds_stay() -> None:
    original = family()
    result = mask_third_parties(original)
    ties = by_id(result["ties"])
    assert (ties["t1"]["kind"], ties["t1"]["note"]) == ("close", "Warm")
    assert (ties["t2"]["kind"], ties["t2"]["note"]) == ("conflict", "")  # seen by the father
    assert (ties["t3"]["kind"], ties["t3"]["note"]) == ("cutoff", "")  # only between third parties
    # The client's own view of a masked relative: the note would describe that relative.
    assert (ties["t4"]["kind"], ties["t4"]["note"]) == ("caregiving", "")
    assert ties["t2"]["perspective"] == _stand_ins(original, result)["jari"]


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
    assert households["h2"]["members"][0] == "eino"
    assert households["h2"]["members"][1].startswith("masked-")


def test_the_documents_own_note_and_the_network_about_masked_persons_go() -> None:
    original = family()
    original["note"] = "Isoäiti Aino Testinen muutti kaupunkiin."
    original["network"].append(
        {
            "id": "n6",
            "label": "Aino's memory clinic",
            "category": "health",
            "persons": ["aino"],
            "strength": "moderate",
            "stressful": False,
            "flow": "none",
            "note": "Dr Virta",
        }
    )
    result = mask_third_parties(original)
    assert result["note"] == "" and result["meeting_id"] is None
    clinic = by_id(result["network"])["n6"]
    assert (clinic["label"], clinic["note"]) == ("health care", "")
    assert by_id(result["network"])["n1"]["label"] == "Koivukylä school"  # about the client


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
    for someone in genogram["persons"]:
        someone["third_party"] = someone["confidential"] = False
    genogram["network"] = [n for n in genogram["network"] if n["category"] in ("school", "health")]
    assert mask_third_parties(genogram) == genogram


def test_is_masked() -> None:
    assert is_masked({"third_party": True})
    assert is_masked({"confidential": True})
    assert not is_masked({"third_party": False, "confidential": False})
