"""Accessible text for the genogram: each person's label, the table view and the summaries.

The pictures are drawn for sighted readers; these words say the same for everyone else (screen
readers, the table view, the SVG's title and description). Every string goes through gettext with
named placeholders, so a translation may reorder the parts.

The family view (``family_view=True``) is what may be shown to the family: a confidential
person's name, markers and notes are left out everywhere, and they are referred to only by their
relation to the child; nobody's label says they live with a confidential person.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from plugin_host import api
from plugins.genogram import vocabulary as v
from plugins.genogram.family_graph import FamilyGraph, partner_of
from plugins.genogram.kinship import relation_label, relation_to_index

EN_DASH = "\u2013"  # between the ends of a range: 33-34, 1950-2019

# The sex at birth a gender identity is usually assumed to have: shown only when it differs.
_CONGRUENT_SEX = {"woman": "female", "man": "male"}


# -- translations --------------------------------------------------------------------------

# Translated messages of the drawing being made, when one is (see ``translated_once``).
_MESSAGES: ContextVar[dict[Any, str] | None] = ContextVar("genogram_messages", default=None)


@contextmanager
def translated_once() -> Iterator[None]:
    """Within it, each message is translated once and remembered: a drawing of 500 people asks
    for "%(relation)s of %(child)s" hundreds of times. gettext is still asked, the first time,
    here in the caller's request, so the caller's language applies; nothing is kept after."""
    if _MESSAGES.get() is not None:  # already inside one
        yield
        return
    token = _MESSAGES.set({})
    try:
        yield
    finally:
        _MESSAGES.reset(token)


def gettext(string: str, **variables: Any) -> str:
    """``api.gettext``, remembered within ``translated_once``."""
    messages = _MESSAGES.get()
    if messages is None:
        return api.gettext(string, **variables)
    found = messages.get(string)
    if found is None:
        found = messages[string] = api.gettext(string)
    return found % variables if variables else found


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """``api.ngettext``, remembered within ``translated_once`` (the text, for these words)."""
    messages = _MESSAGES.get()
    if messages is None:
        return api.ngettext(singular, plural, num, **variables)
    key = ("ngettext", singular, plural, num, *sorted(variables.items()))
    try:
        found = messages.get(key)
    except TypeError:  # a value that cannot be a key: not remembered
        return api.ngettext(singular, plural, num, **variables)
    if found is None:
        found = messages[key] = api.ngettext(singular, plural, num, **variables)
    return found


def _label(vocabulary: dict[str, object], code: str) -> str:
    """``vocabulary.label``, remembered within ``translated_once``."""
    messages = _MESSAGES.get()
    if messages is None:
        return v.label(vocabulary, code)
    key = ("label", id(vocabulary), code)  # the vocabularies live as long as the process
    found = messages.get(key)
    if found is None:
        found = messages[key] = v.label(vocabulary, code)
    return found


@dataclass(frozen=True)
class PersonRow:
    """One row of the table view: the same facts the picture shows of one person."""

    id: str
    name: str
    relation: str
    kind: str
    gender: str
    sex_at_birth: str  # empty unless it differs from what the gender identity suggests
    born: str
    died: str  # date of death, "deceased", "not known whether alive" or empty
    age: str
    lives_with: tuple[str, ...]
    parents: tuple[str, ...]
    partners: tuple[str, ...]
    twins: str
    markers: tuple[str, ...]
    third_party: bool
    confidential: bool
    label: str


# Relation words per graph: the kinship search is the costly part of a label, and the table, the
# labels and every "of Eino" ask it again for the same people.
_RELATIONS: WeakKeyDictionary[FamilyGraph, dict[str, str]] = WeakKeyDictionary()


def relation_word(graph: FamilyGraph, person_id: str) -> str:
    """``kinship.relation_label``, asked once per person and graph."""
    known = _RELATIONS.get(graph)
    if known is None:
        known = _RELATIONS[graph] = {}
    word = known.get(person_id)
    if word is None:
        word = known[person_id] = _relation_label(graph, person_id)
    return word


def _relation_label(graph: FamilyGraph, person_id: str) -> str:
    messages = _MESSAGES.get()
    if messages is None:
        return relation_label(graph, person_id)
    # The word is the relation's, in the form for the person's gender identity: translated
    # once for all the grandmothers in the drawing.
    key = (
        "relation",
        relation_to_index(graph, person_id),
        graph.persons[person_id].get("gender_identity"),
    )
    word = messages.get(key)
    if word is None:
        word = messages[key] = relation_label(graph, person_id)
    return word


# -- names ---------------------------------------------------------------------------------


def hidden(graph: FamilyGraph, person_id: str, family_view: bool) -> bool:
    """True if the person's name, markers and notes must not be shown in this view."""
    return family_view and bool(graph.persons[person_id].get("confidential"))


def first_name(person: dict[str, Any]) -> str:
    names = (person.get("first_names") or "").split()
    return names[0] if names else ""


def full_name(person: dict[str, Any]) -> str:
    return " ".join(part for part in (first_name(person), person.get("last_name") or "") if part)


def display_name(graph: FamilyGraph, person_id: str, family_view: bool = False) -> str:
    """How other labels refer to a person: first name, or the relation when it can't be shown."""
    name = first_name(graph.persons[person_id])
    if name and not hidden(graph, person_id, family_view):
        return name
    if person_id == graph.index_id:
        return relation_word(graph, person_id)
    return relation_phrase(graph, person_id, family_view)


def relation_phrase(graph: FamilyGraph, person_id: str, family_view: bool = False) -> str:
    """ "mother of Eino"; the index person is simply "the child"."""
    relation = relation_word(graph, person_id)
    if person_id == graph.index_id:
        return relation
    child = display_name(graph, graph.index_id, family_view)
    if graph.persons[person_id].get("kind") == "pregnancy":
        return gettext("expected %(relation)s of %(child)s", relation=relation, child=child)
    return gettext("%(relation)s of %(child)s", relation=relation, child=child)


def join_names(names: list[str]) -> str:
    """ "Eino", "Eino and Liisa", "Eino, Liisa and Pekka"."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return gettext("%(first)s and %(last)s", first=", ".join(names[:-1]), last=names[-1])


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- dates and ages ------------------------------------------------------------------------


def year(fuzzy: dict[str, Any] | None) -> str:
    return fuzzy["date"][:4] if fuzzy else ""


def fuzzy_text(fuzzy: dict[str, Any] | None, *, year_only: bool = False) -> str:
    """A partial date as written ("1990-04"), "about 1950" when only approximate."""
    if not fuzzy:
        return ""
    text = fuzzy["date"][:4] if year_only else fuzzy["date"]
    return gettext("about %(date)s", date=text) if fuzzy.get("approximate") else text


def age_range(born: str, today: date) -> tuple[int, int] | None:
    """The least and greatest age in whole years a partial birth date allows (None: not born)."""
    parts = [int(part) for part in born.split("-")]
    years = today.year - parts[0]
    if len(parts) == 3:
        low = high = years - ((today.month, today.day) < (parts[1], parts[2]))
    elif len(parts) == 2 and today.month != parts[1]:
        low = high = years - (today.month < parts[1])
    else:  # the birthday may or may not have passed this year
        low, high = years - 1, years
    if high < 0:
        return None
    return max(low, 0), high


def age_text(born: dict[str, Any] | None, today: date) -> str:
    """ "34", "3 months", "33-34" when only the year is known, "about 34" if approximate."""
    if not born:
        return ""
    ages = age_range(born["date"], today)
    if ages is None:
        return ""
    low, high = ages
    if born.get("approximate"):
        return gettext("about %(age)s", age=high)
    if low != high:
        return f"{low}{EN_DASH}{high}"
    parts = [int(part) for part in born["date"].split("-")]
    if low == 0 and len(parts) >= 2:
        months = (today.year - parts[0]) * 12 + today.month - parts[1]
        if len(parts) == 3 and today.day < parts[2]:
            months -= 1
        return ngettext("%(num)d month", "%(num)d months", max(months, 0))
    return str(low)


# -- one person ----------------------------------------------------------------------------


def sex_at_birth_differs(person: dict[str, Any]) -> bool:
    """True when the sex at birth is known and not the one the gender identity suggests."""
    sex = person.get("sex_at_birth", "unknown")
    return sex != "unknown" and _CONGRUENT_SEX.get(person.get("gender_identity", "")) != sex


def _sex_phrase(sex: str) -> str:
    return {
        "female": gettext("assigned female at birth"),
        "male": gettext("assigned male at birth"),
        "intersex": gettext("intersex"),
    }.get(sex, "")


def _life_phrases(person: dict[str, Any], today: date) -> list[str]:
    kind = person.get("kind", "person")
    born, died = person.get("born"), person.get("died")
    if kind == "pregnancy":
        return [gettext("due %(date)s", date=fuzzy_text(born))] if born else []
    if kind in {"miscarriage", "stillbirth"}:
        when = born or died
        return [fuzzy_text(when, year_only=True)] if when else []
    status = person.get("vital_status", "alive")
    if status == "deceased":
        found = [gettext("born %(year)s", year=fuzzy_text(born, year_only=True))] if born else []
        if died:
            found.append(gettext("died %(year)s", year=fuzzy_text(died, year_only=True)))
        else:
            found.append(gettext("deceased"))
        return found
    if status == "unknown":
        found = [gettext("born %(year)s", year=fuzzy_text(born, year_only=True))] if born else []
        return [*found, _label(v.VITAL_STATUSES, "unknown")]
    age = age_text(born, today)
    return [age] if age else []


def _twin_phrase(graph: FamilyGraph, person_id: str, family_view: bool) -> str:
    twins = graph.twin_set(person_id)
    if not twins:
        return ""
    names = join_names(
        [display_name(graph, m, family_view) for m in twins["members"] if m != person_id]
    )
    if twins.get("kind") == "identical":
        return gettext("identical twin of %(names)s", names=names)
    if twins.get("kind") == "fraternal":
        return gettext("fraternal twin of %(names)s", names=names)
    return gettext("twin of %(names)s", names=names)


def lives_with(graph: FamilyGraph, person_id: str, family_view: bool = False) -> list[str]:
    """Ids of the people the person lives with now, leaving out whom this view may not show."""
    if hidden(graph, person_id, family_view):
        return []
    return [m for m in graph.lives_with(person_id) if not hidden(graph, m, family_view)]


def marker_counts(person: dict[str, Any]) -> Counter[str]:
    return Counter(marker["kind"] for marker in person.get("markers") or ())


def _has_marker(person: dict[str, Any], kind: str) -> bool:
    return any(marker["kind"] == kind for marker in person.get("markers") or ())


def _marker_phrase(counts: Counter[str]) -> str:
    parts = []
    if counts["worry"]:
        parts.append(ngettext("%(num)d worry", "%(num)d worries", counts["worry"]))
    if counts["resource"]:
        parts.append(ngettext("%(num)d resource", "%(num)d resources", counts["resource"]))
    return ", ".join(parts)


def person_label(
    graph: FamilyGraph, person_id: str, today: date, *, family_view: bool = False
) -> str:
    """The person in one line: "Liisa, mother of Eino, 34, lives with Eino"."""
    person = graph.persons[person_id]
    kind = person.get("kind", "person")
    is_hidden = hidden(graph, person_id, family_view)
    name = "" if is_hidden else first_name(person)
    parts: list[str] = []
    if name:
        parts.append(name)
    if kind != "person":
        parts.append(_label(v.PERSON_KINDS, kind))
    parts.append(relation_phrase(graph, person_id, family_view))
    gender = person.get("gender_identity", "unknown")
    if gender in {"non_binary", "other"}:
        parts.append(_label(v.GENDER_IDENTITIES, gender))
    if sex_at_birth_differs(person):
        parts.append(_sex_phrase(person["sex_at_birth"]))
    parts.extend(_life_phrases(person, today))
    parts.append(_twin_phrase(graph, person_id, family_view))
    mates = lives_with(graph, person_id, family_view)
    if mates:
        names = join_names([display_name(graph, m, family_view) for m in mates])
        parts.append(gettext("lives with %(names)s", names=names))
    if not is_hidden and person.get("markers"):
        parts.append(_marker_phrase(marker_counts(person)))
    if person.get("confidential"):
        parts.append(gettext("confidential"))
    if person.get("third_party"):
        parts.append(gettext("third party"))
    return capitalised(", ".join(part for part in parts if part))


# -- the table -----------------------------------------------------------------------------


def table_rows(graph: FamilyGraph, today: date, *, family_view: bool = False) -> list[PersonRow]:
    """Everyone in the drawing, oldest first: the table view, with the picture's content."""
    rows = []
    for person_id in sorted(graph.persons, key=graph.birth_order):
        person = graph.persons[person_id]
        is_hidden = hidden(graph, person_id, family_view)
        name = gettext("name not shown") if is_hidden else full_name(person)
        rows.append(
            PersonRow(
                id=person_id,
                name=name,
                relation=relation_phrase(graph, person_id, family_view),
                kind=_label(v.PERSON_KINDS, person.get("kind", "person")),
                gender=_label(v.GENDER_IDENTITIES, person.get("gender_identity", "unknown")),
                sex_at_birth=(
                    _label(v.SEXES_AT_BIRTH, person["sex_at_birth"])
                    if sex_at_birth_differs(person)
                    else ""
                ),
                born=fuzzy_text(person.get("born")),
                died=_died_text(person),
                age=(
                    age_text(person.get("born"), today)
                    if person.get("kind", "person") == "person"
                    and person.get("vital_status", "alive") == "alive"
                    else ""
                ),
                lives_with=tuple(
                    display_name(graph, m, family_view)
                    for m in lives_with(graph, person_id, family_view)
                ),
                parents=tuple(
                    gettext(
                        "%(name)s (%(kind)s)",
                        name=display_name(graph, parent, family_view),
                        kind=_label(v.PARENTAGE_KINDS, graph.parentage[parent, person_id]["kind"]),
                    )
                    for parent in graph.parents(person_id)
                ),
                partners=tuple(
                    _partner_text(graph, union, person_id, family_view)
                    for union in graph.unions_of(person_id)
                ),
                twins=_twin_phrase(graph, person_id, family_view),
                markers=() if is_hidden else tuple(_marker_text(m) for m in person["markers"]),
                third_party=bool(person.get("third_party")),
                confidential=bool(person.get("confidential")),
                label=person_label(graph, person_id, today, family_view=family_view),
            )
        )
    return rows


def _died_text(person: dict[str, Any]) -> str:
    if person.get("died"):
        return fuzzy_text(person["died"])
    status = person.get("vital_status", "alive")
    return "" if status == "alive" else _label(v.VITAL_STATUSES, status)


def _partner_text(
    graph: FamilyGraph, union: dict[str, Any], person_id: str, family_view: bool
) -> str:
    return gettext(
        "%(name)s (%(kind)s, %(status)s)",
        name=display_name(graph, partner_of(union, person_id), family_view),
        kind=_label(v.UNION_KINDS, union.get("kind", "marriage")),
        status=_label(v.UNION_STATUSES, union.get("status", "together")),
    )


def _marker_text(marker: dict[str, Any]) -> str:
    return gettext(
        "%(kind)s: %(text)s", kind=_label(v.MARKER_KINDS, marker["kind"]), text=marker["text"]
    )


# -- lines between people ------------------------------------------------------------------


def union_label(graph: FamilyGraph, union: dict[str, Any], *, family_view: bool = False) -> str:
    """ "marriage between Liisa and Pekka, divorced 2015"."""
    first, second = (display_name(graph, p, family_view) for p in union["partners"])
    parts = [
        gettext(
            "%(kind)s between %(first)s and %(second)s",
            kind=_label(v.UNION_KINDS, union.get("kind", "marriage")),
            first=first,
            second=second,
        )
    ]
    if union.get("started"):
        parts.append(gettext("since %(year)s", year=fuzzy_text(union["started"], year_only=True)))
    status = union.get("status", "together")
    if status != "together":
        ended = union.get(status)
        words = _label(v.UNION_STATUSES, status)
        parts.append(f"{words} {fuzzy_text(ended, year_only=True)}" if ended else words)
    return ", ".join(parts)


def tie_label(graph: FamilyGraph, tie: dict[str, Any], *, family_view: bool = False) -> str:
    """ "conflict between Liisa and Eino, as Eino sees it"."""
    kind = _label(v.TIE_KINDS, tie["kind"])
    source = display_name(graph, tie["source"], family_view)
    target = display_name(graph, tie["target"], family_view)
    direction = tie.get("direction", "mutual")
    if direction == "from_to":
        text = gettext(
            "%(kind)s from %(first)s to %(second)s", kind=kind, first=source, second=target
        )
    elif direction == "to_from":
        text = gettext(
            "%(kind)s from %(first)s to %(second)s", kind=kind, first=target, second=source
        )
    else:
        text = gettext(
            "%(kind)s between %(first)s and %(second)s", kind=kind, first=source, second=target
        )
    parts = [text]
    quality = tie.get("quality", "open")
    if quality != "open":
        parts.append(_label(v.TIE_QUALITIES, quality))
    parts.append(perspective_phrase(graph, tie.get("perspective", "family"), family_view))
    return ", ".join(parts)


def perspective_phrase(graph: FamilyGraph, perspective: str, family_view: bool = False) -> str:
    if perspective in graph.persons:
        return gettext("as %(name)s sees it", name=display_name(graph, perspective, family_view))
    if perspective == "worker":
        return gettext("as the worker sees it")
    return gettext("as the family sees it")


def household_label(
    graph: FamilyGraph, household: dict[str, Any], *, family_view: bool = False
) -> str:
    names = join_names(
        [
            display_name(graph, m, family_view)
            for m in household["members"]
            if not hidden(graph, m, family_view)
        ]
    )
    return gettext("household: %(names)s", names=names)


# -- the network map -----------------------------------------------------------------------


def strength_phrase(strength: str) -> str:
    return {
        "strong": gettext("strong tie"),
        "moderate": gettext("moderate tie"),
        "tenuous": gettext("tenuous tie"),
    }.get(strength, strength)


def node_label(graph: FamilyGraph, node: dict[str, Any], *, family_view: bool = False) -> str:
    """ "School: Kallio school, strong tie, gives to the family"."""
    parts = [
        gettext(
            "%(category)s: %(name)s",
            category=capitalised(_label(v.NETWORK_CATEGORIES, node["category"])),
            name=node["label"],
        ),
        strength_phrase(node.get("strength", "moderate")),
    ]
    if node.get("stressful"):
        parts.append(gettext("stressful"))
    if node.get("flow", "none") != "none":
        parts.append(_label(v.NETWORK_FLOWS, node["flow"]))
    if node.get("persons"):
        names = join_names([display_name(graph, p, family_view) for p in node["persons"]])
        parts.append(gettext("with %(names)s", names=names))
    return ", ".join(parts)


def network_summary(graph: FamilyGraph, *, family_view: bool = False) -> str:
    """A text alternative for the whole network map."""
    nodes = graph.genogram.get("network") or []
    child = display_name(graph, graph.index_id, family_view)
    if not nodes:
        return gettext("Network map of %(child)s: no connections yet.", child=child)
    categories = Counter(node["category"] for node in nodes)
    areas = ", ".join(
        f"{_label(v.NETWORK_CATEGORIES, code)} ({categories[code]})"
        for code in v.NETWORK_CATEGORIES
        if categories[code]
    )
    sentences = [
        ngettext(
            "Network map of %(child)s: %(num)d connection, in %(areas)s.",
            "Network map of %(child)s: %(num)d connections, in %(areas)s.",
            len(nodes),
            child=child,
            areas=areas,
        )
    ]
    strengths = Counter(node.get("strength", "moderate") for node in nodes)
    sentences.append(
        gettext(
            "Strong: %(strong)d, moderate: %(moderate)d, tenuous: %(tenuous)d.",
            strong=strengths["strong"],
            moderate=strengths["moderate"],
            tenuous=strengths["tenuous"],
        )
    )
    stressful = sum(1 for node in nodes if node.get("stressful"))
    if stressful:
        sentences.append(ngettext("%(num)d is stressful.", "%(num)d are stressful.", stressful))
    return " ".join(sentences)


# -- the whole genogram --------------------------------------------------------------------


def generation_count(graph: FamilyGraph) -> int:
    """How many generations the family spans, counted along parents, children and partners."""
    level: dict[str, int] = {}
    spans = [0]
    for start in [graph.index_id, *graph.persons]:
        if start in level:
            continue
        level[start] = 0
        low = high = 0
        queue = deque([start])
        while queue:
            current = queue.popleft()
            here = level[current]
            for others, step in (
                (graph.parents(current), -1),
                (graph.children(current), 1),
                (graph.partners(current), 0),
            ):
                for other in others:
                    if other not in level:
                        level[other] = found = here + step
                        if found < low:
                            low = found
                        elif found > high:
                            high = found
                        queue.append(other)
        spans.append(high - low + 1)
    return max(spans)


def summary(graph: FamilyGraph, *, family_view: bool = False) -> str:
    """A one-paragraph text alternative for the whole genogram."""
    persons = graph.persons.values()
    kinds = Counter(p.get("kind", "person") for p in persons)
    child = display_name(graph, graph.index_id, family_view)
    generations = generation_count(graph)
    sentences = [
        gettext(
            "Genogram of %(child)s: %(people)s over %(generations)s.",
            child=child,
            people=ngettext("%(num)d person", "%(num)d people", kinds["person"]),
            generations=ngettext("%(num)d generation", "%(num)d generations", generations),
        )
    ]
    deceased = sum(
        1
        for p in persons
        if p.get("kind", "person") == "person" and p.get("vital_status") == "deceased"
    )
    if deceased:
        sentences.append(
            ngettext("%(num)d of them has died.", "%(num)d of them have died.", deceased)
        )
    losses = [
        ngettext("%(num)d pregnancy", "%(num)d pregnancies", kinds["pregnancy"]),
        ngettext("%(num)d miscarriage", "%(num)d miscarriages", kinds["miscarriage"]),
        ngettext("%(num)d stillbirth", "%(num)d stillbirths", kinds["stillbirth"]),
    ]
    shown = [
        text
        for text, code in zip(losses, ("pregnancy", "miscarriage", "stillbirth"), strict=True)
        if kinds[code]
    ]
    if shown:
        sentences.append(gettext("Also drawn: %(items)s.", items=join_names(shown)))
    unions = list(graph.unions.values())
    if unions:
        statuses = Counter(u.get("status", "together") for u in unions)
        detail = ", ".join(
            f"{_label(v.UNION_STATUSES, code)} {statuses[code]}"
            for code in v.UNION_STATUSES
            if statuses[code]
        )
        sentences.append(
            ngettext(
                "%(num)d couple (%(detail)s).",
                "%(num)d couples (%(detail)s).",
                len(unions),
                detail=detail,
            )
        )
    mates = lives_with(graph, graph.index_id, family_view)
    if mates:
        sentences.append(
            gettext(
                "%(child)s lives with %(names)s.",
                child=capitalised(child),
                names=join_names([display_name(graph, m, family_view) for m in mates]),
            )
        )
    ties = graph.genogram.get("ties") or []
    if ties:
        counts = Counter(tie["kind"] for tie in ties)
        detail = ", ".join(
            f"{_label(v.TIE_KINDS, code)} {counts[code]}" for code in v.TIE_KINDS if counts[code]
        )
        sentences.append(
            ngettext(
                "%(num)d emotional relationship drawn (%(detail)s).",
                "%(num)d emotional relationships drawn (%(detail)s).",
                len(ties),
                detail=detail,
            )
        )
    shown_persons = [
        p for p in persons if p.get("markers") and not hidden(graph, p["id"], family_view)
    ]
    worried = sum(1 for p in shown_persons if _has_marker(p, "worry"))
    resourced = sum(1 for p in shown_persons if _has_marker(p, "resource"))
    if worried or resourced:
        sentences.append(
            gettext(
                "Worries are noted for %(worries)s and resources for %(resources)s.",
                worries=ngettext("%(num)d person", "%(num)d people", worried),
                resources=ngettext("%(num)d person", "%(num)d people", resourced),
            )
        )
    return " ".join(sentences)
