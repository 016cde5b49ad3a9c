"""A synthetic genogram document of any size: for the layout benchmark and the property tests.

``synthetic_genogram(size, seed)`` gives a ``genogram`` document (valid under
``plugins.genogram.schemas.GenogramSchema``) with exactly ``size`` persons, the same for the same
``size`` and ``seed``. A few founder couples (more for larger families) have children, who marry
in-laws or each other's relatives, generation after generation, until the size is reached:

- couples with none to five children, some remarriages with half-siblings, an in-law who brings
  a child of an earlier relationship, a few single parents and people who never partner;
- twins (now and then triplets), a few pregnancy losses;
- marriages joining two founders' families, and now and then first cousins marrying;
- the index person in the generation above the youngest, with a household, a few other
  households, emotional ties and network nodes around them.

Names are invented from Finnish-sounding syllables; there are no last names and no identity
codes. It is a plain ``random.Random(seed)`` walk, linear in ``size``: 5,000 persons take about a
tenth of a second.
"""

from __future__ import annotations

import math
import random
from typing import Any

_ONSETS = (
    "Ai", "Ee", "Hil", "Ii", "Jaa", "Ka", "Kel", "La", "Lii", "Ma", "Mir", "Nii", "Oo", "Pe",
    "Rii", "Sa", "Sel", "Sul", "Ter", "Tuu", "Uu", "Vei", "Vil", "Yr",
)  # fmt: skip
_FEMININE = ("na", "ja", "lla", "tta", "ssa", "liina", "ira", "ani", "lmi", "nja")
_MASCULINE = ("kko", "no", "ri", "mo", "vo", "ppo", "si", "lle", "nto", "rtti")
_TIE_KINDS = ("close", "conflict", "distant", "cutoff", "caregiving", "fused", "repaired")
_NETWORK = (
    ("Koulu", "school"),
    ("Päiväkoti", "daycare"),
    ("Neuvola", "health"),
    ("Kaverit", "friends"),
    ("Mummola", "relatives"),
    ("Jalkapallo", "hobbies"),
    ("Lastensuojelu", "child_protection"),
    ("Seurakunta", "faith"),
)
_CHILD_COUNTS = (0, 1, 1, 2, 2, 2, 3, 3, 4, 5)  # drawn uniformly: about 2.3 children a couple
GENERATION_YEARS = 28
# The schema's dates end in 2200; a family that dies out and starts again may run past it.
LAST_YEAR = 2190


class _Builder:
    def __init__(self, size: int, rng: random.Random) -> None:
        self.size = size
        self.rng = rng
        self.persons: list[dict[str, Any]] = []
        self.unions: list[dict[str, Any]] = []
        self.parentage: list[dict[str, Any]] = []
        self.twins: list[dict[str, Any]] = []
        self.households: list[dict[str, Any]] = []
        # Facts the walk needs, by person id.
        self.generation: dict[str, int] = {}
        self.year: dict[str, int] = {}
        self.lineage: dict[str, int | None] = {}  # the founders' family someone is born into
        self.parents: dict[str, list[str]] = {}
        self.children: dict[str, list[str]] = {}
        self.partnered: set[str] = set()
        self.born_people: list[list[str]] = []  # born persons (not losses) per generation
        # Leave room for the youngest generation to be born before the schema's year 2200.
        founders = max(1, round(math.sqrt(size) / 5))
        generations = max(3, math.ceil(math.log(max(size, 2) / (2 * founders), 2.6)) + 1)
        self.first_year = max(1820, 2012 - GENERATION_YEARS * generations)

    @property
    def full(self) -> bool:
        return len(self.persons) >= self.size

    # -- people -----------------------------------------------------------------------------

    def person(
        self,
        generation: int,
        year: int,
        *,
        lineage: int | None,
        kind: str = "person",
        born: str | None = None,
    ) -> str | None:
        """A new person, or None when the document already has ``size`` of them."""
        if self.full:
            return None
        rng = self.rng
        year = min(year, LAST_YEAR)
        pid = f"p{len(self.persons) + 1:05d}"
        feminine = rng.random() < 0.5
        record: dict[str, Any] = {"id": pid, "kind": kind}
        if born is None:
            born = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if kind == "person":
            record["first_names"] = self.name(feminine)
            if rng.random() < 0.02:
                record["gender_identity"] = "non_binary"
            else:
                record["gender_identity"] = "woman" if feminine else "man"
                record["sex_at_birth"] = "female" if feminine else "male"
            if rng.random() < 0.03:
                record["born"] = None  # not known
            else:
                approximate = year < 1950 and rng.random() < 0.2
                record["born"] = {"date": born[:4] if approximate else born}
                if approximate:
                    record["born"]["approximate"] = True
            if year < 1945 or (year < 1975 and rng.random() < 0.15):
                died = min(year + rng.randint(45, 95), 2024)
                record["vital_status"] = "deceased"
                if died > year and record["born"] is not None:
                    record["died"] = {"date": str(died)}
            if year < 2000 and rng.random() < 0.05:
                kind_of = rng.choice(("worry", "resource"))
                text = "Tukee perhetta" if kind_of == "resource" else "Huoli jaksamisesta"
                record["markers"] = [{"kind": kind_of, "text": text}]
        else:  # a pregnancy loss: a date, nothing else
            record["born"] = {"date": born}
        self.persons.append(record)
        self.generation[pid] = generation
        self.year[pid] = year
        self.lineage[pid] = lineage
        self.parents[pid] = []
        self.children[pid] = []
        if kind == "person":
            while len(self.born_people) <= generation:
                self.born_people.append([])
            self.born_people[generation].append(pid)
        return pid

    def name(self, feminine: bool) -> str:
        rng = self.rng
        endings = _FEMININE if feminine else _MASCULINE
        first = rng.choice(_ONSETS) + rng.choice(endings)
        if rng.random() < 0.3:  # a second given name
            return f"{first} {rng.choice(_ONSETS)}{rng.choice(endings)}"
        return first

    def link(self, child: str, parent: str, kind: str = "biological") -> None:
        link: dict[str, Any] = {"child": child, "parent": parent}
        if kind != "biological":
            link["kind"] = kind
        self.parentage.append(link)
        self.parents[child].append(parent)
        self.children[parent].append(child)

    # -- couples and children ---------------------------------------------------------------

    def union(self, first: str, second: str, started: int, *, ended: str | None = None) -> str:
        rng = self.rng
        started = min(started, LAST_YEAR)
        uid = f"u{len(self.unions) + 1:05d}"
        kind = "marriage" if rng.random() < 0.6 else "cohabitation"
        union: dict[str, Any] = {"id": uid, "partners": [first, second], "kind": kind}
        if rng.random() < 0.9:
            union["started"] = {"date": str(started)}
        if ended is not None:
            status = ended if ended != "divorced" or kind == "marriage" else "separated"
            union["status"] = status
            if "started" in union and rng.random() < 0.7:
                union[status] = {"date": str(min(started + rng.randint(2, 12), 2199))}
        self.unions.append(union)
        self.partnered.update((first, second))
        return uid

    def in_law(self, spouse: str) -> str | None:
        """Someone from outside the drawn families, about the spouse's age."""
        year = self.year[spouse] + self.rng.randint(-4, 4)
        return self.person(self.generation[spouse], year, lineage=None)

    def have_children(self, parents: tuple[str, ...], started: int, count: int) -> None:
        """``count`` births to ``parents`` (one or two), a few years apart from ``started``."""
        rng = self.rng
        generation = max(self.generation[p] for p in parents) + 1
        lineage = next((self.lineage[p] for p in parents if self.lineage[p] is not None), None)
        year = started + rng.randint(0, 3)
        for _ in range(count):
            if self.full:
                return
            date = f"{min(year, LAST_YEAR)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            roll = rng.random()
            if roll < 0.04:
                kind = rng.choice(("miscarriage", "stillbirth"))
                loss = self.person(generation, year, lineage=lineage, kind=kind, born=date)
                if loss is not None:
                    for parent in parents:
                        self.link(loss, parent)
            else:
                births = 1
                if roll < 0.08:
                    births = 3 if rng.random() < 0.1 else 2
                born = []
                for _ in range(births):
                    child = self.person(generation, year, lineage=lineage, born=date)
                    if child is None:
                        break
                    born.append(child)
                    for parent in parents:
                        self.link(child, parent)
                if len(born) >= 2:
                    kind = rng.choice(("identical", "fraternal", "unknown"))
                    tid = f"t{len(self.twins) + 1:04d}"
                    self.twins.append({"id": tid, "members": born, "kind": kind})
            year += rng.randint(1, 4)

    def household(self, members: list[str], started: int | None, label: str = "") -> None:
        household: dict[str, Any] = {
            "id": f"h{len(self.households) + 1:04d}",
            "members": members,
            "label": label,
        }
        if started is not None:
            household["started"] = {"date": str(started)}
        self.households.append(household)

    def cousin_of(self, person: str) -> str | None:
        """An unpartnered first cousin of the same generation, if there is one."""
        own_parents = set(self.parents[person])
        for grandparent in sorted({g for p in own_parents for g in self.parents[p]}):
            for uncle in self.children[grandparent]:
                if uncle in own_parents:
                    continue
                for cousin in self.children[uncle]:
                    if (
                        cousin not in self.partnered
                        and self.generation[cousin] == self.generation[person]
                        and self.persons[int(cousin[1:]) - 1]["kind"] == "person"
                        and not own_parents & set(self.parents[cousin])
                    ):
                        return cousin
        return None

    def partner_for(self, person: str, pool: list[str]) -> str | None:
        """An in-law mostly; sometimes someone from another family of the same generation (two
        families joined), now and then a first cousin."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.04 and self.parents[person]:
            cousin = self.cousin_of(person)
            if cousin is not None:
                return cousin
        if roll < 0.3 and self.lineage[person] is not None:
            for _ in range(4):  # a few tries for someone from another family, else an in-law
                other = rng.choice(pool)
                if (
                    other != person
                    and other not in self.partnered
                    and self.lineage[other] not in (None, self.lineage[person])
                ):
                    return other
        return self.in_law(person)

    def family_life(self, person: str, pool: list[str]) -> None:
        """Partners and children of one grown-up: one union, sometimes a second (and third),
        each with its own children; or single, now and then a single parent."""
        rng = self.rng
        start = self.year[person] + rng.randint(20, 32)
        if rng.random() < 0.15:
            if rng.random() < 0.2:
                self.have_children((person,), start, rng.randint(1, 2))
            return
        unions = 1 + (rng.random() < 0.16) + (rng.random() < 0.03)
        for number in range(unions):
            partner = self.partner_for(person, pool)
            if partner is None:
                return
            if number == 0 and self.lineage[partner] is None and rng.random() < 0.06:
                self.earlier_relationship(partner, start)
            ended = None
            if number < unions - 1:
                ended = rng.choice(("divorced", "divorced", "separated", "widowed"))
            self.union(person, partner, start, ended=ended)
            count = rng.choice(_CHILD_COUNTS)
            if number > 0:
                count = min(count, 3)
            self.have_children((person, partner), start + 1, count)
            start += rng.randint(6, 12)

    def earlier_relationship(self, in_law: str, before: int) -> None:
        """An in-law's earlier partner and child: the child is a half-sibling of the next."""
        earlier = self.in_law(in_law)
        if earlier is None:
            return
        started = before - self.rng.randint(4, 8)
        self.union(in_law, earlier, started, ended="separated")
        self.have_children((in_law, earlier), started + 1, 1)

    # -- the whole document -------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        rng = self.rng
        founders = max(1, round(math.sqrt(self.size) / 5))
        for lineage in range(founders):
            self.person(0, self.first_year + rng.randint(-3, 3), lineage=lineage)
        for founder in list(self.born_people[0]):
            self.family_life(founder, self.born_people[0])
        generation = 1
        while not self.full:
            if generation >= len(self.born_people) or not self.born_people[generation]:
                # The families died out before the size was reached: a new founder couple.
                year = self.first_year + GENERATION_YEARS * generation
                founders += 1
                founder = self.person(generation, year, lineage=founders)
                if founder is not None:
                    self.family_life(founder, [founder])
                    if not self.children[founder] and not self.full:
                        self.have_children((founder,), year + 25, 2)
                generation += 1
                continue
            people = list(self.born_people[generation])
            rng.shuffle(people)
            for person in people:
                if self.full:
                    break
                if person not in self.partnered:
                    self.family_life(person, self.born_people[generation])
            generation += 1
        return self.document()

    def index_person(self) -> str:
        """A person with parents in the generation above the youngest: a child of the family."""
        for generation in range(len(self.born_people) - 2, -1, -1):
            found = [p for p in self.born_people[generation] if self.parents[p]]
            if found:
                return self.rng.choice(sorted(found))
        return self.persons[0]["id"]

    def document(self) -> dict[str, Any]:
        rng = self.rng
        index = self.index_person()
        home = [*self.parents[index], index]
        for parent in self.parents[index]:
            home.extend(c for c in self.children[parent] if c not in home)
        home = [p for p in home if self.persons[int(p[1:]) - 1]["kind"] == "person"]
        self.household(home, None, "Koti")
        with_children = [u for u in self.unions if u.get("status", "together") == "together"]
        for union in rng.sample(with_children, min(len(with_children), len(self.unions) // 12)):
            first, second = union["partners"]
            kids = [c for c in self.children[first] if c in set(self.children[second])]
            started = union.get("started")
            self.household([first, second, *kids], int(started["date"]) if started else None)
        people = [p["id"] for p in self.persons if p["kind"] == "person"]
        ties = []
        for number in range(min(12, len(people) // 8)):
            source = index if number % 2 == 0 else rng.choice(people)
            target = rng.choice([p for p in people[:200] if p != source] or [source])
            if target == source:
                continue
            ties.append(
                {
                    "id": f"tie{number + 1:03d}",
                    "source": source,
                    "target": target,
                    "kind": rng.choice(_TIE_KINDS),
                    "quality": rng.choice(("empowering", "neutral", "burdening", "open")),
                }
            )
        network = [
            {
                "id": f"n{number + 1:03d}",
                "label": label,
                "category": category,
                "strength": rng.choice(("strong", "moderate", "tenuous")),
                "persons": [index],
            }
            for number, (label, category) in enumerate(_NETWORK[: min(8, 1 + len(people) // 20)])
        ]
        return {
            "schema_version": 1,
            "index_person": index,
            "persons": self.persons,
            "unions": self.unions,
            "parentage": self.parentage,
            "twins": self.twins,
            "households": self.households,
            "ties": ties,
            "network": network,
            "pins": {"genogram": [], "network": []},
            "note": "",
        }


def synthetic_genogram(size: int, seed: int = 0) -> dict[str, Any]:
    """A genogram document with exactly ``size`` persons, deterministic in ``size`` and ``seed``."""
    if size < 1:
        raise ValueError("A genogram has at least one person.")
    return _Builder(size, random.Random(seed)).build()  # noqa: S311 - test data, not secrets
