"""``plugin-host new-plugin NAME``: make a new plugin package (registered in ``cli.py``)."""

from __future__ import annotations

from pathlib import Path

import click

from plugin_host.scaffold import ScaffoldError, Titles, create_plugin, default_titles


@click.command("new-plugin")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where the package's folder NAME is made.",
)
@click.option("--title-fi", help="The title in Finnish [default: from NAME].")
@click.option("--title-sv", help="The title in Swedish [default: from NAME].")
@click.option("--title-en", help="The title in English [default: from NAME].")
def new_plugin(
    name: str,
    directory: Path,
    title_fi: str | None,
    title_sv: str | None,
    title_en: str | None,
) -> None:
    """Make a new plugin NAME as an installable package in DIRECTORY/NAME: manifest, a panel
    that lists and saves the plugin's own documents, fi/sv/en translations, and tests (its own
    and the host's contract suite)."""
    fallback = default_titles(name)
    titles = Titles(
        fi=title_fi if title_fi is not None else fallback.fi,
        sv=title_sv if title_sv is not None else fallback.sv,
        en=title_en if title_en is not None else fallback.en,
    )
    try:
        target = create_plugin(name, directory, titles)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created {target}")
    click.echo("next:")
    click.echo(f"  cd {target}")
    click.echo("  pip install -e '.[test]'")
    click.echo("  pytest")
