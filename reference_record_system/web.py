"""Record-system web page (client list, client record with embedded plugin views).

A stand-in for a municipality's own user interface, in Finnish. It embeds every plugin view
the host offers for the worker's organisation unit as an iframe opened with a signed launch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import requests
from flask import Blueprint, abort, current_app, render_template, request

from reference_record_system.launch_signer import sign_launch
from reference_record_system.store import current_store

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/web-static",
)

DEFAULT_WORKER_ID = "w-demo"
PURPOSE = "asiakastyö"
LOCALE = "fi"
HOST_TIMEOUT_SECONDS = 2
LOCAL_TIME = ZoneInfo("Europe/Helsinki")

RELATIONS = {
    "mother": "äiti",
    "father": "isä",
    "parent": "vanhempi",
    "sibling": "sisarus",
    "half-sibling": "sisarpuoli",
    "grandparent": "isovanhempi",
    "great-grandparent": "isoisovanhempi",
    "aunt-uncle": "vanhemman sisarus",
    "cousin": "serkku",
    "step-parent": "vanhemman puoliso",
    "foster-parent": "sijaisvanhempi",
}
DOCUMENT_TYPES = {
    "note": "Muistiinpano",
    "genogram": "Genogrammi",
    "weekly_meeting": "Viikkokokous",
    "feedback_response": "Asiakaspalaute",
    "weekly_meeting_minutes": "Viikkokokouksen muistio",
}
ROLES = {
    "social-worker": "sosiaalityöntekijä",
    "family-therapist": "perheterapeutti",
    "coordinator": "koordinaattori",
}


TEAM_SLOT = "team"
UNIT_SLOT = "unit"


@dataclass(frozen=True)
class PluginView:
    """A plugin view the host offers for the worker's unit, as the iframe needs it."""

    plugin: str
    view_id: str
    title: str
    slot: str = "panel"


@dataclass(frozen=True)
class PluginFrame:
    view: PluginView
    src: str


class HostUnavailable(Exception):
    """The plugin host did not answer, or answered something other than its catalogue."""


@bp.get("/")
def client_list() -> str:
    store = current_store()
    workers = store.workers()
    worker = _chosen_worker(workers)
    clients = store.list_clients(team_id=worker["team_id"])
    return render_template("web/client_list.html", worker=worker, workers=workers, clients=clients)


@bp.get("/clients/<client_id>")
def client_record(client_id: str) -> str:
    store = current_store()
    worker = _chosen_worker(store.workers())
    client = store.get_client(client_id)
    if client is None:
        abort(404)
    frames, notice = _plugin_frames(worker, {"client_id": client_id})
    return render_template(
        "web/client_record.html",
        worker=worker,
        client=client,
        family=store.get_family(client_id),
        documents=store.list_documents(client_id),
        frames=frames,
        plugin_notice=notice,
    )


@bp.get("/team")
def team_page() -> str:
    """The worker's team: its members and clients, and the team's plugin views (the weekly
    meeting), each opened with a team launch."""
    store = current_store()
    worker = _chosen_worker(store.workers())
    frames, notice = _plugin_frames(worker, {"team_id": worker["team_id"]})
    return render_template(
        "web/team.html",
        worker=worker,
        members=store.team_members(worker["team_id"]),
        clients=store.list_clients(team_id=worker["team_id"]),
        frames=frames,
        plugin_notice=notice,
    )


@bp.get("/management")
def management_page() -> str:
    """The unit's management page: the plugins' aggregate figures, opened by a unit launch."""
    store = current_store()
    worker = _chosen_worker(store.workers())
    frames, notice = _plugin_frames(worker, {})
    return render_template(
        "web/management.html", worker=worker, frames=frames, plugin_notice=notice
    )


@bp.errorhandler(404)
def not_found(_error: Exception) -> tuple[str, int]:
    return render_template("web/not_found.html"), 404


def _chosen_worker(workers: list[dict]) -> dict:
    """The worker named by ``?worker=``, by default the demo worker; there is no login here."""
    wanted = request.args.get("worker", DEFAULT_WORKER_ID)
    worker = next((w for w in workers if w["worker_id"] == wanted), None)
    if worker is None:
        abort(404)
    return worker


def _plugin_frames(worker: dict, subject: dict[str, str]) -> tuple[list[PluginFrame], str]:
    """The iframes to embed for a client's record (``{"client_id": ...}``), a team's page
    (``{"team_id": ...}``) or the unit's management page (``{}``), or none and a notice saying
    why: the record works without them."""
    config = current_app.config
    host_url = (config.get("HOST_URL") or "").rstrip("/")
    key_setting = config.get("LAUNCH_PRIVATE_KEY")
    if not host_url or not key_setting:
        return [], "Laajennuspalvelua ei ole otettu käyttöön tässä ympäristössä."
    try:
        private_key = _private_key_pem(key_setting)
        views = fetch_plugin_views(host_url, worker["org_unit"])
    except (OSError, HostUnavailable):
        return [], "Laajennuspalveluun ei juuri nyt saada yhteyttä, joten laajennuksia ei näytetä."
    launch = {
        "issuer": config["LAUNCH_ISSUER"],
        "audience": config.get("LAUNCH_AUDIENCE") or host_url,
        "worker_id": worker["worker_id"],
        "org_unit": worker["org_unit"],
        "purpose": PURPOSE,
        "locale": LOCALE,
        **subject,
    }
    page_slot = TEAM_SLOT if "team_id" in subject else "" if "client_id" in subject else UNIT_SLOT
    frames = [
        PluginFrame(
            view=view,
            # A token per iframe and per page load: the host accepts each token only once.
            src=f"{host_url}/launch?"
            + urlencode(
                {"token": sign_launch(private_key, view=f"{view.plugin}/{view.view_id}", **launch)}
            ),
        )
        for view in views
        if (view.slot if view.slot in (TEAM_SLOT, UNIT_SLOT) else "") == page_slot
    ]
    return frames, ""


def _private_key_pem(setting: str | bytes | Path) -> bytes:
    """LAUNCH_PRIVATE_KEY holds the PEM itself (the command line reads the file) or its path."""
    if isinstance(setting, bytes):
        return setting
    if isinstance(setting, str) and setting.lstrip().startswith("-----BEGIN"):
        return setting.encode()
    return Path(setting).read_bytes()


def fetch_plugin_views(host_url: str, org_unit: str) -> list[PluginView]:
    """Ask the host which views are enabled for ``org_unit``; raises HostUnavailable."""
    try:
        reply = requests.get(
            f"{host_url}/-/plugins", params={"org_unit": org_unit}, timeout=HOST_TIMEOUT_SECONDS
        )
        reply.raise_for_status()
        return [
            PluginView(
                plugin=plugin["name"],
                view_id=view["view_id"],
                title=_frame_title(plugin["title"][LOCALE], view["title"][LOCALE]),
                slot=view["slot"],
            )
            for plugin in reply.json()["plugins"]
            if plugin["status"] == "loaded" and plugin["enabled"]
            for view in plugin["views"]
        ]
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        raise HostUnavailable(str(exc)) from exc


def _frame_title(plugin_title: str, view_title: str) -> str:
    return plugin_title if plugin_title == view_title else f"{plugin_title}: {view_title}"


def finnish_date(value: str | None) -> str:
    """``2014-05-12`` as ``12.5.2014``; the store keeps dates as ISO text."""
    if not value:
        return ""
    day = date.fromisoformat(value)
    return f"{day.day}.{day.month}.{day.year}"


def finnish_time(value: str) -> str:
    """A stored UTC time as Finnish local time, ``23.11.2026 klo 13.05``."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(LOCAL_TIME)
    return f"{local.day}.{local.month}.{local.year} klo {local:%H.%M}"


def _label(table: dict[str, str]) -> Callable[[str], str]:
    """A code's Finnish label; a code this page does not know is shown as it is."""
    return lambda code: table.get(code, code)


# Blueprint-local, so the SOAP side of the same app gets none of these.
@bp.context_processor
def template_helpers() -> dict[str, Any]:
    return {
        "finnish_date": finnish_date,
        "finnish_time": finnish_time,
        "relation_label": _label(RELATIONS),
        "document_type_label": _label(DOCUMENT_TYPES),
        "role_label": _label(ROLES),
    }
