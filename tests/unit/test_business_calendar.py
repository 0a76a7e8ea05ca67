"""Business-time arithmetic: a Madrid office (Monday to Friday 09:00-19:00, Europe/Madrid) and a
24x7 calendar, across weekends, holidays, the clock changes of March and October (2026: the 29th
of March and the 25th of October) and targets spanning several days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.domain.calendars import BusinessCalendar, Holidays, WorkingPeriod

MADRID = ZoneInfo("Europe/Madrid")
WORKDAY = (WorkingPeriod(time(9), time(19)),)
OFFICE_WEEK = (WORKDAY,) * 5 + ((), ())


def office(*holidays: date, country: str | None = None, subdivision: str | None = None) -> BusinessCalendar:
    return BusinessCalendar(
        "oficina", MADRID, OFFICE_WEEK, Holidays(frozenset(holidays), country, subdivision)
    )


def madrid(text: str) -> datetime:
    """'2026-11-20 18:55' on the Madrid clock."""
    return datetime.fromisoformat(text).replace(tzinfo=MADRID)


OFFICE = office()
SPLIT_DAY = BusinessCalendar(
    "partido", MADRID, ((WorkingPeriod(time(9), time(14)), WorkingPeriod(time(15), time(19))),) * 5 + ((), ())
)
ALWAYS_MADRID = BusinessCalendar.always("24x7", "Europe/Madrid")


@pytest.mark.parametrize(
    ("calendar", "start", "minutes", "due"),
    [
        # The example: five minutes on Friday, fifty-five on Monday.
        pytest.param(OFFICE, "2026-11-20 18:55", 60, "2026-11-23 09:55", id="friday-evening-to-monday"),
        pytest.param(
            office(date(2026, 11, 23)), "2026-11-20 18:55", 60, "2026-11-24 09:55", id="holiday-monday"
        ),
        # The same over the March change (Friday CET, Monday CEST): still 09:55 on the office clock.
        pytest.param(OFFICE, "2026-03-27 18:55", 60, "2026-03-30 09:55", id="over-march-dst"),
        pytest.param(OFFICE, "2026-10-23 18:55", 60, "2026-10-26 09:55", id="over-october-dst"),
        # Holidays from the library: in Madrid 2026, Monday 7 (Constitution Day moved) and Tuesday
        # 8 December (Immaculate Conception) are both public holidays.
        pytest.param(
            office(country="ES", subdivision="MD"),
            "2026-12-04 18:55",
            60,
            "2026-12-09 09:55",
            id="library-holidays-madrid",
        ),
        pytest.param(OFFICE, "2026-11-21 12:00", 30, "2026-11-23 09:30", id="opened-on-saturday"),
        pytest.param(OFFICE, "2026-11-23 07:00", 60, "2026-11-23 10:00", id="before-opening"),
        pytest.param(OFFICE, "2026-11-20 18:00", 60, "2026-11-20 19:00", id="due-at-closing-time"),
        pytest.param(OFFICE, "2026-11-20 19:00", 1, "2026-11-23 09:01", id="at-closing-time"),
        # Several days: 9 h on Monday, 10 on Tuesday, 6 on Wednesday.
        pytest.param(OFFICE, "2026-11-23 10:00", 25 * 60, "2026-11-25 15:00", id="three-days"),
        pytest.param(OFFICE, "2026-11-19 10:00", 30 * 60, "2026-11-24 10:00", id="over-a-weekend"),
        pytest.param(SPLIT_DAY, "2026-11-23 13:30", 60, "2026-11-23 15:30", id="over-lunch"),
        pytest.param(SPLIT_DAY, "2026-11-23 14:20", 10, "2026-11-23 15:10", id="opened-at-lunch"),
        # 24x7: business time is real time, also on the 23- and 25-hour days.
        pytest.param(ALWAYS_MADRID, "2026-03-28 23:00", 24 * 60, "2026-03-30 00:00", id="24x7-march"),
        pytest.param(ALWAYS_MADRID, "2026-10-24 23:00", 24 * 60, "2026-10-25 22:00", id="24x7-october"),
        pytest.param(ALWAYS_MADRID, "2026-11-20 18:55", 60, "2026-11-20 19:55", id="24x7-friday"),
    ],
)
def test_adding_business_minutes(calendar: BusinessCalendar, start: str, minutes: int, due: str) -> None:
    result = calendar.add(madrid(start), timedelta(minutes=minutes))
    assert result == madrid(due)
    assert result.tzinfo is UTC
    assert calendar.between(madrid(start), result) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("calendar", "start", "end", "minutes"),
    [
        pytest.param(OFFICE, "2026-11-23 10:00", "2026-11-23 10:45", 45, id="same-morning"),
        pytest.param(OFFICE, "2026-11-20 18:55", "2026-11-23 09:55", 60, id="over-weekend"),
        pytest.param(OFFICE, "2026-11-21 08:00", "2026-11-22 20:00", 0, id="weekend-only"),
        pytest.param(OFFICE, "2026-11-23 20:00", "2026-11-24 08:00", 0, id="overnight"),
        pytest.param(OFFICE, "2026-11-23 09:55", "2026-11-20 18:55", -60, id="reversed-is-negative"),
        pytest.param(
            office(date(2026, 11, 23)), "2026-11-20 09:00", "2026-11-24 19:00", 20 * 60, id="holiday"
        ),
        # Two working days either side of each change: 20 h on the office clock, although 71 or 73
        # real hours pass.
        pytest.param(OFFICE, "2026-03-27 09:00", "2026-03-30 19:00", 20 * 60, id="office-march-dst"),
        pytest.param(OFFICE, "2026-10-23 09:00", "2026-10-26 19:00", 20 * 60, id="office-october-dst"),
        pytest.param(ALWAYS_MADRID, "2026-03-29 00:00", "2026-03-30 00:00", 23 * 60, id="24x7-short-day"),
        pytest.param(ALWAYS_MADRID, "2026-10-25 00:00", "2026-10-26 00:00", 25 * 60, id="24x7-long-day"),
        pytest.param(SPLIT_DAY, "2026-11-23 08:00", "2026-11-23 20:00", 9 * 60, id="split-day"),
    ],
)
def test_business_minutes_between(calendar: BusinessCalendar, start: str, end: str, minutes: int) -> None:
    assert calendar.between(madrid(start), madrid(end)) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("end", "minutes", "start"),
    [
        pytest.param("2026-11-23 09:25", 60, "2026-11-20 18:25", id="back-over-weekend"),
        pytest.param("2026-11-23 09:00", 60, "2026-11-20 18:00", id="from-opening"),
        pytest.param("2026-11-22 12:00", 30, "2026-11-20 18:30", id="from-sunday"),
        pytest.param("2026-03-30 09:30", 60, "2026-03-27 18:30", id="back-over-march-dst"),
    ],
)
def test_subtracting_business_minutes(end: str, minutes: int, start: str) -> None:
    assert OFFICE.subtract(madrid(end), timedelta(minutes=minutes)) == madrid(start)


def test_working_time() -> None:
    assert OFFICE.is_working_time(madrid("2026-11-23 09:00"))
    assert not OFFICE.is_working_time(madrid("2026-11-23 19:00"))  # periods end before closing
    assert not OFFICE.is_working_time(madrid("2026-11-21 12:00"))
    assert not office(country="ES", subdivision="MD").is_working_time(madrid("2026-12-08 12:00"))


# Instants from 2025 to 2028 (four springs and autumns), at millisecond precision as stored.
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
amounts = st.integers(min_value=1, max_value=60 * 24 * 20).map(lambda m: timedelta(minutes=m))
calendars = st.sampled_from([OFFICE, SPLIT_DAY, ALWAYS_MADRID, office(country="ES", subdivision="MD")])


@given(calendars, instants, amounts)
def test_add_and_between_agree(calendar: BusinessCalendar, start: datetime, amount: timedelta) -> None:
    due = calendar.add(start, amount)
    assert due > start
    assert calendar.between(start, due) == amount
    assert calendar.between(start, due - timedelta(milliseconds=1)) < amount


@given(calendars, instants, amounts)
def test_subtract_is_the_latest_start(calendar: BusinessCalendar, end: datetime, amount: timedelta) -> None:
    start = calendar.subtract(end, amount)
    assert calendar.between(start, end) == amount
    assert calendar.add(start, amount) <= end
    assert calendar.add(start + timedelta(milliseconds=1), amount) > end


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        OFFICE.add(datetime(2026, 11, 23, 10), timedelta(minutes=5))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(lambda: WorkingPeriod(time(19), time(9)), "end after it starts", id="period-backwards"),
        pytest.param(lambda: WorkingPeriod(time(9), time(9)), "end after it starts", id="period-empty"),
        pytest.param(
            lambda: BusinessCalendar(
                "x", MADRID, ((WorkingPeriod(time(9), time(14)), WorkingPeriod(time(13), time(19))),) * 7
            ),
            "overlap",
            id="overlapping-periods",
        ),
        pytest.param(lambda: BusinessCalendar("x", MADRID, ((),) * 7), "at least one day", id="no-hours"),
        pytest.param(lambda: BusinessCalendar("x", MADRID, (WORKDAY,) * 5), "seven days", id="short-week"),
        pytest.param(lambda: Holidays(country="XX"), "no public holidays known", id="unknown-country"),
        pytest.param(
            lambda: Holidays(country="ES", subdivision="ZZ"), "no public holidays", id="unknown-region"
        ),
        pytest.param(lambda: Holidays(subdivision="MD"), "needs a country", id="region-without-country"),
    ],
)
def test_bad_calendars_are_refused(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]
