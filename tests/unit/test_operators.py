"""The operator directory and assignment on in-memory fakes: who the operators are (the group,
read once per TTL per container), their preferences, and who may be an assignee.
Bad inputs tried: customers on every operator operation, an unknown department in the
preferences, an assignee who is no operator (a customer's id, a made-up id, an e-mail address)."""

from __future__ import annotations

import pytest

from helpdesk.domain.errors import InvalidValue, NotAllowed, UnknownOperator
from helpdesk.domain.history_text import render
from helpdesk.domain.operators import ALL_NOTICES, DirectoryMember, StaffNotice
from helpdesk.services.assignment import ABSENT, AssignmentService
from helpdesk.services.operators import OperatorDirectory
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, LUIS, MARTA, SETTINGS, T0, sequence
from tests.support.fakes import InMemoryOperatorGroup, InMemoryOperatorPreferences, InMemoryTickets

LUIS_MEMBER = DirectoryMember("sub-luis", "luis@netz0.example", "Luis Gil")
MARTA_MEMBER = DirectoryMember("sub-marta", "marta@netz0.example", "Marta Sanz")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def group() -> InMemoryOperatorGroup:
    return InMemoryOperatorGroup(MARTA_MEMBER, LUIS_MEMBER)


@pytest.fixture
def preferences() -> InMemoryOperatorPreferences:
    return InMemoryOperatorPreferences()


@pytest.fixture
def directory(group, preferences, clock) -> OperatorDirectory:
    return OperatorDirectory(group, preferences, SETTINGS, clock=clock)


@pytest.fixture
def store() -> InMemoryTickets:
    return InMemoryTickets()


@pytest.fixture
def assignments(store, directory) -> AssignmentService:
    tickets = TicketService(store, SETTINGS, ticket_ids=sequence("NZ-2000000"), message_ids=sequence("m"))
    return AssignmentService(tickets, directory)


def open_one(assignments: AssignmentService) -> str:
    return assignments._tickets.open_ticket(ANA, department="soporte", subject="s", body="b", now=T0).id


# ---------------------------------------------------------------- the directory
def test_operators_are_listed_by_name_with_every_department_until_they_choose(directory):
    listed = directory.listing(LUIS)
    assert [(o.id, o.name, o.email) for o in listed] == [
        ("sub-luis", "Luis Gil", "luis@netz0.example"),
        ("sub-marta", "Marta Sanz", "marta@netz0.example"),
    ]
    assert all(o.departments == ("soporte", "comercial") and o.notices == ALL_NOTICES for o in listed)


def test_the_group_is_read_once_per_ttl_per_container(directory, group, clock):
    directory.listing(LUIS)
    directory.listing(MARTA)
    assert directory.member("sub-marta") == MARTA_MEMBER
    assert group.calls == 1  # warm: no second read of Cognito
    clock.now += 61
    directory.listing(LUIS)
    assert group.calls == 2


def test_an_unknown_id_looks_again_once_but_not_for_every_request(directory, group, clock):
    directory.listing(LUIS)
    group.everyone.append(DirectoryMember("sub-new", "nuevo@netz0.example", "Nuevo"))
    assert directory.member("sub-new") is None  # the copy is seconds old: no new read
    clock.now += 6
    assert directory.member("sub-new") is not None  # a colleague added a moment ago
    assert directory.member("sub-nobody") is None
    assert directory.member("sub-nobody") is None
    assert group.calls == 2


def test_my_settings_are_saved_and_shape_the_directory(directory, preferences):
    me = directory.update_me(
        MARTA, departments=["comercial"], notices=[StaffNotice.ASSIGNED], language="en", now=T0
    )
    assert (me.departments, me.notices, me.language) == (("comercial",), {StaffNotice.ASSIGNED}, "en")
    assert directory.me(MARTA) == me
    assert [o.id for o in directory.recipients(StaffNotice.NEW_TICKET, department="comercial")] == [
        "sub-luis"
    ]
    assert [o.id for o in directory.recipients(StaffNotice.ASSIGNED, department="comercial")] == [
        "sub-luis",
        "sub-marta",
    ]
    assert directory.recipients(StaffNotice.ASSIGNED, department="soporte", ids=["sub-marta"]) == []


def test_no_department_and_no_mail_are_choices_too(directory):
    me = directory.update_me(LUIS, departments=[], notices=[], language="es", now=T0)
    assert (me.departments, me.notices) == ((), frozenset())
    assert directory.recipients(StaffNotice.NEW_TICKET, department="soporte") == [
        o for o in directory.operators() if o.id == "sub-marta"
    ]


def test_an_unknown_department_is_refused_and_nothing_saved(directory, preferences):
    with pytest.raises(InvalidValue) as refused:
        directory.update_me(LUIS, departments=["soporte", "ventas"], notices=[], language="es", now=T0)
    assert refused.value.reason == "unknown_department"
    assert refused.value.params["department"] == "ventas"
    assert preferences.saved == {}


@pytest.mark.parametrize(
    "call",
    [
        lambda d: d.listing(ANA),
        lambda d: d.me(ANA),
        lambda d: d.update_me(ANA, departments=[], notices=[], language="es", now=T0),
    ],
)
def test_customers_are_refused_every_directory_operation(directory, call):
    with pytest.raises(NotAllowed) as refused:
        call(directory)
    assert refused.value.reason == "operators_only"


# ---------------------------------------------------------------- assignment
def test_absent_means_the_caller_takes_it_without_asking_the_directory(assignments, group):
    ticket = assignments.assign(LUIS, open_one(assignments), assignee=ABSENT, now=T0)
    assert (ticket.assignee, ticket.assignee_name) == ("sub-luis", "Luis Gil")
    assert group.calls == 0


def test_an_operators_id_hands_it_over_and_null_unassigns(assignments, store):
    ticket_id = open_one(assignments)
    before = store.writes
    handed = assignments.assign(LUIS, ticket_id, assignee="sub-marta", now=T0)
    assert (handed.assignee, handed.assignee_name) == ("sub-marta", "Marta Sanz")
    unassigned = assignments.assign(MARTA, ticket_id, assignee=None, now=T0)
    assert (unassigned.assignee, unassigned.assignee_name) == (None, None)
    assert store.writes - before == 2  # one write per change, its history entry included
    entries = [(e.code, e.actor, dict(e.params)) for e in store.tickets[ticket_id].history]
    assert entries == [("assigned", "Luis Gil", {"assignee": "Marta Sanz"}), ("unassigned", "Marta Sanz", {})]
    shown = [render(e, "es") for e in store.tickets[ticket_id].history]
    assert shown == ["Luis Gil asignó el ticket a Marta Sanz.", "Marta Sanz dejó el ticket sin asignar."]


def test_taking_a_ticket_says_so_in_the_history(assignments, store):
    ticket_id = open_one(assignments)
    assignments.assign(LUIS, ticket_id, assignee=ABSENT, now=T0)
    assignments.assign(MARTA, ticket_id, assignee=MARTA.id, now=T0)  # her own id: she takes it
    assert [render(e, "en") for e in store.tickets[ticket_id].history] == [
        "Luis Gil took the ticket.",
        "Marta Sanz took the ticket.",
    ]


@pytest.mark.parametrize("assignee", [ANA.id, "sub-nadie", "marta@netz0.example", "x" * 128])
def test_anyone_but_an_operator_is_an_unknown_operator(assignments, store, assignee):
    ticket_id = open_one(assignments)
    with pytest.raises(UnknownOperator) as refused:
        assignments.assign(LUIS, ticket_id, assignee=assignee, now=T0)
    assert refused.value.code == "unknown_operator"
    assert [p.field for p in refused.value.details] == ["assignee"]
    assert store.tickets[ticket_id].assignee is None


def test_customers_cannot_assign_even_themselves(assignments):
    with pytest.raises(NotAllowed):
        assignments.assign(ANA, open_one(assignments), assignee=ANA.id, now=T0)


def test_an_operator_reply_takes_an_unassigned_ticket_in_the_same_write(assignments, store):
    tickets = assignments._tickets
    ticket_id = open_one(assignments)
    before = store.writes
    tickets.reply(MARTA, ticket_id, body="Miro", now=T0)
    assert store.writes - before == 1
    assert (store.tickets[ticket_id].assignee, store.tickets[ticket_id].assignee_name) == (
        "sub-marta",
        "Marta Sanz",
    )
    tickets.reply(LUIS, ticket_id, body="Yo también", now=T0)  # already Marta's: stays hers
    tickets.reply(ANA, ticket_id, body="Gracias", now=T0)
    assert store.tickets[ticket_id].assignee == "sub-marta"
    # One entry, by the write that took it; Luis's reply to Marta's ticket wrote none.
    [taken] = store.tickets[ticket_id].history
    assert render(taken, "es") == "Marta Sanz tomó el ticket al responder."


def test_a_note_does_not_take_the_ticket(assignments, store):
    ticket_id = open_one(assignments)
    assignments._tickets.reply(LUIS, ticket_id, body="nota", internal=True, now=T0)
    assert store.tickets[ticket_id].assignee is None
    assert store.tickets[ticket_id].history == ()
