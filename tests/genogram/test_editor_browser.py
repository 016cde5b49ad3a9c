"""The genogram editor in a real headless Chromium, inside the reference record system's page.

A family over three generations is built with the keyboard alone and with the mouse alone, saved,
and read back after the record page is reloaded; dragging writes a pin that the next picture
keeps; twins and households edited from the person's panel; a network contact dragged and moved
with Alt + arrows; undo and redo; and an axe-core scan of the editor. The keyboard test writes only
to client c-1003 and the mouse test only to c-1004 (other browser tests use c-1001 and c-1002);
the rest edit c-1004 in the page without saving.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.fixtures.browser import axe_violations

pytestmark = pytest.mark.browser

KEYBOARD_CLIENT = "c-1003"
MOUSE_CLIENT = "c-1004"
FRAME = 'iframe.plugin-frame[data-plugin="genogram"]'
EDITOR = "#genogram-editor"
PERSON = '#genogram-figure [data-person-id="{}"]'
NODE = '#network-figure [role="graphics-symbol"][data-node-id="{}"]'

# --- reading the editor -----------------------------------------------------------------------


def open_editor(page, stack, client_id: str):
    """The record page of the client, its genogram frame in view, the editor ready."""
    page.set_viewport_size({"width": 1280, "height": 1100})
    page.goto(f"{stack.records_url}/clients/{client_id}")
    element = page.wait_for_selector(FRAME)
    # Chromium does not paint a frame out of view, and Playwright waits for paints.
    element.scroll_into_view_if_needed()
    frame = element.content_frame()
    frame.wait_for_selector(f"{EDITOR}[data-ready=true]")
    return frame


def settle(frame) -> None:
    """Wait for the picture of the latest edit (the editor marks a render pending at once)."""
    frame.wait_for_function(
        f"() => document.querySelector('{EDITOR}').dataset.renderState !== 'pending'"
    )
    state = frame.get_attribute(EDITOR, "data-render-state")
    assert state == "idle", f"render {state}: {frame.inner_text('#editor-problems')}"


def focused(frame) -> str | None:
    """The id of the person in the picture that has the keyboard focus, if any."""
    return frame.evaluate(
        "() => document.querySelector('#genogram-figure')"
        ".contains(document.activeElement) ? document.activeElement.dataset.personId : null"
    )


def active_id(frame) -> str:
    return frame.evaluate("() => document.activeElement.id")


def model(frame) -> dict:
    """The document in the editor's memory, as it would be saved."""
    return frame.evaluate(f"() => document.querySelector('{EDITOR}').genogramEditor.doc")


def picture(frame) -> dict[str, tuple[str, float, float]]:
    """Each person drawn: id -> (accessible label, x, y) from the server's SVG."""
    rows = frame.evaluate(
        "() => [...document.querySelectorAll('#genogram-figure [data-person-id]')].map(e =>"
        " [e.dataset.personId, e.getAttribute('aria-label'), +e.dataset.x, +e.dataset.y])"
    )
    return {pid: (label, x, y) for pid, label, x, y in rows}


def screen_centre(frame, person_id: str) -> tuple[float, float]:
    """Where a person is drawn on the screen (the centre of their symbol and captions)."""
    return tuple(
        frame.evaluate(
            """id => {
                const g = document.querySelector(`#genogram-figure [data-person-id="${id}"]`);
                const box = g.getBoundingClientRect();
                return [box.x + box.width / 2, box.y + box.height / 2];
            }""",
            person_id,
        )
    )


def parents_of(doc: dict, person_id: str) -> set[str]:
    return {link["parent"] for link in doc["parentage"] if link["child"] == person_id}


def first_name(doc: dict, person_id: str) -> str:
    return next(p for p in doc["persons"] if p["id"] == person_id)["first_names"].split()[0]


def lives_with(frame, person_id: str) -> str:
    """The "lives with" column of the person's row in the table view."""
    return frame.text_content(
        f'#genogram-table tr[data-person-id="{person_id}"] td:nth-of-type(6)'
    ).strip()


def child_line_start(frame, person_id: str) -> str:
    """Where the line down to a child starts: twins' lines start from one point."""
    d = frame.get_attribute(f'#genogram-figure [data-children-of] [data-child="{person_id}"]', "d")
    return d.split(" L")[0]


def node_place(frame, node_id: str) -> tuple[float, float]:
    """Where the network map draws a contact (layout units, the circle's centre)."""
    element = frame.locator(NODE.format(node_id))
    return float(element.get_attribute("data-x")), float(element.get_attribute("data-y"))


def network_pins(frame) -> dict[str, tuple[float, float]]:
    return {pin["id"]: (pin["x"], pin["y"]) for pin in model(frame)["pins"]["network"]}


def wait_saved(frame) -> tuple[str, int]:
    frame.wait_for_function(
        f"() => ['saved', 'error'].includes(document.querySelector('{EDITOR}').dataset.saveState)"
    )
    assert frame.get_attribute(EDITOR, "data-save-state") == "saved", frame.inner_text(
        "#editor-status"
    )
    # Announced in the live region.
    frame.wait_for_function(
        "() => document.querySelector('#editor-status').textContent === "
        "JSON.parse(document.querySelector('#genogram-messages').textContent).saved"
    )
    assert frame.get_attribute("#editor-status", "role") == "status"
    assert frame.get_attribute("#editor-dirty", "hidden") is not None
    return frame.get_attribute(EDITOR, "data-document-id"), int(
        frame.get_attribute(EDITOR, "data-version")
    )


def reopen_when_recorded(page, stack, client_id: str, version: int, seconds: float = 20):
    """The outbox delivers in the background: reload the record page until the genogram's
    version is listed there, then open the editor again."""
    deadline = time.monotonic() + seconds
    row = '#documents tr[data-document-type="genogram"]'
    while True:
        frame = open_editor(page, stack, client_id)
        listed = [cell.inner_text() for cell in page.query_selector_all(f"{row} td:last-child")]
        if str(version) in listed:
            return frame
        assert time.monotonic() < deadline, f"version {version} never reached the record"
        time.sleep(0.3)


# --- acting -------------------------------------------------------------------------------------


def add_with_keys(page, frame, chord: str, first_names: str) -> str:
    """A relative added with one chord: the panel opens at the first names; Enter returns to
    the new person in the picture."""
    before = {p["id"] for p in model(frame)["persons"]}
    page.keyboard.press(chord)
    assert active_id(frame) == "person-first_names"
    page.keyboard.type(first_names)
    page.keyboard.press("Enter")
    settle(frame)
    new = focused(frame)
    assert new is not None and new not in before
    assert first_names in picture(frame)[new][0]
    return new


def add_with_mouse(frame, button: str, first_names: str) -> str:
    before = {p["id"] for p in model(frame)["persons"]}
    frame.click(button)
    assert active_id(frame) == "person-first_names"
    frame.fill("#person-first_names", first_names)
    frame.click("#person-form button[type=submit]")
    settle(frame)
    (new,) = {p["id"] for p in model(frame)["persons"]} - before
    assert first_names in picture(frame)[new][0]
    return new


def free_slot(drawn: dict[str, tuple[str, float, float]]) -> tuple[str, float]:
    """A person and an x to drag them to: free in their row (no one within the layout's spacing
    of 120) and inside the drawing's width, so the picture keeps its size and scale."""
    xs = [x for _label, x, _y in drawn.values()]
    low, high = min(xs), max(xs)
    for pid, (_label, x, y) in sorted(drawn.items()):
        row = [ox for other, (_l, ox, oy) in drawn.items() if oy == y and other != pid]
        if x in (low, high) and xs.count(x) == 1:
            continue  # the only one at an edge: moving them would resize the picture
        candidate = low
        while candidate <= high:
            if abs(candidate - x) >= 100 and all(abs(candidate - ox) >= 130 for ox in row):
                return pid, candidate
            candidate += 10
    raise AssertionError(f"no free place to drag anyone to in {drawn}")


def drag(page, frame, person_id: str, to_x: float) -> None:
    """Drag a person with the mouse (pointer events) so their centre lands on ``to_x``."""
    element = frame.locator(PERSON.format(person_id))
    element.scroll_into_view_if_needed()
    scale = frame.evaluate("() => document.querySelector('#genogram-figure svg').getScreenCTM().a")
    box = element.bounding_box()  # in the page's coordinates, the frame's offset included
    start_x, start_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    current = picture(frame)[person_id][1]
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + (to_x - current) * scale, start_y, steps=8)
    page.mouse.up()


# --- the tests ------------------------------------------------------------------------------------


def test_a_three_generation_family_built_with_the_keyboard_alone_comes_back_after_saving(
    page, stack
):
    frame = open_editor(page, stack, KEYBOARD_CLIENT)
    keys = page.keyboard
    seeded = model(frame)
    index = seeded["index_person"]

    # Into the picture with Tab, from where the skip link leads: one tab stop, at the child.
    frame.focus("#main")
    for _ in range(20):
        keys.press("Tab")
        if focused(frame):
            break
    assert focused(frame) == index

    keys.press("ArrowUp")
    parent = focused(frame)
    assert parent in parents_of(seeded, index)

    grandmother = add_with_keys(page, frame, "Shift+ArrowUp", "Aili")
    keys.press("ArrowDown")
    assert focused(frame) == parent
    grandfather = add_with_keys(page, frame, "Shift+ArrowUp", "Eero")
    doc = model(frame)
    assert parents_of(doc, parent) >= {grandmother, grandfather}
    assert any(set(u["partners"]) == {grandmother, grandfather} for u in doc["unions"])

    keys.press("p")
    assert focused(frame) == grandmother
    aunt = add_with_keys(page, frame, "Shift+ArrowDown", "Sari")
    assert parents_of(model(frame), aunt) == {grandmother, grandfather}
    cousin = add_with_keys(page, frame, "Shift+ArrowDown", "Veera")
    assert parents_of(model(frame), cousin) == {aunt}

    # Moving by kinship: up to Sari, across to her sibling (the child's parent), up again.
    keys.press("ArrowUp")
    assert focused(frame) == aunt
    drawn = picture(frame)
    keys.press("ArrowLeft" if drawn[parent][1] < drawn[aunt][1] else "ArrowRight")
    assert focused(frame) == parent
    keys.press("ArrowUp")
    assert focused(frame) in {grandmother, grandfather}

    # Three generations, each a row lower than the one before.
    assert drawn[grandmother][2] < drawn[aunt][2] < drawn[cousin][2]

    # A field edited in the side panel: Enter opens it, Tab to the birth date, Enter applies.
    edited = focused(frame)
    keys.press("Enter")
    assert active_id(frame) == "person-first_names"
    for _ in range(10):
        if active_id(frame) == "person-born-date":
            break
        keys.press("Tab")
    keys.type("1941")
    keys.press("Enter")
    settle(frame)
    assert focused(frame) == edited
    assert next(p for p in model(frame)["persons"] if p["id"] == edited)["born"] == {
        "date": "1941",
        "approximate": False,
    }
    assert "1941" in frame.text_content(PERSON.format(edited))

    # Moved sideways without dragging (WCAG 2.5.7): Alt+Arrow writes a pin.
    moved = focused(frame)
    x_before = picture(frame)[moved][1]
    keys.press("Alt+ArrowRight")
    settle(frame)
    assert focused(frame) == moved
    assert picture(frame)[moved][1] == pytest.approx(x_before + 40, abs=0.1)
    (pin,) = [pin for pin in model(frame)["pins"]["genogram"] if pin["id"] == moved]
    assert pin["x"] == pytest.approx(x_before + 40, abs=0.1)

    # Saved from the toolbar, reached with Shift+Tab.
    for _ in range(15):
        keys.press("Shift+Tab")
        if active_id(frame) == "editor-save":
            break
    assert active_id(frame) == "editor-save"
    before = picture(frame)
    keys.press("Enter")
    _document_id, version = wait_saved(frame)

    frame = reopen_when_recorded(page, stack, KEYBOARD_CLIENT, version)
    assert picture(frame) == before
    assert int(frame.get_attribute(EDITOR, "data-version")) == version
    assert not frame.get_attribute(EDITOR, "data-document-id").startswith("pending:")


def test_a_three_generation_family_built_with_the_mouse_comes_back_after_saving(page, stack):
    frame = open_editor(page, stack, MOUSE_CLIENT)

    grandfather = add_with_mouse(frame, "#editor-add-person", "Kaarlo")
    grandmother = add_with_mouse(frame, "#person-form [data-action=add-partner]", "Liisa")
    # "Add child" with Liisa selected: the child of Liisa and her partner.
    father = add_with_mouse(frame, "#person-form [data-action=add-child]", "Mauno")
    assert parents_of(model(frame), father) == {grandfather, grandmother}
    frame.click(PERSON.format(father))
    assert focused(frame) == father
    assert frame.inner_text("#editor-panel-heading").startswith("Mauno")
    child = add_with_mouse(frame, "#person-form [data-action=add-child]", "Niilo")
    sibling = add_with_mouse(frame, "#person-form [data-action=add-sibling]", "Oskari")
    assert parents_of(model(frame), sibling) == parents_of(model(frame), child) == {father}

    drawn = picture(frame)
    assert drawn[grandfather][2] < drawn[father][2] < drawn[child][2]

    # A field changed with the mouse: a select in the side panel.
    frame.click(PERSON.format(grandmother))
    frame.select_option("#person-gender_identity", "woman")
    settle(frame)
    changed = next(p for p in model(frame)["persons"] if p["id"] == grandmother)
    assert changed["gender_identity"] == "woman"

    person, to_x = free_slot(picture(frame))
    drag(page, frame, person, to_x)
    settle(frame)
    assert picture(frame)[person][1] == pytest.approx(to_x, abs=1)

    before = picture(frame)
    frame.click("#editor-save")
    _document_id, version = wait_saved(frame)

    frame = reopen_when_recorded(page, stack, MOUSE_CLIENT, version)
    assert picture(frame) == before
    for name in ("Kaarlo", "Liisa", "Mauno", "Niilo", "Oskari"):
        assert any(name in label for label, _x, _y in picture(frame).values())


def test_a_dragged_person_stays_where_dropped_and_undo_puts_them_back(page, stack):
    frame = open_editor(page, stack, MOUSE_CLIENT)  # nothing is saved here
    drawn = picture(frame)
    pins_before = model(frame)["pins"]["genogram"]
    person, to_x = free_slot(drawn)
    view_box = frame.get_attribute("#genogram-figure svg", "viewBox")

    drag(page, frame, person, to_x)
    # Until the new picture comes, the person is drawn where the pointer let go.
    dropped = screen_centre(frame, person)
    settle(frame)

    pins = model(frame)["pins"]["genogram"]
    assert [pin["id"] for pin in pins].count(person) == 1
    assert next(pin for pin in pins if pin["id"] == person)["x"] == pytest.approx(to_x, abs=1)
    after = picture(frame)
    assert after[person][1] == pytest.approx(to_x, abs=1)
    assert after[person][2] == drawn[person][2]  # only sideways: the generation row stays
    assert focused(frame) == person
    if frame.get_attribute("#genogram-figure svg", "viewBox") == view_box:
        # Same drawing size, same scale: on the screen too it is where it was dropped.
        assert screen_centre(frame, person)[0] == pytest.approx(dropped[0], abs=2)

    page.keyboard.press("Control+z")
    settle(frame)
    assert picture(frame)[person][1] == drawn[person][1]
    assert model(frame)["pins"]["genogram"] == pins_before
    page.keyboard.press("Control+Shift+z")
    settle(frame)
    assert picture(frame)[person][1] == pytest.approx(to_x, abs=1)


def test_undo_and_redo_with_the_buttons_and_the_keys(page, stack):
    frame = open_editor(page, stack, MOUSE_CLIENT)  # nothing is saved here
    start = picture(frame)
    assert frame.get_attribute("#editor-undo", "aria-disabled") == "true"

    added = add_with_mouse(frame, "#editor-add-person", "Uusi")
    assert set(picture(frame)) == set(start) | {added}
    # Adding someone and typing their details in the panel is one step.
    assert frame.get_attribute(EDITOR, "data-undo") == "1"
    assert frame.get_attribute("#editor-dirty", "hidden") is None

    # A name changed: one more step to undo.
    frame.click(PERSON.format(added))
    page.keyboard.press("Enter")
    frame.fill("#person-first_names", "Toinen")
    page.keyboard.press("Enter")
    settle(frame)
    assert "Toinen" in picture(frame)[added][0]

    frame.click("#editor-undo")
    settle(frame)
    assert "Uusi" in picture(frame)[added][0]
    frame.click("#editor-undo")
    settle(frame)
    assert picture(frame) == start
    assert frame.get_attribute("#editor-undo", "aria-disabled") == "true"
    assert frame.get_attribute("#editor-dirty", "hidden") is not None

    frame.click("#editor-redo")
    settle(frame)
    assert "Uusi" in picture(frame)[added][0]

    # The keys, from the picture (in a text field they undo the typing instead).
    frame.focus(PERSON.format(added))
    page.keyboard.press("Control+y")
    settle(frame)
    assert "Toinen" in picture(frame)[added][0]
    page.keyboard.press("Control+z")
    settle(frame)
    page.keyboard.press("Control+z")
    settle(frame)
    assert picture(frame) == start
    # The person in focus was undone away: the focus stays in the picture.
    assert focused(frame) in start
    page.keyboard.press("Control+Shift+z")
    settle(frame)
    assert added in picture(frame)


def test_twins_are_marked_edited_and_unmarked_from_the_person_panel(page, stack):
    frame = open_editor(page, stack, MOUSE_CLIENT)  # nothing is saved here
    doc = model(frame)
    index = doc["index_person"]
    assert doc["twins"] == []
    (sibling,) = [
        p["id"]
        for p in doc["persons"]
        if p["id"] != index and parents_of(doc, p["id"]) & parents_of(doc, index)
    ]
    apart = child_line_start(frame, index), child_line_start(frame, sibling)
    assert apart[0] != apart[1]

    frame.click(PERSON.format(index))
    assert frame.is_hidden("#person-twins-set")
    # Only siblings are offered.
    assert frame.eval_on_selector_all("#person-twin-with option", "os => os.map(o => o.value)") == [
        sibling
    ]
    frame.select_option("#person-twin-with", sibling)
    frame.select_option("#person-twin-new-kind", "identical")
    frame.click("#person-form [data-action=add-twin]")
    settle(frame)
    (twins,) = model(frame)["twins"]
    assert sorted(twins["members"]) == sorted([index, sibling])
    assert twins["kind"] == "identical"
    assert frame.get_attribute(EDITOR, "data-undo") == "1"
    # Drawn as twins: both lines down from one point; named in the panel, the table and the label.
    assert child_line_start(frame, index) == child_line_start(frame, sibling)
    assert first_name(doc, sibling) in frame.inner_text("#person-twins-status")
    assert first_name(doc, sibling) in frame.text_content(
        f'#genogram-table tr[data-person-id="{index}"] td:nth-of-type(1)'
    )
    assert first_name(doc, sibling) in frame.get_attribute(PERSON.format(index), "aria-label")
    # In one set at most: nobody else to offer, and the kind is edited in place.
    assert frame.is_hidden("#person-twins-add")
    assert frame.input_value("#person-twins-kind") == "identical"
    frame.select_option("#person-twins-kind", "fraternal")
    settle(frame)
    assert model(frame)["twins"][0]["kind"] == "fraternal"

    # The sibling's panel shows the same set; taking them out leaves a set of one: no set.
    frame.click(PERSON.format(sibling))
    assert first_name(doc, index) in frame.inner_text("#person-twins-status")
    frame.click("#person-form [data-action=leave-twins]")
    settle(frame)
    assert model(frame)["twins"] == []
    assert frame.is_hidden("#person-twins-set")
    assert child_line_start(frame, index) != child_line_start(frame, sibling)

    for kind in ("fraternal", "identical"):
        frame.click("#editor-undo")
        settle(frame)
        assert model(frame)["twins"][0]["kind"] == kind
    frame.click("#editor-undo")
    settle(frame)
    assert model(frame)["twins"] == []
    assert (child_line_start(frame, index), child_line_start(frame, sibling)) == apart


def test_a_household_is_started_joined_ended_and_undone_from_the_person_panel(page, stack):
    frame = open_editor(page, stack, MOUSE_CLIENT)  # nothing is saved here
    doc = model(frame)
    index = doc["index_person"]
    seeded = doc["households"]
    home = next(h for h in seeded if index in h["members"])
    outside = [
        p["id"]
        for p in doc["persons"]
        if not any(p["id"] in h["members"] for h in seeded) and p["id"] != index
    ]
    mother, sibling = (
        next(pid for pid in outside if pid in parents_of(doc, index)),
        next(pid for pid in outside if parents_of(doc, pid) & parents_of(doc, index)),
    )

    # The child's panel lists the household they live in.
    frame.click(PERSON.format(index))
    assert len(frame.query_selector_all("#person-household-list li")) == 1
    assert first_name(doc, home["members"][1]) in frame.inner_text("#person-household-list")

    # A new household for the mother, named and dated in its own panel: one step.
    frame.click(PERSON.format(mother))
    assert frame.is_visible("#person-households-none")
    frame.select_option("#person-household-join", "new")
    frame.click("#person-form [data-action=join-household]")
    assert active_id(frame) == "household-label"
    frame.fill("#household-label", "Äidin koti")
    frame.fill("#household-started-date", "2016")
    frame.click("#household-form button[type=submit]")
    settle(frame)
    (new,) = [h for h in model(frame)["households"] if h["id"] not in {s["id"] for s in seeded}]
    assert new["members"] == [mother]
    assert new["label"] == "Äidin koti"
    assert new["started"] == {"date": "2016", "approximate": False}
    assert frame.get_attribute(EDITOR, "data-undo") == "1"
    assert focused(frame) == mother

    # The sibling moves in with her: seen in the table and the picture.
    frame.click(PERSON.format(sibling))
    frame.select_option("#person-household-join", new["id"])
    frame.click("#person-form [data-action=join-household]")
    settle(frame)
    assert next(h for h in model(frame)["households"] if h["id"] == new["id"])["members"] == [
        mother,
        sibling,
    ]
    assert "Äidin koti" in frame.inner_text("#person-household-list")
    assert first_name(doc, sibling) in lives_with(frame, mother)
    assert first_name(doc, mother) in lives_with(frame, sibling)
    outline = f'#genogram-figure [data-household-id="{new["id"]}"]'
    assert first_name(doc, sibling) in frame.get_attribute(outline, "aria-label")

    # Ended: it stays as history, no longer drawn nor lived in.
    frame.click(f"#person-household-list [data-ref*='\"{new['id']}\"']")
    frame.fill("#household-ended-date", "2023-06")
    frame.click("#household-form button[type=submit]")
    settle(frame)
    assert next(h for h in model(frame)["households"] if h["id"] == new["id"])["ended"] == {
        "date": "2023-06",
        "approximate": False,
    }
    assert frame.query_selector(outline) is None
    assert first_name(doc, mother) not in lives_with(frame, sibling)
    frame.click(PERSON.format(sibling))
    assert "2023-06" in frame.inner_text("#person-household-history")
    assert frame.is_visible("#person-households-none")

    # Undo: lived in again, then the sibling out, then no household at all.
    frame.click("#editor-undo")
    settle(frame)
    assert first_name(doc, mother) in lives_with(frame, sibling)
    frame.click("#editor-undo")
    settle(frame)
    assert lives_with(frame, sibling) == ""
    frame.click("#editor-undo")
    settle(frame)
    assert model(frame)["households"] == seeded

    # Taken out of the household they live in (redone, then out again).
    frame.click(PERSON.format(index))
    frame.click(f'#person-household-list [data-household="{home["id"]}"]')
    settle(frame)
    assert (
        index not in next(h for h in model(frame)["households"] if h["id"] == home["id"])["members"]
    )
    assert lives_with(frame, index) == ""
    page.keyboard.press("Control+z")
    settle(frame)
    assert model(frame)["households"] == seeded


def test_a_network_contact_is_dragged_and_moved_with_alt_arrows(page, stack):
    frame = open_editor(page, stack, MOUSE_CLIENT)  # nothing is saved here
    before = {n["id"] for n in model(frame)["network"]}
    frame.click("#editor-add-node")
    frame.fill("#node-label", "Koulu")
    frame.click("#node-form button[type=submit]")
    settle(frame)
    (node,) = {n["id"] for n in model(frame)["network"]} - before
    start = node_place(frame, node)
    steps = int(frame.get_attribute(EDITOR, "data-undo"))

    # Dragged with the mouse (pointer events): a pin where it was dropped, kept by the picture.
    element = frame.locator(NODE.format(node))
    element.scroll_into_view_if_needed()
    scale = frame.evaluate("() => document.querySelector('#network-figure svg').getScreenCTM().a")
    box = element.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 60 * scale, y + 50 * scale, steps=8)
    page.mouse.up()
    settle(frame)
    pin = network_pins(frame)[node]
    assert pin == pytest.approx((start[0] - 60, start[1] + 50), abs=1.5)
    assert node_place(frame, node) == pytest.approx(pin, abs=0.1)
    assert frame.get_attribute(EDITOR, "data-undo") == str(steps + 1)
    assert frame.evaluate("() => document.activeElement.dataset.nodeId") == node

    # The keyboard alternative: Alt + arrows, a step at a time, the focus staying on it.
    page.keyboard.press("Alt+ArrowDown")
    settle(frame)
    page.keyboard.press("Alt+ArrowRight")
    settle(frame)
    assert node_place(frame, node) == pytest.approx((pin[0] + 40, pin[1] + 40), abs=0.1)
    assert network_pins(frame)[node] == pytest.approx((pin[0] + 40, pin[1] + 40), abs=0.1)
    assert frame.evaluate("() => document.activeElement.dataset.nodeId") == node

    # Back to where the map would put it, from its panel.
    frame.click("#node-unpin")
    settle(frame)
    assert node not in network_pins(frame)
    assert node_place(frame, node) == pytest.approx(start, abs=0.1)
    frame.focus(NODE.format(node))

    page.keyboard.press("Control+z")
    settle(frame)
    assert node_place(frame, node) == pytest.approx((pin[0] + 40, pin[1] + 40), abs=0.1)
    page.keyboard.press("Control+z")
    settle(frame)
    assert node_place(frame, node) == pytest.approx((pin[0], pin[1] + 40), abs=0.1)
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    settle(frame)
    assert node not in network_pins(frame)
    assert node_place(frame, node) == pytest.approx(start, abs=0.1)
    page.keyboard.press("Control+Shift+z")
    settle(frame)
    assert network_pins(frame)[node] == pytest.approx(pin, abs=0.1)


def test_the_editor_has_no_serious_accessibility_violations(page, stack):
    frame = open_editor(page, stack, MOUSE_CLIENT)  # nothing is saved here
    index = model(frame)["index_person"]
    frame.click(PERSON.format(index))
    assert frame.is_visible("#person-form")
    states = {"a person selected": axe_violations(frame)}

    # With a problem shown next to its field and in the summary.
    frame.fill("#person-born-date", "2010-13")
    frame.press("#person-born-date", "Tab")
    frame.wait_for_selector("#person-born-error:not([hidden])")
    assert frame.get_attribute("#person-born-date", "aria-invalid") == "true"
    assert "person-born-error" in frame.get_attribute("#person-born-date", "aria-describedby")
    assert frame.is_visible("#editor-problems")
    states["a field in error"] = axe_violations(frame)

    # The household's own panel, opened from the person's "lives with".
    frame.fill("#person-born-date", "2010")
    frame.press("#person-born-date", "Tab")
    settle(frame)
    frame.click("#person-household-list [data-action=edit-item]")
    assert frame.is_visible("#household-form")
    states["a household selected"] = axe_violations(frame)

    serious = {
        state: [v for v in found if v["impact"] in ("serious", "critical")]
        for state, found in states.items()
    }
    assert serious == {state: [] for state in states}, json.dumps(serious, indent=1)
