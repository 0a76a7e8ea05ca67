"""Priority and tags (PATCH /tickets/{id}) on in-memory stores: who may set them, the tag rules,
one write per change, the version guard, listing filters, and the SLA following the priority.
Bad inputs tried: a customer (own ticket and another account's), neither field, an empty tag,
a tag of 31 characters, uppercase, accented letters, spaces, underscores, dots, 11 distinct tags,
an unknown and a malformed ticket id, a stale If-Match version, a tag filter with bad characters,
customers filtering by priority or tag."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from helpdesk.domain.attributes import Priority
from helpdesk.domain.errors import InvalidValue, NotAllowed, StaleVersion, TicketNotFound
from helpdesk.domain.limits import MAX_TAG_LENGTH, MAX_TAGS
from helpdesk.domain.sla import SlaPolicies
from helpdesk.domain.status_machine import Status
from helpdesk.services.ticket_attributes import TicketAttributes
from helpdesk.services.tickets import TicketService
from helpdesk.sla_config import SlaDocument
from tests.support.domain import ANA, BRUNO, LUIS, SETTINGS, T0, sequence
from tests.support.fakes import InMemoryTickets


@pytest.fixture
def store() -> InMemoryTickets:
    return InMemoryTickets()


@pytest.fixture
def tickets(store: InMemoryTickets) -> TicketService:
    return TicketService(
        store,
        SETTINGS,
        ticket_ids=sequence("NZ-2000000"),
        message_ids=sequence("m"),
        sla_policies=lambda: URGENT_FASTER,
    )


@pytest.fixture
def attributes(store: InMemoryTickets) -> TicketAttributes:
    return TicketAttributes(store)


# soporte: 240 business minutes for a first response, 30 when urgent (both 24x7).
URGENT_FASTER: SlaPolicies = SlaDocument.model_validate(
    {
        "calendars": {"24x7": {"time_zone": "Europe/Madrid", "hours": "always"}},
        "policies": [
            {"calendar": "24x7", "first_response": 240, "next_response": 480},
            {"priority": "urgent", "calendar": "24x7", "first_response": 30, "next_response": 60},
        ],
    }
).policies_for(("soporte", "comercial"))


def open_one(tickets: TicketService) -> str:
    return tickets.open_ticket(ANA, department="soporte", subject="Correo caído", body="No llega", now=T0).id


LATER = T0 + timedelta(minutes=5)


def test_a_new_ticket_is_normal_and_untagged(tickets: TicketService) -> None:
    ticket = tickets.get_ticket(LUIS, open_one(tickets)).ticket
    assert (ticket.priority, ticket.tags) == (Priority.NORMAL, ())


def test_an_operator_sets_priority_and_tags_in_one_write(
    tickets: TicketService, attributes: TicketAttributes, store: InMemoryTickets
) -> None:
    ticket_id = open_one(tickets)
    writes = store.writes
    changed = attributes.update(
        LUIS, ticket_id, now=LATER, priority=Priority.URGENT, tags=["correo", "vip", "correo"]
    )
    assert store.writes == writes + 1
    assert (changed.priority, changed.tags, changed.version) == (Priority.URGENT, ("correo", "vip"), 2)
    assert tickets.get_ticket(LUIS, ticket_id).ticket == changed


def test_each_field_alone_leaves_the_other_as_it_was(
    tickets: TicketService, attributes: TicketAttributes
) -> None:
    ticket_id = open_one(tickets)
    attributes.update(LUIS, ticket_id, now=LATER, priority=Priority.HIGH, tags=["dns"])
    assert attributes.update(LUIS, ticket_id, now=LATER, tags=[]).priority is Priority.HIGH
    retagged = attributes.update(LUIS, ticket_id, now=LATER, tags=["web"])
    assert (
        attributes.update(LUIS, ticket_id, now=LATER, priority=Priority.LOW).tags == retagged.tags == ("web",)
    )


def test_a_closed_ticket_can_still_be_tagged(tickets: TicketService, attributes: TicketAttributes) -> None:
    ticket_id = open_one(tickets)
    tickets.close(ANA, ticket_id, now=LATER)
    assert (
        attributes.update(LUIS, ticket_id, now=LATER, tags=["resuelto-por-telefono"]).status is Status.CLOSED
    )


@pytest.mark.parametrize("caller", [ANA, BRUNO])
def test_customers_may_not(
    tickets: TicketService, attributes: TicketAttributes, store: InMemoryTickets, caller
) -> None:
    ticket_id = open_one(tickets)
    with pytest.raises(NotAllowed) as refused:
        attributes.update(caller, ticket_id, now=LATER, priority=Priority.URGENT)
    assert refused.value.reason == "attributes_operators_only"
    assert store.tickets[ticket_id].priority is Priority.NORMAL


def test_nothing_to_change_is_refused(tickets: TicketService, attributes: TicketAttributes) -> None:
    with pytest.raises(InvalidValue) as refused:
        attributes.update(LUIS, open_one(tickets), now=LATER)
    assert refused.value.reason == "attributes_nothing_to_change"


@pytest.mark.parametrize(
    ("tag", "reason"),
    [
        ("", "tag_empty"),
        ("a" * (MAX_TAG_LENGTH + 1), "tag_too_long"),
        ("VIP", "tag_bad_characters"),
        ("facturación", "tag_bad_characters"),
        ("dos palabras", "tag_bad_characters"),
        ("sin_guion_bajo", "tag_bad_characters"),
        ("v1.2", "tag_bad_characters"),
    ],
)
def test_bad_tags_are_refused_naming_their_position(
    tickets: TicketService, attributes: TicketAttributes, store: InMemoryTickets, tag: str, reason: str
) -> None:
    ticket_id = open_one(tickets)
    with pytest.raises(InvalidValue) as refused:
        attributes.update(LUIS, ticket_id, now=LATER, priority=Priority.HIGH, tags=["ok", tag])
    assert refused.value.reason == "tags_invalid"
    assert [(d.field, d.reason) for d in refused.value.details] == [("tags.1", reason)]
    assert store.tickets[ticket_id].priority is Priority.NORMAL  # nothing was written


def test_the_longest_tag_and_the_most_tags_are_kept(
    tickets: TicketService, attributes: TicketAttributes
) -> None:
    tags = ["a" * MAX_TAG_LENGTH, *(f"t{n}" for n in range(MAX_TAGS - 1))]
    assert len(attributes.update(LUIS, open_one(tickets), now=LATER, tags=tags).tags) == MAX_TAGS


def test_one_tag_too_many_is_refused(tickets: TicketService, attributes: TicketAttributes) -> None:
    with pytest.raises(InvalidValue) as refused:
        attributes.update(LUIS, open_one(tickets), now=LATER, tags=[f"t{n}" for n in range(MAX_TAGS + 1)])
    assert [(d.field, d.reason, d.params) for d in refused.value.details] == [
        ("tags", "too_many_tags", {"limit": MAX_TAGS})
    ]


@pytest.mark.parametrize("ticket_id", ["NZ-99999999", "not-a-ticket"])
def test_an_unknown_ticket_is_not_found(attributes: TicketAttributes, ticket_id: str) -> None:
    with pytest.raises(TicketNotFound):
        attributes.update(LUIS, ticket_id, now=LATER, priority=Priority.LOW)


def test_a_stale_version_is_refused_and_nothing_changes(
    tickets: TicketService, attributes: TicketAttributes, store: InMemoryTickets
) -> None:
    ticket_id = open_one(tickets)
    tickets.reply(LUIS, ticket_id, body="Miramos", now=LATER)  # version 2
    with pytest.raises(StaleVersion) as refused:
        attributes.update(LUIS, ticket_id, now=LATER, priority=Priority.URGENT, expected_version=1)
    assert refused.value.params == {"ticket_id": ticket_id, "current": 2, "expected": 1}
    assert store.tickets[ticket_id].priority is Priority.NORMAL
    assert (
        attributes.update(LUIS, ticket_id, now=LATER, priority=Priority.URGENT, expected_version=2).version
        == 3
    )


def test_a_change_that_lands_first_makes_if_match_fail(
    tickets: TicketService, attributes: TicketAttributes, store: InMemoryTickets
) -> None:
    ticket_id = open_one(tickets)
    store.before_next_write(lambda: attributes.update(LUIS, ticket_id, now=LATER, tags=["otro"]))
    with pytest.raises(StaleVersion):
        attributes.update(LUIS, ticket_id, now=LATER, tags=["mio"], expected_version=1)
    assert store.tickets[ticket_id].tags == ("otro",)


def test_operators_filter_by_priority_and_tag(tickets: TicketService, attributes: TicketAttributes) -> None:
    urgent, tagged, plain = open_one(tickets), open_one(tickets), open_one(tickets)
    attributes.update(LUIS, urgent, now=LATER, priority=Priority.URGENT, tags=["dns"])
    attributes.update(LUIS, tagged, now=LATER, tags=["dns", "vip"])

    def ids(**filters: object) -> set[str]:
        return {t.id for t in tickets.list_tickets(LUIS, **filters).items}  # type: ignore[arg-type]

    assert ids(priority=Priority.URGENT) == {urgent}
    assert ids(priority=Priority.NORMAL) == {tagged, plain}
    assert ids(tag="dns") == {urgent, tagged}
    assert ids(tag="vip", priority=Priority.NORMAL) == {tagged}


@pytest.mark.parametrize("filters", [{"priority": Priority.URGENT}, {"tag": "vip"}])
def test_customers_cannot_filter_by_what_they_cannot_see(tickets: TicketService, filters) -> None:
    open_one(tickets)
    with pytest.raises(NotAllowed) as refused:
        tickets.list_tickets(ANA, **filters)
    assert refused.value.reason == "attribute_filters_operators_only"


def test_a_tag_filter_breaking_the_rules_is_refused(tickets: TicketService) -> None:
    with pytest.raises(InvalidValue) as refused:
        tickets.list_tickets(LUIS, tag="VIP")
    assert [(d.field, d.reason) for d in refused.value.details] == [("tag", "tag_bad_characters")]


def test_the_sla_follows_the_tickets_priority(tickets: TicketService, attributes: TicketAttributes) -> None:
    ticket_id = open_one(tickets)
    normal = tickets.sla_of(LUIS, tickets.get_ticket(LUIS, ticket_id).ticket, LATER)
    urgent = tickets.sla_of(
        LUIS, attributes.update(LUIS, ticket_id, now=LATER, priority=Priority.URGENT), LATER
    )
    assert normal is not None
    assert urgent is not None
    assert normal.due_at == T0 + timedelta(minutes=240)
    assert urgent.due_at == T0 + timedelta(minutes=30)  # the running target, recomputed
    assert tickets.sla_of(ANA, replace(tickets.get_ticket(LUIS, ticket_id).ticket), LATER) is None


def test_sort_due_orders_by_each_tickets_own_priority(
    tickets: TicketService, attributes: TicketAttributes
) -> None:
    older, newer = open_one(tickets), open_one(tickets)
    attributes.update(LUIS, newer, now=LATER, priority=Priority.URGENT)
    page = tickets.tickets_by_due(LUIS, department="soporte", limit=10, cursor=None)
    assert [t.id for t in page.items] == [newer, older]


def test_the_queue_is_for_operators(tickets: TicketService) -> None:
    open_one(tickets)
    with pytest.raises(NotAllowed) as refused:
        tickets.list_tickets(ANA, in_queue_order=True)
    assert refused.value.reason == "queue_sort_operators_only"
    assert len(tickets.list_tickets(LUIS, in_queue_order=True).items) == 1
