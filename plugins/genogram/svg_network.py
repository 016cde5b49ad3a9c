"""The network map (Hartman's ecomap) as an accessible SVG: the household at the centre, the
family's network around it in one sector per category, lines showing each tie's strength,
stress and the direction of giving and taking.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from lxml import etree

from plugin_host.api import gettext
from plugins.genogram import vocabulary as v
from plugins.genogram.family_graph import FamilyGraph
from plugins.genogram.labels import (
    capitalised,
    display_name,
    first_name,
    hidden,
    join_names,
    network_summary,
    node_label,
    person_label,
)
from plugins.genogram.network_layout import (
    LABEL_GAP,
    MEMBER_SIZE,
    NODE_RADIUS,
    NetworkLayout,
    layout_network,
    ordered_nodes,
    point,
)
from plugins.genogram.svg_base import (
    INK,
    MUTED,
    WHITE,
    arrow_marker,
    haloed_text,
    number,
    root,
    sub,
    truncate,
    wrap,
)
from plugins.genogram.svg_legend import legend_group
from plugins.genogram.svg_notation import angle_of, connection, cross, gender_shape, shape

MARGIN = 24.0
# One colour per category, each at least 3:1 against white; the sector and its name say the
# category too, so colour is never the only cue.
CATEGORY_COLOURS = {
    "school": "#1565c0",
    "daycare": "#00838f",
    "health": "#2e7d32",
    "friends": "#e65100",
    "relatives": "#6d4c41",
    "hobbies": "#5e35b1",
    "child_protection": "#c2185b",
    "work": "#37474f",
    "faith": "#827717",
    "other": "#767676",
}


def centre_members(graph: FamilyGraph, family_view: bool = False) -> list[str]:
    """The child's current household, the child first; just the child if none is recorded."""
    found = [graph.index_id]
    for household in graph.current_households():
        if graph.index_id in household["members"]:
            found += [m for m in household["members"] if m not in found]
    return [m for m in found if m == graph.index_id or not hidden(graph, m, family_view)]


def network_svg(
    genogram: dict[str, Any],
    *,
    today: date | None = None,
    family_view: bool = False,
    legend: bool = False,
    id_prefix: str = "network",
) -> etree._Element:
    """The network map of a loaded ``genogram`` document."""
    graph = FamilyGraph(genogram)
    today = today or date.today()
    nodes = list(genogram.get("network") or ())
    pins = {
        pin["id"]: (float(pin["x"]), float(pin["y"]))
        for pin in (genogram.get("pins") or {}).get("network", [])
        if pin.get("y") is not None
    }
    members = centre_members(graph, family_view)
    layout = layout_network(nodes, members, pins)
    bounds = (
        layout.min_x - MARGIN,
        layout.min_y - MARGIN,
        layout.max_x - layout.min_x + 2 * MARGIN,
        layout.max_y - layout.min_y + 2 * MARGIN,
    )
    child = display_name(graph, graph.index_id, family_view)
    svg = root(
        bounds=bounds,
        title=gettext("Network map of %(child)s", child=child),
        desc=network_summary(graph, family_view=family_view),
        roledescription=gettext("network map"),
        id_prefix=id_prefix,
    )
    marker = f"{id_prefix}-arrow"
    if any(node.get("flow", "none") != "none" for node in nodes):
        arrow_marker(sub(svg, "defs"), marker, INK)
    _sectors(sub(svg, "g", data_layer="sectors", aria_hidden="true"), layout)
    _connections(sub(svg, "g", data_layer="connections", aria_hidden="true"), nodes, layout, marker)
    _centre(sub(svg, "g", data_layer="household"), graph, layout, today, family_view)
    _nodes(sub(svg, "g", data_layer="nodes"), graph, nodes, layout, family_view)
    if legend and nodes:
        x, y, width, height = bounds
        group = sub(svg, "g", transform=f"translate({number(x + 20)} {number(y + height)})")
        legend_width, legend_height = legend_group(group, network_keys(nodes), id_prefix=id_prefix)
        bounds = (x, y, max(width, legend_width + 40), height + legend_height + 20)
        svg.set("width", number(bounds[2]))
        svg.set("height", number(bounds[3]))
        svg.set("viewBox", " ".join(number(n) for n in bounds))
    return svg


def network_keys(nodes: list[dict[str, Any]]) -> list[str]:
    """The legend entries the network map's lines use."""
    keys = {f"network:{node.get('strength', 'moderate')}" for node in nodes}
    if any(node.get("stressful") for node in nodes):
        keys.add("network:stressful")
    if any(node.get("flow", "none") != "none" for node in nodes):
        keys.add("network:flow")
    return sorted(keys)


def _sectors(layer: etree._Element, layout: NetworkLayout) -> None:
    """Thin dividers between the sectors and each sector's name outside the ring."""
    if len(layout.sectors) > 1:
        inner, outer = layout.centre_radius + 10, layout.ring_radius + LABEL_GAP - 16
        dividers = []
        for sector in layout.sectors:
            (x1, y1), (x2, y2) = point(inner, sector.start), point(outer, sector.start)
            dividers.append(f"M{number(x1)} {number(y1)} L{number(x2)} {number(y2)}")
        sub(
            layer,
            "path",
            d=" ".join(dividers),
            fill="none",
            stroke=MUTED,
            stroke_width=1,
            stroke_dasharray="3 5",
        )
    for sector in layout.sectors:
        name = capitalised(v.label(v.NETWORK_CATEGORIES, sector.category))
        haloed_text(
            layer,
            name,
            sector.label_x,
            sector.label_y + 4,
            size=12,
            weight="bold",
            anchor=sector.anchor,
        )


def _connections(
    layer: etree._Element, nodes: list[dict[str, Any]], layout: NetworkLayout, marker: str
) -> None:
    for node in nodes:
        nx, ny = layout.nodes[node["id"]]
        targets = [
            (layout.members[p], MEMBER_SIZE / 2 + 5)
            for p in node.get("persons") or ()
            if p in layout.members
        ]
        if not targets:  # the household as a whole: to the centre circle's edge
            targets = [((0.0, 0.0), layout.centre_radius)]
        group = sub(layer, "g", data_node_id=node["id"])
        for (tx, ty), reach in targets:
            dx, dy = tx - nx, ty - ny
            length = math.hypot(dx, dy) - NODE_RADIUS - reach
            if length < 8:
                continue
            frame = sub(
                group,
                "g",
                transform=f"translate({number(nx)} {number(ny)}) "
                f"rotate({number(angle_of(dx, dy))}) translate({number(NODE_RADIUS)} 0)",
            )
            connection(
                frame,
                length,
                strength=node.get("strength", "moderate"),
                stressful=bool(node.get("stressful")) and length > 24,
                flow=node.get("flow", "none"),
                marker_id=marker,
            )


def _centre(
    layer: etree._Element,
    graph: FamilyGraph,
    layout: NetworkLayout,
    today: date,
    family_view: bool,
) -> None:
    """The household circle with its members as small genogram symbols."""
    names = join_names([display_name(graph, m, family_view) for m in layout.members])
    layer.set("role", "group")
    layer.set("aria-label", gettext("household: %(names)s", names=names))
    sub(layer, "circle", cx=0, cy=0, r=layout.centre_radius, fill=WHITE, stroke=INK, stroke_width=2)
    half = MEMBER_SIZE / 2
    for pid, (x, y) in layout.members.items():
        person = graph.persons[pid]
        group = sub(
            layer,
            "g",
            id=f"network-person-{pid}",
            role="graphics-symbol",
            aria_label=person_label(graph, pid, today, family_view=family_view),
            tabindex=0,
            data_person_id=pid,
            data_x=float(x),
            data_y=float(y),
            transform=f"translate({number(x)} {number(y)})",
        )
        outline = gender_shape(person.get("gender_identity", "unknown"))
        shape(group, outline, half * (0.85 if outline == "diamond" else 1.0))
        if pid == graph.index_id:
            shape(group, outline, half + 4 * (0.85 if outline == "diamond" else 1.0), fill="none")
        if person.get("vital_status") == "deceased":
            cross(group, half + 3)
        if not hidden(graph, pid, family_view) and first_name(person):
            haloed_text(group, truncate(first_name(person), 12), 0, half + 16, size=10)


def _nodes(
    layer: etree._Element,
    graph: FamilyGraph,
    nodes: list[dict[str, Any]],
    layout: NetworkLayout,
    family_view: bool,
) -> None:
    """Each node in its category's group: a circle with its name, in the category's colour."""
    for category, members in ordered_nodes(nodes).items():
        group = sub(
            layer,
            "g",
            role="group",
            data_category=category,
            aria_label=capitalised(v.label(v.NETWORK_CATEGORIES, category)),
        )
        colour = CATEGORY_COLOURS.get(category, INK)
        for node in members:
            x, y = layout.nodes[node["id"]]
            item = sub(
                group,
                "g",
                id=f"node-{node['id']}",
                role="graphics-symbol",
                aria_label=node_label(graph, node, family_view=family_view),
                tabindex=0,
                data_node_id=node["id"],
                data_category=category,
                data_x=float(x),
                data_y=float(y),
                transform=f"translate({number(x)} {number(y)})",
            )
            sub(
                item, "circle", cx=0, cy=0, r=NODE_RADIUS, fill=WHITE, stroke=colour, stroke_width=3
            )
            lines = wrap(node["label"], 11, 3)
            first = -(len(lines) - 1) * 6 + 3.5
            for i, line in enumerate(lines):
                sub(
                    item,
                    "text",
                    line,
                    x=0,
                    y=first + 12 * i,
                    text_anchor="middle",
                    font_size=10,
                    fill=INK,
                )
