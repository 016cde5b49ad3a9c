"""SVG charts built with lxml: the feedback over time for a worker, and the management view's
bars. Every chart carries its own text alternative (``<title>``, ``<desc>``) and is drawn
beside a table with the same figures, so nothing is said by the picture alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 640
HEIGHT = 240
MARGIN = 40


@dataclass(frozen=True)
class Point:
    label: str  # shown under the point (a date)
    value: float
    marked: bool = False  # drawn hollow: below cut-off or an alliance alert


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed, drawn as an empty frame with its label "< k"
    note: str = ""


def _svg(chart_id: str, title: str, description: str, height: int = HEIGHT) -> etree._Element:
    svg = etree.Element(
        f"{{{SVG_NS}}}svg",
        nsmap={None: SVG_NS},
        attrib={
            "viewBox": f"0 0 {WIDTH} {height}",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "class": "chart",
        },
    )
    etree.SubElement(svg, f"{{{SVG_NS}}}title", id=f"{chart_id}-title").text = title
    etree.SubElement(svg, f"{{{SVG_NS}}}desc", id=f"{chart_id}-desc").text = description
    return svg


def _text(parent: etree._Element, x: float, y: float, text: str, anchor: str = "middle") -> None:
    node = etree.SubElement(
        parent,
        f"{{{SVG_NS}}}text",
        x=f"{x:.1f}",
        y=f"{y:.1f}",
        attrib={"text-anchor": anchor, "class": "chart-label"},
    )
    node.text = text


def line_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    minimum: float,
    maximum: float,
    title: str,
    description: str,
    threshold: float | None = None,
) -> str:
    """Scores over time: a line with a dot per answer, an optional dashed threshold line."""
    svg = _svg(chart_id, title, description)
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    span = (maximum - minimum) or 1

    def y_of(value: float) -> float:
        return MARGIN + plot_h - (value - minimum) / span * plot_h

    etree.SubElement(
        svg,
        f"{{{SVG_NS}}}line",
        x1=str(MARGIN),
        y1=f"{y_of(minimum):.1f}",
        x2=str(WIDTH - MARGIN),
        y2=f"{y_of(minimum):.1f}",
        attrib={"class": "chart-axis"},
    )
    for value in (minimum, maximum):
        _text(svg, MARGIN - 6, y_of(value) + 4, f"{value:g}", anchor="end")
    if threshold is not None:
        etree.SubElement(
            svg,
            f"{{{SVG_NS}}}line",
            x1=str(MARGIN),
            y1=f"{y_of(threshold):.1f}",
            x2=str(WIDTH - MARGIN),
            y2=f"{y_of(threshold):.1f}",
            attrib={"class": "chart-threshold"},
        )
    step = plot_w / max(len(points) - 1, 1)
    coordinates = [(MARGIN + i * step, y_of(p.value)) for i, p in enumerate(points)]
    if len(coordinates) > 1:
        etree.SubElement(
            svg,
            f"{{{SVG_NS}}}polyline",
            points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates),
            attrib={"class": "chart-line"},
        )
    for (x, y), point in zip(coordinates, points, strict=True):
        # A marked answer is hollow *and* larger: not told by colour alone.
        etree.SubElement(
            svg,
            f"{{{SVG_NS}}}circle",
            cx=f"{x:.1f}",
            cy=f"{y:.1f}",
            r="7" if point.marked else "5",
            attrib={"class": "chart-point-marked" if point.marked else "chart-point"},
        )
        _text(svg, x, HEIGHT - MARGIN + 18, point.label)
    return etree.tostring(svg, encoding="unicode")


def bar_chart(
    bars: Sequence[Bar], *, chart_id: str, maximum: float, title: str, description: str
) -> str:
    """Horizontal bars, one per row; a suppressed figure is an empty outlined bar."""
    row = 28
    height = 2 * MARGIN + row * max(len(bars), 1)
    svg = _svg(chart_id, title, description, height)
    label_w = 180
    plot_w = WIDTH - label_w - MARGIN
    for index, bar in enumerate(bars):
        y = MARGIN + index * row
        _text(svg, label_w - 8, y + 17, bar.label, anchor="end")
        etree.SubElement(
            svg,
            f"{{{SVG_NS}}}rect",
            x=str(label_w),
            y=str(y + 4),
            width=f"{plot_w:.1f}",
            height="18",
            attrib={"class": "bar-track"},
        )
        if bar.value is None:
            _text(svg, label_w + 6, y + 17, bar.note, anchor="start")
            continue
        width = plot_w * (bar.value / maximum if maximum else 0)
        etree.SubElement(
            svg,
            f"{{{SVG_NS}}}rect",
            x=str(label_w),
            y=str(y + 4),
            width=f"{max(width, 0):.1f}",
            height="18",
            attrib={"class": "bar"},
        )
        _text(svg, label_w + width + 6, y + 17, bar.note or f"{bar.value:g}", anchor="start")
    return etree.tostring(svg, encoding="unicode")
