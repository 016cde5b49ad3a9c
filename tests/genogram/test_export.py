"""Exports: the SVG file, an A4 landscape PDF and a PNG image."""

from __future__ import annotations

import re
import struct

import pytest
from lxml import etree

from plugin_host.api import XmlRejected
from plugins.genogram.export import fit_to_page, svg_bytes, to_pdf, to_png
from plugins.genogram.svg import genogram_svg, network_svg
from tests.genogram.test_svg import NS, TODAY, family

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_svg_bytes_are_a_utf8_document_with_its_declaration():
    data = svg_bytes(genogram_svg(family(), today=TODAY))
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(data)
    assert root.find("s:title", NS).text == "Genogram of Eino"
    assert b"Aada" in data


def test_the_pdf_is_one_a4_landscape_page():
    data = to_pdf(genogram_svg(family(), today=TODAY))
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", data)
    assert len(boxes) == 1
    _x, _y, width, height = (float(n) for n in boxes[0].split())
    assert width == pytest.approx(841.89, abs=0.5) and height == pytest.approx(595.28, abs=0.5)


def test_the_pdf_takes_bytes_too_but_not_hostile_xml():
    data = svg_bytes(network_svg(family(), today=TODAY))
    assert to_pdf(data).startswith(b"%PDF")
    hostile = b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>'
    with pytest.raises(XmlRejected):
        to_pdf(hostile)


def test_the_drawing_is_scaled_into_the_page_margins():
    svg = genogram_svg(family(), today=TODAY)
    page = fit_to_page(svg)
    assert (page.get("width"), page.get("height")) == ("297mm", "210mm")
    assert page.find("s:title", NS).text == "Genogram of Eino"
    group = page.find("s:g", NS)
    assert "scale(" in group.get("transform")
    assert group.get("font-family") == svg.get("font-family")
    persons = group.findall(".//s:g[@data-person-id]", NS)
    assert len(persons) == len(family()["persons"])


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_the_png_is_the_drawing_at_scale(scale):
    svg = genogram_svg(family(), today=TODAY)
    data = to_png(svg, scale=scale)
    assert data.startswith(PNG_SIGNATURE)
    width, height = png_size(data)
    expected_width = float(svg.get("width")) * scale
    expected_height = float(svg.get("height")) * scale
    assert width == pytest.approx(expected_width, abs=1)
    assert height == pytest.approx(expected_height, abs=1)
    assert width / height == pytest.approx(expected_width / expected_height, rel=0.01)


def test_the_network_map_exports_as_png():
    data = to_png(network_svg(family(), today=TODAY))
    assert data.startswith(PNG_SIGNATURE)
