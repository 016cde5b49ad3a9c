"""The hook reference in docs/ is generated from hookspecs.py and must not fall behind it."""

from __future__ import annotations

from plugin_host import hookspecs
from plugin_host.hook_reference import DOCS_PAGE, hook_functions, render


def test_the_committed_hook_reference_is_up_to_date():
    assert DOCS_PAGE.read_text(encoding="utf-8") == render(), (
        "docs/hook-reference.md is stale: run `python -m plugin_host.hook_reference --write`"
    )


def test_every_hook_is_in_the_reference_with_its_one_line_docstring():
    page = render()
    names = [name for name, _ in hook_functions()]
    assert "plugin_manifest" in names and "host_startup" in names
    for name, function in hook_functions():
        assert f"## `{name}(" in page
        doc = function.__doc__.strip()
        assert "\n" not in doc, f"{name}: a hook's docstring is one line"
        assert doc.startswith("Called"), f"{name}: say when it is called"
    assert len(names) == len(
        [v for v in vars(hookspecs).values() if hasattr(v, "plugin_host_spec")]
    )
