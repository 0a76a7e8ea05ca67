"""Merging tickets on in-memory stores: what the source and the target become, where replies go,
who may merge, and merges racing replies and each other (staged with before_next_write).
Bad inputs tried: a customer merging; a merge across accounts, into itself, into a ticket that
does not exist or is not a ticket number, into a merged ticket; a source already merged, gone,
or changed since the caller's If-Match; a close or reopen of a merged ticket."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.domain.errors import AlreadyMerged, MergeRefused, NotAllowed, StaleVersion, TicketNotFound
from helpdesk.domain.models import ClosedReason
from helpdesk.domain.status_machine import Status
from helpdesk.services.merge import TicketMerger
from helpdesk.services.search import SearchIndexer, TicketSearch
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, BRUNO, LUIS, MARTA, SETTINGS, T0, sequence
from tests.support.fakes import InMemorySearchIndex, InMemoryTickets


@pytest.fixture
def store() -> InMemoryTickets:
    return InMemoryTickets()


@pytest.fixture
def tickets(store: InMemoryTickets) -> TicketService:
    return TicketService(store, SETTINGS, ticket_ids=sequence("NZ-5000000"), message_ids=sequence("m"))


@pytest.fixture
def merger(store: InMemoryTickets) -> TicketMerger:
    return TicketMerger(store)


def opened(tickets: TicketService, who=ANA, minutes: int = 0, body: str = "b") -> str:
    return tickets.open_ticket(
        who, department="soporte", subject="s", body=body, now=T0 + timedelta(minutes=minutes)
    ).id


def at(minutes: int):
    return T0 + timedelta(minutes=minutes)


def test_the_source_closes_and_its_messages_join_the_target_in_time_order(tickets, merger, store):
    target = opened(tickets, minutes=0, body="El webmail no carga")
    source = opened(tickets, minutes=10, body="Sigo sin webmail (duplicado)")
    tickets.reply(LUIS, target, body="¿Qué navegador?", now=at(20))
    tickets.reply(ANA, source, body="Uso Firefox", now=at(30))
    merged = merger.merge(LUIS, source, into=target, now=at(40))
    assert (merged.status, merged.closed_reason, merged.merged_into) == (
        Status.CLOSED,
        ClosedReason.MERGED,
        target,
    )
    thread = tickets.get_ticket(ANA, target)
    assert [(m.body, m.ticket_id) for m in thread.messages] == [
        ("El webmail no carga", target),
        ("Sigo sin webmail (duplicado)", source),
        ("¿Qué navegador?", target),
        ("Uso Firefox", source),
    ]
    # Both threads say so, and the customer sees both entries.
    assert [(e.code, dict(e.params)) for e in thread.ticket.history] == [("merged_from", {"ticket": source})]
    seen = tickets.get_ticket(ANA, source).ticket
    assert seen.merged_into == target
    assert [(e.code, dict(e.params), e.actor) for e in seen.history] == [
        ("merged_into", {"ticket": target}, LUIS.name)
    ]


def test_a_merge_is_one_write_and_the_target_is_found_by_the_sources_words(tickets, merger, store):
    target = opened(tickets)
    source = opened(tickets, body="contraseña caducada")
    before = store.writes
    merger.merge(LUIS, source, into=target, now=at(5))
    assert store.writes - before == 1
    index = InMemorySearchIndex(store)
    index.sync(SearchIndexer(index))  # the stream hands the target's grown words to the indexer
    found = TicketSearch(index).search(ANA, "caducada")
    assert {t.id for t in found.items} == {target, source}


def test_replies_to_the_source_land_on_the_target(tickets, merger, store):
    target, source = opened(tickets), opened(tickets)
    merger.merge(LUIS, source, into=target, now=at(5))
    customer = tickets.reply(ANA, source, body="¿Alguna novedad?", now=at(6))
    assert customer.ticket_id == target
    operator = tickets.reply(MARTA, source, body="Lo miramos", now=at(7))
    note = tickets.reply(MARTA, source, body="nota", internal=True, now=at(8))
    assert (operator.ticket_id, note.ticket_id) == (target, target)
    assert [m.body for m in store.messages[target]][-3:] == ["¿Alguna novedad?", "Lo miramos", "nota"]
    assert store.messages[source] == store.messages[source][:1]  # nothing more on the source
    assert store.tickets[target].status is Status.WAITING  # the operator's reply counted there


def test_a_merged_ticket_cannot_be_closed_reopened_or_merged_again(tickets, merger):
    target, source, third = opened(tickets), opened(tickets), opened(tickets)
    merger.merge(LUIS, source, into=target, now=at(5))
    for change in (
        lambda: tickets.reopen(ANA, source, now=at(6)),
        lambda: tickets.close(LUIS, source, now=at(6)),
        lambda: tickets.assign(LUIS, source, now=at(6)),
    ):
        with pytest.raises(AlreadyMerged) as refused:
            change()
        assert refused.value.reason == "ticket_merged"
        assert refused.value.params["into"] == target
    with pytest.raises(AlreadyMerged) as again:
        merger.merge(LUIS, source, into=third, now=at(6))
    assert (again.value.reason, again.value.params["into"]) == ("already_merged", target)


def test_merges_chain_and_replies_follow_them(tickets, merger):
    a, b, c = opened(tickets, minutes=0), opened(tickets, minutes=1), opened(tickets, minutes=2)
    merger.merge(LUIS, a, into=b, now=at(5))
    merger.merge(LUIS, b, into=c, now=at(6))
    assert [m.ticket_id for m in tickets.get_ticket(LUIS, c).messages] == [a, b, c]
    assert tickets.reply(ANA, a, body="hola", now=at(7)).ticket_id == c


@pytest.mark.parametrize(
    ("make", "error", "reason"),
    [
        (lambda t, s, o, x: (s, o), MergeRefused, "merge_across_accounts"),
        (lambda t, s, o, x: (s, s), MergeRefused, "merge_into_itself"),
        (lambda t, s, o, x: (s, "NZ-99999999"), MergeRefused, "merge_target_not_found"),
        (lambda t, s, o, x: (s, "el otro"), MergeRefused, "merge_target_not_found"),
        (lambda t, s, o, x: ("NZ-99999999", t), TicketNotFound, "ticket_not_found"),
        (lambda t, s, o, x: (s, x), MergeRefused, "merge_target_merged"),
    ],
)
def test_refused_merges_change_nothing(tickets, merger, store, make, error, reason):
    target, source = opened(tickets), opened(tickets)
    other_account = opened(tickets, who=BRUNO)
    merged_one = opened(tickets)
    merger.merge(LUIS, merged_one, into=target, now=at(1))
    before = dict(store.tickets)
    ticket_id, into = make(target, source, other_account, merged_one)
    with pytest.raises(error) as refused:
        merger.merge(LUIS, ticket_id, into=into, now=at(5))
    assert refused.value.reason == reason
    assert store.tickets == before


def test_only_operators_merge_and_if_match_is_honoured(tickets, merger, store):
    target, source = opened(tickets), opened(tickets)
    with pytest.raises(NotAllowed):
        merger.merge(ANA, source, into=target, now=at(5))
    with pytest.raises(StaleVersion) as stale:
        merger.merge(LUIS, source, into=target, now=at(5), expected_version=7)
    assert stale.value.reason == "version_conflict"
    assert store.tickets[source].merged_into is None
    assert merger.merge(LUIS, source, into=target, now=at(5), expected_version=1).merged_into == target


# ---------------------------------------------------------------- races
def test_a_reply_to_the_source_landing_between_read_and_write_is_kept(tickets, merger, store):
    target, source = opened(tickets), opened(tickets)
    store.before_next_write(lambda: tickets.reply(ANA, source, body="justo ahora", now=at(5)))
    merged = merger.merge(LUIS, source, into=target, now=at(5))
    assert merged.merged_into == target  # read again and merged
    assert "justo ahora" in [m.body for m in tickets.get_ticket(LUIS, target).messages]


def test_two_merges_of_the_same_source_at_once_one_wins(tickets, merger, store):
    first, second, source = opened(tickets), opened(tickets), opened(tickets)
    store.before_next_write(lambda: merger.merge(MARTA, source, into=second, now=at(5)))
    with pytest.raises(AlreadyMerged) as lost:
        merger.merge(LUIS, source, into=first, now=at(5))
    assert lost.value.params["into"] == second
    assert store.tickets[first].merged_from == ()
    assert store.tickets[second].merged_from == (source,)


def test_two_tickets_merged_into_each_other_at_once_one_wins(tickets, merger, store):
    a, b = opened(tickets), opened(tickets)
    store.before_next_write(lambda: merger.merge(MARTA, b, into=a, now=at(5)))
    with pytest.raises(MergeRefused) as lost:  # read again: b is part of a already
        merger.merge(LUIS, a, into=b, now=at(5))
    assert lost.value.reason == "merge_target_merged_here"
    assert (store.tickets[a].merged_into, store.tickets[b].merged_into) == (None, a)
