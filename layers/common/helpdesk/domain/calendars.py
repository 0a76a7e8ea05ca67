"""Business calendars: the hours a team works in its time zone, less its holidays, and time
arithmetic in those hours (SLA targets are business minutes of a calendar).

Instants in and out are aware datetimes and are compared and subtracted in UTC; wall-clock times
are used only to find where each day's working periods start and end. So a day on which the clocks
change has its true length (in a 24x7 calendar the last Sunday of March has 23 hours, the last
Sunday of October 25), and "09:00" is 09:00 on the office clock in winter and in summer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from typing import Protocol
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar whose working time ends within ten years of any instant is misconfigured, not busy:
# fail instead of walking the days for ever.
MAX_DAYS_SEARCHED = 3660


class NoWorkingTime(ValueError):
    """The calendar has no working time in the range searched."""


@dataclass(frozen=True)
class WorkingPeriod:
    """Working time within one day, on the office clock: [start, end). `end` None means midnight."""

    start: time
    end: time | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"a working period must end after it starts ({self.start}-{self.end})")


class _HolidayLookup(Protocol):
    def __contains__(self, day: object) -> bool: ...


@cache
def _country_holidays(country: str, subdivision: str | None) -> _HolidayLookup:
    # Imported on first use: the library loads its country tables lazily, and functions that never
    # compute business time never pay for it.
    import holidays

    return holidays.country_holidays(country, subdiv=subdivision)


@dataclass(frozen=True)
class Holidays:
    """Days without working hours: an explicit list, and/or a country's (and region's) public
    holidays from the `holidays` library (which knows each year's dates, moved holidays included)."""

    dates: frozenset[date] = frozenset()
    country: str | None = None
    subdivision: str | None = None

    def __post_init__(self) -> None:
        if self.subdivision is not None and self.country is None:
            raise ValueError("a holiday subdivision needs a country")
        if self.country is not None:
            try:  # an unknown country or region fails here, when the configuration is read
                _country_holidays(self.country, self.subdivision)
            except NotImplementedError as unknown:
                raise ValueError(f"no public holidays known for {self.country}: {unknown}") from None

    def __contains__(self, day: date) -> bool:
        if day in self.dates:
            return True
        return self.country is not None and day in _country_holidays(self.country, self.subdivision)


@dataclass(frozen=True)
class BusinessCalendar:
    id: str
    time_zone: ZoneInfo
    # Monday first, seven entries; each day's periods in order and not overlapping.
    week: tuple[tuple[WorkingPeriod, ...], ...]
    holidays: Holidays = field(default_factory=Holidays)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a calendar's week has seven days")
        for periods in self.week:
            for earlier, later in pairwise(periods):
                if earlier.end is None or later.start < earlier.end:
                    raise ValueError("a day's working periods must be in order and must not overlap")
        if not any(self.week):
            raise ValueError("a calendar needs working time on at least one day of the week")

    @classmethod
    def always(cls, calendar_id: str = "24x7", time_zone: str = "UTC") -> BusinessCalendar:
        """Every minute of every day counts."""
        whole_day = (WorkingPeriod(time(0)),)
        return cls(calendar_id, ZoneInfo(time_zone), (whole_day,) * 7)

    # ------------------------------------------------------------------ arithmetic
    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The instant at which `amount` of working time after `start` has passed. A target that
        ends exactly at closing time is due at closing time, not at the next opening."""
        if amount < timedelta(0):
            return self.subtract(start, -amount)
        cursor = _utc(start)
        if amount == timedelta(0):
            return cursor
        remaining = amount
        for opens, closes in self._periods_from(cursor):
            begin = max(opens, cursor)
            if closes <= begin:
                continue
            if remaining <= closes - begin:
                return begin + remaining
            remaining -= closes - begin
        raise NoWorkingTime(f"calendar {self.id} has no working time after {cursor.isoformat()}")

    def subtract(self, end: datetime, amount: timedelta) -> datetime:
        """The latest instant from which `amount` of working time passes by `end` (the inverse of
        `add`: add(subtract(t, a), a) <= t, equal when t is working time)."""
        if amount < timedelta(0):
            return self.add(end, -amount)
        cursor = _utc(end)
        if amount == timedelta(0):
            return cursor
        remaining = amount
        for opens, closes in self._periods_back_from(cursor):
            stop = min(closes, cursor)
            if stop <= opens:
                continue
            if remaining <= stop - opens:
                return stop - remaining
            remaining -= stop - opens
        raise NoWorkingTime(f"calendar {self.id} has no working time before {cursor.isoformat()}")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from `start` to `end` (negative when `end` comes first)."""
        first, last = _utc(start), _utc(end)
        if last < first:
            return -self.between(last, first)
        total = timedelta(0)
        for opens, closes in self._periods_from(first):
            if opens >= last:
                break
            overlap = min(closes, last) - max(opens, first)
            if overlap > timedelta(0):
                total += overlap
        return total

    def is_working_time(self, instant: datetime) -> bool:
        moment = _utc(instant)
        return any(opens <= moment < closes for opens, closes in self.periods_on(self._local_day(moment)))

    # ------------------------------------------------------------------ days and periods
    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of one local day, as UTC instants (none on a holiday)."""
        if day in self.holidays:
            return []
        periods = []
        for period in self.week[day.weekday()]:
            opens = self._instant(day, period.start)
            closes = self._instant(day + timedelta(days=1), time(0)) if period.end is None else None
            if closes is None:
                assert period.end is not None
                closes = self._instant(day, period.end)
            if closes > opens:  # a period inside the hour the clocks skip is empty
                periods.append((opens, closes))
        return periods

    def _periods_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = self._local_day(moment)
        for offset in range(MAX_DAYS_SEARCHED):
            yield from self.periods_on(day + timedelta(days=offset))

    def _periods_back_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = self._local_day(moment)
        for offset in range(MAX_DAYS_SEARCHED):
            yield from reversed(self.periods_on(day - timedelta(days=offset)))

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.time_zone).date()

    def _instant(self, day: date, wall_clock: time) -> datetime:
        # A wall-clock time the clocks skip (02:30 on the last Sunday of March) is read with the
        # offset before the change (fold=0), i.e. as 03:30; a repeated one as its first occurrence.
        return datetime.combine(day, wall_clock, tzinfo=self.time_zone).astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("business time needs aware datetimes (UTC instants)")
    return moment.astimezone(UTC)
