"""Signing launch tokens: how the record system opens a plugin view for a worker and a client.

The key pair is made here too, for the demo and the tests; no key is ever committed.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

PRIVATE_KEY_FILE = "launch-private.pem"
PUBLIC_KEY_FILE = "launch-public.pem"


def sign_launch(
    private_key_pem: bytes,
    *,
    issuer: str,
    audience: str,
    worker_id: str,
    org_unit: str,
    client_id: str | None = None,
    team_id: str | None = None,
    purpose: str,
    locale: str = "fi",
    view: str | None = None,
    lifetime_seconds: int = 120,
) -> str:
    """A launch JWT for one iframe: ES256 for an EC P-256 key, RS256 for an RSA key.

    ``view`` is ``"<plugin>/<view_id>"``. A launch names a ``client_id`` (a client's record) or
    a ``team_id`` (the team's page, e.g. the weekly meeting). Every token gets a fresh ``jti``:
    the host accepts each token once.
    """
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": worker_id,
        "org_unit": org_unit,
        "purpose": purpose,
        "locale": locale,
        "iat": now,
        "exp": now + lifetime_seconds,
        "jti": uuid.uuid4().hex,
    }
    for name, value in (("client_id", client_id), ("team_id", team_id), ("view", view)):
        if value is not None:
            claims[name] = value
    return jwt.encode(claims, key, algorithm=_algorithm(key))


def _algorithm(key: object) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    raise ValueError("a launch key must be an EC P-256 or an RSA private key")


def generate_key_pair(directory: str | Path) -> tuple[Path, Path]:
    """Write a new EC P-256 pair as ``launch-private.pem`` and ``launch-public.pem``.

    Returns (private key path, public key path). An existing pair in ``directory`` is replaced.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    private_path = directory / PRIVATE_KEY_FILE
    public_path = directory / PUBLIC_KEY_FILE
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created owner-only from the start, so the private key is never readable by others.
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as private_file:
        private_file.write(private_pem)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private_path, public_path
