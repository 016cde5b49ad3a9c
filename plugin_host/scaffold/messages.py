"""The Finnish and Swedish translations of every message of a new plugin (English is the msgid).

``create_plugin`` extracts the messages from the files it wrote and refuses to finish when one
has no translation here: keep this table and the templates together.
"""

from __future__ import annotations

TRANSLATIONS: dict[str, dict[str, str]] = {
    "Write something before saving.": {
        "fi": "Kirjoita jotain ennen tallentamista.",
        "sv": "Skriv något innan du sparar.",
    },
    "The text can be at most {max} characters long.": {
        "fi": "Teksti voi olla enintään {max} merkkiä pitkä.",
        "sv": "Texten får vara högst {max} tecken lång.",
    },
    "The client's information was not found in the record.": {
        "fi": "Asiakkaan tietoja ei löytynyt asiakastietojärjestelmästä.",
        "sv": "Klientens uppgifter hittades inte i klientdatasystemet.",
    },
    "You do not have access to this client's information.": {
        "fi": "Sinulla ei ole käyttöoikeutta tämän asiakkaan tietoihin.",
        "sv": "Du har inte behörighet till den här klientens uppgifter.",
    },
    "The client record system is not responding right now. Try again in a moment.": {
        "fi": "Asiakastietojärjestelmä ei vastaa juuri nyt. Yritä hetken kuluttua uudelleen.",
        "sv": "Klientdatasystemet svarar inte just nu. Försök igen om en stund.",
    },
    "The client record system could not handle the request.": {
        "fi": "Asiakastietojärjestelmä ei pystynyt käsittelemään pyyntöä.",
        "sv": "Klientdatasystemet kunde inte behandla begäran.",
    },
    "The entry was saved.": {
        "fi": "Merkintä on tallennettu.",
        "sv": "Anteckningen har sparats.",
    },
    "Client": {"fi": "Asiakas", "sv": "Klient"},
    "New entry": {"fi": "Uusi merkintä", "sv": "Ny anteckning"},
    "Text": {"fi": "Teksti", "sv": "Text"},
    "At most %(count)s characters.": {
        "fi": "Enintään %(count)s merkkiä.",
        "sv": "Högst %(count)s tecken.",
    },
    "Save": {"fi": "Tallenna", "sv": "Spara"},
    "Entries": {"fi": "Merkinnät", "sv": "Anteckningar"},
    "waiting to be saved in the record": {
        "fi": "odottaa tallennusta asiakastietoihin",
        "sv": "väntar på att sparas i klientuppgifterna",
    },
    "No entries yet.": {"fi": "Ei vielä merkintöjä.", "sv": "Inga anteckningar ännu."},
}
