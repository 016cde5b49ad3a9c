"""The genogram's archive form: the same content as text and table, the document as structure."""

from __future__ import annotations

from datetime import date

from lxml import etree

from plugin_host.api import load_payload
from plugins.genogram import plugin
from plugins.genogram.schemas import GenogramSchema

XHTML = "{http://www.w3.org/1999/xhtml}"
FAMILY = {
    "index_person": "eino",
    "persons": [
        {"id": "eino", "first_names": "Eino", "born": {"date": "2014-05-12"}},
        {"id": "liisa", "first_names": "Liisa", "gender_identity": "woman"},
    ],
    "parentage": [{"child": "eino", "parent": "liisa"}],
}


def test_the_display_form_tells_everyone_in_a_table_and_the_structure_is_the_document():
    form = plugin.archive_form(document_type="genogram", content=FAMILY)
    display = etree.fromstring(form.display_xhtml)
    assert display.tag == f"{XHTML}div"
    rows = display.findall(f".//{XHTML}tbody/{XHTML}tr")
    cells = [[td.text for td in row] for row in rows]
    assert [row[:4] for row in cells] == [
        ["Eino", "the child", "2014-05-12", str(date.today().year - 2014 - 1 + _had_birthday())],
        ["Liisa", "mother of Eino", None, None],
    ]
    assert cells[0][6] == "Liisa (biological parent)"
    assert form.structured == {"genogram": load_payload(GenogramSchema(), FAMILY)}
    assert form.type_code == "19013"


def test_a_version_made_in_a_meeting_is_an_entry_on_a_meeting():
    form = plugin.archive_form(document_type="genogram", content=FAMILY | {"meeting_id": "m-1"})
    assert form.type_code == "19005"


def test_other_document_types_are_not_the_genograms_to_archive():
    assert plugin.archive_form(document_type="note", content={}) is None


def test_ages_in_the_table_are_counted_on_the_given_day():
    from plugins.genogram.archive import archive_form

    form = archive_form(load_payload(GenogramSchema(), FAMILY), date(2024, 5, 11))
    first_row = etree.fromstring(form.display_xhtml).find(f".//{XHTML}tbody/{XHTML}tr")
    assert [td.text for td in first_row][3] == "9"  # the tenth birthday is the day after


def _had_birthday() -> int:
    today = date.today()
    return int((today.month, today.day) >= (5, 12))
