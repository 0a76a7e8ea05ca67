"""The SLA configuration document: calendars and policies read into typed configuration, and the
mistakes it refuses at load (a person editing the template reads these messages)."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from helpdesk.sla_config import SlaDocument

DOCUMENT: dict[str, Any] = {
    "calendars": {
        "24x7": {"time_zone": "Europe/Madrid", "hours": "always"},
        "oficina": {
            "time_zone": "Europe/Madrid",
            "hours": {day: ["09:00-19:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": {"country": "ES", "subdivision": "MD", "dates": ["2026-05-15"]},
        },
        "partido": {"time_zone": "Europe/Madrid", "hours": {"mon": ["09:00-14:00", "15:00-24:00"]}},
    },
    "policies": [
        {"calendar": "24x7", "first_response": 240, "next_response": 480},
        {"department": "soporte", "calendar": "oficina", "first_response": 60, "next_response": 120},
        {
            "department": "soporte",
            "priority": "urgent",
            "calendar": "24x7",
            "first_response": 30,
            "next_response": 60,
            "resolution": 480,
        },
        {"priority": "low", "calendar": "oficina", "first_response": 480, "next_response": 960},
    ],
}
MADRID = ZoneInfo("Europe/Madrid")


def test_the_document_becomes_calendars_and_policies() -> None:
    policies = SlaDocument.from_json(json.dumps(DOCUMENT)).policies_for(("soporte", "comercial"))
    support = policies.for_ticket("soporte", "normal")
    assert (support.first_response, support.next_response, support.resolution) == (
        timedelta(minutes=60),
        timedelta(minutes=120),
        None,
    )
    assert support.calendar.id == "oficina"
    friday = datetime(2026, 11, 20, 18, 55, tzinfo=MADRID)
    assert support.calendar.add(friday, timedelta(hours=1)) == datetime(2026, 11, 23, 9, 55, tzinfo=MADRID)
    assert date(2026, 5, 15) in support.calendar.holidays  # listed explicitly (San Isidro)
    assert date(2026, 12, 8) in support.calendar.holidays  # from the library
    assert policies.for_ticket("soporte", "urgent").resolution == timedelta(minutes=480)
    assert policies.for_ticket("soporte", "urgent").calendar.id == "24x7"


@pytest.mark.parametrize(
    ("department", "priority", "first_response"),
    [
        ("soporte", "urgent", 30),  # department and priority
        ("soporte", "low", 60),  # the department wins over the priority
        ("comercial", "low", 480),  # the priority
        ("comercial", "high", 240),  # the catch-all
    ],
)
def test_the_most_specific_policy_applies(department: str, priority: str, first_response: int) -> None:
    policies = SlaDocument.model_validate(DOCUMENT).policies_for()
    assert policies.for_ticket(department, priority).first_response == timedelta(minutes=first_response)


def test_midnight_is_written_24_00() -> None:
    calendar = SlaDocument.model_validate(DOCUMENT).policies_for().all()[0].calendar
    assert calendar.id == "24x7"
    split = SlaDocument.model_validate(DOCUMENT).calendars["partido"].calendar("partido")
    monday = datetime(2026, 11, 23, 15, tzinfo=MADRID)
    assert split.between(monday, monday + timedelta(days=1)) == timedelta(hours=9)


def changed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


_DELETE = object()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(changed(("calendars", "oficina", "time_zone"), "Madrid"), "IANA time zone", id="zone"),
        pytest.param(
            changed(("calendars", "oficina", "hours", "lun"), ["09:00-19:00"]), "unknown days", id="day"
        ),
        pytest.param(changed(("calendars", "oficina", "hours", "mon"), ["9-19"]), "09:00-19:00", id="period"),
        pytest.param(
            changed(("calendars", "oficina", "hours", "mon"), ["09:00-24:30"]), "09:00-19:00", id="late"
        ),
        pytest.param(
            changed(("calendars", "oficina", "hours", "mon"), ["19:00-09:00"]), "after it starts", id="back"
        ),
        pytest.param(
            changed(("calendars", "oficina", "hours", "mon"), ["09:00-14:00", "13:00-19:00"]),
            "overlap",
            id="overlap",
        ),
        pytest.param(changed(("calendars", "oficina", "hours"), {}), "at least one day", id="no-hours"),
        pytest.param(
            changed(("calendars", "oficina", "holidays", "country"), "XX"), "no public", id="country"
        ),
        pytest.param(
            changed(("calendars", "oficina", "holidays", "dates"), ["15/05/2026"]), "date", id="date"
        ),
        pytest.param(changed(("policies", 1, "calendar"), "nope"), "unknown calendar", id="calendar"),
        pytest.param(changed(("policies", 1, "first_response"), 0), "greater than or equal to 1", id="zero"),
        pytest.param(changed(("policies", 1, "next_response"), "1h"), "integer", id="not-minutes"),
        pytest.param(changed(("policies", 2, "priority"), "critical"), "low", id="priority"),
        pytest.param(changed(("policies", 0), DOCUMENT["policies"][1]), "same department", id="duplicate"),
        pytest.param(
            changed(("policies", 0, "department"), "comercial"), "without department", id="no-default"
        ),
        pytest.param(changed(("policies", 0, "sla"), 1), "Extra inputs", id="unknown-field"),
        pytest.param(changed(("calendars",), {}), "at least 1", id="no-calendars"),
    ],
)
def test_mistakes_are_refused_when_the_configuration_is_read(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SlaDocument.model_validate(document)


def test_policies_for_unknown_departments_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown departments: soporte"):
        SlaDocument.model_validate(DOCUMENT).policies_for(("comercial",))


def test_malformed_json_is_refused() -> None:
    with pytest.raises(ValueError, match="Expecting"):
        SlaDocument.from_json("{calendars:")
