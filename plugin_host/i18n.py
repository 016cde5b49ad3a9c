"""Flask-Babel: Finnish by default, Swedish and English; plugins bring their own catalogs."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, request
from flask_babel import Babel, format_date, format_datetime, get_locale

from plugin_host.registry import PluginRegistry

LOCALES = ("fi", "sv", "en")
HOST_TRANSLATIONS = Path(__file__).with_name("translations")


def select_locale() -> str:
    launch = g.get("launch")
    if launch is not None:
        return launch.locale
    # A respondent (a family member on their own phone) reads in their browser's language; the
    # issuing worker's locale when the browser names none of ours.
    respondent = g.get("respondent")
    fallback = respondent.locale if respondent else current_app.config["BABEL_DEFAULT_LOCALE"]
    return request.accept_languages.best_match(LOCALES) or fallback


def translation_directories(registry: PluginRegistry) -> list[str]:
    """Each loaded plugin's ``translations`` folder, then the host's.

    Flask-Babel merges the catalogs in order and the last one wins a shared msgid: the host's
    comes last so no plugin can change the host's own words (its error pages, say).
    """
    folders = []
    for plugin in registry.loaded():
        if plugin.module is not None and plugin.module.__file__:
            candidate = Path(plugin.module.__file__).parent / "translations"
            if candidate.is_dir() and candidate not in folders:
                folders.append(candidate)
    return [str(folder) for folder in [*folders, HOST_TRANSLATIONS]]


def init_app(app: Flask, registry: PluginRegistry, default_locale: str) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = default_locale
    # Workers read times on the wall clock of Finland, whatever the server runs on.
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Helsinki"
    Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories=";".join(translation_directories(registry)),
    )
    app.context_processor(lambda: {"html_lang": str(get_locale() or default_locale)})
    # Dates and times in the reader's locale and Finland's time zone, in every template.
    app.add_template_global(format_date)
    app.add_template_global(format_datetime)
