"""Launch sessions in the database (so any host instance can serve them) and the replay guard.

Each launch session gets a cookie of its own holding only its random id; a worker with two clients
open in two record-system tabs has two sessions, each bound to its client. One cookie per launch,
not one cookie listing them all: a record page opens several plugin frames at once, and their
launches must not overwrite each other's cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from plugin_host.clock import utcnow
from plugin_host.launch.context import LaunchContext
from plugin_host.launch.tokens import LaunchClaims
from plugin_host.storage import Database
from plugin_host.storage.models import LaunchSession, UsedLaunchToken

COOKIE_PREFIX = "ph_launch_"
MAX_OPEN_SESSIONS = 8


def consume_token_id(database: Database, claims: LaunchClaims) -> bool:
    """Record the token's ``jti``; False when it was seen before (a replay)."""
    try:
        with database.transaction() as session:
            session.execute(delete(UsedLaunchToken).where(UsedLaunchToken.expires_at < utcnow()))
            session.add(
                UsedLaunchToken(issuer=claims.issuer, jti=claims.jti, expires_at=claims.expires_at)
            )
    except IntegrityError:
        return False
    return True


def open_session(database: Database, launch: LaunchContext, hours: float) -> LaunchContext:
    """Create the server-side session for ``launch`` (its session id is ignored and made here);
    ``remember_launch`` gives the browser its cookie."""
    now = utcnow()
    row = LaunchSession(
        session_id=secrets.token_urlsafe(32),
        worker_id=launch.worker_id,
        org_unit=launch.org_unit,
        client_id=launch.client_id,
        team_id=launch.team_id,
        purpose=launch.purpose,
        locale=launch.locale,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    with database.transaction() as session:
        session.execute(delete(LaunchSession).where(LaunchSession.expires_at < now))
        session.add(row)
    return _context(row)


def remember_launch(
    response: Response, launch: LaunchContext, still_open: list[LaunchContext], hours: float
) -> None:
    """Set the new launch's cookie; drop the cookies of ended launches and of the oldest ones
    beyond MAX_OPEN_SESSIONS (``still_open`` is newest first, as ``open_launches`` gives it)."""
    config = current_app.config
    response.set_cookie(
        _cookie_name(launch.session_id),
        launch.session_id,
        max_age=int(hours * 3600),
        httponly=True,
        secure=config["SESSION_COOKIE_SECURE"],
        samesite=config["SESSION_COOKIE_SAMESITE"],
        partitioned=config["SESSION_COOKIE_PARTITIONED"],
    )
    # Team launches first: a meeting opens family after family from its team's page, and those
    # client launches must not push out the page they were opened from.
    by_priority = sorted(still_open, key=lambda s: not s.is_team_launch)
    keep = {_cookie_name(s.session_id) for s in by_priority[: MAX_OPEN_SESSIONS - 1]}
    for name in request.cookies:
        if name.startswith(COOKIE_PREFIX) and name not in keep:
            response.delete_cookie(
                name,
                secure=config["SESSION_COOKIE_SECURE"],
                samesite=config["SESSION_COOKIE_SAMESITE"],
                partitioned=config["SESSION_COOKIE_PARTITIONED"],
            )


def open_launches(database: Database) -> list[LaunchContext]:
    """The browser's unexpired launch sessions, newest first."""
    session_ids = [
        value
        for name, value in request.cookies.items()
        if name.startswith(COOKIE_PREFIX) and name == _cookie_name(value)
    ][: MAX_OPEN_SESSIONS * 2]
    if not session_ids:
        return []
    with database.transaction() as session:
        rows = session.scalars(
            select(LaunchSession)
            .where(LaunchSession.session_id.in_(session_ids))
            .where(LaunchSession.expires_at > utcnow())
            .order_by(LaunchSession.created_at.desc())
        ).all()
    return [_context(row) for row in rows]


def csrf_token_for(launch: LaunchContext, secret_key: str) -> str:
    """A form token bound to one launch session: valid for that session only."""
    return hmac.new(secret_key.encode(), launch.session_id.encode(), hashlib.sha256).hexdigest()


def _cookie_name(session_id: str) -> str:
    # Derived from the id so a launch's cookie is found again and cannot be renamed to another's.
    return COOKIE_PREFIX + hashlib.sha256(session_id.encode()).hexdigest()[:16]


def _context(row: LaunchSession) -> LaunchContext:
    return LaunchContext(
        session_id=row.session_id,
        worker_id=row.worker_id,
        org_unit=row.org_unit,
        client_id=row.client_id,
        purpose=row.purpose,
        locale=row.locale,
        team_id=row.team_id,
    )
