"""Scoring answers and reliable change, checked against figures worked out by hand.

The invented licensed example has 4 items on 0-10, summed (0-40); norm SD 7 and reliability 0.8;
cut-offs 7-12: 32, 13+: 28, adult: 25; alliance alert below a total of 30 or an item below 6.

    SE     = 7 * sqrt(1 - 0.8) = 7 * 0.44721 = 3.1305
    S_diff = sqrt(2) * 3.1305              = 4.4272
    a change of 9: RCI = 9 / 4.4272 = 2.03 > 1.96   reliable
    a change of 8: RCI = 8 / 4.4272 = 1.81 <= 1.96  not reliable
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from plugin_host.api import PayloadInvalid
from plugins.feedback.definitions import DEFAULT_DIRECTORY, load_definition
from plugins.feedback.scoring import (
    DETERIORATED,
    IMPROVED,
    NO_RELIABLE_CHANGE,
    Score,
    reliable_change,
    score,
)
from tests.payload_edits import apply_edits

LICENSED_FILE = Path(__file__).parent / "fixtures" / "licensed_example.json"


def _raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


LICENSED = load_definition(_raw(LICENSED_FILE))
OPEN = load_definition(_raw(DEFAULT_DIRECTORY / "after_meeting.json"))
LOWER_IS_BETTER = load_definition(apply_edits(_raw(LICENSED_FILE), ("higher_is_better", False)))


def licensed_answers(one: int, two: int, three: int, four: int) -> dict[str, int]:
    return {"item_one": one, "item_two": two, "item_three": three, "item_four": four}


def open_answers(heard: int, mattered: int, way: int, overall: int) -> dict[str, int]:
    return {"heard": heard, "mattered": mattered, "way_of_working": way, "overall": overall}


# -- Reliable change -------------------------------------------------------------------------


def test_a_change_of_9_is_a_reliable_improvement():
    change = reliable_change(LICENSED, 20, 29)
    assert change is not None
    assert change.standard_error == pytest.approx(3.13, abs=0.005)
    assert change.s_diff == pytest.approx(4.43, abs=0.005)
    assert change.difference == 9
    assert round(change.rci, 2) == 2.03
    assert change.category == IMPROVED
    assert change.reliable
    # No band given: whether it is clinically significant cannot be said.
    assert change.clinically_significant is None


def test_a_change_of_8_is_no_reliable_change():
    change = reliable_change(LICENSED, 20, 28, band="adult")
    assert change is not None
    assert round(change.rci, 2) == 1.81
    assert change.category == NO_RELIABLE_CHANGE == "no reliable change"
    assert not change.reliable
    # It crosses the adult cut-off of 25, but the change is not reliable.
    assert change.clinically_significant is False


def test_a_drop_of_9_is_a_reliable_deterioration():
    change = reliable_change(LICENSED, 30, 21, band="adult")
    assert change is not None
    assert round(change.rci, 2) == -2.03
    assert change.category == DETERIORATED
    assert change.clinically_significant is False


def test_a_drop_of_8_is_no_reliable_change():
    change = reliable_change(LICENSED, 30, 22)
    assert change is not None
    assert round(change.rci, 2) == -1.81
    assert change.category == NO_RELIABLE_CHANGE


def test_no_change_is_no_reliable_change():
    change = reliable_change(LICENSED, 24, 24, band="adult")
    assert change is not None
    assert change.rci == 0
    assert change.category == NO_RELIABLE_CHANGE
    assert change.clinically_significant is False


@pytest.mark.parametrize(
    ("band", "first", "latest", "significant"),
    [
        ("adult", 18, 27, True),  # 18 < 25 <= 27, reliable
        ("13_plus", 18, 27, False),  # reliable, but 27 is still below 28
        ("13_plus", 20, 29, True),  # 20 < 28 <= 29
        ("7_12", 20, 29, False),  # still below 32
        ("adult", 26, 35, False),  # reliable, but started above the cut-off already
        ("adult", 16, 25, True),  # reaching the cut-off is no longer below it
    ],
)
def test_clinically_significant_needs_reliable_improvement_across_the_cutoff(
    band, first, latest, significant
):
    change = reliable_change(LICENSED, first, latest, band=band)
    assert change is not None
    assert change.category == IMPROVED
    assert change.clinically_significant is significant


def test_lower_is_better_turns_the_direction():
    improved = reliable_change(LOWER_IS_BETTER, 29, 20, band="adult")
    assert improved is not None
    assert round(improved.rci, 2) == -2.03
    assert improved.category == IMPROVED
    # 29 >= 25 > 20: from above the cut-off to below it, the good direction here.
    assert improved.clinically_significant is True
    worse = reliable_change(LOWER_IS_BETTER, 20, 29, band="adult")
    assert worse is not None
    assert worse.category == DETERIORATED
    assert worse.clinically_significant is False


def test_the_open_set_without_norms_has_no_reliable_change():
    assert reliable_change(OPEN, 2.0, 9.5) is None
    assert reliable_change(OPEN, 2.0, 9.5, band="adult") is None


def test_reliable_change_refuses_an_undeclared_band():
    with pytest.raises(PayloadInvalid) as caught:
        reliable_change(LICENSED, 20, 29, band="under_7")
    assert caught.value.errors == {"band": ["This questionnaire has no version for this age band."]}


# -- Scores ----------------------------------------------------------------------------------


def test_a_good_sum_score():
    result = score(LICENSED, "adult", licensed_answers(8, 9, 7, 10))
    assert result == Score(
        total=34,
        items={"item_one": 8, "item_two": 9, "item_three": 7, "item_four": 10},
        below_cutoff=False,
        alliance_alert=False,
        alert_items=(),
    )


def test_below_the_band_cutoff():
    # 26: above the adult cut-off (25), below the 13+ one (28).
    answers = licensed_answers(6, 6, 7, 7)
    assert score(LICENSED, "adult", answers).below_cutoff is False
    assert score(LICENSED, "13_plus", answers).below_cutoff is True
    assert score(LICENSED, "adult", licensed_answers(6, 6, 6, 6)).below_cutoff is True
    # Exactly at the cut-off is not below it.
    assert score(LICENSED, "adult", licensed_answers(6, 6, 6, 7)).below_cutoff is False


def test_an_alliance_alert_by_the_total():
    result = score(LICENSED, "adult", licensed_answers(7, 7, 7, 8))  # 29 < 30, every item >= 6
    assert result.total == 29
    assert result.alliance_alert is True
    assert result.alert_items == ()


def test_an_alliance_alert_by_a_single_item():
    result = score(LICENSED, "adult", licensed_answers(10, 10, 10, 2))  # 32 >= 30, one item < 6
    assert result.total == 32
    assert result.alliance_alert is True
    assert result.alert_items == ("item_four",)


def test_an_alliance_alert_by_both_names_the_items_in_order():
    result = score(LICENSED, "adult", licensed_answers(5, 9, 4, 10))
    assert result.total == 28
    assert result.alliance_alert is True
    assert result.alert_items == ("item_one", "item_three")


def test_lower_is_better_alerts_above_the_thresholds():
    result = score(LOWER_IS_BETTER, "adult", licensed_answers(1, 1, 1, 7))
    assert (result.total, result.alliance_alert, result.alert_items) == (10, True, ("item_four",))
    calm = score(LOWER_IS_BETTER, "adult", licensed_answers(6, 6, 6, 6))
    assert (calm.total, calm.alliance_alert, calm.alert_items) == (24, False, ())
    high = score(LOWER_IS_BETTER, "adult", licensed_answers(10, 10, 10, 7))
    assert high.alliance_alert is True
    assert high.alert_items == ("item_one", "item_two", "item_three", "item_four")


def test_the_open_set_scores_the_mean_without_a_cutoff():
    result = score(OPEN, "adult", open_answers(8, 7, 6, 9))
    assert result.total == 7.5
    assert result.below_cutoff is None
    assert result.alliance_alert is False
    assert result.alert_items == ()


@pytest.mark.parametrize("band", ["under_7", "7_12", "13_plus", "adult"])
def test_the_open_set_scores_every_band_alike(band):
    assert score(OPEN, band, open_answers(10, 10, 10, 4)).alert_items == ("overall",)


def test_the_open_set_alerts_on_a_mean_below_6():
    result = score(OPEN, "7_12", open_answers(6, 6, 5, 6))  # mean 5.75, every item >= 5
    assert result.total == 5.75
    assert result.alliance_alert is True
    assert result.alert_items == ()
    # At the product defaults exactly (mean 6, an item at 5) there is no alert.
    at_threshold = score(OPEN, "7_12", open_answers(7, 6, 5, 6))
    assert at_threshold.total == 6
    assert at_threshold.alliance_alert is False


def test_the_open_set_alerts_on_one_item_below_5():
    result = score(OPEN, "under_7", open_answers(10, 10, 4, 10))  # mean 8.5
    assert result.total == 8.5
    assert result.alliance_alert is True
    assert result.alert_items == ("way_of_working",)


# -- Answers are checked ---------------------------------------------------------------------


def answer_errors(band: str, answers: Any) -> dict[str, list[str]]:
    with pytest.raises(PayloadInvalid) as caught:
        score(OPEN, band, answers)
    return caught.value.errors


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        (
            {"heard": 8, "mattered": 7, "way_of_working": 6},
            {"answers.overall": ["Answer every question."]},
        ),
        (
            {**open_answers(8, 7, 6, 9), "overall": None},
            {"answers.overall": ["Answer every question."]},
        ),
        (open_answers(11, 7, 6, 9), {"answers.heard": ["Give an answer from 0 to 10."]}),
        (open_answers(8, -1, 6, 9), {"answers.mattered": ["Give an answer from 0 to 10."]}),
        (
            {**open_answers(8, 7, 6, 9), "heard": "8"},
            {"answers.heard": ["Not a valid integer."]},
        ),
        (
            {**open_answers(8, 7, 6, 9), "heard": 7.5},
            {"answers.heard": ["Not a valid integer."]},
        ),
        (
            {**open_answers(8, 7, 6, 9), "heard": True},
            {"answers.heard": ["Not a valid integer."]},
        ),
        (
            {**open_answers(8, 7, 6, 9), "item_one": 5},
            {"answers.item_one": ["Unknown field."]},
        ),
        ([8, 7, 6, 9], {"answers": ["Not a valid mapping type."]}),
    ],
)
def test_bad_answers_name_the_item(answers, errors):
    assert answer_errors("adult", answers) == errors


def test_every_bad_answer_is_named_at_once():
    errors = answer_errors("adult", {"heard": 12, "mattered": "x"})
    assert set(errors) == {
        "answers.heard",
        "answers.mattered",
        "answers.way_of_working",
        "answers.overall",
    }


def test_a_band_the_questionnaire_lacks_is_refused():
    with pytest.raises(PayloadInvalid) as caught:
        score(LICENSED, "under_7", licensed_answers(8, 9, 7, 10))
    assert list(caught.value.errors) == ["band"]
