"""A first genogram from what the record system already knows: the client, family and household.

The record gives relations to the client (mother, sibling, grandparent ...), not a family tree, so
only what follows from them is drawn: parents and their union, siblings under it, half-siblings
under the parent they live with, step- and foster parents. Relatives whose branch the record does
not tell (a grandparent: whose parent?) are attached to the parent sharing their last name, or
left unconnected for the worker to place with the family. Nothing is invented beyond that.
"""

from __future__ import annotations

from typing import Any

from plugin_host.api import Client, Family, FamilyMember
from plugins.genogram.schemas import SCHEMA_VERSION

INDEX_ID = "index"
_GENDERS = {"mother": "woman", "father": "man"}


def seed_genogram(client: Client, family: Family) -> dict[str, Any]:
    """A genogram document (schema-shaped, not yet loaded) for the launched client's family."""
    seeder = _Seeder(client)
    for member in family.members:
        seeder.add_member(member)
    seeder.connect()
    return seeder.document()


class _Seeder:
    def __init__(self, client: Client) -> None:
        self.persons: list[dict[str, Any]] = [
            {
                "id": INDEX_ID,
                "record_person_id": client.client_id,
                "first_names": client.first_names,
                "last_name": client.last_name,
                **_born(client.birth_date),
            }
        ]
        self.members: dict[str, FamilyMember] = {}
        self.unions: list[dict[str, Any]] = []
        self.parentage: list[dict[str, Any]] = []

    def add_member(self, member: FamilyMember) -> None:
        person_id = _person_id(member.person_id)
        self.members[person_id] = member
        self.persons.append(
            {
                "id": person_id,
                "record_person_id": member.person_id,
                "first_names": member.first_names,
                "last_name": member.last_name,
                "gender_identity": _GENDERS.get(member.relation, "unknown"),
                # Only the child and the guardians are parties of the child's case.
                "third_party": not member.is_guardian,
                **_born(member.birth_date),
            }
        )

    def _with(self, *relations: str) -> list[str]:
        return [pid for pid, m in self.members.items() if m.relation in relations]

    def connect(self) -> None:
        parents = self._with("mother", "father", "parent")
        for parent in parents:
            self._parent(INDEX_ID, parent, "biological")
        if len(parents) == 2:
            together = all(self.members[p].in_household for p in parents)
            self._union(parents, "together" if together else "separated")
        home_parent = next((p for p in parents if self.members[p].in_household), None)
        for step in self._with("step-parent"):
            self._parent(INDEX_ID, step, "step")
            if home_parent is not None:
                self._union([home_parent, step], "together")
        for foster in self._with("foster-parent"):
            self._parent(INDEX_ID, foster, "foster")
        for sibling in self._with("sibling"):
            for parent in parents:
                self._parent(sibling, parent, "biological")
        for half in self._with("half-sibling"):
            self._half_sibling(half, home_parent)
        self._grandparents(parents)

    def _half_sibling(self, half: str, home_parent: str | None) -> None:
        if home_parent is None:
            return
        self._parent(half, home_parent, "biological")
        # The other parent: the home parent's partner who shares the half-sibling's last name.
        for union in self.unions:
            if home_parent in union["partners"]:
                other = next(p for p in union["partners"] if p != home_parent)
                if other != INDEX_ID and self._same_name(other, half):
                    self._parent(half, other, "biological")

    def _grandparents(self, parents: list[str]) -> None:
        grandparents = self._with("grandparent")
        for grandparent in grandparents:
            # Only an unambiguous match: parents who share a married name say nothing.
            children = [p for p in parents if self._same_name(p, grandparent)]
            if len(children) == 1:
                self._parent(children[0], grandparent, "biological")
        pairs = [
            (a, b)
            for i, a in enumerate(grandparents)
            for b in grandparents[i + 1 :]
            if self._same_name(a, b)
        ]
        for first, second in pairs[:1] if len(grandparents) == 2 else pairs:
            self._union([first, second], "together")

    def _same_name(self, first: str, second: str) -> bool:
        return self.members[first].last_name == self.members[second].last_name

    def _parent(self, child: str, parent: str, kind: str) -> None:
        self.parentage.append({"child": child, "parent": parent, "kind": kind})

    def _union(self, partners: list[str], status: str) -> None:
        if any(set(u["partners"]) == set(partners) for u in self.unions):
            return
        self.unions.append(
            {
                "id": f"u{len(self.unions) + 1}",
                "partners": partners,
                # The record does not say whether they married: the worker completes it.
                "kind": "unknown",
                "status": status,
            }
        )

    def document(self) -> dict[str, Any]:
        household = [INDEX_ID, *(pid for pid, m in self.members.items() if m.in_household)]
        return {
            "schema_version": SCHEMA_VERSION,
            "index_person": INDEX_ID,
            "persons": self.persons,
            "unions": self.unions,
            "parentage": self.parentage,
            "households": [{"id": "h1", "members": household}],
        }


def _person_id(record_person_id: str) -> str:
    return "r" + "".join(ch if ch.isalnum() or ch in "_.-" else "-" for ch in record_person_id)


def _born(birth_date: Any) -> dict[str, Any]:
    return {"born": {"date": birth_date.isoformat()}} if birth_date else {}
