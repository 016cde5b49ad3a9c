"""The genogram as a client may see it on an access request (tiedonsaantioikeus).

A client has the right to see what the record says about them, not what it says about other
people. So everyone who is a third party in the case, and everyone under a non-disclosure order
(confidential), is shown only by their role in the family: "grandmother", not her name, dates,
record id, notes or the worries and resources noted on her. The drawing keeps its shape (the
person, their kind and vital status, who is whose parent and partner), because the family's
structure around the client is the client's own information.
"""

from __future__ import annotations

import copy
from typing import Any

from plugins.genogram import vocabulary as v
from plugins.genogram.family_graph import FamilyGraph
from plugins.genogram.kinship import relation_label

# Network categories whose nodes are usually private people named by the label ("Pirkko next
# door"); the other categories name institutions (a school, a clinic) and keep their label.
PRIVATE_NETWORK_CATEGORIES = frozenset({"friends", "relatives", "other"})

# A gender identity the role word already tells; any other is the person's own information and
# the neutral role word ("parent") is the same for all of them.
_GENDERS_IN_ROLE_WORDS = frozenset({"woman", "man"})


def is_masked(person: dict[str, Any]) -> bool:
    """True if an access-request export shows the person only by their role."""
    return bool(person.get("third_party") or person.get("confidential"))


def mask_third_parties(genogram: dict[str, Any]) -> dict[str, Any]:
    """A copy of the loaded genogram with third parties and confidential persons masked.

    Each masked person keeps kind, vital status and links; their name becomes their relation to
    the index person, their id a stand-in (``masked-1`` …; a seeded id carries the record's
    person id), and dates, record id, note, markers, avatar and sex at birth go. Dates of
    unions, parent links and households a masked person is in go too. Ties with a masked person
    at either end, or seen from one, keep their kind but lose the note. Network nodes of private
    people, and nodes that concern only masked persons, show their category instead of their
    label and lose the note. A household with a masked member loses its label. The document's
    own note and meeting link go (free text that may name anyone). The input is not changed;
    the result still validates under GenogramSchema.
    """
    result = copy.deepcopy(genogram)
    graph = FamilyGraph(genogram)
    masked = {p["id"] for p in genogram["persons"] if is_masked(p)}
    for person in result["persons"]:
        if person["id"] in masked:
            _mask_person(person, relation_label(graph, person["id"]))
    for tie in result.get("ties") or ():
        if tie.get("perspective") in masked or masked & {tie["source"], tie["target"]}:
            tie["note"] = ""
    for node in result.get("network") or ():
        about_masked_only = bool(node["persons"]) and set(node["persons"]) <= masked
        if node["category"] in PRIVATE_NETWORK_CATEGORIES or about_masked_only:
            node["label"] = v.label(v.NETWORK_CATEGORIES, node["category"])
            node["note"] = ""
    for union in result.get("unions") or ():
        if masked & set(union["partners"]):
            for when in ("started", "separated", "divorced", "widowed"):
                union[when] = None
    for link in result.get("parentage") or ():
        if masked & {link["parent"], link["child"]}:
            link["started"] = link["ended"] = None
    for household in result.get("households") or ():
        # A household's label is free text that tends to name who lives there.
        if masked & set(household["members"]):
            household["label"] = ""
            household["started"] = household["ended"] = None
    result["note"] = ""
    result["meeting_id"] = None
    return _renamed(result, masked)


def _renamed(genogram: dict[str, Any], masked: set[str]) -> dict[str, Any]:
    """Masked persons under stand-in ids, in every section that refers to them."""
    taken = {p["id"] for p in genogram["persons"]}
    stand_ins: dict[str, str] = {}
    for person in genogram["persons"]:
        if person["id"] in masked:
            number = len(stand_ins) + 1
            while f"masked-{number}" in taken:
                number += 1
            stand_ins[person["id"]] = f"masked-{number}"
            taken.add(stand_ins[person["id"]])

    def new(person_id: str) -> str:
        return stand_ins.get(person_id, person_id)

    for person in genogram["persons"]:
        person["id"] = new(person["id"])
    genogram["index_person"] = new(genogram["index_person"])
    for union in genogram.get("unions") or ():
        union["partners"] = [new(p) for p in union["partners"]]
    for link in genogram.get("parentage") or ():
        link["parent"], link["child"] = new(link["parent"]), new(link["child"])
    for group in (*(genogram.get("twins") or ()), *(genogram.get("households") or ())):
        group["members"] = [new(m) for m in group["members"]]
    for tie in genogram.get("ties") or ():
        tie["source"], tie["target"] = new(tie["source"]), new(tie["target"])
        tie["perspective"] = new(tie["perspective"])
    for node in genogram.get("network") or ():
        node["persons"] = [new(p) for p in node["persons"]]
    for pin in (genogram.get("pins") or {}).get("genogram", ()):
        pin["id"] = new(pin["id"])
    return genogram


def _mask_person(person: dict[str, Any], role: str) -> None:
    person["first_names"] = role
    person["last_name"] = ""
    person["born"] = None
    person["died"] = None
    person["record_person_id"] = None
    person["note"] = ""
    person["markers"] = []
    person["avatar"] = None
    # The symbol's shape follows the role word; intersex or a non-binary identity is not a role.
    person["sex_at_birth"] = "unknown"
    if person.get("gender_identity") not in _GENDERS_IN_ROLE_WORDS:
        person["gender_identity"] = "unknown"
