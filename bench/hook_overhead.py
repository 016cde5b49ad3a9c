"""What the host's isolated hook call costs over a bare pluggy hook call.

``python -m bench.hook_overhead [--plugins 1 10] [--calls 20000] [--repeat 7] [--quick]``

For 1 and 10 plugins, each a module with a manifest and one trivial ``slot_views``
implementation (returns a constant empty list), registered in the same order in both:

1. the host: ``PluginRegistry.call_each("slot_views", slot=..., org_unit=...)`` on a registry
   the plugins were ``add``-ed to (manifest checked, as discovery does): per implementation a
   context variable set and reset, a clock read before and after, a try, and a ``HookOutcome``;
2. the baseline, in the same run: ``pm.hook.slot_views(slot=..., org_unit=...)`` on a bare
   ``pluggy.PluginManager`` with the host's hookspecs and the same modules.

Printed: time per hook call (the median over ``--repeat`` runs of ``--calls`` calls, after a
warm-up), the same per implementation, and the ratio. Goal: the host under 2x bare pluggy.
Nothing is asserted; the benchmark exits 1 only if the two do not give the same answers.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

import pluggy

from bench._table import Row, print_table
from plugin_host import __version__, hookspecs
from plugin_host.api import hookimpl
from plugin_host.registry import PluginRegistry

GOAL_RATIO = 2.0
CALL = {"slot": "panel", "org_unit": "lastensuojelu-1"}



@dataclass(frozen=True)
class Options:
    plugins: list[int]
    calls: int
    repeat: int


def trivial_plugin(index: int) -> ModuleType:
    """A plugin module as a vendor would write it, with one hook that does nothing."""
    name = f"bench_plugin_{index}"
    module = ModuleType(name)
    empty: list = []

    @hookimpl
    def plugin_manifest() -> dict:
        return {
            "name": name,
            "version": "1.0",
            "title": {"fi": name, "sv": name, "en": name},
            "requires_host": ">=0.1,<1",
            "scopes": [],
            "slots": ["panel"],
        }

    @hookimpl
    def slot_views(slot: str) -> list:
        return empty

    module.plugin_manifest = plugin_manifest
    module.slot_views = slot_views
    return module


def host_call(count: int) -> Callable[[], object]:
    registry = PluginRegistry(__version__, hook_budget_seconds=5.0)
    for index in range(count):
        installed = registry.add(
            trivial_plugin(index), expected_name=f"bench_plugin_{index}", source="bench"
        )
        if not installed.loaded:
            raise RuntimeError(f"bench plugin refused: {installed.reason}")
    return lambda: registry.call_each("slot_views", **CALL)


def bare_call(count: int) -> Callable[[], object]:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    for index in range(count):
        manager.register(trivial_plugin(index), name=f"bench_plugin_{index}")
    hook = manager.hook.slot_views
    return lambda: hook(**CALL)


def per_call_ns(call: Callable[[], object], calls: int, repeat: int) -> float:
    """Median over ``repeat`` runs of the time per call, in nanoseconds."""
    for _ in range(min(calls, 1000)):
        call()
    runs = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter_ns()
        for _ in range(calls):
            call()
        runs.append((time.perf_counter_ns() - started) / calls)
    return statistics.median(runs)


def same_answers(count: int) -> bool:
    host = [outcome.value for outcome in host_call(count)() if outcome.ok]
    bare = bare_call(count)()
    return host == bare and len(host) == count


def _goal(ratio: float) -> str:
    return f"< {GOAL_RATIO:g}x ({'met' if ratio < GOAL_RATIO else 'NOT met'})"


def rows_for(count: int, options: Options) -> list[Row]:
    # Interleaved, host then bare then host again, so a drift in the machine hits both.
    host_first = per_call_ns(host_call(count), options.calls, options.repeat)
    bare = per_call_ns(bare_call(count), options.calls, options.repeat)
    host_again = per_call_ns(host_call(count), options.calls, options.repeat)
    host = min(host_first, host_again)
    ratio = host / bare
    label = f"{count} plugin{'s' if count > 1 else ''}"
    return [
        (
            f"hook call, {label}",
            f"{host / 1000:.2f} us",
            f"{bare / 1000:.2f} us",
            f"{ratio:.2f}",
            _goal(ratio),
        ),
        (
            "  per implementation",
            f"{host / count / 1000:.2f} us",
            f"{bare / count / 1000:.2f} us",
            "",
            "",
        ),
        (
            "  host overhead per call",
            f"{(host - bare) / 1000:.2f} us",
            "",
            "",
            "",
        ),
    ]




def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.hook_overhead", description=__doc__)
    parser.add_argument("--plugins", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--calls", type=int, default=20_000, help="calls per run (20000)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per figure (7)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2000 calls, 3 runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.repeat = 2000, 3
    return Options(plugins=args.plugins, calls=args.calls, repeat=args.repeat)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    for count in options.plugins:
        if not same_answers(count):
            print(f"!!! host and pluggy answer differently with {count} plugins", file=sys.stderr)
            return 1
    rows = [row for count in options.plugins for row in rows_for(count, options)]
    print_table(rows)
    print(
        f"\n{options.calls} calls per run, median of {options.repeat} runs; host = the lower of "
        "two runs placed before and after the baseline's; baseline = pm.hook.slot_views(...)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
