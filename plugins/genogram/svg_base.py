"""SVG building blocks shared by the genogram, the network map and the legend.

Everything is built as lxml elements (never markup strings), so every name and label is escaped
by the serialiser. Styling is by presentation attributes only: the host's Content-Security-Policy
forbids ``style`` attributes and ``<style>`` elements.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "sans-serif"
FONT_SIZE = 11.0

# Colours all have a contrast of at least 3:1 against white (WCAG 1.4.11, graphics), and none
# carries meaning alone: every colour goes with a shape or a line pattern of its own.
INK = "#222222"
MUTED = "#767676"
WHITE = "white"

# Attribute names as Python keywords write them (``stroke_width``), mapped to SVG's
# (``stroke-width``); filled in as names are first used, since a drawing sets thousands.
_ATTRIBUTE_NAMES = {"class_": "class"}


def number(value: float) -> str:
    """A coordinate as short text: 12, 12.5, never ``-0`` or a long float tail."""
    rounded = round(value, 2)
    whole = int(rounded)
    return str(whole) if rounded == whole else repr(rounded)


def _attribute_name(key: str) -> str:
    name = _ATTRIBUTE_NAMES.get(key)
    if name is None:
        name = _ATTRIBUTE_NAMES[key] = key.replace("_", "-")
    return name


def _attribute_value(value: Any) -> str:
    if value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return number(value)
    return str(value)


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: Any) -> etree._Element:
    """Append an SVG element; ``stroke_width=2`` becomes ``stroke-width="2"``, None is left out."""
    element = etree.SubElement(
        parent,
        f"{{{SVG_NS}}}{tag}",
        {
            _attribute_name(key): _attribute_value(value)
            for key, value in attrs.items()
            if value is not None
        },
    )
    if text is not None:
        element.text = text
    return element


def root(
    *,
    bounds: tuple[float, float, float, float],
    title: str,
    desc: str,
    roledescription: str,
    id_prefix: str,
) -> etree._Element:
    """An accessible ``<svg>`` document with its title and description; ``bounds`` x, y, w, h."""
    x, y, width, height = bounds
    svg = etree.Element(f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS})
    for key, value in {
        "version": "1.1",
        "width": number(width),
        "height": number(height),
        "viewBox": " ".join(number(n) for n in (x, y, width, height)),
        "role": "graphics-document",
        "aria-roledescription": roledescription,
        "aria-labelledby": f"{id_prefix}-title",
        "aria-describedby": f"{id_prefix}-desc",
        "font-family": FONT,
        "font-size": number(FONT_SIZE),
    }.items():
        svg.set(key, value)
    sub(svg, "title", title, id=f"{id_prefix}-title")
    sub(svg, "desc", desc, id=f"{id_prefix}-desc")
    return svg


def path_data(points: Iterable[tuple[float, float]], *, closed: bool = False) -> str:
    """``M x y L x y ...`` through the points."""
    commands = [
        f"{'M' if i == 0 else 'L'}{number(x)} {number(y)}" for i, (x, y) in enumerate(points)
    ]
    return " ".join(commands) + (" Z" if closed else "")


def arrow_marker(defs: etree._Element, marker_id: str, colour: str) -> None:
    """An arrowhead for ``marker-end``, tip at the path's end, in the line's colour."""
    marker = sub(
        defs,
        "marker",
        id=marker_id,
        viewBox="0 0 10 10",
        refX=9,
        refY=5,
        markerWidth=10,
        markerHeight=10,
        markerUnits="userSpaceOnUse",
        orient="auto",
    )
    sub(marker, "path", d="M0 0 L10 5 L0 10 Z", fill=colour)


def arrow_stub(
    parent: etree._Element,
    start: tuple[float, float],
    end: tuple[float, float],
    marker_id: str,
    colour: str,
) -> None:
    """A one-unit path ending at ``end`` that carries the arrowhead marker, pointing there.

    SVG 1.1 has no ``auto-start-reverse``, so each arrowhead sits on a stub of its own pointing
    the right way instead of on the start of the (possibly zig-zag) line.
    """
    (x1, y1), (x2, y2) = start, end
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    sx, sy = x2 - (x2 - x1) / length, y2 - (y2 - y1) / length
    sub(
        parent,
        "path",
        d=path_data([(sx, sy), (x2, y2)]),
        fill="none",
        stroke=colour,
        stroke_width=1,
        marker_end=f"url(#{marker_id})",
    )


def haloed_text(
    parent: etree._Element,
    text: str,
    x: float,
    y: float,
    *,
    size: float = FONT_SIZE,
    anchor: str = "middle",
    colour: str = INK,
    weight: str | None = None,
) -> None:
    """Text with a white halo behind it, so lines crossing a caption never hide it."""
    common = {"x": x, "y": y, "text_anchor": anchor, "font_size": size, "font_weight": weight}
    sub(
        parent,
        "text",
        text,
        **common,
        fill=WHITE,
        stroke=WHITE,
        stroke_width=3,
        stroke_linejoin="round",
        aria_hidden="true",
    )
    sub(parent, "text", text, **common, fill=colour)


def truncate(text: str, limit: int) -> str:
    """Shorten a caption to ``limit`` characters with an ellipsis (the full text is in labels)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wrap(text: str, width: int, lines: int) -> list[str]:
    """Break text into at most ``lines`` lines of about ``width`` characters, at spaces."""
    found: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate
        else:
            found.append(current)
            current = word
    if current:
        found.append(current)
    if len(found) > lines:
        found = [*found[: lines - 1], " ".join(found[lines - 1 :])]
    return [truncate(line, width + 2) for line in found]
