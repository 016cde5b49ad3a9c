"""Host configuration: one TOML file, validated by marshmallow; errors name the key."""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, post_load, validate

from plugin_host.payloads import PayloadInvalid, load_payload

CONFIG_ENV = "PLUGIN_HOST_CONFIG"
ASYMMETRIC_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "EdDSA",
)


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` maps dotted keys to what is wrong."""

    def __init__(self, source: str, problems: dict[str, list[str]]) -> None:
        lines = [f"{source}: {key}: {'; '.join(msgs)}" for key, msgs in sorted(problems.items())]
        super().__init__("\n".join(lines))
        self.problems = problems


def _origin(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ValidationError("Must be an origin such as https://records.example.fi.")


def _http_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError("Must be an http(s) URL.")


@dataclass(frozen=True)
class IssuerConfig:
    issuer: str
    public_key_pem: bytes
    origins: tuple[str, ...]
    algorithms: tuple[str, ...]


@dataclass(frozen=True)
class XRoadConfig:
    client: str
    service: str


@dataclass(frozen=True)
class RecordSystemConfig:
    adapter: str
    endpoint: str
    timeout_seconds: float
    xroad: XRoadConfig | None


@dataclass(frozen=True)
class OutboxConfig:
    worker: bool
    concurrency: int
    poll_seconds: float
    max_backoff_seconds: float
    breaker_fail_max: int
    breaker_reset_seconds: float


@dataclass(frozen=True)
class RetentionConfig:
    """How long ``plugin-host purge`` lets the host keep settled writes' copies and finished
    respondent links (days) and the anonymous statistics (months)."""

    delivered_writes_days: int
    respondent_links_days: int
    statistics_months: int


@dataclass(frozen=True)
class AdminConfig:
    credentials_file: Path | None  # lines of ``name:password-hash``; None: no admin pages


@dataclass(frozen=True)
class KantaConfig:
    """Where and as whom plugin documents go to the Kanta archive (absent: no archiving)."""

    archive_url: str
    production: bool  # False: only test identity codes (individual number 900-999) leave
    custodian_oid: str
    custodian_name: str
    sender_oid: str
    receiver_oid: str
    key_file: Path
    certificate_file: Path
    client_certificate_file: Path | None
    ca_file: Path | None
    timeout_seconds: float


@dataclass(frozen=True)
class HostConfig:
    public_url: str
    database_url: str
    secret_key: str
    default_locale: str
    hook_budget_seconds: float
    session_hours: float
    cookie_secure: bool
    max_token_seconds: int
    issuers: tuple[IssuerConfig, ...]
    record_system: RecordSystemConfig
    outbox: OutboxConfig
    admin: AdminConfig
    retention: RetentionConfig
    kanta: KantaConfig | None = None
    # ``[plugins.<name>]`` as written; each is checked against its plugin's settings schema
    # once the plugins are loaded (plugin_host.plugin_settings).
    plugin_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = "configuration"  # the file it came from, for error messages

    @property
    def frame_ancestors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o for i in self.issuers for o in i.origins))


class IssuerSchema(Schema):
    issuer = fields.String(required=True, validate=validate.Length(min=1, max=200))
    public_key_file = fields.String(required=True, validate=validate.Length(min=1))
    origins = fields.List(
        fields.String(validate=_origin), required=True, validate=validate.Length(min=1)
    )
    algorithms = fields.List(
        fields.String(validate=validate.OneOf(ASYMMETRIC_ALGORITHMS)),
        load_default=lambda: ["ES256", "RS256"],
    )


class XRoadSchema(Schema):
    # INSTANCE/CLASS/CODE for a member, with /SUBSYSTEM for a subsystem.
    client = fields.String(required=True, validate=validate.Regexp(r"^[^/]+(/[^/]+){2,3}$"))
    service = fields.String(required=True, validate=validate.Regexp(r"^[^/]+(/[^/]+){2,3}$"))

    @post_load
    def build(self, data: dict[str, Any], **_kwargs) -> XRoadConfig:
        return XRoadConfig(**data)


class RecordSystemSchema(Schema):
    adapter = fields.String(load_default="soap", validate=validate.OneOf(["soap"]))
    endpoint = fields.String(required=True, validate=_http_url)
    timeout_seconds = fields.Float(load_default=5.0, validate=validate.Range(min=0.1, max=120))
    xroad = fields.Nested(XRoadSchema, load_default=None)

    @post_load
    def build(self, data: dict[str, Any], **_kwargs) -> RecordSystemConfig:
        return RecordSystemConfig(**data)


class HostSectionSchema(Schema):
    public_url = fields.String(required=True, validate=_http_url)
    database_url = fields.String(load_default="sqlite:///plugin-host.db")
    secret_key_file = fields.String(load_default=None)
    default_locale = fields.String(load_default="fi", validate=validate.OneOf(["fi", "sv", "en"]))
    hook_budget_ms = fields.Integer(load_default=2000, validate=validate.Range(min=10, max=60000))
    session_hours = fields.Float(load_default=8, validate=validate.Range(min=0.1, max=24))
    cookie_secure = fields.Boolean(load_default=None)


class LaunchSchema(Schema):
    max_token_seconds = fields.Integer(load_default=300, validate=validate.Range(min=10, max=300))
    issuers = fields.List(
        fields.Nested(IssuerSchema), required=True, validate=validate.Length(min=1)
    )


class OutboxSchema(Schema):
    worker = fields.Boolean(load_default=True)
    concurrency = fields.Integer(load_default=4, validate=validate.Range(min=1, max=64))
    poll_seconds = fields.Float(load_default=0.5, validate=validate.Range(min=0.01, max=60))
    max_backoff_seconds = fields.Float(load_default=30, validate=validate.Range(min=0.1, max=3600))
    breaker_fail_max = fields.Integer(load_default=5, validate=validate.Range(min=1, max=1000))
    breaker_reset_seconds = fields.Float(load_default=5, validate=validate.Range(min=0.1, max=600))

    @post_load
    def build(self, data: dict[str, Any], **_kwargs) -> OutboxConfig:
        return OutboxConfig(**data)


class RetentionSchema(Schema):
    delivered_writes_days = fields.Integer(
        load_default=30, validate=validate.Range(min=1, max=3650)
    )
    # At least two days: a link's row must outlive its kiosk's lock (at most a day), which the
    # host finds through it.
    respondent_links_days = fields.Integer(
        load_default=30, validate=validate.Range(min=2, max=3650)
    )

    # A management page shows 12 months: keep at least those and the current one.
    statistics_months = fields.Integer(load_default=36, validate=validate.Range(min=13, max=1200))

    @post_load
    def build(self, data: dict[str, Any], **_kwargs) -> RetentionConfig:
        return RetentionConfig(**data)


class AdminSchema(Schema):
    credentials_file = fields.String(load_default=None)


OID = validate.Regexp(r"^[0-2](\.(0|[1-9][0-9]*))+\Z", error="Must be an OID such as 1.2.246.10.")


class KantaSchema(Schema):
    archive_url = fields.String(required=True, validate=_http_url)
    production = fields.Boolean(load_default=False)
    custodian_oid = fields.String(required=True, validate=OID)
    custodian_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    sender_oid = fields.String(required=True, validate=OID)
    receiver_oid = fields.String(required=True, validate=OID)
    key_file = fields.String(required=True, validate=validate.Length(min=1))
    certificate_file = fields.String(required=True, validate=validate.Length(min=1))
    client_certificate_file = fields.String(load_default=None)
    ca_file = fields.String(load_default=None)
    timeout_seconds = fields.Float(load_default=10.0, validate=validate.Range(min=0.1, max=120))


class ConfigFileSchema(Schema):
    host = fields.Nested(HostSectionSchema, required=True)
    launch = fields.Nested(LaunchSchema, required=True)
    record_system = fields.Nested(RecordSystemSchema, required=True)
    outbox = fields.Nested(OutboxSchema, load_default=lambda: OutboxSchema().load({}))
    admin = fields.Nested(AdminSchema, load_default=lambda: {"credentials_file": None})
    kanta = fields.Nested(KantaSchema, load_default=None)
    retention = fields.Nested(RetentionSchema, load_default=lambda: RetentionSchema().load({}))
    plugins = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$")),
        values=fields.Dict(),
        load_default=dict,
    )


def parse_config(data: dict[str, Any], base: Path, source: str = "configuration") -> HostConfig:
    """Validate a parsed TOML document; relative paths are taken from ``base``."""
    try:
        loaded = load_payload(ConfigFileSchema(), data)
    except PayloadInvalid as exc:
        raise ConfigError(source, exc.errors) from None
    host = loaded["host"]
    issuers = tuple(
        _issuer(issuer, base, source, f"launch.issuers.{index}")
        for index, issuer in enumerate(loaded["launch"]["issuers"])
    )
    database_url = host["database_url"]
    if database_url.startswith("sqlite:///") and not database_url.startswith("sqlite:////"):
        database_url = f"sqlite:///{base / database_url.removeprefix('sqlite:///')}"
    cookie_secure = host["cookie_secure"]
    if cookie_secure is None:
        cookie_secure = host["public_url"].startswith("https://")
    return HostConfig(
        public_url=host["public_url"].rstrip("/"),
        database_url=database_url,
        secret_key=_secret_key(host["secret_key_file"], base, source),
        default_locale=host["default_locale"],
        hook_budget_seconds=host["hook_budget_ms"] / 1000,
        session_hours=host["session_hours"],
        cookie_secure=cookie_secure,
        max_token_seconds=loaded["launch"]["max_token_seconds"],
        issuers=issuers,
        record_system=loaded["record_system"],
        outbox=loaded["outbox"],
        admin=AdminConfig(
            credentials_file=None
            if loaded["admin"]["credentials_file"] is None
            else base / loaded["admin"]["credentials_file"]
        ),
        kanta=_kanta(loaded["kanta"], base, source),
        retention=loaded["retention"],
        plugin_settings=loaded["plugins"],
        source=source,
    )


def _kanta(data: dict[str, Any] | None, base: Path, source: str) -> KantaConfig | None:
    if data is None:
        return None
    paths: dict[str, Path | None] = {}
    for key in ("key_file", "certificate_file", "client_certificate_file", "ca_file"):
        if data[key] is None:
            paths[key] = None
            continue
        file = base / data[key]
        if not file.is_file():
            raise ConfigError(source, {f"kanta.{key}": [f"File {file} does not exist."]})
        paths[key] = file
    return KantaConfig(**(data | paths))


def _issuer(data: dict[str, Any], base: Path, source: str, key: str) -> IssuerConfig:
    file = base / data["public_key_file"]
    if not file.is_file():
        raise ConfigError(source, {f"{key}.public_key_file": [f"File {file} does not exist."]})
    pem = file.read_bytes()
    if b"-----BEGIN PUBLIC KEY-----" not in pem:
        problem = f"File {file} is not a PEM public key."
        raise ConfigError(source, {f"{key}.public_key_file": [problem]})
    return IssuerConfig(
        issuer=data["issuer"],
        public_key_pem=pem,
        origins=tuple(o.rstrip("/") for o in data["origins"]),
        algorithms=tuple(data["algorithms"]),
    )


def _secret_key(path: str | None, base: Path, source: str) -> str:
    if path is None:
        # A per-process key: fine for one instance; several instances need a shared file.
        return secrets.token_hex(32)
    file = base / path
    if not file.is_file():
        raise ConfigError(source, {"host.secret_key_file": [f"File {file} does not exist."]})
    secret = file.read_text().strip()
    if len(secret) < 32:
        raise ConfigError(source, {"host.secret_key_file": ["Must hold at least 32 characters."]})
    return secret


def load_config(path: str | os.PathLike[str] | None = None) -> HostConfig:
    """Read and validate the TOML file at ``path`` (or ``$PLUGIN_HOST_CONFIG``)."""
    chosen = path or os.environ.get(CONFIG_ENV)
    if not chosen:
        raise ConfigError("configuration", {"path": [f"Give --config or set {CONFIG_ENV}."]})
    file = Path(chosen)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(file), {"path": ["File does not exist."]}) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(file), {"syntax": [str(exc)]}) from None
    return parse_config(data, file.resolve().parent, str(file))
