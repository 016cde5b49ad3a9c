"""Isolation between families: ten families in one meeting, every minutes document read back.

team-m (``seed_meeting_team``) has ten invented families, one social worker responsible for all;
family 0 has two children with records of their own (siblings: each gets the minutes). Each
family's discussion is filled with things only that family has (its members present, markers in
the question, hypotheses, reflections, tasks, the child's view and team notes); after signing all
ten and the outbox delivering, no minutes document may hold anything of another family.
"""

from __future__ import annotations

from typing import Any

from tests.weekly_meeting.conftest import (
    TEAM_M,
    TEAM_M_WORKER,
    deliver,
    hypothesis,
    in_days,
    outcome,
    present,
    reflection,
    task,
    today,
)


def marker(k: int) -> str:
    return f"PERHEMERKKI-{k:02d}-X"


def fill(k: int, family: dict[str, Any]) -> dict[str, str]:
    first = family["clients"][0]
    mother, father = f"p-{first[2:]}-01", f"p-{first[2:]}-02"
    mark = marker(k)
    return {
        **present((TEAM_M_WORKER,), (mother, father)),
        "question": f"Kysymys perheestä {family['surname']} {mark}",
        **hypothesis(0, f"Hypoteesi A {mark}", f"f:{mother}", shared=True),
        **hypothesis(1, f"Hypoteesi B {mark}", f"t:{TEAM_M_WORKER}"),
        **reflection(0, f"Reflektio {mark}", f"t:{TEAM_M_WORKER}"),
        "family_view-0-text": f"Isän sanoin {mark}",
        "family_view-0-by": f"f:{father}",
        "child_view-text": f"Lapsen sanoin {mark}",
        "child_view-how_obtained": "met_alone",
        "child_view-obtained_by": f"t:{TEAM_M_WORKER}",
        **task(0, f"Tehtävä {mark}", f"t:{TEAM_M_WORKER}", in_days(7)),
        **task(1, f"Äidin tehtävä {mark}", f"f:{mother}", in_days(14)),
        "decisions-0-text": f"Päätös {mark}",
        "team_notes": f"Tiimin muistiinpano {mark}",
        **outcome("decision"),
    }


def things_of(k: int, family: dict[str, Any]) -> list[str]:
    """Everything that names family ``k``: no other family's minutes may hold any of it."""
    return [
        marker(k),
        family["surname"],
        *family["names"],
        *family["clients"],
        *family["person_ids"],
        *family["identity_codes"],
    ]


def test_ten_families_in_one_meeting_each_record_gets_its_own_familys_minutes_only(
    team_launch, records, app
):
    families = records.team_m
    assert len(families) == 10
    assert any(len(f["clients"]) == 2 for f in families), "a family with siblings"
    meeting = team_launch(TEAM_M_WORKER, TEAM_M)
    meeting.create(today())
    for family in families:
        item = meeting.add(family["clients"][0])
        for sibling in family["clients"][1:]:
            meeting.items[sibling] = item
    # Siblings come on the agenda as one item: ten items for ten families.
    assert len(set(meeting.items.values())) == 10

    for k, family in enumerate(families):
        first = family["clients"][0]
        saved = meeting.save(first, fill(k, family))
        assert saved.status_code == 303, saved.get_data(as_text=True)
        signed = meeting.sign(first)
        assert signed.status_code == 303, signed.get_data(as_text=True)
    deliver(app)

    for k, family in enumerate(families):
        own = set(family["clients"])
        for client_id in family["clients"]:
            written = records.minutes(client_id)
            # Exactly one entry in each child's record, in that child's record.
            assert len(written) == 1, (client_id, [w["document_id"] for w in written])
            [minutes] = written
            assert minutes["clients"] == {client_id}
            assert set(minutes["content"]["family_clients"]) == own
            assert minutes["content"]["meeting"]["team_id"] == TEAM_M
            raw = "\n".join(minutes["versions"].values())
            assert marker(k) in raw
            mother = f"p-{family['clients'][0][2:]}-01"
            assert f"f:{mother}" in raw
            for j, other in enumerate(families):
                if j == k:
                    continue
                leaked = [thing for thing in things_of(j, other) if thing in raw]
                assert leaked == [], f"{client_id}'s minutes hold family {j}'s {leaked}"
        # The siblings' entries are the same minutes, each its own document.
        documents = {records.minutes(c)[0]["document_id"] for c in family["clients"]}
        assert len(documents) == len(family["clients"])

    # Nobody outside the meeting got minutes: not the other team's clients.
    for client_id in ("c-1001", "c-1002", "c-1003", "c-1004", "c-1005"):
        assert records.minutes(client_id) == []


def test_the_family_screen_and_case_card_show_one_family_only(team_launch, records, app):
    """The pages drawn from a family's discussion name nobody of the other families."""
    families = records.team_m[:3]
    meeting = team_launch(TEAM_M_WORKER, TEAM_M)
    meeting.create(today())
    for k, family in enumerate(families):
        first = family["clients"][0]
        meeting.add(first)
        assert meeting.save(first, fill(k, family)).status_code == 303
        assert meeting.sign(first).status_code == 303
    deliver(app)
    for k, family in enumerate(families):
        first = family["clients"][0]
        pages = {
            "form": meeting.discussion(first),
            "family screen": meeting.family_screen(first),
            "case card": meeting.get(f"/cases?client={first}"),
        }
        for name, html in pages.items():
            assert marker(k) in html, name
            for j, other in enumerate(families):
                if j != k:
                    leaked = [t for t in things_of(j, other) if t in html]
                    assert leaked == [], f"{name} of family {k} shows family {j}'s {leaked}"


def test_a_discussion_takes_no_one_from_another_family(team_launch, records):
    """Another family's members are unknown in this family's discussion: refused, not stored."""
    families = records.team_m
    meeting = team_launch(TEAM_M_WORKER, TEAM_M)
    meeting.create(today())
    ours, theirs = families[1]["clients"][0], families[2]["clients"][0]
    meeting.add(ours)
    stranger = f"p-{theirs[2:]}-01"
    answer = meeting.save(
        ours,
        {
            **present((TEAM_M_WORKER,), (stranger,)),  # no such field on this family's form
            **hypothesis(0, "Vieras hypoteesi", f"f:{stranger}"),
            **task(0, "Vieras tehtävä", f"f:{stranger}", in_days(3)),
        },
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Tuntematon osallistuja." in page
    assert families[2]["surname"] not in page
    form = meeting.discussion(ours)
    assert stranger not in form and "Vieras" not in form
