"""``[plugins.feedback]`` is checked when the host starts: a licensed instrument needs its licence
reference, a questionnaire must be loaded, a bad definition file is named; ``plugin-host
check-config`` says the same. No record system is contacted: the checks are the configuration's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from plugin_host import __version__
from plugin_host.app import create_app
from plugin_host.cli import main
from plugin_host.config import ConfigError, load_config
from plugin_host.plugin_settings import collect_plugin_settings
from plugin_host.registry import PluginRegistry
from tests.feedback.conftest import FIXTURES, LICENCE, LICENSED, OPEN, feedback_section
from tests.fixtures.host import write_host_config

LICENCE_KEY = "plugins.feedback.questionnaires.0.licence_reference"


@pytest.fixture
def base(tmp_path: Path, launch_keys) -> Path:
    """A host configuration with no ``[plugins.feedback]`` yet (the record system is never
    asked: its address answers nothing)."""
    write_host_config(tmp_path / "host", "http://127.0.0.1:9", launch_keys.public_key)
    return tmp_path / "host" / "host.toml"


def _write(base: Path, section: str) -> Path:
    path = base.with_name("feedback.toml")
    path.write_text(base.read_text() + section)
    return path


def _problems(path: Path) -> tuple[dict[str, list[str]], str, str]:
    """The problems as collect_plugin_settings reports them, create_app's error text, and
    check-config's output; create_app and check-config must refuse."""
    config = load_config(path)
    registry = PluginRegistry(__version__, config.hook_budget_seconds)
    registry.discover()
    with pytest.raises(ConfigError) as collected:
        collect_plugin_settings(registry, config.plugin_settings, config.source)
    with pytest.raises(ConfigError) as started:
        create_app(config)
    result = CliRunner().invoke(main, ["check-config", "--config", str(path)])
    assert result.exit_code == 1, result.output
    return collected.value.problems, str(started.value), result.output


def _licensed_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "definitions"
    folder.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "licensed_example.json", folder / "licensed_example.json")
    return folder


def test_the_defaults_and_a_licensed_instrument_with_its_reference_start(base, tmp_path):
    folder = _licensed_dir(tmp_path)
    questionnaires = [
        {"questionnaire_id": OPEN},
        {"questionnaire_id": LICENSED, "licence_reference": f"  {LICENCE} "},
    ]
    path = _write(base, feedback_section(questionnaires, folder, minimum_families=6))
    config = load_config(path)
    app = create_app(config)
    settings = app.extensions["plugin_host"].plugin_settings["feedback"]
    catalogue = settings["catalogue"]
    assert list(catalogue) == [OPEN, LICENSED]
    assert catalogue[LICENSED].licence_reference == LICENCE  # stripped
    assert catalogue[LICENSED].channel == "service_evaluation"  # the definition's default
    assert catalogue[OPEN].channel == "clinical"
    assert settings["minimum_families"] == 6
    result = CliRunner().invoke(main, ["check-config", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK")
    # No section at all: the bundled open questionnaire.
    bare = load_config(base)
    settings = create_app(bare).extensions["plugin_host"].plugin_settings["feedback"]
    assert list(settings["catalogue"]) == [OPEN]


@pytest.mark.parametrize("reference", [None, "", "   "])
def test_a_licensed_instrument_without_its_licence_reference_stops_the_start(
    base, tmp_path, reference
):
    entry = {"questionnaire_id": LICENSED}
    if reference is not None:
        entry["licence_reference"] = reference
    path = _write(base, feedback_section([entry], _licensed_dir(tmp_path)))
    problems, started, checked = _problems(path)
    assert list(problems) == [LICENCE_KEY]
    [message] = problems[LICENCE_KEY]
    assert "licensed" in message and "licence reference" in message
    for text in (started, checked):
        assert f"{LICENCE_KEY}: {message}" in text


def test_the_licence_is_checked_for_each_entry_by_its_place(base, tmp_path):
    questionnaires = [
        {"questionnaire_id": OPEN},
        {"questionnaire_id": LICENSED, "channel": "clinical"},
    ]
    path = _write(base, feedback_section(questionnaires, _licensed_dir(tmp_path)))
    problems, started, checked = _problems(path)
    key = "plugins.feedback.questionnaires.1.licence_reference"
    assert list(problems) == [key]
    assert key in started and key in checked


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ({"questionnaire_id": "no-such-questionnaire"}, "questionnaire_id"),
        ({"questionnaire_id": OPEN, "version": 99}, "questionnaire_id"),
        # Licensed, but its definition file is not loaded (no definitions_dir).
        ({"questionnaire_id": LICENSED, "licence_reference": LICENCE}, "questionnaire_id"),
    ],
)
def test_an_unknown_questionnaire_stops_the_start(base, entry, key):
    path = _write(base, feedback_section([entry]))
    problems, started, checked = _problems(path)
    full = f"plugins.feedback.questionnaires.0.{key}"
    assert problems == {full: ["No such questionnaire is loaded."]}
    for text in (started, checked):
        assert f"{full}: No such questionnaire is loaded." in text


@pytest.mark.parametrize(
    ("setting", "value", "key"),
    [
        ("channel", "newsletter", "questionnaires.0.channel"),
        ("version", 0, "questionnaires.0.version"),
    ],
)
def test_a_bad_entry_names_its_key(base, setting, value, key):
    path = _write(base, feedback_section([{"questionnaire_id": OPEN, setting: value}]))
    problems, started, checked = _problems(path)
    assert f"plugins.feedback.{key}" in problems
    assert f"plugins.feedback.{key}" in started and f"plugins.feedback.{key}" in checked


def test_no_questionnaire_at_all_is_refused(base):
    path = _write(base, "\n[plugins.feedback]\nquestionnaires = []\n")
    problems, _started, checked = _problems(path)
    assert "plugins.feedback.questionnaires" in problems
    assert "plugins.feedback.questionnaires" in checked


def _broken(definition: dict) -> dict:
    broken = json.loads(json.dumps(definition))
    broken["items"][1]["scale"]["max"] = broken["items"][1]["scale"]["min"]
    return broken


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{ not json", ["broken.json"]),
        (
            json.dumps(_broken(json.loads((FIXTURES / "licensed_example.json").read_text()))),
            ["broken.json", "items.1.scale.max", "greater than the minimum"],
        ),
    ],
)
def test_a_bad_definition_file_is_named(base, tmp_path, content, expected):
    folder = _licensed_dir(tmp_path)
    (folder / "broken.json").write_text(content)
    path = _write(
        base,
        feedback_section([{"questionnaire_id": LICENSED, "licence_reference": LICENCE}], folder),
    )
    problems, started, checked = _problems(path)
    assert list(problems) == ["plugins.feedback.definitions_dir"]
    [message] = problems["plugins.feedback.definitions_dir"]
    for part in expected:
        assert part in message
    for text in (started, checked):
        assert f"plugins.feedback.definitions_dir: {message}" in text


def test_a_definition_defined_twice_is_named(base, tmp_path):
    folder = _licensed_dir(tmp_path)
    shutil.copy(folder / "licensed_example.json", folder / "second.json")
    path = _write(
        base,
        feedback_section([{"questionnaire_id": LICENSED, "licence_reference": LICENCE}], folder),
    )
    problems, _started, checked = _problems(path)
    [message] = problems["plugins.feedback.definitions_dir"]
    assert "second.json" in message and "licensed_example.json" in message
    assert "plugins.feedback.definitions_dir" in checked


def test_a_definitions_dir_that_does_not_exist_is_refused(base, tmp_path):
    """An admin's typo in the folder must not pass unnoticed while only the bundled
    questionnaire is in use."""
    path = _write(base, feedback_section([{"questionnaire_id": OPEN}], tmp_path / "no-such-folder"))
    problems, _started, checked = _problems(path)
    assert "plugins.feedback.definitions_dir" in problems
    assert "plugins.feedback.definitions_dir" in checked


def test_a_setting_out_of_range_is_named(base):
    path = _write(base, feedback_section([{"questionnaire_id": OPEN}], minimum_families=2))
    problems, _started, checked = _problems(path)
    assert "plugins.feedback.minimum_families" in problems
    assert "plugins.feedback.minimum_families" in checked


def test_a_team_without_a_name_is_named(base):
    section = feedback_section([{"questionnaire_id": OPEN}])
    path = _write(base, section + '[plugins.feedback.team_names]\n"team-a" = ""\n')
    problems, _started, checked = _problems(path)
    assert "plugins.feedback.team_names.team-a.value" in problems, problems
    assert "plugins.feedback.team_names.team-a.value" in checked
