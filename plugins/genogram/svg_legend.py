"""The notation legend: a sample and a label for each symbol and line the drawing actually uses.

Samples are drawn by the same functions as the drawing, so they cannot drift apart; the keys
come from the drawing itself (``render_genogram`` collects them as it draws), so the legend lists
exactly what is shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from plugin_host.api import gettext
from plugins.genogram import vocabulary as v
from plugins.genogram.svg_avatars import halo
from plugins.genogram.svg_base import (
    INK,
    arrow_marker,
    arrow_stub,
    number,
    root,
    sub,
    truncate,
)
from plugins.genogram.svg_notation import (
    CHILD_DASHES,
    HOUSEHOLD_COLOURS,
    HOUSEHOLD_DASH,
    TIE_COLOURS,
    child_line,
    confidential_glyph,
    connection,
    cross,
    question,
    resource_glyph,
    sex_mark,
    shape,
    third_party_glyph,
    tie_glyph,
    tie_pattern,
    union_line,
    worry_glyph,
)

ROW = 28.0
SAMPLE = 60.0
COLUMN = 290.0
ROWS_PER_COLUMN = 12
LABEL_CHARACTERS = 38

Sampler = Callable[[etree._Element, str], None]  # draws centred on (SAMPLE / 2, 0)


def _person(outline: str, *, extra: Callable[[etree._Element], None] | None = None) -> Sampler:
    def draw(group: etree._Element, _prefix: str) -> None:
        sample = sub(group, "g", transform=f"translate({number(SAMPLE / 2)} 0)")
        shape(sample, outline, 9)
        if extra:
            extra(sample)

    return draw


def _glyph(draw_glyph: Callable[[etree._Element, float, float], None]) -> Sampler:
    return lambda group, _prefix: draw_glyph(group, SAMPLE / 2, 0)


def _index(group: etree._Element, _prefix: str) -> None:
    shape(group, "square", 8, x=SAMPLE / 2)
    shape(group, "square", 12, x=SAMPLE / 2, fill="none")


def _small(group: etree._Element, _prefix: str) -> None:
    sub(group, "circle", cx=SAMPLE / 2, cy=0, r=4, fill=INK)


def _stillbirth(group: etree._Element, _prefix: str) -> None:
    sample = sub(group, "g", transform=f"translate({number(SAMPLE / 2)} 0)")
    shape(sample, "square", 5.5)
    cross(sample, 9)


def _sex_marks(group: etree._Element, _prefix: str) -> None:
    for x, sex in ((14, "female"), (30, "male"), (46, "intersex")):
        sex_mark(group, sex, x, 0)


def _union(kind: str, status: str = "together") -> Sampler:
    def draw(group: etree._Element, _prefix: str) -> None:
        union_line(group, (6, -9), (SAMPLE - 6, -9), 6, kind=kind, status=status)

    return draw


def _child(kind: str) -> Sampler:
    def draw(group: etree._Element, _prefix: str) -> None:
        child_line(group, [(6, -9), (6, 0), (SAMPLE - 22, 0), (SAMPLE - 22, 10)], kind)
        if kind == "adoptive":
            sample = sub(group, "g", transform=f"translate({number(SAMPLE - 10)} 0)")
            shape(sample, "square", 4.5, width=1.5)
            sub(
                sample,
                "path",
                d="M-6 -7 H-8.5 V7 H-6 M6 -7 H8.5 V7 H6",
                fill="none",
                stroke=INK,
                stroke_width=1.3,
            )

    return draw


def _twins(kind: str) -> Sampler:
    def draw(group: etree._Element, _prefix: str) -> None:
        apex, left, right = (SAMPLE / 2, -11), (SAMPLE / 2 - 14, 9), (SAMPLE / 2 + 14, 9)
        child_line(group, [left, apex, right], "biological")
        if kind == "identical":
            sub(group, "path", d="M23.7 -2 H36.3", stroke=INK, stroke_width=1.6)
        elif kind == "unknown":
            question(group, SAMPLE / 2, 6, size=10)

    return draw


def _household(group: etree._Element, _prefix: str) -> None:
    sub(
        group,
        "rect",
        x=4,
        y=-10,
        width=SAMPLE - 8,
        height=20,
        rx=7,
        fill="none",
        stroke=HOUSEHOLD_COLOURS[0],
        stroke_width=1.8,
        stroke_dasharray=HOUSEHOLD_DASH,
    )


def _tie(kind: str) -> Sampler:
    def draw(group: etree._Element, _prefix: str) -> None:
        tie_pattern(group, kind, SAMPLE)
        tie_glyph(group, kind, SAMPLE / 2, 0)

    return draw


def _direction(group: etree._Element, prefix: str) -> None:
    marker = f"{prefix}-legend-arrow"
    arrow_marker(sub(group, "defs"), marker, INK)
    sub(group, "path", d=f"M0 0 H{number(SAMPLE - 2)}", stroke=INK, stroke_width=1.6)
    arrow_stub(group, (SAMPLE - 3, 0), (SAMPLE - 2, 0), marker, INK)


def _connection(**kind: Any) -> Sampler:
    def draw(group: etree._Element, prefix: str) -> None:
        marker = f"{prefix}-legend-arrow"
        if kind.get("flow", "none") != "none":
            arrow_marker(sub(group, "defs"), marker, INK)
        connection(group, SAMPLE, marker_id=marker, **kind)

    return draw


def _halo(group: etree._Element, _prefix: str) -> None:
    halo(group, SAMPLE / 2, 0)


def _entries() -> dict[str, tuple[str, Sampler]]:
    """Every legend entry in the order a legend lists them, labelled in the current language."""
    entries: dict[str, tuple[str, Sampler]] = {
        "person:man": (gettext("man"), _person("square")),
        "person:woman": (gettext("woman"), _person("circle")),
        "person:other_gender": (gettext("non-binary or another gender"), _person("diamond")),
        "person:unknown_gender": (
            gettext("gender not known"),
            _person("diamond", extra=lambda g: question(g, 0, 0, size=11)),
        ),
        "person:index": (gettext("the child the genogram is drawn for"), _index),
        "person:deceased": (
            gettext("has died"),
            _person("square", extra=lambda g: cross(g, 12)),
        ),
        "avatar:deceased": (gettext("has died"), _halo),
        "person:vital_unknown": (
            gettext("not known whether alive"),
            _person("square", extra=lambda g: question(g, 21, 0, size=12)),
        ),
        "person:pregnancy": (gettext("pregnancy"), _person("triangle")),
        "person:miscarriage": (gettext("miscarriage"), _small),
        "person:stillbirth": (gettext("stillbirth"), _stillbirth),
        "person:sex_at_birth": (
            gettext("sex at birth, where it differs"),
            _sex_marks,
        ),
        "person:worry": (gettext("worry (a number: how many)"), _glyph(worry_glyph)),
        "person:resource": (gettext("resource (a number: how many)"), _glyph(resource_glyph)),
        "person:confidential": (gettext("confidential"), _glyph(confidential_glyph)),
        "person:third_party": (gettext("third party"), _glyph(third_party_glyph)),
        "union:formal": (gettext("marriage or registered partnership"), _union("marriage")),
    }
    for kind in ("cohabitation", "dating", "unknown"):
        if kind in v.UNION_KINDS:
            entries[f"union:{kind}"] = (v.label(v.UNION_KINDS, kind), _union(kind))
    for status in ("separated", "divorced", "widowed"):
        entries[f"union:{status}"] = (
            v.label(v.UNION_STATUSES, status),
            _union("marriage", status),
        )
    child_labels = {
        "biological": gettext("biological child"),
        "adoptive": gettext("adopted child"),
        "foster": gettext("foster child"),
        "step": gettext("stepchild"),
        "kinship_carer": gettext("child in kinship care"),
        "guardian": gettext("child under guardianship"),
    }
    for kind in CHILD_DASHES:
        entries[f"child:{kind}"] = (child_labels[kind], _child(kind))
    for kind in v.TWIN_KINDS:
        entries[f"twins:{kind}"] = (v.label(v.TWIN_KINDS, kind), _twins(kind))
    entries["household"] = (gettext("household: living together now"), _household)
    for kind in TIE_COLOURS:
        entries[f"tie:{kind}"] = (v.label(v.TIE_KINDS, kind), _tie(kind))
    entries["tie:direction"] = (gettext("the direction of a relationship"), _direction)
    for strength in v.NETWORK_STRENGTHS:
        entries[f"network:{strength}"] = (
            v.label(v.NETWORK_STRENGTHS, strength),
            _connection(strength=strength),
        )
    entries["network:stressful"] = (gettext("stressful"), _connection(stressful=True))
    entries["network:flow"] = (
        gettext("the direction of giving and taking"),
        _connection(flow="to_family"),
    )
    return entries


_ORDER = list(_entries())


def ordered_keys(keys: Iterable[str]) -> list[str]:
    """The keys in legend order (unknown keys last, sorted)."""
    position = {key: i for i, key in enumerate(_ORDER)}
    return sorted(set(keys), key=lambda key: (position.get(key, len(position)), key))


def legend_group(
    parent: etree._Element, keys: Iterable[str], *, id_prefix: str
) -> tuple[float, float]:
    """Draw the legend for ``keys`` into ``parent``; returns its width and height."""
    entries = _entries()
    shown = [key for key in ordered_keys(keys) if key in entries]
    group = sub(parent, "g", role="list", aria_label=gettext("Legend"), data_legend="")
    sub(
        group,
        "text",
        gettext("Legend"),
        x=0,
        y=14,
        font_size=13,
        font_weight="bold",
        fill=INK,
        aria_hidden="true",
    )
    columns = max(1, math.ceil(len(shown) / ROWS_PER_COLUMN))
    rows = math.ceil(len(shown) / columns) if shown else 0
    for i, key in enumerate(shown):
        text, sampler = entries[key]
        x, y = (i // rows) * COLUMN, 38 + (i % rows) * ROW
        item = sub(
            group,
            "g",
            role="listitem",
            data_legend_key=key,
            transform=f"translate({number(x)} {number(y)})",
        )
        sampler(sub(item, "g", aria_hidden="true"), id_prefix)
        sub(item, "text", truncate(text, LABEL_CHARACTERS), x=SAMPLE + 12, y=4, fill=INK)
    return columns * COLUMN, 38 + rows * ROW


def standalone_legend(keys: Iterable[str], *, id_prefix: str) -> etree._Element:
    """A legend for ``keys`` as a document of its own."""
    entries = _entries()
    shown = [key for key in ordered_keys(keys) if key in entries]
    svg = root(
        bounds=(0, 0, 1, 1),
        title=gettext("Legend"),
        desc="; ".join(entries[key][0] for key in shown),
        roledescription=gettext("legend"),
        id_prefix=id_prefix,
    )
    group = sub(svg, "g", transform="translate(12 12)")
    width, height = legend_group(group, shown, id_prefix=id_prefix)
    svg.set("width", number(width + 24))
    svg.set("height", number(height + 24))
    svg.set("viewBox", f"0 0 {number(width + 24)} {number(height + 24)}")
    return svg
