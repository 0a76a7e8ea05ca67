"""Ticket items written straight to the table, shaped exactly as helpdesk.store.tickets writes them
(helpdesk.store.codec.ticket_item), for seeding and for the put_item baseline."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from helpdesk.domain import search
from helpdesk.domain.attributes import Priority
from helpdesk.domain.models import ClosedReason, Ticket
from helpdesk.domain.sla import ResponseClock, SlaTarget
from helpdesk.domain.status_machine import Status
from helpdesk.store import codec

SUBJECTS = (
    "El webmail no carga",
    "Certificado SSL caducado en mi dominio",
    "Ampliar el plan de hosting",
    "No recibo correos en la cuenta info@",
    "La base de datos MySQL va lenta",
    "Factura duplicada de octubre",
)
DEPARTMENTS = ("soporte", "comercial")
PRIORITY_CYCLE = (
    Priority.NORMAL,
    Priority.LOW,
    Priority.NORMAL,
    Priority.HIGH,
    Priority.NORMAL,
    Priority.URGENT,
)

_serializer = TypeSerializer()


def wire(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB's wire format, leaving out None as the store does."""
    return {key: _serializer.serialize(value) for key, value in item.items() if value is not None}


def ticket_item(ticket: Ticket) -> dict[str, Any]:
    words = frozenset(search.words(ticket.subject))
    return wire(codec.ticket_item(ticket, words))


def sample_ticket_item(ticket_id: str, at: datetime = datetime(2026, 11, 25, tzinfo=UTC)) -> dict[str, Any]:
    ticket = Ticket(
        id=ticket_id,
        status=Status.OPEN,
        department="soporte",
        subject=SUBJECTS[0],
        account_id="acct-1001",
        created_at=at,
        updated_at=at,
        version=1,
    )
    return ticket_item(ticket)


def population(total: int, due: int, waiting_not_due: int, now: datetime, seed: int = 7) -> Iterator[Ticket]:
    """`total` tickets: the first `due` WAITING past their deadline, the next `waiting_not_due`
    WAITING with a deadline still ahead, the rest OPEN or (mostly) CLOSED, over many accounts."""
    rng = random.Random(seed)
    for n in range(total):
        created = now - timedelta(days=rng.uniform(1, 400))
        updated = min(now, created + timedelta(hours=rng.uniform(0, 96)))
        status, auto_close_at, closed_at = Status.CLOSED, None, None
        if n < due:
            status, auto_close_at = Status.WAITING, now - timedelta(hours=rng.uniform(0.1, 48))
            updated = auto_close_at - timedelta(hours=72)
        elif n < due + waiting_not_due:
            status, auto_close_at = Status.WAITING, now + timedelta(hours=rng.uniform(0.1, 71))
            updated = auto_close_at - timedelta(hours=72)
        elif rng.random() < 0.3:
            status = Status.OPEN
        else:
            closed_at = updated
        # Every OPEN ticket awaits an answer (since it was opened); priorities cycle, so the
        # queue's order has all its parts (a separate cycle: the seeded draws stay as they were).
        clock = (
            ResponseClock(SlaTarget.FIRST_RESPONSE, min(created, updated)) if status is Status.OPEN else None
        )
        yield Ticket(
            id=f"NZ-{n:08d}",
            status=status,
            department=rng.choice(DEPARTMENTS),
            subject=rng.choice(SUBJECTS),
            account_id=f"acct-{rng.randrange(1000, 3000)}",
            created_at=min(created, updated),
            updated_at=updated,
            version=rng.randrange(1, 9),
            assignee=rng.choice((None, "luis@netz0.example", "marta@netz0.example")),
            auto_close_at=auto_close_at,
            closed_at=closed_at,
            closed_reason=ClosedReason.OPERATOR if closed_at else None,
            response_clock=clock,
            priority=PRIORITY_CYCLE[n % len(PRIORITY_CYCLE)],
        )
