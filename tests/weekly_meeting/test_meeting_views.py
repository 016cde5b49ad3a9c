"""The weekly meeting's team pages in a host against the real reference record system.

team-a (lastensuojelu-1): w-demo is responsible for c-1001 Aino Testinen, her brother c-1005 Ville
Testinen (siblings: one agenda item, minutes in both records) and c-1002; w-sosiaali for c-1003
and c-1004; w-terapeutti and w-koordinaattori are the team's other members. The launch's locale
is Finnish, the host's default.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
from babel.dates import format_date

from plugins.weekly_meeting import agenda
from tests.weekly_meeting.conftest import (
    audit_rows,
    deliver,
    field_error,
    form_values,
    hypothesis,
    in_days,
    outcome,
    present,
    reflection,
    task,
    task_rows,
    today,
)

TEAM_A_CLIENTS = {"c-1001", "c-1002", "c-1003", "c-1004", "c-1005"}


def text_of(html: str) -> str:
    return lxml.html.fromstring(html).text_content()


# --- the family's screen -------------------------------------------------------------------------

SHARED = {
    "question": "JAETTU-KYSYMYS-1003",
    "hypothesis": "JAETTU-HYPOTEESI-1003",
    "reflection": "JAETTU-REFLEKTIO-1003",
    "family words": "PERHEEN-SANAT-1003",
    "worry": "JAETTU-HUOLI-1003",
    "decision": "JAETTU-PAATOS-1003",
    "task": "JAETTU-TEHTAVA-1003",
    "network member": "Verkko Kuraattori-1003",
}
INTERNAL = {
    "team notes": "SISAINEN-TIIMIN-MUISTIINPANO",
    "unshared hypothesis": "SISAINEN-HYPOTEESI",
    "unshared reflection": "SISAINEN-REFLEKTIO",
    "child's view without consent": "SISAINEN-LAPSEN-SANAT",
    "why the child's view was not obtained": "SISAINEN-SYY",
}


def family_discussion() -> dict[str, str]:
    return {
        **present(("w-demo", "w-terapeutti"), ("p-1003-01",), consent="whole_discussion"),
        **present((), ("p-1003-02",), consent="attend_and_reflections"),
        "network-0-name": SHARED["network member"],
        "network-0-role": "school",
        "network-0-consent": "attend",
        "question": SHARED["question"],
        **hypothesis(0, SHARED["hypothesis"], "f:p-1003-01", shared=True),
        **hypothesis(1, INTERNAL["unshared hypothesis"], "t:w-terapeutti"),
        **reflection(0, SHARED["reflection"], "t:w-terapeutti", shared=True),
        **reflection(1, INTERNAL["unshared reflection"], "t:w-demo"),
        "family_view-0-text": SHARED["family words"],
        "family_view-0-by": "f:p-1003-02",
        "child_view-text": INTERNAL["child's view without consent"],
        "child_view-how_obtained": "met_alone",
        "child_view-obtained_by": "t:w-terapeutti",
        "child_view-reason_not_obtained": INTERNAL["why the child's view was not obtained"],
        "worries-0-text": SHARED["worry"],
        "worries-0-raised_by": "f:p-1003-01",
        "decisions-0-text": SHARED["decision"],
        **task(0, SHARED["task"], "t:w-demo", in_days(7)),
        "team_notes": INTERNAL["team notes"],
        **outcome("understanding"),
    }


def test_the_family_screen_shows_what_is_shared_and_nothing_internal(team_launch):
    meeting = team_launch()
    meeting.create(today())
    meeting.add("c-1003")
    saved = meeting.save("c-1003", family_discussion())
    assert saved.status_code == 303, saved.get_data(as_text=True)
    form = meeting.discussion("c-1003")
    for text in (*SHARED.values(), *INTERNAL.values()):
        assert text in form  # the team's form has everything

    screen = meeting.family_screen("c-1003")
    for what, text in INTERNAL.items():
        assert text not in screen, f"the family's screen shows {what}"
    # Consent records, participant and worker ids are the team's, not the family's.
    for internal in ("p-1003-0", "f:p-", "t:w-", "n:", "w-demo", "w-terapeutti"):
        assert internal not in screen, internal
    for scope in ("whole_discussion", "attend_and_reflections", "consents to"):
        assert scope not in screen, scope
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", screen), "a consent's recorded time"
    for what, text in SHARED.items():
        assert text in screen, f"the family's screen lacks the shared {what}"
    assert "Minna Koivisto-Demo" in screen  # those present, by name


def test_the_childs_view_reaches_the_family_screen_when_the_child_agrees(team_launch):
    meeting = team_launch()
    meeting.create(today())
    meeting.add("c-1003")
    agreed = {**family_discussion(), "child_view-child_agrees_to_share": "1"}
    assert meeting.save("c-1003", agreed).status_code == 303
    screen = meeting.family_screen("c-1003")
    assert INTERNAL["child's view without consent"] in screen
    assert INTERNAL["why the child's view was not obtained"] not in screen


def test_the_update_reaches_the_family_screen(team_launch):
    """Regression: ``view.update`` in family.html found dict.update (the method) before the key,
    so the screen showed "<built-in method update ...>" and never the team's update."""
    meeting = team_launch()
    meeting.create(today())
    meeting.add("c-1003")
    changes = {**family_discussion(), "update": "JAETTU-PAIVITYS-1003"}
    assert meeting.save("c-1003", changes).status_code == 303
    screen = meeting.family_screen("c-1003")
    assert "built-in method" not in screen
    assert "JAETTU-PAIVITYS-1003" in screen


def test_saving_the_form_as_shown_keeps_the_update_as_it_was(team_launch, app, records):
    """Regression: the update's textarea was filled from ``discussion.update``, the dict's method:
    the form showed "<built-in method update of dict object at 0x...>" and every save of the page
    wrote that into the discussion, and signing into the minutes."""
    meeting = team_launch()
    meeting.create(today())
    meeting.add("c-1002")
    first = {**present(("w-demo",)), "update": "", **outcome()}
    assert meeting.save("c-1002", first).status_code == 303
    form = form_values(meeting.discussion("c-1002"), meeting.items["c-1002"])
    assert form["update"] == ""
    assert meeting.save("c-1002", {}).status_code == 303  # saved again as the page shows it
    assert meeting.sign("c-1002").status_code == 303
    deliver(app)
    [minutes] = records.minutes("c-1002")
    assert minutes["content"]["discussion"]["update"] == ""


# --- tasks from one meeting to the next ----------------------------------------------------------


def test_open_tasks_carry_over_until_done(team_launch, app):
    meeting = team_launch()
    first_id = meeting.create(today() - timedelta(days=14))
    meeting.add("c-1002")
    first = {
        **present(("w-demo",)),
        **task(0, "AVOIN-TEHTAVA", "t:w-demo", in_days(10)),
        **task(1, "TEHTY-TEHTAVA", "t:w-demo", in_days(10), state="done"),
        **outcome(),
    }
    assert meeting.save("c-1002", first).status_code == 303
    assert meeting.sign("c-1002").status_code == 303
    deliver(app)

    second_id = meeting.create(today() - timedelta(days=7))
    meeting.add("c-1002")
    form = meeting.discussion("c-1002")
    [(task_id, carried)] = task_rows(form).items()
    assert carried["text"] == "AVOIN-TEHTAVA"
    assert carried["carried_from"] == first_id  # marked as from an earlier meeting
    assert carried["state"] == "open" and not carried["overdue"]
    assert "TEHTY-TEHTAVA" not in form
    done = {f"tasks-{carried['index']}-state": "done", **present(("w-demo",)), **outcome()}
    assert meeting.save("c-1002", done).status_code == 303
    assert task_rows(meeting.discussion("c-1002"))[task_id]["state"] == "done"
    assert meeting.sign("c-1002").status_code == 303
    deliver(app)

    meeting.create(today())
    assert meeting.meeting_id not in (first_id, second_id)
    meeting.add("c-1002")
    form = meeting.discussion("c-1002")
    assert task_rows(form) == {}
    assert "AVOIN-TEHTAVA" not in form and "TEHTY-TEHTAVA" not in form


def test_a_carried_task_past_its_due_date_is_saved_and_shown_overdue(team_launch, app, monkeypatch):
    month_ago = datetime.now(UTC) - timedelta(days=30)
    monkeypatch.setattr(agenda, "utc_now", lambda: month_ago)  # the first meeting, a month ago
    meeting = team_launch()
    first_id = meeting.create(today() - timedelta(days=30))
    meeting.add("c-1002")
    due = (today() - timedelta(days=20)).isoformat()  # ahead then, past now
    first = {**present(("w-demo",)), **task(0, "MYOHASSA-TEHTAVA", "t:w-demo", due), **outcome()}
    assert meeting.save("c-1002", first).status_code == 303
    assert meeting.sign("c-1002").status_code == 303
    deliver(app)
    monkeypatch.undo()

    meeting.create(today())
    meeting.add("c-1002")
    [(task_id, carried)] = task_rows(meeting.discussion("c-1002")).items()
    assert (carried["text"], carried["due"], carried["carried_from"]) == (
        "MYOHASSA-TEHTAVA",
        due,
        first_id,
    )
    assert carried["overdue"]
    saved = meeting.save("c-1002", {**present(("w-demo",)), "question": "Jatko"})
    assert saved.status_code == 303, field_error(saved.get_data(as_text=True), "tasks-0-due")
    again = task_rows(meeting.discussion("c-1002"))[task_id]
    assert (again["due"], again["overdue"]) == (due, True)


# --- invalid input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            task(0, "Soittaa koululle", "", in_days(3)),
            "tasks-0-owner",
            "Tehtävällä on oltava vastuuhenkilö.",
            id="task-without-owner",
        ),
        pytest.param(
            task(0, "Soittaa koululle", "t:w-demo", in_days(-1)),
            "tasks-0-due",
            "Määräaika ei voi olla menneisyydessä.",
            id="new-task-due-in-the-past",
        ),
        pytest.param(
            hypothesis(0, "Isä väsynyt", "f:p-9999-99"),
            "hypotheses-0-proposed_by",
            "Tuntematon osallistuja.",
            id="unknown-participant",
        ),
    ],
)
def test_invalid_input_is_refused_with_the_error_in_finnish_at_its_field(
    team_launch, changes, field, message
):
    meeting = team_launch()
    meeting.create(today())
    meeting.add("c-1002")
    assert (
        meeting.save("c-1002", {**present(("w-demo",)), "question": "ALKUTILA"}).status_code == 303
    )

    answer = meeting.save("c-1002", {**changes, "question": "MUUTETTU"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert field_error(page, field) == [message]
    control = lxml.html.fromstring(page).get_element_by_id(field)
    assert control.get("aria-invalid") == "true"
    assert control.get("aria-describedby") == f"{field}-error"
    assert f'href="#{field}"' in page  # the error summary links to the field

    reloaded = form_values(meeting.discussion("c-1002"), meeting.items["c-1002"])
    assert reloaded["question"] == "ALKUTILA"  # nothing of the refused post was stored
    assert task_rows(meeting.discussion("c-1002")) == {}
    assert "hypotheses-0-id" not in reloaded


# --- signing and correcting ----------------------------------------------------------------------


def sibling_discussion(question: str) -> dict[str, str]:
    return {
        **present(("w-demo", "w-terapeutti"), ("p-1001-01",)),
        "question": question,
        **hypothesis(0, "SISARUSTEN-HYPOTEESI", "f:p-1001-01"),
        **outcome(),
    }


def test_a_correction_is_version_two_of_each_siblings_document(team_launch, app, records):
    meeting = team_launch()
    meeting.create(today())
    meeting.add("c-1001")
    assert meeting.items == {"c-1001": meeting.items["c-1001"]}
    assert meeting.save("c-1001", sibling_discussion("ALKUPERAINEN")).status_code == 303
    assert meeting.sign("c-1001").status_code == 303
    deliver(app)
    first = {c: records.minutes(c) for c in ("c-1001", "c-1005")}
    for [minutes] in first.values():
        assert minutes["version"] == 1
        assert minutes["content"]["correction"] is None

    assert meeting.correct("c-1001").status_code == 303
    without_reason = meeting.sign("c-1001")
    assert without_reason.status_code == 422
    assert field_error(without_reason.get_data(as_text=True), "correction_reason")
    assert meeting.save("c-1001", {"question": "KORJATTU"}).status_code == 303
    reason = "Kysymys kirjattiin väärin."
    assert meeting.sign("c-1001", correction_reason=reason).status_code == 303
    deliver(app)

    for client_id, [before] in first.items():
        [after] = records.minutes(client_id)
        assert after["document_id"] == before["document_id"]
        assert after["version"] == 2
        assert after["versions"][1] == before["versions"][1]  # version 1 unchanged
        assert after["content"]["correction"] == {"of_version": 1, "reason": reason}
        assert after["content"]["discussion"]["question"] == "KORJATTU"
        assert before["content"]["discussion"]["question"] == "ALKUPERAINEN"


def test_correcting_again_needs_a_reason_each_time(team_launch, app, records):
    meeting = team_launch()
    meeting.create(today())
    meeting.add("c-1002")
    assert meeting.save("c-1002", {**present(("w-demo",)), **outcome()}).status_code == 303
    assert meeting.sign("c-1002").status_code == 303
    assert meeting.correct("c-1002").status_code == 303
    assert meeting.sign("c-1002", correction_reason="Ensimmäinen korjaus").status_code == 303
    assert meeting.correct("c-1002").status_code == 303
    assert meeting.sign("c-1002", correction_reason="  ").status_code == 422
    assert meeting.sign("c-1002", correction_reason="Toinen korjaus").status_code == 303
    deliver(app)
    [minutes] = records.minutes("c-1002")
    assert minutes["version"] == 3
    assert minutes["content"]["correction"] == {"of_version": 2, "reason": "Toinen korjaus"}


@pytest.mark.parametrize("worker_id", ["w-terapeutti", "w-sosiaali", "w-koordinaattori"])
def test_only_the_responsible_social_worker_signs(team_launch, app, records, worker_id):
    colleague = team_launch(worker_id)
    colleague.create(today())
    colleague.add("c-1001")
    assert colleague.save("c-1001", sibling_discussion("Kysymys")).status_code == 303
    refused = colleague.sign("c-1001")
    assert refused.status_code == 403
    deliver(app)
    assert records.minutes("c-1001") == [] and records.minutes("c-1005") == []

    responsible = team_launch("w-demo")
    responsible.meeting_id, responsible.items = colleague.meeting_id, colleague.items
    assert responsible.sign("c-1001").status_code == 303
    deliver(app)
    assert len(records.minutes("c-1001")) == 1 and len(records.minutes("c-1005")) == 1


def test_a_signed_discussion_is_not_saved_over(team_launch):
    meeting = team_launch()
    meeting.create(today())
    meeting.add("c-1002")
    assert meeting.save("c-1002", {**present(("w-demo",)), **outcome()}).status_code == 303
    assert meeting.sign("c-1002").status_code == 303
    assert meeting.save("c-1002", {"question": "JALKIKATEEN"}).status_code == 409
    assert meeting.sign("c-1002").status_code == 409
    assert "JALKIKATEEN" not in meeting.discussion("c-1002")


# --- audit ---------------------------------------------------------------------------------------


def test_the_audit_names_each_family_client_and_no_client_off_the_agenda(team_launch, app):
    meeting = team_launch()
    meeting.create(today())
    meeting.add("c-1001")  # with her brother c-1005
    meeting.add("c-1002")
    discussions = {
        "c-1001": sibling_discussion("Kysymys"),
        "c-1002": {**present(("w-demo",), ("p-1002-01",)), **outcome()},
    }
    for client_id, changes in discussions.items():
        assert meeting.save(client_id, changes).status_code == 303
        assert meeting.family_screen(client_id)
        assert meeting.sign(client_id).status_code == 303
    deliver(app)
    meeting.get("/")
    meeting.get(f"/meetings/{meeting.meeting_id}")
    meeting.get("/cases?client=c-1001")

    for client_id in ("c-1001", "c-1005", "c-1002"):
        rows = audit_rows(app, client_id=client_id, plugin="weekly_meeting")
        saves = [r for r in rows if r.operation == "documents.save"]
        assert [r.outcome for r in saves] == ["accepted"], client_id
        assert saves[0].worker_id == "w-demo" and saves[0].document_id
        assert {"state.write", "team.open"} <= {r.operation for r in rows}, client_id
    for client_id in TEAM_A_CLIENTS - {"c-1001", "c-1005", "c-1002"}:
        rows = audit_rows(app, client_id=client_id)
        assert rows, "the listing names every client of the team"
        assert {r.operation for r in rows} == {"team.list"}, client_id


# --- the team's board and the case card ----------------------------------------------------------


def test_the_board_shows_last_discussed_caseloads_fidelity_and_flags_undiscussed_cases(
    team_launch, app
):
    meeting = team_launch()
    meeting.create(today())
    meeting.add("c-1001")
    meeting.add("c-1002")
    full = {
        **present(("w-demo", "w-terapeutti"), ("p-1001-01",)),
        **hypothesis(0, "LAUTA-HYPOTEESI-1", "f:p-1001-01"),
        **hypothesis(1, "LAUTA-HYPOTEESI-2", "t:w-terapeutti"),
        **hypothesis(2, "HYLATTY-HYPOTEESI", "t:w-demo", status="discarded"),
        "child_view-text": "Lapsi haluaa kotiin.",
        "child_view-how_obtained": "met_alone",
        **task(0, "AVOIN-LAUTA-TEHTAVA", "t:w-demo", in_days(7)),
        **task(1, "VALMIS-LAUTA-TEHTAVA", "t:w-demo", in_days(7), state="done"),
        **outcome(),
    }
    thin = {
        **present(("w-demo",)),
        **hypothesis(0, "YKSI-HYPOTEESI", "t:w-demo"),
        **task(0, "SOSIAALIN-TEHTAVA", "t:w-sosiaali", in_days(3)),
        **outcome("postponed", "Perhe ei päässyt."),
    }
    for client_id, changes in (("c-1001", full), ("c-1002", thin)):
        assert meeting.save(client_id, changes).status_code == 303
        assert meeting.sign(client_id).status_code == 303
    deliver(app)

    board = lxml.html.fromstring(meeting.get("/"))
    day = format_date(today(), format="medium", locale="fi")
    cases = {}
    for row in board.xpath('//section[@aria-labelledby="families-heading"]//tbody/tr'):
        href = row.xpath("./th/a/@href")[0]
        cells = row.xpath("./td")
        cases[href.rsplit("client=", 1)[-1]] = {
            "last": cells[0].text_content(),
            "flagged": bool(cells[0].xpath('.//*[@class="overdue"]')),
            "open": cells[1].text_content().strip(),
        }
    assert cases.keys() == TEAM_A_CLIENTS
    for client_id in ("c-1001", "c-1005", "c-1002"):
        assert day in cases[client_id]["last"], cases[client_id]
        assert not cases[client_id]["flagged"]
        assert cases[client_id]["open"] == "1"
    for client_id in ("c-1003", "c-1004"):
        assert day not in cases[client_id]["last"]
        assert cases[client_id]["flagged"], "a case not discussed is flagged"

    workers = {
        row.xpath("./th")[0].text_content(): [
            c.text_content().split()[0] for c in row.xpath("./td")
        ]
        for row in board.xpath('//section[@aria-labelledby="workers-heading"]//tbody/tr')
    }
    assert workers["Demo Työntekijä"] == ["3", "1", "0"]  # c-1001, c-1002, c-1005; one task
    assert workers["Sanni Sosiaalityöntekijä"] == ["2", "1", "0"]
    assert workers["Tero Terapeutti"] == ["0", "0", "0"]

    fidelity = [
        row.xpath("./td")[1].text_content().strip()
        for row in board.xpath('//section[@aria-labelledby="fidelity-heading"]//tbody/tr')
    ]
    # Per client: c-1001 and c-1005 (one discussion, two cases) and c-1002 of the five.
    assert fidelity == [
        "3 / 5",  # discussed within four weeks
        "2 / 3",  # the family present
        "2 / 3",  # the child's view recorded
        "2 / 3",  # at least two hypotheses
        "3 / 3",  # an outcome
        "0 / 2",  # tasks overdue: each task once, though both siblings hold it
    ]

    card = meeting.get("/cases?client=c-1001")
    for shown in ("LAUTA-HYPOTEESI-1", "LAUTA-HYPOTEESI-2", "AVOIN-LAUTA-TEHTAVA", "Aino Testinen"):
        assert shown in card, shown
    for hidden in ("HYLATTY-HYPOTEESI", "VALMIS-LAUTA-TEHTAVA", "YKSI-HYPOTEESI"):
        assert hidden not in card, hidden
    assert "Demo Työntekijä" in card  # the open task's owner
    brother = meeting.get("/cases?client=c-1005")
    assert "AVOIN-LAUTA-TEHTAVA" in brother and "LAUTA-HYPOTEESI-1" in brother
    assert "LAUTA-HYPOTEESI" not in meeting.get("/cases?client=c-1003")
    meeting.get("/cases?client=c-2001", status=404)  # another team's client


# --- the client's record panel -------------------------------------------------------------------


def test_the_brothers_record_panel_lists_the_minutes_signed_for_the_family(
    team_launch, client_launch, app
):
    meeting = team_launch()
    meeting.create(today())
    meeting.add("c-1001")
    assert meeting.save("c-1001", sibling_discussion("PANEELIN-KYSYMYS")).status_code == 303
    assert meeting.sign("c-1001").status_code == 303
    deliver(app)

    browser = client_launch("c-1005")
    panel = browser.get("/c/c-1005/p/weekly_meeting/")
    assert panel.status_code == 200
    html = panel.get_data(as_text=True)
    day = format_date(today(), format="medium", locale="fi")
    entries = lxml.html.fromstring(html).xpath("//nav//li/a")
    assert len(entries) == 1 and day in entries[0].text_content()
    assert "PANEELIN-KYSYMYS" in html and "SISARUSTEN-HYPOTEESI" in html
    assert "Sanna Testinen" in html
    assert browser.get("/c/c-1001/p/weekly_meeting/").status_code == 403  # only his own record
