"""The genogram and network map as the pages show them: two SVGs, the table and the summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree
from markupsafe import Markup

from plugins.genogram.family_graph import FamilyGraph
from plugins.genogram.labels import PersonRow, summary, table_rows
from plugins.genogram.svg import genogram_svg, network_svg


@dataclass(frozen=True)
class Picture:
    genogram_svg: Markup
    network_svg: Markup
    rows: list[PersonRow]
    summary: str


def draw(
    genogram: dict[str, Any], today: date, *, avatars: bool = False, family_view: bool = False
) -> Picture:
    """Everything a page shows of one genogram version, from one layout of it."""
    graph = FamilyGraph(genogram)
    return Picture(
        genogram_svg=_markup(
            genogram_svg(
                genogram, today=today, avatars=avatars, family_view=family_view, legend=True
            )
        ),
        network_svg=_markup(
            network_svg(genogram, today=today, family_view=family_view, legend=True)
        ),
        rows=table_rows(graph, today, family_view=family_view),
        summary=summary(graph, family_view=family_view),
    )


def _markup(element: etree._Element) -> Markup:
    # Serialised by lxml, which escapes every text and attribute: safe to embed as it is.
    return Markup(etree.tostring(element, encoding="unicode"))  # noqa: S704
