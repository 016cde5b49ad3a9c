"""The pictures as files: SVG as it is, a print-ready A4 PDF, or a PNG image (via cairosvg)."""

from __future__ import annotations

import copy

import cairosvg
from lxml import etree

from plugin_host.api import parse_untrusted_xml
from plugins.genogram.svg_base import SVG_NS, number

A4_LANDSCAPE_MM = (297.0, 210.0)
PAGE_MARGIN_MM = 10.0
# Presentation attributes the root carries for the whole drawing: kept when it is re-framed.
_INHERITED = ("font-family", "font-size")


def svg_bytes(element: etree._Element) -> bytes:
    """The SVG document as UTF-8 bytes with its XML declaration."""
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8")


def _element(svg: etree._Element | bytes) -> etree._Element:
    # Bytes may come from elsewhere: parsed without entities, DTDs or network access.
    return parse_untrusted_xml(svg) if isinstance(svg, bytes) else svg


def _view_box(element: etree._Element) -> tuple[float, float, float, float]:
    box = element.get("viewBox")
    if box:
        x, y, width, height = (float(n) for n in box.replace(",", " ").split())
        return x, y, width, height
    return 0.0, 0.0, _length(element.get("width")), _length(element.get("height"))


def _length(value: str | None) -> float:
    text = (value or "").strip().removesuffix("px")
    try:
        return float(text)
    except ValueError:
        return 100.0


def fit_to_page(
    svg: etree._Element | bytes,
    page_mm: tuple[float, float] = A4_LANDSCAPE_MM,
    margin_mm: float = PAGE_MARGIN_MM,
) -> etree._Element:
    """A page-sized SVG (in millimetres) with the drawing scaled to fit inside the margins."""
    element = _element(svg)
    x, y, width, height = _view_box(element)
    page_width, page_height = page_mm
    room_width, room_height = page_width - 2 * margin_mm, page_height - 2 * margin_mm
    scale = min(room_width / max(width, 1e-6), room_height / max(height, 1e-6))
    left = margin_mm + (room_width - width * scale) / 2
    top = margin_mm + (room_height - height * scale) / 2
    page = etree.Element(f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS})
    page.set("version", "1.1")
    page.set("width", f"{number(page_width)}mm")
    page.set("height", f"{number(page_height)}mm")
    page.set("viewBox", f"0 0 {number(page_width)} {number(page_height)}")
    group = etree.SubElement(page, f"{{{SVG_NS}}}g")
    group.set(
        "transform",
        f"translate({number(left)} {number(top)}) scale({scale:.6g}) "
        f"translate({number(-x)} {number(-y)})",
    )
    for name in _INHERITED:
        if element.get(name):
            group.set(name, element.get(name))
    for child in element:
        target = page if child.tag in {f"{{{SVG_NS}}}title", f"{{{SVG_NS}}}desc"} else group
        target.append(copy.deepcopy(child))
    return page


def to_pdf(svg: etree._Element | bytes, *, page_mm: tuple[float, float] = A4_LANDSCAPE_MM) -> bytes:
    """A one-page PDF, A4 landscape unless told otherwise, the drawing scaled to fit."""
    page = fit_to_page(svg, page_mm)
    return cairosvg.svg2pdf(bytestring=svg_bytes(page), unsafe=False)


def to_png(svg: etree._Element | bytes, scale: float = 2.0) -> bytes:
    """A PNG of the drawing at ``scale`` times its size, on white (print and slides)."""
    data = svg_bytes(_element(svg))
    return cairosvg.svg2png(bytestring=data, scale=scale, background_color="white", unsafe=False)
