"""Admin login for the host's admin pages: HTTP Basic against a file of password hashes.

The file holds ``name:hash`` lines written by ``plugin-host admin add-user``; the host never
stores a password. Every admin page needs a valid name and password, and every admin form a
token bound to that admin.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import abort, current_app, g, request
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from plugin_host.services import host_services

REALM = 'Basic realm="plugin-host admin", charset="UTF-8"'


def read_credentials(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    pairs = (line.split(":", 1) for line in path.read_text().splitlines() if ":" in line)
    return {name.strip(): digest.strip() for name, digest in pairs}


def add_user(path: Path, name: str, password: str) -> None:
    if not name or ":" in name:
        raise ValueError("a name without ':'")
    users = read_credentials(path)
    users[name] = generate_password_hash(password)
    path.write_text("".join(f"{user}:{digest}\n" for user, digest in sorted(users.items())))
    path.chmod(0o600)


def admin_form_token() -> str:
    return hmac.new(
        current_app.secret_key.encode(), f"admin:{g.admin}".encode(), hashlib.sha256
    ).hexdigest()


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Ask for the admin's name and password; check the form token on a POST."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        path = host_services().config.admin.credentials_file
        if path is None:
            abort(404)  # no admins configured: no admin pages
        auth = request.authorization
        digest = read_credentials(path).get(auth.username or "") if auth else None
        if auth is None or digest is None or not check_password_hash(digest, auth.password or ""):
            return Response("", 401, {"WWW-Authenticate": REALM})
        g.admin = auth.username
        if request.method == "POST" and not hmac.compare_digest(
            request.form.get("csrf_token", ""), admin_form_token()
        ):
            abort(403)
        return view(*args, **kwargs)

    return guarded
