"""Tickets for customers who call or chat: an operator opens the ticket on the customer's account
exactly as if the customer had opened it (the same receipt with the tracking ID, the same SLA,
the same queue), and the first message says who wrote it down and how (`opened_by`, the channel),
as does the ticket's history (an `opened_on_behalf` entry in the create's own write, which
customers see too).
The account must exist for the desk: one address confirmed on it at least (where the receipt
goes), checked with one read before the create's one write."""

from __future__ import annotations

from datetime import datetime

from helpdesk.domain.errors import FieldProblem, InvalidValue, NotAllowed
from helpdesk.domain.models import OPERATOR_CHANNELS, AttachmentRef, Caller, Channel, Role, Ticket
from helpdesk.services.account_lookup import AccountLookup
from helpdesk.services.tickets import TicketService


class TicketsForCustomers:
    def __init__(self, tickets: TicketService, accounts: AccountLookup) -> None:
        self._tickets = tickets
        self._accounts = accounts

    def open(
        self,
        caller: Caller,
        *,
        account_id: str | None,
        channel: str | None,
        department: str,
        subject: str,
        body: str,
        now: datetime,
        idempotency_key: str | None = None,
        attachments: tuple[AttachmentRef, ...] = (),
    ) -> Ticket:
        if not caller.is_operator:
            raise NotAllowed("open_for_operators_only")
        missing = [
            FieldProblem(name, "required")
            for name, v in (("account_id", account_id), ("channel", channel))
            if v is None
        ]
        if missing:
            raise InvalidValue("open_for_needs_account_and_channel", details=missing)
        assert account_id is not None
        assert channel is not None
        chosen = Channel(channel)
        if chosen not in OPERATOR_CHANNELS:
            raise InvalidValue(
                "open_for_needs_account_and_channel",
                details=[FieldProblem("channel", "one_of", {"choices": "phone, chat"})],
            )
        card = self._accounts.known(account_id)
        if card is None:
            raise InvalidValue(
                "unknown_account",
                account_id=account_id[:128],
                details=[FieldProblem("account_id", "no_such_account_field")],
            )
        primary = next((e.email for e in card.emails if e.primary), card.emails[0].email)
        customer = Caller(role=Role.CUSTOMER, name=primary, account_id=account_id)
        return self._tickets.open_ticket(
            customer,
            department=department,
            subject=subject,
            body=body,
            now=now,
            channel=chosen,
            idempotency_key=idempotency_key,
            attachments=attachments,
            opened_by=caller,
        )


def refuse_operator_fields(account_id: str | None, channel: str | None) -> None:
    """A customer opens tickets on their own account, on the web: these are not theirs to set."""
    sent = [
        FieldProblem(name, "not_settable")
        for name, v in (("account_id", account_id), ("channel", channel))
        if v is not None
    ]
    if sent:
        raise InvalidValue("open_fields_operators_only", details=sent)
