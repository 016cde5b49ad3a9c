"""The Kanta code tables: shipped data loads, look-ups answer, broken files are named precisely."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adapters.kanta.code_tables import (
    CODES_DIR,
    JSON_SCHEMAS_DIR,
    CodeTableError,
    CodeTables,
    UnknownCode,
    default_tables,
)
from tests.kanta.factory import genogram

CHILD_PROTECTION_TYPES = ("4009", "1006", "1005", "15009", "15026", "11002", "11023", "19005")


@pytest.fixture
def copied(tmp_path: Path) -> tuple[Path, Path]:
    """Writable copies of the shipped tables and schemas."""
    codes, schemas = tmp_path / "codes", tmp_path / "json_schemas"
    shutil.copytree(CODES_DIR, codes)
    shutil.copytree(JSON_SCHEMAS_DIR, schemas)
    return codes, schemas


def edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def load_error(codes: Path, schemas: Path) -> str:
    with pytest.raises(CodeTableError) as caught:
        CodeTables.load(codes, schemas)
    return str(caught.value)


# --- the shipped tables ---------------------------------------------------------------------


def test_shipped_tables_load_with_every_type_the_issue_lists() -> None:
    tables = default_tables()
    codes = {t.code for t in tables.document_types()}
    assert {*CHILD_PROTECTION_TYPES, "19013"} <= codes


def test_every_document_type_has_names_a_structure_and_a_schema() -> None:
    tables = default_tables()
    for dtype in tables.document_types():
        assert set(dtype.name) == {"fi", "sv", "en"}
        assert dtype.content_specification_id.startswith(f"1.2.246.537.6.1506.{dtype.code}")
        assert tables.json_schema(dtype.content_specification_id)["$id"] == (
            f"urn:oid:{dtype.content_specification_id}"
        )
        assert dtype.file_formats
        assert dtype.service_request


def test_general_type_follows_the_thousands_of_the_specific_code() -> None:
    # The inference the general types rest on (see general_document_types.json).
    for dtype in default_tables().document_types():
        assert int(dtype.code) // 1000 == int(dtype.general_type.code)


def test_entries_say_whether_they_were_checked_and_where() -> None:
    tables = default_tables()
    assert tables.code_system("identity_code").verified
    assert "1.2.246.21" == tables.code_system("identity_code").oid
    assert not tables.code_system("professional_id").verified
    assert "from the issue" in tables.code_system("professional_id").source
    client_plan = tables.document_type("15009")
    assert not client_plan.verified
    assert "content_specification_id" in client_plan.unverified_fields
    unverified = tables.unverified()
    assert "code_systems.json: professional_id" in unverified
    assert "document_types.json: 15009" in unverified
    assert "code_systems.json: identity_code" not in unverified


def test_unknown_codes_are_refused_by_name() -> None:
    tables = default_tables()
    with pytest.raises(UnknownCode, match=r"document_types\.json"):
        tables.document_type("99999")
    with pytest.raises(UnknownCode, match=r"service_tasks\.json"):
        tables.code("service_tasks", "nope")
    with pytest.raises(UnknownCode):
        tables.code("no_such_list", "1")
    with pytest.raises(UnknownCode):
        tables.json_validator("1.2.3")


def test_lookups() -> None:
    tables = default_tables()
    assert tables.code("service_tasks", "02").name["fi"] == "Lastensuojelu"
    assert tables.code_list_system("service_tasks").oid == "1.2.246.537.6.1221.201601"
    assert tables.document_type("11023").general_type.name["fi"] == "Päätös"
    assert tables.document_type("4009").register_type.code == "2"


def test_genogram_schema_accepts_what_the_genogram_plugin_stores() -> None:
    validator = default_tables().json_validator("1.2.246.537.6.1506.19013.2022.1.10")
    for size in (1, 12, 200):
        assert list(validator.iter_errors({"genogram": genogram(size)})) == []


def test_genogram_schema_refuses_a_broken_genogram() -> None:
    validator = default_tables().json_validator("1.2.246.537.6.1506.19013.2022.1.10")
    broken = genogram()
    broken["persons"][0]["id"] = "not an id!"
    del broken["index_person"]
    paths = {error.json_path for error in validator.iter_errors({"genogram": broken})}
    assert "$.genogram" in paths  # index_person missing
    assert "$.genogram.persons[0].id" in paths
    assert list(validator.iter_errors({"something": {}}))  # neither shape


def test_every_shipped_json_schema_is_draft_7() -> None:
    for path in JSON_SCHEMAS_DIR.glob("*.json"):
        jsonschema.Draft7Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


# --- broken files: the error names the file and the field -------------------------------------


def test_missing_field_names_file_and_field(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    edit(codes / "document_types.json", lambda d: d["types"][2].pop("content_specification_id"))
    message = load_error(codes, schemas)
    assert "document_types.json: types.2.content_specification_id" in message
    assert "Missing data for required field" in message


def test_bad_oid_names_file_and_field(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    edit(codes / "code_systems.json", lambda d: d["code_systems"]["service_task"].update(oid="x"))
    message = load_error(codes, schemas)
    assert "code_systems.json: code_systems.service_task.value.oid: Not a valid OID." in message


def test_unknown_reference_names_the_list(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    edit(codes / "document_types.json", lambda d: d["types"][0].update(service_task="99"))
    assert load_error(codes, schemas) == (
        "document_types.json: types.0.service_task: no code '99' in service_tasks.json"
    )


def test_provenance_must_be_a_real_boolean(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    edit(codes / "service_tasks.json", lambda d: d["codes"][1].update(verified="yes"))
    assert "service_tasks.json: codes.1.verified" in load_error(codes, schemas)


def test_a_code_system_without_oid_cannot_be_verified(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    edit(
        codes / "code_systems.json",
        lambda d: d["code_systems"]["record_status"].update(verified=True),
    )
    assert "code_systems.json: code_systems.record_status.value.verified" in load_error(
        codes, schemas
    )


def test_verified_entry_cannot_list_unverified_fields(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    edit(codes / "document_types.json", lambda d: d["types"][1].update(verified=True))
    assert "document_types.json: types.1.verified" in load_error(codes, schemas)


def test_duplicate_codes_are_refused(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    edit(codes / "retention_classes.json", lambda d: d["codes"].append(d["codes"][0]))
    assert "retention_classes.json: codes.2.code: This code is already listed." in load_error(
        codes, schemas
    )


def test_unknown_member_is_refused(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    edit(codes / "file_formats.json", lambda d: d["codes"][0].update(colour="blue"))
    assert "file_formats.json: codes.0.colour: Unknown field." in load_error(codes, schemas)


def test_missing_code_list_file(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    (codes / "register_types.json").unlink()
    assert load_error(codes, schemas) == "register_types.json: missing"


def test_not_json(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    (codes / "confidentiality.json").write_text("{", encoding="utf-8")
    assert load_error(codes, schemas).startswith("confidentiality.json: not valid UTF-8 JSON")


def test_missing_json_schema_names_the_file(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    (schemas / "1.2.246.537.6.1506.19005.2022.1.10.json").unlink()
    assert load_error(codes, schemas).startswith(
        "json_schemas/1.2.246.537.6.1506.19005.2022.1.10.json: missing"
    )


def test_json_schema_must_name_its_content_specification(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    edit(schemas / "1.2.246.537.6.1506.4009.2023.4.28.json", lambda d: d.update({"$id": "x"}))
    assert "must be urn:oid:1.2.246.537.6.1506.4009.2023.4.28" in load_error(codes, schemas)


def test_invalid_json_schema_names_the_file(copied: tuple[Path, Path]) -> None:
    codes, schemas = copied
    edit(schemas / "1.2.246.537.6.1506.4009.2023.4.28.json", lambda d: d.update(type=5))
    assert load_error(codes, schemas).startswith(
        "json_schemas/1.2.246.537.6.1506.4009.2023.4.28.json: not a valid JSON schema"
    )


# --- the structured-form check --------------------------------------------------------------

GENOGRAM_SPEC = "1.2.246.537.6.1506.19013.2022.1.10"


def test_structured_errors_are_described_without_values() -> None:
    tables = CodeTables.load()
    payload = json.dumps({"genogram": {"index_person": "p1", "persons": [{"id": "Ä Ö"}]}})
    errors = tables.structured_errors(GENOGRAM_SPEC, payload.encode())
    assert errors == [("$.genogram.persons[0].id", "not in the required form")]


def test_structured_checks_are_remembered_by_payload(monkeypatch: pytest.MonkeyPatch) -> None:
    tables = CodeTables.load()
    payload = json.dumps({"genogram": genogram()}).encode()
    assert tables.structured_errors(GENOGRAM_SPEC, payload) == []
    walked: list[object] = []
    real = tables._fast_checks[GENOGRAM_SPEC]

    def spy(instance: object) -> object:
        walked.append(instance)
        return real(instance)

    monkeypatch.setitem(tables._fast_checks, GENOGRAM_SPEC, spy)
    assert tables.structured_errors(GENOGRAM_SPEC, payload) == []
    assert walked == []  # the same bytes: not walked again
    assert tables.structured_errors(GENOGRAM_SPEC, payload + b" ") == []
    assert len(walked) == 1  # other bytes: walked


def test_remembered_checks_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("adapters.kanta.code_tables.CHECKED_RESULTS", 3)
    tables = CodeTables.load()
    for index in range(5):
        tables.structured_errors(GENOGRAM_SPEC, json.dumps({"genogram": {"n": index}}).encode())
    assert len(tables._checked) == 3


def test_local_refs_are_inlined_and_cycles_refused(copied: tuple[Path, Path]) -> None:
    tables = default_tables()
    compiled = tables.json_validator(GENOGRAM_SPEC).schema
    assert "$ref" not in json.dumps(compiled)
    codes, schemas = copied

    def cycle(schema: dict[str, Any]) -> None:
        schema["definitions"]["person"]["properties"]["parent"] = {"$ref": "#/definitions/person"}

    edit(schemas / f"{GENOGRAM_SPEC}.json", cycle)
    assert "definition person is recursive" in load_error(codes, schemas)
