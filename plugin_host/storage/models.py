"""The host's own tables. Client documents never live here: the record system keeps them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class PluginEnablement(Base):
    """Whether a plugin runs in an organisation unit; ``org_unit`` "*" means every unit."""

    __tablename__ = "plugin_enablement"
    plugin: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_unit: Mapped[str] = mapped_column(String(100), primary_key=True)
    enabled: Mapped[bool]
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScopeGrant(Base):
    """A scope an admin approved for a plugin."""

    __tablename__ = "scope_grant"
    plugin: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PluginSetting(Base):
    """An admin's settings for a plugin (JSON, raw as entered and checked by the plugin's schema),
    laid over ``[plugins.<name>]`` of the configuration file."""

    __tablename__ = "plugin_setting"
    plugin: Mapped[str] = mapped_column(String(40), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UsedLaunchToken(Base):
    """Replay guard: a launch token's ``jti`` is accepted once, kept until the token expires."""

    __tablename__ = "used_launch_token"
    issuer: Mapped[str] = mapped_column(String(200), primary_key=True)
    jti: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LaunchSession(Base):
    """A worker's session opened by a launch, bound to one client (or one team) in one unit."""

    __tablename__ = "launch_session"
    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(100))
    org_unit: Mapped[str] = mapped_column(String(100))
    client_id: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    team_id: Mapped[str] = mapped_column(String(100), default="", server_default="")


class AuditEvent(Base):
    """One read or write of client data (THL's log specification is the model)."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("event_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    worker_id: Mapped[str] = mapped_column(String(100), index=True)
    org_unit: Mapped[str] = mapped_column(String(100))
    client_id: Mapped[str] = mapped_column(String(100), index=True)
    purpose: Mapped[str] = mapped_column(String(100))
    plugin: Mapped[str] = mapped_column(String(40))
    operation: Mapped[str] = mapped_column(String(40))
    document_id: Mapped[str | None] = mapped_column(String(100))
    document_version: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)


class OutboxWrite(Base):
    """A write accepted from a plugin and not yet known to be in the record system.

    ``seq`` orders everything; writes to one document share a ``stream`` and are delivered one
    after another in ``seq`` order. A write waiting for a person (a version conflict) or failed
    for good holds up the writes behind it in its stream, never the other streams.
    """

    __tablename__ = "outbox_write"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    write_id: Mapped[str] = mapped_column(String(32), unique=True)
    stream: Mapped[str] = mapped_column(String(140), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    plugin: Mapped[str] = mapped_column(String(40))
    worker_id: Mapped[str] = mapped_column(String(100))
    org_unit: Mapped[str] = mapped_column(String(100))
    client_id: Mapped[str] = mapped_column(String(100), index=True)
    purpose: Mapped[str] = mapped_column(String(100))
    document_type: Mapped[str] = mapped_column(String(40))
    target_document: Mapped[str | None] = mapped_column(String(140))
    document_id: Mapped[str | None] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(100))
    base_version: Mapped[int | None]
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    uncertain: Mapped[bool] = mapped_column(default=False)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claim_id: Mapped[str | None] = mapped_column(String(32))  # which worker's claim won
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_version: Mapped[int | None]
    conflict_version: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(100))

    @property
    def predicted_version(self) -> int:
        return 1 if self.base_version is None else self.base_version + 1

    @property
    def pending_id(self) -> str:
        return f"pending:{self.write_id}"


class KantaTransmission(Base):
    """One version of a record document sent to the Kanta archive, and the archive's answer.

    No content and no identity code: the document lives in the record and in the archive.
    """

    __tablename__ = "kanta_transmission"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    correlation_id: Mapped[str] = mapped_column(String(32), unique=True)
    client_id: Mapped[str] = mapped_column(String(100), index=True)
    plugin: Mapped[str] = mapped_column(String(40))
    worker_id: Mapped[str] = mapped_column(String(100))
    record_document_id: Mapped[str] = mapped_column(String(100), index=True)
    record_version: Mapped[int]
    set_oid: Mapped[str] = mapped_column(String(100))
    document_oid: Mapped[str] = mapped_column(String(100), unique=True)
    kanta_version: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))  # accepted, rejected, refused, unknown
    errors: Mapped[str | None] = mapped_column(Text)  # numbered, from the archive or validation
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PluginStateEntry(Base):
    """A plugin's own working state (a meeting in progress, an index of what it wrote), JSON.

    Bound to a team and/or a client so that a launch sees only its own: the record stays the
    place of client documents; this holds what is not yet, or not only, a document.
    """

    __tablename__ = "plugin_state"
    __table_args__ = (UniqueConstraint("plugin", "kind", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plugin: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(140))
    team_id: Mapped[str] = mapped_column(String(100), index=True)
    client_id: Mapped[str] = mapped_column(String(100), index=True)
    data: Mapped[str] = mapped_column(Text)
    version: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(100))


class StatObservation(Base):
    """One anonymous observation for statistics (a feedback answer's item score, a discussion's
    fidelity flag): no names, no identity codes, no client ids; ``family_key`` is a keyed
    pseudonym that only counts distinct families for small-cell suppression."""

    __tablename__ = "stat_observation"
    __table_args__ = (
        Index(
            "ix_stat_observation_cell",
            "plugin",
            "dataset",
            "org_unit",
            "team_id",
            "month",
            "measure",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plugin: Mapped[str] = mapped_column(String(40))
    dataset: Mapped[str] = mapped_column(String(40))
    org_unit: Mapped[str] = mapped_column(String(100))
    team_id: Mapped[str] = mapped_column(String(100))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    family_key: Mapped[str] = mapped_column(String(64))
    d1: Mapped[str] = mapped_column(String(100), default="")
    d2: Mapped[str] = mapped_column(String(100), default="")
    d3: Mapped[str] = mapped_column(String(100), default="")
    measure: Mapped[str] = mapped_column(String(60))
    value: Mapped[int]
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatRollup(Base):
    """Counts of observations per cell and value, kept as observations are recorded, so that a
    management page reads thousands of rows, not millions."""

    __tablename__ = "stat_rollup"
    __table_args__ = (
        UniqueConstraint(
            "plugin",
            "dataset",
            "org_unit",
            "team_id",
            "month",
            "d1",
            "d2",
            "d3",
            "measure",
            "value",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plugin: Mapped[str] = mapped_column(String(40))
    dataset: Mapped[str] = mapped_column(String(40))
    org_unit: Mapped[str] = mapped_column(String(100))
    team_id: Mapped[str] = mapped_column(String(100))
    month: Mapped[str] = mapped_column(String(7))
    d1: Mapped[str] = mapped_column(String(100), default="")
    d2: Mapped[str] = mapped_column(String(100), default="")
    d3: Mapped[str] = mapped_column(String(100), default="")
    measure: Mapped[str] = mapped_column(String(60))
    value: Mapped[int]
    count: Mapped[int]


class StatFamily(Base):
    """Which (pseudonymous) families a cell's figures rest on: the basis of suppression."""

    __tablename__ = "stat_family"
    __table_args__ = (
        UniqueConstraint("plugin", "dataset", "org_unit", "team_id", "month", "d1", "family_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plugin: Mapped[str] = mapped_column(String(40))
    dataset: Mapped[str] = mapped_column(String(40))
    org_unit: Mapped[str] = mapped_column(String(100))
    team_id: Mapped[str] = mapped_column(String(100))
    month: Mapped[str] = mapped_column(String(7))
    d1: Mapped[str] = mapped_column(String(100), default="")
    family_key: Mapped[str] = mapped_column(String(64))


class RespondentLink(Base):
    """A one-time link (or kiosk hand-over) for a family member to answer without logging in.

    Only a hash of the token is kept. Issued in a worker's client launch; ``opened_at`` is set
    the first (and only) time the link is used, ``finished_at`` when the answer is given.
    """

    __tablename__ = "respondent_link"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    link_id: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    plugin: Mapped[str] = mapped_column(String(40))
    endpoint: Mapped[str] = mapped_column(String(100))
    kiosk: Mapped[bool] = mapped_column(default=False)
    worker_id: Mapped[str] = mapped_column(String(100))
    org_unit: Mapped[str] = mapped_column(String(100))
    client_id: Mapped[str] = mapped_column(String(100), index=True)
    purpose: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(5))
    data: Mapped[str] = mapped_column(Text)  # JSON from the plugin: no names, no identity codes
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    session_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
