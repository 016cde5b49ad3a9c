"""Client feedback in a real headless Chromium: the worker asks in the record system's client
record page, the family member answers on a phone (or on the worker's own device, handed over).

- A child (7-12, smileys) answers on a phone-sized screen with the keyboard alone: radio groups
  reached with Tab, moved in with the arrow keys, chosen with Space; nothing ticked for sharing.
  The questionnaire fits the phone's width and passes axe-core, and so does the thank-you page.
- An under-7 child answers with the pictures on the phone.
- An adult answers the 0-10 scale with free text on the phone; the worker's panel then shows
  the answer beside a chart (an ``svg`` with ``role=img``) once the outbox has delivered it.
- Kiosk: the worker hands the device over in the record page's feedback frame; after the answer
  the frame is locked (403) until the record system's page is loaded again (new signed launches).
- The unit's management page: its frame passes axe-core, and the CSV export is ``text/csv``.

The module runs its own record system and host: the answers go into c-1001's record, which the
other browser tests do not expect. Texts are checked in Finnish through the plugin's catalogue.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.support import NullTranslations, Translations

from tests.fixtures.browser import Stack, axe_violations, running_stack

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PANEL_FRAME = 'iframe.plugin-frame[data-plugin="feedback"][data-view="panel"]'
MANAGEMENT_FRAME = 'iframe.plugin-frame[data-plugin="feedback"][data-view="management"]'
AINO = "c-1001"
ONNI = "c-1002"  # only the withdrawal test asks for his feedback
DEMO = "w-demo"
TITLE_FI = "Miten tapaaminen meni?"  # the bundled questionnaire's own Finnish title
HEARD_UNDER_7_FI = "Kuunneltiinko sinua?"  # its first question, as an under-7 child reads it
ITEMS = ("heard", "mattered", "way_of_working", "overall")
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """This module's own record system and host: the answers are saved into Aino's record."""
    with running_stack(tmp_path_factory.mktemp("feedback-stack")) as running:
        yield running


@pytest.fixture
def phone(browser) -> Iterator[object]:
    """A second browser: the family member's phone, in Finnish."""
    context = browser.new_context(locale="fi-FI", bypass_csp=True, **PHONE)
    yield context.new_page()
    context.close()


@cache
def _catalogue() -> NullTranslations:
    found: NullTranslations = NullTranslations()
    for directory in (
        ROOT / "plugin_host" / "translations",
        ROOT / "plugins/feedback/translations",
    ):
        loaded = Translations.load(str(directory), ["fi"])
        if isinstance(loaded, Translations):
            loaded.add_fallback(found)
            found = loaded
    return found


def fi(msgid: str) -> str:
    """The text as the Finnish page shows it."""
    return _catalogue().gettext(msgid)


# --- axe-core and layout -----------------------------------------------------------------------


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def assert_axe_clean(found: dict[str, list[dict]]) -> None:
    bad = {name: serious(violations) for name, violations in found.items()}
    assert bad == {name: [] for name in found}, json.dumps(found, indent=1)


def assert_fits_width(page) -> None:
    """No horizontal scrolling: the page is no wider than the phone's screen."""
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: innerWidth,"
        " wide: [...document.querySelectorAll('main *')]"
        "   .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)"
        "   .slice(0, 5).map(e => e.tagName + '.' + e.className)})"
    )
    assert widths["scroll"] <= widths["inner"], widths


# --- the keyboard ------------------------------------------------------------------------------

FOCUS = """() => {
    const e = document.activeElement;
    return e ? {tag: e.tagName, id: e.id, name: e.getAttribute('name'), value: e.value} : null;
}"""


def focus_is(page, css: str) -> bool:
    return page.evaluate(
        "css => document.hasFocus() && !!document.activeElement && "
        "document.activeElement.matches(css)",
        css,
    )


def tab_to(page, css: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``css``, then check the focus is drawn."""
    trail = []
    for _ in range(limit):
        if focus_is(page, css):
            assert_focus_seen(page)
            return
        page.keyboard.press("Tab")
        trail.append(page.evaluate(FOCUS))
    raise AssertionError(f"Tab never reached {css}; last stops: {trail[-8:]}")


def assert_focus_seen(page) -> None:
    """WCAG 2.4.7: the focused control, or for a hidden radio button its label (the answer
    button the family member sees), shows a focus outline, in view and not covered."""
    seen = page.evaluate(
        """() => {
            const e = document.activeElement;
            const shown = e.type === 'radio' ? e.closest('label') : e;
            shown.scrollIntoView({block: 'nearest'});
            const box = shown.getBoundingClientRect();
            const x = box.left + box.width / 2, y = box.top + box.height / 2;
            const hit = document.elementFromPoint(x, y);
            const style = getComputedStyle(shown);
            return {
                inView: y >= 0 && y <= innerHeight && x >= 0 && x <= innerWidth,
                uncovered: !!hit && (hit === shown || shown.contains(hit)),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                target: box.width >= 24 && box.height >= 24,
                what: shown.tagName + '#' + shown.id + ':' + (shown.textContent || '').trim()
                    .slice(0, 30),
            };
        }"""
    )
    assert seen["inView"] and seen["uncovered"] and seen["outline"] and seen["target"], json.dumps(
        seen
    )


def answer_with_keys(page, item_id: str, value: int) -> None:
    """Into the item's radio group with Tab; to ``value`` with the arrow keys; Space chooses."""
    name = f"item-{item_id}"
    tab_to(page, f"input[type=radio][name={name}]")
    values = page.evaluate(
        "name => [...document.getElementsByName(name)].map(r => Number(r.value))", name
    )
    assert value in values, (value, values)
    current = values.index(int(page.evaluate("() => document.activeElement.value")))
    steps = values.index(value) - current
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")
        assert_focus_seen(page)
    page.keyboard.press("Space")
    assert page.is_checked(f"input[name={name}][value='{value}']")
    chosen = page.locator(f"input[name={name}]:checked")
    assert chosen.count() == 1


def press_and_load(page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


# --- the worker's side -------------------------------------------------------------------------


def open_record(page, stack, client_id: str = AINO):
    """The record system's client record page, and the feedback panel's frame in it, ready."""
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{stack.records_url}/clients/{client_id}?worker={DEMO}")
    element = page.wait_for_selector(PANEL_FRAME)
    assert element.get_attribute("title")
    frame = element.content_frame()
    frame.wait_for_selector("main h1")
    assert frame.inner_text("main h1") == fi("Client feedback")
    return frame


def click_and_load(frame, css: str) -> None:
    with frame.expect_navigation():
        frame.click(css)
    frame.wait_for_load_state()


def ask(frame, *, role: str, band: str, mode: str) -> None:
    """The panel's form: who answers, their age, and how (a link, or this device)."""
    frame.select_option("#respondent_role", role)
    frame.select_option("#band", band)
    click_and_load(frame, f"button[name=mode][value={mode}]")


def ask_for_link(frame, *, role: str, band: str) -> str:
    ask(frame, role=role, band=band, mode="link")
    assert frame.inner_text("main h1") == fi("A one-time link")
    assert frame.locator(".qr svg[role=img]").count() == 1
    link = frame.inner_text("#link").strip()
    assert re.fullmatch(r"https?://\S+/r/[A-Za-z0-9_-]+", link), link
    return link


def open_link(phone, link: str) -> None:
    """The family member opens the link: a page with a button first, then the questionnaire."""
    reply = phone.goto(link)
    assert reply.status == 200
    assert phone.inner_text("main h1") == fi("A questionnaire for you")
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")
    phone.wait_for_selector("main form fieldset")


def send(page) -> None:
    tab_to(page, "main form button[type=submit]")
    press_and_load(page)
    assert page.inner_text("main h1") == fi("Thank you — your answers were received")


def panel_with_answers(page, stack, role_label: str, seconds: float = 20):
    """The outbox delivers in the background: load the record page again until the feedback
    panel shows a series for ``role_label``."""
    deadline = time.monotonic() + seconds
    while True:
        frame = open_record(page, stack)
        headings = frame.locator("main article h3").all_inner_texts()
        if any(h.endswith(role_label) for h in headings):
            return frame
        assert time.monotonic() < deadline, f"no {role_label} answers in the panel: {headings}"
        time.sleep(0.3)


# --- the tests ---------------------------------------------------------------------------------


def test_a_child_answers_on_a_phone_with_the_keyboard(page, phone, stack):
    frame = open_record(page, stack)
    link = ask_for_link(frame, role="child", band="7_12")
    found = {"one-time link page": axe_violations(frame)}

    open_link(phone, link)
    assert phone.inner_text("main h1") == TITLE_FI
    assert phone.locator(".scale:not(.faces)").count() == len(ITEMS)
    assert phone.locator(".scale img[src*='face-']").count() == len(ITEMS) * 11
    assert_fits_width(phone)
    found["questionnaire"] = axe_violations(phone)

    phone.keyboard.press("Tab")  # the page's first stop
    for item_id, value in zip(ITEMS, (8, 0, 10, 5), strict=True):
        answer_with_keys(phone, item_id, value)
    # Nothing ticked for sharing: the child's answers stay with the workers.
    assert phone.locator("#share").count() == 1
    assert not phone.is_checked("#share")
    assert_fits_width(phone)
    send(phone)
    assert fi("They are kept in your client record, and your worker sees them.") in (
        phone.inner_text("main")
    )
    assert phone.locator("[role=status]").count() == 1
    assert_fits_width(phone)
    found["thank-you page"] = axe_violations(phone)
    assert_axe_clean(found)

    frame = panel_with_answers(page, stack, fi("child"))
    row = frame.locator("main article", has_text=fi("child")).locator("tbody tr").last
    assert fi("not shown to the guardians") in row.inner_text()


def test_a_child_under_seven_answers_with_pictures_on_a_phone(page, phone, stack):
    frame = open_record(page, stack)
    link = ask_for_link(frame, role="child", band="under_7")

    open_link(phone, link)
    assert phone.locator(".scale.faces").count() == len(ITEMS)
    assert phone.locator("img.item-picture").count() == len(ITEMS)
    # Five faces an answer, from sad to happy.
    faces = phone.locator("input[name=item-heard]").evaluate_all("rs => rs.map(r => r.value)")
    assert faces == ["0", "2", "5", "8", "10"]
    assert_fits_width(phone)
    found = {"questionnaire with pictures": axe_violations(phone)}

    # The first question missed: the error summary takes the focus, and its link the keyboard
    # to the question's first answer.
    phone.keyboard.press("Tab")
    for item_id, value in zip(ITEMS[1:], (8, 5, 10), strict=True):
        answer_with_keys(phone, item_id, value)
    tab_to(phone, "main form button[type=submit]")
    with phone.expect_response(lambda r: r.request.method == "POST") as replied:
        press_and_load(phone)
    assert replied.value.status == 422
    phone.wait_for_function("() => document.activeElement.id === 'error-summary'")
    summary = phone.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert summary.locator("a").all_inner_texts() == [
        f"{HEARD_UNDER_7_FI} \u2013 {fi('Choose an answer.')}"
    ]
    assert phone.is_checked("input[name=item-mattered][value='8']")  # the answers given stay
    assert_fits_width(phone)
    found["questionnaire with an error"] = axe_violations(phone)
    page_keys = phone.keyboard
    page_keys.press("Tab")
    assert focus_is(phone, "#error-summary a[href='#item-heard-first']")
    page_keys.press("Enter")
    phone.wait_for_function("() => document.activeElement.id === 'item-heard-first'")
    answer_with_keys(phone, "heard", 10)
    send(phone)
    found["thank-you page"] = axe_violations(phone)
    assert_axe_clean(found)


def test_an_adult_answers_on_a_phone_and_the_worker_sees_it(page, phone, stack):
    frame = open_record(page, stack)
    link = ask_for_link(frame, role="parent", band="adult")

    open_link(phone, link)
    assert phone.locator(".scale.faces").count() == 0
    assert phone.locator(".scale img").count() == 0
    assert phone.locator("input[name=item-heard]").count() == 11  # 0-10
    assert phone.locator("#share").count() == 0  # sharing is the child's choice only
    assert_fits_width(phone)
    found = {"questionnaire, 0-10": axe_violations(phone)}

    phone.keyboard.press("Tab")
    for item_id, value in zip(ITEMS, (9, 7, 8, 9), strict=True):
        answer_with_keys(phone, item_id, value)
    words = "Meitä kuunneltiin, ja sovimme seuraavasta tapaamisesta yhdessä."
    tab_to(phone, "#free_text")
    phone.keyboard.type(words)
    assert_fits_width(phone)
    send(phone)
    found["thank-you page"] = axe_violations(phone)

    frame = panel_with_answers(page, stack, fi("parent"))
    article = frame.locator("main article", has_text=fi("parent"))
    chart = article.locator("svg[role=img]")
    assert chart.count() == 1
    assert chart.get_attribute("aria-labelledby") or chart.locator("title").count() == 1
    row = article.locator("tbody tr").last
    assert words in row.inner_text()
    assert row.locator("td").first.inner_text() == "8.25"  # the mean of 9, 7, 8 and 9
    found["worker's panel"] = axe_violations(frame)
    assert_axe_clean(found)


def test_a_handed_over_device_locks_until_the_record_page_is_loaded_again(page, stack):
    frame = open_record(page, stack)
    panel_url = frame.url
    ask(frame, role="parent", band="13_plus", mode="kiosk")
    assert frame.inner_text("main h1") == fi("Hand the device over")
    found = {"hand-over page": axe_violations(frame)}

    # The worker follows "Start the questionnaire" in the same frame ...
    click_and_load(frame, f"main a.button:text-is('{fi('Start the questionnaire')}')")
    assert frame.inner_text("main h1") == fi("A questionnaire for you")
    with frame.expect_navigation():
        frame.click("main form button[type=submit]")
    frame.wait_for_selector("main form fieldset")
    # ... and the family member answers there.
    for item_id, value in zip(ITEMS, (6, 7, 7, 8), strict=True):
        frame.click(f"label:has(> input[name=item-{item_id}][value='{value}'])")
        assert frame.is_checked(f"input[name=item-{item_id}][value='{value}']")
    click_and_load(frame, "main form button[type=submit]")
    assert frame.inner_text("main h1") == fi("Thank you — your answers were received")
    assert fi("Please give the device back to the worker.") in frame.inner_text("main")
    found["kiosk thank-you page"] = axe_violations(frame)

    # The worker's view stays closed in this browser: back to the panel gives the locked page.
    reply = frame.goto(panel_url)
    assert reply.status == 403
    assert fi("This device is in questionnaire mode. Give it back to the worker.") in (
        frame.inner_text("main")
    )
    found["locked page"] = axe_violations(frame)

    # The record system's page loaded again (new signed launches) opens the panel again.
    frame = open_record(page, stack)
    assert frame.locator("#respondent_role").count() == 1
    assert_axe_clean(found)


def test_a_link_given_to_the_wrong_person_is_withdrawn_with_the_keyboard(page, stack):
    frame = open_record(page, stack, ONNI)
    ask_for_link(frame, role="parent", band="adult")
    frame = open_record(page, stack, ONNI)
    rows = frame.locator("section[aria-labelledby=waiting-heading] tbody tr")
    assert rows.count() == 1
    assert frame.inner_text("#waiting-heading") == fi("Waiting for an answer")
    found = {"panel with a link waiting": axe_violations(frame)}

    rows.first.locator("button").focus()
    assert frame.evaluate("() => document.activeElement.textContent").startswith(fi("Withdraw"))
    with frame.expect_navigation():
        page.keyboard.press("Enter")
    frame.wait_for_selector("#withdraw-status")
    # The notice has the focus, so a screen reader reads it out; the link is gone from the list.
    assert frame.evaluate("() => document.activeElement.id") == "withdraw-status"
    assert frame.inner_text("#withdraw-status") == fi(
        "The link was withdrawn: it can no longer be opened."
    )
    assert frame.locator("#waiting-heading").count() == 0
    found["panel after withdrawing"] = axe_violations(frame)
    assert_axe_clean(found)


def test_the_management_page_and_its_csv(page, stack):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{stack.records_url}/management?worker={DEMO}")
    element = page.wait_for_selector(MANAGEMENT_FRAME)
    assert element.get_attribute("title")
    frame = element.content_frame()
    frame.wait_for_selector("main h1")
    assert frame.inner_text("main h1") == fi("Feedback and monitoring")
    assert frame.locator("svg[role=img]").count() >= 1
    assert_axe_clean({"management": axe_violations(frame)})

    link = frame.locator("main a[href*='export.csv']").first
    href = link.get_attribute("href")
    status, content_type, disposition, text = frame.evaluate(
        """async href => {
            const r = await fetch(href);
            return [r.status, r.headers.get('content-type'),
                    r.headers.get('content-disposition'), await r.text()];
        }""",
        href,
    )
    assert status == 200
    assert content_type.startswith("text/csv"), content_type
    assert "attachment" in disposition
    assert text.splitlines()[0].startswith(fi("Team"))
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename.endswith(".csv")
    assert Path(download.path()).read_text(encoding="utf-8").splitlines() == text.splitlines()
