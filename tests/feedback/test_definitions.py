"""Questionnaire definitions: the bundled open set loads, and each broken rule names its field.

Every invalid case changes one thing in a valid definition (the open default set, or the invented
licensed example), so the error must be at that one dotted path.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from plugin_host.api import PayloadInvalid
from plugins.feedback.definitions import (
    DEFAULT_DIRECTORY,
    DefinitionFileInvalid,
    Questionnaire,
    check_enable,
    latest_versions,
    load_defaults,
    load_definition,
    load_definition_file,
    load_directory,
)
from tests.payload_edits import DELETE, apply_edits

FIXTURES = Path(__file__).parent / "fixtures"
DEFAULT_FILE = DEFAULT_DIRECTORY / "after_meeting.json"
LICENSED_FILE = FIXTURES / "licensed_example.json"


def raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def default_set() -> dict[str, Any]:
    return raw(DEFAULT_FILE)


def licensed() -> dict[str, Any]:
    return raw(LICENSED_FILE)


def errors_of(data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(PayloadInvalid) as caught:
        load_definition(data)
    return caught.value.errors


# -- The valid definitions -------------------------------------------------------------------


def test_the_open_default_set_loads():
    definitions = load_defaults()
    assert list(definitions) == [("after_meeting", 1)]
    q = definitions[("after_meeting", 1)]
    assert isinstance(q, Questionnaire)
    assert q.key == ("after_meeting", 1)
    assert q.licensed is False
    assert q.channel_default == "clinical"
    assert q.higher_is_better is True
    assert q.bands == ("under_7", "7_12", "13_plus", "adult")
    assert [q.presentation(b) for b in q.bands] == ["pictures", "smileys", "scale", "scale"]
    assert q.item_ids == ("heard", "mattered", "way_of_working", "overall")
    assert [item.picture for item in q.items] == ["heard", "talked", "together", "overall"]
    assert all((item.scale.min, item.scale.max) == (0, 10) for item in q.items)
    assert q.item_text("heard", "adult", "fi") == "Tunsinko, että minua kuunneltiin?"
    assert q.item_text("heard", "adult", "en") == "Did I feel heard?"
    assert q.item_text("overall", "13_plus", "en") == "Overall, how was the meeting for me?"
    # A locale not offered falls back to Finnish, the default.
    assert q.item_text("heard", "adult", "se") == "Tunsinko, että minua kuunneltiin?"
    assert q.free_text.enabled and set(q.free_text.prompt) == {"fi", "sv", "en"}
    assert q.scoring.total == "mean"
    assert q.scoring.cutoffs == {}
    assert q.scoring.reliability is None and q.scoring.norm_sd is None
    assert not q.has_norms
    assert (q.scoring.alliance_threshold.total, q.scoring.alliance_threshold.item) == (6, 5)
    assert q.total_range == (0, 10)
    assert "not validated norms" in q.description["en"]


def test_every_band_and_locale_of_the_open_set_is_written():
    q = load_definition_file(DEFAULT_FILE)
    for item in q.items:
        assert set(item.text) == set(q.bands)
        for band in q.bands:
            assert set(item.text[band]) == {"fi", "sv", "en"}
            assert all(text.strip() for text in item.text[band].values())
        for end in ("min", "max"):
            assert set(item.scale.anchors[end]) == {"fi", "sv", "en"}


def test_the_licensed_example_loads_with_norms_and_cutoffs():
    q = load_definition_file(LICENSED_FILE)
    assert q.licensed and q.licence_note is not None
    assert q.has_norms
    assert (q.scoring.reliability, q.scoring.norm_sd) == (0.8, 7)
    assert q.scoring.cutoffs == {"7_12": 32, "13_plus": 28, "adult": 25}
    assert q.cutoff("adult") == 25 and q.cutoff("under_7") is None
    assert q.total_range == (0, 40)
    # The example's wording is invented, nothing from a real instrument.
    assert q.item_text("item_one", "adult", "en") == "Item one"


def test_defaults_are_filled_in_and_the_dump_loads_again():
    data = licensed()
    del data["licence_note"]
    q = load_definition(data)
    assert q.free_text.enabled is False and q.free_text.prompt is None
    assert q.higher_is_better is True
    assert q.description is None
    again = load_definition(q.as_dict())
    assert again == q
    assert hash(again) == hash(q)


def test_a_definition_without_norms_or_thresholds_loads():
    q = load_definition(apply_edits(licensed(), ("scoring", {"total": "sum"}), ("licensed", False)))
    assert not q.has_norms
    assert q.scoring.cutoffs == {}
    assert (q.scoring.alliance_threshold.total, q.scoring.alliance_threshold.item) == (None, None)


def test_lower_is_better_may_be_declared():
    q = load_definition(apply_edits(licensed(), ("higher_is_better", False)))
    assert q.higher_is_better is False


def test_latest_versions_picks_the_highest():
    first = load_definition(default_set())
    second = load_definition(apply_edits(default_set(), ("version", 2)))
    latest = latest_versions({first.key: first, second.key: second})
    assert latest == {"after_meeting": second}


# -- One broken rule at a time ---------------------------------------------------------------

TEXT = {"fi": "Teksti", "sv": "Text", "en": "Text"}

DEFAULT_CASES = [
    # (edits on the open default set, the one dotted path that must be named)
    ((("items.2.text.7_12.sv", DELETE),), "items.2.text.7_12.sv"),
    ((("items.0.text.under_7.fi", "  "),), "items.0.text.under_7.fi"),
    ((("items.1.text.adult", DELETE),), "items.1.text.adult"),
    ((("age_bands.0.presentation", "scale"),), "age_bands.0.presentation"),
    ((("age_bands.1.presentation", "pictures"),), "age_bands.1.presentation"),
    ((("age_bands.3.presentation", "smileys"),), "age_bands.3.presentation"),
    ((("age_bands.0.presentation", "drawing"),), "age_bands.0.presentation"),
    ((("age_bands.+", {"band": "adult", "presentation": "scale"}),), "age_bands.4.band"),
    ((("age_bands.0.band", "toddler"),), "age_bands.0.band"),
    ((("age_bands", []),), "age_bands"),
    ((("items.0.scale.min", 10),), "items.0.scale.max"),
    ((("items.0.scale.min", 11),), "items.0.scale.max"),
    ((("items.3.scale.max", 21),), "items.3.scale.max"),
    ((("items.0.scale.min", "0"),), "items.0.scale.min"),
    ((("items.0.scale.anchors.max.sv", DELETE),), "items.0.scale.anchors.max.sv"),
    ((("items.1.item_id", "heard"),), "items.1.item_id"),
    ((("items.1.item_id", "Mattered"),), "items.1.item_id"),
    ((("items.3.picture", DELETE),), "items.3.picture"),
    ((("items.0.picture", "dog"),), "items.0.picture"),
    ((("items", []),), "items"),
    ((("scoring.alliance_threshold.total", 11),), "scoring.alliance_threshold.total"),
    ((("scoring.alliance_threshold.total", -0.5),), "scoring.alliance_threshold.total"),
    ((("scoring.alliance_threshold.item", 10.5),), "scoring.alliance_threshold.item"),
    ((("scoring.alliance_threshold.total", "6"),), "scoring.alliance_threshold.total"),
    ((("scoring.alliance_threshold.total", float("nan")),), "scoring.alliance_threshold.total"),
    ((("scoring.alliance_threshold.total", True),), "scoring.alliance_threshold.total"),
    ((("scoring.reliability", 0.8),), "scoring.norm_sd"),
    ((("scoring.norm_sd", 7),), "scoring.reliability"),
    ((("scoring.total", "median"),), "scoring.total"),
    ((("scoring.total", DELETE),), "scoring.total"),
    ((("scoring", DELETE),), "scoring"),
    ((("free_text.prompt", DELETE),), "free_text.prompt"),
    ((("free_text.enabled", "yes"),), "free_text.enabled"),
    ((("questionnaire_id", "After meeting"),), "questionnaire_id"),
    ((("questionnaire_id", "a"),), "questionnaire_id"),
    ((("questionnaire_id", "x" * 41),), "questionnaire_id"),
    ((("version", 0),), "version"),
    ((("version", "1"),), "version"),
    ((("licensed", "no"),), "licensed"),
    ((("licensed", DELETE),), "licensed"),
    ((("channel_default", "both"),), "channel_default"),
    ((("title.en", DELETE),), "title.en"),
    ((("title.de", "Titel"),), "title.de"),
    ((("colour", "blue"),), "colour"),
    ((("items.0.weight", 2),), "items.0.weight"),
    ((("scoring.alliance_threshold.mean", 6),), "scoring.alliance_threshold.mean"),
]


@pytest.mark.parametrize(("edits", "path"), DEFAULT_CASES, ids=[c[1] for c in DEFAULT_CASES])
def test_a_broken_default_set_names_the_field(edits, path):
    errors = errors_of(apply_edits(default_set(), *edits))
    assert list(errors) == [path]
    assert all(isinstance(m, str) and m for m in errors[path])


LICENSED_CASES = [
    (
        (("scoring.cutoffs.+", {"band": "under_7", "clinical_cutoff": 10}),),
        "scoring.cutoffs.3.band",
    ),
    ((("scoring.cutoffs.+", {"band": "adult", "clinical_cutoff": 20}),), "scoring.cutoffs.3.band"),
    ((("scoring.cutoffs.0.clinical_cutoff", 41),), "scoring.cutoffs.0.clinical_cutoff"),
    ((("scoring.cutoffs.0.band", "teen"),), "scoring.cutoffs.0.band"),
    ((("scoring.reliability", 1),), "scoring.reliability"),
    ((("scoring.reliability", 0),), "scoring.reliability"),
    ((("scoring.norm_sd", 0),), "scoring.norm_sd"),
    ((("scoring.norm_sd", -7),), "scoring.norm_sd"),
    ((("items.0.text.under_7", TEXT),), "items.0.text.under_7"),
    ((("scoring.alliance_threshold.total", 40.5),), "scoring.alliance_threshold.total"),
    ((("licence_note.fi", DELETE),), "licence_note.fi"),
    ((("higher_is_better", "false"),), "higher_is_better"),
]


@pytest.mark.parametrize(("edits", "path"), LICENSED_CASES, ids=[c[1] for c in LICENSED_CASES])
def test_a_broken_licensed_definition_names_the_field(edits, path):
    errors = errors_of(apply_edits(licensed(), *edits))
    assert list(errors) == [path]


@pytest.mark.parametrize(
    ("edits", "path", "message"),
    [
        (
            (("items.2.text.7_12.sv", DELETE),),
            "items.2.text.7_12.sv",
            "Missing data for required field.",
        ),
        (
            (("age_bands.0.presentation", "scale"),),
            "age_bands.0.presentation",
            "This age band is presented as: pictures.",
        ),
        (
            (("items.0.scale.min", 10),),
            "items.0.scale.max",
            "The maximum must be greater than the minimum.",
        ),
        (
            (("items.0.scale.max", 25),),
            "items.0.scale.max",
            "A scale spans at most 20 points.",
        ),
        ((("items.1.item_id", "heard"),), "items.1.item_id", "This id is already used."),
        (
            (("items.1.text.adult", DELETE),),
            "items.1.text.adult",
            "Write the item's text for every declared age band.",
        ),
        (
            (("items.3.picture", DELETE),),
            "items.3.picture",
            "Choose a picture: the under-7 version is answered with pictures.",
        ),
        (
            (("scoring.alliance_threshold.total", 11),),
            "scoring.alliance_threshold.total",
            "Give a value within the total's range, 0 to 10.",
        ),
        (
            (("scoring.alliance_threshold.item", -1),),
            "scoring.alliance_threshold.item",
            "Give a value within every item's scale.",
        ),
        (
            (("scoring.alliance_threshold.total", "6"),),
            "scoring.alliance_threshold.total",
            "Give a number.",
        ),
        (
            (("scoring.reliability", 0.8),),
            "scoring.norm_sd",
            "Give both reliability and norm_sd, or neither.",
        ),
        ((("colour", "blue"),), "colour", "Unknown field."),
        (
            (("free_text.prompt", DELETE),),
            "free_text.prompt",
            "Write the prompt for the free text.",
        ),
    ],
)
def test_errors_read_clearly(edits, path, message):
    assert errors_of(apply_edits(default_set(), *edits)) == {path: [message]}


def test_a_cutoff_for_an_undeclared_band_says_so():
    data = apply_edits(
        licensed(), ("scoring.cutoffs.+", {"band": "under_7", "clinical_cutoff": 10})
    )
    assert errors_of(data) == {
        "scoring.cutoffs.3.band": ["This age band is not declared in age_bands."]
    }


def test_a_threshold_outside_a_sum_total_names_its_range():
    data = apply_edits(licensed(), ("scoring.cutoffs.2.clinical_cutoff", 41))
    assert errors_of(data) == {
        "scoring.cutoffs.2.clinical_cutoff": ["Give a value within the total's range, 0 to 40."]
    }


def test_several_mistakes_are_all_named():
    data = apply_edits(
        default_set(),
        ("items.1.item_id", "heard"),
        ("items.3.picture", DELETE),
        ("scoring.alliance_threshold.item", 12),
    )
    assert set(errors_of(data)) == {
        "items.1.item_id",
        "items.3.picture",
        "scoring.alliance_threshold.item",
    }


def test_a_definition_must_be_an_object():
    assert errors_of([]) == {"_schema": ["Invalid input type."]}  # type: ignore[arg-type]


def test_the_scale_need_not_be_0_to_10():
    data = licensed()
    for item in data["items"]:
        item["scale"].update({"min": 1, "max": 5})
    data["scoring"].update(
        cutoffs=[{"band": "adult", "clinical_cutoff": 12}],
        alliance_threshold={"total": 10, "item": 2},
    )
    q = load_definition(data)
    assert q.total_range == (4, 20)
    with pytest.raises(PayloadInvalid) as caught:
        load_definition(apply_edits(copy.deepcopy(data), ("scoring.alliance_threshold.item", 0)))
    assert list(caught.value.errors) == ["scoring.alliance_threshold.item"]


# -- Files and folders -----------------------------------------------------------------------


def test_a_file_that_is_not_json_names_the_file(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"questionnaire_id": "broken",\n  "version": }', encoding="utf-8")
    with pytest.raises(DefinitionFileInvalid) as caught:
        load_definition_file(bad)
    assert caught.value.path == bad
    assert caught.value.errors == {"_schema": ["The file is not valid JSON (line 2, column 14)."]}
    assert str(caught.value).startswith("broken.json: ")


def test_an_invalid_definition_file_names_the_file_and_the_field(tmp_path):
    bad = tmp_path / "missing_sv.json"
    data = apply_edits(default_set(), ("items.2.text.7_12.sv", DELETE))
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PayloadInvalid) as caught:
        load_definition_file(bad)
    assert isinstance(caught.value, DefinitionFileInvalid)
    assert caught.value.errors == {"items.2.text.7_12.sv": ["Missing data for required field."]}
    assert "missing_sv.json" in str(caught.value)
    assert "items.2.text.7_12.sv" in str(caught.value)


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_definition_file(tmp_path / "nowhere.json")


def test_a_folder_loads_every_definition_by_id_and_version(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(default_set()), encoding="utf-8")
    (tmp_path / "b.json").write_text(
        json.dumps(apply_edits(default_set(), ("version", 2))), encoding="utf-8"
    )
    (tmp_path / "c.json").write_text(json.dumps(licensed()), encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a definition", encoding="utf-8")
    loaded = load_directory(tmp_path)
    assert list(loaded) == [("after_meeting", 1), ("after_meeting", 2), ("licensed-example", 1)]
    assert load_directory(FIXTURES).keys() == {("licensed-example", 1)}


def test_a_folder_refuses_the_same_id_and_version_twice(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(default_set()), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(default_set()), encoding="utf-8")
    with pytest.raises(DefinitionFileInvalid) as caught:
        load_directory(tmp_path)
    assert caught.value.path.name == "b.json"
    assert caught.value.errors == {
        "version": ["This questionnaire and version are already defined in a.json."]
    }


def test_a_folder_with_a_bad_file_names_it(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(default_set()), encoding="utf-8")
    (tmp_path / "z.json").write_text(
        json.dumps(apply_edits(default_set(), ("version", 0))), encoding="utf-8"
    )
    with pytest.raises(DefinitionFileInvalid) as caught:
        load_directory(tmp_path)
    assert caught.value.path.name == "z.json"
    assert list(caught.value.errors) == ["version"]


# -- Enabling --------------------------------------------------------------------------------

LICENCE_ERROR = {
    "licence_reference": [
        "This instrument is licensed: give the licence reference before enabling it."
    ]
}


@pytest.mark.parametrize("reference", [None, "", "   "])
def test_a_licensed_instrument_needs_its_licence_reference(reference):
    with pytest.raises(PayloadInvalid) as caught:
        check_enable(load_definition(licensed()), reference)
    assert caught.value.errors == LICENCE_ERROR


def test_a_licensed_instrument_enables_with_its_reference():
    assert check_enable(load_definition(licensed()), "  LIC-2024-017 ") == "LIC-2024-017"


def test_an_open_questionnaire_enables_without_a_reference():
    assert check_enable(load_definition(default_set()), None) is None
