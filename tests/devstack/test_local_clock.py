"""The local stack's clock (devstack.clock) on its own: what a move request may say, and a clock
that only runs forward from the real one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devstack.clock import ClockMove, ClockRefused, LocalClock, parse_duration

REAL = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)


class FakeReal:
    def __init__(self) -> None:
        self.now = REAL

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT2H", timedelta(hours=2)),
        ("PT30M", timedelta(minutes=30)),
        ("P2DT14H35M", timedelta(days=2, hours=14, minutes=35)),
        ("P3D", timedelta(days=3)),
        ("PT90S", timedelta(seconds=90)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("PT0S", timedelta(0)),
    ],
)
def test_durations_are_iso_8601_days_to_seconds(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2 hours", "ISO 8601 duration"),
        ("P", "ISO 8601 duration"),
        ("PT", "ISO 8601 duration"),
        ("P1DT", "ISO 8601 duration"),
        ("PT1H30", "ISO 8601 duration"),
        ("P1M", "ISO 8601 duration"),  # months have no fixed length: refused, not guessed
        (7200, "ISO 8601 duration"),
        ("-PT1H", "only moves forward"),
        ("P99999999999D", "at most"),
    ],
)
def test_bad_durations_say_what_to_send(value: Any, says: str) -> None:
    with pytest.raises(ClockRefused, match=says):
        parse_duration(value)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (None, "one field"),
        ([], "one field"),
        ({}, "one field"),
        ({"at": "2026-12-04T18:55:00+01:00", "advance": "PT1H"}, "one field"),
        ({"when": "2026-12-04T18:55:00+01:00"}, 'Unknown field "when"'),
        ({"at": "2026-12-04T18:55:00"}, "time zone offset"),
        ({"at": "el viernes"}, "ISO 8601 time"),
        ({"at": 1764870900}, "ISO 8601 time"),
        ({"at": "0001-01-01T00:00:00+01:00"}, "out of range"),
    ],
)
def test_bad_moves_say_what_to_send(body: Any, says: str) -> None:
    with pytest.raises(ClockRefused, match=says):
        ClockMove.parse(body)


def test_a_moved_clock_keeps_ticking_with_the_real_one() -> None:
    real = FakeReal()
    clock = LocalClock(real)
    assert clock.now() == REAL
    friday = datetime.fromisoformat("2026-12-04T18:55:00+01:00")
    assert clock.move(ClockMove.parse({"at": "2026-12-04T18:55:00+01:00"})) == friday
    real.now += timedelta(seconds=3)
    assert clock.now() == friday + timedelta(seconds=3)
    assert clock.move(ClockMove(advance=timedelta(hours=2))) == friday + timedelta(hours=2, seconds=3)
    assert clock.offset == friday - REAL + timedelta(hours=2)
    # A moment DynamoDB Local or the SMTP server stamped with the real time, on the stack's clock.
    assert clock.stack_time_at(real.now) == clock.now()


def test_the_clock_never_runs_backwards() -> None:
    real = FakeReal()
    clock = LocalClock(real)
    clock.move(ClockMove(advance=timedelta(days=2)))
    with pytest.raises(ClockRefused, match="only moves forward"):
        clock.move(ClockMove(at=REAL + timedelta(days=1)))
    assert clock.now() == REAL + timedelta(days=2)  # a refused move changes nothing
    with pytest.raises(ClockRefused, match="at most"):
        clock.move(ClockMove(at=REAL + timedelta(days=5000)))
