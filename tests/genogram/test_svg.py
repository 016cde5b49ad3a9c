"""The genogram and network map SVGs: well-formed, accessible, in the notation, CSP-clean."""

from __future__ import annotations

import itertools
import re

import pytest
from lxml import etree

from plugins.genogram import svg_genogram
from plugins.genogram.family_graph import FamilyGraph
from plugins.genogram.labels import person_label
from plugins.genogram.layout import GenogramLayout, Placement
from plugins.genogram.schemas import GenogramSchema
from plugins.genogram.svg import genogram_svg, legend_svg, network_svg, render_genogram
from plugins.genogram.svg_notation import tie_pattern
from plugins.genogram.vocabulary import NETWORK_CATEGORIES, TIE_KINDS
from tests.genogram.families import (
    TODAY,
    by_id,
    child_of,
    deceased,
    ended,
    matti,
    mother_and_child,
    person,
    union,
    when,
)

SVG = "http://www.w3.org/2000/svg"
NS = {"s": SVG}


def family(**changes) -> dict:
    """The Virtanen family: the mother and child of families.py grown to three generations, with
    most of the notation in it. The same family the pictures show."""
    raw = mother_and_child(
        persons=[
            person("gm", "Aino", gender_identity="woman", born=when("1950"), **deceased("2019")),
            person("gf", "Veikko", gender_identity="man", born=when("1948-02-01")),
            person("pekka", "Pekka", gender_identity="man", born=when("1988"), third_party=True),
            matti(),
            person(
                "aada",
                "Aada",
                gender_identity="non_binary",
                sex_at_birth="female",
                born=when("2017-08-01"),
            ),
            person("oona", "Oona", gender_identity="woman", born=when("2017-08-01")),
            person("kai", "Kai", born=when("2020")),
            {"id": "preg", "kind": "pregnancy"},
        ],
        unions=[
            union("u-grand", "gf", "gm", status="widowed"),
            union("u-parents", "pekka", "liisa", started=when("2012"), **ended("divorced", "2019")),
            union("u-now", "liisa", "matti", kind="cohabitation"),
        ],
        parentage=[
            *child_of("liisa", "gm", "gf"),
            *child_of("eino", "pekka"),
            *child_of("aada", "liisa", "pekka"),
            *child_of("oona", "liisa", "pekka"),
            *child_of("kai", "liisa", "matti", kind="adoptive"),
            *child_of("eino", "matti", kind="step"),
            *child_of("preg", "liisa"),
        ],
        twins=[{"id": "tw", "members": ["aada", "oona"], "kind": "identical"}],
        households=[{"id": "old", "members": ["pekka", "liisa"], "ended": when("2019")}],
        ties=[
            {
                "id": "t-conflict",
                "source": "liisa",
                "target": "eino",
                "kind": "conflict",
                "perspective": "eino",
            },
            {"id": "t-close", "source": "gf", "target": "liisa", "kind": "close"},
            {
                "id": "t-abuse",
                "source": "pekka",
                "target": "eino",
                "kind": "physical_abuse",
                "direction": "from_to",
                "perspective": "worker",
            },
        ],
        network=[
            {
                "id": "school",
                "label": "Kallio school",
                "category": "school",
                "strength": "strong",
                "flow": "to_family",
            },
            {
                "id": "clinic",
                "label": "Clinic",
                "category": "health",
                "strength": "tenuous",
                "stressful": True,
                "persons": ["liisa"],
            },
            {"id": "club", "label": "Football club", "category": "hobbies", "persons": ["eino"]},
            {"id": "grandpa", "label": "Grandfather", "category": "relatives"},
            {
                "id": "sw",
                "label": "Social worker",
                "category": "child_protection",
                "flow": "from_family",
                "persons": ["matti"],
            },
            {"id": "friends", "label": "Neighbours", "category": "friends"},
        ],
        pins={"genogram": [], "network": [{"id": "friends", "x": 300, "y": -250}]},
    )
    by_id(raw["persons"])["liisa"]["markers"] = [
        {"kind": "worry", "text": "tired"},
        {"kind": "resource", "text": "her sister"},
    ]
    raw["households"][0]["members"] += ["aada", "oona", "kai", "matti"]
    raw.update(changes)
    return GenogramSchema().load(raw)


ROWS = {
    "gf": (0, 1),
    "gm": (0, 2),
    "pekka": (1, 0),
    "liisa": (1, 1.5),
    "matti": (1, 3),
    "eino": (2, 1),
    "aada": (2, 2),
    "oona": (2, 3),
    "preg": (2, 4),
    "kai": (2, 5),
}


@pytest.fixture
def grid_layout(monkeypatch):
    """A fixed layout (the real engine is another module's job); records the pins it got."""
    calls = []

    def fake(graph, pins=None):
        calls.append(dict(pins or {}))
        placements = {}
        for i, pid in enumerate(graph.persons):
            generation, column = ROWS.get(pid, (0, 6 + i))
            x = (pins or {}).get(pid, column * 120.0)
            placements[pid] = Placement(x, generation * 160.0, generation)
        xs = [p.x for p in placements.values()]
        ys = [p.y for p in placements.values()]
        return GenogramLayout(placements, min(xs), min(ys), max(xs), max(ys))

    monkeypatch.setattr(svg_genogram, "layout_genogram", fake)
    return calls


def persons(svg: etree._Element) -> dict[str, etree._Element]:
    return {g.get("data-person-id"): g for g in svg.iterfind(".//s:g[@data-person-id]", NS)}


def marks(group: etree._Element, name: str) -> list[etree._Element]:
    return group.findall(f".//s:g[@data-mark='{name}']", NS)


def reparse(svg: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(svg))


# -- the document --------------------------------------------------------------------------


def test_the_genogram_is_an_accessible_svg_document():
    svg = reparse(genogram_svg(family(), today=TODAY))
    assert svg.tag == f"{{{SVG}}}svg"
    assert svg.get("role") == "graphics-document"
    assert svg.get("aria-roledescription") == "genogram"
    title = svg.find("s:title", NS)
    desc = svg.find("s:desc", NS)
    assert title.text == "Genogram of Eino"
    assert desc.text.startswith("Genogram of Eino: 9 people over 3 generations.")
    assert svg.get("aria-labelledby") == title.get("id")
    assert svg.get("aria-describedby") == desc.get("id")
    _x, _y, width, height = (float(n) for n in svg.get("viewBox").split())
    assert (float(svg.get("width")), float(svg.get("height"))) == (width, height)
    assert width > 0 and height > 0


def test_every_person_is_a_labelled_focusable_symbol_at_its_place():
    genogram = family()
    graph = FamilyGraph(genogram)
    svg = genogram_svg(genogram, today=TODAY)
    found = persons(svg)
    assert set(found) == {p["id"] for p in genogram["persons"]}
    for pid, group in found.items():
        assert group.get("role") == "graphics-symbol"
        assert group.get("id") == f"person-{pid}"
        assert group.get("tabindex") == "0"
        assert group.get("aria-label") == person_label(graph, pid, TODAY)
        x, y = float(group.get("data-x")), float(group.get("data-y"))
        assert group.get("transform") == f"translate({x:g} {y:g})"


def test_a_mother_and_child_at_home_are_labelled_plainly():
    genogram = GenogramSchema().load(mother_and_child())
    found = persons(genogram_svg(genogram, today=TODAY))
    assert found["liisa"].get("aria-label") == "Liisa, mother of Eino, 34, lives with Eino"
    assert found["eino"].get("aria-label") == "Eino, the child, 9, lives with Liisa"


def test_persons_are_drawn_where_the_layout_puts_them_and_pins_reach_it(grid_layout):
    genogram = family(pins={"genogram": [{"id": "kai", "x": 999.0}], "network": []})
    found = persons(genogram_svg(genogram, today=TODAY))
    assert grid_layout == [{"kai": 999.0}]
    assert found["kai"].get("transform") == "translate(999 320)"
    assert found["gm"].get("data-generation") == "0"
    assert found["eino"].get("data-generation") == "2"


# -- the notation --------------------------------------------------------------------------


def test_shapes_follow_gender_identity_and_the_index_is_doubled():
    found = persons(genogram_svg(family(), today=TODAY))
    assert found["pekka"].find("s:rect", NS) is not None  # square: a man
    assert found["liisa"].find("s:circle", NS) is not None  # circle: a woman
    assert found["aada"].find("s:path", NS) is not None  # diamond: non-binary
    assert found["aada"].find("s:rect", NS) is None and found["aada"].find("s:circle", NS) is None
    assert len(found["eino"].findall(".//*[@data-mark='index']", NS)) == 1
    assert not found["liisa"].findall(".//*[@data-mark='index']", NS)
    # Aada's sex at birth differs from what her gender suggests: marked, and in the label.
    assert marks(found["aada"], "sex-at-birth")
    assert "assigned female at birth" in found["aada"].get("aria-label")
    assert not marks(found["oona"], "sex-at-birth")


def test_the_dead_are_crossed_out():
    found = persons(genogram_svg(family(), today=TODAY))
    assert len(marks(found["gm"], "deceased")) == 1
    assert all(not marks(g, "deceased") for pid, g in found.items() if pid != "gm")


def test_adopted_child_in_brackets_and_marks_around_symbols():
    found = persons(genogram_svg(family(), today=TODAY))
    assert marks(found["kai"], "adopted")
    assert marks(found["liisa"], "worry") and marks(found["liisa"], "resource")
    assert marks(found["pekka"], "third-party")
    assert marks(found["matti"], "confidential") and marks(found["matti"], "worry")


def union_group(svg: etree._Element, union_id: str) -> etree._Element:
    return svg.find(f".//s:g[@data-union-id='{union_id}']", NS)


def test_divorce_has_two_slashes_separation_one_and_widowhood_a_cross():
    genogram = family()
    genogram["unions"][2]["status"] = "separated"
    svg = genogram_svg(genogram, today=TODAY)
    divorced = union_group(svg, "u-parents")
    assert len(marks(divorced, "slash")) == 2
    assert divorced.get("aria-label") == (
        "marriage between Pekka and Liisa, since 2012, divorced 2019"
    )
    assert len(marks(union_group(svg, "u-now"), "slash")) == 1
    widowed = union_group(svg, "u-grand")
    assert not marks(widowed, "slash") and len(marks(widowed, "widowed")) == 1


def test_union_lines_differ_by_kind():
    svg = genogram_svg(family(), today=TODAY)
    marriage = union_group(svg, "u-parents").find("s:path", NS)
    cohabitation = union_group(svg, "u-now").find("s:path", NS)
    assert marriage.get("stroke-dasharray") is None
    assert cohabitation.get("stroke-dasharray")


def test_children_hang_from_their_parents_union_or_from_a_parent_alone():
    svg = genogram_svg(family(), today=TODAY)
    under_parents = svg.find(".//s:g[@data-children-of='u-parents']", NS)
    legs = {p.get("data-child") for p in under_parents.findall("s:path[@data-child]", NS)}
    assert legs == {"eino", "aada", "oona"}
    under_now = svg.find(".//s:g[@data-children-of='u-now']", NS)
    kai = under_now.find("s:path[@data-child='kai']", NS)
    assert kai.get("stroke-dasharray")  # adoptive: dashed
    step = svg.find(".//s:path[@data-parent='matti'][@data-child='eino']", NS)
    assert step.get("stroke-dasharray") not in (None, kai.get("stroke-dasharray"))
    alone = svg.find(".//s:path[@data-parent='liisa'][@data-child='preg']", NS)
    assert alone is not None and alone.get("stroke-dasharray") is None


def geometry(element: etree._Element) -> list[tuple]:
    """What an element looks like apart from its colour."""
    ignored = {"stroke", "fill"}
    return [
        (
            e.tag,
            re.sub(r"-?\d+(\.\d+)?", "#", e.get("d", "")),
            tuple(sorted((k, v) for k, v in e.attrib.items() if k not in ignored | {"d"})),
        )
        for e in element.iter()
    ]


def test_every_tie_kind_has_its_own_pattern_not_only_a_colour():
    drawings = {}
    for kind in TIE_KINDS:
        group = etree.Element(f"{{{SVG}}}g")
        tie_pattern(group, kind, 100.0)
        drawings[kind] = geometry(group)
    for first, second in itertools.combinations(TIE_KINDS, 2):
        assert drawings[first] != drawings[second], (first, second)


def test_ties_are_labelled_and_directed_with_arrowheads(grid_layout):
    svg = genogram_svg(family(), today=TODAY)
    ties = {g.get("data-tie-id"): g for g in svg.iterfind(".//s:g[@data-tie-id]", NS)}
    assert ties["t-conflict"].get("aria-label") == (
        "conflict between Liisa and Eino, as Eino sees it"
    )
    assert ties["t-abuse"].get("aria-label") == (
        "physical abuse from Pekka to Eino, as the worker sees it"
    )
    assert geometry(ties["t-conflict"]) != geometry(ties["t-close"])
    arrows = ties["t-abuse"].findall(".//s:path[@marker-end]", NS)
    assert len(arrows) == 1
    marker_id = arrows[0].get("marker-end")[len("url(#") : -1]
    assert svg.find(f".//s:marker[@id='{marker_id}']", NS) is not None
    assert not ties["t-conflict"].findall(".//s:path[@marker-end]", NS)


def test_current_households_are_outlined_and_ended_ones_are_not(grid_layout):
    svg = genogram_svg(family(), today=TODAY)
    households = svg.findall(".//s:g[@data-household-id]", NS)
    assert [h.get("data-household-id") for h in households] == ["home"]
    assert households[0].get("stroke-dasharray")
    # One box around Liisa and Matti; in the children's row the pregnancy (not a member) splits
    # the run in two; the boxes are joined by lines.
    assert len(households[0].findall("s:rect", NS)) == 3
    assert len(households[0].findall("s:path", NS)) == 2


def test_identical_twins_share_one_point_with_a_bar(grid_layout):
    svg = genogram_svg(family(), today=TODAY)
    group = svg.find(".//s:g[@data-children-of='u-parents']", NS)
    legs = {p.get("data-child"): p.get("d") for p in group.findall("s:path[@data-child]", NS)}
    assert legs["aada"].split(" L")[0] == legs["oona"].split(" L")[0]
    assert legs["eino"].split(" L")[0] != legs["aada"].split(" L")[0]


def test_avatars_replace_the_symbols_for_a_child():
    svg = genogram_svg(family(), today=TODAY, avatars=True)
    found = persons(svg)
    assert {g.get("data-avatar") for g in svg.iterfind(".//s:g[@data-avatar]", NS)} >= {
        "adult",
        "child",
        "elder",
        "heart",
    }
    assert not marks(found["gm"], "deceased")  # a halo rather than an X
    assert found["gm"].find(".//s:ellipse", NS) is not None
    chosen = family()
    by_id(chosen["persons"])["eino"]["avatar"] = "pet"
    assert (
        persons(genogram_svg(chosen, avatars=True))["eino"].find("s:g[@data-avatar='pet']", NS)
        is not None
    )


# -- the legend ----------------------------------------------------------------------------


def legend_keys(svg: etree._Element) -> set[str]:
    return {g.get("data-legend-key") for g in svg.iterfind(".//s:g[@data-legend-key]", NS)}


def test_the_legend_lists_exactly_what_is_drawn():
    genogram = GenogramSchema().load(
        {
            "index_person": "c",
            "persons": [
                {"id": "c", "gender_identity": "woman"},
                {"id": "m", "gender_identity": "woman"},
                {"id": "f", "gender_identity": "man", "vital_status": "deceased"},
            ],
            "unions": [{"id": "u", "partners": ["m", "f"], "status": "divorced"}],
            "parentage": [{"child": "c", "parent": "m"}, {"child": "c", "parent": "f"}],
            "ties": [{"id": "t", "source": "m", "target": "c", "kind": "conflict"}],
        }
    )
    expected = {
        "person:man",
        "person:woman",
        "person:index",
        "person:deceased",
        "union:formal",
        "union:divorced",
        "child:biological",
        "tie:conflict",
    }
    _svg, keys = render_genogram(genogram, today=TODAY)
    assert set(keys) == expected
    assert legend_keys(legend_svg(genogram, today=TODAY)) == expected
    assert legend_keys(genogram_svg(genogram, today=TODAY, legend=True)) == expected
    assert not legend_keys(genogram_svg(genogram, today=TODAY))


def test_the_legend_of_the_full_family_names_its_tie_kinds():
    svg = legend_svg(family(), today=TODAY)
    assert svg.get("role") == "graphics-document"
    keys = legend_keys(svg)
    assert {k for k in keys if k.startswith("tie:")} == {
        "tie:conflict",
        "tie:close",
        "tie:physical_abuse",
        "tie:direction",
    }
    assert {"twins:identical", "child:adoptive", "child:step", "household"} <= keys
    labels = [t.text for t in svg.iterfind(".//s:g[@data-legend-key]/s:text", NS)]
    assert "conflict" in labels and "physical abuse" in labels


# -- the network map -----------------------------------------------------------------------


def nodes(svg: etree._Element) -> dict[str, etree._Element]:
    return {
        g.get("data-node-id"): g
        for g in svg.iterfind(".//s:g[@role='graphics-symbol'][@data-node-id]", NS)
    }


def test_the_network_map_is_an_accessible_document():
    svg = reparse(network_svg(family(), today=TODAY))
    assert svg.get("role") == "graphics-document"
    assert svg.get("aria-roledescription") == "network map"
    assert svg.find("s:title", NS).text == "Network map of Eino"
    assert svg.find("s:desc", NS).text.startswith("Network map of Eino: 6 connections")
    found = nodes(svg)
    assert found["school"].get("aria-label") == (
        "School: Kallio school, strong tie, gives to the family"
    )
    assert all(g.get("tabindex") == "0" for g in found.values())


def test_network_nodes_are_grouped_in_category_sectors_in_a_fixed_order():
    svg = network_svg(family(), today=TODAY)
    groups = svg.findall(".//s:g[@data-layer='nodes']/s:g[@data-category]", NS)
    categories = [g.get("data-category") for g in groups]
    assert categories == [c for c in NETWORK_CATEGORIES if c in set(categories)]
    assert set(categories) == {
        "school",
        "health",
        "hobbies",
        "relatives",
        "child_protection",
        "friends",
    }
    for group in groups:
        assert group.get("role") == "group"
        for node in group.findall("s:g[@data-node-id]", NS):
            assert node.get("data-category") == group.get("data-category")


def test_network_pins_are_respected_and_the_rest_sit_on_a_ring():
    svg = network_svg(family(), today=TODAY)
    found = nodes(svg)
    assert (found["friends"].get("data-x"), found["friends"].get("data-y")) == ("300", "-250")
    assert found["friends"].get("transform") == "translate(300 -250)"
    radii = {
        round((float(g.get("data-x")) ** 2 + float(g.get("data-y")) ** 2) ** 0.5)
        for key, g in found.items()
        if key != "friends"
    }
    assert len(radii) == 1


def test_network_lines_show_strength_stress_and_flow():
    svg = network_svg(family(), today=TODAY)

    def lines(node_id: str) -> list[etree._Element]:
        group = svg.find(f".//s:g[@data-layer='connections']/s:g[@data-node-id='{node_id}']", NS)
        return group.findall(".//s:path", NS)

    strong, tenuous = lines("school")[0], lines("clinic")[0]
    assert float(strong.get("stroke-width")) > float(tenuous.get("stroke-width"))
    assert tenuous.get("stroke-dasharray") and not strong.get("stroke-dasharray")
    assert len(lines("clinic")) == 2  # the line and its hatching: stressful
    assert any(p.get("marker-end") for p in lines("school"))
    assert not any(p.get("marker-end") for p in lines("club"))


def test_the_household_is_in_the_centre():
    svg = network_svg(family(), today=TODAY)
    centre = svg.find(".//s:g[@data-layer='household']", NS)
    members = [g.get("data-person-id") for g in centre.findall("s:g[@data-person-id]", NS)]
    assert members == ["eino", "liisa", "aada", "oona", "kai", "matti"]
    assert centre.get("aria-label") == "household: Eino, Liisa, Aada, Oona, Kai and Matti"


# -- safety --------------------------------------------------------------------------------


def all_drawings() -> list[etree._Element]:
    genogram = family()
    return [
        genogram_svg(genogram, today=TODAY, legend=True),
        genogram_svg(genogram, today=TODAY, avatars=True),
        genogram_svg(genogram, today=TODAY, family_view=True),
        legend_svg(genogram, today=TODAY),
        network_svg(genogram, today=TODAY, legend=True),
    ]


@pytest.mark.parametrize("index", range(5))
def test_no_inline_styles_scripts_or_event_handlers(index):
    svg = all_drawings()[index]
    for element in svg.iter():
        assert etree.QName(element).localname not in {"style", "script", "foreignObject"}
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
        assert not any("href" in name for name in element.attrib)


@pytest.mark.parametrize("index", range(5))
def test_ids_are_unique_and_every_reference_resolves(index):
    svg = all_drawings()[index]
    ids = [e.get("id") for e in svg.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    text = etree.tostring(svg).decode()
    for reference in re.findall(r"url\(#([^)]+)\)", text):
        assert reference in ids
    for attribute in ("aria-labelledby", "aria-describedby"):
        assert svg.get(attribute) in ids


def contrast(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_every_colour_has_3_to_1_contrast_against_white():
    genogram = family()
    ties = [
        {"id": f"t{i}", "source": "liisa", "target": "pekka", "kind": kind}
        for i, kind in enumerate(TIE_KINDS)
    ]
    every_category = [
        {"id": f"n{i}", "label": code, "category": code}
        for i, code in enumerate(NETWORK_CATEGORIES)
    ]
    drawings = [
        genogram_svg({**genogram, "ties": ties}, today=TODAY, legend=True),
        network_svg({**genogram, "network": every_category}, today=TODAY),
    ]
    for svg in drawings:
        for element in svg.iter():
            for attribute in ("stroke", "fill"):
                colour = element.get(attribute)
                if colour and colour.startswith("#"):
                    assert contrast(colour) >= 3.0, (attribute, colour)
                else:
                    assert colour in (None, "none", "white")


def test_the_family_view_leaves_out_confidential_names_and_markers():
    genogram = family()
    for svg in (
        genogram_svg(genogram, today=TODAY, family_view=True),
        genogram_svg(genogram, today=TODAY, family_view=True, avatars=True, legend=True),
        network_svg(genogram, today=TODAY, family_view=True),
    ):
        text = etree.tostring(svg, encoding="unicode")
        assert "Matti" not in text and "Salainen" not in text and "threatens" not in text
    hidden = persons(genogram_svg(genogram, today=TODAY, family_view=True))["matti"]
    assert not marks(hidden, "worry")
    assert hidden.get("aria-label").startswith("Stepfather of Eino")
    # The worker's view shows them.
    assert "Matti" in etree.tostring(genogram_svg(genogram, today=TODAY), encoding="unicode")
