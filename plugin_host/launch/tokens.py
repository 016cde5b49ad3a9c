"""Verifying launch tokens: asymmetric JWTs from a configured record system, short-lived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from plugin_host.config import ASYMMETRIC_ALGORITHMS, HostConfig, IssuerConfig
from plugin_host.launch.context import LaunchContext
from plugin_host.payloads import PayloadInvalid, load_payload

CLOCK_LEEWAY_SECONDS = 10


class LaunchRejected(Exception):
    """The token cannot open a session; ``reason`` is a code for logs and the error page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LaunchClaims:
    issuer: str
    jti: str
    worker_id: str
    org_unit: str
    client_id: str  # empty for a team launch
    team_id: str  # empty for a client launch
    purpose: str
    locale: str
    view: str | None
    expires_at: datetime

    def as_context(self, session_id: str = "") -> LaunchContext:
        return LaunchContext(
            session_id=session_id,
            worker_id=self.worker_id,
            org_unit=self.org_unit,
            client_id=self.client_id,
            purpose=self.purpose,
            locale=self.locale,
            team_id=self.team_id,
        )


class LaunchClaimsSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # registered claims (iss, aud, exp, iat, nbf) are checked by PyJWT

    jti = fields.String(required=True, validate=validate.Length(min=8, max=200))
    sub = fields.String(required=True, validate=validate.Length(min=1, max=100))
    org_unit = fields.String(required=True, validate=validate.Length(min=1, max=100))
    # At most one: a launch opens a client's record, a team's page (the weekly meeting), or
    # with neither, a unit's management page (aggregate figures only).
    client_id = fields.String(load_default="", validate=validate.Length(min=1, max=100))
    team_id = fields.String(load_default="", validate=validate.Length(min=1, max=100))
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=100))
    locale = fields.String(load_default="fi", validate=validate.OneOf(["fi", "sv", "en"]))
    view = fields.String(
        load_default=None, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,39}/[a-z0-9_-]{1,40}$")
    )

    @validates_schema
    def one_subject(self, data: dict, **_kwargs) -> None:
        if data["client_id"] and data["team_id"]:
            raise ValidationError("Give one of client_id and team_id, not both.", "client_id")
        # A launch without either is a unit launch (management figures): it names its view.
        if not data["client_id"] and not data["view"]:
            raise ValidationError("A team or unit launch names its view.", "view")


def _issuer_of(token: str, config: HostConfig) -> IssuerConfig:
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise LaunchRejected("malformed") from None
    # Refuse "none" and HMAC before any key is touched: a public key must never act as a secret.
    if header.get("alg") not in ASYMMETRIC_ALGORITHMS:
        raise LaunchRejected("algorithm")
    for issuer in config.issuers:
        if issuer.issuer == unverified.get("iss"):
            if header["alg"] not in issuer.algorithms:
                raise LaunchRejected("algorithm")
            return issuer
    raise LaunchRejected("issuer")


def verify_launch_token(token: str, config: HostConfig, now: datetime) -> LaunchClaims:
    """Check signature, issuer, audience, expiry and lifetime; return the launch claims."""
    if not token:
        raise LaunchRejected("missing")
    issuer = _issuer_of(token, config)
    try:
        claims = jwt.decode(
            token,
            key=issuer.public_key_pem,
            algorithms=list(issuer.algorithms),
            audience=config.public_url,
            issuer=issuer.issuer,
            leeway=CLOCK_LEEWAY_SECONDS,
            options={"require": ["exp", "iss", "aud", "sub", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise LaunchRejected("expired") from None
    except (jwt.InvalidAudienceError, jwt.InvalidIssuerError):
        raise LaunchRejected("audience") from None
    except jwt.InvalidSignatureError:
        raise LaunchRejected("signature") from None
    except jwt.InvalidTokenError:
        raise LaunchRejected("malformed") from None
    if claims["exp"] - now.timestamp() > config.max_token_seconds + CLOCK_LEEWAY_SECONDS:
        raise LaunchRejected("lifetime")
    try:
        data = load_payload(LaunchClaimsSchema(), claims)
    except PayloadInvalid:
        raise LaunchRejected("claims") from None
    return LaunchClaims(
        issuer=issuer.issuer,
        jti=data["jti"],
        worker_id=data["sub"],
        org_unit=data["org_unit"],
        client_id=data["client_id"],
        team_id=data["team_id"],
        purpose=data["purpose"],
        locale=data["locale"],
        view=data["view"],
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
    )
