"""In the client's record: the weekly meeting's minutes about this client, newest first."""

from __future__ import annotations

import json

from flask import abort, render_template, request

from plugin_host import api
from plugins.weekly_meeting.blueprints import client_bp
from plugins.weekly_meeting.minutes import minutes_text
from plugins.weekly_meeting.schemas import MINUTES_TYPE


@client_bp.get("/")
def panel() -> str:
    """The newest minutes in full, and every earlier one (and correction) listed."""
    record = api.gateway()
    refs = sorted(record.documents(MINUTES_TYPE), key=lambda r: r.created_at, reverse=True)
    chosen = request.args.get("document") or (refs[0].document_id if refs else None)
    if chosen is not None and chosen not in {r.document_id for r in refs}:
        abort(404)
    version = request.args.get("version", type=int)
    shown = record.document(chosen, version) if chosen else None
    latest = next((r.version for r in refs if r.document_id == chosen), 0)
    return render_template(
        "weekly_meeting/panel.html",
        refs=refs,
        shown=shown,
        sections=minutes_text(json.loads(shown.content)) if shown else [],
        # A correction is a new version; the earlier ones stay readable.
        versions=list(range(latest, 0, -1)),
    )
