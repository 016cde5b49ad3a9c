"""Questionnaires as versioned data: their schema, loading, and the rule for enabling one.

A questionnaire definition is a JSON document (see ``questionnaires/after_meeting.json``) that
``QuestionnaireSchema`` checks: its id and version, titles in Finnish, Swedish and English, the age
bands it is written for and how each is presented, the items (text per band per locale, a scale
with its anchors, a picture for the youngest), optional free text, and how it is scored. Nothing
about any one instrument is in this code: cut-offs, norms and alert thresholds are all data.

Presentation follows the age band: under 7 pictures, 7-12 smileys, 13 and over and adults a
scale. Every error names its field by dotted path (``items.2.text.7_12.sv``) through
``PayloadInvalid``; errors in a file also name the file (``DefinitionFileInvalid``).

A definition is identified by ``(questionnaire_id, version)``. A published version is never
changed: a change of wording or scoring is a new version, so answers given to an old version keep
their meaning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from plugin_host.api import FieldErrors, PayloadInvalid, load_payload
from plugin_host.api import lazy_gettext as _

LOCALES = ("fi", "sv", "en")
DEFAULT_LOCALE = "fi"
BANDS = ("under_7", "7_12", "13_plus", "adult")
PRESENTATIONS = ("pictures", "smileys", "scale")
# How each age band is shown: the youngest answer with pictures, school-age children with smileys.
PRESENTATION_BY_BAND = {
    "under_7": "pictures",
    "7_12": "smileys",
    "13_plus": "scale",
    "adult": "scale",
}
# The pictures bundled with the plugin, one per kind of question for the under-7 version.
PICTURES = ("heard", "talked", "together", "overall")
CHANNELS = ("clinical", "service_evaluation")
TOTALS = ("sum", "mean")

MAX_ITEMS = 50
MAX_SCALE_SPAN = 20
QUESTIONNAIRE_ID = re.compile(r"^[a-z][a-z0-9_-]{1,39}\Z")
ITEM_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}\Z")

LICENCE_REFERENCE_NEEDED = _(
    "This instrument is licensed: give the licence reference before enabling it."
)
BAND_NOT_DECLARED = _("This age band is not declared in age_bands.")


def _one_of(choices: Iterable[str]) -> validate.OneOf:
    return validate.OneOf(tuple(choices), error=_("Must be one of: {choices}."))


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError(_("Write something here."))


def _text(max_length: int) -> fields.String:
    return fields.String(
        required=True,
        validate=[
            validate.Length(max=max_length, error=_("Write at most {max} characters.")),
            _not_blank,
        ],
    )


class _Number(fields.Float):
    """A JSON number (not a string, not a boolean, not NaN or infinite)."""

    default_error_messages = {
        "invalid": _("Give a number."),
        "special": _("Give a finite number."),
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def _integer(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, **kwargs)


def _boolean(**kwargs: Any) -> fields.Boolean:
    """Only JSON true and false, not "yes" or 1."""
    return fields.Boolean(truthy={True}, falsy={False}, **kwargs)


def _localised(max_length: int) -> type[Schema]:
    """A text in every locale: fi, sv and en, each required."""
    return Schema.from_dict(
        {locale: _text(max_length) for locale in LOCALES}, name=f"Localised{max_length}"
    )


TitleText = _localised(200)
ItemText = _localised(300)
AnchorText = _localised(100)
LongText = _localised(2000)


class AgeBandSchema(Schema):
    band = fields.String(required=True, validate=_one_of(BANDS))
    presentation = fields.String(required=True, validate=_one_of(PRESENTATIONS))

    @validates_schema
    def _presentation(self, data: dict[str, Any], **_kwargs: Any) -> None:
        expected = PRESENTATION_BY_BAND[data["band"]]
        if data["presentation"] != expected:
            raise ValidationError(
                _("This age band is presented as: %(presentation)s.", presentation=expected),
                "presentation",
            )


# An item's text per age band; which bands must be there is checked against age_bands.
ItemTextByBand = Schema.from_dict(
    {band: fields.Nested(ItemText) for band in BANDS}, name="ItemTextByBand"
)


class AnchorsSchema(Schema):
    min = fields.Nested(AnchorText, required=True)
    max = fields.Nested(AnchorText, required=True)


class ScaleSchema(Schema):
    min = _integer(required=True)
    max = _integer(required=True)
    anchors = fields.Nested(AnchorsSchema, required=True)

    @validates_schema
    def _span(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["max"] <= data["min"]:
            raise ValidationError(_("The maximum must be greater than the minimum."), "max")
        if data["max"] - data["min"] > MAX_SCALE_SPAN:
            raise ValidationError(
                _("A scale spans at most %(span)s points.", span=MAX_SCALE_SPAN), "max"
            )


class ItemSchema(Schema):
    item_id = fields.String(
        required=True,
        validate=validate.Regexp(
            ITEM_ID,
            error=_("Start with a letter; use 1-40 lower-case letters, digits or underscores."),
        ),
    )
    text = fields.Nested(ItemTextByBand, required=True)
    scale = fields.Nested(ScaleSchema, required=True)
    picture = fields.String(load_default=None, allow_none=True, validate=_one_of(PICTURES))


class FreeTextSchema(Schema):
    enabled = _boolean(required=True)
    prompt = fields.Nested(TitleText, load_default=None, allow_none=True)

    @validates_schema
    def _prompt(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["enabled"] and data.get("prompt") is None:
            raise ValidationError(_("Write the prompt for the free text."), "prompt")


class CutoffSchema(Schema):
    band = fields.String(required=True, validate=_one_of(BANDS))
    clinical_cutoff = _Number(required=True)


class AllianceThresholdSchema(Schema):
    total = _Number(load_default=None, allow_none=True)
    item = _Number(load_default=None, allow_none=True)


class ScoringSchema(Schema):
    total = fields.String(required=True, validate=_one_of(TOTALS))
    cutoffs = fields.List(fields.Nested(CutoffSchema), load_default=list)
    reliability = _Number(
        load_default=None,
        allow_none=True,
        validate=validate.Range(
            0,
            1,
            min_inclusive=False,
            max_inclusive=False,
            error=_("Give a reliability coefficient between 0 and 1."),
        ),
    )
    norm_sd = _Number(
        load_default=None,
        allow_none=True,
        validate=validate.Range(
            0, min_inclusive=False, error=_("Give a standard deviation greater than 0.")
        ),
    )
    alliance_threshold = fields.Nested(
        AllianceThresholdSchema,
        load_default=lambda: {"total": None, "item": None},
    )

    @validates_schema
    def _norms(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Reliable change needs both; one without the other is a mistake in the definition."""
        errors: dict[str, list[Any]] = {}
        reliability, norm_sd = data.get("reliability"), data.get("norm_sd")
        if reliability is not None and norm_sd is None:
            errors["norm_sd"] = [_("Give both reliability and norm_sd, or neither.")]
        if norm_sd is not None and reliability is None:
            errors["reliability"] = [_("Give both reliability and norm_sd, or neither.")]
        if errors:
            raise ValidationError(errors)


class QuestionnaireSchema(Schema):
    """One version of one questionnaire, as data."""

    questionnaire_id = fields.String(
        required=True,
        validate=validate.Regexp(
            QUESTIONNAIRE_ID,
            error=_(
                "Start with a lower-case letter; use 2-40 lower-case letters, digits, "
                "dashes or underscores."
            ),
        ),
    )
    version = _integer(required=True, validate=validate.Range(min=1, error=_("Must be 1 or more.")))
    title = fields.Nested(TitleText, required=True)
    # For admins: what the questionnaire is and where its figures come from.
    description = fields.Nested(LongText, load_default=None, allow_none=True)
    licensed = _boolean(required=True)
    licence_note = fields.Nested(LongText, load_default=None, allow_none=True)
    channel_default = fields.String(required=True, validate=_one_of(CHANNELS))
    # Whether a higher total is the better outcome (false for symptom-like measures).
    higher_is_better = _boolean(load_default=True)
    age_bands = fields.List(
        fields.Nested(AgeBandSchema),
        required=True,
        validate=validate.Length(min=1, error=_("Declare at least one age band.")),
    )
    items = fields.List(
        fields.Nested(ItemSchema),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_ITEMS, error=_("Give between {min} and {max} items.")
        ),
    )
    free_text = fields.Nested(
        FreeTextSchema, load_default=lambda: {"enabled": False, "prompt": None}
    )
    scoring = fields.Nested(ScoringSchema, required=True)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors = FieldErrors()
        bands: list[str] = []
        for i, age_band in enumerate(data["age_bands"]):
            if age_band["band"] in bands:
                errors.add(f"age_bands.{i}.band", _("This age band is already declared."))
            else:
                bands.append(age_band["band"])
        item_ids: set[str] = set()
        for i, item in enumerate(data["items"]):
            if item["item_id"] in item_ids:
                errors.add(f"items.{i}.item_id", _("This id is already used."))
            item_ids.add(item["item_id"])
            for band in BANDS:
                if band in bands and band not in item["text"]:
                    errors.add(
                        f"items.{i}.text.{band}",
                        _("Write the item's text for every declared age band."),
                    )
                elif band not in bands and band in item["text"]:
                    errors.add(f"items.{i}.text.{band}", BAND_NOT_DECLARED)
            if "under_7" in bands and item.get("picture") is None:
                errors.add(
                    f"items.{i}.picture",
                    _("Choose a picture: the under-7 version is answered with pictures."),
                )
        scoring = data["scoring"]
        lowest, highest = total_range(scoring["total"], [item["scale"] for item in data["items"]])
        outside_total = _(
            "Give a value within the total's range, %(lowest)s to %(highest)s.",
            lowest=_format(lowest),
            highest=_format(highest),
        )
        cutoff_bands: set[str] = set()
        for i, cutoff in enumerate(scoring["cutoffs"]):
            band = cutoff["band"]
            if band not in bands:
                errors.add(f"scoring.cutoffs.{i}.band", BAND_NOT_DECLARED)
            elif band in cutoff_bands:
                errors.add(f"scoring.cutoffs.{i}.band", _("This age band already has a cut-off."))
            cutoff_bands.add(band)
            if not lowest <= cutoff["clinical_cutoff"] <= highest:
                errors.add(f"scoring.cutoffs.{i}.clinical_cutoff", outside_total)
        threshold = scoring["alliance_threshold"] or {}
        if threshold.get("total") is not None and not lowest <= threshold["total"] <= highest:
            errors.add("scoring.alliance_threshold.total", outside_total)
        item_threshold = threshold.get("item")
        if item_threshold is not None:
            for item in data["items"]:
                scale = item["scale"]
                if not scale["min"] <= item_threshold <= scale["max"]:
                    errors.add(
                        "scoring.alliance_threshold.item",
                        _("Give a value within every item's scale."),
                    )
                    break
        errors.raise_as_validation_error()


def total_range(total: str, scales: Iterable[Mapping[str, Any]]) -> tuple[float, float]:
    """The lowest and highest total the items' scales allow, summed or averaged."""
    scales = list(scales)
    lowest = sum(scale["min"] for scale in scales)
    highest = sum(scale["max"] for scale in scales)
    if total == "mean" and scales:
        return lowest / len(scales), highest / len(scales)
    return lowest, highest


def _format(number: float) -> str:
    return f"{number:g}"


# -- The loaded definition -------------------------------------------------------------------

Localised = dict[str, str]


def localised(texts: Mapping[str, str], locale: str) -> str:
    """The text in ``locale``, or in Finnish (the default) for a locale not offered."""
    return texts.get(locale) or texts[DEFAULT_LOCALE]


@dataclass(frozen=True)
class AgeBand:
    band: str
    presentation: str


@dataclass(frozen=True)
class Scale:
    min: int
    max: int
    # {"min": {"fi": ..., "sv": ..., "en": ...}, "max": {...}}
    anchors: dict[str, Localised]


@dataclass(frozen=True)
class Item:
    item_id: str
    # {band: {locale: text}} for every declared band.
    text: dict[str, Localised]
    scale: Scale
    picture: str | None


@dataclass(frozen=True)
class FreeText:
    enabled: bool
    prompt: Localised | None


@dataclass(frozen=True)
class AllianceThreshold:
    total: float | None
    item: float | None


@dataclass(frozen=True)
class Scoring:
    total: str
    # {band: clinical cut-off}; a total below it is "below cut-off".
    cutoffs: dict[str, float]
    reliability: float | None
    norm_sd: float | None
    alliance_threshold: AllianceThreshold


@dataclass(frozen=True)
class Questionnaire:
    """One version of one questionnaire, loaded and checked. Identified by ``key``."""

    questionnaire_id: str
    version: int
    title: Localised
    description: Localised | None
    licensed: bool
    licence_note: Localised | None
    channel_default: str
    higher_is_better: bool
    age_bands: tuple[AgeBand, ...]
    items: tuple[Item, ...]
    free_text: FreeText
    scoring: Scoring
    source: dict[str, Any] = field(compare=False, repr=False)

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def key(self) -> tuple[str, int]:
        return (self.questionnaire_id, self.version)

    @property
    def bands(self) -> tuple[str, ...]:
        return tuple(age_band.band for age_band in self.age_bands)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.item_id for item in self.items)

    def presentation(self, band: str) -> str:
        """How ``band`` answers (pictures, smileys or scale); KeyError if not declared."""
        for age_band in self.age_bands:
            if age_band.band == band:
                return age_band.presentation
        raise KeyError(band)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise KeyError(item_id)

    def item_text(self, item_id: str, band: str, locale: str) -> str:
        return localised(self.item(item_id).text[band], locale)

    def cutoff(self, band: str) -> float | None:
        return self.scoring.cutoffs.get(band)

    @property
    def total_range(self) -> tuple[float, float]:
        return total_range(
            self.scoring.total, [{"min": i.scale.min, "max": i.scale.max} for i in self.items]
        )

    @property
    def has_norms(self) -> bool:
        """Whether reliable change can be computed (reliability and norm SD both given)."""
        return self.scoring.reliability is not None and self.scoring.norm_sd is not None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of the definition, as loaded (defaults filled in)."""
        return json.loads(json.dumps(self.source))


def _build(data: dict[str, Any]) -> Questionnaire:
    scoring = data["scoring"]
    threshold = scoring["alliance_threshold"]
    return Questionnaire(
        questionnaire_id=data["questionnaire_id"],
        version=data["version"],
        title=dict(data["title"]),
        description=data["description"],
        licensed=data["licensed"],
        licence_note=data["licence_note"],
        channel_default=data["channel_default"],
        higher_is_better=data["higher_is_better"],
        age_bands=tuple(AgeBand(**age_band) for age_band in data["age_bands"]),
        items=tuple(
            Item(
                item_id=item["item_id"],
                text={band: dict(item["text"][band]) for band in BANDS if band in item["text"]},
                scale=Scale(**item["scale"]),
                picture=item["picture"],
            )
            for item in data["items"]
        ),
        free_text=FreeText(**data["free_text"]),
        scoring=Scoring(
            total=scoring["total"],
            cutoffs={cutoff["band"]: cutoff["clinical_cutoff"] for cutoff in scoring["cutoffs"]},
            reliability=scoring["reliability"],
            norm_sd=scoring["norm_sd"],
            alliance_threshold=AllianceThreshold(total=threshold["total"], item=threshold["item"]),
        ),
        source=data,
    )


def load_definition(data: Any) -> Questionnaire:
    """Check a definition (parsed JSON) and load it; raises PayloadInvalid naming each bad field."""
    loaded: dict[str, Any] = load_payload(QuestionnaireSchema(), data)
    return _build(loaded)


class DefinitionFileInvalid(PayloadInvalid):
    """A definition file is not valid JSON or not a valid definition; names the file."""

    def __init__(self, path: Path, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.path = path
        self.args = (f"{path.name}: {self.args[0]}",)


def load_definition_file(path: str | Path) -> Questionnaire:
    """Load one definition from a JSON file; raises DefinitionFileInvalid naming the file.

    A file that cannot be read raises OSError as usual.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = _(
            "The file is not valid JSON (line %(line)s, column %(column)s).",
            line=exc.lineno,
            column=exc.colno,
        )
        raise DefinitionFileInvalid(path, {"_schema": [str(message)]}) from None
    try:
        return load_definition(data)
    except PayloadInvalid as exc:
        raise DefinitionFileInvalid(path, exc.errors) from None


def load_directory(path: str | Path) -> dict[tuple[str, int], Questionnaire]:
    """Every ``*.json`` definition in a folder, by ``(questionnaire_id, version)``, in order.

    Raises DefinitionFileInvalid for the first bad file, or for a second file defining an id and
    version already defined.
    """
    found: dict[tuple[str, int], tuple[Questionnaire, Path]] = {}
    for file in sorted(Path(path).glob("*.json")):
        definition = load_definition_file(file)
        if definition.key in found:
            other = found[definition.key][1]
            message = _(
                "This questionnaire and version are already defined in %(file)s.",
                file=other.name,
            )
            raise DefinitionFileInvalid(file, {"version": [str(message)]})
        found[definition.key] = (definition, file)
    return {key: found[key][0] for key in sorted(found)}


DEFAULT_DIRECTORY = Path(__file__).parent / "questionnaires"


def load_defaults() -> dict[tuple[str, int], Questionnaire]:
    """The questionnaires bundled with the plugin."""
    return load_directory(DEFAULT_DIRECTORY)


def latest_versions(
    definitions: Mapping[tuple[str, int], Questionnaire],
) -> dict[str, Questionnaire]:
    """The highest version of each questionnaire."""
    latest: dict[str, Questionnaire] = {}
    for definition in definitions.values():
        current = latest.get(definition.questionnaire_id)
        if current is None or definition.version > current.version:
            latest[definition.questionnaire_id] = definition
    return latest


def check_enable(definition: Questionnaire, licence_reference: str | None) -> str | None:
    """The rule for enabling a questionnaire: a licensed one needs the licence reference.

    Returns the reference (stripped, or None); raises PayloadInvalid on ``licence_reference``.
    """
    reference = (licence_reference or "").strip() or None
    if definition.licensed and reference is None:
        raise PayloadInvalid({"licence_reference": [str(LICENCE_REFERENCE_NEEDED)]})
    return reference
