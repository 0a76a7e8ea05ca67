"""Callers, settings and times for the unit tests (no AWS anywhere)."""

from __future__ import annotations

from datetime import UTC, datetime

from helpdesk.config import Settings
from helpdesk.domain.models import Caller, Role

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

SETTINGS = Settings(
    table_name="unit-tests",
    departments=(
        {"id": "soporte", "name": "Soporte Técnico"},
        {"id": "comercial", "name": "Comercial"},
    ),
)

ANA = Caller(role=Role.CUSTOMER, name="ana@cliente.example", account_id="acct-1001")
ANA_BY_MAIL = Caller(role=Role.CUSTOMER, name="ana.perez@cliente.example", account_id="acct-1001")
BRUNO = Caller(role=Role.CUSTOMER, name="bruno@otro.example", account_id="acct-2002")
NO_ACCOUNT = Caller(role=Role.CUSTOMER, name="sin@cuenta.example", account_id=None)
LUIS = Caller(role=Role.OPERATOR, name="luis@netz0.example")
MARTA = Caller(role=Role.OPERATOR, name="marta@netz0.example")


def sequence(prefix: str) -> object:
    """An id source drawing prefix-1, prefix-2, ..."""
    counter = iter(range(1, 10**6))
    return lambda: f"{prefix}{next(counter)}"
