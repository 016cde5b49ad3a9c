"""Genogram layout: where each person's symbol goes. (Interface; the engine is being written.)"""

from __future__ import annotations

from dataclasses import dataclass

from plugins.genogram.family_graph import FamilyGraph

SYMBOL_SIZE = 40.0  # width and height of a person's square or circle
MIN_SPACING = 120.0  # least distance between two centres in a row: symbol plus its caption
ROW_HEIGHT = 160.0  # distance between generation rows


@dataclass(frozen=True)
class Placement:
    """The centre of one person's symbol and the generation row it sits in (0 = top)."""

    x: float
    y: float
    generation: int


@dataclass(frozen=True)
class GenogramLayout:
    placements: dict[str, Placement]
    min_x: float
    min_y: float
    max_x: float
    max_y: float


def layout_genogram(graph: FamilyGraph, pins: dict[str, float] | None = None) -> GenogramLayout:
    """Place every person: generations in rows, ``pins`` (person id -> x) kept where dragged."""
    rows: dict[int, list[str]] = {}
    for person_id in graph.persons:
        rows.setdefault(0, []).append(person_id)
    placements = {
        pid: Placement(x=i * MIN_SPACING, y=0.0, generation=0)
        for i, pid in enumerate(rows.get(0, []))
    }
    xs = [p.x for p in placements.values()]
    return GenogramLayout(placements, min(xs), 0.0, max(xs), 0.0)
