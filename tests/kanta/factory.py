"""Synthetic Kanta documents for the tests: test identity codes only, invented people."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone
from typing import Any

from adapters.kanta.model import KantaDocument, Party
from plugins.genogram.schemas import GenogramSchema
from reference_record_system.seed import check_character, identity_code
from reference_record_system.synthetic_genogram import synthetic_genogram

HELSINKI_SUMMER = timezone(timedelta(hours=3))
CUSTODIAN = "1.2.246.10.99999999"
FIRST = f"{CUSTODIAN}.20.2024.1"
SECOND = f"{CUSTODIAN}.20.2024.2"
CLIENT_CODE = identity_code(date(2014, 5, 12), 902)


def genogram(size: int = 12) -> dict[str, Any]:
    """A genogram as the plugin stores it (loaded through its schema)."""
    return GenogramSchema().load(synthetic_genogram(size, 0))


def non_test_identity_code() -> str:
    """A well-formed code outside 900-999: born 1850 ('+'), so nobody living has it."""
    birth, number = "010150", 123
    return f"{birth}+{number}{check_character(birth, number)}"


def document(**overrides: Any) -> KantaDocument:
    """Version 1 of a genogram snapshot as an other client-record entry (19013)."""
    base = KantaDocument(
        document_oid=FIRST,
        set_oid=FIRST,
        version=1,
        type_code="19013",
        title="Genogrammi",
        effective_time=datetime(2024, 5, 2, 10, 30, tzinfo=HELSINKI_SUMMER),
        client=Party(CLIENT_CODE, "Aino", "Testinen"),
        author=Party("9876543", "Demo", "Työntekijä"),
        custodian_oid=CUSTODIAN,
        custodian_name="Testialueen hyvinvointialue",
        case_id="case-1001",
        display_xhtml="<h1>Genogrammi</h1><p>Perhe &amp; verkosto: <em>12</em> henkilöä</p>",
        structured={"genogram": genogram()},
    )
    return dataclasses.replace(base, **overrides)


def second_version(**overrides: Any) -> KantaDocument:
    """Version 2 of the same document: same set, own id, replacing version 1."""
    return document(document_oid=SECOND, version=2, replaces_oid=FIRST, **overrides)
