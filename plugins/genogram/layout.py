"""Genogram layout: where each person's symbol goes.

Deterministic and pure: the same document gives the same placements, whatever the order of its
lists (persons, unions, parentage, twins) or of the partners in a union. Only the order of
``pins`` matters, and only when two pins in one row are too close (see below).

The engine, in five steps (every step iterative, so a family thousands of generations deep
cannot exhaust the stack; all of it O(n log n)):

1. **Rows.** Partners are merged into one class (union-find) so that they share a row; the row
   of a class is its longest path from the top of the parentage graph, so every child sits
   strictly below each of its parents. A class without parents (in-laws, founders) is then
   pulled down to just above its highest child, so that an in-law's unknown ancestry does not
   stretch the drawing. A union that would put a person in the row of their own ancestor or
   descendant (someone partnering their parent's partner, say) cannot be drawn in one row:
   unions are merged in start order and one that would close such a loop is left across rows.
2. **Blocks.** The people of one class form a block: one run in their row, nobody else between
   them. A block is ordered from its root (the member with most partners, preferring a member
   with parents, then the eldest): the root's first partner to its left, later partners to its
   right in union start order (``Q1 P Q2 Q3``); a simple couple is the root then the partner.
   A partner's own other partners continue outward on its side.
3. **Families.** Every child hangs from its parents' union (``FamilyGraph.parent_union``) or,
   without one, from a parent. A block hangs under the union or parent of one member, its
   anchor (the member whose parents are nearest above). The children hanging from one union
   are packed left to right, eldest first, twins kept together at the eldest twin's place;
   sub-families are packed against each other by their row contours (Reingold-Tilford style,
   merging the smaller contour into the larger, so n log n overall). The children's run is
   centred under the union's midpoint; when a block has several unions their runs are packed
   side by side in order and, if a run cannot reach its union, the gap between the partners is
   widened until the union's midpoint lies over its children again.
4. **Parts.** Blocks that hang from nobody start trees; trees joined by a marriage or a child
   are packed beside each other on the side of the member who joins them. Disconnected parts
   are placed side by side, ``COMPONENT_SPACING`` apart: the index person's part first, then
   the larger parts, then by the smallest person id. Rows are numbered from 0 in every part.
5. **Pins.** ``pins`` (person id -> x) are taken in the dict's iteration order; a pin lands
   exactly where it says unless it is within ``MIN_SPACING`` of an earlier pin in the same row,
   in which case it moves to the nearest free x. The unpinned people of a pinned row keep their
   order and move as little as possible to clear the pins; where two pins leave too little room
   between them, the people who do not fit move right past the next pin.

A person consanguineously married (cousins, say) sits once, in one of the two families; the
line to the other is long, and drawing it is the renderer's job.

What ``tests/genogram/test_layout.py`` holds it to, on generated families of up to 300 people:
everyone placed once; children strictly below their parents and partners in one row (but for
the impossible unions above); centres in a row at least ``MIN_SPACING`` apart; nobody outside a
block between two partners, and a couple side by side; ``Q1 P Q2 Q3`` for a person whose
partners have no other partner; the children of a union or of a lone parent eldest first, twins
adjacent, in one run with only their own blocks inside it, and the union's midpoint over them
(exactly centred for a couple with no other children; within their span when the block is a
couple or one person with several partners; best effort in longer chains of partners); parts
apart, the index person's first, from x = 0; pins as described; the same placements for the
same document in any order. For a child drawn with a partner from another drawn family these
promises hold in the family it is drawn in.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plugins.genogram.family_graph import FamilyGraph
from plugins.genogram.schemas import sort_key

SYMBOL_SIZE = 40.0  # width and height of a person's square or circle
MIN_SPACING = 120.0  # least distance between two centres in a row: symbol plus its caption
ROW_HEIGHT = 160.0  # distance between generation rows
COMPONENT_SPACING = 2 * MIN_SPACING  # between unconnected parts: wider, so they read as apart

# What a family of children hangs from, as one int: union number k is 2k, person p is 2p + 1.
_NOTHING = -1


@dataclass(frozen=True)
class Placement:
    """The centre of one person's symbol and the generation row it sits in (0 = top)."""

    x: float
    y: float
    generation: int


@dataclass(frozen=True)
class GenogramLayout:
    """Every person's placement and the bounding box of the centres (not of the symbols)."""

    placements: dict[str, Placement]
    min_x: float
    min_y: float
    max_x: float
    max_y: float


def layout_genogram(graph: FamilyGraph, pins: dict[str, float] | None = None) -> GenogramLayout:
    """Place every person: generations in rows, ``pins`` (person id -> x) kept where dragged."""
    family = _Family(graph)
    if not family.ids:
        return GenogramLayout({}, 0.0, 0.0, 0.0, 0.0)
    rows, blocks = _rows(family)
    xs = _Placer(family, rows, blocks).place()
    if pins:
        _apply_pins(family, rows, xs, pins)
    placements = {
        pid: Placement(x=xs[i], y=rows[i] * ROW_HEIGHT, generation=rows[i])
        for i, pid in enumerate(family.ids)
    }
    return GenogramLayout(
        placements,
        min_x=min(xs),
        min_y=0.0,
        max_x=max(xs),
        max_y=max(rows) * ROW_HEIGHT,
    )


# --- the family as integers ---------------------------------------------------------------------


class _Family:
    """The graph's facts as lists indexed by person number (ids sorted): cheap to walk, and no
    order taken from the document's lists, so the layout is the same however they are ordered."""

    def __init__(self, graph: FamilyGraph) -> None:
        self.ids: list[str] = sorted(graph.persons)
        index = {pid: i for i, pid in enumerate(self.ids)}
        self.index = index
        n = len(self.ids)
        # Birth order (FamilyGraph.birth_order) as a rank: 0 is the eldest. Plain ints here and
        # a shared empty tuple for "none" below keep what the garbage collector has to walk
        # small, which matters more than anything else past some thousands of people.
        by_birth = sorted(range(n), key=lambda i: graph.birth_order(self.ids[i]))
        self.birth: list[int] = [0] * n
        for rank, i in enumerate(by_birth):
            self.birth[i] = rank
        self.parents: list[Sequence[int]] = [()] * n
        self.children: list[Sequence[int]] = [()] * n
        for i, pid in enumerate(self.ids):
            listed = graph.parents(pid)
            if not listed:
                continue
            known = sorted({index[p] for p in listed if p in index} - {i})
            if known:
                self.parents[i] = known
            for parent in known:
                _add(self.children, parent, i)
        # Unions in start order (undated last, then by id); one naming an unknown person or the
        # same person twice cannot be drawn as a union and is left out.
        self.unions: list[tuple[int, int]] = []
        for union in sorted(graph.unions.values(), key=_union_order):
            first, second = union["partners"]
            if first in index and second in index and first != second:
                self.unions.append((index[first], index[second]))
        # FamilyGraph.parent_union, computed here from pairs of parents: the first union (in
        # start order) whose partners are both the child's parents. (The graph's own sorts
        # every union's children by birth, which costs more than the rest of this.)
        first_union: dict[tuple[int, int], int] = {}
        for number, (a, b) in enumerate(self.unions):
            first_union.setdefault((min(a, b), max(a, b)), number)
        self.parent_union: list[int] = [-1] * n
        for child, parents in enumerate(self.parents):
            if len(parents) >= 2:
                found = [
                    first_union[pair]
                    for k, a in enumerate(parents)
                    for b in parents[k + 1 :]
                    if (pair := (a, b)) in first_union
                ]
                self.parent_union[child] = min(found, default=-1)
        self.index_person: int | None = index.get(graph.index_id)
        self.twin_set: list[str | None] = [None] * n
        for i, pid in enumerate(self.ids):
            twins = graph.twin_set(pid)
            if twins is not None:
                self.twin_set[i] = twins["id"]


def _add(lists: list[Sequence[int]], at: int, value: int) -> None:
    """Append to ``lists[at]``, which starts as the shared empty tuple."""
    found = lists[at]
    if isinstance(found, list):
        found.append(value)
    else:
        lists[at] = [value]


def _union_order(union: dict[str, Any]) -> tuple[Any, ...]:
    started = union.get("started")
    return (sort_key(started["date"] if started else None), union["id"])


def _find(parent: list[int], x: int) -> int:
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:  # path compression, iteratively
        parent[x], x = root, parent[x]
    return root


def _join(parent: list[int], a: int, b: int) -> None:
    """Union by smallest number: a class's representative is its lowest person number, so it
    does not depend on the order the unions were joined in."""
    ra, rb = _find(parent, a), _find(parent, b)
    if ra < rb:
        parent[rb] = ra
    elif rb < ra:
        parent[ra] = rb


# --- 1. rows ------------------------------------------------------------------------------------


def _rows(family: _Family) -> tuple[list[int], list[int]]:
    """Each person's generation row and block (the representative of their partner class)."""
    n = len(family.ids)
    classes = list(range(n))
    for a, b in family.unions:
        _join(classes, a, b)
    rank, stuck = _longest_paths(family, classes, force=False)
    if stuck:
        _split_impossible_unions(family, classes, stuck)
        rank, _ = _longest_paths(family, classes, force=True)
    block = [_find(classes, i) for i in range(n)]
    rows = [rank[block[i]] for i in range(n)]
    # Every unconnected part starts at row 0.
    parts = list(range(n))
    for a, b in family.unions:
        _join(parts, a, b)
    for child in range(n):
        for parent in family.parents[child]:
            _join(parts, parent, child)
    top: dict[int, int] = {}
    for i in range(n):
        part = _find(parts, i)
        top[part] = min(top.get(part, rows[i]), rows[i])
    return [rows[i] - top[_find(parts, i)] for i in range(n)], block


def _class_edges(family: _Family, classes: list[int]) -> tuple[list[int], list[Sequence[int]]]:
    n = len(family.ids)
    rep = [_find(classes, i) for i in range(n)]
    below: list[Sequence[int]] = [()] * n
    for child in range(n):
        for parent in family.parents[child]:
            _add(below, rep[parent], rep[child])
    return rep, below


def _longest_paths(
    family: _Family, classes: list[int], *, force: bool
) -> tuple[list[int], list[int]]:
    """Longest-path rank of each class (Kahn's order), and the classes caught in a cycle.

    A cycle comes from partners merged across generations; with ``force`` (after those unions
    are split off) any left, which only a parentage cycle the schema forbids could cause, is
    broken at its lowest-numbered class so the layout still ends.
    """
    n = len(family.ids)
    rep, below = _class_edges(family, classes)
    waiting = [0] * n
    for targets in below:
        for target in targets:
            waiting[target] += 1
    has_parents = [count > 0 for count in waiting]
    rank = [0] * n
    ready = [r for r in range(n) if rep[r] == r and waiting[r] == 0]
    while True:
        while ready:
            current = ready.pop()
            step = rank[current] + 1
            for target in below[current]:
                if rank[target] < step:
                    rank[target] = step
                waiting[target] -= 1
                if waiting[target] == 0:
                    ready.append(target)
        stuck = [r for r in range(n) if rep[r] == r and waiting[r] > 0]
        if not stuck or not force:
            break
        waiting[stuck[0]] = 0
        ready.append(stuck[0])
    if stuck:
        return rank, stuck
    # Parentless classes come down to just above their highest child.
    for r in range(n):
        if rep[r] == r and not has_parents[r] and below[r]:
            rank[r] = min(rank[target] for target in below[r]) - 1
    return rank, []


def _split_impossible_unions(family: _Family, classes: list[int], stuck: list[int]) -> None:
    """Re-merge the partners of each cyclic group of classes one union at a time (start order),
    leaving out a union whose partners are ancestor and descendant of each other's class."""
    n = len(family.ids)
    rep, below = _class_edges(family, classes)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        members[rep[i]].append(i)
    cyclic: set[int] = set()
    for group in _strong_components(stuck, below):
        if len(group) > 1 or group[0] in below[group[0]]:
            for r in group:
                cyclic.update(members[r])
    # Paths between classes of one cyclic group never leave it, so searching within it is exact.
    for person in cyclic:
        classes[person] = person
    held: dict[int, list[int]] = {person: [person] for person in cyclic}
    for a, b in family.unions:
        if a not in cyclic:
            continue
        ra, rb = _find(classes, a), _find(classes, b)
        if ra == rb:
            continue
        if _reaches(family, classes, held, ra, rb, cyclic) or _reaches(
            family, classes, held, rb, ra, cyclic
        ):
            continue
        _join(classes, ra, rb)
        held[min(ra, rb)].extend(held.pop(max(ra, rb)))


def _reaches(
    family: _Family,
    classes: list[int],
    held: dict[int, list[int]],
    start: int,
    goal: int,
    within: set[int],
) -> bool:
    """Whether class ``goal`` is a descendant of class ``start`` (classes as currently merged)."""
    seen = {start}
    todo = [start]
    while todo:
        for person in held[todo.pop()]:
            for child in family.children[person]:
                if child not in within:
                    continue
                target = _find(classes, child)
                if target == goal:
                    return True
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
    return False


def _strong_components(nodes: list[int], edges: list[Sequence[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components of ``nodes`` (edges leaving them ignored),
    iteratively."""
    inside = set(nodes)
    number: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    found: list[list[int]] = []
    for root in nodes:
        if root in number:
            continue
        number[root] = low[root] = len(number)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(edges[root]))]
        while work:
            node, pending = work[-1]
            advanced = False
            for target in pending:
                if target not in inside:
                    continue
                if target not in number:
                    number[target] = low[target] = len(number)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(edges[target])))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], number[target])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == number[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                found.append(group)
    return found


# --- 2.-4. blocks, families, parts --------------------------------------------------------------


class _Contour:
    """Leftmost and rightmost centre in each row of a packed sub-family, stored relative to
    ``shift``: moving a whole sub-family is one addition, not one per row."""

    __slots__ = ("rows", "shift")

    def __init__(self, rows: dict[int, list[float]], shift: float = 0.0) -> None:
        self.rows = rows
        self.shift = shift

    def extent(self) -> tuple[float, float]:
        return (
            min(lo for lo, _ in self.rows.values()) + self.shift,
            max(hi for _, hi in self.rows.values()) + self.shift,
        )


def _gap_right(left: _Contour, right: _Contour) -> float:
    """Least offset of ``right`` (in ``left``'s frame) that keeps it MIN_SPACING clear of
    ``left`` in every row both have; -inf when they share no row. Walks the smaller one."""
    best = -math.inf
    small, large = (left, right) if len(left.rows) <= len(right.rows) else (right, left)
    for row, (lo, hi) in small.rows.items():
        other = large.rows.get(row)
        if other is None:
            continue
        if small is left:
            need = hi + left.shift + MIN_SPACING - other[0] - right.shift
        else:
            need = other[1] + left.shift + MIN_SPACING - lo - right.shift
        best = max(best, need)
    return best


def _gap_left(right: _Contour, left: _Contour) -> float:
    """Greatest offset of ``left`` (in ``right``'s frame) clear of ``right``; +inf if no row
    is shared."""
    best = math.inf
    small, large = (right, left) if len(right.rows) <= len(left.rows) else (left, right)
    for row, (lo, hi) in small.rows.items():
        other = large.rows.get(row)
        if other is None:
            continue
        if small is right:
            need = lo + right.shift - MIN_SPACING - other[1] - left.shift
        else:
            need = other[0] + right.shift - MIN_SPACING - hi - left.shift
        best = min(best, need)
    return best


def _merge(base: _Contour, added: _Contour, offset: float) -> _Contour:
    """``added`` placed at ``offset`` in ``base``'s frame, merged in; the smaller contour is
    folded into the larger (which is reused), so each row entry moves O(log n) times."""
    added.shift += offset
    if len(base.rows) < len(added.rows):
        base, added = added, base
    delta = added.shift - base.shift
    rows = base.rows
    for row, (lo, hi) in added.rows.items():
        current = rows.get(row)
        if current is None:
            rows[row] = [lo + delta, hi + delta]
        else:
            current[0] = min(current[0], lo + delta)
            current[1] = max(current[1], hi + delta)
    return base


class _Shifts:
    """How far each member of a block has moved right because gaps were widened (a Fenwick tree
    of the widenings), so that widening one gap moves everyone after it in O(log k)."""

    def __init__(self, size: int) -> None:
        self.tree = [0.0] * (size + 1)

    def widen_before(self, position: int, amount: float) -> None:
        i = position + 1
        while i < len(self.tree):
            self.tree[i] += amount
            i += i & -i

    def at(self, position: int) -> float:
        total, i = 0.0, position + 1
        while i > 0:
            total += self.tree[i]
            i -= i & -i
        return total


@dataclass
class _Packed:
    """A sub-family laid out in its block's frame: its contour and the x of the member it
    hangs by."""

    contour: _Contour
    anchor_x: float


@functools.cache
def _evenly_spaced(count: int) -> list[float]:
    """Members' x in a block nothing hangs from; shared between blocks, so never changed."""
    return [p * MIN_SPACING for p in range(count)]


class _Placer:
    def __init__(self, family: _Family, rows: list[int], block: list[int]) -> None:
        self.family = family
        self.rows = rows
        self.block = block
        n = len(family.ids)
        members: dict[int, list[int]] = defaultdict(list)
        for i in range(n):
            members[block[i]].append(i)
        # Partners within the block (same row), first union first, each partner once.
        self.partners: list[Sequence[int]] = [()] * n
        self.block_unions: dict[int, list[int]] = defaultdict(list)
        seen_pairs: set[tuple[int, int]] = set()
        for number, (a, b) in enumerate(family.unions):
            if block[a] != block[b]:
                continue
            self.block_unions[block[a]].append(number)
            if (a, b) not in seen_pairs:
                seen_pairs.update(((a, b), (b, a)))
                _add(self.partners, a, b)
                _add(self.partners, b, a)
        self.hanger: list[int] = [self._hanger(i) for i in range(n)]
        self.anchor: dict[int, int] = {}
        for r, people in members.items():
            if len(people) == 1:
                if self.hanger[people[0]] != _NOTHING:
                    self.anchor[r] = people[0]
                continue
            hanging = [m for m in people if self.hanger[m] != _NOTHING]
            if hanging:
                self.anchor[r] = min(
                    hanging,
                    key=lambda m: (-self._hanger_row(m), -len(self.partners[m]), family.birth[m]),
                )
        self.order: dict[int, list[int]] = {}
        self.root: dict[int, int] = {}
        self.position = [0] * n
        for r, people in members.items():
            order = self._order_block(r, people)
            self.order[r] = order
            for k, m in enumerate(order):
                self.position[m] = k
        # Everyone hanging from each union or parent, and the blocks drawn under it.
        self.hanging: dict[int, list[int]] = defaultdict(list)
        for person, hanger in enumerate(self.hanger):
            if hanger != _NOTHING:
                self.hanging[hanger].append(person)
        self.groups: dict[int, list[int]] = defaultdict(list)
        for r in sorted(self.anchor):
            self.groups[self.hanger[self.anchor[r]]].append(r)
        for hanger, blocks in self.groups.items():
            blocks.sort(key=self._sibling_key(hanger))
        self.packed: dict[int, _Packed] = {}
        self.xs: dict[int, list[float]] = {}  # members' x in their block's frame
        self.parent_block: dict[int, int] = {}
        self.offset: dict[int, float] = {}  # a hanging block's frame in its parent block's frame

    # -- who hangs from what ------------------------------------------------------------------

    def _hanger(self, child: int) -> int:
        """What the child's line goes up to: its parents' union or, without one in a row,
        the parent in the lowest row (then the lowest number)."""
        family, rows = self.family, self.rows
        if not family.parents[child]:
            return _NOTHING
        number = family.parent_union[child]
        if number >= 0:
            a, b = family.unions[number]
            found = (
                2 * number
                if self.block[a] == self.block[b]
                else 2 * max((a, b), key=lambda p: (rows[p], -p)) + 1
            )
        else:
            found = 2 * max(family.parents[child], key=lambda p: (rows[p], -p)) + 1
        # Only a parentage cycle (which the schema forbids) could put the parent not above.
        return found if self._owner_row(found) < rows[child] else _NOTHING

    def _owner_row(self, hanger: int) -> int:
        number = hanger >> 1
        return self.rows[number if hanger & 1 else self.family.unions[number][0]]

    def _hanger_row(self, person: int) -> int:
        hanger = self.hanger[person]
        return -1 if hanger == _NOTHING else self._owner_row(hanger)

    # -- 2. a block's order ---------------------------------------------------------------------

    def _order_block(self, r: int, people: list[int]) -> list[int]:
        if len(people) == 1:  # most blocks: someone without a partner in the row
            self.root[r] = people[0]
            return people
        birth, partners = self.family.birth, self.partners
        root = min(people, key=lambda m: (-len(partners[m]), self.hanger[m] == _NOTHING, birth[m]))
        self.root[r] = root
        mine = partners[root]
        placed = {root, *mine}
        # Several partners: the first to the left, later ones to the right; one: to the right.
        left_seeds, right_seeds = (mine[:1], mine[1:]) if len(mine) >= 2 else ([], mine)
        right = self._outward(right_seeds, placed, reverse=False)
        left = self._outward(left_seeds, placed, reverse=True)
        order = [*reversed(left), root, *right]
        if len(order) < len(people):  # cannot happen: a block is joined by its unions
            order.extend(sorted(set(people) - set(order)))
        return order

    def _outward(self, seeds: list[int], placed: set[int], *, reverse: bool) -> list[int]:
        """The seeds (nearest first) each followed by their own further partners, depth first,
        in union start order away from the root."""
        out: list[int] = []
        for seed in seeds:
            out.append(seed)
            stack = [iter(self._away(seed, reverse))]
            while stack:
                person = next(stack[-1], None)
                if person is None:
                    stack.pop()
                elif person not in placed:
                    placed.add(person)
                    out.append(person)
                    stack.append(iter(self._away(person, reverse)))
        return out

    def _away(self, person: int, reverse: bool) -> Sequence[int]:
        partners = self.partners[person]
        return partners[::-1] if reverse else partners

    def _sibling_key(self, hanger: int) -> Any:
        """Eldest first; twins together, at the place of the eldest twin hanging from the same
        union or parent (even one drawn elsewhere, beside a partner from another family)."""
        birth, twin_set = self.family.birth, self.family.twin_set
        lead: dict[str, int] = {}
        for person in self.hanging[hanger]:
            twins = twin_set[person]
            if twins is not None:
                lead[twins] = min(lead.get(twins, birth[person]), birth[person])

        def key(r: int) -> tuple[int, int]:
            person = self.anchor[r]
            twins = twin_set[person]
            return (lead[twins] if twins is not None else birth[person], birth[person])

        return key

    # -- 3. families, bottom up -------------------------------------------------------------

    def _pack_children(self, blocks: list[int]) -> tuple[_Contour, float, float, list[float]]:
        """The hanging blocks side by side in order: contour, first and last child's x, and
        each block's offset (all in the frame of the first block)."""
        contour: _Contour | None = None
        offsets: list[float] = []
        first = last = -math.inf
        for r in blocks:
            packed = self.packed.pop(r)
            if contour is None:
                offset = 0.0
                contour = packed.contour
                first = packed.anchor_x
            else:
                # Clear of the elder siblings' sub-families, and right of the elder sibling even
                # when they share no row (a child drawn lower because of its partner).
                offset = max(
                    _gap_right(contour, packed.contour), last + MIN_SPACING - packed.anchor_x
                )
                contour = _merge(contour, packed.contour, offset)
            offsets.append(offset)
            last = offset + packed.anchor_x
        assert contour is not None
        return contour, first, last, offsets

    def _pack_block(self, r: int) -> None:
        order = self.order[r]
        k = len(order)
        position = self.position
        hangers: list[tuple[int, int]] = []  # (place in the block, hanger), sorted
        for number in self.block_unions.get(r, ()):
            if 2 * number in self.groups:
                a, b = self.family.unions[number]
                hangers.append((2 * (position[a] + position[b]), 2 * number))
        for m in order:
            if 2 * m + 1 in self.groups:
                hangers.append((4 * position[m] + 1, 2 * m + 1))
        if not hangers:  # most blocks: nobody hangs from them
            xs = _evenly_spaced(k)
            anchor = self.anchor.get(r)
            self.xs[r] = xs
            self.packed[r] = _Packed(
                _Contour({self.rows[r]: [0.0, xs[-1]]}),
                xs[position[anchor]] if anchor is not None else 0.0,
            )
            return
        hangers.sort()
        shifts = _Shifts(k)  # all zero unless a gap is widened

        def x_at(p: int) -> float:
            return p * MIN_SPACING + shifts.at(p)

        contour: _Contour | None = None
        last = -math.inf
        for _, hanger in hangers:
            blocks = self.groups[hanger]
            children, first, final, offsets = self._pack_children(blocks)
            is_union, number = not hanger & 1, hanger >> 1
            if is_union:
                a, b = self.family.unions[number]
                near, far = sorted((position[a], position[b]))
                target = (x_at(near) + x_at(far)) / 2
            else:
                near = far = position[number]
                target = x_at(near)
            offset = target - (first + final) / 2  # centred under the union
            if contour is not None:
                offset = max(offset, _gap_right(contour, children), last + MIN_SPACING - first)
                if is_union and offset + first > target:
                    # The children cannot reach under their union: widen the gap before its
                    # right partner so that the union's midpoint is over its first child.
                    shifts.widen_before(far, 2 * (offset + first - target))
            contour = (
                _merge(contour, children, offset)
                if contour is not None
                else _Contour(children.rows, children.shift + offset)
            )
            last = offset + final
            for child, child_offset in zip(blocks, offsets, strict=True):
                self.parent_block[child] = r
                self.offset[child] = offset + child_offset
        xs = [x_at(p) for p in range(k)]
        row = self.rows[r]
        if contour is None:
            contour = _Contour({row: [xs[0], xs[-1]]})
        else:
            contour.rows[row] = [xs[0] - contour.shift, xs[-1] - contour.shift]
        anchor = self.anchor.get(r)
        anchor_x = xs[position[anchor]] if anchor is not None else xs[0]
        self.packed[r] = _Packed(contour, anchor_x)
        self.xs[r] = xs

    # -- 4. trees and parts ---------------------------------------------------------------------

    def place(self) -> list[float]:
        """Every person's x, parts side by side from x = 0."""
        family, rows = self.family, self.rows
        n = len(family.ids)
        reps = sorted(self.order, key=lambda r: (-rows[r], r))
        for r in reps:  # deepest rows first: a block's children are all below it
            self._pack_block(r)
        roots = [r for r in reps if r not in self.anchor]
        tree_of: dict[int, int] = {}
        for r in reversed(reps):  # top rows first: a block's parent block is above it
            tree_of[r] = r if r not in self.anchor else tree_of[self.parent_block[r]]
        links = self._links(tree_of)
        size: dict[int, int] = defaultdict(int)
        for r, order in self.order.items():
            size[tree_of[r]] += len(order)
        index_tree = (
            tree_of[self.block[family.index_person]] if family.index_person is not None else -1
        )
        frame: dict[int, float] = {}  # a tree root block's frame in its part's frame
        parts: list[tuple[tuple[Any, ...], list[int]]] = []
        seen: set[int] = set()
        for root in sorted(roots):
            if root in seen:
                continue
            trees = self._connected(root, links, seen)
            primary = index_tree if index_tree in trees else min(trees, key=lambda t: (-size[t], t))
            self._pack_trees(primary, links, frame)
            people = sum(size[t] for t in trees)
            parts.append(((index_tree not in trees, -people, min(trees)), trees))
        parts.sort()
        block_x: dict[int, float] = {}
        for r in reversed(reps):
            block_x[r] = (
                frame[r] if r not in self.anchor else block_x[self.parent_block[r]] + self.offset[r]
            )
        xs = [0.0] * n
        for r, order in self.order.items():
            for m, x in zip(order, self.xs[r], strict=True):
                xs[m] = block_x[r] + x
        # Parts side by side by their bounding boxes, the first starting at x = 0.
        part_of_tree = {t: number for number, (_, trees) in enumerate(parts) for t in trees}
        low = [math.inf] * len(parts)
        high = [-math.inf] * len(parts)
        for i in range(n):
            part = part_of_tree[tree_of[self.block[i]]]
            low[part] = min(low[part], xs[i])
            high[part] = max(high[part], xs[i])
        shift, edge = [0.0] * len(parts), 0.0
        for number in range(len(parts)):
            shift[number] = edge - low[number]
            edge = high[number] + shift[number] + COMPONENT_SPACING
        return [xs[i] + shift[part_of_tree[tree_of[self.block[i]]]] for i in range(n)]

    def _links(self, tree_of: dict[int, int]) -> dict[int, list[tuple[int, int, int]]]:
        """Marriages and parentage between trees: (person in this tree, person there, tree)."""
        family, block = self.family, self.block
        found: dict[int, list[tuple[int, int, int]]] = defaultdict(list)

        def link(a: int, b: int) -> None:
            ta, tb = tree_of[block[a]], tree_of[block[b]]
            if ta != tb:
                found[ta].append((a, b, tb))
                found[tb].append((b, a, ta))

        for a, b in family.unions:
            link(a, b)
        for child, parents in enumerate(family.parents):
            for parent in parents:
                link(parent, child)
        for targets in found.values():
            targets.sort()
        return found

    @staticmethod
    def _connected(
        root: int, links: dict[int, list[tuple[int, int, int]]], seen: set[int]
    ) -> list[int]:
        trees, todo = [root], [root]
        seen.add(root)
        while todo:
            for _, _, other in links.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    trees.append(other)
                    todo.append(other)
        return trees

    def _pack_trees(
        self, primary: int, links: dict[int, list[tuple[int, int, int]]], frame: dict[int, float]
    ) -> None:
        """Trees of one part packed around the primary one, breadth first, each on the side of
        the person who joins it to a tree already placed."""
        contour = self.packed.pop(primary).contour
        frame[primary] = 0.0
        todo = deque([primary])
        while todo:
            tree = todo.popleft()
            for person, _, other in links.get(tree, ()):
                if other in frame:
                    continue
                added = self.packed.pop(other).contour
                block = self.block[person]
                reference = self.anchor.get(block, self.root[block])
                if self.position[person] < self.position[reference]:
                    offset = _gap_left(contour, added)
                    if offset == math.inf:
                        offset = contour.extent()[0] - MIN_SPACING - added.extent()[1]
                else:
                    offset = _gap_right(contour, added)
                    if offset == -math.inf:
                        offset = contour.extent()[1] + MIN_SPACING - added.extent()[0]
                contour = _merge(contour, added, offset)
                frame[other] = offset
                todo.append(other)


# --- 5. pins ------------------------------------------------------------------------------------


def _apply_pins(
    family: _Family, rows: list[int], xs: list[float], pins: Mapping[str, float]
) -> None:
    """Pinned people to their x (earlier pins first), the rest of their rows out of the way."""
    taken: dict[int, list[float]] = defaultdict(list)  # accepted pins per row, sorted
    pinned: set[int] = set()
    for person_id, wanted in pins.items():
        person = family.index.get(person_id)
        if person is None or person in pinned or not math.isfinite(wanted):
            continue
        row = taken[rows[person]]
        spot = _free_spot(row, float(wanted))
        bisect.insort(row, spot)
        xs[person] = spot
        pinned.add(person)
    crowd: dict[int, list[int]] = defaultdict(list)
    for person, row in enumerate(rows):
        if row in taken and person not in pinned:
            crowd[row].append(person)
    for row, people in crowd.items():
        people.sort(key=lambda p: (xs[p], p))
        for person, x in zip(people, _clear_of(taken[row], [xs[p] for p in people]), strict=True):
            xs[person] = x


def _free_spot(taken: list[float], wanted: float) -> float:
    """``wanted`` if no accepted pin is within MIN_SPACING of it, else the nearest x that is
    clear (the right one on a tie). Walks outward by index, so float rounding cannot make it
    find the same pin twice."""
    first = last = bisect.bisect_left(taken, wanted)
    while first > 0 and wanted - taken[first - 1] < MIN_SPACING:
        first -= 1
    while last < len(taken) and taken[last] - wanted < MIN_SPACING:
        last += 1
    if first == last:
        return wanted
    right, after = taken[last - 1] + MIN_SPACING, last
    while after < len(taken) and taken[after] - right < MIN_SPACING:
        right, after = taken[after] + MIN_SPACING, after + 1
    left, before = taken[first] - MIN_SPACING, first - 1
    while before >= 0 and left - taken[before] < MIN_SPACING:
        left, before = taken[before] - MIN_SPACING, before - 1
    return left if wanted - left < right - wanted else right


def _clear_of(fixed: list[float], targets: list[float]) -> list[float]:
    """New x for people wanting ``targets`` (ascending, MIN_SPACING apart), in the same order,
    MIN_SPACING clear of each other and of ``fixed``, each moved as little as possible.

    Each person goes to the gap between pins their target is in; a gap that cannot hold its
    people passes the rightmost ones on to the next gap. Within a gap, the least-squares
    solution is the targets clamped to the gap (targets already keep their distance)."""
    gaps = len(fixed) + 1
    counts = [0] * gaps
    for target in targets:
        counts[bisect.bisect_left(fixed, target)] += 1
    carried = 0
    for gap in range(gaps):
        counts[gap] += carried
        if 0 < gap < gaps - 1:
            room = max(0, math.floor((fixed[gap] - fixed[gap - 1]) / MIN_SPACING) - 1)
            carried = max(0, counts[gap] - room)
            counts[gap] -= carried
        else:
            carried = 0
    placed: list[float] = []
    start = 0
    for gap in range(gaps):
        chunk = targets[start : start + counts[gap]]
        start += counts[gap]
        low = fixed[gap - 1] + MIN_SPACING if gap > 0 else -math.inf
        high = fixed[gap] - len(chunk) * MIN_SPACING if gap < gaps - 1 else math.inf
        previous = -math.inf
        for k, target in enumerate(chunk):
            y = min(max(target - k * MIN_SPACING, low, previous), high)
            previous = y
            placed.append(y + k * MIN_SPACING)
    return placed
