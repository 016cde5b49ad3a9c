"""One-time respondent links: issue, open (once), finish, expire; only hashes are stored.

A link's token (``secrets.token_urlsafe(32)``) is shown once, to the worker who issues it, and
kept only as its SHA-256 hash. The first open consumes it and starts a respondent session whose
random secret lives in the respondent's cookie, kept here only as ``session_hash`` too. The session
lasts ``SESSION_MINUTES`` after opening and ends when the answer is finished.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from plugin_host.clock import as_utc, utcnow
from plugin_host.launch.context import LaunchContext
from plugin_host.payloads import PayloadInvalid
from plugin_host.storage import Database
from plugin_host.storage.models import RespondentLink as LinkRow

SESSION_MINUTES = 60
DEFAULT_MINUTES_VALID = 60 * 24 * 7
MAX_MINUTES_VALID = 60 * 24 * 30
MAX_DATA_CHARS = 4000  # the column is TEXT; the plugin's data is ids and choices, not documents

# States of a respondent session, as ``session_for`` finds it.
OPEN = "open"
FINISHED = "finished"
TIMED_OUT = "timed_out"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class RespondentContext:
    """An opened respondent link: for whom (client), issued by whom (worker), for which plugin.

    ``data`` is what the issuing plugin passed in (no names, no identity codes)."""

    link_id: str
    plugin: str
    client_id: str
    org_unit: str
    worker_id: str  # the worker who issued the link
    purpose: str
    locale: str
    data: dict[str, Any] = field(default_factory=dict)
    kiosk: bool = False

    def as_launch(self) -> LaunchContext:
        """The issuing worker's launch as far as the respondent's writes need it (audit rows,
        outbox rows): the same worker, unit, client and purpose."""
        return LaunchContext(
            session_id=f"respondent-{self.link_id}",
            worker_id=self.worker_id,
            org_unit=self.org_unit,
            client_id=self.client_id,
            purpose=self.purpose,
            locale=self.locale,
        )


@dataclass(frozen=True)
class IssuedLink:
    link_id: str
    token: str
    expires_at: datetime
    kiosk: bool


@dataclass(frozen=True)
class OpenedLink:
    context: RespondentContext
    endpoint: str
    session_secret: str
    session_ends_at: datetime


@dataclass(frozen=True)
class FoundSession:
    context: RespondentContext
    state: str  # OPEN | FINISHED | TIMED_OUT
    ends_at: datetime


class LinkRefused(Exception):
    """The link cannot be opened; ``reason`` is ``unknown``, ``expired`` or ``used``. ``context``
    is the link's when the link exists (for the audit row)."""

    def __init__(self, reason: str, context: RespondentContext | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.context = context


def issue(
    database: Database,
    launch: LaunchContext,
    plugin: str,
    endpoint: str,
    data: dict[str, Any],
    minutes_valid: int,
    kiosk: bool,
) -> IssuedLink:
    """Store a new link for ``launch``'s client; the token comes back here and never again."""
    if isinstance(minutes_valid, bool) or not isinstance(minutes_valid, int):
        raise PayloadInvalid({"minutes_valid": ["Must be a whole number of minutes."]})
    if not 0 <= minutes_valid <= MAX_MINUTES_VALID:
        raise PayloadInvalid({"minutes_valid": [f"Must be 0 to {MAX_MINUTES_VALID}."]})
    if not isinstance(data, dict):
        raise PayloadInvalid({"data": ["Must be a JSON object."]})
    try:
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        raise PayloadInvalid({"data": ["Must be JSON."]}) from None
    if len(text) > MAX_DATA_CHARS:
        raise PayloadInvalid({"data": [f"At most {MAX_DATA_CHARS} characters as JSON."]})
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = LinkRow(
        link_id=secrets.token_hex(16),
        token_hash=secret_hash(token),
        plugin=plugin,
        endpoint=endpoint,
        kiosk=bool(kiosk),
        worker_id=launch.worker_id,
        org_unit=launch.org_unit,
        client_id=launch.client_id,
        purpose=launch.purpose,
        locale=launch.locale,
        data=text,
        created_at=now,
        expires_at=now + timedelta(minutes=minutes_valid),
        opened_at=None,
        finished_at=None,
        session_hash=None,
    )
    with database.transaction() as session:
        session.add(row)
    return IssuedLink(link_id=row.link_id, token=token, expires_at=row.expires_at, kiosk=row.kiosk)


def find(database: Database, token: str) -> tuple[LinkRow | None, RespondentContext | None]:
    """The link a token names, whatever its state (None when no link has that token)."""
    with database.transaction() as session:
        row = session.scalars(
            select(LinkRow).where(LinkRow.token_hash == secret_hash(token))
        ).first()
        if row is not None:
            session.expunge(row)
    return row, (_context(row) if row is not None else None)


def check_openable(row: LinkRow | None, now: datetime) -> None:
    """Raise LinkRefused unless the link may be opened now: once, and before it expires."""
    if row is None:
        raise LinkRefused("unknown")
    if row.opened_at is not None:
        raise LinkRefused("used", _context(row))
    if as_utc(row.expires_at) <= now:
        raise LinkRefused("expired", _context(row))


def open_link(database: Database, token: str) -> OpenedLink:
    """Consume the link (the first open wins, also between host instances) and start the
    respondent session; raise LinkRefused when it cannot be opened."""
    now = utcnow()
    row, _ = find(database, token)
    check_openable(row, now)
    session_secret = secrets.token_urlsafe(32)
    with database.transaction() as session:
        # Compare-and-set: of two opens at once, exactly one changes the row.
        changed = session.execute(
            update(LinkRow)
            .where(
                LinkRow.token_hash == secret_hash(token),
                LinkRow.opened_at.is_(None),
                LinkRow.expires_at > now,
            )
            .values(opened_at=now, session_hash=secret_hash(session_secret))
            .execution_options(synchronize_session=False)
        ).rowcount
    if changed != 1:
        row, _ = find(database, token)
        check_openable(row, now)
        raise LinkRefused("used", _context(row))  # a race lost: the other open consumed it
    return OpenedLink(
        context=_context(row),
        endpoint=row.endpoint,
        session_secret=session_secret,
        session_ends_at=now + timedelta(minutes=SESSION_MINUTES),
    )


def session_for(database: Database, session_secret: str) -> FoundSession | None:
    """The respondent session a cookie's secret names, and whether it is still open."""
    if not session_secret:
        return None
    with database.transaction() as session:
        row = session.scalars(
            select(LinkRow).where(LinkRow.session_hash == secret_hash(session_secret))
        ).first()
        if row is not None:
            session.expunge(row)
    if row is None or row.opened_at is None:
        return None
    ends_at = as_utc(row.opened_at) + timedelta(minutes=SESSION_MINUTES)
    if row.finished_at is not None:
        state = FINISHED
    elif utcnow() >= ends_at:
        state = TIMED_OUT
    else:
        state = OPEN
    return FoundSession(context=_context(row), state=state, ends_at=ends_at)


def is_kiosk_lock(database: Database, lock_secret: str) -> bool:
    """Whether a kiosk lock cookie's value belongs to a kiosk link that was opened."""
    if not lock_secret:
        return False
    with database.transaction() as session:
        found = session.scalars(
            select(LinkRow.id).where(
                LinkRow.session_hash == secret_hash(lock_secret), LinkRow.kiosk.is_(True)
            )
        ).first()
    return found is not None


def finish(database: Database, link_id: str) -> bool:
    """End the link's session: the answer is given. False when it had ended already."""
    with database.transaction() as session:
        changed = session.execute(
            update(LinkRow)
            .where(LinkRow.link_id == link_id, LinkRow.finished_at.is_(None))
            .values(finished_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
    return changed == 1


@dataclass(frozen=True)
class WaitingLink:
    """A link issued for a client and not yet opened or expired: it can still be withdrawn.

    ``data`` is what the issuing plugin passed in; ``worker_id`` issued it."""

    link_id: str
    issued_at: datetime
    expires_at: datetime
    kiosk: bool
    worker_id: str
    data: dict[str, Any] = field(default_factory=dict)


def waiting(database: Database, client_id: str, plugin: str) -> list[WaitingLink]:
    """The plugin's links for ``client_id`` that nobody has opened yet and that have not expired,
    newest first."""
    with database.transaction() as session:
        rows = session.scalars(
            select(LinkRow)
            .where(*_still_waiting(client_id, plugin, utcnow()))
            .order_by(LinkRow.created_at.desc(), LinkRow.id.desc())
        ).all()
        return [
            WaitingLink(
                link_id=row.link_id,
                issued_at=as_utc(row.created_at),
                expires_at=as_utc(row.expires_at),
                kiosk=bool(row.kiosk),
                worker_id=row.worker_id,
                data=json.loads(row.data),
            )
            for row in rows
        ]


def withdraw(database: Database, link_id: str, client_id: str, plugin: str) -> bool:
    """Withdraw a link not yet opened (the worker sent it to the wrong person, say): it expires
    now. False when ``plugin`` has no such unopened, unexpired link of that client."""
    now = utcnow()
    with database.transaction() as session:
        changed = session.execute(
            update(LinkRow)
            .where(LinkRow.link_id == link_id, *_still_waiting(client_id, plugin, now))
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    return changed == 1


def _still_waiting(client_id: str, plugin: str, now: datetime) -> tuple:
    """The plugin's links for the client that nobody has opened and that have not expired."""
    return (
        LinkRow.client_id == client_id,
        LinkRow.plugin == plugin,
        LinkRow.opened_at.is_(None),
        LinkRow.expires_at > now,
    )


def _context(row: LinkRow) -> RespondentContext:
    return RespondentContext(
        link_id=row.link_id,
        plugin=row.plugin,
        client_id=row.client_id,
        org_unit=row.org_unit,
        worker_id=row.worker_id,
        purpose=row.purpose,
        locale=row.locale,
        data=json.loads(row.data),
        kiosk=bool(row.kiosk),
    )
