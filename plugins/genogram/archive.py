"""The genogram as the national archive (Kanta) takes it: a client-record entry whose display
form says in words and a table what the picture shows, and whose structured form is the document.

The display form is text, not the SVG: an archived record must be readable by any viewer, and the
summary and table carry the same content as the picture (they are its text alternative).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lxml import etree

from plugin_host.api import ArchiveForm, gettext
from plugins.genogram.family_graph import FamilyGraph
from plugins.genogram.labels import summary, table_rows

XHTML = "http://www.w3.org/1999/xhtml"
# Specific document type 19013: other client-record entry (code system 1.2.246.537.6.1506.201701).
OTHER_ENTRY = "19013"
# Specific document type 19005: client-record entry on a meeting or contact.
MEETING_ENTRY = "19005"


def archive_form(genogram: dict[str, Any], on: date) -> ArchiveForm:
    """The archive form of one genogram version; ``on`` is the day ages are counted at."""
    graph = FamilyGraph(genogram)
    body = etree.Element(f"{{{XHTML}}}div", nsmap={None: XHTML})
    _sub(body, "h1", gettext("Genogram"))
    _sub(body, "p", summary(graph))
    table = _sub(body, "table")
    head = _sub(_sub(table, "thead"), "tr")
    columns = (
        gettext("Name"),
        gettext("Relation to the child"),
        gettext("Born"),
        gettext("Age"),
        gettext("Died"),
        gettext("Lives with"),
        gettext("Parents"),
        gettext("Partners"),
        gettext("Worries and resources"),
    )
    for column in columns:
        _sub(head, "th", column)
    rows = _sub(table, "tbody")
    for row in table_rows(graph, on):
        cells = (
            row.name,
            row.relation,
            row.born,
            row.age,
            row.died,
            ", ".join(row.lives_with),
            ", ".join(row.parents),
            ", ".join(row.partners),
            "; ".join(row.markers),
        )
        line = _sub(rows, "tr")
        for cell in cells:
            _sub(line, "td", cell)
    return ArchiveForm(
        type_code=MEETING_ENTRY if genogram.get("meeting_id") else OTHER_ENTRY,
        display_xhtml=etree.tostring(body, encoding="unicode"),
        structured={"genogram": genogram},
    )


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{XHTML}}}{tag}")
    element.text = text
    return element
