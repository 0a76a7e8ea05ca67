"""Customer satisfaction on in-memory stores: the close mail's links rate that closing (and only
that one), work without signing in, can be changed, expire after RATING_VALID, and refuse forged
or damaged tokens; a ticket closed again is rated anew (the link of a closing it has left rates no
more); a rating keeps the closing's department and assignee for the reports; a signed-in customer
rates their own closed ticket only."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from helpdesk.domain.errors import InvalidTransition, NotAllowed, RatingLinkInvalid, TicketNotFound
from helpdesk.domain.limits import RATING_VALID
from helpdesk.domain.models import Rating, RatingValue, Ticket
from helpdesk.mail.signing import MailSigner
from helpdesk.services.ratings import RatingService
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, BRUNO, LUIS, SETTINGS, T0, sequence
from tests.support.fakes import InMemoryTickets

SIGNER = MailSigner(b"unit-test-secret-key", "helpdesk.netz0.example")
CLOSED = T0 + timedelta(hours=1)


class InMemoryRatings:
    def __init__(self, tickets: InMemoryTickets) -> None:
        self.tickets = tickets
        self.ratings: dict[tuple[str, datetime], Rating] = {}
        self.writes = 0

    def closing(self, ticket_id: str, closed_at: datetime) -> tuple[Ticket | None, Rating | None]:
        return self.tickets.tickets.get(ticket_id), self.ratings.get((ticket_id, closed_at))

    def put_rating(self, rating: Rating) -> bool:
        self.writes += 1
        stored = self.ratings.get((rating.ticket_id, rating.closed_at))
        if stored is not None and stored.rated_at > rating.rated_at:
            return False
        self.ratings[(rating.ticket_id, rating.closed_at)] = rating
        return True


class Desk:
    def __init__(self) -> None:
        self.store = InMemoryTickets()
        self.tickets = TicketService(self.store, SETTINGS, ticket_ids=sequence("NZ-7000000"))
        self.ratings = InMemoryRatings(self.store)
        self.service = RatingService(self.ratings, self.store, SIGNER)

    def closed(self, at: datetime = CLOSED) -> Ticket:
        ticket = self.tickets.open_ticket(ANA, department="soporte", subject="DNS", body="b", now=T0)
        return self.tickets.close(ANA, ticket.id, now=at)


@pytest.fixture
def desk() -> Desk:
    return Desk()


def test_the_link_rates_the_closing_and_the_rating_can_be_changed(desk):
    ticket = desk.closed()
    token = desk.service.token_for(ticket)
    assert token is not None
    first = desk.service.rate(token, RatingValue.GOOD, None, CLOSED + timedelta(minutes=5))
    assert (first.ticket_id, first.closed_at, first.value) == (ticket.id, CLOSED, RatingValue.GOOD)
    changed = desk.service.rate(token, RatingValue.BAD, "  Tardaron mucho.  ", CLOSED + timedelta(days=2))
    assert (changed.value, changed.comment) == (RatingValue.BAD, "Tardaron mucho.")
    found = desk.service.closing_of(token, CLOSED + timedelta(days=3))
    assert (found.ticket.id, found.closed_at, found.expires_at) == (ticket.id, CLOSED, CLOSED + RATING_VALID)
    assert found.rating == changed
    assert len(desk.ratings.ratings) == 1  # one rating per closing, changed in place
    assert desk.ratings.writes == 2  # one write per rating


def test_a_ticket_closed_again_is_rated_anew_and_keeps_its_first_rating(desk):
    ticket = desk.closed()
    first_token = desk.service.token_for(ticket)
    desk.service.rate(first_token, RatingValue.BAD, None, CLOSED)
    desk.tickets.reopen(ANA, ticket.id, now=CLOSED + timedelta(hours=1))
    again = desk.tickets.close(LUIS, ticket.id, now=CLOSED + timedelta(hours=2))
    second_token = desk.service.token_for(again)
    assert second_token != first_token
    desk.service.rate(second_token, RatingValue.GOOD, None, CLOSED + timedelta(hours=3))
    assert sorted((c, r.value.value) for (_t, c), r in desk.ratings.ratings.items()) == [
        (CLOSED, "bad"),
        (CLOSED + timedelta(hours=2), "good"),
    ]


def test_the_link_of_a_closing_the_ticket_has_left_rates_no_more(desk):
    ticket = desk.closed()
    first_token = desk.service.token_for(ticket)
    desk.service.rate(first_token, RatingValue.GOOD, None, CLOSED)
    desk.tickets.reopen(ANA, ticket.id, now=CLOSED + timedelta(hours=1))
    with pytest.raises(InvalidTransition) as reopened:
        desk.service.rate(first_token, RatingValue.BAD, None, CLOSED + timedelta(hours=2))
    desk.tickets.close(LUIS, ticket.id, now=CLOSED + timedelta(hours=3))
    with pytest.raises(InvalidTransition) as closed_again:
        desk.service.rate(first_token, RatingValue.BAD, None, CLOSED + timedelta(hours=4))
    assert reopened.value.reason == closed_again.value.reason == "rating_closing_over"
    (kept,) = desk.ratings.ratings.values()
    assert kept.value is RatingValue.GOOD
    assert desk.ratings.writes == 1


def test_a_rating_keeps_the_closings_department_and_assignee(desk):
    ticket = desk.tickets.open_ticket(ANA, department="soporte", subject="DNS", body="b", now=T0)
    desk.tickets.assign(LUIS, ticket.id, now=T0 + timedelta(minutes=1))
    closed = desk.tickets.close(LUIS, ticket.id, now=CLOSED)
    by_link = desk.service.rate(desk.service.token_for(closed), RatingValue.GOOD, None, CLOSED)
    signed_in = desk.service.rate_as(ANA, ticket.id, RatingValue.BAD, None, CLOSED + timedelta(minutes=1))
    for rating in (by_link, signed_in):
        assert (rating.department, rating.assignee) == ("soporte", LUIS.id)
    unassigned = desk.service.rate(desk.service.token_for(desk.closed()), RatingValue.GOOD, None, CLOSED)
    assert (unassigned.department, unassigned.assignee) == ("soporte", None)


def test_only_a_closed_ticket_has_a_rating_link(desk):
    ticket = desk.tickets.open_ticket(ANA, department="soporte", subject="DNS", body="b", now=T0)
    assert desk.service.token_for(ticket) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),  # a changed signature
        lambda t: t.replace("NZ-70000001", "NZ-70000002"),  # another ticket, same signature
        lambda t: t.rsplit(".", 2)[0] + ".1." + t.rsplit(".", 1)[1],  # another closing
        lambda t: t[: len(t) // 2],  # cut short by a mail client
        lambda _t: "",
        lambda _t: "x" * 190,
        lambda _t: "NZ-70000001.1796194089573",  # no signature at all
    ],
)
def test_forged_or_damaged_links_are_refused(desk, damage):
    token = desk.service.token_for(desk.closed())
    for action in (
        lambda: desk.service.rate(damage(token), RatingValue.GOOD, None, CLOSED),
        lambda: desk.service.closing_of(damage(token), CLOSED),
    ):
        with pytest.raises(RatingLinkInvalid) as refused:
            action()
        assert refused.value.reason == "rating_link_invalid"
    assert desk.ratings.ratings == {}


def test_a_link_from_another_stack_is_refused(desk):
    ticket = desk.closed()
    theirs = MailSigner(b"another-stacks-secret-key", "x.example").rating_token(
        ticket.id, int(CLOSED.timestamp() * 1000)
    )
    with pytest.raises(RatingLinkInvalid):
        desk.service.rate(theirs, RatingValue.GOOD, None, CLOSED)


def test_links_expire(desk):
    token = desk.service.token_for(desk.closed())
    desk.service.rate(token, RatingValue.GOOD, None, CLOSED + RATING_VALID - timedelta(seconds=1))
    with pytest.raises(RatingLinkInvalid) as refused:
        desk.service.rate(token, RatingValue.BAD, None, CLOSED + RATING_VALID)
    assert (refused.value.reason, refused.value.params) == ("rating_link_expired", {"days": 30})
    (kept,) = desk.ratings.ratings.values()
    assert kept.value is RatingValue.GOOD


def test_a_slower_older_change_does_not_overwrite_a_newer_one(desk):
    token = desk.service.token_for(desk.closed())
    desk.service.rate(token, RatingValue.BAD, None, CLOSED + timedelta(minutes=2))
    desk.service.rate(token, RatingValue.GOOD, None, CLOSED + timedelta(minutes=1))  # arrives late
    (kept,) = desk.ratings.ratings.values()
    assert kept.value is RatingValue.BAD


def test_a_signed_in_customer_rates_their_closed_ticket(desk):
    ticket = desk.closed()
    rating = desk.service.rate_as(ANA, ticket.id.lower(), RatingValue.GOOD, "Gracias", CLOSED)
    assert (rating.closed_at, rating.comment) == (CLOSED, "Gracias")
    with pytest.raises(TicketNotFound):
        desk.service.rate_as(BRUNO, ticket.id, RatingValue.BAD, None, CLOSED)  # another account: 404
    with pytest.raises(NotAllowed):
        desk.service.rate_as(LUIS, ticket.id, RatingValue.BAD, None, CLOSED)
    with pytest.raises(TicketNotFound):
        desk.service.rate_as(ANA, "NZ-99999999", RatingValue.BAD, None, CLOSED)
    reopened = desk.tickets.reopen(ANA, ticket.id, now=CLOSED + timedelta(hours=1))
    with pytest.raises(InvalidTransition) as refused:
        desk.service.rate_as(ANA, reopened.id, RatingValue.BAD, None, CLOSED + timedelta(hours=2))
    assert refused.value.reason == "rating_needs_closed"
    assert len(desk.ratings.ratings) == 1


def test_the_token_names_nothing_but_the_ticket_and_the_closing(desk):
    ticket = desk.closed()
    token = desk.service.token_for(replace(ticket))
    assert token.startswith(f"{ticket.id}.{int(CLOSED.timestamp() * 1000)}.")
    assert ANA.account_id not in token
