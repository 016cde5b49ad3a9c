"""GEDCOM 7.0 import and export of the genogram document, on the standard library alone.

GEDCOM is how genealogy programs exchange family trees. The export gives the worker a file another
program can open; the import seeds a genogram from a family tree a relative already keeps. Only
what GEDCOM can say survives the trip; everything else is listed in ``DROPPED_BY_EXPORT``.

Mapping (export; the import reads the same and tolerates GEDCOM 5.5.1 files where that is easy):

* Person -> ``INDI`` with the xref ``@I<code>@`` where ``<code>`` encodes the person's id
  reversibly (see ``encode_id``), so ids survive a round trip. ``NAME Given /Surname/`` with
  ``GIVN``/``SURN`` (which carry a ``/`` the name line cannot); ``SEX`` F/M/X/U from
  ``sex_at_birth`` (GEDCOM's SEX is the sex at birth); ``BIRT``/``DEAT`` with a ``DATE``
  (``ABT`` for approximate; year, ``MON YYYY`` or ``D MON YYYY`` keep the precision);
  ``DEAT Y`` for deceased without a date; ``RESN CONFIDENTIAL`` for a confidential person;
  ``NOTE`` for the note.
* Union -> ``FAM`` ``@F<code>@``. GEDCOM 7 says HUSB and WIFE are partner slots and layout hints
  that imply nothing about sex or gender, so the first partner is always ``HUSB`` and the second
  ``WIFE``: the order of ``partners`` survives. Marriage: ``MARR`` (``Y`` without a date);
  registered partnership: ``MARR`` with ``TYPE Registered partnership``; cohabitation and dating:
  ``EVEN`` with ``TYPE Cohabitation``/``Dating``; a union of a kind not known has no such event
  (``EVEN`` with ``TYPE Relationship`` only to date its start). Endings: ``EVEN`` with
  ``TYPE Separation``, ``DIV``, ``EVEN`` with ``TYPE Widowed``; the status follows from them
  (divorce, then widowhood, then separation) and ``_GENOGRAM_STATUS`` is written only when the
  status is not the one they imply.
* Parentage -> the child's ``FAMC`` with ``PEDI`` (BIRTH, ADOPTED, FOSTER, OTHER with a
  ``PHRASE`` Step-parent / Kinship carer / Guardian) and the family's ``CHIL``. GEDCOM gives one
  pedigree per child and family, so a child's parents are grouped by kind: a couple of the same
  kind goes under their union's FAM, the rest under FAMs ``@P<n>@`` marked
  ``_GENOGRAM_PARENTS_ONLY`` (parents who are not a couple in the genogram).
* ``HEAD._GENOGRAM_INDEX`` points at the index person; ``_GENOGRAM_KIND`` (pregnancy, miscarriage,
  stillbirth), ``_GENOGRAM_GENDER`` (when the gender identity is not the one SEX suggests),
  ``_GENOGRAM_VITAL unknown`` and ``_GENOGRAM_THIRD_PARTY Y`` sit on the INDI. All extension tags
  are documented in the header's ``SCHMA`` under ``EXTENSION_URI``.

Import rules for files from other programs: an INDI without DEAT is alive; the gender identity
follows SEX (F woman, M man); RESN CONFIDENTIAL or PRIVACY makes a person confidential; a FAM
with two partners is a union (a marriage if it has MARR or DIV, else of a kind not known); a FAMC
without PEDI is biological, OTHER or SEALING without a known phrase is a step-parent; a date
before, after, between or in a period becomes an approximate date; names and notes are cut to
the schema's lengths. Semantic problems (a death before the birth) raise GedcomError naming the
line of the record, with the schema's field errors in ``errors``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from plugin_host.api import PayloadInvalid, load_payload
from plugin_host.api import lazy_gettext as _
from plugins.genogram import __version__
from plugins.genogram import vocabulary as v
from plugins.genogram.schemas import (
    IDENTIFIER,
    MAX_PERSONS,
    NAME_LENGTH,
    NOTE_LENGTH,
    GenogramSchema,
    sort_key,
)

PRODUCT_ID = "SYSTEMIC_PLUGIN_HOST_GENOGRAM"
PRODUCT_NAME = "Systemic plugin host: genogram"
# Where the extension tags are documented; a URI names a tag's meaning, per GEDCOM 7 SCHMA.
EXTENSION_URI = "https://plugins.example.fi/genogram/gedcom/"
EXTENSION_TAGS = {
    "_GENOGRAM_INDEX": "index-person",
    "_GENOGRAM_KIND": "person-kind",
    "_GENOGRAM_GENDER": "gender-identity",
    "_GENOGRAM_VITAL": "vital-status",
    "_GENOGRAM_THIRD_PARTY": "third-party",
    "_GENOGRAM_STATUS": "union-status",
    "_GENOGRAM_PARENTS_ONLY": "parents-only",
}

# What the export leaves out, and why; ``dropped_by_export`` names those a given genogram has.
DROPPED_BY_EXPORT = {
    "twins": "GEDCOM has no twin structure",
    "households": "GEDCOM residences are places, not who lives with whom",
    "ties": "emotional relationships have no GEDCOM structure",
    "network": "the network map is not genealogy",
    "pins": "drawing positions belong to this editor",
    "note": "the document note may name anyone; it stays in the record",
    "meeting_id": "an id inside the record system",
    "persons.record_person_id": "an id inside the record system must not leave it",
    "persons.markers": "worries and resources are assessments that stay in the record",
    "persons.avatar": "pictures chosen in the editor",
    "parentage.started": "GEDCOM dates only adoptions, not a parenthood's start",
    "parentage.ended": "GEDCOM has no end of a parenthood",
}

# Hostile or accidental input must not exhaust the server.
MAX_BYTES = 5 * 1024 * 1024
MAX_RECORDS = 50_000
MAX_LEVEL = 30

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
SEX_CODES = {"female": "F", "male": "M", "intersex": "X", "unknown": "U"}
SEXES = {code: sex for sex, code in SEX_CODES.items()}
GENDER_FROM_SEX = {"female": "woman", "male": "man"}
PEDIGREES = {
    "biological": ("BIRTH", None),
    "adoptive": ("ADOPTED", None),
    "foster": ("FOSTER", None),
    "step": ("OTHER", "Step-parent"),
    "kinship_carer": ("OTHER", "Kinship carer"),
    "guardian": ("OTHER", "Guardian"),
}
# Words of a PEDI OTHER phrase, matched in the lower-cased phrase, first match wins.
PEDIGREE_PHRASES = (
    ("kinship", "kinship_carer"),
    ("carer", "kinship_carer"),
    ("guardian", "guardian"),
    ("step", "step"),
)
# The kind of a FAM with two partners and no event saying how they became a couple.
UNKNOWN_UNION_KIND = "unknown" if "unknown" in v.UNION_KINDS else "cohabitation"
# Fixed English TYPE words: GEDCOM TYPE is free text, so the import recognises these.
UNION_EVENT_TYPES = {"cohabitation": "Cohabitation", "dating": "Dating"}
SEPARATION_TYPE = "Separation"
RELATIONSHIP_TYPE = "Relationship"
WIDOWED_TYPE = "Widowed"
PARTNERSHIP_TYPE = "Registered partnership"

# Level, optional xref, tag, optional value; looser than 7.0 (lower-case tags, 5.5.1 xrefs).
_LINE = re.compile(r"(0|[1-9][0-9]{0,2}) (?:(@[^@ ]+@) )?([A-Za-z_][A-Za-z0-9_]*)(?: (.*))?")
_POINTER = re.compile(r"@[^@#\s][^@\s]*@")
_BANNED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_YEAR = re.compile(r"[0-9]{1,4}")
_DAY = re.compile(r"[0-9]{1,2}")
VOID = "@VOID@"


class GedcomError(ValueError):
    """A GEDCOM file that cannot be read: ``line`` is 1-based, 0 means the file as a whole.

    ``message`` is a lazy translation, so the person who uploaded the file reads it in their
    language; ``errors`` carries the schema's field errors when the data itself was invalid.
    """

    def __init__(
        self, line: int, message: Any, *, errors: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(line, message)
        self.line = line
        self.message = message
        self.errors = errors or {}

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


# --- ids and xrefs ---------------------------------------------------------------------------

_ESCAPES = {"_": "__", ".": "_0", "-": "_1"}
_UNESCAPES = {"_": "_", "0": ".", "1": "-"}


def encode_id(identifier: str) -> str:
    """Our id as GEDCOM xref characters (A-Z, 0-9, _), reversibly.

    Lower-case letters and digits are written as upper-case letters and digits (ids are mostly
    lower-case); an upper-case letter X becomes ``_X``; ``_`` ``.`` ``-`` become ``__`` ``_0``
    ``_1``. So ``p1`` is ``@IP1@`` and ``Anna-2`` is ``@I_ANNA_12@``.
    """
    out = []
    for char in identifier:
        if "a" <= char <= "z" or "0" <= char <= "9":
            out.append(char.upper())
        elif "A" <= char <= "Z":
            out.append("_" + char)
        else:
            out.append(_ESCAPES[char])
    return "".join(out)


def decode_id(code: str) -> str | None:
    """The id ``encode_id`` made ``code`` from, or None if no valid id encodes to it."""
    out = []
    chars = iter(code)
    for char in chars:
        if char == "_":
            escaped = next(chars, "")
            if escaped in _UNESCAPES:
                out.append(_UNESCAPES[escaped])
            elif "A" <= escaped <= "Z":
                out.append(escaped)
            else:
                return None
        elif "A" <= char <= "Z" or "0" <= char <= "9":
            out.append(char.lower())
        else:
            return None
    identifier = "".join(out)
    return identifier if IDENTIFIER.fullmatch(identifier) else None


def person_xref(person_id: str) -> str:
    return f"@I{encode_id(person_id)}@"


def union_xref(union_id: str) -> str:
    return f"@F{encode_id(union_id)}@"


# --- export ----------------------------------------------------------------------------------


def export_gedcom(genogram: dict[str, Any]) -> str:
    """The genogram (as GenogramSchema loads it) as a GEDCOM 7.0 file, lines ending in LF."""
    out = _Writer()
    out.line(0, "HEAD")
    out.line(1, "GEDC")
    out.line(2, "VERS", "7.0")
    out.line(1, "SCHMA")
    for tag, name in EXTENSION_TAGS.items():
        out.line(2, "TAG", f"{tag} {EXTENSION_URI}{name}")
    out.line(1, "SOUR", PRODUCT_ID)
    out.line(2, "VERS", __version__)
    out.line(2, "NAME", PRODUCT_NAME)
    out.pointer(1, "_GENOGRAM_INDEX", person_xref(genogram["index_person"]))

    persons = {p["id"]: p for p in genogram["persons"]}
    families = _families(genogram, persons)
    famc: dict[str, list[tuple[str, str]]] = {}
    fams: dict[str, list[str]] = {}
    for family in families:
        for child, kind in family.children:
            famc.setdefault(child, []).append((family.xref, kind))
        for partner in family.roles.values():
            fams.setdefault(partner, []).append(family.xref)

    for person in genogram["persons"]:
        _write_person(out, person, famc.get(person["id"], []), fams.get(person["id"], []))
    for family in families:
        _write_family(out, family, persons)
    out.line(0, "TRLR")
    return out.text()


def dropped_by_export(genogram: dict[str, Any]) -> list[str]:
    """The keys of ``DROPPED_BY_EXPORT`` this genogram has data in, to tell the worker."""
    found = [
        key
        for key in ("twins", "households", "ties", "network", "note", "meeting_id")
        if genogram.get(key)
    ]
    pins = genogram.get("pins") or {}
    if pins.get("genogram") or pins.get("network"):
        found.append("pins")
    for section, keys in (
        ("persons", ("record_person_id", "markers", "avatar")),
        ("parentage", ("started", "ended")),
    ):
        for key in keys:
            if any(item.get(key) for item in genogram.get(section) or ()):
                found.append(f"{section}.{key}")
    return found


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, level: int, tag: str, value: str | None = None, xref: str | None = None) -> None:
        """One structure; a multi-line value continues on CONT lines, a leading @ is doubled.

        GEDCOM 7 has no line length limit (CONC is gone), so long text stays on one line.
        """
        head = f"{level} {xref} {tag}" if xref else f"{level} {tag}"
        parts = _LINE_BREAK.split(_BANNED.sub("", value)) if value else [""]
        self.lines.append(f"{head} {_escape(parts[0])}" if parts[0] else head)
        for part in parts[1:]:
            self.lines.append(f"{level + 1} CONT {_escape(part)}" if part else f"{level + 1} CONT")

    def pointer(self, level: int, tag: str, xref: str) -> None:
        self.lines.append(f"{level} {tag} {xref}")

    def date(self, level: int, fuzzy: dict[str, Any] | None) -> None:
        if fuzzy:
            self.line(level, "DATE", gedcom_date(fuzzy))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _escape(value: str) -> str:
    return "@" + value if value.startswith("@") else value


def gedcom_date(fuzzy: dict[str, Any]) -> str:
    """``{"date": "1958-04", "approximate": True}`` as ``ABT APR 1958``."""
    parts = fuzzy["date"].split("-")
    words = []
    if len(parts) > 2:
        words.append(str(int(parts[2])))
    if len(parts) > 1:
        words.append(MONTHS[int(parts[1]) - 1])
    words.append(str(int(parts[0])))
    value = " ".join(words)
    return f"ABT {value}" if fuzzy.get("approximate") else value


@dataclass
class _Family:
    xref: str
    roles: dict[str, str]  # HUSB/WIFE -> person id
    union: dict[str, Any] | None = None
    children: list[tuple[str, str]] = field(default_factory=list)  # (child id, parentage kind)


def _families(genogram: dict[str, Any], persons: dict[str, dict[str, Any]]) -> list[_Family]:
    """One FAM per union, plus FAMs for parents of a child who are not a couple.

    GEDCOM's pedigree is per child and family, ours per child and parent: the child's parents
    are grouped by kind, a couple of one kind shares their union's FAM, the others get FAMs of
    their own (reused by siblings with the same parents).
    """
    unions = genogram.get("unions") or []
    families = [
        _Family(union_xref(u["id"]), {"HUSB": u["partners"][0], "WIFE": u["partners"][1]}, u)
        for u in unions
    ]
    unions_of: dict[str, list[_Family]] = {}
    for family in families:
        for partner in family.roles.values():
            unions_of.setdefault(partner, []).append(family)
    groups: dict[str, dict[str, list[str]]] = {}
    for link in genogram.get("parentage") or ():
        kinds = groups.setdefault(link["child"], {})
        kinds.setdefault(link.get("kind", "biological"), []).append(link["parent"])
    # Walk in the persons' order, not the links' order, so the file depends only on who is
    # whose parent: an imported and re-exported genogram gives the same file.
    position = {person_id: i for i, person_id in enumerate(persons)}
    kind_order = {kind: i for i, kind in enumerate(PEDIGREES)}
    parents_only: dict[tuple[str, ...], _Family] = {}
    for child in sorted(groups, key=lambda c: position.get(c, len(position))):
        kinds = groups[child]
        for kind in sorted(kinds, key=lambda k: (kind_order.get(k, len(kind_order)), k)):
            parents = sorted(kinds[kind], key=lambda p: position.get(p, len(position)))
            remaining = list(parents)
            for parent in parents:
                if parent not in remaining:
                    continue
                for family in unions_of.get(parent, ()):
                    other = _other_partner(family, parent)
                    if other in remaining and other != parent:
                        family.children.append((child, kind))
                        remaining.remove(parent)
                        remaining.remove(other)
                        break
            while remaining:
                group, remaining = tuple(remaining[:2]), remaining[2:]
                family = parents_only.get(group)
                if family is None:
                    family = _Family(f"@P{len(parents_only) + 1}@", _roles(group, persons))
                    parents_only[group] = family
                family.children.append((child, kind))
    return families + list(parents_only.values())


def _other_partner(family: _Family, person_id: str) -> str:
    husband, wife = family.roles["HUSB"], family.roles["WIFE"]
    return wife if husband == person_id else husband


def _roles(group: tuple[str, ...], persons: dict[str, dict[str, Any]]) -> dict[str, str]:
    if len(group) == 2:
        return {"HUSB": group[0], "WIFE": group[1]}
    # A lone parent takes the slot other programs draw for their gender; GEDCOM implies none.
    parent = persons.get(group[0], {})
    female = parent.get("gender_identity") == "woman" or parent.get("sex_at_birth") == "female"
    return {"WIFE" if female else "HUSB": group[0]}


def _write_person(
    out: _Writer, person: dict[str, Any], famc: list[tuple[str, str]], fams: list[str]
) -> None:
    out.line(0, "INDI", xref=person_xref(person["id"]))
    if person.get("confidential"):
        out.line(1, "RESN", "CONFIDENTIAL")
    given, surname = person.get("first_names", ""), person.get("last_name", "")
    if given or surname:
        out.line(1, "NAME", f"{_name_part(given)} /{_name_part(surname)}/".strip())
        if given:
            out.line(2, "GIVN", given)
        if surname:
            out.line(2, "SURN", surname)
    sex = person.get("sex_at_birth", "unknown")
    out.line(1, "SEX", SEX_CODES.get(sex, "U"))
    if person.get("kind", "person") != "person":
        out.line(1, "_GENOGRAM_KIND", person["kind"])
    gender = person.get("gender_identity", "unknown")
    if gender != GENDER_FROM_SEX.get(sex, "unknown"):
        out.line(1, "_GENOGRAM_GENDER", gender)
    if person.get("third_party"):
        out.line(1, "_GENOGRAM_THIRD_PARTY", "Y")
    if person.get("born"):
        out.line(1, "BIRT")
        out.date(2, person["born"])
    vital = person.get("vital_status", "alive")
    if vital == "deceased":
        out.line(1, "DEAT", None if person.get("died") else "Y")
        out.date(2, person.get("died"))
    elif vital == "unknown":
        out.line(1, "_GENOGRAM_VITAL", "unknown")
    for xref, kind in famc:
        out.pointer(1, "FAMC", xref)
        # A kind the vocabulary gains later is still written, as OTHER with its code.
        pedigree, phrase = PEDIGREES.get(kind, ("OTHER", kind.replace("_", " ")))
        out.line(2, "PEDI", pedigree)
        if phrase:
            out.line(3, "PHRASE", phrase)
    for xref in fams:
        out.pointer(1, "FAMS", xref)
    if person.get("note"):
        out.line(1, "NOTE", person["note"])


def _name_part(text: str) -> str:
    # A personal name line has no slash, tab or line break; GIVN and SURN keep the exact text.
    return " ".join(re.sub(r"[/\t\r\n]", " ", _BANNED.sub("", text)).split())


def _write_family(out: _Writer, family: _Family, persons: dict[str, dict[str, Any]]) -> None:
    out.line(0, "FAM", xref=family.xref)
    for role in ("HUSB", "WIFE"):
        if role in family.roles:
            out.pointer(1, role, person_xref(family.roles[role]))
    order = {child: i for i, (child, _kind) in enumerate(family.children)}

    def by_birth(child: str) -> tuple[Any, ...]:
        born = persons.get(child, {}).get("born")
        return (sort_key(born["date"] if born else None), order[child])

    # GEDCOM asks for children in birth order.
    for child in sorted(order, key=by_birth):
        out.pointer(1, "CHIL", person_xref(child))
    union = family.union
    if union is None:
        out.line(1, "_GENOGRAM_PARENTS_ONLY", "Y")
        return
    kind, status = union.get("kind", "marriage"), union.get("status", "together")
    if kind in v.FORMAL_UNIONS:
        out.line(1, "MARR", None if union.get("started") else "Y")
        if kind == "registered_partnership":
            out.line(2, "TYPE", PARTNERSHIP_TYPE)
        out.date(2, union.get("started"))
    elif kind in UNION_EVENT_TYPES:
        out.line(1, "EVEN", UNION_EVENT_TYPES[kind])
        out.line(2, "TYPE", UNION_EVENT_TYPES[kind])
        out.date(2, union.get("started"))
    elif union.get("started"):
        # A couple of a kind not known: the start is dated without claiming a kind.
        out.line(1, "EVEN", RELATIONSHIP_TYPE)
        out.line(2, "TYPE", RELATIONSHIP_TYPE)
        out.date(2, union["started"])
    implied = "together"
    if union.get("separated") or status == "separated":
        out.line(1, "EVEN", SEPARATION_TYPE)
        out.line(2, "TYPE", SEPARATION_TYPE)
        out.date(2, union.get("separated"))
        implied = "separated"
    if union.get("widowed") or status == "widowed":
        out.line(1, "EVEN", WIDOWED_TYPE)
        out.line(2, "TYPE", WIDOWED_TYPE)
        out.date(2, union.get("widowed"))
        implied = "widowed"
    if union.get("divorced") or status == "divorced":
        out.line(1, "DIV", None if union.get("divorced") else "Y")
        out.date(2, union.get("divorced"))
        implied = "divorced"
    if implied != status:
        out.line(1, "_GENOGRAM_STATUS", status)


# --- parsing ---------------------------------------------------------------------------------


@dataclass
class _Node:
    line: int
    tag: str
    xref: str | None
    value: str | None  # the raw line value, before unescaping
    continued: list[tuple[str, str]] = field(default_factory=list)  # (CONT|CONC, raw value)
    children: list[_Node] = field(default_factory=list)

    def first(self, tag: str) -> _Node | None:
        return next((child for child in self.children if child.tag == tag), None)

    def all(self, tag: str) -> list[_Node]:
        return [child for child in self.children if child.tag == tag]

    @property
    def pointer(self) -> str | None:
        return self.value if self.value and _POINTER.fullmatch(self.value) else None


class _Document:
    """The parsed lines as a tree, with the xref index and the GEDCOM version's escaping."""

    def __init__(self, records: list[_Node], version7: bool) -> None:
        self.records = records
        self.version7 = version7
        self.xrefs = {r.xref: r for r in records if r.xref}

    def text(self, node: _Node | None) -> str:
        """The payload with its continuation lines; empty for no node or a pointer."""
        if node is None or node.pointer is not None:
            return ""
        parts = [self._unescape(node.value or "")]
        for tag, raw in node.continued:
            parts.append(("\n" if tag == "CONT" else "") + self._unescape(raw))
        return "".join(parts)

    def _unescape(self, raw: str) -> str:
        if self.version7:
            return raw[1:] if raw.startswith("@@") else raw
        return raw.replace("@@", "@")  # 5.5.1 doubled every @

    def target(self, node: _Node, tag: str) -> _Node | None:
        """The record ``node`` points at, which must be a ``tag`` record; None for @VOID@."""
        pointer = node.pointer
        if pointer is None or pointer == VOID:
            return None
        record = self.xrefs[pointer]  # every pointer was checked in _parse
        if record.tag != tag:
            raise GedcomError(
                node.line,
                _("{tag} must point to a {target} record, not {found}.").format(
                    tag=node.tag, target=tag, found=record.tag
                ),
            )
        return record


def _walk(nodes: list[_Node]) -> Iterator[_Node]:
    """Every node under ``nodes``, iteratively: a deep file cannot exhaust the stack."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def _parse(text: str) -> _Document:
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise GedcomError(0, _("The file is larger than 5 MB."))
    text = text.removeprefix("\ufeff")
    lines = _LINE_BREAK.split(text)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise GedcomError(0, _("The file is empty."))
    records: list[_Node] = []
    stack: list[_Node] = []
    for number, raw in enumerate(lines, start=1):
        # 5.5.1 allowed blank lines and indentation; 7.0 does not, but nothing is lost by both.
        line = raw.lstrip(" \t")
        if not line:
            continue
        if _BANNED.search(line):
            raise GedcomError(number, _("The line contains a control character."))
        match = _LINE.fullmatch(line)
        if match is None:
            raise GedcomError(number, _("This is not a GEDCOM line (level, tag, value)."))
        level, xref, tag, value = int(match[1]), match[2], match[3].upper(), match[4]
        if level and not records:
            raise GedcomError(number, _("The first line must be at level 0."))
        if level > len(stack):
            raise GedcomError(
                number,
                _("The level jumps from {previous} to {level}.").format(
                    previous=len(stack) - 1, level=level
                ),
            )
        if level > MAX_LEVEL:
            raise GedcomError(number, _("The structure is nested too deeply."))
        if tag in ("CONT", "CONC"):
            parent = stack[level - 1] if level else None
            if parent is None or xref or level != len(stack) or parent.children:
                raise GedcomError(
                    number, _("{tag} must directly follow the line it continues.").format(tag=tag)
                )
            parent.continued.append((tag, value or ""))
            continue
        if xref is not None and (level > 0 or xref == VOID):
            raise GedcomError(number, _("Only a record can have a cross-reference id."))
        node = _Node(number, tag, xref, value)
        del stack[level:]
        if level == 0:
            if records and records[-1].tag == "TRLR":
                raise GedcomError(number, _("Nothing may follow TRLR."))
            records.append(node)
            if len(records) > MAX_RECORDS:
                raise GedcomError(number, _("The file has too many records."))
        else:
            stack[level - 1].children.append(node)
        stack.append(node)
    head, trailer = records[0], records[-1]
    if head.tag != "HEAD":
        raise GedcomError(head.line, _("The file must begin with HEAD."))
    if trailer.tag != "TRLR" or len(records) == 1:
        raise GedcomError(len(lines), _("The file must end with TRLR."))
    if trailer.children or trailer.value:
        raise GedcomError(trailer.line, _("TRLR has no value or substructures."))
    document = _Document(records, _version7(head))
    seen: dict[str, int] = {}
    for record in records:
        if record.tag in ("HEAD", "TRLR") and record is not head and record is not trailer:
            raise GedcomError(record.line, _("{tag} may appear only once.").format(tag=record.tag))
        if record.xref:
            if record.xref in seen:
                raise GedcomError(
                    record.line, _("The id {xref} is used twice.").format(xref=record.xref)
                )
            seen[record.xref] = record.line
    for node in _walk(records):
        pointer = node.pointer
        if pointer is not None and pointer != VOID and pointer not in document.xrefs:
            raise GedcomError(node.line, _("No record has the id {xref}.").format(xref=pointer))
    return document


def _version7(head: _Node) -> bool:
    gedc = head.first("GEDC")
    version_node = gedc.first("VERS") if gedc is not None else None
    if version_node is None:
        raise GedcomError(head.line, _("The header does not say the GEDCOM version (GEDC.VERS)."))
    version = (version_node.value or "").strip()
    if re.fullmatch(r"7\.[0-9]+(\.[0-9]+)?", version):
        return True
    if re.fullmatch(r"5\.5(\.[0-9]+)?", version):
        return False
    raise GedcomError(
        version_node.line,
        _("GEDCOM version {version} is not supported; use 7.0 or 5.5.1.").format(version=version),
    )


# --- dates -----------------------------------------------------------------------------------

_APPROXIMATE = {"ABT", "CAL", "EST", "BEF", "AFT", "TO", "INT"}


def parse_date(value: str, line: int) -> dict[str, Any] | None:
    """A GEDCOM date value as our fuzzy date; None when it holds no date (e.g. a phrase).

    ``ABT``/``CAL``/``EST`` are approximate. A range or period (``BEF``, ``AFT``, ``BET .. AND``,
    ``FROM .. TO``) keeps its first date, marked approximate, since the genogram has one date.
    """
    text = re.sub(r"\(.*\)", " ", value).strip()  # a 5.5.1 date phrase in parentheses
    words = text.upper().split()
    if not words:
        return None
    approximate = False
    if words[0] in _APPROXIMATE:
        approximate, words = True, words[1:]
    elif words[0] in ("BET", "FROM"):
        approximate = True
        end = "AND" if words[0] == "BET" else "TO"
        words = words[1 : words.index(end)] if end in words else words[1:]
    if words and words[0] in ("GREGORIAN", "@#DGREGORIAN@"):
        words = words[1:]
    if words and (words[0] in ("JULIAN", "HEBREW", "FRENCH_R") or words[0][:1] in "_@"):
        raise GedcomError(line, _("Only Gregorian dates can be read: {date}.").format(date=value))
    year = month = day = None
    if 1 <= len(words) <= 3 and _YEAR.fullmatch(words[-1]):
        year = int(words[-1])
        if len(words) >= 2:
            month = MONTHS.index(words[-2]) + 1 if words[-2] in MONTHS else None
        if len(words) == 3:
            day = int(words[0]) if _DAY.fullmatch(words[0]) else None
    if year is None or (len(words) >= 2 and month is None) or (len(words) == 3 and day is None):
        raise GedcomError(line, _("{date} is not a GEDCOM date.").format(date=value))
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        raise GedcomError(line, _("{date} is not a real date.").format(date=value)) from None
    if not 1800 <= year <= 2200:
        raise GedcomError(
            line, _("{date} is outside the years 1800-2200 a genogram shows.").format(date=value)
        )
    iso = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
    return {"date": iso, "approximate": approximate}


# --- import ----------------------------------------------------------------------------------


def import_gedcom(text: str, index_xref: str | None = None) -> dict[str, Any]:
    """Read a GEDCOM 7.0 (or 5.5.1) file into a loaded, valid genogram document.

    ``index_xref`` names the index person's INDI (``@I1@`` or ``I1``). Without it the header's
    ``_GENOGRAM_INDEX`` is used, else the first INDI that is a child in a family and has no
    children (the youngest generation), else the first child, else the first born person.
    Raises GedcomError naming the line for a malformed file and for data no genogram can hold.
    """
    document = _parse(text)
    reader = _Reader(document)
    data = reader.build(index_xref)
    try:
        return load_payload(GenogramSchema(), data)
    except PayloadInvalid as exc:
        path, messages = next(iter(exc.errors.items()))
        raise GedcomError(
            reader.line_of(path),
            _("This cannot be in a genogram ({field}): {problem}").format(
                field=path, problem=" ".join(messages)
            ),
            errors=exc.errors,
        ) from None


class _Reader:
    """Builds the genogram's data from the parsed records, remembering each item's line."""

    def __init__(self, document: _Document) -> None:
        self.doc = document
        self.origin: dict[tuple[str, int], int] = {}
        self.index_line = 0
        self.ids: dict[int, str] = {}  # id() of an INDI record -> our person id

    def line_of(self, path: str) -> int:
        parts = path.split(".")
        if len(parts) > 1 and parts[1].isdigit():
            return self.origin.get((parts[0], int(parts[1])), 0)
        return self.index_line if parts[0] == "index_person" else 0

    def build(self, index_xref: str | None) -> dict[str, Any]:
        individuals = [r for r in self.doc.records if r.tag == "INDI"]
        if not individuals:
            raise GedcomError(0, _("The file has no individuals."))
        if len(individuals) > MAX_PERSONS:
            raise GedcomError(individuals[MAX_PERSONS].line, _("The file has too many people."))
        self.ids = _assign_ids(individuals, "I", "i")
        families = [r for r in self.doc.records if r.tag == "FAM"]
        persons = [self._person(i, record) for i, record in enumerate(individuals)]
        unions, parentage = self._families(families, individuals)
        return {
            "index_person": self._index(index_xref, individuals, persons, parentage),
            "persons": persons,
            "unions": unions,
            "parentage": parentage,
        }

    def _person(self, i: int, record: _Node) -> dict[str, Any]:
        self.origin["persons", i] = record.line
        doc = self.doc
        given, surname = _split_name(doc.text(record.first("NAME")))
        name = record.first("NAME")
        if name is not None:
            given = doc.text(name.first("GIVN")) or given
            surname = doc.text(name.first("SURN")) or surname
        sex = SEXES.get(doc.text(record.first("SEX")).strip().upper(), "unknown")
        gender = doc.text(record.first("_GENOGRAM_GENDER")).strip()
        kind = doc.text(record.first("_GENOGRAM_KIND")).strip()
        deaths = record.all("DEAT")
        vital = "deceased" if deaths else "alive"
        if not deaths and doc.text(record.first("_GENOGRAM_VITAL")).strip() == "unknown":
            vital = "unknown"
        restrictions = {word.strip().upper() for word in doc.text(record.first("RESN")).split(",")}
        notes = [doc.text(note) for note in record.all("NOTE") if note.pointer is None]
        return {
            "id": self.ids[id(record)],
            "kind": kind if kind in v.PERSON_KINDS else "person",
            "first_names": given.strip()[:NAME_LENGTH],
            "last_name": surname.strip()[:NAME_LENGTH],
            "sex_at_birth": sex,
            "gender_identity": (
                gender if gender in v.GENDER_IDENTITIES else GENDER_FROM_SEX.get(sex, "unknown")
            ),
            "born": self._event_date(record.all("BIRT")),
            "vital_status": vital,
            "died": self._event_date(deaths),
            "confidential": bool(restrictions & {"CONFIDENTIAL", "PRIVACY"}),
            "third_party": doc.text(record.first("_GENOGRAM_THIRD_PARTY")).strip().upper() == "Y",
            "note": "\n".join(n for n in notes if n)[:NOTE_LENGTH],
        }

    def _event_date(self, events: list[_Node]) -> dict[str, Any] | None:
        """The first dated one of ``events`` (GEDCOM lists the preferred first)."""
        for event in events:
            node = event.first("DATE")
            if node is not None:
                found = parse_date(self.doc.text(node), node.line)
                if found is not None:
                    return found
        return None

    def _families(
        self, families: list[_Node], individuals: list[_Node]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        doc = self.doc
        family_ids = _assign_ids(families, "F", "u")
        # The child's side: FAMC with PEDI, and 5.5.1's ADOP event naming the adopting family.
        famc: dict[tuple[int, int], _Node] = {}
        adopted_by: dict[tuple[int, int], str] = {}
        children_of: dict[int, dict[int, _Node]] = {}  # in file order, keyed by id()
        for person in individuals:
            for link in person.all("FAMC"):
                family = doc.target(link, "FAM")
                if family is not None:
                    famc.setdefault((id(person), id(family)), link)
                    children_of.setdefault(id(family), {}).setdefault(id(person), person)
            for adoption in person.all("ADOP"):
                link = adoption.first("FAMC")
                family = doc.target(link, "FAM") if link is not None else None
                if family is not None:
                    who = doc.text(link.first("ADOP")).strip().upper() or "BOTH"
                    adopted_by[id(person), id(family)] = who
        unions: list[dict[str, Any]] = []
        parentage: list[dict[str, Any]] = []
        linked: set[tuple[str, str]] = set()
        for family in families:
            roles: dict[str, _Node] = {}
            for role in ("HUSB", "WIFE"):
                node = family.first(role)
                partner = doc.target(node, "INDI") if node is not None else None
                if partner is not None:
                    roles[role] = partner
            children: dict[int, tuple[_Node, int]] = {}
            for node in family.all("CHIL"):
                child = doc.target(node, "INDI")
                if child is not None:
                    children.setdefault(id(child), (child, node.line))
            for key, child in children_of.get(id(family), {}).items():
                children.setdefault(key, (child, famc[key, id(family)].line))
            if len(roles) == 2 and family.first("_GENOGRAM_PARENTS_ONLY") is None:
                self.origin["unions", len(unions)] = family.line
                unions.append(self._union(family, family_ids[id(family)], roles))
            for child, line in children.values():
                link = famc.get((id(child), id(family)))
                for role, parent in roles.items():
                    kind = self._pedigree(link, adopted_by.get((id(child), id(family))), role)
                    pair = (self.ids[id(child)], self.ids[id(parent)])
                    if pair in linked:
                        continue
                    linked.add(pair)
                    self.origin["parentage", len(parentage)] = line
                    parentage.append({"child": pair[0], "parent": pair[1], "kind": kind})
        return unions, parentage

    def _pedigree(self, link: _Node | None, adopted_by: str | None, role: str) -> str:
        pedigree = link.first("PEDI") if link is not None else None
        if pedigree is None:
            if adopted_by in ("BOTH", role):
                return "adoptive"
            return "biological"
        value = self.doc.text(pedigree).strip().upper()
        if value == "BIRTH":
            return "biological"
        if value == "ADOPTED":
            return "adoptive"
        if value == "FOSTER":
            return "foster"
        phrase = self.doc.text(pedigree.first("PHRASE")).lower()
        return next((kind for word, kind in PEDIGREE_PHRASES if word in phrase), "step")

    def _union(self, family: _Node, union_id: str, roles: dict[str, _Node]) -> dict[str, Any]:
        doc = self.doc
        events: dict[str, list[_Node]] = {}
        for event in family.all("EVEN"):
            word = " ".join(doc.text(event.first("TYPE")).lower().replace("_", " ").split())
            events.setdefault(word, []).append(event)
        marriages = family.all("MARR")
        divorces = family.all("DIV") + family.all("ANUL")
        kind = UNKNOWN_UNION_KIND
        started: list[_Node] = []
        if marriages:
            kind, started = "marriage", marriages
            words = doc.text(marriages[0].first("TYPE")).lower()
            if "partnership" in words or "civil union" in words:
                kind = "registered_partnership"
        elif events.get("cohabitation"):
            kind, started = "cohabitation", events["cohabitation"]
        elif events.get("dating"):
            kind, started = "dating", events["dating"]
        elif events.get("relationship"):
            started = events["relationship"]
        elif divorces:
            kind = "marriage"
        separations = events.get("separation", []) + events.get("separated", [])
        widowhoods = events.get("widowed", []) + events.get("widowhood", [])
        status = (
            "divorced"
            if divorces
            else "widowed"
            if widowhoods
            else "separated"
            if separations
            else "together"
        )
        stated = doc.text(family.first("_GENOGRAM_STATUS")).strip()
        return {
            "id": union_id,
            "partners": [self.ids[id(roles["HUSB"])], self.ids[id(roles["WIFE"])]],
            "kind": kind,
            "status": stated if stated in v.UNION_STATUSES else status,
            "started": self._event_date(started),
            "separated": self._event_date(separations),
            "divorced": self._event_date(divorces),
            "widowed": self._event_date(widowhoods),
        }

    def _index(
        self,
        index_xref: str | None,
        individuals: list[_Node],
        persons: list[dict[str, Any]],
        parentage: list[dict[str, Any]],
    ) -> str:
        by_xref = {record.xref: person for record, person in zip(individuals, persons, strict=True)}
        if index_xref is not None:
            wanted = "@" + index_xref.strip().strip("@") + "@"
            if wanted not in by_xref:
                raise GedcomError(
                    0, _("No individual in the file has the id {xref}.").format(xref=wanted)
                )
            return by_xref[wanted]["id"]
        head = self.doc.records[0]
        pointer = head.first("_GENOGRAM_INDEX")
        if pointer is not None:
            record = self.doc.target(pointer, "INDI")
            if record is not None:
                self.index_line = pointer.line
                return by_xref[record.xref]["id"]
        born = [p for p in persons if p["kind"] == "person"] or persons
        children = {link["child"] for link in parentage}
        parents = {link["parent"] for link in parentage}
        for candidates in (
            [p for p in born if p["id"] in children and p["id"] not in parents],
            [p for p in born if p["id"] in children],
            born,
        ):
            if candidates:
                return candidates[0]["id"]
        return persons[0]["id"]  # pragma: no cover - persons is never empty here


def _assign_ids(records: list[_Node], prefix: str, fallback: str) -> dict[int, str]:
    """Our ids for ``records``: decoded from their xrefs where we wrote them, else numbered."""
    ids: dict[int, str] = {}
    used: set[str] = set()
    for record in records:
        xref = record.xref or ""
        decoded = decode_id(xref[2:-1]) if xref.startswith("@" + prefix) else None
        if decoded is not None and decoded not in used:
            ids[id(record)] = decoded
            used.add(decoded)
    number = 0
    for record in records:
        if id(record) in ids:
            continue
        number += 1
        while f"{fallback}{number}" in used:
            number += 1
        ids[id(record)] = f"{fallback}{number}"
        used.add(ids[id(record)])
    return ids


def _split_name(name: str) -> tuple[str, str]:
    """``Given /Surname/ suffix`` as (given, surname); text after the surname joins the given."""
    parts = name.split("/")
    if len(parts) >= 3:
        given = " ".join(f"{parts[0]} {'/'.join(parts[2:])}".split())
        return given, " ".join(parts[1].split())
    return " ".join(name.replace("/", " ").split()), ""
