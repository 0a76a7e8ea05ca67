"""The local stack's clock: the real clock plus an offset that only grows, set with
POST /_local/clock. Handlers take "now" from their event (helpdesk.clock), and every event is
made here, in the stack's process: the API's requestContext.timeEpoch, the schedule's `time`, SES's
receipt timestamp, the stream records' ApproximateCreationDateTime. So moving this clock moves the
time every handler sees, in every container, with nothing in the layer or the containers to set.

It keeps ticking (an offset, not a frozen moment): two requests never share a time, and the order
of writes stays the order of requests. It never runs backwards: the table already holds what
happened until now (messages, SLA clocks, report days), and a later write stamped earlier would
contradict it; restarting `make run` is how to go back to the real time.

What stays on the real clock: the local issuer's tokens (the developer's session, not the domain's
time: the banner's tokens survive a jump over a weekend) and S3's presigned POST policies (boto3
signs them with the real time, and devstack.s3_post checks them against it)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# ISO 8601 durations of days, hours, minutes and seconds: P3D, PT2H, P2DT14H35M, PT90S, PT0.5S.
_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_EXAMPLE = '{"at": "2026-12-04T18:55:00+01:00"} or {"advance": "PT2H"}'
MAX_ADVANCE = timedelta(days=3660)  # ten years: far enough for any walk, short of datetime's end


class ClockRefused(ValueError):
    """A clock request that cannot be honoured; the message says what to send instead."""


@dataclass(frozen=True)
class ClockMove:
    """What POST /_local/clock asks for: a moment to jump to, or a duration to move by."""

    at: datetime | None = None
    advance: timedelta | None = None

    @classmethod
    def parse(cls, data: Any) -> ClockMove:
        if not isinstance(data, dict) or len(data) != 1:
            raise ClockRefused(f"Send a JSON object with one field, {_EXAMPLE}.")
        ((name, value),) = data.items()
        if name == "at":
            return cls(at=_moment(value))
        if name == "advance":
            return cls(advance=parse_duration(value))
        raise ClockRefused(f'Unknown field "{str(name)[:40]}": send {_EXAMPLE}.')


def _moment(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise ClockRefused(f'"at" must be an ISO 8601 time with its offset, e.g. {_EXAMPLE}.')
    if moment.tzinfo is None:
        # A time without its offset is ambiguous here: the stack runs on UTC, the calendars on Madrid's.
        raise ClockRefused(f'"at" needs its time zone offset ("Z" or "+01:00"), e.g. {_EXAMPLE}.')
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first UTC moment datetime holds
        raise ClockRefused(f'"at" is out of range: send a time like {_EXAMPLE}.') from None


def parse_duration(value: Any) -> timedelta:
    """An ISO 8601 duration of days, hours, minutes and seconds ("P2DT14H35M"), or ClockRefused."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None or value in ("P", "PT") or value.endswith("T"):
        if isinstance(value, str) and value.startswith("-"):
            raise ClockRefused('The stack\'s clock only moves forward: "advance" cannot be negative.')
        raise ClockRefused(
            '"advance" must be an ISO 8601 duration of days, hours, minutes and seconds, '
            'e.g. "PT2H", "PT30M" or "P2DT14H35M".'
        )
    units = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
    seconds = sum(float(number) * units[name] for name, number in match.groupdict().items() if number)
    if seconds > MAX_ADVANCE.total_seconds():
        raise ClockRefused(f'"advance" moves the clock by at most {MAX_ADVANCE.days} days at a time.')
    return timedelta(seconds=seconds)


class LocalClock:
    """Safe to use from any thread. `real` is the wall clock (a test may give its own)."""

    def __init__(self, real: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._real = real
        self._lock = threading.Lock()
        self._offset = timedelta(0)

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset

    def now(self) -> datetime:
        """The stack's time now (UTC)."""
        return self.stack_time_at(self._real())

    def stack_time_at(self, real: datetime) -> datetime:
        """The stack's time of a real moment just past, such as DynamoDB Local's stamp on a stream
        record or an SMTP arrival: both are handed on right away, and a move first delivers what
        is pending (LocalApi), so the offset now is the one they were made under."""
        return (real + self.offset).astimezone(UTC)

    def move(self, change: ClockMove) -> datetime:
        """Jump to `at` or move by `advance`; returns the stack's new time."""
        with self._lock:
            real = self._real()
            now = real + self._offset
            if change.at is not None:
                if change.at < now:
                    raise ClockRefused(
                        f"The stack's clock is at {now.isoformat(timespec='seconds')} and only moves forward "
                        f"(the table holds what happened until then); {change.at.isoformat()} is earlier. "
                        "Restart make run to start over at the real time."
                    )
                if change.at - now > MAX_ADVANCE:
                    raise ClockRefused(f"The clock moves by at most {MAX_ADVANCE.days} days at a time.")
                self._offset = change.at - real
            else:
                self._offset += change.advance or timedelta(0)
            return (real + self._offset).astimezone(UTC)
