"""A genogram over time: its versions in the record, the version valid on a date, and diffs.

Every save is a new immutable version of the one ``genogram`` document in the client's record.
Diffs compare two loaded versions section by section, by id, so the worker reads what changed
("Added Liisa", "Union of Liisa and Jari: status together → divorced").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from plugin_host.api import Document, DocumentRef, gateway, load_payload
from plugin_host.api import gettext as _
from plugins.genogram.schemas import DOCUMENT_TYPE, GenogramSchema

# Sections compared item by item, each with the key that identifies an item across versions.
_SECTIONS = {
    "persons": lambda item: item["id"],
    "unions": lambda item: item["id"],
    "parentage": lambda item: f"{item['parent']}>{item['child']}",
    "twins": lambda item: item["id"],
    "households": lambda item: item["id"],
    "ties": lambda item: item["id"],
    "network": lambda item: item["id"],
}


@dataclass(frozen=True)
class Change:
    section: str
    item_id: str
    action: str  # added, removed, changed
    fields: tuple[str, ...] = ()


def current_ref() -> DocumentRef | None:
    """The client's genogram document (the newest one if several were ever started)."""
    refs = gateway().documents(DOCUMENT_TYPE)
    return max(refs, key=lambda ref: ref.created_at, default=None)


def load_version(ref: DocumentRef, version: int | None = None) -> tuple[Document, dict[str, Any]]:
    """A version (default: the newest, pending included) and its content, loaded by the schema."""
    document = gateway().document(ref.document_id, version)
    return document, load_payload(GenogramSchema(), json.loads(document.content))


def versions(ref: DocumentRef) -> list[DocumentRef]:
    """Every version of the document, newest first, each with the time it was saved."""
    found = [ref]
    for number in range(ref.version - 1, 0, -1):
        found.append(gateway().document(ref.document_id, number).ref)
    return found


def version_on(history: list[DocumentRef], day: date, tz: Any) -> DocumentRef | None:
    """The version that was the newest at the end of ``day`` in the time zone ``tz``."""
    for ref in history:  # newest first
        if _local_day(ref.created_at, tz) <= day:
            return ref
    return None


def _local_day(moment: datetime, tz: Any) -> date:
    return moment.astimezone(tz).date()


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """What changed from ``before`` to ``after``, section by section, in a stable order."""
    changes: list[Change] = []
    for section, key in _SECTIONS.items():
        old = {key(item): item for item in before.get(section, ())}
        new = {key(item): item for item in after.get(section, ())}
        for item_id in sorted(new.keys() - old.keys()):
            changes.append(Change(section, item_id, "added"))
        for item_id in sorted(old.keys() - new.keys()):
            changes.append(Change(section, item_id, "removed"))
        for item_id in sorted(old.keys() & new.keys()):
            fields = tuple(
                name
                for name in sorted(old[item_id].keys() | new[item_id].keys())
                if old[item_id].get(name) != new[item_id].get(name)
            )
            if fields:
                changes.append(Change(section, item_id, "changed", fields))
    if before.get("index_person") != after.get("index_person"):
        changes.append(Change("index_person", after["index_person"], "changed"))
    return changes


def names(*genograms: dict[str, Any]) -> dict[str, str]:
    """What a reader calls each item of the given versions (the later version's name wins)."""
    found: dict[str, str] = {}
    for genogram in genograms:
        people = {p["id"]: p["first_names"] or p["id"] for p in genogram["persons"]}
        found.update(people)
        for union in genogram.get("unions", ()):
            found[union["id"]] = " + ".join(people.get(p, p) for p in union["partners"])
        for link in genogram.get("parentage", ()):
            key = _SECTIONS["parentage"](link)
            found[key] = f"{people.get(link['parent'], link['parent'])} → " + people.get(
                link["child"], link["child"]
            )
        for tie in genogram.get("ties", ()):
            found[tie["id"]] = f"{people.get(tie['source'])} / {people.get(tie['target'])}"
        for node in genogram.get("network", ()):
            found[node["id"]] = node["label"]
        for household in genogram.get("households", ()):
            found[household["id"]] = ", ".join(people.get(m, m) for m in household["members"])
    return found


def describe(change: Change, names: dict[str, str]) -> str:
    """The change in words; ``names`` maps ids to what the reader knows them by."""
    subject = names.get(change.item_id, change.item_id)
    section = {
        "persons": _("Person"),
        "unions": _("Union"),
        "parentage": _("Parent link"),
        "twins": _("Twins"),
        "households": _("Household"),
        "ties": _("Relationship"),
        "network": _("Network"),
        "index_person": _("Index person"),
    }[change.section]
    if change.action == "added":
        return _("%(section)s added: %(subject)s", section=section, subject=subject)
    if change.action == "removed":
        return _("%(section)s removed: %(subject)s", section=section, subject=subject)
    return _(
        "%(section)s changed: %(subject)s (%(fields)s)",
        section=section,
        subject=subject,
        fields=", ".join(change.fields),
    )
