"""Where the network map puts things: the household in a circle at the centre, the network's
nodes on a ring around it, one sector per category in use (Hartman's ecomap).

Deterministic: categories in the vocabulary's order, nodes by label then id within a category,
each category's sector as wide as its share of the nodes. A node the worker dragged stays at its
pin (still counted in its sector).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from plugins.genogram import vocabulary as v

NODE_RADIUS = 34.0
MEMBER_SIZE = 26.0  # width of a household member's symbol in the centre
MEMBER_SPACING = 62.0  # least distance between two household members' centres
NODE_SPACING = 2 * NODE_RADIUS + 26  # least distance along the ring between two nodes
RING_GAP = 150.0  # from the centre circle out to the ring of nodes
LABEL_GAP = NODE_RADIUS + 22  # from the ring out to the sector's name


@dataclass(frozen=True)
class Sector:
    category: str
    start: float  # radians, clockwise from the top (SVG's y points down)
    end: float
    label_x: float
    label_y: float
    anchor: str  # "start", "middle" or "end": the name reads outwards from the ring


@dataclass(frozen=True)
class NetworkLayout:
    centre_radius: float
    ring_radius: float
    members: dict[str, tuple[float, float]]
    nodes: dict[str, tuple[float, float]]
    sectors: list[Sector]
    min_x: float
    min_y: float
    max_x: float
    max_y: float


def point(radius: float, angle: float) -> tuple[float, float]:
    """The point at ``radius`` and ``angle`` (0 at the top, growing clockwise)."""
    return (radius * math.sin(angle), -radius * math.cos(angle))


def ordered_nodes(nodes: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Nodes by category, categories in the vocabulary's order (unknown codes last)."""
    order = {code: i for i, code in enumerate(v.NETWORK_CATEGORIES)}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for node in sorted(
        nodes,
        key=lambda n: (
            order.get(n["category"], len(order)),
            n["category"],
            n["label"].casefold(),
            n["id"],
        ),
    ):
        grouped.setdefault(node["category"], []).append(node)
    return grouped


def layout_network(
    nodes: list[dict[str, Any]],
    members: list[str],
    pins: dict[str, tuple[float, float]] | None = None,
) -> NetworkLayout:
    """Place the household ``members`` in the centre and the ``nodes`` around them."""
    pins = pins or {}
    count = len(members)
    member_ring = 0.0 if count <= 1 else MEMBER_SPACING * count / (2 * math.pi)
    member_ring = max(member_ring, 42.0) if count > 1 else 0.0
    centre = max(62.0, member_ring + MEMBER_SIZE / 2 + 30)
    placed_members = {
        pid: point(member_ring, 2 * math.pi * i / count) for i, pid in enumerate(members)
    }
    ring = max(centre + RING_GAP, NODE_SPACING * len(nodes) / (2 * math.pi))
    grouped = ordered_nodes(nodes)
    placed: dict[str, tuple[float, float]] = {}
    sectors = []
    angle = 0.0
    for category, members_of in grouped.items():
        span = 2 * math.pi * len(members_of) / len(nodes)
        for i, node in enumerate(members_of):
            placed[node["id"]] = pins.get(node["id"]) or point(
                ring, angle + span * (i + 0.5) / len(members_of)
            )
        middle = angle + span / 2
        label_x, label_y = point(ring + LABEL_GAP, middle)
        side = math.sin(middle)
        anchor = "start" if side > 0.35 else "end" if side < -0.35 else "middle"
        sectors.append(Sector(category, angle, angle + span, label_x, label_y, anchor))
        angle += span
    xs = [-centre, centre, *(x for x, _ in placed.values())]
    ys = [-centre, centre, *(y for _, y in placed.values())]
    reach = NODE_RADIUS + 12
    # A name reads up to about 160 units from its anchor, on the side its anchor says.
    label_xs = [s.label_x + {"start": 80, "end": -80}.get(s.anchor, 0) for s in sectors]
    label_ys = [s.label_y for s in sectors]
    return NetworkLayout(
        centre_radius=centre,
        ring_radius=ring,
        members=placed_members,
        nodes=placed,
        sectors=sectors,
        min_x=min([x - reach for x in xs] + [x - 80 for x in label_xs]),
        min_y=min([y - reach for y in ys] + [y - 20 for y in label_ys]),
        max_x=max([x + reach for x in xs] + [x + 80 for x in label_xs]),
        max_y=max([y + reach for y in ys] + [y + 20 for y in label_ys]),
    )
