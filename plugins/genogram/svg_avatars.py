"""Friendly pictures instead of genogram symbols, for drawing the family with a child.

Each is a few simple shapes in a pastel disc with a dark outline (the outline carries the
contrast; the pastel is decoration). A person who has died wears a halo rather than an X.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from lxml import etree

from plugins.genogram.labels import age_range
from plugins.genogram.svg_base import INK, WHITE, number, path_data, sub

FILLS = {
    "adult": "#cfe3f7",
    "child": "#fde3b5",
    "baby": "#fbd3e0",
    "elder": "#dfe8cf",
    "heart": "#fbe1e1",
    "star": "#fff2b3",
    "pet": "#efe4d2",
    "house": "#d7ecec",
}
HALO_COLOUR = "#8d5a00"
HEART_COLOUR = "#c62828"
STAR_COLOUR = "#ad6800"


def avatar_for(person: dict[str, Any], today: date) -> str:
    """The picture the person chose, else one by kind and age."""
    if person.get("avatar"):
        return str(person["avatar"])
    kind = person.get("kind", "person")
    if kind == "pregnancy":
        return "heart"
    if kind in {"miscarriage", "stillbirth"}:
        return "star"
    ages = age_range(person["born"]["date"], today) if person.get("born") else None
    if ages is None:
        return "adult"
    age = ages[1]
    return "baby" if age < 2 else "child" if age < 18 else "elder" if age >= 70 else "adult"


def draw_avatar(parent: etree._Element, avatar: str, half: float, *, deceased: bool) -> None:
    """The avatar centred on the origin, in a disc of radius ``half``."""
    parent = sub(parent, "g", data_avatar=avatar)
    sub(
        parent,
        "circle",
        cx=0,
        cy=0,
        r=half,
        fill=FILLS.get(avatar, WHITE),
        stroke=INK,
        stroke_width=1.8,
    )
    _FIGURES.get(avatar, _adult)(parent)
    if deceased:
        sub(
            parent,
            "ellipse",
            cx=0,
            cy=-half - 5,
            rx=10,
            ry=3.2,
            fill="none",
            stroke=HALO_COLOUR,
            stroke_width=2,
        )


def halo(parent: etree._Element, x: float, y: float) -> None:
    """The halo alone, for the legend."""
    sub(
        parent,
        "ellipse",
        cx=x,
        cy=y,
        rx=10,
        ry=3.2,
        fill="none",
        stroke=HALO_COLOUR,
        stroke_width=2,
    )


_LINE = {"fill": WHITE, "stroke": INK, "stroke_width": 1.5}


def _face(parent: etree._Element, x: float, y: float, r: float) -> None:
    sub(parent, "circle", cx=x, cy=y, r=r, **_LINE)
    for side in (-1, 1):
        sub(
            parent,
            "circle",
            cx=x + side * r * 0.38,
            cy=y - r * 0.15,
            r=max(0.8, r * 0.13),
            fill=INK,
        )
    sub(
        parent,
        "path",
        d=f"M{number(x - r * 0.4)} {number(y + r * 0.3)} "
        f"Q{number(x)} {number(y + r * 0.65)} {number(x + r * 0.4)} {number(y + r * 0.3)}",
        fill="none",
        stroke=INK,
        stroke_width=1,
    )


def _body(parent: etree._Element, width: float, top: float) -> None:
    sub(
        parent,
        "path",
        d=f"M{number(-width)} 16 Q{number(-width)} {number(top)} 0 {number(top)} "
        f"Q{number(width)} {number(top)} {number(width)} 16 Z",
        **_LINE,
    )


def _adult(parent: etree._Element) -> None:
    _body(parent, 11, 3)
    _face(parent, 0, -6, 7)


def _child(parent: etree._Element) -> None:
    _body(parent, 8, 6)
    _face(parent, 0, -2, 6)


def _baby(parent: etree._Element) -> None:
    _face(parent, 0, 2, 9.5)
    sub(parent, "path", d="M-1 -7.5 Q2 -12 4 -8", fill="none", stroke=INK, stroke_width=1.4)


def _elder(parent: etree._Element) -> None:
    _adult(parent)
    sub(parent, "path", d="M-5 -7 H5", stroke=INK, stroke_width=1, fill="none")
    for x in (-2.7, 2.7):
        sub(parent, "circle", cx=x, cy=-7, r=2.1, fill="none", stroke=INK, stroke_width=1)


def _heart(parent: etree._Element) -> None:
    sub(
        parent,
        "path",
        d="M0 11 C-15 1 -9 -12 0 -4 C9 -12 15 1 0 11 Z",
        fill=HEART_COLOUR,
        stroke=INK,
        stroke_width=1.2,
    )


def _star(parent: etree._Element) -> None:
    points = [
        (
            (11 if i % 2 == 0 else 4.5) * math.sin(math.pi * i / 5),
            -(11 if i % 2 == 0 else 4.5) * math.cos(math.pi * i / 5) + 1,
        )
        for i in range(10)
    ]
    sub(
        parent,
        "path",
        d=path_data(points, closed=True),
        fill=STAR_COLOUR,
        stroke=INK,
        stroke_width=1.2,
    )


def _pet(parent: etree._Element) -> None:
    for side in (-1, 1):
        ear = [(side * 9, -2), (side * 8, -12), (side * 2, -7)]
        sub(parent, "path", d=path_data(ear, closed=True), **_LINE)
    _face(parent, 0, 2, 9)


def _house(parent: etree._Element) -> None:
    sub(parent, "rect", x=-9, y=-1, width=18, height=13, **_LINE)
    sub(
        parent,
        "path",
        d=path_data([(-12, 0), (0, -12), (12, 0)], closed=True),
        fill=INK,
        stroke=INK,
        stroke_width=1.2,
        stroke_linejoin="round",
    )
    sub(parent, "rect", x=-2.5, y=4, width=5, height=8, fill=INK)


_FIGURES = {
    "adult": _adult,
    "child": _child,
    "baby": _baby,
    "elder": _elder,
    "heart": _heart,
    "star": _star,
    "pet": _pet,
    "house": _house,
}
