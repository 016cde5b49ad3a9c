"""Headless Debian Chromium for tests, and axe-core's WCAG 2.1 A/AA check of a page."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_ENV = "PLUGIN_HOST_AXE"
# In a checkout of the host: ``npm ci`` puts axe-core here.
CHECKOUT_AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
_AXE_TAGS = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"


def chromium_available() -> bool:
    return os.access(CHROMIUM, os.X_OK)


def axe_path() -> Path:
    """axe.min.js: ``$PLUGIN_HOST_AXE``, else the host checkout's, else ``./node_modules``'s."""
    if os.environ.get(AXE_ENV):
        return Path(os.environ[AXE_ENV])
    if CHECKOUT_AXE.exists():
        return CHECKOUT_AXE
    return Path.cwd() / "node_modules" / "axe-core" / "axe.min.js"


def axe_run(frame, axe: Path | None = None) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations in a page or frame, as axe reports them (``id``,
    ``impact``, ``help``, ``helpUrl``, ``nodes``)."""
    frame.add_script_tag(path=str(axe or axe_path()))
    result = frame.evaluate(
        f"async () => await axe.run(document, {{runOnly: {{type: 'tag', values: {_AXE_TAGS}}}}})"
    )
    return result["violations"]


def axe_violations(frame, axe: Path | None = None) -> list[dict]:
    """WCAG 2.1 A/AA violations that axe-core finds in a page or frame, with their impact."""
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in axe_run(frame, axe)
    ]
