"""Hypothesis strategies: genogram documents shaped like families, up to a few hundred people.

Hypothesis draws the shape (size, how often people remarry, have twins, marry into another
drawn family or a cousin, ...) and a seed; a plain ``random.Random(seed)`` then grows the family
generation by generation. (Drawing every choice through hypothesis would overflow its buffer at
a few hundred people.) Ids are scrambled so that id order is not birth order, dates are
sometimes missing, and every list of the document comes out shuffled.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

RATES = st.sampled_from((0.0, 0.05, 0.15, 0.4))
MAX_YEAR = 2190  # the schema's dates end at 2200; a thin family may run to many generations


@dataclass(frozen=True)
class Shape:
    size: int
    founders: int
    remarriage: float  # a second (and now and then third) union, with half-siblings
    twins: float
    single_parent: float  # a child with one parent known
    undated: float  # birth and union dates not known
    in_law_history: float  # an in-law with an earlier partner and child (a chain of partners)
    step_parent: float  # a child also linked to a parent's later partner (three parents)
    same_pair_again: float  # a couple that separates and comes together again
    joined: float  # marrying someone with parents in the drawing: another family, cousins
    cousins: float
    older_partner: float  # marrying someone of the generation above (rows pulled down)


@st.composite
def shapes(
    draw: st.DrawFn, *, max_size: int = 300, joined: bool = True, older: bool = False
) -> Shape:
    return Shape(
        size=draw(st.integers(1, max_size)),
        founders=draw(st.integers(1, 4)),
        remarriage=draw(RATES),
        twins=draw(RATES),
        single_parent=draw(RATES),
        undated=draw(RATES),
        in_law_history=draw(RATES),
        step_parent=draw(RATES),
        same_pair_again=draw(st.sampled_from((0.0, 0.05))),
        joined=draw(RATES) if joined else 0.0,
        cousins=draw(RATES) if joined else 0.0,
        older_partner=draw(st.sampled_from((0.0, 0.05, 0.2))) if older else 0.0,
    )


@st.composite
def families(
    draw: st.DrawFn, *, max_size: int = 300, joined: bool = True, older: bool = False
) -> dict[str, Any]:
    """A genogram document (as the editor would send it, not yet loaded by the schema).

    ``joined=False`` gives "tree-like" families: nobody marries someone who has parents in the
    drawing, so every block holds at most one person with parents. ``older=True`` lets people
    marry someone of the generation above.
    """
    shape = draw(shapes(max_size=max_size, joined=joined, older=older))
    seed = draw(st.integers(0, 2**32 - 1))
    return grow(shape, random.Random(seed))


@st.composite
def pins_for(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, float]:
    """A few dragged people, at whole or fractional x, some close together."""
    ids = [person["id"] for person in document["persons"]]
    chosen = draw(st.lists(st.sampled_from(ids), max_size=min(8, len(ids)), unique=True))
    xs = st.one_of(
        st.integers(-20, 60).map(lambda k: k * 60.0),
        st.floats(-3000, 8000, allow_nan=False, allow_infinity=False),
    )
    return {person: draw(xs) for person in chosen}


class _Grower:
    def __init__(self, shape: Shape, rng: random.Random) -> None:
        self.shape = shape
        self.rng = rng
        self.persons: list[dict[str, Any]] = []
        self.unions: list[dict[str, Any]] = []
        self.parentage: list[dict[str, Any]] = []
        self.twins: list[dict[str, Any]] = []
        self.generation: dict[str, int] = {}
        self.year: dict[str, int] = {}
        self.parents: dict[str, list[str]] = {}
        self.children: dict[str, list[str]] = {}
        self.partnered: set[str] = set()
        self.by_generation: list[list[str]] = []

    @property
    def full(self) -> bool:
        return len(self.persons) >= self.shape.size

    def chance(self, rate: float) -> bool:
        return self.rng.random() < rate

    def date(self, year: int) -> dict[str, str] | None:
        if self.chance(self.shape.undated):
            return None
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        return {"date": f"{min(year, MAX_YEAR)}-{month:02d}-{day:02d}"}

    def person(self, generation: int, year: int, born: Any = "draw") -> str | None:
        if self.full:
            return None
        # 7919 is coprime to 100003 (a prime): unique ids, in no particular order.
        pid = f"q{len(self.persons) * 7919 % 100_003:05d}"
        self.persons.append(
            {"id": pid, "born": self.date(year) if born == "draw" else born, "first_names": pid}
        )
        self.generation[pid] = generation
        self.year[pid] = year
        self.parents[pid] = []
        self.children[pid] = []
        while len(self.by_generation) <= generation:
            self.by_generation.append([])
        self.by_generation[generation].append(pid)
        return pid

    def link(self, child: str, parent: str, kind: str = "biological") -> None:
        self.parentage.append({"child": child, "parent": parent, "kind": kind})
        self.parents[child].append(parent)
        self.children[parent].append(child)

    def union(self, first: str, second: str, year: int) -> None:
        union: dict[str, Any] = {"id": f"u{len(self.unions):04d}", "partners": [first, second]}
        if not self.chance(self.shape.undated):
            union["started"] = {"date": str(min(year, MAX_YEAR))}
        self.unions.append(union)
        self.partnered.update((first, second))

    def births(self, parents: tuple[str, ...], year: int, count: int) -> list[str]:
        rng = self.rng
        generation = max(self.generation[p] for p in parents) + 1
        born: list[str] = []
        for _ in range(count):
            twins = 1 if not self.chance(self.shape.twins) else rng.choice((2, 2, 3))
            date = self.date(year)
            set_members = []
            for _ in range(twins):
                child = self.person(generation, year, born=date)
                if child is None:
                    break
                for parent in parents:
                    self.link(child, parent)
                set_members.append(child)
            if len(set_members) >= 2:
                self.twins.append({"id": f"t{len(self.twins):03d}", "members": set_members})
            born.extend(set_members)
            year += rng.randint(1, 4)
        return born

    def cousin(self, person: str) -> str | None:
        own = set(self.parents[person])
        for grandparent in sorted({g for p in own for g in self.parents[p]}):
            for uncle in sorted(self.children[grandparent]):
                if uncle in own:
                    continue
                for cousin in sorted(self.children[uncle]):
                    if cousin not in self.partnered and not own & set(self.parents[cousin]):
                        if self.generation[cousin] == self.generation[person]:
                            return cousin
        return None

    def someone_with_parents(
        self, person: str, generation: int, *, childless: bool = False
    ) -> str | None:
        """An unpartnered person of ``generation`` from another family (no parent shared)."""
        pool = self.by_generation[generation] if generation < len(self.by_generation) else []
        for _ in range(4):
            if not pool:
                return None
            other = self.rng.choice(pool)
            if (
                other != person
                and other not in self.partnered
                and self.parents[other]
                and not set(self.parents[other]) & set(self.parents[person])
                and other not in self.parents[person]
                and not (childless and self.children[other])
            ):
                return other
        return None

    def partner(self, person: str, first: bool) -> str | None:
        shape, generation = self.shape, self.generation[person]
        if self.parents[person]:
            if self.chance(shape.cousins) and (found := self.cousin(person)):
                return found
            if self.chance(shape.joined) and (
                found := self.someone_with_parents(person, generation)
            ):
                return found
            # Someone single and childless of the generation above, and only as a first union,
            # so that no union ever joins a person to their own ancestor's row.
            if first and generation > 0 and self.chance(shape.older_partner):
                older = self.someone_with_parents(person, generation - 1, childless=True)
                if older is not None:
                    return older
        return self.person(generation, self.year[person] + self.rng.randint(-3, 3))

    def family_life(self, person: str) -> None:
        rng, shape = self.rng, self.shape
        year = self.year[person] + rng.randint(20, 30)
        if rng.random() < 0.15:
            if self.chance(shape.single_parent):
                self.births((person,), year, rng.randint(1, 2))
            return
        unions = 1 + self.chance(shape.remarriage) + self.chance(shape.remarriage / 3)
        earlier_children: list[str] = []
        for number in range(unions):
            partner = self.partner(person, number == 0)
            if partner is None:
                return
            if number == 0 and not self.parents[partner] and self.chance(shape.in_law_history):
                earlier = self.person(self.generation[partner], self.year[partner])
                if earlier is not None:
                    self.union(partner, earlier, year - 5)
                    self.births((partner, earlier), year - 4, 1)
            self.union(person, partner, year)
            children = self.births((person, partner), year + 1, rng.choice((0, 1, 2, 2, 3, 4)))
            if self.chance(shape.same_pair_again):
                self.union(person, partner, year + 8)
                children += self.births((person, partner), year + 9, 1)
            for child in earlier_children:
                if self.chance(shape.step_parent):
                    self.link(child, partner, "step")
            if self.chance(shape.single_parent):
                children += self.births((person,), year + 3, 1)
            earlier_children = children
            year += rng.randint(5, 12)

    def grow(self) -> dict[str, Any]:
        for _ in range(self.shape.founders):
            self.person(0, 1900 + self.rng.randint(-5, 5))
        generation = 0
        while not self.full and generation < 40:
            if generation >= len(self.by_generation) or not self.by_generation[generation]:
                self.person(generation, 1900 + 27 * generation)  # a new family starts
            for person in list(self.by_generation[generation]):
                if self.full:
                    break
                if person not in self.partnered:
                    self.family_life(person)
            generation += 1
        index = next(
            (p for gen in reversed(self.by_generation[:-1]) for p in gen if self.parents[p]),
            self.persons[0]["id"],
        )
        document = {
            "index_person": index,
            "persons": self.persons,
            "unions": self.unions,
            "parentage": self.parentage,
            "twins": self.twins,
        }
        return shuffled(document, self.rng)


def grow(shape: Shape, rng: random.Random) -> dict[str, Any]:
    return _Grower(shape, rng).grow()


def shuffled(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The same document with every list (and every union's partners) in another order."""
    out = dict(document)
    for key in ("persons", "unions", "parentage", "twins", "households", "ties", "network"):
        if key in document:
            out[key] = rng.sample(document[key], len(document[key]))
    out["unions"] = [
        {**union, "partners": rng.sample(union["partners"], 2)} for union in out.get("unions", [])
    ]
    out["twins"] = [
        {**twins, "members": rng.sample(twins["members"], len(twins["members"]))}
        for twins in out.get("twins", [])
    ]
    return out
