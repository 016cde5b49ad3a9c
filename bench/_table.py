"""The table every benchmark prints: a figure, its value, the same run's baseline, the ratio and
the goal, in aligned columns."""

from __future__ import annotations

Row = tuple[str, str, str, str, str]  # figure, value, baseline, ratio, goal
HEADER: Row = ("figure", "value", "baseline", "ratio", "goal")


def print_table(rows: list[Row], header: Row = HEADER) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
