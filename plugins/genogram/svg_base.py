"""SVG building blocks shared by the genogram, the network map and the legend.

Everything is built as lxml elements (never markup strings), so every name and label is escaped
by the serialiser. Styling is by presentation attributes only: the host's Content-Security-Policy
forbids ``style`` attributes and ``<style>`` elements.
"""

from __future__ import annotations

import functools
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
# Tags with the SVG namespace, as lxml wants them: ``rect`` is ``{http://...}rect``.
_TAGS: dict[str, str] = {}


# Coordinates repeat (a row's height, a person's x on every line to them): the last few thousand
# are kept as text, a pure function of the value (1, 1.0 and True are all "1", as are 0 and -0.0).
@functools.lru_cache(maxsize=8192)
def number(value: float) -> str:
    """A coordinate as short text: 12, 12.5, never ``-0`` or a long float tail."""
    if value.__class__ is int:
        return str(value)
    text = f"{value:.2f}"
    if text[-1] == "0":  # 12.50 is 12.5, 12.00 is 12 and -0.00 is 0
        text = text[:-3] if text[-2] == "0" else text[:-1]
        if text == "-0":
            return "0"
    return text


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


def svg_tag(tag: str) -> str:
    """``rect`` as a tag in the SVG namespace."""
    name = _TAGS.get(tag)
    if name is None:
        name = _TAGS[tag] = f"{{{SVG_NS}}}{tag}"
    return name


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: Any) -> etree._Element:
    """Append an SVG element; ``stroke_width=2`` becomes ``stroke-width="2"``, None is left out."""
    names = _ATTRIBUTE_NAMES
    attrib = {}
    for key, value in attrs.items():
        if value is None:
            continue
        name = names.get(key) or _attribute_name(key)
        attrib[name] = value if value.__class__ is str else _attribute_value(value)
    element = etree.SubElement(parent, _TAGS.get(tag) or svg_tag(tag), attrib)
    if text is not None:
        element.text = text
    return element


def element(
    parent: etree._Element, tag: str, attrib: dict[str, str], text: str | None = None
) -> etree._Element:
    """Append an SVG element whose attributes are given as SVG writes them, values as text:
    ``sub`` for the many elements of a large drawing, without converting names and numbers."""
    made = etree.SubElement(parent, _TAGS.get(tag) or svg_tag(tag), attrib)
    if text is not None:
        made.text = text
    return made


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
    pairs = [f"{number(x)} {number(y)}" for x, y in points]
    if not pairs:
        return " Z" if closed else ""
    text = " L".join(pairs)
    return f"M{text} Z" if closed else f"M{text}"


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
    x: float | None,
    y: float,
    *,
    size: float | None = FONT_SIZE,
    anchor: str | None = "middle",
    colour: str = INK,
    weight: str | None = None,
) -> None:
    """Text with a white halo behind it, so lines crossing a caption never hide it.

    None for ``x`` (0), ``size`` or ``anchor`` leaves the attribute out, for a caller that sets
    it once on a group around many captions.
    """
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
