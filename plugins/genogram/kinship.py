"""How each person is related to the index child, as a code with a translated label.

Used for the accessible labels ("Liisa, mother of Eino"), the table view, the access-request
export (a third party is shown only by this role) and seeding from the record's relation codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from plugin_host.api import lazy_gettext as _
from plugins.genogram.family_graph import FamilyGraph

# Gendered words where the person's gender identity gives one, else the neutral word.
RELATIONS = {
    "self": (_("the child"), _("the child"), _("the child")),
    "parent": (_("mother"), _("father"), _("parent")),
    "step_parent": (_("stepmother"), _("stepfather"), _("step-parent")),
    "foster_parent": (_("foster mother"), _("foster father"), _("foster parent")),
    "adoptive_parent": (_("adoptive mother"), _("adoptive father"), _("adoptive parent")),
    "carer": (_("carer"), _("carer"), _("carer")),
    "sibling": (_("sister"), _("brother"), _("sibling")),
    "half_sibling": (_("half-sister"), _("half-brother"), _("half-sibling")),
    "step_sibling": (_("stepsister"), _("stepbrother"), _("step-sibling")),
    "grandparent": (_("grandmother"), _("grandfather"), _("grandparent")),
    "great_grandparent": (
        _("great-grandmother"),
        _("great-grandfather"),
        _("great-grandparent"),
    ),
    "aunt_uncle": (_("aunt"), _("uncle"), _("parent's sibling")),
    "cousin": (_("cousin"), _("cousin"), _("cousin")),
    "partner": (_("partner"), _("partner"), _("partner")),
    "child": (_("daughter"), _("son"), _("child")),
    "grandchild": (_("granddaughter"), _("grandson"), _("grandchild")),
    "niece_nephew": (_("niece"), _("nephew"), _("sibling's child")),
    "parents_partner": (_("parent's partner"), _("parent's partner"), _("parent's partner")),
    "relative": (_("relative"), _("relative"), _("relative")),
    "other": (_("person in the network"), _("person in the network"), _("person in the network")),
}

# Parentage kinds that make someone a parent-like adult of the child, and the relation they give.
_PARENT_KINDS = {
    "biological": "parent",
    "adoptive": "adoptive_parent",
    "foster": "foster_parent",
    "step": "step_parent",
    "kinship_carer": "carer",
    "guardian": "carer",
}

# A record system's relation codes (see plugin_host.records.FamilyMember) as ours.
RECORD_RELATIONS = {
    "mother": "parent",
    "father": "parent",
    "parent": "parent",
    "step-parent": "step_parent",
    "foster-parent": "foster_parent",
    "sibling": "sibling",
    "half-sibling": "half_sibling",
    "grandparent": "grandparent",
    "great-grandparent": "great_grandparent",
    "aunt-uncle": "aunt_uncle",
    "cousin": "cousin",
}


@dataclass(frozen=True)
class _IndexCircle:
    """The index person's kin, worked out once per graph: every relation is asked against it."""

    parent_kinds: dict[str, str]
    parents: frozenset[str]
    own_parents: frozenset[str]  # of birth or adoption: a step-parent makes no half-sibling
    partners: frozenset[str]
    children: frozenset[str]
    parents_partners: frozenset[str]
    grandparents: frozenset[str]
    great_grandparents: frozenset[str]
    parents_children: frozenset[str]
    grandchildren: frozenset[str]


_CIRCLES: WeakKeyDictionary[FamilyGraph, _IndexCircle] = WeakKeyDictionary()


def _circle(graph: FamilyGraph) -> _IndexCircle:
    circle = _CIRCLES.get(graph)
    if circle is None:
        index = graph.index_id
        kinds = {p: graph.parentage[p, index]["kind"] for p in graph.parents(index)}
        parents = frozenset(kinds)
        grandparents = frozenset(g for p in parents for g in graph.parents(p))
        children = frozenset(graph.children(index))
        circle = _CIRCLES[graph] = _IndexCircle(
            parent_kinds=kinds,
            parents=parents,
            own_parents=frozenset(
                p for p, kind in kinds.items() if kind in ("biological", "adoptive")
            ),
            partners=frozenset(graph.partners(index)),
            children=children,
            parents_partners=frozenset(q for p in parents for q in graph.partners(p)) - parents,
            grandparents=grandparents,
            great_grandparents=frozenset(gg for g in grandparents for gg in graph.parents(g)),
            parents_children=frozenset(c for p in parents for c in graph.children(p)) - {index},
            grandchildren=frozenset(gc for c in children for gc in graph.children(c)),
        )
    return circle


def relation_to_index(graph: FamilyGraph, person_id: str) -> str:
    """The relation code of ``person_id`` to the index person (a key of RELATIONS)."""
    if person_id == graph.index_id:
        return "self"
    kin = _circle(graph)
    if person_id in kin.parent_kinds:
        return _PARENT_KINDS[kin.parent_kinds[person_id]]
    if person_id in kin.partners:
        return "partner"
    if person_id in kin.children:
        return "child"
    own_parents = set(graph.parents(person_id))
    if own_parents & kin.parents:
        return "sibling" if kin.own_parents and own_parents == kin.own_parents else "half_sibling"
    if person_id in kin.parents_partners:
        return "parents_partner"
    if own_parents & kin.parents_partners:
        return "step_sibling"
    if person_id in kin.grandparents:
        return "grandparent"
    if person_id in kin.great_grandparents:
        return "great_grandparent"
    if own_parents & kin.grandparents:
        return "aunt_uncle"
    if any(set(graph.parents(q)) & kin.grandparents for q in own_parents):
        return "cousin"
    if own_parents & kin.parents_children:
        return "niece_nephew"
    if person_id in kin.grandchildren:
        return "grandchild"
    return "relative" if person_id in graph.related_to_index else "other"


def relation_label(graph: FamilyGraph, person_id: str) -> str:
    """The relation in words, gendered by the person's gender identity when it is known."""
    female, male, neutral = RELATIONS[relation_to_index(graph, person_id)]
    gender = graph.persons[person_id].get("gender_identity")
    return str(female if gender == "woman" else male if gender == "man" else neutral)
