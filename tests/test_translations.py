"""Every string a person sees exists in Finnish and Swedish (English is the source language)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = {
    "host": (ROOT / "plugin_host", ROOT / "plugin_host" / "translations"),
    "genogram": (ROOT / "plugins" / "genogram", ROOT / "plugins" / "genogram" / "translations"),
    "feedback": (ROOT / "plugins" / "feedback", ROOT / "plugins" / "feedback" / "translations"),
    "weekly_meeting": (
        ROOT / "plugins" / "weekly_meeting",
        ROOT / "plugins" / "weekly_meeting" / "translations",
    ),
    "client_note": (
        ROOT / "examples/client_note/client_note",
        ROOT / "examples/client_note/client_note/translations",
    ),
}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def _source_msgids(package: Path) -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        package, METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("name", sorted(CATALOGS))
@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_every_source_string_is_translated(name, locale):
    package, translations = CATALOGS[name]
    catalog = read_po((translations / locale / "LC_MESSAGES" / "messages.po").open("rb"))
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    msgids = _source_msgids(package)
    assert msgids, "extraction found nothing: the test would prove nothing"
    missing = sorted(m for m in msgids if m not in translated or not translated[m].string)
    fuzzy = sorted(m for m in msgids if m in translated and translated[m].fuzzy)
    assert missing == [] and fuzzy == []
