"""Kinship queries over a loaded genogram: parents, children, partners, siblings, twins, homes.

Built once per genogram (linear in its size) and shared by the layout, the labels, the table view
and the exports, so each answers "who is whose" the same way.
"""

from __future__ import annotations

from collections import defaultdict, deque
from functools import cached_property
from typing import Any

from plugins.genogram.schemas import sort_key

Person = dict[str, Any]
Union = dict[str, Any]


class FamilyGraph:
    def __init__(self, genogram: dict[str, Any]) -> None:
        self.genogram = genogram
        self.persons: dict[str, Person] = {p["id"]: p for p in genogram["persons"]}
        self.index_id: str = genogram["index_person"]
        self._parents: dict[str, list[str]] = defaultdict(list)
        self._children: dict[str, list[str]] = defaultdict(list)
        self.parentage: dict[tuple[str, str], dict[str, Any]] = {}
        for link in genogram.get("parentage", ()):
            self._parents[link["child"]].append(link["parent"])
            self._children[link["parent"]].append(link["child"])
            self.parentage[link["parent"], link["child"]] = link
        self.unions: dict[str, Union] = {u["id"]: u for u in genogram.get("unions", ())}
        self._unions_of: dict[str, list[Union]] = defaultdict(list)
        for union in sorted(self.unions.values(), key=_union_order):
            for partner in union["partners"]:
                self._unions_of[partner].append(union)
        self.twin_sets: dict[str, dict[str, Any]] = {}
        for twins in genogram.get("twins", ()):
            for member in twins["members"]:
                self.twin_sets[member] = twins
        # Answers asked again and again (the labels ask the kinship of every person, and that
        # asks for the index person's family each time), kept as they are first found.
        self._sorted_children: dict[str, list[str]] = {}
        self._partners: dict[str, list[str]] = {}
        self._birth_order: dict[str, tuple[Any, ...]] = {}

    def parents(self, person_id: str) -> list[str]:
        return self._parents.get(person_id, [])

    def children(self, person_id: str) -> list[str]:
        """Children oldest first (unknown birth dates last, then by id for a stable order)."""
        found = self._sorted_children.get(person_id)
        if found is None:
            found = self._sorted_children[person_id] = sorted(
                self._children.get(person_id, []), key=self.birth_order
            )
        return list(found)

    def unions_of(self, person_id: str) -> list[Union]:
        """The person's unions in the order they began (undated last, then by id)."""
        return self._unions_of.get(person_id, [])

    def partners(self, person_id: str) -> list[str]:
        found = self._partners.get(person_id)
        if found is None:
            found = self._partners[person_id] = [
                partner_of(union, person_id) for union in self.unions_of(person_id)
            ]
        return list(found)

    def union_children(self, union: Union) -> list[str]:
        """Children of both partners, oldest first: the ones drawn under this union's line."""
        first, second = union["partners"]
        shared = set(self._children.get(first, ())) & set(self._children.get(second, ()))
        return sorted(shared, key=self.birth_order)

    @cached_property
    def parent_union(self) -> dict[str, str]:
        """Each child's union: the first union both of whose partners are its parents."""
        found: dict[str, str] = {}
        for union in sorted(self.unions.values(), key=_union_order):
            for child in self.union_children(union):
                found.setdefault(child, union["id"])
        return found

    @cached_property
    def related_to_index(self) -> frozenset[str]:
        """Everyone linked to the index person by a chain of parent links or unions."""
        seen = {self.index_id}
        queue = deque(seen)
        while queue:
            current = queue.popleft()
            for other in (
                *self.parents(current),
                *self._children.get(current, ()),
                *self.partners(current),
            ):
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
        return frozenset(seen)

    def siblings(self, person_id: str) -> list[str]:
        """Everyone sharing a parent with the person (full and half), oldest first."""
        found = {
            child
            for parent in self.parents(person_id)
            for child in self._children.get(parent, ())
            if child != person_id
        }
        return sorted(found, key=self.birth_order)

    def twin_set(self, person_id: str) -> dict[str, Any] | None:
        return self.twin_sets.get(person_id)

    def current_households(self) -> list[dict[str, Any]]:
        return [h for h in self.genogram.get("households", ()) if not h.get("ended")]

    @cached_property
    def _homes(self) -> dict[str, list[dict[str, Any]]]:
        """Each person's current households, in the order the genogram lists them."""
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for household in self.current_households():
            for member in dict.fromkeys(household["members"]):
                found[member].append(household)
        return found

    def lives_with(self, person_id: str) -> list[str]:
        """The people the person lives with now, in the order the household lists them."""
        mates: list[str] = []
        for household in self._homes.get(person_id, ()):
            mates.extend(m for m in household["members"] if m != person_id and m not in mates)
        return mates

    def birth_order(self, person_id: str) -> tuple[Any, ...]:
        found = self._birth_order.get(person_id)
        if found is None:
            born = self.persons[person_id].get("born")
            found = self._birth_order[person_id] = (
                sort_key(born["date"] if born else None),
                person_id,
            )
        return found


def partner_of(union: Union, person_id: str) -> str:
    first, second = union["partners"]
    return second if first == person_id else first


def _union_order(union: Union) -> tuple[Any, ...]:
    started = union.get("started")
    return (sort_key(started["date"] if started else None), union["id"])
