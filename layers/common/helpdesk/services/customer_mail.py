"""What operators see of a customer's mail on a ticket: the account's addresses our mail no
longer reaches (bounced for good or complained), so an operator knows a reply will not arrive by
mail and can tell the customer another way. Customers see theirs on the account page instead."""

from __future__ import annotations

from helpdesk.domain.models import AuthorizedEmail, Caller, Ticket
from helpdesk.store.protocols import AccountDirectory


class CustomerMail:
    def __init__(self, accounts: AccountDirectory) -> None:
        self._accounts = accounts

    def undeliverable(self, caller: Caller, ticket: Ticket) -> list[AuthorizedEmail] | None:
        """For operators, the ticket's account's undeliverable addresses (one Query); None for
        customers."""
        if not caller.is_operator:
            return None
        return [e for e in self._accounts.emails(ticket.account_id) if e.undeliverable is not None]
