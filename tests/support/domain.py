"""Callers, settings and times for the unit tests (no AWS anywhere)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from helpdesk.config import Settings
from helpdesk.domain.models import Caller, Role
from helpdesk.sla_config import SlaDocument

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

SETTINGS = Settings(
    table_name="unit-tests",
    departments=(
        {"id": "soporte", "name": "Soporte Técnico"},
        {"id": "comercial", "name": "Comercial"},
    ),
)

ANA = Caller(
    role=Role.CUSTOMER, name="Ana Pérez", account_id="acct-1001", id="sub-ana", email="ana@cliente.example"
)
ANA_BY_MAIL = Caller(
    role=Role.CUSTOMER,
    name="ana.perez@cliente.example",
    account_id="acct-1001",
    email="ana.perez@cliente.example",
)
BRUNO = Caller(
    role=Role.CUSTOMER,
    name="bruno@otro.example",
    account_id="acct-2002",
    id="sub-bruno",
    email="bruno@otro.example",
)
NO_ACCOUNT = Caller(role=Role.CUSTOMER, name="sin@cuenta.example", account_id=None, id="sub-sin")
LUIS = Caller(role=Role.OPERATOR, name="Luis Gil", id="sub-luis", email="luis@netz0.example")
MARTA = Caller(role=Role.OPERATOR, name="Marta Sanz", id="sub-marta", email="marta@netz0.example")


def sequence(prefix: str) -> object:
    """An id source drawing prefix-1, prefix-2, ..."""
    counter = iter(range(1, 10**6))
    return lambda: f"{prefix}{next(counter)}"


MADRID = ZoneInfo("Europe/Madrid")
OFFICE_HOURS = {day: ["09:00-19:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
# soporte: office hours (Tuesday 8 December 2026 a holiday), first response 60, next 120;
# everyone else 24x7, 240 and 480.
SLA_POLICIES = SlaDocument.model_validate(
    {
        "calendars": {
            "24x7": {"time_zone": "Europe/Madrid", "hours": "always"},
            "oficina": {
                "time_zone": "Europe/Madrid",
                "hours": OFFICE_HOURS,
                "holidays": {"dates": ["2026-12-08"]},
            },
        },
        "policies": [
            {"calendar": "24x7", "first_response": 240, "next_response": 480},
            {"department": "soporte", "calendar": "oficina", "first_response": 60, "next_response": 120},
        ],
    }
).policies_for(("soporte", "comercial"))


def madrid(text: str) -> datetime:
    """'2026-11-20 18:55' on the Madrid clock."""
    return datetime.fromisoformat(text).replace(tzinfo=MADRID)
