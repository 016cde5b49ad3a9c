"""The genogram notation: how each person, union, parenthood and tie is drawn.

Shared by the genogram and its legend, so a legend sample is always the very drawing it explains.
It follows McGoldrick, Gerson & Petry (*Genograms: Assessment and Intervention*); where that
leaves room, these are the choices:

* Shape by gender identity, as the NSGC 2022 pedigree nomenclature does: square for a man, circle
  for a woman, diamond for a non-binary person or another gender, a diamond with "?" when the
  gender is not known. The sex at birth, when it differs from what the gender identity suggests,
  is a small circle (female), square (male) or circle in a square (intersex) at the lower left.
* Pregnancy a triangle; miscarriage a small filled circle; stillbirth a small symbol crossed.
* Death an X through the symbol; "?" at the lower right when it is not known whether alive.
* Worry a red triangle with "!", resource a green circle with "+", at the right (with a count
  when more than one); confidential a padlock and third party a ringed dot, at the left.
* Unions: solid for marriage and registered partnership, dashed cohabitation, dotted dating,
  dash-dot a relationship of a kind not yet known; one slash separation, two divorce, a cross
  widowhood. Children: biological solid, adoptive dashed with the child in brackets, foster
  dotted, step dash-dot, kinship carer dash-dot-dot, guardian long dashes.
* Emotional ties differ by line pattern first and colour second; abuse, violence and neglect
  also carry a glyph of their own in the middle of the line.
"""

from __future__ import annotations

import math
from typing import Any

from lxml import etree

from plugins.genogram.layout import SYMBOL_SIZE
from plugins.genogram.svg_base import (
    INK,
    WHITE,
    arrow_stub,
    element,
    number,
    path_data,
    sub,
)

HALF = SYMBOL_SIZE / 2
INDEX_RING = 5.0  # how far the index person's second outline is outside the first
DIAMOND = 1.2  # a diamond's half-diagonal, relative to HALF, so it looks as large as a square
MARK_OFFSET = HALF + 16  # the columns of small marks left and right of a symbol

WORRY_COLOUR = "#c62828"
RESOURCE_COLOUR = "#2e7d32"
HOUSEHOLD_COLOURS = ("#1f5f8b", "#7b3294", "#00695c", "#8d5a00")
HOUSEHOLD_DASH = "6 4"

TIE_COLOURS = {
    "close": "#2e7d32",
    "fused": "#1b5e20",
    "distant": "#546e7a",
    "conflict": "#c62828",
    "hostile": "#8e0000",
    "cutoff": "#37474f",
    "repaired": "#1565c0",
    "caregiving": "#6a1b9a",
    "physical_abuse": "#b71c1c",
    "emotional_abuse": "#ad1457",
    "sexual_abuse": "#4a148c",
    "violence": "#bf360c",
    "neglect": "#795548",
}

UNION_DASHES: dict[str, str | None] = {
    "marriage": None,
    "registered_partnership": None,
    "cohabitation": "8 5",
    "dating": "2 4",
    "unknown": "12 4 2 4",
}

CHILD_DASHES: dict[str, str | None] = {
    "biological": None,
    "adoptive": "8 4",
    "foster": "2 4",
    "step": "12 4 2 4",
    "kinship_carer": "12 4 2 4 2 4",
    "guardian": "18 6",
}


# -- shapes --------------------------------------------------------------------------------


def gender_shape(gender: str) -> str:
    return {"man": "square", "woman": "circle"}.get(gender, "diamond")


def gender_key(gender: str) -> str:
    """The legend entry for a gender identity's shape."""
    if gender in {"man", "woman"}:
        return f"person:{gender}"
    return "person:unknown_gender" if gender == "unknown" else "person:other_gender"


def shape(
    parent: etree._Element,
    name: str,
    half: float,
    *,
    x: float = 0.0,
    y: float = 0.0,
    fill: str = WHITE,
    stroke: str = INK,
    width: float = 2.0,
) -> etree._Element:
    """A square, circle, diamond or triangle centred on (x, y)."""
    paint = {"fill": fill, "stroke": stroke, "stroke_width": width}
    if name == "circle":
        return sub(parent, "circle", cx=x, cy=y, r=half, **paint)
    if name == "square":
        return sub(parent, "rect", x=x - half, y=y - half, width=2 * half, height=2 * half, **paint)
    if name == "diamond":
        d = half * DIAMOND
        points = [(x, y - d), (x + d, y), (x, y + d), (x - d, y)]
    else:  # triangle
        points = [(x, y - half), (x + half, y + half * 0.8), (x - half, y + half * 0.8)]
    return sub(parent, "path", d=path_data(points, closed=True), **paint)


def extent(person: dict[str, Any], *, index: bool = False, avatars: bool = False) -> float:
    """How far above and below its centre a person's symbol reaches: where lines end."""
    kind = person.get("kind", "person")
    ring = INDEX_RING if index else 0.0
    if avatars:
        return HALF + ring
    if kind == "pregnancy":
        return HALF * 0.8
    if kind == "miscarriage":
        return HALF * 0.35
    scale = 0.55 if kind == "stillbirth" else 1.0
    if gender_shape(person.get("gender_identity", "unknown")) == "diamond":
        scale *= DIAMOND
    return HALF * scale + ring


def cross(parent: etree._Element, reach: float, *, colour: str = INK) -> None:
    """The X of a death, reaching a little past the symbol."""
    parent = sub(parent, "g", data_mark="deceased")
    sub(
        parent,
        "path",
        d=f"M{number(-reach)} {number(-reach)} L{number(reach)} {number(reach)} "
        f"M{number(reach)} {number(-reach)} L{number(-reach)} {number(reach)}",
        fill="none",
        stroke=colour,
        stroke_width=2,
    )


def question(parent: etree._Element, x: float, y: float, size: float = 14) -> None:
    sub(
        parent,
        "text",
        "?",
        x=x,
        y=y + size * 0.36,
        text_anchor="middle",
        font_size=size,
        font_weight="bold",
        fill=INK,
        stroke="none",  # also inside a group that strokes its lines
        aria_hidden="true",
    )


def brackets(parent: etree._Element, half: float) -> None:
    """The brackets around an adopted child's symbol."""
    parent = sub(parent, "g", data_mark="adopted")
    outer, inner, top = half + 9, half + 5, half + 3
    sub(
        parent,
        "path",
        d=f"M{number(-inner)} {number(-top)} H{number(-outer)} V{number(top)} H{number(-inner)} "
        f"M{number(inner)} {number(-top)} H{number(outer)} V{number(top)} H{number(inner)}",
        fill="none",
        stroke=INK,
        stroke_width=1.5,
    )


# -- small marks ---------------------------------------------------------------------------


def worry_glyph(parent: etree._Element, x: float, y: float) -> None:
    parent = sub(parent, "g", data_mark="worry")
    sub(
        parent,
        "path",
        d=path_data([(x, y - 6), (x + 6, y + 5), (x - 6, y + 5)], closed=True),
        fill=WORRY_COLOUR,
        stroke=WORRY_COLOUR,
        stroke_width=1,
        stroke_linejoin="round",
    )
    sub(
        parent,
        "path",
        d=f"M{number(x)} {number(y - 2.5)} V{number(y + 1.5)} "
        f"M{number(x)} {number(y + 2.8)} V{number(y + 3.6)}",
        stroke=WHITE,
        stroke_width=1.4,
        fill="none",
    )


def resource_glyph(parent: etree._Element, x: float, y: float) -> None:
    parent = sub(parent, "g", data_mark="resource")
    sub(parent, "circle", cx=x, cy=y, r=5.5, fill=RESOURCE_COLOUR)
    sub(
        parent,
        "path",
        d=f"M{number(x - 3)} {number(y)} H{number(x + 3)} "
        f"M{number(x)} {number(y - 3)} V{number(y + 3)}",
        stroke=WHITE,
        stroke_width=1.6,
        fill="none",
    )


def confidential_glyph(parent: etree._Element, x: float, y: float) -> None:
    """A padlock."""
    parent = sub(parent, "g", data_mark="confidential")
    sub(parent, "rect", x=x - 4, y=y - 1, width=8, height=6, rx=1, fill=INK)
    sub(
        parent,
        "path",
        d=f"M{number(x - 2.5)} {number(y - 1)} V{number(y - 3.5)} "
        f"A2.5 2.5 0 0 1 {number(x + 2.5)} {number(y - 3.5)} V{number(y - 1)}",
        fill="none",
        stroke=INK,
        stroke_width=1.4,
    )


def third_party_glyph(parent: etree._Element, x: float, y: float) -> None:
    """A ringed dot."""
    parent = sub(parent, "g", data_mark="third-party")
    sub(parent, "circle", cx=x, cy=y, r=5, fill=WHITE, stroke=INK, stroke_width=1.4)
    sub(parent, "circle", cx=x, cy=y, r=1.8, fill=INK)


def sex_mark(parent: etree._Element, sex: str, x: float, y: float) -> None:
    """The sex at birth as a small shape: circle female, square male, circle in square intersex."""
    parent = sub(parent, "g", data_mark="sex-at-birth")
    paint = {"fill": WHITE, "stroke": INK, "stroke_width": 1.4}
    if sex == "female":
        sub(parent, "circle", cx=x, cy=y, r=4, **paint)
    else:
        sub(parent, "rect", x=x - 4, y=y - 4, width=8, height=8, **paint)
        if sex == "intersex":
            sub(parent, "circle", cx=x, cy=y, r=2, fill=INK)


def count(parent: etree._Element, number_of: int, x: float, y: float) -> None:
    if number_of > 1:
        sub(
            parent,
            "text",
            str(number_of),
            x=x + 8,
            y=y + 3.5,
            text_anchor="start",  # also inside a group whose captions are centred
            font_size=9,
            fill=INK,
            aria_hidden="true",
        )


# -- unions and children -------------------------------------------------------------------


# What a union's line and its marks have in common; a group of many unions may carry it for them.
UNION_LINE_PAINT = {"fill": "none", "stroke": INK, "stroke-width": "2"}
_MARK_PAINT = {"stroke": INK, "stroke-width": "2", "fill": "none"}  # the same, as marks write it


def slash(parent: etree._Element, x: float, y: float, *, painted: bool = True) -> None:
    parent = element(parent, "g", {"data-mark": "slash"})
    attrib = {"d": path_data([(x - 4, y + 7), (x + 4, y - 7)])}
    if painted:
        attrib.update(_MARK_PAINT)
    element(parent, "path", attrib)


def widowed_mark(parent: etree._Element, x: float, y: float, *, painted: bool = True) -> None:
    """A small cross (dagger) on the union line."""
    parent = element(parent, "g", {"data-mark": "widowed"})
    attrib = {
        "d": f"M{number(x)} {number(y - 8)} V{number(y + 6)} "
        f"M{number(x - 4)} {number(y - 4)} H{number(x + 4)}"
    }
    if painted:
        attrib.update(_MARK_PAINT)
    element(parent, "path", attrib)


def union_line(
    parent: etree._Element,
    left: tuple[float, float],
    right: tuple[float, float],
    bar_y: float,
    *,
    kind: str,
    status: str,
    painted: bool = True,
) -> list[str]:
    """The U-shaped line joining two partners' symbol bottoms, with its ending marks.

    ``painted=False`` leaves out UNION_LINE_PAINT, for a union inside a group that carries it.
    """
    (x1, y1), (x2, y2) = left, right
    dash = UNION_DASHES.get(kind)
    attrib = {"d": path_data([(x1, y1), (x1, bar_y), (x2, bar_y), (x2, y2)])}
    if painted:
        attrib.update(UNION_LINE_PAINT)
    if dash is not None:
        attrib["stroke-dasharray"] = dash
    if kind == "dating":
        attrib["stroke-linecap"] = "round"
    element(parent, "path", attrib)
    keys = ["union:formal" if dash is None else f"union:{kind}"]
    mark_x = (x1 + x2) / 2 - min(16.0, (x2 - x1) / 4)
    if kind == "unknown":
        question(parent, (x1 + x2) / 2 + min(16.0, (x2 - x1) / 4), bar_y - 6, size=11)
    if status == "separated":
        slash(parent, mark_x, bar_y, painted=painted)
    elif status == "divorced":
        slash(parent, mark_x - 4, bar_y, painted=painted)
        slash(parent, mark_x + 4, bar_y, painted=painted)
    elif status == "widowed":
        widowed_mark(parent, mark_x, bar_y, painted=painted)
    if status != "together":
        keys.append(f"union:{status}")
    return keys


# What every line of parenthood has in common; a group of many such lines may carry it for them.
CHILD_LINE_PAINT = {"fill": "none", "stroke": INK, "stroke-width": "1.6"}


def _child_pattern(kind: str) -> dict[str, str]:
    pattern = {}
    dash = CHILD_DASHES.get(kind)
    if dash is not None:
        pattern["stroke-dasharray"] = dash
    if kind == "foster":
        pattern["stroke-linecap"] = "round"
    return pattern


# A large family has a thousand lines of parenthood in a handful of patterns.
_CHILD_PATTERNS = {kind: _child_pattern(kind) for kind in CHILD_DASHES}


def child_line(
    parent: etree._Element,
    points: list[tuple[float, float]],
    kind: str,
    *,
    painted: bool = True,
    **attrs: str,
) -> etree._Element:
    """A line of parenthood in the pattern of its kind; ``attrs`` (text) name what it joins.

    ``painted=False`` leaves out CHILD_LINE_PAINT, for a line inside a group that carries it.
    """
    attrib = {"d": path_data(points)}
    if painted:
        attrib.update(CHILD_LINE_PAINT)
    pattern = _CHILD_PATTERNS.get(kind)
    attrib.update(_child_pattern(kind) if pattern is None else pattern)
    for key, value in attrs.items():
        attrib[key.replace("_", "-")] = value
    return element(parent, "path", attrib)


# -- emotional ties ------------------------------------------------------------------------


def zigzag(x0: float, x1: float, y: float, amp: float, step: float) -> list[tuple[float, float]]:
    """A zig-zag from x0 to x1 around the line y, starting and ending on it."""
    teeth = max(2, int((x1 - x0) / step))
    width = (x1 - x0) / teeth
    points = [(x0, y)]
    points += [(x0 + width * (i + 0.5), y + (amp if i % 2 == 0 else -amp)) for i in range(teeth)]
    points.append((x1, y))
    return points


def tie_pattern(parent: etree._Element, kind: str, length: float) -> None:
    """A tie of ``kind`` along the x axis from 0 to ``length`` (the caller rotates it)."""
    colour = TIE_COLOURS.get(kind, INK)
    lead = min(8.0, length / 4)
    mid = length / 2

    def line(points: list[tuple[float, float]], width: float = 1.6, **attrs: Any) -> None:
        sub(
            parent,
            "path",
            d=path_data(points),
            fill="none",
            stroke=colour,
            stroke_width=width,
            stroke_linejoin="round",
            **attrs,
        )

    def straight(y: float = 0.0, width: float = 1.6, **attrs: Any) -> None:
        line([(0, y), (length, y)], width, **attrs)

    def zig(y: float = 0.0, amp: float = 5.0, step: float = 6.0, **attrs: Any) -> None:
        line([(0, y), *zigzag(lead, length - lead, y, amp, step), (length, y)], **attrs)

    def bars(at: list[float]) -> None:
        for x in at:
            line([(x, -8), (x, 8)], 2)

    if kind == "close":
        straight(-2.5)
        straight(2.5)
    elif kind == "fused":
        for y in (-4.5, 0.0, 4.5):
            straight(y, 1.4)
    elif kind == "distant":
        straight(width=2.5, stroke_dasharray="1 5", stroke_linecap="round")
    elif kind == "conflict":
        zig(width=1.8)
    elif kind == "hostile":
        zig(-3.5, amp=3.5, width=1.6)
        zig(3.5, amp=3.5, width=1.6)
    elif kind == "cutoff":
        line([(0, 0), (mid - 9, 0)], 2)
        line([(mid + 9, 0), (length, 0)], 2)
        bars([mid - 5, mid + 5])
    elif kind == "repaired":
        straight(width=2)
        bars([mid - 5, mid + 5])
        sub(parent, "circle", cx=mid, cy=0, r=11, fill="none", stroke=colour, stroke_width=1.4)
    elif kind == "caregiving":
        straight(width=1.8)
        for x in (length / 4, mid, 3 * length / 4):
            sub(parent, "circle", cx=x, cy=0, r=3, fill=colour)
    elif kind == "physical_abuse":
        zig(amp=5.5, step=6.0, width=2.8)
    elif kind == "emotional_abuse":
        zig(width=2, stroke_dasharray="5 3")
    elif kind == "sexual_abuse":
        zig(width=1.8)
        straight(width=1.8)
    elif kind == "violence":
        zig(amp=4.0, width=2)
        straight(-7.5, 1.4)
        straight(7.5, 1.4)
    elif kind == "neglect":
        zig(width=2.2, stroke_dasharray="1 3.5", stroke_linecap="round")
    else:
        straight()


# The glyph in the middle of an abuse, violence or neglect line: the kind is never told by
# colour alone, and these are the ties a reader must not miss.
TIE_GLYPHS = {
    "physical_abuse": "triangle",
    "emotional_abuse": "open_triangle",
    "sexual_abuse": "diamond",
    "violence": "square",
    "neglect": "open_circle",
}


def tie_glyph(parent: etree._Element, kind: str, x: float, y: float) -> None:
    """The kind's glyph on a white disc at (x, y), upright whatever the line's angle."""
    glyph = TIE_GLYPHS.get(kind)
    if glyph is None:
        return
    colour = TIE_COLOURS[kind]
    sub(parent, "circle", cx=x, cy=y, r=8.5, fill=WHITE, stroke=colour, stroke_width=1.2)
    filled = {"fill": colour}
    outlined = {"fill": WHITE, "stroke": colour, "stroke_width": 1.6}
    triangle = [(x, y - 5), (x + 5, y + 4), (x - 5, y + 4)]
    if glyph == "triangle":
        sub(parent, "path", d=path_data(triangle, closed=True), **filled)
    elif glyph == "open_triangle":
        sub(parent, "path", d=path_data(triangle, closed=True), **outlined)
    elif glyph == "diamond":
        points = [(x, y - 5.5), (x + 5.5, y), (x, y + 5.5), (x - 5.5, y)]
        sub(parent, "path", d=path_data(points, closed=True), **filled)
    elif glyph == "square":
        sub(parent, "rect", x=x - 4, y=y - 4, width=8, height=8, **filled)
    else:
        sub(parent, "circle", cx=x, cy=y, r=4, **outlined)


def tie_marker_id(prefix: str, kind: str) -> str:
    return f"{prefix}-arrow-{kind}"


def angle_of(dx: float, dy: float) -> float:
    return math.degrees(math.atan2(dy, dx))


# -- the network map -----------------------------------------------------------------------

NETWORK_WIDTHS = {"strong": 5.0, "moderate": 2.0, "tenuous": 2.0}
STRESS_COLOUR = "#b71c1c"


def connection(
    parent: etree._Element,
    length: float,
    *,
    strength: str = "moderate",
    stressful: bool = False,
    flow: str = "none",
    marker_id: str | None = None,
) -> None:
    """A network tie along the x axis, from the node (0) to the family (``length``).

    Strong is thick, moderate normal, tenuous dashed (Hartman); stressful is hatched across;
    the flow of giving and taking is an arrowhead at the receiving end.
    """
    sub(
        parent,
        "path",
        d=f"M0 0 H{number(length)}",
        fill="none",
        stroke=INK,
        stroke_width=NETWORK_WIDTHS.get(strength, 2.0),
        stroke_dasharray="7 5" if strength == "tenuous" else None,
    )
    if stressful:
        ticks = max(1, int((length - 20) / 12))
        spacing = (length - 20) / ticks
        hatch = " ".join(
            f"M{number(x - 3)} 7 L{number(x + 3)} -7"
            for x in (10 + spacing * (i + 0.5) for i in range(ticks))
        )
        sub(parent, "path", d=hatch, fill="none", stroke=STRESS_COLOUR, stroke_width=1.8)
    if marker_id and flow in {"to_family", "both"}:
        arrow_stub(parent, (length - 1, 0), (length, 0), marker_id, INK)
    if marker_id and flow in {"from_family", "both"}:
        arrow_stub(parent, (1, 0), (0, 0), marker_id, INK)
