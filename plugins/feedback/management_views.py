"""The unit's management page (a unit launch): figures per team and month, only aggregates.

No free text and no per-worker feedback figures; every figure resting on fewer families than
``minimum_families`` is shown as "< n", with the secondary suppression that keeps a hidden cell
from being worked out of the totals. The CSV export is the same suppressed table.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response, abort, render_template, request

from plugin_host import api
from plugins.feedback import figures
from plugins.feedback.blueprints import unit_bp
from plugins.feedback.charts import Bar, bar_chart
from plugins.feedback.definitions import localised
from plugins.feedback.worker_views import catalogue, today

MONTHS_SHOWN = 12


def _selection() -> tuple[str, list[str]]:
    enabled = catalogue()
    chosen = request.args.get("questionnaire") or next(iter(enabled))
    if chosen not in enabled:
        abort(404)
    until = today()
    if request.args.get("until"):
        try:
            until = date.fromisoformat(request.args["until"] + "-01")
        except ValueError:
            abort(400)
    return chosen, figures.last_months(until, MONTHS_SHOWN)


def row_label(published: figures.Published, row: str) -> str:
    """A row's heading: a team by the name the admin gave it, other rows (levels) as they are."""
    if published.row_heading:
        return row
    return api.plugin_settings()["team_names"].get(row, row)


def _tables(questionnaire_id: str, months: list[str]) -> list[figures.Published]:
    return figures.management_tables(
        questionnaire_id,
        months,
        api.plugin_settings()["minimum_families"],
        with_meetings=api.plugin_available(figures.MEETING_PLUGIN),
    )


@unit_bp.get("/")
def management() -> str:
    questionnaire_id, months = _selection()
    tables = _tables(questionnaire_id, months)
    mean = next(t for t in tables if t.key == "mean")
    trend = [
        Bar(
            label=month,
            value=None
            if shown.suppressed
            else shown.figures.total / shown.figures.count / figures.TENTHS,
            note=shown.text(mean.show),
        )
        for month, shown in mean.table.column_totals.items()
    ]
    levels = next(t for t in tables if t.key == "levels")
    level_bars = [
        Bar(
            label=row,
            value=None if shown.suppressed else shown.figures.count,
            note=shown.text(levels.show),
        )
        for (row, _period), shown in levels.table.cells.items()
    ]
    low, high = catalogue()[questionnaire_id].definition.total_range
    return render_template(
        "feedback/management.html",
        tables=tables,
        months=months,
        catalogue=catalogue(),
        chosen=questionnaire_id,
        locale=api.current_locale(),
        localised=localised,
        row_label=row_label,
        trend_chart=bar_chart(
            trend,
            chart_id="trend",
            maximum=high,
            title=api.gettext("Mean total score per month"),
            description=api.gettext(
                "One bar per month for the whole unit; the same figures are in the table below."
            ),
        ),
        levels_chart=bar_chart(
            level_bars,
            chart_id="levels",
            maximum=max((b.value or 0 for b in level_bars), default=0) or 1,
            title=api.gettext("Answers by level of the total score, whole unit"),
            description=api.gettext(
                "Low, middle and high thirds of the scale; the same figures are in the tables."
            ),
        ),
        scale=(low, high),
        minimum=api.plugin_settings()["minimum_families"],
    )


@unit_bp.get("/export.csv")
def export() -> Response:
    """One table as CSV: exactly what the page shows, suppressed cells as "< n"."""
    questionnaire_id, months = _selection()
    wanted = request.args.get("table", "")
    published = next((t for t in _tables(questionnaire_id, months) if t.key == wanted), None)
    if published is None:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out)
    table = published.table
    totals = table.grand_total is not None
    total = [api.gettext("Total")] if totals else []
    writer.writerow([published.row_heading or api.gettext("Team"), *table.columns, *total])
    for row in table.rows:
        writer.writerow(
            [
                row_label(published, row),
                *(_text(table.cells.get((row, c)), published) for c in table.columns),
                *([_text(table.row_totals.get(row), published)] if totals else []),
            ]
        )
    if totals:
        writer.writerow(
            [
                api.gettext("Total"),
                *(_text(table.column_totals.get(c), published) for c in table.columns),
                _text(table.grand_total, published),
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{wanted}.csv"'},
    )


def _text(shown: api.Shown | None, published: figures.Published) -> str:
    return "" if shown is None else shown.text(published.show)
