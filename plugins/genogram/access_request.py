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

    Each masked person keeps id, kind, vital status and links; their name becomes their relation
    to the index person, and dates, record id, note, markers, avatar and sex at birth go. Ties
    seen from a masked person, or only between masked persons, keep their kind but lose the
    note. Network nodes of private people show their category instead of their label, and a
    household with a masked member loses its label. The input is not changed; the result still
    validates under GenogramSchema.
    """
    result = copy.deepcopy(genogram)
    graph = FamilyGraph(genogram)
    masked = {p["id"] for p in genogram["persons"] if is_masked(p)}
    for person in result["persons"]:
        if person["id"] in masked:
            _mask_person(person, relation_label(graph, person["id"]))
    for tie in result.get("ties") or ():
        if tie.get("perspective") in masked or {tie["source"], tie["target"]} <= masked:
            tie["note"] = ""
    for node in result.get("network") or ():
        if node["category"] in PRIVATE_NETWORK_CATEGORIES:
            node["label"] = v.label(v.NETWORK_CATEGORIES, node["category"])
            node["note"] = ""
    for household in result.get("households") or ():
        # A household's label is free text that tends to name who lives there.
        if masked & set(household["members"]):
            household["label"] = ""
    return result


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
