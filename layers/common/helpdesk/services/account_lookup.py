"""Operators find a caller's account: by an address confirmed on it (a pending claim proves
nothing, so it never matches), or by its id; the answer carries the account's confirmed
addresses (the customer panel beside a thread, a ticket opened for a customer who phones)."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.domain.errors import FieldProblem, InvalidValue, NotAllowed, NotFound
from helpdesk.domain.models import AuthorizedEmail, Caller
from helpdesk.services.accounts import strict_address, with_primary
from helpdesk.store.protocols import AccountDirectory


@dataclass(frozen=True)
class AccountCard:
    account_id: str
    emails: list[AuthorizedEmail]  # confirmed only, oldest first, the primary marked


class AccountLookup:
    def __init__(self, directory: AccountDirectory) -> None:
        self._directory = directory

    def find(self, caller: Caller, *, email: str | None = None, account_id: str | None = None) -> AccountCard:
        """One of the two, exactly. 404 when no account matches."""
        if not caller.is_operator:
            raise NotAllowed("lookup_operators_only")
        if (email is None) == (account_id is None):
            raise InvalidValue(
                "lookup_email_or_account", details=[FieldProblem("email", "email_or_account_id")]
            )
        if email is not None:
            address = strict_address(email)
            owner = self._directory.owner_of(address)
            if owner is None:
                raise NotFound("no_account_for_email", email=address)
            return self._card(owner)
        assert account_id is not None
        card = self.known(account_id)
        if card is None:
            raise NotFound("no_such_account", account_id=account_id[:128])
        return card

    def known(self, account_id: str) -> AccountCard | None:
        """The account, if one address at least is confirmed on it (the only accounts the desk
        can write to); None otherwise."""
        card = self._card(account_id)
        return card if card.emails else None

    def _card(self, account_id: str) -> AccountCard:
        confirmed = [e for e in with_primary(self._directory.emails(account_id)) if not e.pending]
        return AccountCard(account_id, confirmed)
