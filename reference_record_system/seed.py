"""Synthetic demo data: two teams, five client families over three generations.

Every person is invented; every identity code is a test code (individual number 900-999) with a
correct check character, so nothing here can be mistaken for a real person.
"""

from __future__ import annotations

from datetime import date

from reference_record_system.store import RecordStore

_CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_CENTURY_SIGNS = {1900: "-", 2000: "A"}

# (worker_id, name, org_unit, team_id, role): team-a is a whole systemic team.
WORKERS = (
    ("w-demo", "Demo Työntekijä", "lastensuojelu-1", "team-a", "social-worker"),
    ("w-sosiaali", "Sanni Sosiaalityöntekijä", "lastensuojelu-1", "team-a", "social-worker"),
    ("w-terapeutti", "Tero Terapeutti", "lastensuojelu-1", "team-a", "family-therapist"),
    ("w-koordinaattori", "Kaisa Koordinaattori", "lastensuojelu-1", "team-a", "coordinator"),
    ("w-other", "Toinen Työntekijä", "lastensuojelu-2", "team-b", "social-worker"),
)

# client_id -> (first names, last name, birth date, individual number, case id, team,
#               responsible social worker)
_CLIENTS = {
    "c-1001": ("Aino", "Testinen", "2014-05-12", 902, "case-1001", "team-a", "w-demo"),
    "c-1002": ("Onni Elias", "Esimerkki", "2012-09-03", 913, "case-1002", "team-a", "w-demo"),
    "c-1003": ("Helmi", "Koivisto-Demo", "2017-02-21", 924, "case-1003", "team-a", "w-sosiaali"),
    "c-1004": ("Leo", "Malli", "2009-11-30", 935, "case-1004", "team-a", "w-sosiaali"),
    # Aino's brother, a client with his own record: the weekly meeting writes to both.
    "c-1005": ("Ville", "Testinen", "2011-10-19", 939, "case-1005", "team-a", "w-demo"),
    "c-2001": ("Ella", "Kuvitteellinen", "2015-07-08", 946, "case-2001", "team-b", "w-other"),
}
# Family members who are clients too: person id -> client id.
_MEMBER_CLIENTS = {"p-1001-04": "c-1005", "p-1005-04": "c-1001"}

# client_id -> members: (first names, last name, birth date, individual number or None,
#                        relation, is_guardian, in_household)
_FAMILIES: dict[str, tuple[tuple[str, str, str, int | None, str, bool, bool], ...]] = {
    "c-1001": (
        ("Sanna", "Testinen", "1986-03-14", 904, "mother", True, True),
        ("Jari", "Testinen", "1984-08-02", 915, "father", True, False),
        ("Mikko", "Virtanen", "1983-01-25", 927, "step-parent", False, True),
        ("Ville", "Testinen", "2011-10-19", 939, "sibling", False, True),
        ("Eetu", "Virtanen", "2019-06-07", 941, "half-sibling", False, True),
        ("Helena", "Mäkinen", "1958-04-30", 950, "grandparent", False, False),
        ("Pekka", "Mäkinen", "1955-12-11", 963, "grandparent", False, False),
        ("Raili", "Testinen", "1960-02-17", None, "grandparent", False, False),
    ),
    "c-1002": (
        ("Laura", "Esimerkki", "1988-07-22", 970, "mother", True, True),
        ("Tuomas", "Esimerkki", "1987-05-05", 981, "father", True, True),
        ("Iida", "Esimerkki", "2015-01-13", 992, "sibling", False, True),
        ("Marjatta", "Lahti", "1961-09-09", 908, "grandparent", False, True),
        ("Kalevi", "Esimerkki", "1957-03-03", 911, "grandparent", False, False),
    ),
    "c-1003": (
        ("Minna", "Koivisto-Demo", "1990-11-01", 920, "mother", True, True),
        ("Antti", "Nieminen", "1989-04-16", 933, "father", True, False),
        ("Katja", "Nieminen", "1991-08-28", 944, "step-parent", False, False),
        ("Oona", "Nieminen", "2020-03-09", 956, "half-sibling", False, False),
        ("Ritva", "Koivisto", "1963-06-24", 968, "grandparent", True, True),
    ),
    "c-1004": (
        ("Päivi", "Malli", "1979-12-05", 978, "mother", False, False),
        ("Jukka", "Malli", "1976-02-14", 989, "father", True, True),
        ("Sofia", "Malli", "2006-05-30", 990, "sibling", False, False),
        ("Aarne", "Malli", "1950-10-10", 903, "grandparent", False, True),
        ("Tellervo", "Malli", "1952-01-20", 914, "grandparent", False, True),
        ("Irma", "Sijainen", "1970-07-07", 926, "foster-parent", False, False),
    ),
    "c-1005": (
        ("Sanna", "Testinen", "1986-03-14", 904, "mother", True, True),
        ("Jari", "Testinen", "1984-08-02", 915, "father", True, False),
        ("Mikko", "Virtanen", "1983-01-25", 927, "step-parent", False, True),
        ("Aino", "Testinen", "2014-05-12", 902, "sibling", False, True),
        ("Eetu", "Virtanen", "2019-06-07", 941, "half-sibling", False, True),
        ("Helena", "Mäkinen", "1958-04-30", 950, "grandparent", False, False),
    ),
    "c-2001": (
        ("Noora", "Kuvitteellinen", "1992-02-02", 938, "mother", True, True),
        ("Kari", "Kuvitteellinen", "1962-12-24", 947, "grandparent", False, False),
    ),
}


def identity_code(birth_date: date, individual_number: int) -> str:
    """A Finnish test identity code (henkilötunnus) for the date and individual number."""
    if not 900 <= individual_number <= 999:
        raise ValueError("test identity codes use individual numbers 900-999")
    sign = _CENTURY_SIGNS[birth_date.year // 100 * 100]
    birth = f"{birth_date:%d%m%y}"
    return f"{birth}{sign}{individual_number:03d}{check_character(birth, individual_number)}"


def check_character(birth: str, individual_number: int) -> str:
    """The identity code's check character for ``DDMMYY`` and the individual number."""
    return _CHECK_CHARACTERS[int(f"{birth}{individual_number:03d}") % 31]


def _code_or_none(birth_date: str, individual_number: int | None) -> str | None:
    if individual_number is None:
        return None
    return identity_code(date.fromisoformat(birth_date), individual_number)


def personal_data(client_id: str | None = None) -> dict[str, set[str]]:
    """What identifies the seeded people (of one client's family, or of all): ``names`` (first
    and last name as the record shows them), ``identity_codes``, ``ids`` (client and person ids).
    Tests use it to check that none of it reaches a log, or a page of another client."""
    found: dict[str, set[str]] = {"names": set(), "identity_codes": set(), "ids": set()}
    for client, (first, last, born, number, *_rest) in _CLIENTS.items():
        if client_id not in (None, client):
            continue
        found["ids"].add(client)
        people = [(first, last, born, number)]
        for index, (m_first, m_last, m_born, m_number, *_flags) in enumerate(
            _FAMILIES[client], start=1
        ):
            people.append((m_first, m_last, m_born, m_number))
            found["ids"].add(f"p-{client[2:]}-{index:02d}")
        for person_first, person_last, person_born, person_number in people:
            found["names"].add(f"{person_first} {person_last}")
            code = _code_or_none(person_born, person_number)
            if code is not None:
                found["identity_codes"].add(code)
    return found


def seed(store: RecordStore) -> None:
    """Fill an empty store with the demo workers, clients and families."""
    for worker in WORKERS:
        store.add_worker(*worker)
    for client_id, (first, last, born, number, case_id, team_id, worker) in _CLIENTS.items():
        store.add_client(
            client_id,
            first,
            last,
            team_id,
            birth_date=born,
            identity_code=_code_or_none(born, number),
            case_id=case_id,
            responsible_worker_id=worker,
        )
        for index, member in enumerate(_FAMILIES[client_id], start=1):
            m_first, m_last, m_born, m_number, relation, guardian, household = member
            person_id = f"p-{client_id[2:]}-{index:02d}"
            store.add_family_member(
                client_id,
                person_id,
                m_first,
                m_last,
                relation,
                birth_date=m_born,
                identity_code=_code_or_none(m_born, m_number),
                is_guardian=guardian,
                in_household=household,
                member_client_id=_MEMBER_CLIENTS.get(person_id),
            )


def seed_if_empty(store: RecordStore) -> bool:
    """Seed a fresh database; leave one that already has data alone. True if it seeded."""
    if store.workers():
        return False
    seed(store)
    return True


# A large family for benchmarks (genogram layout at scale): one set of parents, the rest of the
# relatives spread over the generations around them. (relation, birth year, guardian, household)
_LARGE_FAMILY_CORE = (
    ("mother", 1985, True, True),
    ("father", 1984, True, False),
    ("step-parent", 1983, False, True),
)
_LARGE_FAMILY_EXTENDED = (
    ("great-grandparent", 1935, False, False),
    ("grandparent", 1958, False, False),
    ("aunt-uncle", 1982, False, False),
    ("cousin", 2010, False, False),
    ("sibling", 2012, False, True),
    ("half-sibling", 2018, False, True),
)
_LARGE_FAMILY_NAMES = ("Aada", "Eino", "Hilla", "Lauri", "Kerttu", "Veikko", "Selma", "Toivo")


def seed_large_family(
    store: RecordStore, client_id: str = "c-9001", team_id: str = "team-a", size: int = 40
) -> str:
    """Add a client whose family has ``size`` synthetic members; returns the client id."""
    store.add_client(
        client_id,
        "Iso",
        "Sukulainen",
        team_id,
        birth_date="2013-04-04",
        identity_code=identity_code(date(2013, 4, 4), 999),
        case_id=f"case-{client_id}",
    )
    extended = size - len(_LARGE_FAMILY_CORE)
    members = _LARGE_FAMILY_CORE[:size] + tuple(
        _LARGE_FAMILY_EXTENDED[i % len(_LARGE_FAMILY_EXTENDED)] for i in range(max(extended, 0))
    )
    for index, (relation, born_year, guardian, household) in enumerate(members):
        # Vary the dates so that the individual number (900 + index) keeps codes apart.
        born = date(born_year + index % 5, 1 + index % 12, 1 + index % 28)
        store.add_family_member(
            client_id,
            f"p-{client_id[2:]}-{index + 1:03d}",
            _LARGE_FAMILY_NAMES[index % len(_LARGE_FAMILY_NAMES)],
            f"Sukulainen-{index + 1}",
            relation,
            birth_date=born.isoformat(),
            identity_code=identity_code(born, 900 + index % 100),
            is_guardian=guardian,
            in_household=household,
        )
    return client_id


# Invented surnames and first names for ``seed_meeting_team``: none is part of another, so a
# test can look for each family's names in text without one family's name matching another's.
_TEAM_SURNAMES = (
    "Kuohumaa",
    "Lepikkola",
    "Mustiala",
    "Nurmivaara",
    "Oravisto",
    "Pihlajaoja",
    "Rautasalmi",
    "Saarikivi",
    "Tammirinne",
    "Vuorilahti",
    "Ahomäntylä",
    "Jokivarsi",
)
_TEAM_ADULT_NAMES = (
    "Annukka", "Börje", "Cecilia", "Dagmar", "Eveliina", "Fredrik", "Gunilla", "Heimo",
    "Ilmari", "Jaana", "Kyösti", "Lyydia", "Mauno", "Nelli", "Orvokki", "Paavali",
    "Riikka", "Sulevi", "Taisto", "Ulla", "Vilppu", "Wilma", "Ykä", "Ahti",
)  # fmt: skip
_TEAM_CHILD_NAMES = (
    "Aapeli", "Bea", "Cilla", "Daniela", "Elviira", "Frans", "Greta", "Hugo", "Iines",
    "Joonatan", "Kielo", "Linnea", "Miro", "Nanna", "Otto", "Pinja", "Rasmus", "Saimi",
    "Topias", "Uljas", "Vilja", "Wiljami", "Ylva", "Ansa",
)  # fmt: skip
_TEAM_ELDER_NAMES = (
    "Aune", "Eero", "Hilma", "Iivari", "Kerttu", "Lempi", "Martta", "Väinö", "Rauha",
    "Sylvi", "Toivo", "Urho",
)  # fmt: skip


def seed_meeting_team(
    store: RecordStore,
    team_id: str = "team-m",
    families: int = 10,
    org_unit: str = "lastensuojelu-1",
    worker_id: str = "w-m-sosiaali",
    client_base: int = 7000,
    sibling_families: tuple[int, ...] = (0,),
) -> list[dict]:
    """Add a team of ``families`` synthetic families, one social worker responsible for all.

    Family ``k`` has clients ``c-<client_base + 10k + 1>`` (and ``+ 2``, a sibling with a record of
    their own, for the families in ``sibling_families``), a mother, a father and a grandparent.
    Each client's family lists the others, the sibling as a member who is a client too; every
    person has a test identity code. Returns per family: ``surname``, ``clients``, ``person_ids``,
    ``names`` (display names) and ``identity_codes``, for tests to look for.
    """
    if not 1 <= families <= len(_TEAM_SURNAMES):
        raise ValueError(f"1-{len(_TEAM_SURNAMES)} families")
    store.add_worker(worker_id, "Maisa Tiiminvetäjä", org_unit, team_id, "social-worker")
    store.add_worker(
        f"{worker_id}-terapeutti", "Teemu Tiimiterapeutti", org_unit, team_id, "family-therapist"
    )
    numbers = iter(range(900, 1000))
    seeded = []
    for k in range(families):
        surname = _TEAM_SURNAMES[k]
        children = 2 if k in sibling_families else 1
        clients = [
            (
                f"c-{client_base + 10 * k + n + 1}",
                _TEAM_CHILD_NAMES[2 * k + n],
                date(2010 + k % 8, 1 + n * 5, 1 + k),
                next(numbers),
            )
            for n in range(children)
        ]
        adults = [
            (_TEAM_ADULT_NAMES[2 * k], date(1980 + k, 2, 3 + k), next(numbers), "mother", True),
            (_TEAM_ADULT_NAMES[2 * k + 1], date(1979 + k, 6, 5 + k), next(numbers), "father", True),
            (_TEAM_ELDER_NAMES[k], date(1950 + k, 9, 9 + k), next(numbers), "grandparent", False),
        ]  # fmt: skip
        family = {
            "surname": surname,
            "clients": [c[0] for c in clients],
            "person_ids": [],
            "names": [],
            "identity_codes": [],
        }
        for client_id, first, born, number in clients:
            code = identity_code(born, number)
            store.add_client(
                client_id,
                first,
                surname,
                team_id,
                birth_date=born.isoformat(),
                identity_code=code,
                case_id=f"case-{client_id[2:]}",
                responsible_worker_id=worker_id,
            )
            family["names"].append(f"{first} {surname}")
            family["identity_codes"].append(code)
        for client_id, *_rest in clients:
            members = [
                (first, born, number, relation, guardian, None)
                for first, born, number, relation, guardian in adults
            ] + [
                (first, born, number, "sibling", False, other)
                for other, first, born, number in clients
                if other != client_id
            ]
            for index, (first, born, number, relation, guardian, member_client) in enumerate(
                members, start=1
            ):
                person_id = f"p-{client_id[2:]}-{index:02d}"
                code = identity_code(born, number)
                store.add_family_member(
                    client_id,
                    person_id,
                    first,
                    surname,
                    relation,
                    birth_date=born.isoformat(),
                    identity_code=code,
                    is_guardian=guardian,
                    in_household=relation != "grandparent",
                    member_client_id=member_client,
                )
                family["person_ids"].append(person_id)
                if f"{first} {surname}" not in family["names"]:
                    family["names"].append(f"{first} {surname}")
                if code not in family["identity_codes"]:
                    family["identity_codes"].append(code)
        seeded.append(family)
    return seeded
