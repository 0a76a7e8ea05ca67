"""Customer satisfaction: when a ticket closes (by the customer, an operator or inactivity), its
customer may rate that closing good or bad, with an optional comment, and change it later.

A closing is named by the ticket's `closed_at`. The close mail carries signed links scoped to it
(`MailSigner.rating_token`: ticket + closing, the mail signing key), which work without signing
in for RATING_VALID after the close; a signed-in customer rates the closing the ticket is in.
One rating per closing: a ticket reopened and closed again is rated anew, its earlier ratings
kept. Recording or changing a rating by link is one BatchGetItem (the ticket: the closing's
department and assignee, which the rating keeps for the reports) and one PutItem (signed in: the
thread's Query, then the PutItem); the link's page is one BatchGetItem. A closing the ticket has
left (reopened since) is rated no more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from helpdesk.domain.errors import (
    FieldProblem,
    InvalidTransition,
    NotAllowed,
    RatingLinkInvalid,
    TicketNotFound,
)
from helpdesk.domain.ids import normalize_ticket_id
from helpdesk.domain.limits import RATING_VALID
from helpdesk.domain.models import Caller, Rating, RatingValue, Ticket
from helpdesk.domain.status_machine import Status
from helpdesk.mail.signing import MailSigner
from helpdesk.observability import logger
from helpdesk.store.protocols import ThreadReader


class RatingStore(Protocol):
    def closing(self, ticket_id: str, closed_at: datetime) -> tuple[Ticket | None, Rating | None]: ...

    def put_rating(self, rating: Rating) -> bool:
        """False when a later change of the same rating is already stored."""


@dataclass(frozen=True)
class ClosingToRate:
    ticket: Ticket
    closed_at: datetime
    expires_at: datetime
    rating: Rating | None


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class RatingService:
    def __init__(self, store: RatingStore, threads: ThreadReader, signer: MailSigner) -> None:
        self._store = store
        self._threads = threads
        self._signer = signer

    def token_for(self, ticket: Ticket) -> str | None:
        """The rating link's token of the ticket's current closing (None unless it is closed)."""
        if ticket.status is not Status.CLOSED or ticket.closed_at is None:
            return None
        return self._signer.rating_token(ticket.id, _ms(ticket.closed_at))

    # ---------------------------------------------------------------- by the mail's link
    def closing_of(self, token: str, now: datetime) -> ClosingToRate:
        """What the link rates: the ticket, the closing, until when, and the rating so far."""
        ticket_id, closed_at = self._read(token, now)
        ticket, rating = self._store.closing(ticket_id, closed_at)
        if ticket is None:
            raise TicketNotFound(ticket_id)
        return ClosingToRate(ticket, closed_at, closed_at + RATING_VALID, rating)

    def rate(self, token: str, value: RatingValue, comment: str | None, now: datetime) -> Rating:
        """The signed token proves the ticket and the closing; the ticket is read (with the
        rating so far: one BatchGetItem) for the closing's department and assignee, which the
        rating keeps for the reports, then one PutItem. A closing the ticket has left (reopened
        since) is no longer rated: its assignee may have changed, and the rating stays as it was."""
        ticket_id, closed_at = self._read(token, now)
        ticket, _rating = self._store.closing(ticket_id, closed_at)
        if ticket is None:
            raise TicketNotFound(ticket_id)
        if ticket.status is not Status.CLOSED or ticket.closed_at != closed_at:
            raise InvalidTransition("rating_closing_over", ticket_id=ticket.id, status=ticket.status.value)
        return self._record(ticket, value, comment, now)

    # ---------------------------------------------------------------- signed in
    def rate_as(
        self, caller: Caller, ticket_id: str, value: RatingValue, comment: str | None, now: datetime
    ) -> Rating:
        """A signed-in customer rates the closing their ticket is in."""
        if caller.is_operator:
            raise NotAllowed("rating_customers_only")
        canonical = normalize_ticket_id(ticket_id)
        thread = self._threads.thread(canonical) if canonical else None
        if thread is None or thread.ticket.account_id != caller.account_id:
            raise TicketNotFound(canonical or ticket_id[:40])
        ticket = thread.ticket
        if ticket.status is not Status.CLOSED or ticket.closed_at is None:
            raise InvalidTransition("rating_needs_closed", ticket_id=ticket.id, status=ticket.status.value)
        if now >= ticket.closed_at + RATING_VALID:
            raise RatingLinkInvalid("rating_link_expired", days=RATING_VALID.days)
        return self._record(ticket, value, comment, now)

    # ---------------------------------------------------------------- internals
    def _read(self, token: str, now: datetime) -> tuple[str, datetime]:
        found = self._signer.read_rating_token(token)
        if found is None:
            problem = FieldProblem("token", "not_a_rating_link")
            raise RatingLinkInvalid("rating_link_invalid", details=[problem])
        ticket_id, closed_ms = found
        closed_at = datetime.fromtimestamp(closed_ms / 1000, UTC)
        if now >= closed_at + RATING_VALID:
            raise RatingLinkInvalid("rating_link_expired", days=RATING_VALID.days)
        return ticket_id, closed_at

    def _record(self, ticket: Ticket, value: RatingValue, comment: str | None, now: datetime) -> Rating:
        """The rating of the closing `ticket` is in (CLOSED, checked by the caller)."""
        assert ticket.closed_at is not None
        rating = Rating(
            ticket.id,
            ticket.closed_at,
            value,
            now,
            (comment or "").strip(),
            department=ticket.department,
            assignee=ticket.assignee,
        )
        if not self._store.put_rating(rating):
            logger.info("rating not stored: a later change is", extra={"ticket_id": ticket.id})
        logger.info(
            "rated", extra={"ticket_id": ticket.id, "rating": value.value, "closing": ticket.closed_at}
        )
        return rating
