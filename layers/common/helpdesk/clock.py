"""Times are UTC, stored as fixed-width ISO 8601 strings (millisecond precision) so that they sort
as text in DynamoDB keys. Handlers take "now" from the event, never from the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def to_iso(moment: datetime) -> str:
    """2026-11-25T12:00:00.123Z"""
    return moment.astimezone(UTC).strftime(_FORMAT)[:-3] + "Z"


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def from_epoch_ms(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
