"""The genogram as an accessible SVG: each person's symbol where the layout puts it, and the lines
of unions, parenthood, households and emotional ties between them.

Layers are drawn bottom to top: households, unions, children, ties, then persons, so a person's
white-filled symbol and haloed caption stay readable over any line that crosses them.

A drawing of 500 people has thousands of elements, so it is built with care for speed (the issue
asks for layout and SVG of 500 people in under 50 ms): what many elements share is set once on
their layer (the paint of the lines of unions and parenthood, the captions' anchor and size);
persons who look alike are drawn once and copied (``_person_template``); each message is
translated once per drawing (``labels.translated_once``).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from datetime import date
from typing import Any, NamedTuple

from lxml import etree

from plugins.genogram import vocabulary as v
from plugins.genogram.family_graph import FamilyGraph
from plugins.genogram.labels import (
    EN_DASH,
    age_text,
    display_name,
    full_name,
    gettext,
    hidden,
    household_label,
    marker_counts,
    person_label,
    sex_at_birth_differs,
    summary,
    tie_label,
    translated_once,
    union_label,
)
from plugins.genogram.layout import MIN_SPACING, Placement, layout_genogram
from plugins.genogram.schemas import sort_key
from plugins.genogram.svg_avatars import avatar_for, draw_avatar
from plugins.genogram.svg_base import (
    FONT_SIZE,
    INK,
    SVG_NS,
    arrow_marker,
    arrow_stub,
    element,
    haloed_text,
    number,
    root,
    sub,
    svg_tag,
    truncate,
)
from plugins.genogram.svg_legend import legend_group, ordered_keys, standalone_legend
from plugins.genogram.svg_notation import (
    CHILD_LINE_PAINT,
    HALF,
    HOUSEHOLD_COLOURS,
    HOUSEHOLD_DASH,
    INDEX_RING,
    MARK_OFFSET,
    TIE_COLOURS,
    UNION_LINE_PAINT,
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
CAPTION_ANCHOR = "middle"
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
    with translated_once():
        drawing = _Drawing(genogram, today or date.today(), avatars, family_view, id_prefix)
        svg = drawing.draw()
        keys = drawing.used_keys()
        if legend:
            x, y, width, height = drawing.bounds
            group = sub(svg, "g", transform=f"translate({number(x + 20)} {number(y + height)})")
            legend_width, legend_height = legend_group(group, keys, id_prefix=id_prefix)
            drawing.set_bounds(
                svg, (x, y, max(width, legend_width + 40), height + legend_height + 20)
            )
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
        self._templates: dict[tuple[_Look, bool, bool], Any] = {}  # see _person_template
        self._extents: dict[str, float] = {}
        self._unions_in_order: list[dict[str, Any]] | None = None
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
        self._unions(element(svg, "g", {"data-layer": "unions", **UNION_LINE_PAINT}))
        # The lines of parenthood are many: their common paint is set once, here.
        self._children(
            element(svg, "g", {"data-layer": "children", "aria-hidden": "true", **CHILD_LINE_PAINT})
        )
        self._ties(sub(svg, "g", data_layer="ties"))
        # The captions' anchor and size, set once for them all.
        persons = sub(
            svg, "g", data_layer="persons", text_anchor=CAPTION_ANCHOR, font_size=FONT_SIZE
        )
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
        found = self._extents.get(pid)
        if found is None:
            found = self._extents[pid] = extent(
                self.graph.persons[pid], index=pid == self.graph.index_id, avatars=self.avatars
            )
        return found

    # -- households ------------------------------------------------------------------------

    def _households(self, layer: etree._Element) -> None:
        """A dashed outline around each current household's members, one box per row run."""
        rows: dict[float, list[str]] = defaultdict(list)
        for pid, place in self.places.items():
            rows[place.y].append(pid)
        position: dict[str, tuple[float, int]] = {}  # each person's row, and place in it
        for y, row in rows.items():
            row.sort(key=lambda pid: (self.places[pid].x, pid))
            position.update((pid, (y, i)) for i, pid in enumerate(row))
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
            # Runs of members standing next to each other in a row, rows top to bottom.
            runs: list[list[str]] = []
            last: tuple[float, int] | None = None
            for pid in sorted(members, key=position.__getitem__):
                y, i = position[pid]
                if last is not None and last == (y, i - 1):
                    runs[-1].append(pid)
                else:
                    runs.append([pid])
                last = (y, i)
            for run in runs:
                boxes.append(self._household_box(group, run, position[run[0]][0], grow))
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

        if self._unions_in_order is None:
            self._unions_in_order = sorted(self.graph.unions.values(), key=order)
        return self._unions_in_order

    def _unions(self, layer: etree._Element) -> None:
        for union in self._sorted_unions():
            if not all(p in self.places for p in union["partners"]):
                continue
            left, right = sorted(union["partners"], key=lambda p: (self.places[p].x, p))
            lp, rp = self.places[left], self.places[right]
            left_bottom, right_bottom = lp.y + self.extent(left), rp.y + self.extent(right)
            bar = max(left_bottom, right_bottom) + 10
            self.bars[union["id"]] = bar
            group = element(
                layer,
                "g",
                {
                    "data-union-id": union["id"],
                    "role": "graphics-symbol",
                    "aria-label": union_label(self.graph, union, family_view=self.family_view),
                },
            )
            self.keys.update(
                union_line(
                    group,
                    (lp.x, left_bottom),
                    (rp.x, right_bottom),
                    bar,
                    kind=union.get("kind", "marriage"),
                    status=union.get("status", "together"),
                    painted=False,
                )
            )
            years = _union_years(union)
            if years:
                element(
                    group,
                    "text",
                    {
                        # Right of the middle: the ending's slashes are left of it.
                        "x": number((lp.x + rp.x) / 2 + 3),
                        "y": number(bar - 3),
                        "text-anchor": "start",
                        "font-size": "9",
                        "fill": INK,
                        "stroke": "none",  # the layer strokes the lines
                        "aria-hidden": "true",
                    },
                    years,
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
        parentage, places = graph.parentage, self.places
        for pair in sorted(parentage):
            parent, child = pair
            if pair in covered or parent not in places or child not in places:
                continue
            self._single_parent(layer, parent, child, parentage[pair]["kind"], taken)

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
        group = element(layer, "g", {"data-children-of": union["id"]})
        anchors = {c: places[c].x for c in kids}
        twins: dict[str, list[str]] = {}
        twin_sets = graph.twin_sets
        if twin_sets:
            grouped: dict[str, list[str]] = defaultdict(list)
            for child in kids:
                found = twin_sets.get(child)
                if found:
                    grouped[found["id"]].append(child)
            twins = {tid: members for tid, members in grouped.items() if len(members) > 1}
        for members in twins.values():
            apex = sum(places[m].x for m in members) / len(members)
            anchors.update(dict.fromkeys(members, apex))
        xs = [*anchors.values(), mid]
        child_line(group, [(mid, bar), (mid, sibling_y)], "biological", painted=False)
        if max(xs) - min(xs) > 0.5:
            child_line(
                group, [(min(xs), sibling_y), (max(xs), sibling_y)], "biological", painted=False
            )
        for child in kids:
            kind = graph.parentage[first, child]["kind"]
            self.keys.add(f"child:{kind}")
            top = places[child].y - self.extent(child)
            child_line(
                group,
                [(anchors[child], sibling_y), (places[child].x, top)],
                kind,
                painted=False,
                data_child=child,
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
        child_line(layer, points, kind, painted=False, data_parent=parent, data_child=child)

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
        name = "" if is_hidden else truncate(full_name(person), NAME_CHARACTERS)
        years = years_caption(person, self.today)
        look = self._look(pid, person, show_markers=not is_hidden)
        # Persons who look alike differ only in their captions and their own attributes: those
        # are filled into the drawing of their look, which is then copied as theirs.
        template, name_texts, years_texts = self._person_template(look, bool(name), bool(years))
        for text in name_texts:
            text.text = name
        for text in years_texts:
            text.text = years
        x, y = number(float(place.x)), number(float(place.y))
        fill = template.set
        fill("id", f"person-{pid}")
        fill("aria-label", person_label(graph, pid, self.today, family_view=self.family_view))
        fill("data-person-id", pid)
        fill("data-x", x)
        fill("data-y", y)
        fill("data-generation", str(place.generation))
        fill("transform", f"translate({x} {y})")
        layer.append(template.__copy__())

    def _person_template(
        self, look: _Look, name: bool, years: bool
    ) -> tuple[etree._Element, list[etree._Element], list[etree._Element]]:
        """A person's group as drawn for ``look``, with or without the captions, and the text
        elements of the captions (their text and the person's own attributes left to fill in).

        The symbol and marks are drawn in the person's own coordinates, so persons who look
        alike are drawn alike: made once per drawing, then copied (far quicker than building
        the elements again).
        """
        key = (look, name, years)
        found = self._templates.get(key)
        if found is not None:
            return found
        holder = etree.Element(svg_tag("g"), nsmap={None: SVG_NS})
        group = element(
            holder,
            "g",
            {
                "id": "",
                "role": "graphics-symbol",
                "aria-label": "",
                "tabindex": "0",
                "data-person-id": "",
                "data-x": "",
                "data-y": "",
                "data-generation": "",
                "transform": "",
            },
        )
        used: set[str] = set()
        self._symbol(group, look, used)
        self._marks(group, look, used)
        self.keys.update(used)  # the legend's keys: made for a person, so drawn
        name_texts: list[etree._Element] = []
        years_texts: list[etree._Element] = []
        if name:
            name_texts = self._caption(group, NAME_Y, FONT_SIZE)
        if years:
            years_texts = self._caption(group, YEARS_Y if name else NAME_Y, 10)
        found = self._templates[key] = (group, name_texts, years_texts)
        return found

    def _caption(self, group: etree._Element, y: float, size: float) -> list[etree._Element]:
        """An empty haloed caption centred under the symbol (the persons' layer gives the
        anchor and the usual size); its text elements."""
        before = len(group)
        haloed_text(group, "", None, y, size=None if size == FONT_SIZE else size, anchor=None)
        return list(group)[before:]

    def _look(self, pid: str, person: dict[str, Any], *, show_markers: bool) -> _Look:
        """All that the symbol and the marks around it show of a person."""
        graph = self.graph
        kind = person.get("kind", "person")
        worries = resources = 0
        if show_markers and person.get("markers"):
            counts = marker_counts(person)
            worries, resources = counts["worry"], counts["resource"]
        sex = None
        if not self.avatars and kind in {"person", "stillbirth"} and sex_at_birth_differs(person):
            sex = person["sex_at_birth"]
        parentage = graph.parentage
        status = person.get("vital_status")
        return _Look(
            kind,
            person.get("gender_identity", "unknown"),
            status == "deceased",
            kind == "person" and status == "unknown",
            pid == graph.index_id,
            any(parentage[parent, pid]["kind"] == "adoptive" for parent in graph.parents(pid)),
            avatar_for(person, self.today) if self.avatars else None,
            bool(person.get("confidential")),
            bool(person.get("third_party")),
            sex,
            worries,
            resources,
        )

    def _symbol(self, group: etree._Element, look: _Look, used: set[str]) -> None:
        kind, gender, index, deceased = look.kind, look.gender, look.index, look.deceased
        reach = extent({"kind": kind, "gender_identity": gender}, index=index, avatars=self.avatars)
        if look.avatar is not None:
            draw_avatar(group, look.avatar, HALF, deceased=deceased)
            if index:
                shape(group, "circle", HALF + INDEX_RING, fill="none").set("data-mark", "index")
            if deceased:
                used.add("avatar:deceased")
        elif kind == "person":
            outline = gender_shape(gender)
            shape(group, outline, HALF)
            used.add(gender_key(gender))
            if gender == "unknown":
                question(group, 0, 0)
            if index:
                shape(group, outline, HALF + INDEX_RING, fill="none").set("data-mark", "index")
            if deceased:
                cross(group, reach - (INDEX_RING if index else 0) + 4)
                used.add("person:deceased")
        elif kind == "pregnancy":
            shape(group, "triangle", HALF * 0.8)
            used.add("person:pregnancy")
        elif kind == "miscarriage":
            sub(group, "circle", cx=0, cy=0, r=HALF * 0.35, fill=INK)
            used.add("person:miscarriage")
        else:  # stillbirth
            shape(group, gender_shape(gender), HALF * 0.55)
            cross(group, reach + 4)
            used.add("person:stillbirth")
        if index:
            used.add("person:index")
        if look.adopted:
            brackets(group, HALF + (INDEX_RING if index else 0))
            used.add("child:adoptive")

    def _marks(self, group: etree._Element, look: _Look, used: set[str]) -> None:
        """Small marks around the symbol: flags at the left, markers at the right."""
        left, right = -MARK_OFFSET, MARK_OFFSET
        top, middle, bottom = -HALF + 5, -HALF + 21, HALF - 4
        if look.confidential:
            confidential_glyph(group, left, top)
            used.add("person:confidential")
        if look.third_party:
            third_party_glyph(group, left, middle)
            used.add("person:third_party")
        if look.sex_at_birth is not None:
            sex_mark(group, look.sex_at_birth, left, bottom)
            used.add("person:sex_at_birth")
        rows = iter((top, middle))
        if look.worries:
            y = next(rows)
            worry_glyph(group, right, y)
            count(group, look.worries, right, y)
            used.add("person:worry")
        if look.resources:
            y = next(rows)
            resource_glyph(group, right, y)
            count(group, look.resources, right, y)
            used.add("person:resource")
        if look.vital_unknown:
            question(group, right, bottom, size=12)
            used.add("person:vital_unknown")


class _Look(NamedTuple):
    """What a person's symbol and marks show; persons alike in all of it look alike."""

    kind: str
    gender: str
    deceased: bool
    vital_unknown: bool
    index: bool
    adopted: bool
    avatar: str | None  # the picture, when drawn with avatars
    confidential: bool
    third_party: bool
    sex_at_birth: str | None  # shown only where it differs from what the gender suggests
    worries: int  # markers shown: none in a view that hides the person's
    resources: int


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
