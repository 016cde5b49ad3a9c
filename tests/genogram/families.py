"""Builders and invented families for the genogram tests.

Every name, date and id here is made up; there are no identity codes. The builders return plain
documents, as the editor would send them (not yet loaded by ``GenogramSchema``), and every call
returns fresh dicts, so a test can change what it gets without touching another test's family.

Two families:

- ``the_testinen_family()``: three generations of genealogy only, for the document schema,
  GEDCOM and the access request, which each add the parts they test.
- ``mother_and_child()``: Eino and his mother Liisa Virtanen at home, for the labels and
  pictures, which grow it with the relatives they need (``matti()`` is Liisa's confidential
  partner).
"""

from __future__ import annotations

from datetime import date
from typing import Any

TODAY = date(2024, 6, 15)

WOMAN = {"gender_identity": "woman", "sex_at_birth": "female"}
MAN = {"gender_identity": "man", "sex_at_birth": "male"}


def years_ago(years: int) -> str:
    """The date ``years`` before ``TODAY``: someone born then is exactly that old today."""
    return TODAY.replace(year=TODAY.year - years).isoformat()


def when(date: str, approximate: bool = False) -> dict[str, Any]:
    return {"date": date, "approximate": approximate}


def person(pid: str, first: str = "", last: str = "", **fields: Any) -> dict[str, Any]:
    return {"id": pid, "first_names": first, "last_name": last, **fields}


def deceased(date: str | None = None, approximate: bool = False) -> dict[str, Any]:
    """A person's fields for having died, on ``date`` if it is known."""
    died = {} if date is None else {"died": when(date, approximate)}
    return {"vital_status": "deceased", **died}


def union(uid: str, first: str, second: str, **fields: Any) -> dict[str, Any]:
    return {"id": uid, "partners": [first, second], **fields}


def ended(status: str, date: str, approximate: bool = False) -> dict[str, Any]:
    """A union's fields for ending (``separated``, ``divorced``, ``widowed``) on ``date``."""
    return {"status": status, status: when(date, approximate)}


def child_of(child: str, *parents: str, kind: str | None = None) -> list[dict[str, Any]]:
    """A link from ``child`` to each of ``parents``; biological (the default) when no ``kind``."""
    extra = {} if kind is None else {"kind": kind}
    return [{"child": child, "parent": parent, **extra} for parent in parents]


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The items of a section by id: the same dicts, so changing one changes the document."""
    return {item["id"]: item for item in items}


def the_testinen_family() -> dict[str, Any]:
    """Three generations of the Testinen family: genealogy only, all of it carried by GEDCOM.

    Veikko and Aino Testinen (both dead; the marriage ended when Aino died) are the parents of
    Maija and of Kai, who is non-binary and a third party in the case. Maija's marriage to Jari
    Esimerkki ended in divorce; their son Eino is the index person. Maija now lives with Pekka
    Malli, Eino's step-parent. No record ids, markers or other sections: the tests add them.
    """
    return {
        "index_person": "eino",
        "persons": [
            person(
                "aino",
                "Aino",
                "Testinen",
                born=when("1948", approximate=True),
                **deceased("2015-03"),
                **WOMAN,
            ),
            person(
                "veikko", "Veikko Olavi", "Testinen", born=when("1946-07-12"), **deceased(), **MAN
            ),
            person(
                "maija", "Maija", "Testinen", born=when("1975-02-03"), note="Works shifts.", **WOMAN
            ),
            person(
                "kai",
                "Kai",
                "Testinen",
                gender_identity="non_binary",
                sex_at_birth="intersex",
                born=when("1978"),
                third_party=True,
            ),
            person("jari", "Jari", "Esimerkki", born=when("1972-11", approximate=True), **MAN),
            person("pekka", "Pekka", "Malli", **MAN),
            person("eino", "Eino", "Esimerkki", born=when("2015-06-01"), **MAN),
        ],
        "unions": [
            union(
                "u1",
                "veikko",
                "aino",
                kind="marriage",
                started=when("1968"),
                **ended("widowed", "2015-03"),
            ),
            union(
                "u2",
                "jari",
                "maija",
                kind="marriage",
                started=when("2008-06-20"),
                separated=when("2016", approximate=True),
                **ended("divorced", "2017-02"),
            ),
            union("u3", "maija", "pekka", kind="cohabitation", started=when("2018")),
        ],
        "parentage": [
            *child_of("maija", "aino", "veikko"),
            *child_of("kai", "aino", "veikko"),
            *child_of("eino", "maija", "jari"),
            *child_of("eino", "pekka", kind="step"),
        ],
    }


def mother_and_child(**sections: Any) -> dict[str, Any]:
    """Eino (the index person, born 2015-05-02) and his mother Liisa Virtanen, 34 on ``TODAY``,
    living together: the core of the Virtanen family.

    Each of ``sections`` is added to the list the document already has (persons, parentage,
    households) or becomes that section (unions, twins, ties, network, pins, ...).
    """
    document: dict[str, Any] = {
        "index_person": "eino",
        "persons": [
            person("eino", "Eino", gender_identity="man", born=when("2015-05-02")),
            person("liisa", "Liisa Maria", "Virtanen", born=when(years_ago(34)), **WOMAN),
        ],
        "parentage": child_of("eino", "liisa"),
        "households": [{"id": "home", "members": ["liisa", "eino"]}],
    }
    for section, value in sections.items():
        document[section] = [*document[section], *value] if section in document else value
    return document


def matti(**fields: Any) -> dict[str, Any]:
    """Matti Salainen, Liisa's partner: confidential (a non-disclosure order), with a worry."""
    return person(
        "matti",
        "Matti",
        "Salainen",
        gender_identity="man",
        confidential=True,
        markers=[{"kind": "worry", "text": "threatens"}],
        **fields,
    )
