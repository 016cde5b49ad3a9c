"""Launch sessions in the database (so any host instance can serve them) and the replay guard.

The browser's signed session cookie holds only the ids of its open launch sessions; a worker
with two clients open in two record-system tabs has two sessions, each bound to its client.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import session as cookie
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from plugin_host.clock import utcnow
from plugin_host.launch.context import LaunchContext
from plugin_host.launch.tokens import LaunchClaims
from plugin_host.storage import Database
from plugin_host.storage.models import LaunchSession, UsedLaunchToken

COOKIE_KEY = "launch_sessions"
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


def open_session(database: Database, claims: LaunchClaims, hours: float) -> LaunchContext:
    """Create the server-side session and remember its id in the browser's cookie."""
    now = utcnow()
    row = LaunchSession(
        session_id=secrets.token_urlsafe(32),
        worker_id=claims.worker_id,
        org_unit=claims.org_unit,
        client_id=claims.client_id,
        purpose=claims.purpose,
        locale=claims.locale,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    with database.transaction() as session:
        session.execute(delete(LaunchSession).where(LaunchSession.expires_at < now))
        session.add(row)
    cookie[COOKIE_KEY] = [row.session_id, *cookie.get(COOKIE_KEY, [])][:MAX_OPEN_SESSIONS]
    return claims.as_context(row.session_id)


def open_launches(database: Database) -> list[LaunchContext]:
    """The browser's unexpired launch sessions, newest first."""
    session_ids = cookie.get(COOKIE_KEY) or []
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


def _context(row: LaunchSession) -> LaunchContext:
    return LaunchContext(
        session_id=row.session_id,
        worker_id=row.worker_id,
        org_unit=row.org_unit,
        client_id=row.client_id,
        purpose=row.purpose,
        locale=row.locale,
    )
