"""Scoring one set of answers, and the reliable change between two totals.

``score`` checks the answers against the definition (every item answered, within its scale) and
gives the total (sum or mean, as the definition says), whether it is below the age band's clinical
cut-off, and whether the alliance alert is raised (total or any single item on the poor side of
its threshold).

``reliable_change`` is the Jacobson-Truax reliable change index::

    SE     = norm_sd * sqrt(1 - reliability)
    S_diff = sqrt(2) * SE
    RCI    = (latest - first) / S_diff

``|RCI| > 1.96`` is a reliable change, improved or deteriorated by the definition's direction
(``higher_is_better``, true unless it says otherwise). A reliable improvement that also crosses
the band's cut-off into the functional range is *clinically significant*. Without reliability and
norm SD in the definition (the open default set) there is no reliable change: the result is None.

Every thing here is computed from the definition alone; nothing is specific to an instrument.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plugin_host.api import PayloadInvalid
from plugin_host.api import lazy_gettext as _
from plugins.feedback.definitions import Questionnaire

RELIABLE_Z = 1.96

IMPROVED = "improved"
DETERIORATED = "deteriorated"
NO_RELIABLE_CHANGE = "no reliable change"
CHANGE_LABELS = {
    IMPROVED: _("improved"),
    DETERIORATED: _("deteriorated"),
    NO_RELIABLE_CHANGE: _("no reliable change"),
}


@dataclass(frozen=True)
class Score:
    """One set of answers scored. ``total`` is an int for a sum and a float for a mean.

    ``below_cutoff`` is None when the band has no cut-off; ``alert_items`` are the items on the
    poor side of the item threshold, in the definition's order.
    """

    total: float
    items: dict[str, int]
    below_cutoff: bool | None
    alliance_alert: bool
    alert_items: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """The reliable change between a first and a latest total.

    ``category`` is IMPROVED, DETERIORATED or NO_RELIABLE_CHANGE. ``clinically_significant`` is
    None when no band was given or the band has no cut-off.
    """

    first_total: float
    latest_total: float
    difference: float
    standard_error: float
    s_diff: float
    rci: float
    category: str
    clinically_significant: bool | None

    @property
    def reliable(self) -> bool:
        return self.category != NO_RELIABLE_CHANGE


def _check_band(definition: Questionnaire, band: str) -> None:
    if band not in definition.bands:
        raise PayloadInvalid(
            {"band": [str(_("This questionnaire has no version for this age band."))]}
        )


def check_answers(definition: Questionnaire, answers: Any) -> dict[str, int]:
    """The answers in the definition's item order; raises PayloadInvalid on ``answers.<item>``."""
    if not isinstance(answers, Mapping):
        raise PayloadInvalid({"answers": [str(_("Not a valid mapping type."))]})
    errors: dict[str, list[str]] = {}
    checked: dict[str, int] = {}
    for item in definition.items:
        path = f"answers.{item.item_id}"
        if item.item_id not in answers or answers[item.item_id] is None:
            errors[path] = [str(_("Answer every question."))]
            continue
        value = answers[item.item_id]
        if isinstance(value, bool) or not isinstance(value, int):
            errors[path] = [str(_("Not a valid integer."))]
        elif not item.scale.min <= value <= item.scale.max:
            errors[path] = [
                str(
                    _(
                        "Give an answer from %(min)s to %(max)s.",
                        min=item.scale.min,
                        max=item.scale.max,
                    )
                )
            ]
        else:
            checked[item.item_id] = value
    known = set(definition.item_ids)
    for key in answers:
        if key not in known:
            errors[f"answers.{key}"] = [str(_("Unknown field."))]
    if errors:
        raise PayloadInvalid(errors)
    return checked


def _worse(definition: Questionnaire, value: float, threshold: float) -> bool:
    """Whether ``value`` is on the poor side of ``threshold`` (below it when higher is better)."""
    return value < threshold if definition.higher_is_better else value > threshold


def score(definition: Questionnaire, band: str, answers: Mapping[str, int]) -> Score:
    """Score one respondent's answers for an age band; raises PayloadInvalid naming bad answers."""
    _check_band(definition, band)
    items = check_answers(definition, answers)
    values = list(items.values())
    total: float = sum(values)
    if definition.scoring.total == "mean":
        total = total / len(values)
    cutoff = definition.cutoff(band)
    below_cutoff = None if cutoff is None else total < cutoff
    threshold = definition.scoring.alliance_threshold
    alert_items: tuple[str, ...] = ()
    if threshold.item is not None:
        alert_items = tuple(
            item_id for item_id, value in items.items() if _worse(definition, value, threshold.item)
        )
    total_alert = threshold.total is not None and _worse(definition, total, threshold.total)
    return Score(
        total=total,
        items=items,
        below_cutoff=below_cutoff,
        alliance_alert=total_alert or bool(alert_items),
        alert_items=alert_items,
    )


def reliable_change(
    definition: Questionnaire,
    first_total: float,
    latest_total: float,
    *,
    band: str | None = None,
) -> Change | None:
    """The Jacobson-Truax reliable change from ``first_total`` to ``latest_total``.

    None when the definition has no reliability or norm SD. With ``band``, a reliable improvement
    that crosses that band's cut-off in the good direction is clinically significant.
    """
    reliability, norm_sd = definition.scoring.reliability, definition.scoring.norm_sd
    if reliability is None or norm_sd is None:
        return None
    if band is not None:
        _check_band(definition, band)
    standard_error = norm_sd * math.sqrt(1 - reliability)
    s_diff = math.sqrt(2) * standard_error
    difference = latest_total - first_total
    rci = difference / s_diff
    if abs(rci) > RELIABLE_Z:
        better = (difference > 0) == definition.higher_is_better
        category = IMPROVED if better else DETERIORATED
    else:
        category = NO_RELIABLE_CHANGE
    cutoff = None if band is None else definition.cutoff(band)
    significant: bool | None = None
    if cutoff is not None:
        if definition.higher_is_better:
            crossed = first_total < cutoff <= latest_total
        else:
            crossed = first_total >= cutoff > latest_total
        significant = category == IMPROVED and crossed
    return Change(
        first_total=first_total,
        latest_total=latest_total,
        difference=difference,
        standard_error=standard_error,
        s_diff=s_diff,
        rci=rci,
        category=category,
        clinically_significant=significant,
    )
