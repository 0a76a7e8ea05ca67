"""The SLA configuration document (calendars and policies), read into typed configuration.

It comes from the template (the `SlaPolicies` parameter, a JSON document), never from code:

    {
      "calendars": {
        "24x7": {"time_zone": "Europe/Madrid", "hours": "always"},
        "oficina": {
          "time_zone": "Europe/Madrid",
          "hours": {"mon": ["09:00-19:00"], "tue": ["09:00-19:00"], "wed": ["09:00-19:00"],
                    "thu": ["09:00-19:00"], "fri": ["09:00-15:00", "16:00-19:00"]},
          "holidays": {"country": "ES", "subdivision": "MD", "dates": ["2026-05-15"]}
        }
      },
      "policies": [
        {"calendar": "24x7", "first_response": 240, "next_response": 480},
        {"department": "soporte", "calendar": "oficina", "first_response": 60, "next_response": 120},
        {"department": "soporte", "priority": "urgent", "calendar": "24x7",
         "first_response": 30, "next_response": 60, "resolution": 480}
      ]
    }

Targets are business minutes of the policy's calendar; days missing from `hours` have none. The
rule without department and priority is required: every ticket has a policy.
"""

from __future__ import annotations

import json
import re
from datetime import date, time, timedelta
from typing import Annotated, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from helpdesk.domain.calendars import WEEKDAYS, BusinessCalendar, Holidays, WorkingPeriod
from helpdesk.domain.sla import PolicyRule, SlaPolicies, SlaPolicy

# The ticket priorities of the operators' desk (issue 10).
Priority = Literal["low", "normal", "high", "urgent"]
PRIORITIES: tuple[str, ...] = get_args(Priority)
_PERIOD = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$")
TargetMinutes = Annotated[int, Field(ge=1, le=60 * 24 * 365)]


def _period(text: str) -> WorkingPeriod:
    match = _PERIOD.match(text)
    if match is None:
        raise ValueError(f"'{text[:20]}' is not a working period like 09:00-19:00")
    start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
    if end_h == 24 and end_m != 0:
        raise ValueError(f"'{text}' ends after midnight")
    end = None if end_h == 24 else time(end_h, end_m)
    return WorkingPeriod(time(start_h, start_m), end)


class HolidaysDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    subdivision: str | None = Field(default=None, pattern=r"^[A-Z0-9]{1,3}$")
    dates: tuple[date, ...] = ()

    @model_validator(mode="after")
    def _known_country(self) -> HolidaysDocument:
        self.as_holidays()  # an unknown country or region is a ValueError, reported with the field
        return self

    def as_holidays(self) -> Holidays:
        return Holidays(dates=frozenset(self.dates), country=self.country, subdivision=self.subdivision)


class CalendarDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    time_zone: str = "UTC"
    hours: Literal["always"] | dict[str, tuple[str, ...]]
    holidays: HolidaysDocument = HolidaysDocument()

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value[:40]}' is not an IANA time zone (e.g. Europe/Madrid)") from None
        return value

    @field_validator("hours")
    @classmethod
    def _known_days(cls, value: object) -> object:
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(WEEKDAYS))
            if unknown:
                raise ValueError(f"unknown days {unknown}: use {', '.join(WEEKDAYS)}")
            for periods in value.values():
                for text in periods:
                    _period(text)
        return value

    @model_validator(mode="after")
    def _builds(self) -> CalendarDocument:
        self.calendar("check")  # overlapping periods, a week without hours: refused at load
        return self

    def calendar(self, calendar_id: str) -> BusinessCalendar:
        week: tuple[tuple[WorkingPeriod, ...], ...]
        if self.hours == "always":
            week = ((WorkingPeriod(time(0)),),) * 7
        else:
            hours = self.hours
            week = tuple(tuple(_period(text) for text in hours.get(day, ())) for day in WEEKDAYS)
        return BusinessCalendar(calendar_id, ZoneInfo(self.time_zone), week, self.holidays.as_holidays())


class PolicyDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    department: str | None = None
    priority: Priority | None = None
    calendar: str
    first_response: TargetMinutes
    next_response: TargetMinutes
    resolution: TargetMinutes | None = None


class SlaDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    calendars: dict[str, CalendarDocument] = Field(min_length=1)
    policies: tuple[PolicyDocument, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> SlaDocument:
        for policy in self.policies:
            if policy.calendar not in self.calendars:
                raise ValueError(f"policy refers to an unknown calendar '{policy.calendar[:40]}'")
        keys = [(p.department, p.priority) for p in self.policies]
        if len(set(keys)) != len(keys):
            raise ValueError("two policies for the same department and priority")
        if (None, None) not in keys:
            raise ValueError("a policy without department and priority is required (the default)")
        return self

    @classmethod
    def from_json(cls, text: str) -> SlaDocument:
        return cls.model_validate(json.loads(text))

    def policies_for(self, departments: tuple[str, ...] | None = None) -> SlaPolicies:
        """The policies, with each calendar built once. `departments`, when given, are the known
        ones: a policy for any other is a configuration mistake."""
        if departments is not None:
            unknown = sorted({p.department for p in self.policies if p.department} - set(departments))
            if unknown:
                raise ValueError(f"SLA policies for unknown departments: {', '.join(unknown)}")
        calendars = {name: doc.calendar(name) for name, doc in self.calendars.items()}
        return SlaPolicies(
            tuple(
                PolicyRule(
                    department=p.department,
                    priority=p.priority,
                    policy=SlaPolicy(
                        calendar=calendars[p.calendar],
                        first_response=timedelta(minutes=p.first_response),
                        next_response=timedelta(minutes=p.next_response),
                        resolution=None if p.resolution is None else timedelta(minutes=p.resolution),
                    ),
                )
                for p in self.policies
            )
        )
