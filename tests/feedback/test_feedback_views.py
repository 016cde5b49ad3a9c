"""The feedback plugin's own flow, worker's panel to family member's answer, against a real
reference record system: one-time links and kiosk hand-over, the clinical and the
service-evaluation channel, a child's choice to share, and what the worker's panel and client
card say (chart, reliable change, alerts)."""

from __future__ import annotations

import json
import math
from datetime import timedelta

import lxml.html
import pytest
from sqlalchemy import inspect, select, update

from plugin_host.clock import utcnow
from plugin_host.respondent.links import secret_hash
from plugin_host.storage.models import RespondentLink, StatFamily, StatObservation, StatRollup
from plugins.feedback.figures import TENTHS
from reference_record_system.store import RecordStore
from tests.feedback.conftest import (
    FORM,
    LICENCE,
    LICENSED,
    OPEN,
    browser,
    configure,
    csrf_of,
    deliver,
    feedback_section,
    launch,
    licensed_answers,
    open_answers,
    panel_path,
    responses_in_record,
)

CLIENT = "c-1001"
LOCKED = "This device is in questionnaire mode. Give it back to the worker."


def _token(asked) -> str:
    return asked.path.removeprefix("/r/")


def _link_row(app, asked) -> RespondentLink:
    with app.extensions["plugin_host"].database.transaction() as session:
        row = session.scalars(
            select(RespondentLink).where(RespondentLink.token_hash == secret_hash(_token(asked)))
        ).one()
        session.expunge(row)
    return row


# --- 1. a one-time link works once, then never, and expires ------------------------------------


def test_a_link_works_once_and_then_never(app, family, record_store):
    worker = family(CLIENT)
    asked = worker.ask(mode="link")
    assert "<svg" in asked.page  # the QR code beside the link
    respondent = browser(app)
    # A GET (a mail scanner, a chat preview) only shows the button and does not use it up.
    for _ in range(2):
        ready = respondent.get(asked.path)
        assert ready.status_code == 200
        assert '<form method="post">' in ready.get_data(as_text=True)
    worker.open(asked, respondent)
    for again in (respondent.post, respondent.get, browser(app).post, browser(app).get):
        refused = again(asked.path)
        assert refused.status_code == 410
        assert "This link has already been used" in refused.get_data(as_text=True)
    answer = worker.respond(respondent, open_answers(7))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    # The session ends with the answer: no second answer through the same browser.
    assert respondent.get(FORM).status_code == 401
    second = respondent.post(FORM, data={**{f"item-{k}": "1" for k in open_answers(1)}})
    assert second.status_code == 401
    for again in (respondent.post, respondent.get):
        assert again(asked.path).status_code == 410
    deliver(app)
    assert len(responses_in_record(record_store, CLIENT)) == 1


def test_an_expired_link_does_not_open(app, family):
    worker = family(CLIENT)
    asked = worker.ask(mode="link")
    row = _link_row(app, asked)
    # Issued for the configured link_days (7 by default).
    assert row.expires_at - row.created_at == timedelta(days=7)
    with app.extensions["plugin_host"].database.transaction() as session:
        session.execute(
            update(RespondentLink)
            .where(RespondentLink.link_id == row.link_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    for attempt in (browser(app).get, browser(app).post):
        refused = attempt(asked.path)
        assert refused.status_code == 410
        assert "This link has expired" in refused.get_data(as_text=True)
    assert _link_row(app, asked).opened_at is None


def _waiting_rows(panel: str) -> list[list[str]]:
    """The panel's "Waiting for an answer" table, a list of cell texts per link."""
    tree = lxml.html.fromstring(panel)
    section = tree.xpath('//section[@aria-labelledby="waiting-heading"]')
    if not section:
        return []
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")]
        for row in section[0].xpath(".//tbody/tr")
    ]


def test_a_link_given_to_the_wrong_person_is_withdrawn_from_the_panel(app, family):
    worker = family(CLIENT)
    assert _waiting_rows(worker.panel()) == []
    asked = worker.ask(mode="link", respondent_role="child", band="7_12")
    kept = worker.ask(mode="link")
    rows = _waiting_rows(worker.panel())
    newest_first = ["parent, adult", "child, 7\N{EN DASH}12 (smileys)"]
    assert [row[1] for row in rows] == newest_first
    assert {row[0] for row in rows} == {"How did the meeting go?"}  # the title, in English

    panel = lxml.html.fromstring(worker.panel())
    form = panel.xpath('//section[@aria-labelledby="waiting-heading"]//tbody/tr[2]//form')[0]
    link_id = form.xpath('.//input[@name="link_id"]/@value')[0]
    assert link_id == _link_row(app, asked).link_id
    withdrawn = worker.worker.post(
        form.get("action"), data={"link_id": link_id, "csrf_token": csrf_of(worker.panel())}
    )
    assert withdrawn.status_code == 303
    assert withdrawn.headers["Location"].endswith("#withdraw-status")  # focus on the notice
    after = worker.worker.get(withdrawn.headers["Location"]).get_data(as_text=True)
    assert "The link was withdrawn: it can no longer be opened." in after
    assert [row[1] for row in _waiting_rows(after)] == ["parent, adult"]
    refused = browser(app).post(asked.path)
    assert refused.status_code == 410
    assert "This link has expired" in refused.get_data(as_text=True)

    again = worker.worker.post(
        form.get("action"), data={"link_id": link_id, "csrf_token": csrf_of(worker.panel())}
    )
    shown = worker.worker.get(again.headers["Location"]).get_data(as_text=True)
    assert "The link could not be withdrawn" in shown
    worker.open(kept)  # the other link still opens, and then waits no more
    assert _waiting_rows(worker.panel()) == []


def test_a_kiosk_link_lasts_the_meeting_only(app, family):
    asked = family(CLIENT).ask(mode="kiosk")
    row = _link_row(app, asked)
    assert row.kiosk is True
    assert row.expires_at - row.created_at == timedelta(minutes=30)


# --- 2. kiosk mode cannot reach the record -----------------------------------------------------


def _client_routes(client_id: str) -> list[str]:
    return [
        panel_path(client_id),
        f"/c/{client_id}/p/client_note/",
        f"/c/{client_id}/cards.json",
        f"/c/{client_id}/",
        f"/c/{client_id}/api/session",
        f"/c/{client_id}/api/feedback/documents/feedback_response",
    ]


def _assert_locked(worker_browser, unit: str = "lastensuojelu-1") -> None:
    routes = [*_client_routes(CLIENT), *_client_routes("c-1002"), f"/u/{unit}/p/feedback/"]
    for path in routes:
        answer = worker_browser.get(path)
        assert answer.status_code in (401, 403), (path, answer.status_code)
        page = answer.get_data(as_text=True)
        for secret in ("Aino", "Testinen", "Aiempi vastaus", '"cards"'):
            assert secret not in page, (path, secret)
        if answer.status_code == 403:
            assert LOCKED in page, path
    asked = worker_browser.post(
        f"{panel_path(CLIENT)}ask",
        data={"questionnaire_id": OPEN, "respondent_role": "parent", "band": "adult"},
    )
    assert asked.status_code in (401, 403)


def test_kiosk_mode_cannot_reach_the_record(app, family, launch_keys, record_store):
    worker = family(CLIENT)
    worker.give(open_answers(3), free_text="Aiempi vastaus: en tullut kuulluksi")
    deliver(app)
    # Before the hand-over, the worker's browser reaches the record.
    for path in _client_routes(CLIENT):
        assert worker.worker.get(path).status_code == 200, path
    assert "Aiempi vastaus" in worker.panel()

    asked = worker.ask(mode="kiosk")
    assert worker.worker.get(asked.path).status_code == 200  # the button page
    worker.open(asked, worker.worker)  # handed over: the same browser
    _assert_locked(worker.worker)

    page = worker.worker.get(FORM)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for secret in ("Aino", "Testinen", "Aiempi vastaus", CLIENT, "w-demo", "Hyvönen"):
        assert secret not in text, secret
    # Links on the questionnaire page lead nowhere into the record.
    hrefs = lxml.html.fromstring(text).xpath("//a/@href | //form/@action")
    assert all(not h.startswith(("/c/", "/t/", "/u/")) for h in hrefs), hrefs

    answered = worker.respond(worker.worker, open_answers(9))
    assert answered.status_code == 200
    thanks = answered.get_data(as_text=True)
    assert "Please give the device back to the worker." in thanks
    for secret in ("Aino", "Testinen", "Aiempi vastaus", CLIENT):
        assert secret not in thanks, secret
    # Still locked after answering, and the questionnaire is over.
    _assert_locked(worker.worker)
    assert worker.worker.get(FORM).status_code == 403
    assert worker.worker.post(asked.path).status_code == 410

    # A new signed launch gives the worker the record back.
    launch(app, launch_keys, worker.worker, client_id=CLIENT)
    assert worker.worker.get(panel_path(CLIENT)).status_code == 200
    deliver(app)
    assert len(responses_in_record(record_store, CLIENT)) == 2


# --- 3. clinical vs service evaluation ---------------------------------------------------------


@pytest.fixture
def service_app(make_host, host_config, definitions_dir):
    """The open questionnaire on the clinical channel, the licensed one on service evaluation."""
    questionnaires = [
        {"questionnaire_id": OPEN, "channel": "clinical"},
        {
            "questionnaire_id": LICENSED,
            "channel": "service_evaluation",
            "licence_reference": LICENCE,
        },
    ]
    _, config = configure(host_config, feedback_section(questionnaires, definitions_dir))
    return make_host(enable=("feedback",), config=config)


def _stat_rows(app) -> dict[str, list[dict]]:
    found = {}
    with app.extensions["plugin_host"].database.transaction() as session:
        for model in (StatObservation, StatRollup, StatFamily):
            columns = [c.key for c in inspect(model).columns]
            found[model.__tablename__] = [
                {c: getattr(row, c) for c in columns} for row in session.scalars(select(model))
            ]
    return found


def test_clinical_answers_go_into_the_record_and_service_evaluation_only_into_statistics(
    service_app, launch_keys, record_system_server
):
    from tests.feedback.conftest import Family

    app = service_app
    worker = Family(app, launch(app, launch_keys, client_id=CLIENT), CLIENT)
    clinical = worker.respond(
        worker.open(worker.ask(questionnaire_id=OPEN)), open_answers(8), free_text="Hyvä tapaaminen"
    )
    assert clinical.status_code == 200
    assert "They are kept in your client record" in clinical.get_data(as_text=True)
    asked = worker.ask(questionnaire_id=LICENSED)
    respondent = worker.open(asked)
    form = respondent.get(FORM).get_data(as_text=True)
    assert "Your answers are anonymous" in form
    service = worker.respond(respondent, licensed_answers(7, 8, 9, 10))
    assert service.status_code == 200
    assert "counted anonymously" in service.get_data(as_text=True)

    writes = deliver(app)
    assert [(w.document_type, w.status) for w in writes] == [("feedback_response", "delivered")]
    store = RecordStore(str(record_system_server.db_path))
    [document] = responses_in_record(store, CLIENT)
    content = document["content"]
    assert content["questionnaire_id"] == OPEN and content["channel"] == "clinical"
    assert content["answers"] == open_answers(8)
    assert content["total"] == 8
    assert content["respondent_role"] == "parent" and content["band"] == "adult"
    assert content["free_text"] == "Hyvä tapaaminen"
    for other in ("c-1002", "c-1003", "c-1004", "c-1005"):
        assert responses_in_record(store, other) == []

    rows = _stat_rows(app)
    answered = {r["d1"]: r for r in rows["stat_observation"] if r["dataset"] == "answers"}
    assert set(answered) == {OPEN, LICENSED}  # both channels are counted
    totals = {
        (r["d1"], r["value"])
        for r in rows["stat_observation"]
        if r["dataset"] == "answers" and r["measure"] == "total"
    }
    assert totals == {(OPEN, 8 * TENTHS), (LICENSED, 34 * TENTHS)}  # kept in tenths

    client = store.get_client(CLIENT)
    identity = client.get("identity_code")
    assert identity
    forbidden = [CLIENT, "Aino", "Testinen", identity, identity[:6], "Hyvä tapaaminen", "w-demo"]
    for table, found in rows.items():
        assert found, table
        for row in found:
            for column, value in row.items():
                for secret in forbidden:
                    assert secret not in str(value), (table, column, secret)


# --- 4. a child's answers stay the child's unless the child shares them -------------------------


def test_a_childs_answers_are_shared_with_the_guardians_only_by_the_childs_choice(
    app, family, record_store
):
    worker = family(CLIENT)
    respondent = worker.open(worker.ask(respondent_role="child", band="13_plus"))
    form = respondent.get(FORM).get_data(as_text=True)
    assert 'name="share"' in form and " checked" not in form.split('name="share"')[1][:40]
    assert worker.respond(respondent, open_answers(6)).status_code == 200
    worker.give(open_answers(9), share=True, respondent_role="child", band="13_plus")
    # A parent is not asked: the box is the child's.
    parent = worker.open(worker.ask(respondent_role="parent", band="adult"))
    assert 'name="share"' not in parent.get(FORM).get_data(as_text=True)
    deliver(app)
    shared = sorted(
        (d["content"]["answers"]["heard"], d["content"]["shared_with_guardians"])
        for d in responses_in_record(record_store, CLIENT)
    )
    assert shared == [(6, False), (9, True)]
    panel = worker.panel()
    assert panel.count("not shown to the guardians") == 1
    assert panel.count("shared with the guardians") == 1


# --- 5. the worker's view: chart, reliable change, alerts, the card ----------------------------


def test_the_panel_shows_the_change_and_the_alerts_of_a_parents_answers(app, family, record_store):
    worker = family(CLIENT)
    given = [(9, 9, 9, 9), (8, 8, 7, 7), (5, 5, 5, 5)]  # totals 36, 30, 20
    days = ["2026-01-10", "2026-02-10", "2026-03-10"]
    for values, day in zip(given, days, strict=True):
        worker.give(licensed_answers(*values), questionnaire_id=LICENSED, meeting_date=day)
    deliver(app)
    assert len(responses_in_record(record_store, CLIENT)) == 3

    # Jacobson-Truax by hand: norm SD 7, reliability 0.8.
    se = 7 * math.sqrt(1 - 0.8)  # 3.1305
    s_diff = math.sqrt(2) * se  # 4.4272
    rci = (20 - 36) / s_diff  # -3.614: |RCI| > 1.96, and lower is worse
    assert rci == pytest.approx(-3.614, abs=0.001)

    page = worker.panel()
    tree = lxml.html.fromstring(page)
    [article] = [a for a in tree.xpath("//article") if "Licensed example" in a.findtext("h3", "")]
    [svg] = article.xpath(".//*[local-name()='svg']")
    assert svg.get("role") == "img"
    title = svg.xpath("./*[local-name()='title']")[0].text
    desc = svg.xpath("./*[local-name()='desc']")[0].text
    assert "Licensed example" in title and "parent" in title
    assert "from 36 to 20" in desc
    assert len(svg.xpath(".//*[local-name()='circle']")) == 3

    text = " ".join(article.text_content().split())
    assert f"Since the first answer: deteriorated (RCI {rci:.2f})" in text
    assert "clinically significant" not in text
    rows = article.xpath(".//tbody/tr")
    assert len(rows) == 3
    signals = [" ".join(r.xpath("./td")[1].text_content().split()) for r in rows]
    assert signals[0] == ""  # 36: above the cut-off (25) and the alliance threshold (30)
    assert "Alliance alert" not in signals[1] and "cut-off" not in signals[1]
    assert signals[2].startswith("Alliance alert: item_one, item_two, item_three, item_four")
    assert "On the worrying side of the cut-off" in signals[2]  # 20 < 25, the adults' cut-off

    cards = worker.worker.get(f"/c/{CLIENT}/cards.json").json["cards"]
    [card] = [c for c in cards if c["plugin"] == "feedback"]
    assert card["summary"] == "The latest feedback has an alliance alert."
    assert card["indicator"] == "warning"


def test_a_reliable_improvement_across_the_cut_off_is_clinically_significant(app, family):
    worker = family(CLIENT)
    for values, day in (((3, 3, 3, 3), "2026-01-10"), ((8, 8, 8, 8), "2026-02-10")):
        worker.give(licensed_answers(*values), questionnaire_id=LICENSED, meeting_date=day)
    deliver(app)
    rci = (32 - 12) / (math.sqrt(2) * 7 * math.sqrt(0.2))  # 4.517
    text = " ".join(lxml.html.fromstring(worker.panel()).text_content().split())
    assert f"improved (RCI {rci:.2f}) \u2013 clinically significant" in text


def test_the_card_follows_the_latest_answer_not_the_order_of_delivery(app, family, record_store):
    """The outbox delivers writes concurrently, so the record's created_at order is not the
    order the answers were given in; the card must speak of the answer given last (as the
    panel's chart does, by answered_at)."""
    worker = family(CLIENT)
    for values, day in (((3, 3, 3, 3), "2026-01-10"), ((8, 8, 8, 8), "2026-02-10")):
        worker.give(licensed_answers(*values), questionnaire_id=LICENSED, meeting_date=day)
    deliver(app)
    given = sorted(
        responses_in_record(record_store, CLIENT), key=lambda d: d["content"]["answered_at"]
    )
    assert [d["content"]["total"] for d in given] == [12, 32]
    cards = worker.worker.get(f"/c/{CLIENT}/cards.json").json["cards"]
    assert [c["summary"] for c in cards if c["plugin"] == "feedback"] == [
        "Latest feedback: total 32."
    ]


# --- regressions -------------------------------------------------------------------------------


def test_an_answer_that_is_not_a_plain_number_is_asked_again(app, family):
    """``"²".isdigit()`` is true but ``int("²")`` raises: the form must say "Choose an answer"
    (422), not fail with a server error."""
    worker = family(CLIENT)
    respondent = worker.open(worker.ask())
    page = respondent.get(FORM).get_data(as_text=True)
    data = {f"item-{k}": "5" for k in open_answers(5)}
    answer = respondent.post(FORM, data={**data, "item-heard": "²", "csrf_token": csrf_of(page)})
    assert answer.status_code == 422


def test_answers_to_an_earlier_version_keep_their_meaning_in_the_panel(
    make_host, host_config, definitions_dir, launch_keys
):
    """A new version of a questionnaire (an item added) is enabled after answers to version 1
    were given: the panel and the client card still show the old answers, scored by the
    version they were given to."""
    from tests.feedback.conftest import Family

    definition = json.loads((definitions_dir / "licensed_example.json").read_text())
    second = json.loads(json.dumps(definition))
    second["version"] = 2
    extra = json.loads(json.dumps(second["items"][0]))
    extra["item_id"] = "item_five"
    second["items"].append(extra)
    (definitions_dir / "licensed_example_v2.json").write_text(json.dumps(second))

    def app_for(version: int):
        entry = {
            "questionnaire_id": LICENSED,
            "version": version,
            "channel": "clinical",
            "licence_reference": LICENCE,
        }
        section = feedback_section([entry], definitions_dir)
        _, config = configure(host_config, section, name=f"feedback-v{version}.toml")
        return make_host(enable=("feedback",), config=config)

    first = app_for(1)
    worker = Family(first, launch(first, launch_keys, client_id=CLIENT), CLIENT)
    worker.give(licensed_answers(9, 9, 9, 9), questionnaire_id=LICENSED)
    deliver(first)

    later = app_for(2)
    browser_later = launch(later, launch_keys, client_id=CLIENT)
    panel = browser_later.get(panel_path(CLIENT))
    assert panel.status_code == 200
    assert "Licensed example" in panel.get_data(as_text=True)
    cards = browser_later.get(f"/c/{CLIENT}/cards.json").json["cards"]
    [card] = [c for c in cards if c["plugin"] == "feedback"]
    assert card["placeholder"] is False
