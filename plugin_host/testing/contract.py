"""The plugin contract: what every plugin must keep, checked against a real host.

In a vendor's test module (with the fixtures of ``plugin_host.testing.pytest_plugin``)::

    from plugin_host.testing.contract import *  # noqa: F403

collects the ``test_plugin_contract_*`` tests below. Each check is also a function that returns
the problems it found as sentences that say what to fix (an empty list: none):

- ``manifest_problems``: the manifest is valid and the host loaded the plugin; its names, slot
  views, document types and hooks fit together; no deprecated hook.
- ``scope_problems``: every GET route (and each write route given example form data) runs with
  the declared scopes (no ``ScopeDenied``); every declared scope is used by some route; a route
  whose scope is withdrawn is refused by the gateway (``ScopeDenied``) and answers without a 5xx.
- ``foreign_client_problems``: a launch for one client (``c-1001``) gets 403 on every route under
  another client's path (``/c/c-1002/p/<plugin>/...``), never sees that client's data (even when a
  route argument, the query or the form names that client), and its writes never show up for
  that client.
- ``translation_problems``: every msgid of ``translations/messages.pot`` is translated in fi and
  sv, and the compiled ``.mo`` files are there.
- ``log_problems``: nothing the plugin logs while its routes are exercised holds a seeded
  client's name, identity code or client or person id.
- ``accessibility_problems``: every GET page passes axe-core (WCAG 2.1 A/AA) in Chromium
  (``axe.min.js`` from ``$PLUGIN_HOST_AXE`` or ``node_modules/axe-core``).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from plugin_host.demo import DEMO_UNIT
from plugin_host.enablement import Enablement
from plugin_host.gateway import RecordGateway
from plugin_host.manifest import LOCALES
from plugin_host.scopes import document_scope
from plugin_host.testing.host import CLIENT_A, CLIENT_B, TEST_ADMIN, LaunchKeys, launch_client

SAFE_METHODS = ("GET",)
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
TRANSLATED_LOCALES = ("fi", "sv")  # en is the msgid language
_RULE_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
_CALLS = {
    "client.read": "api.gateway().client()",
    "family.read": "api.gateway().family()",
    "team.read": "api.team_gateway().team()",
    "documents.read": 'api.gateway().documents("{type}") / .document(id)',
    "documents.write": 'api.gateway().save_document("{type}", ...)',
}


@dataclass(frozen=True)
class PluginUnderTest:
    module: ModuleType
    name: str

    @property
    def directory(self) -> Path:
        """The folder of the module the entry point names: the host looks for ``translations``
        and the plugin's templates beside it."""
        return Path(self.module.__file__).resolve().parent


@dataclass
class Contract:
    """A host app with the plugin loaded and enabled, and what the checks need to drive it."""

    app: Flask
    plugin: PluginUnderTest
    launch_keys: LaunchKeys
    form_data: dict[str, dict[str, str]] = field(default_factory=dict)
    route_arguments: dict[str, str] = field(default_factory=dict)
    own_client: str = CLIENT_A
    foreign_client: str = CLIENT_B

    @property
    def name(self) -> str:
        return self.plugin.name

    @property
    def services(self):
        return self.app.extensions["plugin_host"]

    def launch(self, client_id: str) -> FlaskClient:
        return launch_client(self.app, self.launch_keys, client_id, view=None)


@dataclass(frozen=True)
class Route:
    rule: str
    endpoint: str
    methods: tuple[str, ...]
    arguments: tuple[str, ...]

    def url(self, client_id: str, values: dict[str, str]) -> str:
        filled = {**values, "client_id": client_id}
        return _RULE_ARGUMENT.sub(lambda m: quote(filled[m.group(1)], safe=""), self.rule)


@dataclass(frozen=True)
class ScopeUse:
    plugin: str
    scope: str
    granted: bool


@dataclass
class Exchange:
    method: str
    url: str
    route: Route | None
    status: int
    body: str
    scopes: list[ScopeUse] = field(default_factory=list)
    form: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


# --- routes and exercising them ----------------------------------------------------------------


def plugin_routes(contract: Contract) -> list[Route]:
    """The routes of the plugin's client blueprint (mounted under ``/c/<client_id>/p/<name>``)."""
    routes = []
    for rule in contract.app.url_map.iter_rules():
        endpoint = rule.endpoint
        if endpoint.split(".")[0] != contract.name or endpoint.endswith(".static"):
            continue
        if "client_id" not in rule.arguments:
            continue
        methods = tuple(m for m in (*SAFE_METHODS, *UNSAFE_METHODS) if m in (rule.methods or ()))
        arguments = tuple(sorted(a for a in rule.arguments if a != "client_id"))
        routes.append(Route(rule.rule, endpoint, methods, arguments))
    return sorted(routes, key=lambda r: r.rule)


def _argument_values(contract: Contract, route: Route, route_client: str) -> dict[str, str] | None:
    values = {}
    for argument in route.arguments:
        if "client" in argument:
            values[argument] = route_client
        elif argument in contract.route_arguments:
            values[argument] = str(contract.route_arguments[argument])
        else:
            return None
    return values


def unreachable_routes(contract: Contract) -> list[str]:
    return [
        f"cannot exercise {route.rule}: give an example value for "
        f"{', '.join(a for a in route.arguments if 'client' not in a)} in the "
        "plugin_host_route_arguments fixture (conftest.py)"
        for route in plugin_routes(contract)
        if _argument_values(contract, route, contract.own_client) is None
    ]


@contextmanager
def tracking_scopes() -> Iterator[list[ScopeUse]]:
    """Every scope a gateway checks while the block runs, and whether it was granted."""
    uses: list[ScopeUse] = []
    require = RecordGateway._require
    require_any_read = RecordGateway._require_any_read
    checked = RecordGateway._checked
    pending_document = RecordGateway._pending_document

    def _require(self, scope, operation, document_id):
        uses.append(ScopeUse(self._plugin, scope, scope in self._scopes))
        return require(self, scope, operation, document_id)

    def _require_any_read(self):
        if not any(s.startswith("documents.read:") for s in self._scopes):
            uses.append(ScopeUse(self._plugin, "documents.read:<a type>", False))
        return require_any_read(self)

    def _checked(self, found, document_id, version):
        scope = document_scope("read", found.ref.document_type)
        uses.append(ScopeUse(self._plugin, scope, scope in self._scopes))
        return checked(self, found, document_id, version)

    def _pending_document(self, document_id, row):
        scope = document_scope("read", row.document_type)
        uses.append(ScopeUse(self._plugin, scope, scope in self._scopes))
        return pending_document(self, document_id, row)

    with (
        mock.patch.object(RecordGateway, "_require", _require),
        mock.patch.object(RecordGateway, "_require_any_read", _require_any_read),
        mock.patch.object(RecordGateway, "_checked", _checked),
        mock.patch.object(RecordGateway, "_pending_document", _pending_document),
    ):
        yield uses


def _csrf(browser: FlaskClient, client_id: str) -> str:
    return browser.get(f"/c/{client_id}/api/session").get_json()["csrf_token"]


def exercise(
    contract: Contract,
    client_id: str,
    *,
    route_client: str | None = None,
    marker: str = "",
    probe: bool = False,
    reads: bool = True,
    writes: bool = True,
    only: Callable[[Exchange], bool] | None = None,
    browser: FlaskClient | None = None,
) -> list[Exchange]:
    """Launch for ``client_id`` and request the plugin's routes: every GET route, its client
    cards, and each write route with example form data (``{marker}`` replaced by ``marker``).
    Route arguments about a client get ``route_client``; ``probe`` also names it in the query
    (``?client_id=...&client=...``), as a worker editing a URL would."""
    route_client = route_client or client_id
    browser = browser or contract.launch(client_id)
    query = {"client_id": route_client, "client": route_client} if probe else {}
    plugin = contract.name
    exchanges: list[Exchange] = []
    with tracking_scopes() as uses:

        def send(method: str, url: str, route: Route | None, form: dict[str, str]) -> None:
            start = len(uses)
            if method == "GET":
                answer = browser.get(url, query_string=query)
            else:
                token = _csrf(browser, client_id)
                answer = browser.open(
                    url,
                    method=method,
                    query_string=query,
                    data={**form, "csrf_token": token},
                    headers={"X-CSRF-Token": token},
                )
            exchange = Exchange(
                method,
                url,
                route,
                answer.status_code,
                answer.get_data(as_text=True),
                [u for u in uses[start:] if u.plugin == plugin],
                form,
            )
            exchanges.append(exchange)

        routes = [
            (route, values)
            for route in plugin_routes(contract)
            if (values := _argument_values(contract, route, route_client)) is not None
        ]
        if writes:
            for route, values in routes:
                unsafe = [m for m in route.methods if m in UNSAFE_METHODS]
                data = contract.form_data.get(route.endpoint)
                if unsafe and data is not None:
                    form = {k: str(v).replace("{marker}", marker) for k, v in data.items()}
                    send(unsafe[0], route.url(client_id, values), route, form)
        if reads:
            for route, values in routes:
                if "GET" in route.methods:
                    send("GET", route.url(client_id, values), route, {})
            send("GET", f"/c/{client_id}/cards.json", None, {})
    if only is not None:
        return [e for e in exchanges if only(e)]
    return exchanges


def _call_for(scope: str) -> str:
    kind, _, document_type = scope.partition(":")
    return _CALLS.get(kind, scope).format(type=document_type)


def _describe(exchange: Exchange) -> str:
    if exchange.route is None:
        return f"the client_cards hook (GET {exchange.url})"
    return str(exchange)


# --- the checks --------------------------------------------------------------------------------


def manifest_problems(contract: Contract) -> list[str]:
    """The manifest is valid and fits the plugin's hooks: names, slots, document types."""
    registry = contract.services.registry
    name = contract.name
    installed = registry.plugins.get(name)
    if installed is None:
        return [
            f"the host did not find a plugin named {name!r}: register its module under the "
            f"entry-point group plugin_host.plugins as {name} = <package>.plugin"
        ]
    if not installed.loaded:
        return [f"the host refused {name}: {installed.reason}: fix the plugin_manifest hook"]
    problems = []
    manifest = installed.manifest
    hooks = {impl.function.__name__ for impl in _impls(registry, name)}
    if "plugin_blueprint" in hooks:
        problems.append(
            "the hook plugin_blueprint is deprecated since plugin API 1.3 and removed in 2.0: "
            "rename it to client_blueprint (same return value)"
        )
    if registry.failures.get(name):
        problems.append(
            f"{registry.failures[name]} hook call(s) of {name} failed while the host started "
            "(see the log: a blueprint must be named after the plugin, document_types items "
            "need type, schema and title): fix them"
        )
    for slot in manifest.slots:
        for outcome in registry.call_each("slot_views", only=[name], slot=slot, org_unit=DEMO_UNIT):
            if not outcome.ok:
                problems.append(f"slot_views(slot={slot!r}) raised: fix the slot_views hook")
                continue
            if not outcome.value:
                problems.append(
                    f"the manifest names the slot {slot!r} but slot_views gives no view for it: "
                    "return a SlotView for it, or remove the slot from the manifest"
                )
            for view in outcome.value or []:
                if view.endpoint not in contract.app.view_functions:
                    problems.append(
                        f"slot view {view.view_id!r} names the endpoint {view.endpoint!r}, which "
                        f"no mounted blueprint has: name an endpoint of your blueprint "
                        f"({name}.<view function>)"
                    )
                if view.slot != slot:
                    problems.append(
                        f"slot_views(slot={slot!r}) returned view {view.view_id!r} for slot "
                        f"{view.slot!r}: return only views of the slot asked for"
                    )
                missing = [loc for loc in LOCALES if not view.title.get(loc)]
                if missing:
                    problems.append(
                        f"slot view {view.view_id!r} has no title in {', '.join(missing)}: give "
                        "its title in fi, sv and en"
                    )
    declared_types = {t.name for t in contract.services.document_types.of(name)}
    for scope in manifest.scopes:
        if scope.startswith("documents.write:"):
            document_type = scope.partition(":")[2]
            if document_type not in declared_types:
                problems.append(
                    f"scope {scope} is declared but document_types declares no type "
                    f"{document_type!r}: add {{'type': {document_type!r}, 'schema': <Schema "
                    "class>, 'title': {fi, sv, en}} to the document_types hook"
                )
    return problems


def _impls(registry, name: str) -> list:
    plugin = registry.manager.get_plugin(name)
    if plugin is None:
        return []
    return [
        impl
        for caller in registry.manager.get_hookcallers(plugin) or []
        for impl in caller.get_hookimpls()
        if impl.plugin_name == name
    ]


def scope_problems(contract: Contract) -> list[str]:
    """Declared scopes are enough for every route, none is unused, and a withdrawn one fails."""
    installed = contract.services.registry.plugins.get(contract.name)
    if installed is None or not installed.loaded:
        return manifest_problems(contract)
    problems = unreachable_routes(contract)
    declared = set(installed.manifest.scopes)
    exchanges = exercise(contract, contract.own_client, marker=_marker())
    used: dict[str, list[Exchange]] = {}
    for exchange in exchanges:
        for use in exchange.scopes:
            if not use.granted:
                problems.append(
                    f"{_describe(exchange)} asks the gateway for scope {use.scope}, which the "
                    f"manifest does not declare: add {use.scope} to the manifest's scopes, or "
                    f"stop calling {_call_for(use.scope)}"
                )
            elif exchange not in used.setdefault(use.scope, []):
                used[use.scope].append(exchange)
        if exchange.status >= 500:
            problems.append(
                f"{_describe(exchange)} answered {exchange.status} with every declared scope "
                "approved: fix the route (the host's log says where it failed)"
            )
    has_team_pages = any(
        impl.function.__name__ == "team_blueprint"
        for impl in _impls(contract.services.registry, contract.name)
    )
    for scope in sorted(declared - used.keys()):
        if scope == "team.read" and has_team_pages:
            continue  # used by team launches, which this contract does not open
        hint = ""
        if scope.startswith("documents.write:") and not contract.form_data:
            hint = (
                " (if a write route needs it, give that route's example form data in the "
                "plugin_host_form_data fixture so the contract can exercise it)"
            )
        problems.append(
            f"scope {scope} is declared but no route uses it: remove it from the manifest's "
            f"scopes{hint}"
        )
    problems += _withdrawn_scope_problems(contract, used)
    return problems


def _withdrawn_scope_problems(contract: Contract, used: dict[str, list[Exchange]]) -> list[str]:
    problems = []
    enablement = Enablement(contract.services.database)
    for scope, exchanges in sorted(used.items()):
        enablement.revoke(contract.name, [scope])
        try:
            wanted = {(e.method, e.url) for e in exchanges}
            again = exercise(
                contract,
                contract.own_client,
                marker=_marker(),
                only=lambda e, wanted=wanted: (e.method, e.url) in wanted,
            )
        finally:
            enablement.approve(contract.name, [scope], TEST_ADMIN)
        for exchange in again:
            refused = any(u.scope == scope and not u.granted for u in exchange.scopes)
            if not refused:
                problems.append(
                    f"{_describe(exchange)} used scope {scope}, but with {scope} withdrawn it "
                    "answered without the gateway refusing it: read client data through "
                    "api.gateway() on every request, never from a cache or your own store"
                )
            if exchange.status >= 500:
                problems.append(
                    f"{_describe(exchange)} answers {exchange.status} when {scope} is not "
                    "approved: catch api.ScopeDenied (and api.RecordSystemError) and show the "
                    "worker a message; an admin may approve only some of your scopes"
                )
    return problems


def _marker() -> str:
    return f"contract-{uuid.uuid4().hex[:12]}"


def foreign_client_problems(contract: Contract) -> list[str]:
    """No route serves, shows or writes another client than the launched one."""
    own, foreign = contract.own_client, contract.foreign_client
    problems = unreachable_routes(contract)
    launched = contract.launch(own)
    # 1. Another client's path: the host must refuse before the plugin runs.
    for route in plugin_routes(contract):
        values = _argument_values(contract, route, foreign)
        if values is None:
            continue
        for method in route.methods:
            url = route.url(foreign, values)
            answer = launched.open(url, method=method)
            if answer.status_code != 403:
                problems.append(
                    f"{method} {url} answered {answer.status_code} to a launch for {own}, not "
                    f"403: mount the route in the blueprint the client_blueprint hook returns "
                    "(under /c/<client_id>/p/<plugin>), so the host checks the launch"
                )
    # 2. The foreign client's own launch writes something of its own.
    foreign_marker = _marker()
    exercise(contract, foreign, marker=foreign_marker, reads=False)
    foreign_data = _personal_strings(foreign) | {foreign_marker}
    # 3. The launched client's pages, with the foreign client named in arguments and query.
    for exchange in exercise(contract, own, route_client=foreign, probe=True, writes=False):
        leaked = sorted(s for s in foreign_data if s in exchange.body)
        if leaked and exchange.status < 400:
            problems.append(
                f"{_describe(exchange)} (a launch for {own}, with {foreign} named in the URL) "
                f"shows data of client {foreign} ({_redacted(leaked)}): take the client from "
                "api.current_launch() or use api.gateway(), never a client id from the URL, "
                "the query or the form"
            )
    # 4. The launched client's writes, with the foreign client named: never land there.
    own_marker = _marker()
    writes = exercise(contract, own, route_client=foreign, marker=own_marker, probe=True)
    writes = [e for e in writes if e.method != "GET"]
    seen_by_foreign = exercise(contract, foreign, writes=False)
    for exchange in seen_by_foreign:
        if own_marker in exchange.body:
            sent = ", ".join(str(w) for w in writes) or "a write"
            problems.append(
                f"a write in the launch for {own} ({sent}) shows up for client {foreign} at "
                f"{_describe(exchange)}: write only about the launched client "
                "(api.gateway().save_document, api.plugin_state()), never a client named in "
                "the URL, the query or the form"
            )
    return problems


def _personal_strings(client_id: str) -> set[str]:
    from reference_record_system.seed import personal_data

    found = personal_data(client_id)
    return found["names"] | found["identity_codes"]


def _redacted(found: list[str]) -> str:
    return f"{len(found)} name(s), identity code(s) or text(s) of theirs"


def translation_problems(contract: Contract) -> list[str]:
    """Every msgid of the plugin's messages.pot is translated in fi and sv, and compiled."""
    from babel.messages.pofile import read_po

    directory = contract.plugin.directory / "translations"
    template = directory / "messages.pot"
    if not template.exists():
        return [
            f"{template} is missing: extract the messages with `pybabel extract -F babel.cfg "
            f"-o {_relative(template)} .`, then `pybabel init`/`update` for fi and sv"
        ]
    with template.open("rb") as file:
        wanted = [m for m in read_po(file) if m.id]
    problems = []
    for locale in TRANSLATED_LOCALES:
        catalog_path = directory / locale / "LC_MESSAGES" / "messages.po"
        if not catalog_path.exists():
            problems.append(
                f"{locale}: {_relative(catalog_path)} is missing: create it with `pybabel init "
                f"-i {_relative(template)} -d {_relative(directory)} -l {locale}` and translate "
                "every message"
            )
            continue
        with catalog_path.open("rb") as file:
            catalog = read_po(file, locale=locale)
        untranslated = []
        for message in wanted:
            found = catalog.get(message.id, message.context)
            if found is None or found.fuzzy or not _translated(found.string):
                untranslated.append(message.id if isinstance(message.id, str) else message.id[0])
        if untranslated:
            shown = ", ".join(repr(m) for m in untranslated[:5])
            more = f" and {len(untranslated) - 5} more" if len(untranslated) > 5 else ""
            problems.append(
                f"{locale}: {len(untranslated)} of {len(wanted)} messages are not translated in "
                f"{_relative(catalog_path)} ({shown}{more}): translate them (a fuzzy one counts "
                f"as untranslated), then `pybabel compile -d {_relative(directory)}`"
            )
        compiled = catalog_path.with_suffix(".mo")
        if not compiled.exists() or compiled.stat().st_mtime < catalog_path.stat().st_mtime:
            problems.append(
                f"{locale}: {_relative(compiled)} is missing or older than its .po: compile it "
                f"with `pybabel compile -d {_relative(directory)}` and ship it in the package"
            )
    return problems


def _translated(string: Any) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def capturing_logs(plugin: PluginUnderTest) -> Iterator[list[logging.LogRecord]]:
    """Log records while the block runs: INFO and up from every logger, DEBUG too from the
    plugin's own package."""
    handler = _Capture()
    root = logging.getLogger()
    own = logging.getLogger(plugin.module.__name__.split(".")[0])
    levels = (root.level, own.level)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    own.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        own.setLevel(levels[1])


def log_problems(contract: Contract) -> list[str]:
    """Nothing logged while the plugin's routes run names a seeded person or client."""
    from reference_record_system.seed import personal_data

    with capturing_logs(contract.plugin) as records:
        exercise(contract, contract.own_client, marker=_marker())
        exercise(contract, contract.foreign_client, marker=_marker())
    found = personal_data()
    patterns = [
        ("a client's or family member's name", found["names"]),
        ("an identity code", found["identity_codes"]),
        ("a client or person id", found["ids"]),
    ]
    problems = []
    for record in records:
        try:
            text = record.getMessage()
        except Exception:  # a broken format string is not our finding
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += f"\n{record.exc_info[1]}"
        for kind, values in patterns:
            if any(re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", text) for v in values):
                where = f"{record.pathname}:{record.lineno}"
                problems.append(
                    f"the log record of logger {record.name!r} at {where} holds {kind}: log ids "
                    "of your own (document ids, write ids) or counts, never names, identity "
                    "codes or client ids (the host's audit log records who was read)"
                )
                break
    return sorted(set(problems))


def accessibility_problems(contract: Contract, page: Any, axe: Path | None = None) -> list[str]:
    """Every GET page of the plugin, before and after a write, passes axe-core in Chromium."""
    from plugin_host.testing.browser import axe_path, axe_run
    from plugin_host.testing.live import live_server

    axe = axe or axe_path()
    if not axe.exists():
        return [
            f"axe-core is missing at {axe}: `npm install axe-core` in your project, or set "
            "PLUGIN_HOST_AXE to the path of axe.min.js"
        ]
    problems = unreachable_routes(contract)
    own = contract.own_client
    pages = [
        route.url(own, values)
        for route in plugin_routes(contract)
        if "GET" in route.methods and (values := _argument_values(contract, route, own)) is not None
    ]
    seen: set[tuple[str, str]] = set()
    with live_server(contract.app) as base:
        token = contract.launch_keys.sign(client_id=own, view=None)
        page.goto(f"{base}/launch?token={quote(token)}")

        def check(url: str, state: str) -> None:
            page.goto(f"{base}{url}")
            for violation in axe_run(page, axe):
                if (url, violation["id"]) in seen:
                    continue
                seen.add((url, violation["id"]))
                targets = [n["target"] for n in violation["nodes"]][:3]
                problems.append(
                    f"GET {url} ({state}): axe-core rule {violation['id']} "
                    f"({violation['impact']}): {violation['help']}: fix {targets} "
                    f"(see {violation['helpUrl']})"
                )

        for url in pages:
            check(url, "as first opened")
        if contract.form_data:
            csrf = page.request.get(f"{base}/c/{own}/api/session").json()["csrf_token"]
            for route in plugin_routes(contract):
                data = contract.form_data.get(route.endpoint)
                values = _argument_values(contract, route, own)
                if data is None or values is None or "POST" not in route.methods:
                    continue
                form = {k: str(v).replace("{marker}", _marker()) for k, v in data.items()}
                page.request.post(
                    f"{base}{route.url(own, values)}",
                    form={**form, "csrf_token": csrf},
                    max_redirects=0,
                )
            for url in pages:
                check(url, "after a write")
    return problems


# --- as tests ----------------------------------------------------------------------------------


def assert_no_problems(problems: list[str]) -> None:
    if problems:
        pytest.fail(
            f"{len(problems)} contract problem(s):\n" + "\n".join(f"- {p}" for p in problems),
            pytrace=False,
        )


def test_plugin_contract_manifest(plugin_host_contract: Contract) -> None:
    assert_no_problems(manifest_problems(plugin_host_contract))


def test_plugin_contract_scopes(plugin_host_contract: Contract) -> None:
    assert_no_problems(scope_problems(plugin_host_contract))


def test_plugin_contract_foreign_client(plugin_host_contract: Contract) -> None:
    assert_no_problems(foreign_client_problems(plugin_host_contract))


def test_plugin_contract_translations(plugin_host_contract: Contract) -> None:
    assert_no_problems(translation_problems(plugin_host_contract))


def test_plugin_contract_logs(plugin_host_contract: Contract) -> None:
    assert_no_problems(log_problems(plugin_host_contract))


@pytest.mark.browser
def test_plugin_contract_accessibility(plugin_host_contract: Contract, plugin_host_page) -> None:
    assert_no_problems(accessibility_problems(plugin_host_contract, plugin_host_page))


def all_problems(contract: Contract) -> dict[str, list[str]]:
    """Every check but the browser's, by name."""
    return {
        "manifest": manifest_problems(contract),
        "scopes": scope_problems(contract),
        "foreign_client": foreign_client_problems(contract),
        "translations": translation_problems(contract),
        "logs": log_problems(contract),
    }


__all__ = [
    "test_plugin_contract_accessibility",
    "test_plugin_contract_foreign_client",
    "test_plugin_contract_logs",
    "test_plugin_contract_manifest",
    "test_plugin_contract_scopes",
    "test_plugin_contract_translations",
]
