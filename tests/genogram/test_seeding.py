"""A first genogram from the record's relations: only what follows from them is drawn."""

from __future__ import annotations

from datetime import date

from plugin_host.api import Client, Family, FamilyMember, load_payload
from plugins.genogram.family_graph import FamilyGraph
from plugins.genogram.kinship import relation_to_index
from plugins.genogram.schemas import GenogramSchema
from plugins.genogram.seeding import seed_genogram

CLIENT = Client("c-1", "Eino", "Testinen", birth_date=date(2014, 5, 12))


def _member(pid, first, last, relation, *, guardian=False, home=False):
    return FamilyMember(pid, first, last, relation, is_guardian=guardian, in_household=home)


def _seed(*members: FamilyMember) -> tuple[dict, FamilyGraph, dict[str, str]]:
    genogram = load_payload(GenogramSchema(), seed_genogram(CLIENT, Family("c-1", members)))
    ids = {p["first_names"]: p["id"] for p in genogram["persons"]}
    return genogram, FamilyGraph(genogram), ids


def test_parents_siblings_step_and_half_siblings_take_their_places():
    genogram, graph, ids = _seed(
        _member("m", "Sanna", "Testinen", "mother", guardian=True, home=True),
        _member("f", "Jari", "Testinen", "father", guardian=True),
        _member("s", "Mikko", "Virtanen", "step-parent", home=True),
        _member("b", "Ville", "Testinen", "sibling", home=True),
        _member("h", "Eetu", "Virtanen", "half-sibling", home=True),
        _member("fo", "Irma", "Sijainen", "foster-parent"),
    )
    relation = {name: relation_to_index(graph, pid) for name, pid in ids.items()}
    assert relation == {
        "Eino": "self",
        "Sanna": "parent",
        "Jari": "parent",
        "Mikko": "step_parent",
        "Ville": "sibling",
        "Eetu": "half_sibling",
        "Irma": "foster_parent",
    }
    statuses = {frozenset(u["partners"]): u["status"] for u in genogram["unions"]}
    assert statuses == {
        frozenset({ids["Sanna"], ids["Jari"]}): "separated",  # not in one household
        frozenset({ids["Sanna"], ids["Mikko"]}): "together",
    }
    assert set(graph.parents(ids["Eetu"])) == {ids["Sanna"], ids["Mikko"]}
    assert genogram["households"][0]["members"] == [
        ids[n] for n in ("Eino", "Sanna", "Mikko", "Ville", "Eetu")
    ]
    third_parties = {p["first_names"] for p in genogram["persons"] if p["third_party"]}
    assert third_parties == {"Mikko", "Ville", "Eetu", "Irma"}


def test_a_grandparent_is_attached_only_when_the_last_name_tells_whose_parent():
    _genogram, graph, ids = _seed(
        _member("m", "Sanna", "Testinen", "mother", guardian=True, home=True),
        _member("f", "Jari", "Testinen", "father", guardian=True),
        _member("g1", "Raili", "Testinen", "grandparent"),
        _member("g2", "Helena", "Mäkinen", "grandparent"),
        _member("g3", "Pekka", "Mäkinen", "grandparent"),
    )
    # Both parents carry the name Testinen: whose mother Raili is, the record does not say.
    assert graph.children(ids["Raili"]) == []
    assert graph.partners(ids["Helena"]) == [ids["Pekka"]]
    assert relation_to_index(graph, ids["Raili"]) == "other"


def test_a_grandparent_sharing_one_parents_name_is_that_parents_parent():
    _genogram, graph, ids = _seed(
        _member("m", "Laura", "Esimerkki", "mother", guardian=True, home=True),
        _member("f", "Tuomas", "Lahti", "father", guardian=True, home=True),
        _member("g", "Marjatta", "Lahti", "grandparent"),
    )
    assert graph.parents(ids["Tuomas"]) == [ids["Marjatta"]]
    assert relation_to_index(graph, ids["Marjatta"]) == "grandparent"
