"""The genogram's words: each person's label, the table view and the summaries."""

from __future__ import annotations

import pytest

from plugins.genogram.family_graph import FamilyGraph
from plugins.genogram.labels import (
    age_text,
    join_names,
    network_summary,
    node_label,
    person_label,
    summary,
    table_rows,
    tie_label,
    union_label,
)
from plugins.genogram.schemas import GenogramSchema
from tests.genogram import families
from tests.genogram.families import TODAY, child_of, deceased, matti, person, when


def mother_and_child(**sections) -> dict:
    """Eino and his mother Liisa (families.py) with ``sections`` added, loaded."""
    return GenogramSchema().load(families.mother_and_child(**sections))


def label(genogram: dict, person_id: str, **kwargs) -> str:
    return person_label(FamilyGraph(genogram), person_id, TODAY, **kwargs)


def test_a_mother_living_with_the_child():
    assert label(mother_and_child(), "liisa") == "Liisa, mother of Eino, 34, lives with Eino"


def test_the_index_child_is_the_child():
    assert label(mother_and_child(), "eino") == "Eino, the child, 9, lives with Liisa"


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        ({"date": "1990-06-15"}, "34"),
        ({"date": "1990-06-16"}, "33"),
        ({"date": "1990-05"}, "34"),
        ({"date": "1990-07"}, "33"),
        ({"date": "1990-06"}, "33\u201334"),
        ({"date": "1990"}, "33\u201334"),
        ({"date": "1990", "approximate": True}, "about 34"),
        ({"date": "2024-03-20"}, "2 months"),
        ({"date": "2024-06"}, "0 months"),
        ({"date": "2025-01-01"}, ""),
    ],
)
def test_age_at_the_precision_the_birth_date_has(born, expected):
    assert age_text(born, TODAY) == expected


def test_the_dead_are_told_by_year_or_simply_deceased():
    genogram = mother_and_child(
        persons=[
            person(
                "aino", "Aino", gender_identity="woman", born=when("1950"), **deceased("2019-03")
            ),
            person("veikko", "Veikko", gender_identity="man", **deceased()),
        ],
        parentage=child_of("liisa", "aino", "veikko"),
    )
    assert label(genogram, "aino") == "Aino, grandmother of Eino, born 1950, died 2019"
    assert label(genogram, "veikko") == "Veikko, grandfather of Eino, deceased"


def test_pregnancy_and_losses_are_worded_as_such():
    genogram = mother_and_child(
        persons=[
            {"id": "p", "kind": "pregnancy", "born": when("2024-11")},
            {"id": "m", "kind": "miscarriage", "born": when("2013")},
            person(
                "s",
                "Aatu",
                kind="stillbirth",
                gender_identity="man",
                born=when("2012-02-01"),
                **deceased(),
            ),
        ],
        parentage=[*child_of("p", "liisa"), *child_of("m", "liisa"), *child_of("s", "liisa")],
    )
    assert label(genogram, "p") == "Pregnancy, expected sibling of Eino, due 2024-11"
    assert label(genogram, "m") == "Miscarriage, sibling of Eino, 2013"
    assert label(genogram, "s") == "Aatu, stillbirth, brother of Eino, 2012"


def test_markers_are_counted_and_flags_named():
    genogram = mother_and_child(
        persons=[
            person(
                "pekka",
                "Pekka",
                gender_identity="man",
                third_party=True,
                markers=[
                    {"kind": "worry", "text": "drinks"},
                    {"kind": "resource", "text": "works"},
                    {"kind": "resource", "text": "sober friends"},
                ],
            )
        ],
        parentage=child_of("eino", "pekka"),
    )
    assert label(genogram, "pekka") == "Pekka, father of Eino, 1 worry, 2 resources, third party"


def test_gender_and_a_differing_sex_at_birth_are_said():
    genogram = mother_and_child(
        persons=[
            person("a", "Aada", gender_identity="non_binary", sex_at_birth="female"),
            person("k", "Kim", gender_identity="woman", sex_at_birth="male"),
        ],
        parentage=[*child_of("a", "liisa"), *child_of("k", "liisa")],
    )
    assert label(genogram, "a") == "Aada, sibling of Eino, non-binary, assigned female at birth"
    assert label(genogram, "k") == "Kim, sister of Eino, assigned male at birth"
    # Nothing said when the sex at birth is what the gender suggests.
    assert "birth" not in label(genogram, "liisa")


def test_twins_are_named_in_each_others_labels():
    genogram = mother_and_child(
        persons=[person("o", "Oona", gender_identity="woman", born=when("2015-05-02"))],
        parentage=child_of("o", "liisa"),
        twins=[{"id": "t", "members": ["eino", "o"], "kind": "identical"}],
    )
    assert "identical twin of Oona" in label(genogram, "eino")
    assert "identical twin of Eino" in label(genogram, "o")


def test_lives_with_lists_names_in_household_order():
    assert join_names(["Eino"]) == "Eino"
    assert join_names(["Eino", "Liisa"]) == "Eino and Liisa"
    assert join_names(["Eino", "Liisa", "Pekka"]) == "Eino, Liisa and Pekka"


def confidential_family() -> dict:
    return mother_and_child(
        persons=[matti(note="address protected")],
        parentage=child_of("eino", "matti", kind="step"),
        unions=[{"id": "u", "partners": ["liisa", "matti"], "kind": "cohabitation"}],
        ties=[
            {
                "id": "t",
                "source": "matti",
                "target": "eino",
                "kind": "conflict",
                "perspective": "matti",
            }
        ],
    )


def test_family_view_never_names_a_confidential_person():
    genogram = confidential_family()
    genogram["households"][0]["members"].append("matti")
    graph = FamilyGraph(genogram)
    texts = [
        *(person_label(graph, p, TODAY, family_view=True) for p in graph.persons),
        summary(graph, family_view=True),
        union_label(graph, graph.unions["u"], family_view=True),
        tie_label(graph, genogram["ties"][0], family_view=True),
        *(str(row) for row in table_rows(graph, TODAY, family_view=True)),
    ]
    for text in texts:
        assert "Matti" not in text and "Salainen" not in text and "threatens" not in text
    assert person_label(graph, "matti", TODAY, family_view=True) == (
        "Stepfather of Eino, confidential"
    )
    assert "lives with Eino" in person_label(graph, "liisa", TODAY, family_view=True)
    # The worker's own view names everyone.
    assert "Matti" in person_label(graph, "liisa", TODAY)


def test_table_rows_have_everyone_with_the_pictures_content():
    genogram = confidential_family()
    graph = FamilyGraph(genogram)
    rows = {row.id: row for row in table_rows(graph, TODAY)}
    assert set(rows) == {p["id"] for p in genogram["persons"]}
    liisa = rows["liisa"]
    assert liisa.name == "Liisa Virtanen"
    assert liisa.relation == "mother of Eino"
    assert liisa.age == "34"
    assert liisa.lives_with == ("Eino",)
    assert liisa.partners == ("Matti (cohabitation, together)",)
    assert liisa.label == "Liisa, mother of Eino, 34, lives with Eino"
    eino = rows["eino"]
    assert eino.parents == ("Liisa (biological parent)", "Matti (step-parent)")
    matti = rows["matti"]
    assert matti.confidential and not matti.third_party
    assert matti.markers == ("worry: threatens",)
    hidden = {row.id: row for row in table_rows(graph, TODAY, family_view=True)}["matti"]
    assert hidden.name == "name not shown" and hidden.markers == ()


def test_tie_and_union_labels():
    genogram = confidential_family()
    graph = FamilyGraph(genogram)
    assert (
        tie_label(graph, genogram["ties"][0]) == "conflict between Matti and Eino, as Matti sees it"
    )
    directed = {
        **genogram["ties"][0],
        "direction": "to_from",
        "perspective": "worker",
        "quality": "burdening",
    }
    assert tie_label(graph, directed) == (
        "conflict from Eino to Matti, burdening, as the worker sees it"
    )
    divorced = {
        "id": "d",
        "partners": ["liisa", "matti"],
        "kind": "marriage",
        "status": "divorced",
        "started": {"date": "2012"},
        "divorced": {"date": "2019-05"},
    }
    assert union_label(graph, divorced) == (
        "marriage between Liisa and Matti, since 2012, divorced 2019"
    )


def test_summary_counts_people_generations_and_ties():
    genogram = confidential_family()
    text = summary(FamilyGraph(genogram))
    assert text.startswith("Genogram of Eino: 3 people over 2 generations.")
    assert "1 couple (together 1)." in text
    assert "Eino lives with Liisa." in text
    assert "1 emotional relationship drawn (conflict 1)." in text


def test_network_labels_and_summary():
    genogram = mother_and_child(
        network=[
            {
                "id": "s",
                "label": "Kallio school",
                "category": "school",
                "strength": "strong",
                "flow": "to_family",
            },
            {
                "id": "c",
                "label": "Clinic",
                "category": "health",
                "strength": "tenuous",
                "stressful": True,
                "persons": ["liisa"],
            },
        ]
    )
    graph = FamilyGraph(genogram)
    school, clinic = genogram["network"]
    assert node_label(graph, school) == "School: Kallio school, strong tie, gives to the family"
    assert node_label(graph, clinic) == "Health care: Clinic, tenuous tie, stressful, with Liisa"
    assert network_summary(graph).startswith(
        "Network map of Eino: 2 connections, in school (1), health care (1)."
    )
