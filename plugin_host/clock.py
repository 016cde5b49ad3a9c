"""One notion of now for the host: timezone-aware UTC."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored time as aware UTC: SQLite hands back naive datetimes, and the host stores UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
