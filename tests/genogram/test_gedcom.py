"""GEDCOM 7 export and import of the genogram. Every family and name here is invented."""

from __future__ import annotations

import re
from typing import Any

import pytest

from plugin_host.api import load_payload
from plugins.genogram.gedcom import (
    DROPPED_BY_EXPORT,
    EXTENSION_TAGS,
    MAX_LEVEL,
    GedcomError,
    decode_id,
    dropped_by_export,
    encode_id,
    export_gedcom,
    import_gedcom,
)
from plugins.genogram.schemas import GenogramSchema
from tests.genogram import families
from tests.genogram.families import (
    MAN,
    WOMAN,
    by_id,
    child_of,
    deceased,
    ended,
    person,
    union,
    when,
)


def three_generations() -> dict[str, Any]:
    """The Testinen family grown for GEDCOM: Aino's parents, a couple of a kind not known, foster
    mothers in a registered partnership, adoptive and other carers, a pregnancy and a loss, an
    earlier relationship of Jari's, and names and a note that GEDCOM has to escape."""
    data = families.the_testinen_family()
    people = by_id(data["persons"])
    people["maija"].update(
        last_name="Testinen-Malli", note="@home on weekdays\nworks shifts\n\nsee the plan"
    )
    people["jari"]["last_name"] = "Esimerkki/Koe"
    # SEX F does not imply non-binary: the gender has to travel in an extension tag.
    people["kai"]["sex_at_birth"] = "female"
    data["persons"] = [
        person("selma", "Selma", "Testinen", vital_status="unknown", **WOMAN),
        person("otto", "Otto", "Testinen", **deceased(), **MAN),
        *data["persons"],
        person("Helena-2", "Helena", "Sijainen", **WOMAN),
        person("ritva_s", "Ritva", "Sijainen", **WOMAN),
        person(
            "lilja",
            "Lilja",
            "Malli",
            gender_identity="woman",
            sex_at_birth="intersex",
            born=when("2011"),
        ),
        {"id": "mc1", "kind": "miscarriage", "born": when("2003", approximate=True)},
        {"id": "baby", "kind": "pregnancy"},
        person("ville", "Ville", "Esimerkki", born=when("2001-09-09"), confidential=True, **MAN),
        person("sanna", "Sanna", "Entinen", **WOMAN),
        person("tuomas", "Tuomas", "Huoltaja", **MAN),
    ]
    data["unions"] = [
        # The record did not say what kind of couple Aino's parents were.
        union("u0", "otto", "selma", kind="unknown", started=when("1946")),
        *data["unions"],
        union("u4", "Helena-2", "ritva_s", kind="registered_partnership"),
        union(
            "u5",
            "jari",
            "sanna",
            kind="dating",
            started=when("2000", approximate=True),
            **ended("separated", "2002"),
        ),
        # Separated, with a divorce date: the status is not the one the events imply.
        union("u6", "sanna", "tuomas", kind="marriage", status="separated", divorced=when("2020")),
    ]
    data["parentage"] = [
        *child_of("aino", "selma", "otto"),
        *data["parentage"],
        *child_of("eino", "Helena-2", "ritva_s", kind="foster"),
        *child_of("lilja", "maija", "pekka", kind="adoptive"),
        *child_of("lilja", "kai", kind="kinship_carer"),
        *child_of("lilja", "tuomas", kind="guardian"),
        *child_of("mc1", "maija", "jari"),
        *child_of("baby", "maija", "tuomas"),
        *child_of("ville", "jari", "sanna"),
    ]
    return load_payload(GenogramSchema(), data)


CARRIED = (
    "id",
    "kind",
    "first_names",
    "last_name",
    "gender_identity",
    "sex_at_birth",
    "born",
    "vital_status",
    "died",
    "third_party",
    "confidential",
    "note",
)


def carried(genogram: dict[str, Any]) -> dict[str, Any]:
    """What GEDCOM carries, in a comparable form (parentage order is GEDCOM's own)."""
    return {
        "index_person": genogram["index_person"],
        "persons": [{key: p[key] for key in CARRIED} for p in genogram["persons"]],
        "unions": genogram["unions"],
        "parentage": sorted((p["child"], p["parent"], p["kind"]) for p in genogram["parentage"]),
    }


def test_round_trip_keeps_everything_gedcom_carries() -> None:
    original = three_generations()
    assert carried(import_gedcom(export_gedcom(original))) == carried(original)


def test_round_trip_is_stable() -> None:
    text = export_gedcom(three_generations())
    assert export_gedcom(import_gedcom(text)) == text


def test_export_uses_the_gedcom_structures() -> None:
    text = export_gedcom(three_generations())
    lines = text.splitlines()
    assert lines[:3] == ["0 HEAD", "1 GEDC", "2 VERS 7.0"]
    assert "1 SOUR SYSTEMIC_PLUGIN_HOST_GENOGRAM" in lines
    assert lines[-1] == "0 TRLR" and text.endswith("\n")
    assert "1 _GENOGRAM_INDEX @IEINO@" in lines
    for expected in (
        "1 SEX X",
        "2 PEDI ADOPTED",
        "2 PEDI FOSTER",
        "3 PHRASE Step-parent",
        "3 PHRASE Kinship carer",
        "3 PHRASE Guardian",
        "1 RESN CONFIDENTIAL",
        "1 NAME Veikko Olavi /Testinen/",
        "1 NAME Jari /Esimerkki Koe/",
        "2 SURN Esimerkki/Koe",
        "2 DATE ABT 1948",
        "2 DATE 12 JUL 1946",
        "2 DATE ABT NOV 1972",
        "1 DEAT Y",
        "2 TYPE Registered partnership",
        "2 TYPE Cohabitation",
        "2 TYPE Relationship",
        "1 _GENOGRAM_KIND miscarriage",
        "1 _GENOGRAM_GENDER non_binary",
        "1 _GENOGRAM_VITAL unknown",
        "1 _GENOGRAM_THIRD_PARTY Y",
        "1 _GENOGRAM_STATUS separated",
    ):
        assert expected in lines, expected
    # A multi-line note continues on CONT lines, and its leading @ is doubled.
    note = lines.index("1 NOTE @@home on weekdays")
    assert lines[note + 1 : note + 4] == ["2 CONT works shifts", "2 CONT", "2 CONT see the plan"]


def test_export_lines_follow_the_gedcom_7_grammar() -> None:
    text = export_gedcom(three_generations())
    line = re.compile(r"(0|[1-9][0-9]*) (@[A-Z0-9_]+@ )?([A-Z_][A-Z0-9_]*)( [^\r\n]+)?")
    previous = -1
    for number, raw in enumerate(text.split("\n")[:-1], start=1):
        match = line.fullmatch(raw)
        assert match, (number, raw)
        level = int(match[1])
        assert level <= previous + 1, (number, raw)
        previous = level
        value = match[4] or ""
        # A value starting with @ is a pointer or has its @ doubled.
        assert not value.startswith(" @") or re.fullmatch(r" (@[A-Z0-9_]+@|@@.*)", value)
    # Every extension tag used is documented in the schema, before its first use.
    schema_end = text.index("1 SOUR")
    for tag in set(re.findall(r"^\d+ (_[A-Z0-9_]+)", text, flags=re.MULTILINE)):
        assert tag in EXTENSION_TAGS
        assert text.index(f"2 TAG {tag} ") < schema_end


def test_every_person_and_family_pointer_resolves() -> None:
    text = export_gedcom(three_generations())
    defined = set(re.findall(r"^0 (@[A-Z0-9_]+@)", text, flags=re.MULTILINE))
    used = set(re.findall(r"^\d+ [A-Z_]+ (@[A-Z0-9_]+@)$", text, flags=re.MULTILINE))
    assert used <= defined


def test_couples_of_one_kind_share_their_union_family() -> None:
    text = export_gedcom(three_generations())
    family = text.split("0 @FU2@ FAM\n")[1].split("\n0 ")[0]
    assert "1 CHIL @IEINO@" in family and "1 CHIL @IMC1@" in family
    foster = text.split("0 @FU4@ FAM\n")[1].split("\n0 ")[0]
    assert "1 CHIL @IEINO@" in foster
    assert "1 MARR Y" in foster  # a registered partnership with no date still happened


@pytest.mark.parametrize(
    ("identifier", "code"),
    [
        ("p1", "P1"),
        ("Anna-2", "_ANNA_12"),
        ("a_b.c", "A__B_0C"),
        ("3f2a9c1e-0000-4000-8000-00000000abcd", "3F2A9C1E_10000_14000_18000_100000000ABCD"),
        ("X", "_X"),
    ],
)
def test_ids_map_to_xrefs_and_back(identifier: str, code: str) -> None:
    assert encode_id(identifier) == code
    assert decode_id(code) == identifier


@pytest.mark.parametrize("code", ["", "_", "_9", "A-B", "_0ABC", "a1", "__"])
def test_codes_no_id_encodes_to_decode_to_none(code: str) -> None:
    assert decode_id(code) is None


def test_dropped_by_export_names_what_this_genogram_loses() -> None:
    genogram = three_generations()
    assert dropped_by_export(genogram) == []
    genogram["twins"] = [{"id": "w", "members": ["eino", "lilja"], "kind": "unknown"}]
    genogram["persons"][3]["markers"] = [{"kind": "worry", "text": "Tired"}]
    genogram["parentage"][0]["started"] = when("1948")
    assert dropped_by_export(genogram) == ["twins", "persons.markers", "parentage.started"]
    assert set(dropped_by_export(genogram)) <= set(DROPPED_BY_EXPORT)


def test_export_leaves_out_what_must_not_leave_the_record() -> None:
    genogram = three_generations()
    genogram["persons"][3]["record_person_id"] = "rec-1234"
    genogram["persons"][3]["markers"] = [{"kind": "worry", "text": "Tired after shifts"}]
    genogram["ties"] = [
        {"id": "t1", "source": "eino", "target": "maija", "kind": "close", "note": "Warm"}
    ]
    text = export_gedcom(genogram)
    assert "rec-1234" not in text
    assert "Tired after shifts" not in text
    assert "Warm" not in text


GEDCOM_7_HEAD = "0 HEAD\n1 GEDC\n2 VERS 7.0\n"

HANDWRITTEN = """\
0 HEAD
1 GEDC
2 VERS 7.0
1 SOUR HANDWRITTEN
0 @I1@ INDI
1 NAME Matti /Virtanen/
1 SEX M
1 BIRT
2 DATE ABT 1950
1 DEAT
2 DATE 3 MAR 2010
1 FAMS @F1@
0 @I2@ INDI
1 NAME Liisa /Virtanen/
2 GIVN Liisa Maria
1 SEX F
1 BIRT
2 DATE BET 1952 AND 1953
1 FAMS @F1@
0 @I3@ INDI
1 NAME Pia /Virtanen/
1 SEX F
1 BIRT
2 DATE MAY 1980
1 FAMC @F1@
1 FAMS @F2@
0 @I4@ INDI
1 RESN CONFIDENTIAL
1 NAME Onni //
1 SEX M
1 BIRT
2 DATE 12 DEC 2012
1 FAMC @F2@
2 PEDI ADOPTED
1 NOTE @@home: grandparents
2 CONT weekends
0 @I5@ INDI
1 NAME Aarne /Aho/
1 SEX X
1 FAMS @F2@
0 @F1@ FAM
1 HUSB @I1@
1 WIFE @I2@
1 CHIL @I3@
1 MARR
2 DATE 1975
0 @F2@ FAM
1 HUSB @I5@
1 WIFE @I3@
1 CHIL @I4@
1 EVEN
2 TYPE Cohabitation
2 DATE 2010
1 EVEN Separation
2 TYPE Separation
2 DATE 2015
0 TRLR
"""


def test_import_of_a_handwritten_gedcom_7_file() -> None:
    genogram = import_gedcom(HANDWRITTEN)
    persons = {p["id"]: p for p in genogram["persons"]}
    assert list(persons) == ["1", "2", "3", "4", "5"]
    # The first child without children of their own: the youngest generation.
    assert genogram["index_person"] == "4"
    matti = persons["1"]
    assert (matti["first_names"], matti["last_name"]) == ("Matti", "Virtanen")
    assert matti["born"] == when("1950", approximate=True)
    assert (matti["vital_status"], matti["died"]) == ("deceased", when("2010-03-03"))
    assert (matti["sex_at_birth"], matti["gender_identity"]) == ("male", "man")
    assert persons["2"]["first_names"] == "Liisa Maria"  # GIVN is the exact given name
    assert persons["2"]["born"] == when("1952", approximate=True)
    assert persons["3"]["born"] == when("1980-05")
    onni = persons["4"]
    assert (onni["first_names"], onni["last_name"], onni["confidential"]) == ("Onni", "", True)
    assert onni["note"] == "@home: grandparents\nweekends"
    assert (persons["5"]["sex_at_birth"], persons["5"]["gender_identity"]) == (
        "intersex",
        "unknown",
    )
    assert genogram["unions"] == [
        {
            "id": "1",
            "partners": ["1", "2"],
            "kind": "marriage",
            "status": "together",
            "started": when("1975"),
            "separated": None,
            "divorced": None,
            "widowed": None,
        },
        {
            "id": "2",
            "partners": ["5", "3"],
            "kind": "cohabitation",
            "status": "separated",
            "started": when("2010"),
            "separated": when("2015"),
            "divorced": None,
            "widowed": None,
        },
    ]
    assert sorted((p["child"], p["parent"], p["kind"]) for p in genogram["parentage"]) == [
        ("3", "1", "biological"),
        ("3", "2", "biological"),
        ("4", "3", "adoptive"),
        ("4", "5", "adoptive"),
    ]


GEDCOM_551 = (
    "\ufeff0 HEAD\r\n"
    "1 SOUR PAF\r\n"
    "1 GEDC\r\n"
    "2 VERS 5.5.1\r\n"
    "2 FORM LINEAGE-LINKED\r\n"
    "1 CHAR UTF-8\r\n"
    "0 @I1@ INDI\r\n"
    "1 NAME Matti /Meikäläinen/\r\n"
    "1 SEX M\r\n"
    "1 BIRT\r\n"
    "2 DATE INT 1950 (about fifty)\r\n"
    "1 NOTE Email matti@@example.org, phone\r\n"
    "2 CONC  later\r\n"
    "0 @I2@ INDI\r\n"
    "1 NAME Liisa /Meikäläinen/\r\n"
    "1 SEX F\r\n"
    "0 @I3@ INDI\r\n"
    "1 NAME Pia /Meikäläinen/\r\n"
    "1 SEX F\r\n"
    "1 BIRT\r\n"
    "2 DATE @#DGREGORIAN@ 5 MAY 1980\r\n"
    "1 FAMC @F1@\r\n"
    "2 PEDI adopted\r\n"
    "0 @I4@ INDI\r\n"
    "1 NAME Tomi /Meikäläinen/\r\n"
    "1 SEX M\r\n"
    "1 FAMC @F1@\r\n"
    "1 ADOP\r\n"
    "2 FAMC @F1@\r\n"
    "3 ADOP WIFE\r\n"
    "0 @F1@ FAM\r\n"
    "1 HUSB @I1@\r\n"
    "1 WIFE @I2@\r\n"
    "1 CHIL @I3@\r\n"
    "1 CHIL @I4@\r\n"
    "0 TRLR\r\n"
)


def test_import_tolerates_a_gedcom_551_file() -> None:
    genogram = import_gedcom(GEDCOM_551)
    persons = {p["id"]: p for p in genogram["persons"]}
    assert persons["1"]["born"] == when("1950", approximate=True)
    assert persons["1"]["note"] == "Email matti@example.org, phone later"
    assert persons["3"]["born"] == when("1980-05-05")
    assert genogram["index_person"] == "3"
    # A FAM without a marriage event is a couple of a kind not known, not a marriage.
    assert [(u["partners"], u["kind"]) for u in genogram["unions"]] == [(["1", "2"], "unknown")]
    assert sorted((p["child"], p["parent"], p["kind"]) for p in genogram["parentage"]) == [
        ("3", "1", "adoptive"),
        ("3", "2", "adoptive"),
        ("4", "1", "biological"),
        ("4", "2", "adoptive"),
    ]


def test_index_person_from_the_parameter_or_the_header() -> None:
    assert import_gedcom(HANDWRITTEN, index_xref="@I3@")["index_person"] == "3"
    assert import_gedcom(HANDWRITTEN, index_xref="I5")["index_person"] == "5"
    text = export_gedcom(three_generations())
    assert import_gedcom(text)["index_person"] == "eino"
    assert import_gedcom(text, index_xref="@ILILJA@")["index_person"] == "lilja"


def import_error(text: str, **options: Any) -> GedcomError:
    """The error ``import_gedcom`` raises for ``text``."""
    with pytest.raises(GedcomError) as raised:
        import_gedcom(text, **options)
    return raised.value


def test_unknown_index_person_is_an_error() -> None:
    assert import_error(HANDWRITTEN, index_xref="@I9@").line == 0


def test_foreign_xrefs_get_numbered_ids() -> None:
    text = HANDWRITTEN.replace("@I1@", "@X-1@").replace("@I2@", "@PERSON_2@")
    persons = [p["id"] for p in import_gedcom(text)["persons"]]
    assert persons == ["i1", "i2", "3", "4", "5"]


def test_data_no_genogram_can_hold_names_the_record_line() -> None:
    error = import_error(HANDWRITTEN.replace("2 DATE 3 MAR 2010", "2 DATE 3 MAR 1940"))
    assert error.line == 5  # Matti's INDI: he cannot die before he was born
    assert list(error.errors) == ["persons.0.died"]


def replace_line(text: str, number: int, new: str | None) -> str:
    lines = text.split("\n")
    if new is None:
        del lines[number - 1]
    else:
        lines[number - 1] = new
    return "\n".join(lines)


MALFORMED = [
    ("empty file", "", 0),
    ("only blank lines", "\n\n  \n", 0),
    ("no header", HANDWRITTEN.split("\n", 4)[4], 1),
    ("no trailer", HANDWRITTEN.replace("0 TRLR\n", ""), 56),
    ("level jump", replace_line(HANDWRITTEN, 9, "3 DATE ABT 1950"), 9),
    ("first line not level 0", "1 HEAD\n0 TRLR\n", 1),
    ("not a GEDCOM line", replace_line(HANDWRITTEN, 7, "sex male"), 7),
    ("unknown pointer", replace_line(HANDWRITTEN, 12, "1 FAMS @F9@"), 12),
    ("pointer to the wrong record", replace_line(HANDWRITTEN, 48, "1 HUSB @F2@"), 48),
    ("impossible day", replace_line(HANDWRITTEN, 11, "2 DATE 30 FEB 2010"), 11),
    ("words for a date", replace_line(HANDWRITTEN, 9, "2 DATE sometime"), 9),
    ("date too long ago", replace_line(HANDWRITTEN, 9, "2 DATE 1700"), 9),
    ("unknown month", replace_line(HANDWRITTEN, 24, "2 DATE MAI 1980"), 24),
    ("Julian calendar", replace_line(HANDWRITTEN, 24, "2 DATE JULIAN 1980"), 24),
    ("id used twice", replace_line(HANDWRITTEN, 13, "0 @I1@ INDI"), 13),
    ("CONT after a substructure", replace_line(HANDWRITTEN, 36, "1 CONT weekends"), 36),
    ("CONT at level 0", replace_line(HANDWRITTEN, 36, "0 CONT weekends"), 36),
    ("id on a substructure", replace_line(HANDWRITTEN, 7, "1 @S1@ SEX M"), 7),
    ("unsupported version", replace_line(HANDWRITTEN, 3, "2 VERS 4.0"), 3),
    ("no version", replace_line(HANDWRITTEN, 3, "2 FORM LINEAGE-LINKED"), 1),
    ("record after the trailer", HANDWRITTEN + "0 @I9@ INDI\n", 58),
    ("trailer with a value", HANDWRITTEN.replace("0 TRLR", "0 TRLR now"), 57),
    ("two headers", replace_line(HANDWRITTEN, 5, "0 HEAD"), 5),
    ("control character", replace_line(HANDWRITTEN, 6, "1 NAME Matti\x00 /Virtanen/"), 6),
    ("void id on a record", replace_line(HANDWRITTEN, 5, "0 @VOID@ INDI"), 5),
    ("no individuals", GEDCOM_7_HEAD + "0 TRLR\n", 0),
]


@pytest.mark.parametrize(
    ("text", "line"), [pytest.param(text, line, id=name) for name, text, line in MALFORMED]
)
def test_malformed_file_names_the_line(text: str, line: int) -> None:
    error = import_error(text)
    assert error.line == line
    assert str(error.message)
    assert str(error).startswith(f"line {line}: ")


def test_a_very_deep_file_is_refused_without_recursion() -> None:
    deep = "".join(f"{level} _DEEP x\n" for level in range(2, 5000))
    text = GEDCOM_7_HEAD + "0 @I1@ INDI\n1 NOTE deep\n" + deep + "0 TRLR"
    assert import_error(text).line == 5 + MAX_LEVEL


def test_a_huge_file_is_refused() -> None:
    text = "0 HEAD\n" + "1 NOTE " + "x" * (5 * 1024 * 1024) + "\n0 TRLR\n"
    assert import_error(text).line == 0


def test_too_many_records_are_refused() -> None:
    records = "".join(f"0 @N{i}@ SNOTE x\n" for i in range(50_001))
    assert import_error(GEDCOM_7_HEAD + records + "0 TRLR\n").line == 3 + 50_000


def test_too_many_people_are_refused() -> None:
    people = "".join(f"0 @I{i}@ INDI\n" for i in range(10_001))
    assert import_error(GEDCOM_7_HEAD + people + "0 TRLR\n").line == 3 + 10_001
