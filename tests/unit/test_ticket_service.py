"""The ticket service's rules on in-memory stores: every transition and refusal through the
service, who may do what, idempotency, ID collisions, version guards and listing cursors.
Bad inputs tried: unknown department, unknown / malformed ticket ids, other accounts' tickets,
a stale If-Match version, a reused Idempotency-Key with other content, garbled and foreign cursors,
a query with no searchable word, callers without an account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from helpdesk.domain.errors import (
    IdempotencyKeyReused,
    InvalidInput,
    InvalidTransition,
    InvalidValue,
    NotAllowed,
    NotFound,
    StaleVersion,
    TicketNotFound,
)
from helpdesk.domain.models import Caller, ClosedReason, Role
from helpdesk.domain.status_machine import Status
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, BRUNO, LUIS, MARTA, NO_ACCOUNT, SETTINGS, T0, sequence
from tests.support.fakes import InMemoryTickets


@pytest.fixture
def store() -> InMemoryTickets:
    return InMemoryTickets()


@pytest.fixture
def service(store: InMemoryTickets) -> TicketService:
    return TicketService(store, SETTINGS, ticket_ids=sequence("NZ-1000000"), message_ids=sequence("m"))


def open_one(service: TicketService, caller: Caller = ANA, **kwargs: Any) -> str:
    ticket = service.open_ticket(
        caller, department="soporte", subject="El webmail no carga", body="Desde ayer", now=T0, **kwargs
    )
    return ticket.id


def to_status(service: TicketService, ticket_id: str, status: Status) -> None:
    """Bring a new (OPEN) ticket to `status` through the public operations."""
    if status is Status.WAITING:
        service.reply(LUIS, ticket_id, body="¿Qué navegador?", now=T0 + timedelta(minutes=1))
    elif status is Status.CLOSED:
        service.close(ANA, ticket_id, now=T0 + timedelta(minutes=1))


# ---------------------------------------------------------------- every action from every status
def _operator_reply(s: TicketService, i: str) -> object:
    return s.reply(LUIS, i, body="Pruebe ahora", now=T0 + timedelta(hours=1))


def _customer_reply(s: TicketService, i: str) -> object:
    return s.reply(ANA, i, body="Sigue igual", now=T0 + timedelta(hours=1))


def _note(s: TicketService, i: str) -> object:
    return s.reply(LUIS, i, body="nota", internal=True, now=T0 + timedelta(hours=1))


def _assign(s: TicketService, i: str) -> object:
    return s.assign(LUIS, i, now=T0 + timedelta(hours=1))


def _close(s: TicketService, i: str) -> object:
    return s.close(ANA, i, now=T0 + timedelta(hours=1))


def _reopen(s: TicketService, i: str) -> object:
    return s.reopen(ANA, i, now=T0 + timedelta(hours=1))


O, W, C = Status.OPEN, Status.WAITING, Status.CLOSED  # noqa: E741 - one letter per status
# (operation, from, expected status after it, or None: refused with InvalidTransition)
TABLE = [
    (_operator_reply, O, W), (_operator_reply, W, W), (_operator_reply, C, None),
    (_customer_reply, O, O), (_customer_reply, W, O), (_customer_reply, C, O),
    (_note, O, O), (_note, W, W), (_note, C, C),
    (_assign, O, O), (_assign, W, W), (_assign, C, None),
    (_close, O, C), (_close, W, C), (_close, C, None),
    (_reopen, O, None), (_reopen, W, None), (_reopen, C, O),
]  # fmt: skip


@pytest.mark.parametrize(("operation", "start", "expected"), TABLE)
def test_every_operation_from_every_status(service, store, operation, start, expected):
    ticket_id = open_one(service)
    to_status(service, ticket_id, start)
    before = store.tickets[ticket_id]
    if expected is None:
        with pytest.raises(InvalidTransition, match=ticket_id):
            operation(service, ticket_id)
        assert store.tickets[ticket_id] == before  # nothing written
        return
    operation(service, ticket_id)
    after = store.tickets[ticket_id]
    assert after.status is expected
    assert after.version == before.version + 1


def test_an_operator_reply_starts_the_auto_close_clock_and_a_customer_reply_stops_it(service, store):
    ticket_id = open_one(service)
    service.reply(LUIS, ticket_id, body="¿Qué navegador?", now=T0)
    assert store.tickets[ticket_id].auto_close_at == T0 + timedelta(hours=SETTINGS.auto_close_hours)
    service.reply(ANA, ticket_id, body="Firefox", now=T0 + timedelta(hours=1))
    assert store.tickets[ticket_id].auto_close_at is None


def test_a_customer_reply_reopens_a_closed_ticket_and_clears_the_close(service, store):
    ticket_id = open_one(service)
    service.close(LUIS, ticket_id, now=T0)
    assert store.tickets[ticket_id].closed_reason is ClosedReason.OPERATOR
    service.reply(ANA, ticket_id, body="Vuelve a fallar", now=T0 + timedelta(days=3))
    reopened = store.tickets[ticket_id]
    assert (reopened.status, reopened.closed_at, reopened.closed_reason) == (Status.OPEN, None, None)


def test_who_closed_it_is_kept(service, store):
    mine, theirs = open_one(service), open_one(service)
    service.close(ANA, mine, now=T0)
    service.close(LUIS, theirs, now=T0)
    assert store.tickets[mine].closed_reason is ClosedReason.CUSTOMER
    assert store.tickets[theirs].closed_reason is ClosedReason.OPERATOR


# ---------------------------------------------------------------- roles
def test_operators_do_not_open_tickets(service):
    with pytest.raises(NotAllowed):
        open_one(service, LUIS)


def test_a_sign_in_without_an_account_opens_nothing(service):
    with pytest.raises(NotAllowed, match=r"^no_customer_account$"):
        open_one(service, NO_ACCOUNT)


def test_customers_add_no_internal_notes_and_assign_nothing(service):
    ticket_id = open_one(service)
    with pytest.raises(NotAllowed):
        service.reply(ANA, ticket_id, body="nota", internal=True, now=T0)
    with pytest.raises(NotAllowed):
        service.assign(ANA, ticket_id, now=T0)


def test_another_account_neither_sees_nor_changes_a_ticket(service, store):
    ticket_id = open_one(service)
    with pytest.raises(TicketNotFound):
        service.get_ticket(BRUNO, ticket_id)
    for attempt in (
        lambda: service.reply(BRUNO, ticket_id, body="hola", now=T0),
        lambda: service.close(BRUNO, ticket_id, now=T0),
        lambda: service.reopen(BRUNO, ticket_id, now=T0),
    ):
        with pytest.raises(TicketNotFound):
            attempt()
    assert store.tickets[ticket_id].version == 1
    assert service.list_tickets(BRUNO).items == []


def test_customers_never_see_internal_notes_operators_do(service):
    ticket_id = open_one(service)
    service.reply(LUIS, ticket_id, body="cliente difícil", internal=True, now=T0)
    assert [m.body for m in service.get_ticket(ANA, ticket_id).messages] == ["Desde ayer"]
    assert [m.body for m in service.get_ticket(MARTA, ticket_id).messages] == [
        "Desde ayer",
        "cliente difícil",
    ]


def test_assigning_takes_the_ticket_by_id_with_the_name(service, store):
    ticket_id = open_one(service)
    ticket = service.assign(LUIS, ticket_id, now=T0)
    assert (ticket.assignee, ticket.assignee_name) == ("sub-luis", "Luis Gil")


def test_a_message_records_its_author_id_and_name_and_a_customer_address(service):
    ticket_id = open_one(service)
    message = service.reply(LUIS, ticket_id, body="Hola", now=T0)
    assert (message.author, message.author_id, message.author_role) == ("Luis Gil", "sub-luis", Role.OPERATOR)
    assert message.author_email is None  # an operator's address is never kept on what customers read
    answer = service.reply(ANA, ticket_id, body="Gracias", now=T0)
    assert (answer.author, answer.author_id, answer.author_email) == (
        "Ana Pérez",
        "sub-ana",
        "ana@cliente.example",
    )


# ---------------------------------------------------------------- ids and lookups
@pytest.mark.parametrize("typed", ["nz-10000001", "#NZ10000001", "10000001", " NZ-10000001 "])
def test_a_ticket_id_is_found_as_people_type_it(service, typed):
    ticket_id = open_one(service)
    assert service.get_ticket(ANA, typed).ticket.id == ticket_id


@pytest.mark.parametrize("bad", ["", "NZ-1", "NZ-1234567890", "<script>", "x" * 500])
def test_what_cannot_be_a_ticket_id_is_not_found(service, bad):
    with pytest.raises(TicketNotFound):
        service.get_ticket(LUIS, bad)


def test_an_unknown_department_is_refused_with_the_choices(service):
    with pytest.raises(InvalidValue, match="soporte, comercial"):
        service.open_ticket(ANA, department="ventas", subject="s", body="b", now=T0)


def test_an_attachment_outside_the_message_is_not_found(service):
    ticket_id = open_one(service)
    first = service.get_ticket(ANA, ticket_id).messages[0]
    with pytest.raises(NotFound):
        service.attachment(ANA, ticket_id, first.id, 0)
    with pytest.raises(NotFound):
        service.attachment(ANA, ticket_id, "no-such-message", 0)


def test_an_id_collision_draws_another_id(store):
    drawn = iter(["NZ-11111111", "NZ-11111111", "NZ-22222222"])
    service = TicketService(store, SETTINGS, ticket_ids=lambda: next(drawn), message_ids=sequence("m"))
    assert open_one(service) == "NZ-11111111"
    assert open_one(service) == "NZ-22222222"


def test_it_gives_up_after_the_attempts_instead_of_looping(store):
    service = TicketService(store, SETTINGS, ticket_ids=lambda: "NZ-11111111", message_ids=sequence("m"))
    open_one(service)
    with pytest.raises(RuntimeError, match="no free ticket ID"):
        open_one(service)


# ---------------------------------------------------------------- idempotency
def test_a_retry_with_the_same_key_returns_the_same_ticket_once(service, store):
    first = service.open_ticket(ANA, department="soporte", subject="s", body="b", now=T0, idempotency_key="k")
    again = service.open_ticket(
        ANA, department="soporte", subject="s", body="b", now=T0 + timedelta(seconds=5), idempotency_key="k"
    )
    assert again == first
    assert len(store.tickets) == 1


def test_the_same_key_for_other_content_is_refused(service):
    service.open_ticket(ANA, department="soporte", subject="s", body="b", now=T0, idempotency_key="k")
    with pytest.raises(IdempotencyKeyReused, match=r"^idempotency_key_reused$"):
        service.open_ticket(ANA, department="soporte", subject="s", body="otro", now=T0, idempotency_key="k")


def test_keys_belong_to_their_account(service, store):
    service.open_ticket(ANA, department="soporte", subject="s", body="b", now=T0, idempotency_key="k")
    service.open_ticket(BRUNO, department="soporte", subject="s", body="b", now=T0, idempotency_key="k")
    assert len(store.tickets) == 2


# ---------------------------------------------------------------- versions and races
def test_a_stale_version_is_refused_and_nothing_is_saved(service, store):
    ticket_id = open_one(service)
    service.reply(MARTA, ticket_id, body="Marta", now=T0)
    with pytest.raises(StaleVersion) as refused:
        service.reply(LUIS, ticket_id, body="Luis", now=T0, expected_version=1)
    assert refused.value.params == {"ticket_id": ticket_id, "current": 2, "expected": 1}
    assert [m.body for m in store.messages[ticket_id]] == ["Desde ayer", "Marta"]


def test_a_close_that_loses_to_a_reply_is_told_so(service, store):
    ticket_id = open_one(service)
    to_status(service, ticket_id, Status.WAITING)
    store.before_next_write(lambda: service.reply(ANA, ticket_id, body="¡Aún falla!", now=T0))
    with pytest.raises(StaleVersion):
        service.close(LUIS, ticket_id, now=T0, expected_version=2)
    assert store.tickets[ticket_id].status is Status.OPEN


def test_a_change_refused_for_its_status_says_which(service, store):
    ticket_id = open_one(service)
    store.before_next_write(lambda: service.close(ANA, ticket_id, now=T0))
    with pytest.raises(InvalidTransition, match=r"^already_closed "):
        service.close(LUIS, ticket_id, now=T0)


# ---------------------------------------------------------------- listing
def test_listing_pages_with_a_cursor_newest_first(service):
    ids = [
        service.open_ticket(
            ANA, department="soporte", subject=f"n{n}", body="b", now=T0 + timedelta(minutes=n)
        ).id
        for n in range(3)
    ]
    first = service.list_tickets(ANA, limit=2)
    assert [t.id for t in first.items] == ids[::-1][:2]
    second = service.list_tickets(ANA, limit=2, cursor=first.next_cursor)
    assert [t.id for t in second.items] == [ids[0]]
    assert second.next_cursor is None


@pytest.mark.parametrize("cursor", ["garbage", "eyJ4Ijp0cnVlfQ", "%%%"])
def test_a_cursor_the_listing_did_not_hand_out_is_invalid_input(service, cursor):
    open_one(service)
    with pytest.raises(InvalidInput, match="cursor"):
        service.list_tickets(ANA, limit=1, cursor=cursor)


def test_another_accounts_cursor_is_refused(service):
    for _ in range(2):
        open_one(service, BRUNO)
    cursor = service.list_tickets(BRUNO, limit=1).next_cursor
    with pytest.raises(InvalidInput):
        service.list_tickets(ANA, limit=1, cursor=cursor)
