"""The hook reference for plugin authors, generated from ``hookspecs.py`` (never written by hand).

``python -m plugin_host.hook_reference`` prints it; ``--write`` updates
``docs/hook-reference.md``. A test fails when the committed page and the hook specifications
part, so the reference cannot go stale.
"""

from __future__ import annotations

import argparse
import inspect
from pathlib import Path

from plugin_host import api, hookspecs

DOCS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "hook-reference.md"


def hook_functions() -> list[tuple[str, object]]:
    """Every hook specification, in the order ``hookspecs.py`` declares them."""
    found = [
        (name, value)
        for name, value in vars(hookspecs).items()
        if callable(value) and hasattr(value, f"{hookspecs.PROJECT_NAME}_spec")
    ]
    return sorted(found, key=lambda item: inspect.getsourcelines(item[1])[1])


def render() -> str:
    lines = [
        "# Hook reference",
        "",
        f"Plugin API version {api.API_VERSION}. Generated from `plugin_host/hookspecs.py` by",
        "`python -m plugin_host.hook_reference --write`; do not edit by hand.",
        "",
        inspect.getdoc(hookspecs) or "",
        "",
    ]
    for name, function in hook_functions():
        spec = getattr(function, f"{hookspecs.PROJECT_NAME}_spec")
        lines += [f"## `{name}{_signature(function)}`", "", inspect.getdoc(function) or "", ""]
        warning = spec.get("warn_on_impl")
        if warning is not None:
            lines += [f"**Deprecated**: {warning}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _signature(function: object) -> str:
    """``(slot: str, org_unit: str) -> list[SlotView]``: the annotations as written."""
    signature = inspect.signature(function)
    params = ", ".join(
        f"{p.name}: {p.annotation}" if p.annotation is not p.empty else p.name
        for p in signature.parameters.values()
    )
    return f"({params}) -> {signature.return_annotation}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"update {DOCS_PAGE.name}")
    if parser.parse_args().write:
        DOCS_PAGE.write_text(render(), encoding="utf-8")
    else:
        print(render(), end="")


if __name__ == "__main__":
    main()
