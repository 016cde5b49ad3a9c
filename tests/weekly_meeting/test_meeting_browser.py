"""The systemic weekly meeting in a real headless Chromium, inside the record system's team page.

A whole meeting is run with the keyboard alone: from the record system's team page into the
meeting's frame, a new meeting, two families on the agenda and reordered, the timer, one family's
discussion filled in part by part, the family's screen (what the family may see and nothing
more), signing off, and the minutes arriving in the record of the sibling who came with her.
Every control reached is checked to show its focus and not to be hidden under the sticky save
bar. Also: the error summary of a task without an owner and of a network member without consent,
each link taking the keyboard to its field; axe-core (WCAG 2.1 A/AA) on every page of the
meeting; and the timer running over its time box, with the browser's clock moved on instead of
waiting.

The module runs its own record system and host: the keyboard test signs minutes into c-1001 and
c-1005 (Aino and her brother Ville), and the case card's address puts a client id into the host's
access log, which the other browser tests check. Texts are checked in Finnish where the plugin's
Finnish catalogue has them (``fi``), and in English while it does not yet.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from babel.support import NullTranslations, Translations

from plugins.weekly_meeting.schemas import MINUTES_TYPE
from tests.fixtures.browser import Stack, axe_violations, running_stack

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
FRAME = 'iframe.plugin-frame[data-plugin="weekly_meeting"]'
AINO, ONNI, VILLE = "c-1001", "c-1002", "c-1005"
SANNA = "p-1001-01"  # Aino's mother, in the record's family of Aino
DEMO, THERAPIST, COORDINATOR = "w-demo", "w-terapeutti", "w-koordinaattori"
OWNER_MISSING_FI = "Tehtävällä on oltava vastuuhenkilö."


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """This module's own record system and host, as the session's ``stack`` starts them: the
    meeting signs minutes into records the other browser tests read, and its pages put client
    ids into the host's access log, which they check (see ``test_the_host_log_names_no_client``)."""
    with running_stack(tmp_path_factory.mktemp("meeting-stack")) as running:
        yield running


@cache
def _catalogue() -> NullTranslations:
    dirs = [
        ROOT / "plugins" / "weekly_meeting" / "translations",
        ROOT / "plugin_host" / "translations",
    ]
    found: NullTranslations = NullTranslations()
    for directory in reversed(dirs):
        loaded = Translations.load(str(directory), ["fi"])
        if isinstance(loaded, Translations):
            loaded.add_fallback(found)
            found = loaded
    return found


def fi(msgid: str) -> str:
    """The text as the Finnish page shows it: the catalogue's translation, or the English msgid
    while the catalogue has none."""
    return _catalogue().gettext(msgid)


# --- reaching things with the keyboard ---------------------------------------------------------

FOCUS = """() => {
    const e = document.activeElement;
    return {
        focused: document.hasFocus(),
        tag: e ? e.tagName : null,
        id: e ? e.id : null,
        name: e ? e.getAttribute('name') : null,
        value: e && 'value' in e ? String(e.value) : null,
        text: e ? (e.textContent || '').trim().slice(0, 60) : null,
    };
}"""


def focus_is(frame, css: str) -> bool:
    return frame.evaluate(
        "css => document.hasFocus() && !!document.activeElement && "
        "document.activeElement.matches(css)",
        css,
    )


def tab_to(page, frame, css: str, *, back: bool = False, limit: int = 250) -> None:
    """Press Tab (or Shift+Tab) until the frame's focused element matches ``css``; the focused
    element is then in view, not hidden under anything, and its focus is drawn."""
    key = "Shift+Tab" if back else "Tab"
    trail = []
    for _ in range(limit):
        if focus_is(frame, css):
            assert_focus_seen(frame)
            return
        page.keyboard.press(key)
        trail.append(frame.evaluate(FOCUS))
    raise AssertionError(f"{key} never reached {css}; last stops: {trail[-8:]}")


def assert_focus_seen(frame) -> None:
    """WCAG 2.4.7 and 2.4.11: the focused control has a visible focus style and is not covered,
    e.g. by the sticky save bar, at the middle of its box."""
    seen = frame.evaluate(
        """() => {
            const e = document.activeElement;
            const box = e.getBoundingClientRect();
            const x = box.left + Math.min(box.width / 2, 10), y = box.top + box.height / 2;
            const hit = document.elementFromPoint(x, y);
            const style = getComputedStyle(e);
            return {
                inView: y >= 0 && y <= innerHeight && x >= 0 && x <= innerWidth,
                uncovered: !!hit && (hit === e || e.contains(hit) || (e.labels &&
                    [...e.labels].some(l => l.contains(hit)))),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                what: e.id || e.tagName + ':' + (e.textContent || '').trim().slice(0, 40),
                hit: hit ? hit.tagName + '#' + hit.id + '.' + hit.className : null,
            };
        }"""
    )
    assert seen["inView"] and seen["uncovered"] and seen["outline"], json.dumps(seen)


def press_and_load(page, frame, key: str = "Enter") -> None:
    """A key that sends a form or follows a link: wait for the frame's next page."""
    with frame.expect_navigation():
        page.keyboard.press(key)
    frame.wait_for_load_state()


def choose(page, frame, value: str) -> None:
    """In the focused closed <select>, move with the arrow keys to the option ``value``."""
    options, current = frame.evaluate(
        "() => [[...document.activeElement.options].map(o => o.value),"
        " document.activeElement.selectedIndex]"
    )
    assert value in options, (value, options)
    steps = options.index(value) - current
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    assert frame.evaluate("() => document.activeElement.value") == value


def type_date(page, frame, day: date) -> None:
    """A date typed into the focused date field, its parts in the order the field takes them:
    Chromium orders them by its own interface language, not by the page's locale."""
    parts = {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": f"{day.year}"}
    page.keyboard.type("".join(parts[p] for p in date_order(page.context)))
    assert frame.evaluate("() => document.activeElement.value") == day.isoformat()


def date_order(context) -> str:
    """Which order this Chromium's date fields take day, month and year in ("dmy", "mdy" ...),
    found by typing into a field on a page of its own."""
    if not hasattr(context, "_date_order"):
        probe = context.new_page()
        probe.set_content('<input id="d" type="date">')
        probe.focus("#d")
        probe.keyboard.type("01022003")
        orders = {"2003-02-01": "dmy", "2003-01-02": "mdy"}
        context._date_order = orders.get(probe.input_value("#d"), "ymd")
        probe.close()
    return context._date_order


def fill_at(page, frame, field_id: str, text: str) -> None:
    tab_to(page, frame, f"#{field_id}")
    page.keyboard.type(text)


def choose_at(page, frame, field_id: str, value: str) -> None:
    tab_to(page, frame, f"#{field_id}")
    choose(page, frame, value)


def tick_at(page, frame, field_id: str) -> None:
    tab_to(page, frame, f"#{field_id}")
    page.keyboard.press("Space")
    assert frame.is_checked(f"#{field_id}")


# --- the pages ----------------------------------------------------------------------------------


def open_team_page(page, stack):
    """The record system's team page, and the weekly meeting's frame in it, ready."""
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{stack.records_url}/team?worker={DEMO}")
    element = page.wait_for_selector(FRAME)
    assert element.get_attribute("title")
    frame = element.content_frame()
    frame.wait_for_selector("main h1")
    return frame


def agenda(frame) -> list[str]:
    """The families on the agenda, in order, as the links name them."""
    return [a.strip() for a in frame.locator("#agenda ~ ol > li h3 a").all_inner_texts()]


def start_with_keys(page, frame) -> None:
    """Into the frame with Tab from the top of the record system's page."""
    page.keyboard.press("Tab")  # the record page's first stop
    tab_to(page, frame, "form[action$='/meetings'] button[type=submit]", limit=80)


def new_meeting_with_keys(page, frame) -> str:
    start_with_keys(page, frame)
    press_and_load(page, frame)
    assert "/meetings/" in frame.url
    return frame.url.split("/meetings/")[1].split("#")[0]


def add_family_with_keys(page, frame, client_id: str) -> None:
    choose_at(page, frame, "client", client_id)
    tab_to(page, frame, "button[name=action][value=add]")
    press_and_load(page, frame)


def minutes_listed(page, stack, client_id: str, seconds: float = 20) -> list[str]:
    """The outbox delivers in the background: reload the client's record page until a weekly
    meeting minutes document is listed there."""
    deadline = time.monotonic() + seconds
    row = f'#documents tr[data-document-type="{MINUTES_TYPE}"]'
    while True:
        page.goto(f"{stack.records_url}/clients/{client_id}?worker={DEMO}")
        found = page.locator(row).all_inner_texts()
        if found:
            return found
        assert time.monotonic() < deadline, f"no minutes reached the record of {client_id}"
        time.sleep(0.3)


def click_and_load(frame, css: str) -> None:
    with frame.expect_navigation():
        frame.click(css)
    frame.wait_for_load_state()


def blank_task_row(frame) -> int:
    """The index of the task row left blank for a new task (earlier rows may be carried over)."""
    return frame.locator("#tasks input[id^=tasks-][id$=-text]").count() - 1


# --- the tests ----------------------------------------------------------------------------------


def test_a_whole_meeting_is_run_with_the_keyboard_alone(page, stack):
    frame = open_team_page(page, stack)
    meeting_id = new_meeting_with_keys(page, frame)

    # The agenda: Aino comes with her brother Ville (one family), then Onni.
    add_family_with_keys(page, frame, AINO)
    assert agenda(frame) == ["Aino Testinen, Ville Testinen"]
    add_family_with_keys(page, frame, ONNI)
    assert agenda(frame) == ["Aino Testinen, Ville Testinen", "Onni Elias Esimerkki"]

    # Reorder: Onni up, then Aino back up; the page comes back to the moved item.
    tab_to(page, frame, "#agenda ~ ol > li:nth-child(2) button[value=up]")
    press_and_load(page, frame)
    assert agenda(frame) == ["Onni Elias Esimerkki", "Aino Testinen, Ville Testinen"]
    tab_to(page, frame, "#agenda ~ ol > li:nth-child(2) button[value=up]")
    press_and_load(page, frame)
    assert agenda(frame) == ["Aino Testinen, Ville Testinen", "Onni Elias Esimerkki"]

    # Aino's family: the case discussion, and its timer.
    tab_to(page, frame, "#agenda ~ ol > li:nth-child(1) h3 a", back=True)
    press_and_load(page, frame)
    assert "/items/" in frame.url
    tab_to(page, frame, "button[name=action][value=start]")
    press_and_load(page, frame)
    assert frame.get_attribute("[data-timer]", "data-running") == "true"
    assert frame.locator("button[name=action][value=stop]").count() == 1

    # Who is present: three of the team with their roles, and Aino's mother with her consent.
    for worker, role in (
        (DEMO, "presenting_worker"),
        (COORDINATOR, "facilitator"),
        (THERAPIST, "reflecting_member"),
    ):
        tick_at(page, frame, f"team-{worker}-present")
        choose_at(page, frame, f"team-{worker}-role", role)
    tick_at(page, frame, f"family-{SANNA}-present")
    choose_at(page, frame, f"family-{SANNA}-role", "parent")
    choose_at(page, frame, f"family-{SANNA}-consent", "attend_and_reflections")
    tab_to(page, frame, "button[name=go][value=present]")
    press_and_load(page, frame)
    assert frame.is_checked(f"#family-{SANNA}-present")

    # The question and the first hypothesis, shared with the family; then another row.
    fill_at(page, frame, "question", "Miten Ainon koulupäivät saadaan sujumaan?")
    update = "Aino on ollut poissa koulusta kolme päivää tässä kuussa."
    fill_at(page, frame, "update", update)
    shared = "Ainon väsymys voi liittyä iltojen riitoihin kotona."
    fill_at(page, frame, "hypotheses-0-text", shared)
    choose_at(page, frame, "hypotheses-0-proposed_by", f"t:{THERAPIST}")
    tick_at(page, frame, "hypotheses-0-shared_with_family")
    tab_to(page, frame, "button[name=go][value=hypotheses]")
    press_and_load(page, frame)
    assert frame.input_value("#hypotheses-0-text") == shared
    private = "Isän vuorotyö voi jättää äidin yksin iltoihin."
    fill_at(page, frame, "hypotheses-1-text", private)
    choose_at(page, frame, "hypotheses-1-proposed_by", f"t:{DEMO}")

    fill_at(page, frame, "reflections-0-text", "Tiimi kuuli paljon huolenpitoa perheen puheessa.")
    choose_at(page, frame, "reflections-0-by", f"t:{THERAPIST}")
    tick_at(page, frame, "reflections-0-shared_with_family")
    fill_at(page, frame, "family_view-0-text", "Aamut ovat meillä kiireisiä.")
    choose_at(page, frame, "family_view-0-by", f"f:{SANNA}")
    fill_at(page, frame, "child_view-text", "Haluan nukkua kauemmin.")
    choose_at(page, frame, "child_view-how_obtained", "met_alone")
    choose_at(page, frame, "child_view-obtained_by", f"t:{DEMO}")
    tick_at(page, frame, "child_view-child_agrees_to_share")
    fill_at(page, frame, "risk_scalings-0-score", "6")
    choose_at(page, frame, "risk_scalings-0-scored_by", f"t:{THERAPIST}")
    fill_at(page, frame, "risk_scalings-0-why", "Arki kantaa, mutta illat ovat raskaita.")
    fill_at(page, frame, "decisions-0-text", "Perheelle tarjotaan perheterapiaa.")
    task = f"tasks-{blank_task_row(frame)}"
    fill_at(page, frame, f"{task}-text", "Sovi ensimmäinen perheterapian aika.")
    choose_at(page, frame, f"{task}-owner", f"t:{DEMO}")
    tab_to(page, frame, f"#{task}-due")
    due = date.today() + timedelta(days=30)
    type_date(page, frame, due)
    choose_at(page, frame, "outcome-kind", "decision")
    tab_to(page, frame, "#next_review")
    type_date(page, frame, date.today() + timedelta(days=42))
    notes = "Tiimin oma huomio: selvitä isän työvuorot."
    fill_at(page, frame, "team_notes", notes)
    tab_to(page, frame, ".sticky-actions button[type=submit]")
    press_and_load(page, frame)
    assert "saved=1" in frame.url
    assert frame.locator(".notice-success[role=status]").count() == 1
    assert frame.input_value("#hypotheses-1-text") == private

    # The family's screen: what was shared, and nothing of the team's own.
    tab_to(page, frame, "a[href$='/family']", back=True)
    press_and_load(page, frame)
    family = frame.inner_text("main")
    assert shared in family and update in family
    assert "Haluan nukkua kauemmin." in family  # the child said the family may see it
    assert "Aamut ovat meillä kiireisiä." in family
    assert private not in family and notes not in family
    tab_to(page, frame, "main a[href*='/items/']")
    press_and_load(page, frame)

    # Signed off by Aino's responsible social worker.
    tab_to(page, frame, "form[action$='/sign'] button[type=submit]", back=True)
    press_and_load(page, frame)
    assert "signed=1" in frame.url
    assert frame.locator("form fieldset[disabled]").count() >= 1

    # Back on the agenda, the family is marked signed.
    tab_to(page, frame, "main a[href*='#item-']", back=True)
    press_and_load(page, frame)
    assert meeting_id in frame.url
    first = frame.inner_text("#agenda ~ ol > li:nth-child(1)")
    assert fi("Signed") in first

    # The minutes reach the record of Ville, who came to the meeting with his sister.
    listed = minutes_listed(page, stack, VILLE)
    assert len(listed) == 1, listed


def test_a_task_without_an_owner_is_caught_and_the_field_reached_with_the_keyboard(page, stack):
    frame = open_team_page(page, stack)
    new_meeting_with_keys(page, frame)
    add_family_with_keys(page, frame, ONNI)
    tab_to(page, frame, "#agenda ~ ol > li:nth-child(1) h3 a", back=True)
    press_and_load(page, frame)

    task = f"tasks-{blank_task_row(frame)}"
    fill_at(page, frame, f"{task}-text", "Soita koululle.")
    tab_to(page, frame, f"#{task}-due")
    type_date(page, frame, date.today() + timedelta(days=7))
    tab_to(page, frame, ".sticky-actions button[type=submit]")
    press_and_load(page, frame)

    # The focus is taken to the summary of what to fix ...
    frame.wait_for_function("() => document.activeElement.id === 'error-summary'")
    summary = frame.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert OWNER_MISSING_FI in summary.inner_text()
    assert frame.get_attribute(f"#{task}-owner", "aria-invalid") == "true"
    described = frame.get_attribute(f"#{task}-owner", "aria-describedby")
    assert OWNER_MISSING_FI in frame.inner_text(f"#{described}")
    # ... whose first link, the next stop, takes the keyboard to the field, its label in view.
    page.keyboard.press("Tab")
    assert focus_is(frame, f"#error-summary a[href='#{task}-owner']")
    page.keyboard.press("Enter")
    frame.wait_for_function(f"() => document.activeElement.id === '{task}-owner'")
    assert_focus_seen(frame)
    assert frame.evaluate("() => document.activeElement.labels[0].getBoundingClientRect().top >= 0")
    choose(page, frame, f"t:{DEMO}")
    tab_to(page, frame, ".sticky-actions button[type=submit]")
    press_and_load(page, frame)
    assert "saved=1" in frame.url
    assert frame.locator("#error-summary").count() == 0


def test_a_network_member_without_consent_is_reached_from_the_error_summary(page, stack):
    """Errors name a network member by their id, the form by their row: the summary's link
    must still lead to the member's consent field, and the message sit at it."""
    frame = open_team_page(page, stack)
    new_meeting_with_keys(page, frame)
    add_family_with_keys(page, frame, ONNI)
    tab_to(page, frame, "#agenda ~ ol > li:nth-child(1) h3 a", back=True)
    press_and_load(page, frame)

    fill_at(page, frame, "network-0-name", "Koulukuraattori")
    tab_to(page, frame, "button[name=go][value=present]")
    press_and_load(page, frame)

    frame.wait_for_function("() => document.activeElement.id === 'error-summary'")
    targets = frame.evaluate(
        "() => [...document.querySelectorAll('#error-summary a')].map(a => a.hash.slice(1))"
    )
    assert targets == ["network-0-consent"]
    assert frame.get_attribute("#network-0-consent", "aria-invalid") == "true"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    frame.wait_for_function("() => document.activeElement.id === 'network-0-consent'")
    assert_focus_seen(frame)
    choose(page, frame, "attend")
    tab_to(page, frame, "button[name=go][value=present]")
    press_and_load(page, frame)
    assert "saved=1" in frame.url
    assert frame.input_value("#network-0-name") == "Koulukuraattori"
    assert frame.input_value("#network-0-consent") == "attend"


def test_the_meeting_pages_pass_axe_core(page, stack):
    frame = open_team_page(page, stack)
    found = {"board": axe_violations(frame)}
    click_and_load(frame, "form[action$='/meetings'] button[type=submit]")
    frame.select_option("#client", ONNI)
    click_and_load(frame, "button[name=action][value=add]")
    found["agenda"] = axe_violations(frame)
    click_and_load(frame, "#agenda ~ ol > li:nth-child(1) h3 a")
    found["discussion"] = axe_violations(frame)
    frame.fill(f"#tasks-{blank_task_row(frame)}-text", "Soita koululle.")
    click_and_load(frame, ".sticky-actions button[type=submit]")
    assert frame.locator("#error-summary").count() == 1
    found["discussion with errors"] = axe_violations(frame)
    click_and_load(frame, "a[href$='/family']")
    found["family screen"] = axe_violations(frame)
    click_and_load(frame, "main a[href*='/items/']")
    click_and_load(frame, "main a[href*='#item-']")
    click_and_load(frame, "main a[href$='/p/weekly_meeting/']")
    click_and_load(frame, f"a[href$='/cases?client={AINO}']")
    found["case card"] = axe_violations(frame)
    serious = {
        name: [v for v in violations if v["impact"] in ("serious", "critical")]
        for name, violations in found.items()
    }
    assert serious == {name: [] for name in found}, json.dumps(found, indent=1)


def test_the_timer_shows_running_over_its_time(page, stack):
    page.clock.install()
    frame = open_team_page(page, stack)
    click_and_load(frame, "form[action$='/meetings'] button[type=submit]")
    frame.select_option("#client", ONNI)
    click_and_load(frame, "button[name=action][value=add]")
    frame.fill("#agenda ~ ol > li input[name=minutes]", "1")
    click_and_load(frame, "#agenda ~ ol > li button[name=action][value=minutes]")
    assert frame.input_value("#agenda ~ ol > li input[name=minutes]") == "1"
    click_and_load(frame, "#agenda ~ ol > li:nth-child(1) h3 a")
    click_and_load(frame, "button[name=action][value=start]")
    timer = frame.locator("[data-timer]")
    over = timer.locator("[data-timer-over]")
    assert timer.get_attribute("data-running") == "true"
    assert not over.is_visible()
    assert "/ 1:00" in timer.inner_text()

    page.clock.fast_forward("01:05")
    frame.wait_for_function(
        "() => document.querySelector('[data-timer]').classList.contains('over')"
    )
    assert over.is_visible()
    assert fi("over time") in timer.inner_text()
    # Said once to a screen reader too, not every second with the clock.
    assert frame.locator("[data-timer] [role=status]").inner_text().strip() == fi("over time")
    used = timer.locator("[data-timer-text]").inner_text()
    assert used.split("/")[0].strip() in ("1:04", "1:05", "1:06"), used


def test_the_host_log_names_no_client(page, stack):
    """The case card names its client in the query, which the access log drops."""
    frame = open_team_page(page, stack)
    click_and_load(frame, f"a[href$='/cases?client={ONNI}']")
    assert frame.locator("main h1").count() == 1
    host_log = (stack.directory / "host.log").read_text()
    assert "/cases " in host_log  # the log is really written ...
    assert ONNI not in host_log  # ... and names no client
