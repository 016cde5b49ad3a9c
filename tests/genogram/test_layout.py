"""The genogram layout: properties over generated families, and a few small families by hand.

Terms used below (all computed here from the document and the placements, not by the layout):

- a *block* is a set of people joined by unions whose partners share a row;
- a child *hangs from* its parents' union (``FamilyGraph.parent_union``) or, with only one
  parent known, from that parent: the children hanging from one union are its *family*;
- a child is *at home* in its family when nobody else in its block has parents in the drawing:
  a child who married a cousin, or into another drawn family, may be drawn with the partner's
  family instead (a person is placed once), so the promises about families are made for the
  children at home, and in families of in-laws only (``families(joined=False)``) that is all
  of them.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugins.genogram.family_graph import FamilyGraph
from plugins.genogram.layout import (
    COMPONENT_SPACING,
    MIN_SPACING,
    ROW_HEIGHT,
    GenogramLayout,
    layout_genogram,
)
from plugins.genogram.schemas import GenogramSchema
from reference_record_system.synthetic_genogram import synthetic_genogram
from tests.genogram.strategies import families, pins_for, shuffled

EPSILON = 1e-6
PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ANY_FAMILY = st.one_of(families(joined=False), families(older=True))


def laid_out(
    document: dict[str, Any], pins: dict[str, float] | None = None
) -> tuple[FamilyGraph, GenogramLayout]:
    graph = FamilyGraph(document)
    return graph, layout_genogram(graph, pins)


def rows(layout: GenogramLayout) -> dict[int, list[str]]:
    """Person ids of each row, left to right."""
    found: dict[int, list[str]] = defaultdict(list)
    for pid, placement in layout.placements.items():
        found[placement.generation].append(pid)
    for row in found.values():
        row.sort(key=lambda pid: layout.placements[pid].x)
    return found


def column(layout: GenogramLayout) -> dict[str, int]:
    """Each person's index in their row, left to right."""
    return {pid: i for row in rows(layout).values() for i, pid in enumerate(row)}


def same_row(layout: GenogramLayout, a: str, b: str) -> bool:
    return layout.placements[a].generation == layout.placements[b].generation


def row_partners(graph: FamilyGraph, layout: GenogramLayout) -> dict[str, list[str]]:
    """Each person's distinct partners in their own row, in the order their unions began."""
    found: dict[str, list[str]] = {}
    for pid in graph.persons:
        mine: list[str] = []
        for partner in graph.partners(pid):
            if same_row(layout, pid, partner) and partner not in mine:
                mine.append(partner)
        found[pid] = mine
    return found


def blocks(graph: FamilyGraph, layout: GenogramLayout) -> dict[str, str]:
    """Block of each person, named by its smallest id."""
    parent = {pid: pid for pid in graph.persons}

    def find(pid: str) -> str:
        while parent[pid] != pid:
            pid = parent[pid]
        return pid

    for union in graph.unions.values():
        a, b = union["partners"]
        if same_row(layout, a, b):
            ra, rb = sorted((find(a), find(b)))
            parent[rb] = ra
    return {pid: find(pid) for pid in graph.persons}


def families_of(graph: FamilyGraph, layout: GenogramLayout) -> dict[tuple[str, str], list[str]]:
    """The children hanging from each union (partners in one row) or single known parent."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for pid in graph.persons:
        union_id = graph.parent_union.get(pid)
        if union_id is not None:
            a, b = graph.unions[union_id]["partners"]
            if same_row(layout, a, b):
                found["union", union_id].append(pid)
        elif len(graph.parents(pid)) == 1:
            found["parent", graph.parents(pid)[0]].append(pid)
    return found


def at_home(graph: FamilyGraph, block_of: dict[str, str]) -> set[str]:
    with_parents: dict[str, int] = defaultdict(int)
    for pid in graph.persons:
        if graph.parents(pid):
            with_parents[block_of[pid]] += 1
    return {pid for pid in graph.persons if graph.parents(pid) and with_parents[block_of[pid]] == 1}


def sibling_key(graph: FamilyGraph, family: list[str]) -> dict[str, tuple[Any, ...]]:
    """Birth order, twins taking the place of the eldest twin of the family."""
    lead: dict[str, tuple[Any, ...]] = {}
    for pid in family:
        twins = graph.twin_set(pid)
        if twins is not None:
            lead[twins["id"]] = min(
                lead.get(twins["id"], graph.birth_order(pid)), graph.birth_order(pid)
            )
    return {
        pid: (
            lead[graph.twin_set(pid)["id"]] if graph.twin_set(pid) else graph.birth_order(pid),
            graph.birth_order(pid),
        )
        for pid in family
    }


def x(layout: GenogramLayout, pid: str) -> float:
    return layout.placements[pid].x


def midpoint(layout: GenogramLayout, union: dict[str, Any]) -> float:
    a, b = union["partners"]
    return (x(layout, a) + x(layout, b)) / 2


# --- properties over generated families --------------------------------------------------------


@PROPERTIES
@given(ANY_FAMILY)
def test_rows_children_below_parents_partners_side_by_side(document):
    _graph, layout = laid_out(document)
    assert set(layout.placements) == {p["id"] for p in document["persons"]}
    for placement in layout.placements.values():
        assert placement.generation >= 0
        assert placement.y == placement.generation * ROW_HEIGHT
    assert min(p.generation for p in layout.placements.values()) == 0
    for link in document["parentage"]:
        child, parent = layout.placements[link["child"]], layout.placements[link["parent"]]
        assert child.generation > parent.generation, link
    for union in document["unions"]:
        assert same_row(layout, *union["partners"]), union


@PROPERTIES
@given(ANY_FAMILY)
def test_no_two_people_closer_than_the_spacing_in_a_row(document):
    _, layout = laid_out(document)
    for row in rows(layout).values():
        for left, right in itertools.pairwise(row):
            assert x(layout, right) - x(layout, left) >= MIN_SPACING - EPSILON, (left, right)
    xs = [p.x for p in layout.placements.values()]
    assert (layout.min_x, layout.max_x) == (min(xs), max(xs))
    assert (layout.min_y, layout.max_y) == (0.0, max(p.y for p in layout.placements.values()))


@PROPERTIES
@given(ANY_FAMILY)
def test_partners_sit_together(document):
    """Nobody outside a block sits between two partners; a couple where neither has another
    partner in the row sits side by side."""
    graph, layout = laid_out(document)
    block_of, where, partners = blocks(graph, layout), column(layout), row_partners(graph, layout)
    by_row = rows(layout)
    for union in graph.unions.values():
        a, b = union["partners"]
        left, right = sorted((where[a], where[b]))
        row = by_row[layout.placements[a].generation]
        assert {block_of[pid] for pid in row[left : right + 1]} == {block_of[a]}, union
        if len(partners[a]) == 1 and len(partners[b]) == 1:
            assert right - left == 1, union


@PROPERTIES
@given(ANY_FAMILY)
def test_several_partners_in_the_order_the_unions_began(document):
    """Someone with several partners who have no other partner: first partner, the person,
    then the later partners, side by side (``Q1 P Q2 Q3``)."""
    graph, layout = laid_out(document)
    where, partners = column(layout), row_partners(graph, layout)
    for pid, mine in partners.items():
        if len(mine) < 2 or any(len(partners[q]) > 1 for q in mine):
            continue
        assert [where[q] - where[pid] for q in mine] == [-1, *range(1, len(mine))], (pid, mine)


@PROPERTIES
@given(ANY_FAMILY)
def test_siblings_eldest_first_and_twins_together(document):
    graph, layout = laid_out(document)
    home = at_home(graph, blocks(graph, layout))
    for family in families_of(graph, layout).values():
        key = sibling_key(graph, family)
        by_row: dict[int, list[str]] = defaultdict(list)
        for pid in family:
            if pid in home:
                by_row[layout.placements[pid].generation].append(pid)
        for children in by_row.values():
            children.sort(key=lambda pid: x(layout, pid))
            assert [key[c] for c in children] == sorted(key[c] for c in children), children
            place = {pid: i for i, pid in enumerate(children)}
            twin_sets = {graph.twin_set(c)["id"]: [] for c in children if graph.twin_set(c)}
            for child in children:
                if graph.twin_set(child):
                    twin_sets[graph.twin_set(child)["id"]].append(place[child])
            for places in twin_sets.values():
                assert max(places) - min(places) == len(places) - 1, children


@PROPERTIES
@given(ANY_FAMILY)
def test_children_together_under_their_union(document):
    """A family drawn in one row is one run in it (only the children's own blocks inside);
    its union's midpoint lies over the children (when the union's block is a couple, or one
    person with several partners); a couple with no other children has them exactly centred."""
    graph, layout = laid_out(document)
    block_of = blocks(graph, layout)
    home = at_home(graph, block_of)
    by_row = rows(layout)
    partners = row_partners(graph, layout)
    for (kind, owner), family in families_of(graph, layout).items():
        generations = {layout.placements[c].generation for c in family}
        mine = [c for c in family if c in home]
        if len(generations) == 1 and mine:
            row = by_row[generations.pop()]
            span = sorted(row.index(c) for c in mine)
            allowed = {block_of[c] for c in family}
            assert {block_of[p] for p in row[span[0] : span[-1] + 1]} <= allowed, family
        if kind != "union" or len(mine) != len(family):
            continue
        union = graph.unions[owner]
        block = [p for p in graph.persons if block_of[p] == block_of[union["partners"][0]]]
        if sum(len(partners[p]) > 1 for p in block) > 1:
            continue
        xs = [x(layout, c) for c in family]
        assert min(xs) - EPSILON <= midpoint(layout, union) <= max(xs) + EPSILON, union
        first, second = union["partners"]
        own = set(graph.children(first)) | set(graph.children(second))
        if len(block) == 2 and own == set(family):
            assert midpoint(layout, union) == pytest.approx((min(xs) + max(xs)) / 2), union


@PROPERTIES
@given(st.lists(families(max_size=60), min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_unconnected_families_side_by_side(parts, rng):
    """Several families in one document: each keeps to its own x range, COMPONENT_SPACING
    apart, the index person's first from x = 0; in the same places however the document's
    lists are ordered."""
    document: dict[str, Any] = {"persons": [], "unions": [], "parentage": [], "twins": []}
    for number, part in enumerate(parts):
        rename = {p["id"]: f"f{number}-{p['id']}" for p in part["persons"]}
        document["persons"] += [{**p, "id": rename[p["id"]]} for p in part["persons"]]
        document["unions"] += [
            {**u, "id": f"f{number}-{u['id']}", "partners": [rename[p] for p in u["partners"]]}
            for u in part["unions"]
        ]
        document["parentage"] += [
            {**lk, "child": rename[lk["child"]], "parent": rename[lk["parent"]]}
            for lk in part["parentage"]
        ]
        document["twins"] += [
            {"id": f"f{number}-{t['id']}", "members": [rename[m] for m in t["members"]]}
            for t in part["twins"]
        ]
    document["index_person"] = document["persons"][-1]["id"]
    graph, layout = laid_out(document)
    component = _components(graph)
    spans: dict[str, list[float]] = {}
    for pid, placement in layout.placements.items():
        low, high = spans.setdefault(component[pid], [placement.x, placement.x])
        spans[component[pid]] = [min(low, placement.x), max(high, placement.x)]
    ordered = sorted(spans.values())
    for (_, left_end), (right_start, _) in itertools.pairwise(ordered):
        assert right_start - left_end >= COMPONENT_SPACING - EPSILON
    assert ordered[0] == spans[component[document["index_person"]]]
    assert layout.min_x == 0.0
    assert laid_out(shuffled(document, rng))[1] == layout


def _components(graph: FamilyGraph) -> dict[str, str]:
    parent = {pid: pid for pid in graph.persons}

    def find(pid: str) -> str:
        while parent[pid] != pid:
            pid = parent[pid]
        return pid

    edges = [tuple(u["partners"]) for u in graph.unions.values()]
    edges += [(child, p) for child in graph.persons for p in graph.parents(child)]
    for a, b in edges:
        ra, rb = sorted((find(a), find(b)))
        parent[rb] = ra
    return {pid: find(pid) for pid in graph.persons}


@PROPERTIES
@given(st.data())
def test_pins_are_kept_and_make_room(data):
    """A pin lands exactly where it says unless an earlier pin of its row is within
    MIN_SPACING of that x; nobody overlaps; the unpinned keep their order in their row and
    rows without pins do not move."""
    document = data.draw(ANY_FAMILY)
    pins = data.draw(pins_for(document))
    _, free = laid_out(document)
    _, layout = laid_out(document, pins)
    for pid, placement in layout.placements.items():
        assert placement.generation == free.placements[pid].generation
    for number, (pid, wanted) in enumerate(pins.items()):
        earlier = [
            q
            for q in list(pins)[:number]
            if same_row(layout, q, pid) and abs(x(layout, q) - wanted) < MIN_SPACING
        ]
        if not earlier:
            assert x(layout, pid) == wanted, pid
        else:
            assert x(layout, pid) != wanted
    pinned_rows = {layout.placements[pid].generation for pid in pins}
    for generation, row in rows(layout).items():
        for left, right in itertools.pairwise(row):
            assert x(layout, right) - x(layout, left) >= MIN_SPACING - EPSILON, (left, right)
        unpinned = [pid for pid in row if pid not in pins]
        assert unpinned == [pid for pid in rows(free)[generation] if pid not in pins]
        if generation not in pinned_rows:
            assert all(x(layout, pid) == x(free, pid) for pid in row)


@PROPERTIES
@given(ANY_FAMILY, st.randoms(use_true_random=False))
def test_same_document_same_layout_whatever_the_order_of_its_lists(document, rng):
    _, first = laid_out(document)
    _, again = laid_out(document)
    _, reordered = laid_out(shuffled(document, rng))
    assert first == again
    assert first == reordered


@settings(max_examples=25, deadline=None)
@given(ANY_FAMILY)
def test_generated_families_are_valid_documents(document):
    GenogramSchema().load(document)


# --- small families by hand --------------------------------------------------------------------


def person(pid: str, born: str | None = None) -> dict[str, Any]:
    return {"id": pid, "born": {"date": born} if born else None}


def document(
    persons: list[dict[str, Any]],
    unions: list[tuple[str, str, str, str | None]],
    children: dict[str, list[str]],
    twins: list[list[str]] = (),
    index: str | None = None,
) -> dict[str, Any]:
    """``unions``: (id, partner, partner, start year); ``children``: parent -> children."""
    doc = {
        "index_person": index or persons[-1]["id"],
        "persons": persons,
        "unions": [
            {"id": uid, "partners": [a, b], **({"started": {"date": year}} if year else {})}
            for uid, a, b, year in unions
        ],
        "parentage": [
            {"child": child, "parent": parent}
            for parent, kids in children.items()
            for child in kids
        ],
        "twins": [{"id": f"t{i}", "members": members} for i, members in enumerate(twins)],
    }
    GenogramSchema().load(doc)
    return doc


def row_ids(layout: GenogramLayout) -> list[list[str]]:
    found = rows(layout)
    return [found[g] for g in sorted(found)]


def test_three_generations_with_a_remarriage():
    """Father's first marriage to the left of him, the second to the right; each marriage's
    children under it, the half-sibling first; the grandparents over their children."""
    doc = document(
        [
            person("grandpa", "1940"),
            person("grandma", "1942"),
            person("aunt", "1968"),
            person("uncle", "1966"),
            person("cousin", "1995"),
            person("dad", "1970"),
            person("ex", "1971"),
            person("half", "1996"),
            person("mum", "1975"),
            person("kid", "2008"),
            person("sis", "2011"),
        ],
        [
            ("u-gp", "grandpa", "grandma", "1965"),
            ("u-aunt", "aunt", "uncle", "1990"),
            ("u-ex", "dad", "ex", "1994"),
            ("u-mum", "mum", "dad", "2005"),
        ],
        {
            "grandpa": ["aunt", "dad"],
            "grandma": ["aunt", "dad"],
            "aunt": ["cousin"],
            "uncle": ["cousin"],
            "dad": ["half", "kid", "sis"],
            "ex": ["half"],
            "mum": ["kid", "sis"],
        },
        index="kid",
    )
    graph, layout = laid_out(doc)
    assert row_ids(layout) == [
        ["grandpa", "grandma"],
        ["aunt", "uncle", "ex", "dad", "mum"],
        ["cousin", "half", "kid", "sis"],
    ]
    unions = graph.unions
    assert x(layout, "cousin") == midpoint(layout, unions["u-aunt"])
    assert x(layout, "half") == midpoint(layout, unions["u-ex"])
    assert x(layout, "kid") <= midpoint(layout, unions["u-mum"]) <= x(layout, "sis")
    assert midpoint(layout, unions["u-gp"]) == (x(layout, "aunt") + x(layout, "dad")) / 2
    assert layout.min_x == 0.0
    assert [x(layout, p) for p in ("aunt", "uncle", "ex", "dad", "mum")] == [
        0.0,
        120.0,
        240.0,
        360.0,
        480.0,
    ]


def test_cousins_who_marry_are_drawn_once_side_by_side():
    doc = document(
        [
            person("gp1", "1930"),
            person("gp2", "1932"),
            person("a", "1955"),
            person("a-wife", "1956"),
            person("b", "1958"),
            person("b-man", "1957"),
            person("a1", "1980"),
            person("c1", "1982"),
            person("a3", "1985"),
            person("b1", "1979"),
            person("c2", "1983"),
            person("b3", "1986"),
            person("baby", "2010"),
        ],
        [
            ("u0", "gp1", "gp2", "1954"),
            ("ua", "a", "a-wife", "1978"),
            ("ub", "b", "b-man", "1977"),
            ("uc", "c1", "c2", "2008"),
        ],
        {
            "gp1": ["a", "b"],
            "gp2": ["a", "b"],
            "a": ["a1", "c1", "a3"],
            "a-wife": ["a1", "c1", "a3"],
            "b": ["b1", "c2", "b3"],
            "b-man": ["b1", "c2", "b3"],
            "c1": ["baby"],
            "c2": ["baby"],
        },
        index="baby",
    )
    graph, layout = laid_out(doc)
    where = column(layout)
    assert abs(where["c1"] - where["c2"]) == 1
    assert same_row(layout, "c1", "a1") and same_row(layout, "c2", "b1")
    assert x(layout, "baby") == midpoint(layout, graph.unions["uc"])
    # c1 is eldest-but-one of a's children and stays there; c2 is drawn beside c1, so b's other
    # children close ranks: b1 and b3 side by side.
    assert where["a1"] < where["c1"] < where["a3"]
    assert abs(where["b1"] - where["b3"]) == 1
    _assert_sound(doc, layout)


def test_twins_stay_together_even_when_birth_order_alone_would_part_them():
    """Undated siblings sort by id: the twins a-twin and c-twin would have b-single between."""
    kids = ["a-twin", "b-single", "c-twin", "eldest"]
    doc = document(
        [
            person("mum", "1980"),
            person("dad", "1979"),
            *map(person, kids[:3]),
            person("eldest", "2001"),
        ],
        [("u", "mum", "dad", "2000")],
        {"mum": kids, "dad": kids},
        twins=[["c-twin", "a-twin"]],
    )
    _, layout = laid_out(doc)
    assert row_ids(layout)[1] == ["eldest", "a-twin", "c-twin", "b-single"]


def test_a_person_with_three_partners():
    doc = document(
        [person("p", "1960"), person("q1", "1961"), person("q2", "1962"), person("q3", "1963")]
        + [person(f"k{i}", f"{1985 + i}") for i in range(6)],
        [("u3", "q3", "p", "2000"), ("u1", "p", "q1", "1984"), ("u2", "q2", "p", "1990")],
        {
            "p": [f"k{i}" for i in range(6)],
            "q1": ["k0", "k1"],
            "q2": ["k2", "k3", "k4"],
            "q3": ["k5"],
        },
    )
    graph, layout = laid_out(doc)
    assert row_ids(layout) == [["q1", "p", "q2", "q3"], [f"k{i}" for i in range(6)]]
    for union_id, kids in (("u1", ["k0", "k1"]), ("u2", ["k2", "k3", "k4"]), ("u3", ["k5"])):
        xs = [x(layout, k) for k in kids]
        assert min(xs) <= midpoint(layout, graph.unions[union_id]) <= max(xs)
    _assert_sound(doc, layout)


def test_an_uncle_marrying_his_niece_comes_down_to_her_row():
    doc = document(
        [
            person("gp", "1920"),
            person("gm", "1921"),
            person("mother", "1945"),
            person("father", "1944"),
            person("uncle", "1950"),
            person("niece", "1970"),
            person("child", "1995"),
        ],
        [
            ("u0", "gp", "gm", None),
            ("u1", "mother", "father", None),
            ("u2", "uncle", "niece", None),
        ],
        {
            "gp": ["mother", "uncle"],
            "gm": ["mother", "uncle"],
            "mother": ["niece"],
            "father": ["niece"],
            "uncle": ["child"],
            "niece": ["child"],
        },
    )
    _, layout = laid_out(doc)
    assert [layout.placements[p].generation for p in ("gp", "mother", "uncle", "niece")] == [
        0,
        1,
        2,
        2,
    ]
    assert abs(column(layout)["uncle"] - column(layout)["niece"]) == 1
    _assert_sound(doc, layout)


def test_a_union_with_ones_own_stepparent_cannot_share_a_row_and_is_left_across_rows():
    """b's child c later partners a, b's partner: a cannot be both in b's row and in c's.
    The earlier union (a with b) keeps its row."""
    doc = document(
        [person("a", "1950"), person("b", "1952"), person("c", "1975"), person("d", "2000")],
        [("u-ab", "a", "b", "1970"), ("u-ca", "c", "a", "1995")],
        {"b": ["c"], "c": ["d"], "a": ["d"]},
    )
    _, layout = laid_out(doc)
    generation = {pid: p.generation for pid, p in layout.placements.items()}
    assert generation == {"a": 0, "b": 0, "c": 1, "d": 2}
    _assert_sound(doc, layout)


def test_a_parentless_parent_comes_down_to_just_above_the_child():
    doc = document(
        [person("g1"), person("g2"), person("p1"), person("p2"), person("kid"), person("dad")],
        [("u0", "g1", "g2", None), ("u1", "p1", "p2", None)],
        {"g1": ["p1"], "g2": ["p1"], "p1": ["kid"], "p2": ["kid"], "dad": ["kid"]},
    )
    _, layout = laid_out(doc)
    assert layout.placements["dad"].generation == layout.placements["kid"].generation - 1 == 1
    _assert_sound(doc, layout)


def test_pins_on_a_small_family():
    doc = document(
        [person(p, f"{1980 + i}") for i, p in enumerate(["m", "f", "a", "b", "c"])],
        [("u", "m", "f", "2000")],
        {"m": ["a", "b", "c"], "f": ["a", "b", "c"]},
    )
    _, free = laid_out(doc)
    assert [x(free, p) for p in ("a", "b", "c")] == [0.0, 120.0, 240.0]
    _, layout = laid_out(doc, {"c": 50.0, "b": 100.0})
    assert x(layout, "c") == 50.0
    assert abs(x(layout, "b") - 50.0) == MIN_SPACING  # too close to the earlier pin: moved
    assert x(layout, "b") == 170.0  # the nearer free place to 100 (170 vs -70)
    assert x(layout, "a") == -70.0  # made room, keeping its place left of the others
    assert [x(layout, p) for p in ("m", "f")] == [x(free, p) for p in ("m", "f")]


def test_a_family_thousands_of_generations_deep_is_laid_out_without_recursion():
    depth = 3000
    persons = [person(f"g{i:05d}") for i in range(depth)]
    links = {f"g{i:05d}": [f"g{i + 1:05d}"] for i in range(depth - 1)}
    doc = {
        "index_person": "g00000",
        "persons": persons,
        "unions": [],
        "parentage": [{"child": k[0], "parent": p} for p, k in links.items()],
    }
    _, layout = laid_out(doc)
    assert layout.placements[f"g{depth - 1:05d}"].generation == depth - 1
    assert {p.x for p in layout.placements.values()} == {0.0}


def test_a_document_the_schema_would_refuse_still_lays_out():
    """A parentage cycle, a union with an unknown person or with oneself, an unknown parent:
    the layout ends and places every known person once, apart."""
    doc = {
        "index_person": "a",
        "persons": [person(p) for p in ("a", "b", "c", "d")],
        "unions": [
            {"id": "u1", "partners": ["a", "ghost"]},
            {"id": "u2", "partners": ["b", "b"]},
            {"id": "u3", "partners": ["c", "d"]},
        ],
        "parentage": [
            {"child": "a", "parent": "b"},
            {"child": "b", "parent": "a"},
            {"child": "c", "parent": "nobody"},
            {"child": "d", "parent": "c"},
        ],
    }
    _, layout = laid_out(doc, {"ghost": 5.0, "a": float("nan")})
    assert set(layout.placements) == {"a", "b", "c", "d"}
    for row in rows(layout).values():
        for left, right in itertools.pairwise(row):
            assert x(layout, right) - x(layout, left) >= MIN_SPACING - EPSILON


def test_an_empty_graph_has_an_empty_layout():
    layout = layout_genogram(FamilyGraph({"index_person": "x", "persons": []}))
    assert layout.placements == {}


def _assert_sound(doc: dict[str, Any], layout: GenogramLayout) -> None:
    """Everyone once, children below parents, no overlaps."""
    assert set(layout.placements) == {p["id"] for p in doc["persons"]}
    for link in doc["parentage"]:
        assert (
            layout.placements[link["child"]].generation
            > layout.placements[link["parent"]].generation
        )
    for row in rows(layout).values():
        for left, right in itertools.pairwise(row):
            assert x(layout, right) - x(layout, left) >= MIN_SPACING - EPSILON


# --- the synthetic genogram --------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 400), st.integers(0, 2**32 - 1))
def test_synthetic_genogram_is_valid_exactly_sized_and_repeatable(size, seed):
    doc = synthetic_genogram(size, seed)
    assert len(doc["persons"]) == size
    loaded = GenogramSchema().load(doc)
    assert len(loaded["persons"]) == size
    assert synthetic_genogram(size, seed) == doc


def test_synthetic_genogram_has_the_shapes_of_real_families():
    doc = synthetic_genogram(500, seed=7)
    graph = FamilyGraph(GenogramSchema().load(doc))
    persons = doc["persons"]
    kinds = {p["kind"] for p in persons}
    assert {"person"} < kinds  # and pregnancy losses
    assert doc["twins"] and doc["households"] and doc["ties"] and doc["network"]
    assert any(len(graph.unions_of(p)) >= 2 for p in graph.persons)  # remarriages
    assert any(not graph.union_children(u) for u in graph.unions.values())
    assert any(not graph.unions_of(p["id"]) for p in persons if p["kind"] == "person")
    half = [
        p
        for p in graph.persons
        if any(set(graph.parents(s)) != set(graph.parents(p)) for s in graph.siblings(p))
    ]
    assert half
    _, layout = laid_out(doc)
    index = layout.placements[doc["index_person"]].generation
    deepest = max(p.generation for p in layout.placements.values())
    assert graph.parents(doc["index_person"]) and 0 < index < deepest
    assert synthetic_genogram(500, seed=8) != doc
    # Cousins marry now and then: in some seed of a large family, two partners share a
    # grandparent.
    assert any(_cousins_married(synthetic_genogram(2000, seed)) for seed in range(3))


def _cousins_married(doc: dict[str, Any]) -> bool:
    graph = FamilyGraph(doc)

    def grandparents(pid: str) -> set[str]:
        return {g for p in graph.parents(pid) for g in graph.parents(p)}

    return any(
        grandparents(a) & grandparents(b) and not set(graph.parents(a)) & set(graph.parents(b))
        for a, b in (u["partners"] for u in doc["unions"])
    )


def test_synthetic_genogram_scales_to_five_thousand():
    doc = synthetic_genogram(5000, seed=1)
    assert len(doc["persons"]) == 5000
    GenogramSchema().load(doc)
    _, layout = laid_out(doc)
    assert len(layout.placements) == 5000


def test_shuffled_documents_keep_their_content():
    doc = synthetic_genogram(60, seed=3)
    other = shuffled(doc, random.Random(1))
    assert sorted(p["id"] for p in other["persons"]) == sorted(p["id"] for p in doc["persons"])
    assert other["persons"] != doc["persons"]
