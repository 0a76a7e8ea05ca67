"""Customer accounts: which e-mail addresses may open and answer tickets by mail."""

from __future__ import annotations

from datetime import datetime

from helpdesk.account_store import (
    AccountStore,
    AddressNotFound,
    AddressTaken,
    AuthorizedEmail,
    TooManyAddresses,
)
from helpdesk.errors import EmailConflict, EmailNotAuthorized, InvalidValue, NotAllowed
from helpdesk.mail.addresses import normalize_address
from helpdesk.models import Caller

MAX_ADDRESSES = 20


class AccountService:
    def __init__(self, store: AccountStore, max_addresses: int = MAX_ADDRESSES) -> None:
        self._store = store
        self._max = max_addresses

    def emails(self, caller: Caller) -> list[AuthorizedEmail]:
        """The caller's authorized addresses, oldest (the primary one) first."""
        return self._store.emails(self._account(caller))

    def add_email(self, caller: Caller, email: str, now: datetime) -> tuple[AuthorizedEmail, bool]:
        """The authorized address, and whether this call added it (False: it already was)."""
        account = self._account(caller)
        address = _strict(email)
        try:
            return self._store.add_email(account, address, now, self._max), True
        except AddressTaken as taken:
            if taken.account_id == account:
                return next(e for e in self._store.emails(account) if e.email == address), False
            # Not saying which account has it: that would tell a stranger who is a customer.
            raise EmailConflict(
                f"{address} cannot be authorized on this account. If it is yours, contact Netz0 support."
            ) from None
        except TooManyAddresses:
            raise EmailConflict(
                f"An account can authorize at most {self._max} addresses; remove one first."
            ) from None

    def remove_email(self, caller: Caller, email: str) -> None:
        account = self._account(caller)
        address = normalize_address(email)
        try:
            if address is None:
                raise AddressNotFound
            self._store.remove_email(account, address)
        except AddressNotFound:
            raise EmailNotAuthorized(f"{email[:254]} is not an authorized address of your account.") from None

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
            raise NotAllowed("Authorized e-mail addresses are managed from the customer's own account.")
        return caller.account_id


def _strict(email: str) -> str:
    address = normalize_address(email)
    if address is None:
        raise InvalidValue(
            "That is not a valid e-mail address: write it as name@domain, without a display name.",
            details=[{"field": "email", "message": "Not a valid e-mail address."}],
        )
    return address
