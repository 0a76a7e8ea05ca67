"""Customer accounts: which e-mail addresses may open and answer tickets by mail."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from helpdesk.domain.errors import EmailConflict, EmailNotAuthorized, FieldProblem, InvalidValue, NotAllowed
from helpdesk.domain.limits import MAX_ADDRESSES
from helpdesk.domain.models import AuthorizedEmail, Caller
from helpdesk.mail.addresses import normalize_address
from helpdesk.store.protocols import AccountStore, AddressNotFound, AddressTaken, TooManyAddresses


class AccountService:
    def __init__(self, store: AccountStore, max_addresses: int = MAX_ADDRESSES) -> None:
        self._store = store
        self._max = max_addresses

    def emails(self, caller: Caller) -> list[AuthorizedEmail]:
        """The caller's authorized addresses, oldest (the primary one) first."""
        return _with_primary(self._store.emails(self._account(caller)))

    def add_email(self, caller: Caller, email: str, now: datetime) -> tuple[AuthorizedEmail, bool]:
        """The authorized address (`primary` set when it is the account's oldest), and whether
        this call added it (False: it already was)."""
        account = self._account(caller)
        address = _strict(email)
        before = _with_primary(self._store.emails(account))
        known = next((e for e in before if e.email == address), None)
        if known is not None:
            return known, False
        try:
            added = self._store.add_email(account, address, now, self._max)
        except AddressTaken as taken:
            if taken.account_id == account:  # added at the same moment by another request
                return next(e for e in self.emails(caller) if e.email == address), False
            # Not saying which account has it: that would tell a stranger who is a customer.
            raise EmailConflict("email_taken", email=address) from None
        except TooManyAddresses:
            raise EmailConflict("too_many_emails", limit=self._max) from None
        return replace(added, primary=not before), True

    def remove_email(self, caller: Caller, email: str) -> None:
        account = self._account(caller)
        address = normalize_address(email)
        try:
            if address is None:
                raise AddressNotFound
            self._store.remove_email(account, address)
        except AddressNotFound:
            raise EmailNotAuthorized("email_not_authorized", email=email[:254]) from None

    def language(self, caller: Caller) -> tuple[str, str]:
        """(account id, the language the account's mail is written in)."""
        account = self._account(caller)
        return account, self._store.language(account)

    def set_language(self, caller: Caller, language: str) -> tuple[str, str]:
        account = self._account(caller)
        self._store.set_language(account, language)
        return account, language

    def account_for_sender(self, address: str) -> str | None:
        """The account whose authorized address this is, or None."""
        normalized = normalize_address(address)
        return self._store.owner_of(normalized) if normalized else None

    @staticmethod
    def _account(caller: Caller) -> str:
        if caller.is_operator or not caller.account_id:
            raise NotAllowed("emails_customers_only")
        return caller.account_id


def _with_primary(emails: list[AuthorizedEmail]) -> list[AuthorizedEmail]:
    """The account's oldest address is its primary one: where mail goes when no address of the
    account took part in a ticket."""
    ordered = sorted(emails, key=lambda e: (e.added_at, e.email))
    return [replace(e, primary=n == 0) for n, e in enumerate(ordered)]


def _strict(email: str) -> str:
    address = normalize_address(email)
    if address is None:
        raise InvalidValue("invalid_email", details=[FieldProblem("email", "not_an_email")])
    return address
