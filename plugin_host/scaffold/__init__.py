"""``plugin-host new-plugin``: a new plugin as its own installable package, ready to test.

``create_plugin`` renders the templates in ``templates/`` (``string.Template``: ``${name}`` and
friends; ``$$`` is a dollar sign) and writes the translations (messages.pot; fi, sv and en
catalogs, compiled) with Babel, so the package works without a build step.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from string import Template

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from plugin_host import __version__ as HOST_VERSION
from plugin_host.api import API_VERSION
from plugin_host.manifest import ManifestSchema
from plugin_host.scaffold.messages import TRANSLATIONS

TEMPLATES = Path(__file__).with_name("templates")
FIRST_VERSION = "0.1.0"
LOCALES = ("fi", "sv", "en")
EXTRACT_METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
EXTRACT_KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}


class ScaffoldError(ValueError):
    """A new plugin cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Titles:
    fi: str
    sv: str
    en: str


def name_problems(name: str) -> list[str]:
    """Why ``name`` is not a valid plugin name (the manifest's own rules); empty if it is."""
    errors = ManifestSchema(only=("name",)).validate({"name": name})
    return [str(m) for m in errors.get("name", [])]


def default_titles(name: str) -> Titles:
    words = name.replace("_", " ").strip().capitalize()
    return Titles(fi=words, sv=words, en=words)


def requires_host(version: str = HOST_VERSION) -> str:
    """This host's minor version and up, below the next major one (``>=0.1,<1``)."""
    major, minor = (int(part) for part in re.findall(r"\d+", version)[:2])
    return f">={major}.{minor},<{major + 1}"


def create_plugin(name: str, directory: Path, titles: Titles | None = None) -> Path:
    """Write the package ``directory/name``; returns its path. Nothing is left behind on an
    error, and an existing folder is never touched."""
    problems = name_problems(name)
    if problems:
        raise ScaffoldError(
            f"{name!r} is not a valid plugin name: {' '.join(problems)} Use 2-40 characters, "
            "a-z first, then a-z, 0-9 and _, not ending in _team, _respondent or _unit."
        )
    titles = titles or default_titles(name)
    for locale in LOCALES:
        if not 1 <= len(getattr(titles, locale).strip()) <= 200:
            raise ScaffoldError(f"--title-{locale}: give 1-200 characters")
    target = directory / name
    if target.exists():
        raise ScaffoldError(f"{target} already exists: choose another --directory or name")
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=directory))
    try:
        _render_all(staging, _values(name, titles))
        _write_translations(staging / name, name)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _values(name: str, titles: Titles) -> dict[str, str]:
    return {
        "name": name,
        "distribution": name.replace("_", "-"),
        "css_id": name.replace("_", "-"),
        "version": FIRST_VERSION,
        "api_version": API_VERSION,
        "host_version": ".".join(HOST_VERSION.split(".")[:2]),
        "requires_host": requires_host(),
        "title_fi": titles.fi.strip(),
        "title_sv": titles.sv.strip(),
        "title_en": titles.en.strip(),
        "title_fi_literal": _literal(titles.fi),
        "title_sv_literal": _literal(titles.sv),
        "title_en_literal": _literal(titles.en),
    }


def _literal(text: str) -> str:
    """A Python string literal of ``text``, double-quoted when it can be (ruff's style)."""
    text = text.strip()
    if '"' in text or "\\" in text:
        return repr(text)
    return f'"{text}"'


def _render_all(root: Path, values: dict[str, str]) -> None:
    for source in sorted(TEMPLATES.rglob("*.tmpl")):
        relative = source.relative_to(TEMPLATES).with_suffix("")
        parts = list(relative.parts)
        if parts[0] == "package":
            parts[0] = values["name"]
            if parts[1] == "templates":  # templates/<name>/panel.html, as Flask looks them up
                parts.insert(2, values["name"])
        destination = root.joinpath(*parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = Template(source.read_text(encoding="utf-8")).substitute(values)
        destination.write_text(text, encoding="utf-8")


def _write_translations(package: Path, name: str) -> None:
    """messages.pot from the package's own files, then a catalog per locale (en: the msgids
    themselves), each compiled to .mo."""
    template = Catalog(project=name, version=FIRST_VERSION, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(package), EXTRACT_METHODS, keywords=EXTRACT_KEYWORDS, comment_tags=("NOTE:",)
    ):
        template.add(
            message,
            None,
            [(f"{name}/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    missing = [m.id for m in template if m.id and m.id not in TRANSLATIONS]
    if missing:
        raise ScaffoldError(f"no translation in plugin_host/scaffold/messages.py for {missing}")
    folder = package / "translations"
    folder.mkdir()
    with (folder / "messages.pot").open("wb") as file:
        write_po(file, template, width=100)
    for locale in LOCALES:
        catalog = Catalog(locale=locale, project=name, version=FIRST_VERSION, fuzzy=False)
        for message in template:
            if not message.id:
                continue
            string = message.id if locale == "en" else TRANSLATIONS[message.id][locale]
            catalog.add(
                message.id,
                string,
                message.locations,
                flags=message.flags,
                auto_comments=message.auto_comments,
                context=message.context,
            )
        messages = folder / locale / "LC_MESSAGES"
        messages.mkdir(parents=True)
        with (messages / "messages.po").open("wb") as file:
            write_po(file, catalog, width=100)
        with (messages / "messages.mo").open("wb") as file:
            write_mo(file, catalog)
