"""The genogram as an accessible SVG: each person's symbol where the layout puts it, and the lines
of unions, parenthood, households and emotional ties between them.

Layers are drawn bottom to top: households, unions, children, ties, then persons, so a person's
white-filled symbol and haloed caption stay readable over any line that crosses them.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from datetime import date
from typing import Any

from lxml import etree

from plugin_host.api import gettext
from plugins.genogram import vocabulary as v
from plugins.genogram.family_graph import FamilyGraph
from plugins.genogram.labels import (
    EN_DASH,
    age_text,
    display_name,
    full_name,
    hidden,
    household_label,
    marker_counts,
    person_label,
    sex_at_birth_differs,
    summary,
    tie_label,
    union_label,
)
from plugins.genogram.layout import MIN_SPACING, Placement, layout_genogram
from plugins.genogram.schemas import sort_key
from plugins.genogram.svg_avatars import avatar_for, draw_avatar
from plugins.genogram.svg_base import (
    INK,
    arrow_marker,
    arrow_stub,
    haloed_text,
    number,
    root,
    sub,
    truncate,
)
from plugins.genogram.svg_legend import legend_group, ordered_keys, standalone_legend
from plugins.genogram.svg_notation import (
    HALF,
    HOUSEHOLD_COLOURS,
    HOUSEHOLD_DASH,
    INDEX_RING,
    MARK_OFFSET,
    TIE_COLOURS,
    angle_of,
    brackets,
    child_line,
    confidential_glyph,
    count,
    cross,
    extent,
    gender_key,
    gender_shape,
    question,
    resource_glyph,
    sex_mark,
    shape,
    third_party_glyph,
    tie_glyph,
    tie_marker_id,
    tie_pattern,
    union_line,
    worry_glyph,
)

MARGIN_X = 100.0
MARGIN_TOP = 60.0
MARGIN_BOTTOM = 80.0
NAME_Y = HALF + 30  # caption baselines, below the union line that leaves the symbol's bottom
YEARS_Y = HALF + 43
NAME_CHARACTERS = 18
SIBLING_GAP = 22.0  # from the top of the children's row up to their sibling line
LEVEL_STEP = 9.0  # between horizontal lines above one row, so no two run along each other
LEVELS = 6
PARENTAGE_ORDER = {kind: rank for rank, kind in enumerate(v.PARENTAGE_KINDS)}


def genogram_svg(
    genogram: dict[str, Any],
    *,
    today: date | None = None,
    avatars: bool = False,
    family_view: bool = False,
    legend: bool = False,
    id_prefix: str = "genogram",
) -> etree._Element:
    """The genogram drawing of a loaded ``genogram`` document.

    ``avatars`` draws friendly pictures instead of the notation (with a child); ``family_view``
    leaves out confidential persons' names and markers; ``legend`` adds the notation legend
    below the drawing (``legend_svg`` gives it on its own).
    """
    return render_genogram(
        genogram,
        today=today,
        avatars=avatars,
        family_view=family_view,
        legend=legend,
        id_prefix=id_prefix,
    )[0]


def legend_svg(
    genogram: dict[str, Any],
    *,
    today: date | None = None,
    avatars: bool = False,
    family_view: bool = False,
    id_prefix: str = "genogram-legend",
) -> etree._Element:
    """The genogram's notation legend as an SVG of its own: only what the drawing uses."""
    _svg, keys = render_genogram(
        genogram, today=today, avatars=avatars, family_view=family_view, id_prefix=id_prefix
    )
    return standalone_legend(keys, id_prefix=id_prefix)


def render_genogram(
    genogram: dict[str, Any],
    *,
    today: date | None = None,
    avatars: bool = False,
    family_view: bool = False,
    legend: bool = False,
    id_prefix: str = "genogram",
) -> tuple[etree._Element, list[str]]:
    """The drawing and the notation keys it used (what its legend lists), in legend order."""
    drawing = _Drawing(genogram, today or date.today(), avatars, family_view, id_prefix)
    svg = drawing.draw()
    keys = drawing.used_keys()
    if legend:
        x, y, width, height = drawing.bounds
        group = sub(svg, "g", transform=f"translate({number(x + 20)} {number(y + height)})")
        legend_width, legend_height = legend_group(group, keys, id_prefix=id_prefix)
        drawing.set_bounds(svg, (x, y, max(width, legend_width + 40), height + legend_height + 20))
    return svg, keys


class _Drawing:
    def __init__(
        self, genogram: dict[str, Any], today: date, avatars: bool, family_view: bool, prefix: str
    ) -> None:
        self.genogram = genogram
        self.graph = FamilyGraph(genogram)
        self.today = today
        self.avatars = avatars
        self.family_view = family_view
        self.prefix = prefix
        pins = {pin["id"]: pin["x"] for pin in (genogram.get("pins") or {}).get("genogram", [])}
        self.layout = layout_genogram(self.graph, pins)
        self.places: dict[str, Placement] = {
            pid: place for pid, place in self.layout.placements.items() if pid in self.graph.persons
        }
        self.keys: set[str] = set()
        self.bars: dict[str, float] = {}
        self.markers: set[str] = set()
        self.bounds = self._bounds()

    # -- the document ----------------------------------------------------------------------

    def draw(self) -> etree._Element:
        graph = self.graph
        svg = root(
            bounds=self.bounds,
            title=gettext(
                "Genogram of %(child)s",
                child=display_name(graph, graph.index_id, self.family_view),
            ),
            desc=summary(graph, family_view=self.family_view),
            roledescription=gettext("genogram"),
            id_prefix=self.prefix,
        )
        self.defs = sub(svg, "defs")
        self._households(sub(svg, "g", data_layer="households"))
        self._unions(sub(svg, "g", data_layer="unions"))
        self._children(sub(svg, "g", data_layer="children", aria_hidden="true"))
        self._ties(sub(svg, "g", data_layer="ties"))
        persons = sub(svg, "g", data_layer="persons")
        for pid in self.graph.persons:
            if pid in self.places:
                self._person(persons, pid)
        if not len(self.defs):
            svg.remove(self.defs)
        return svg

    def _bounds(self) -> tuple[float, float, float, float]:
        layout = self.layout
        xs = [p.x for p in self.places.values()] + [layout.min_x, layout.max_x]
        ys = [p.y for p in self.places.values()] + [layout.min_y, layout.max_y]
        x0, y0 = min(xs) - MARGIN_X, min(ys) - MARGIN_TOP
        return (x0, y0, max(xs) + MARGIN_X - x0, max(ys) + MARGIN_BOTTOM - y0)

    def set_bounds(self, svg: etree._Element, bounds: tuple[float, float, float, float]) -> None:
        self.bounds = bounds
        svg.set("width", number(bounds[2]))
        svg.set("height", number(bounds[3]))
        svg.set("viewBox", " ".join(number(n) for n in bounds))

    def used_keys(self) -> list[str]:
        return ordered_keys(self.keys)

    def extent(self, pid: str) -> float:
        return extent(
            self.graph.persons[pid], index=pid == self.graph.index_id, avatars=self.avatars
        )

    # -- households ------------------------------------------------------------------------

    def _households(self, layer: etree._Element) -> None:
        """A dashed outline around each current household's members, one box per row run."""
        rows: dict[float, list[str]] = defaultdict(list)
        for pid, place in self.places.items():
            rows[place.y].append(pid)
        for row in rows.values():
            row.sort(key=lambda pid: (self.places[pid].x, pid))
        for number_of, household in enumerate(self.graph.current_households()):
            members = {
                m
                for m in household["members"]
                if m in self.places and not hidden(self.graph, m, self.family_view)
            }
            if not members:
                continue
            colour = HOUSEHOLD_COLOURS[number_of % len(HOUSEHOLD_COLOURS)]
            group = sub(
                layer,
                "g",
                data_household_id=household["id"],
                role="graphics-symbol",
                aria_label=household_label(self.graph, household, family_view=self.family_view),
                fill="none",
                stroke=colour,
                stroke_width=1.8,
                stroke_dasharray=HOUSEHOLD_DASH,
            )
            self.keys.add("household")
            grow = 6.0 * (number_of % 4)
            boxes = []
            for y in sorted(rows):
                run: list[str] = []
                for pid in [*rows[y], None]:
                    if pid is not None and pid in members:
                        run.append(pid)
                        continue
                    if run:
                        boxes.append(self._household_box(group, run, y, grow))
                        run = []
            for (x1, y1, w1, h1), (x2, y2, w2, _h2) in itertools.pairwise(boxes):
                if y2 > y1 + h1:  # the next row down: join bottom to top
                    points = [(x1 + w1 / 2, y1 + h1), (x2 + w2 / 2, y2)]
                else:
                    points = [(x1 + w1, y1 + h1 / 2), (x2, y2 + h1 / 2)]
                sub(
                    group,
                    "path",
                    d=f"M{number(points[0][0])} {number(points[0][1])} "
                    f"L{number(points[1][0])} {number(points[1][1])}",
                )

    def _household_box(
        self, group: etree._Element, run: list[str], y: float, grow: float
    ) -> tuple[float, float, float, float]:
        reach = MIN_SPACING * 0.45 + grow
        x = min(self.places[p].x for p in run) - reach
        width = max(self.places[p].x for p in run) + reach - x
        top = y - HALF - INDEX_RING - 10 - grow
        height = YEARS_Y + 8 + grow - (top - y)
        sub(group, "rect", x=x, y=top, width=width, height=height, rx=14)
        return (x, top, width, height)

    # -- unions ----------------------------------------------------------------------------

    def _sorted_unions(self) -> list[dict[str, Any]]:
        def order(union: dict[str, Any]) -> tuple[Any, ...]:
            started = union.get("started")
            return (sort_key(started["date"] if started else None), union["id"])

        return sorted(self.graph.unions.values(), key=order)

    def _unions(self, layer: etree._Element) -> None:
        for union in self._sorted_unions():
            if not all(p in self.places for p in union["partners"]):
                continue
            left, right = sorted(union["partners"], key=lambda p: (self.places[p].x, p))
            lp, rp = self.places[left], self.places[right]
            left_bottom, right_bottom = lp.y + self.extent(left), rp.y + self.extent(right)
            bar = max(left_bottom, right_bottom) + 10
            self.bars[union["id"]] = bar
            group = sub(
                layer,
                "g",
                data_union_id=union["id"],
                role="graphics-symbol",
                aria_label=union_label(self.graph, union, family_view=self.family_view),
            )
            self.keys.update(
                union_line(
                    group,
                    (lp.x, left_bottom),
                    (rp.x, right_bottom),
                    bar,
                    kind=union.get("kind", "marriage"),
                    status=union.get("status", "together"),
                )
            )
            years = _union_years(union)
            if years:
                sub(
                    group,
                    "text",
                    years,
                    # Right of the middle: the ending's slashes are left of it.
                    x=(lp.x + rp.x) / 2 + 3,
                    y=bar - 3,
                    text_anchor="start",
                    font_size=9,
                    fill=INK,
                    aria_hidden="true",
                )

    # -- children --------------------------------------------------------------------------

    def _children(self, layer: etree._Element) -> None:
        """Children under their parents' union where both links are of one kind; every other
        link of parenthood drops from that parent alone."""
        graph = self.graph
        best: dict[str, tuple[int, int, str]] = {}
        for order, union in enumerate(self._sorted_unions()):
            if union["id"] not in self.bars:
                continue
            first, second = union["partners"]
            for child in graph.union_children(union):
                kind = graph.parentage[first, child]["kind"]
                if child not in self.places or graph.parentage[second, child]["kind"] != kind:
                    continue
                candidate = (PARENTAGE_ORDER.get(kind, 99), order, union["id"])
                best[child] = min(best.get(child, candidate), candidate)
        under: dict[str, list[str]] = defaultdict(list)
        for child, (_rank, _order, union_id) in best.items():
            under[union_id].append(child)
        covered = {(p, c) for c, found in best.items() for p in graph.unions[found[2]]["partners"]}
        taken: Counter[float] = Counter()
        for union in self._sorted_unions():
            if union["id"] in under:
                self._union_children(layer, union, under[union["id"]], taken)
        for (parent, child), link in sorted(graph.parentage.items()):
            if (parent, child) in covered or parent not in self.places or child not in self.places:
                continue
            self._single_parent(layer, parent, child, link["kind"], taken)

    def _level(self, row_y: float, taken: Counter[float]) -> float:
        """The next free height for a horizontal line above the row of children at ``row_y``."""
        level = row_y - HALF - INDEX_RING - SIBLING_GAP - LEVEL_STEP * (taken[row_y] % LEVELS)
        taken[row_y] += 1
        return level

    def _union_children(
        self, layer: etree._Element, union: dict[str, Any], kids: list[str], taken: Counter[float]
    ) -> None:
        graph, places = self.graph, self.places
        first, second = union["partners"]
        mid = (places[first].x + places[second].x) / 2
        bar = self.bars[union["id"]]
        kids = sorted(kids, key=lambda c: (places[c].x, c))
        sibling_y = max(self._level(min(places[c].y for c in kids), taken), bar + 8)
        group = sub(layer, "g", data_children_of=union["id"])
        anchors = {c: places[c].x for c in kids}
        twins: dict[str, list[str]] = defaultdict(list)
        for child in kids:
            found = graph.twin_set(child)
            if found:
                twins[found["id"]].append(child)
        twins = {tid: members for tid, members in twins.items() if len(members) > 1}
        for members in twins.values():
            apex = sum(places[m].x for m in members) / len(members)
            anchors.update(dict.fromkeys(members, apex))
        xs = [*anchors.values(), mid]
        child_line(group, [(mid, bar), (mid, sibling_y)], "biological")
        if max(xs) - min(xs) > 0.5:
            child_line(group, [(min(xs), sibling_y), (max(xs), sibling_y)], "biological")
        for child in kids:
            kind = graph.parentage[first, child]["kind"]
            self.keys.add(f"child:{kind}")
            top = places[child].y - self.extent(child)
            child_line(
                group, [(anchors[child], sibling_y), (places[child].x, top)], kind, data_child=child
            )
        for members in twins.values():
            self._twin_mark(group, members, anchors[members[0]], sibling_y)

    def _twin_mark(
        self, group: etree._Element, members: list[str], apex: float, sibling_y: float
    ) -> None:
        kind = self.graph.twin_set(members[0]).get("kind", "unknown")  # type: ignore[union-attr]
        self.keys.add(f"twins:{kind}")
        if kind == "identical":
            ends = []
            for member in (members[0], members[-1]):
                place = self.places[member]
                top = place.y - self.extent(member)
                ends.append((apex + (place.x - apex) * 0.45, sibling_y + (top - sibling_y) * 0.45))
            sub(
                group,
                "path",
                d=f"M{number(ends[0][0])} {number(ends[0][1])} "
                f"L{number(ends[1][0])} {number(ends[1][1])}",
                stroke=INK,
                stroke_width=1.6,
            )
        elif kind == "unknown":
            question(group, apex + 10, sibling_y + 16, size=11)

    def _single_parent(
        self, layer: etree._Element, parent: str, child: str, kind: str, taken: Counter[float]
    ) -> None:
        """A line from one parent alone: down, across above the child's row, down to the child."""
        source, target = self.places[parent], self.places[child]
        start = source.y + self.extent(parent)
        top = target.y - self.extent(child)
        level = self._level(target.y, taken)
        if level > start + 10:
            points = [(source.x, start), (source.x, level), (target.x, level), (target.x, top)]
        else:  # the layout put the child beside or above the parent: a straight line will do
            points = [(source.x, start), (target.x, top)]
        self.keys.add(f"child:{kind}")
        child_line(layer, points, kind, data_parent=parent, data_child=child)

    # -- emotional ties --------------------------------------------------------------------

    def _ties(self, layer: etree._Element) -> None:
        ties = [
            t
            for t in self.genogram.get("ties") or ()
            if t["source"] in self.places and t["target"] in self.places
        ]
        per_pair = Counter(frozenset((t["source"], t["target"])) for t in ties)
        drawn: Counter[frozenset[str]] = Counter()
        for tie in ties:
            pair = frozenset((tie["source"], tie["target"]))
            offset = (drawn[pair] - (per_pair[pair] - 1) / 2) * 13
            drawn[pair] += 1
            self._tie(layer, tie, offset)

    def _tie(self, layer: etree._Element, tie: dict[str, Any], offset: float) -> None:
        kind = tie["kind"]
        group = sub(
            layer,
            "g",
            data_tie_id=tie["id"],
            data_kind=kind,
            role="graphics-symbol",
            aria_label=tie_label(self.graph, tie, family_view=self.family_view),
        )
        self.keys.add(f"tie:{kind}")
        a, b = self.places[tie["source"]], self.places[tie["target"]]
        dx, dy = b.x - a.x, b.y - a.y
        distance = math.hypot(dx, dy)
        start = self.extent(tie["source"]) + 6
        length = distance - start - self.extent(tie["target"]) - 6
        if length < 12:  # symbols touching: nothing to draw, the label still tells
            return
        frame = sub(
            group,
            "g",
            transform=f"translate({number(a.x)} {number(a.y)}) rotate({number(angle_of(dx, dy))}) "
            f"translate({number(start)} {number(offset)})",
        )
        tie_pattern(frame, kind, length)
        direction = tie.get("direction", "mutual")
        if direction != "mutual":
            marker = self._marker(kind)
            if direction == "from_to":
                arrow_stub(frame, (length - 1, 0), (length, 0), marker, TIE_COLOURS[kind])
            else:
                arrow_stub(frame, (1, 0), (0, 0), marker, TIE_COLOURS[kind])
            self.keys.add("tie:direction")
        ux, uy = dx / distance, dy / distance
        along = start + length / 2
        tie_glyph(group, kind, a.x + ux * along - uy * offset, a.y + uy * along + ux * offset)

    def _marker(self, kind: str) -> str:
        marker_id = tie_marker_id(self.prefix, kind)
        if marker_id not in self.markers:
            self.markers.add(marker_id)
            arrow_marker(self.defs, marker_id, TIE_COLOURS[kind])
        return marker_id

    # -- persons ---------------------------------------------------------------------------

    def _person(self, layer: etree._Element, pid: str) -> None:
        graph = self.graph
        person = graph.persons[pid]
        place = self.places[pid]
        is_hidden = hidden(graph, pid, self.family_view)
        group = sub(
            layer,
            "g",
            id=f"person-{pid}",
            role="graphics-symbol",
            aria_label=person_label(graph, pid, self.today, family_view=self.family_view),
            tabindex=0,
            data_person_id=pid,
            data_x=float(place.x),
            data_y=float(place.y),
            data_generation=place.generation,
            transform=f"translate({number(place.x)} {number(place.y)})",
        )
        self._symbol(group, pid, person)
        self._marks(group, person, show_markers=not is_hidden)
        name = "" if is_hidden else truncate(full_name(person), NAME_CHARACTERS)
        if name:
            haloed_text(group, name, 0, NAME_Y)
        years = years_caption(person, self.today)
        if years:
            haloed_text(group, years, 0, YEARS_Y if name else NAME_Y, size=10)

    def _symbol(self, group: etree._Element, pid: str, person: dict[str, Any]) -> None:
        kind = person.get("kind", "person")
        gender = person.get("gender_identity", "unknown")
        deceased = person.get("vital_status") == "deceased"
        index = pid == self.graph.index_id
        if self.avatars:
            draw_avatar(group, avatar_for(person, self.today), HALF, deceased=deceased)
            if index:
                shape(group, "circle", HALF + INDEX_RING, fill="none").set("data-mark", "index")
            if deceased:
                self.keys.add("avatar:deceased")
        elif kind == "person":
            outline = gender_shape(gender)
            shape(group, outline, HALF)
            self.keys.add(gender_key(gender))
            if gender == "unknown":
                question(group, 0, 0)
            if index:
                shape(group, outline, HALF + INDEX_RING, fill="none").set("data-mark", "index")
            if deceased:
                cross(group, self.extent(pid) - (INDEX_RING if index else 0) + 4)
                self.keys.add("person:deceased")
        elif kind == "pregnancy":
            shape(group, "triangle", HALF * 0.8)
            self.keys.add("person:pregnancy")
        elif kind == "miscarriage":
            sub(group, "circle", cx=0, cy=0, r=HALF * 0.35, fill=INK)
            self.keys.add("person:miscarriage")
        else:  # stillbirth
            shape(group, gender_shape(gender), HALF * 0.55)
            cross(group, self.extent(pid) + 4)
            self.keys.add("person:stillbirth")
        if index:
            self.keys.add("person:index")
        adopted = any(
            self.graph.parentage[parent, pid]["kind"] == "adoptive"
            for parent in self.graph.parents(pid)
        )
        if adopted:
            brackets(group, HALF + (INDEX_RING if index else 0))
            self.keys.add("child:adoptive")

    def _marks(self, group: etree._Element, person: dict[str, Any], *, show_markers: bool) -> None:
        """Small marks around the symbol: flags at the left, markers at the right."""
        left, right = -MARK_OFFSET, MARK_OFFSET
        top, middle, bottom = -HALF + 5, -HALF + 21, HALF - 4
        kind = person.get("kind", "person")
        if person.get("confidential"):
            confidential_glyph(group, left, top)
            self.keys.add("person:confidential")
        if person.get("third_party"):
            third_party_glyph(group, left, middle)
            self.keys.add("person:third_party")
        if not self.avatars and kind in {"person", "stillbirth"} and sex_at_birth_differs(person):
            sex_mark(group, person["sex_at_birth"], left, bottom)
            self.keys.add("person:sex_at_birth")
        if show_markers:
            counts = marker_counts(person)
            rows = iter((top, middle))
            if counts["worry"]:
                y = next(rows)
                worry_glyph(group, right, y)
                count(group, counts["worry"], right, y)
                self.keys.add("person:worry")
            if counts["resource"]:
                y = next(rows)
                resource_glyph(group, right, y)
                count(group, counts["resource"], right, y)
                self.keys.add("person:resource")
        if kind == "person" and person.get("vital_status") == "unknown":
            question(group, right, bottom, size=12)
            self.keys.add("person:vital_unknown")


def _approximate_year(fuzzy: dict[str, Any]) -> str:
    return ("~" if fuzzy.get("approximate") else "") + fuzzy["date"][:4]


def years_caption(person: dict[str, Any], today: date) -> str:
    """The caption under a symbol: "1990 (34)", "1950-2019", "~1950", "due 2025-03"."""
    kind = person.get("kind", "person")
    born, died = person.get("born"), person.get("died")
    if kind == "pregnancy":
        return gettext("due %(date)s", date=born["date"]) if born else ""
    if kind in {"miscarriage", "stillbirth"}:
        when = born or died
        return _approximate_year(when) if when else ""
    if person.get("vital_status") == "deceased":
        if not (born or died):
            return ""
        return EN_DASH.join(_approximate_year(d) if d else "?" for d in (born, died))
    if not born:
        return ""
    age = age_text(born, today) if person.get("vital_status", "alive") == "alive" else ""
    return f"{_approximate_year(born)} ({age})" if age else _approximate_year(born)


def _union_years(union: dict[str, Any]) -> str:
    started = union.get("started")
    status = union.get("status", "together")
    ended = union.get(status) if status != "together" else None
    if not (started or ended):
        return ""
    begin = _approximate_year(started) if started else ""
    return f"{begin}{EN_DASH}{_approximate_year(ended)}" if ended else begin
