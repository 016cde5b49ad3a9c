"""The genogram's closed vocabularies: each code with the label a person reads.

The schema validates against these codes; the editor, the table view and the accessible labels
show the labels. Codes are stable (they are stored in the record); labels are translated.
"""

from __future__ import annotations

from plugin_host.api import lazy_gettext as _

PERSON_KINDS = {
    "person": _("person"),
    "pregnancy": _("pregnancy"),
    "miscarriage": _("miscarriage"),
    "stillbirth": _("stillbirth"),
}

GENDER_IDENTITIES = {
    "woman": _("woman"),
    "man": _("man"),
    "non_binary": _("non-binary"),
    "other": _("other gender"),
    "unknown": _("gender not known"),
}

SEXES_AT_BIRTH = {
    "female": _("female"),
    "male": _("male"),
    "intersex": _("intersex"),
    "unknown": _("not known"),
}

VITAL_STATUSES = {
    "alive": _("alive"),
    "deceased": _("deceased"),
    "unknown": _("not known whether alive"),
}

UNION_KINDS = {
    "marriage": _("marriage"),
    "registered_partnership": _("registered partnership"),
    "cohabitation": _("cohabitation"),
    "dating": _("dating"),
    # What a genogram seeded from the record starts with: the record does not say.
    "unknown": _("relationship of a kind not yet known"),
}

UNION_STATUSES = {
    "together": _("together"),
    "separated": _("separated"),
    "divorced": _("divorced"),
    "widowed": _("widowed"),
}

# A divorce ends a marriage or a registered partnership; other unions end in separation.
FORMAL_UNIONS = frozenset({"marriage", "registered_partnership"})

PARENTAGE_KINDS = {
    "biological": _("biological parent"),
    "adoptive": _("adoptive parent"),
    "foster": _("foster parent"),
    "step": _("step-parent"),
    "kinship_carer": _("kinship carer"),
    "guardian": _("guardian"),
}

TWIN_KINDS = {
    "identical": _("identical twins"),
    "fraternal": _("fraternal twins"),
    "unknown": _("twins"),
}

TIE_KINDS = {
    "close": _("close"),
    "fused": _("fused"),
    "distant": _("distant"),
    "conflict": _("conflict"),
    "hostile": _("hostile"),
    "cutoff": _("cut off"),
    "repaired": _("repaired"),
    "caregiving": _("caregiving"),
    "physical_abuse": _("physical abuse"),
    "emotional_abuse": _("emotional abuse"),
    "sexual_abuse": _("sexual abuse"),
    "violence": _("violence"),
    "neglect": _("neglect"),
}

TIE_DIRECTIONS = {
    "mutual": _("both ways"),
    "from_to": _("from the first to the second"),
    "to_from": _("from the second to the first"),
}

TIE_QUALITIES = {
    "empowering": _("empowering"),
    "neutral": _("neutral"),
    "burdening": _("burdening"),
    "open": _("still open"),
}

MARKER_KINDS = {
    "worry": _("worry"),
    "resource": _("resource"),
}

NETWORK_CATEGORIES = {
    "school": _("school"),
    "daycare": _("daycare"),
    "health": _("health care"),
    "friends": _("friends"),
    "relatives": _("relatives"),
    "hobbies": _("hobbies"),
    "child_protection": _("child protection"),
    "work": _("work"),
    "faith": _("faith community"),
    "other": _("other"),
}

NETWORK_STRENGTHS = {
    "strong": _("strong"),
    "moderate": _("moderate"),
    "tenuous": _("tenuous"),
}

NETWORK_FLOWS = {
    "none": _("no particular direction"),
    "to_family": _("gives to the family"),
    "from_family": _("takes from the family"),
    "both": _("both ways"),
}

# The pictures a child can pick for a person in the children's view (drawn by svg_avatars).
AVATARS = {
    "adult": _("adult"),
    "child": _("child"),
    "baby": _("baby"),
    "elder": _("elder"),
    "heart": _("heart"),
    "star": _("star"),
    "pet": _("pet"),
    "house": _("house"),
}

# A perspective that is nobody in the drawing: the worker's, or the family's shared view.
SHARED_PERSPECTIVES = {
    "worker": _("the worker's view"),
    "family": _("the family's shared view"),
}


def label(vocabulary: dict[str, object], code: str) -> str:
    """The translated label of ``code``; a code outside the vocabulary is shown as it is."""
    found = vocabulary.get(code)
    return str(found) if found is not None else code
