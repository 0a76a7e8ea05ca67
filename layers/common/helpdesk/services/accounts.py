"""Customer accounts: which e-mail addresses may open and answer tickets by mail and receive the
account's mail. Adding one is services/address_confirmation.py (it stays pending until its owner
confirms it); this module lists, removes, and records the sign-in e-mail."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime

from helpdesk.domain.errors import EmailConflict, EmailNotAuthorized, FieldProblem, InvalidValue, NotAllowed
from helpdesk.domain.limits import MAX_ADDRESSES
from helpdesk.domain.models import AuthorizedEmail, Caller
from helpdesk.mail.addresses import normalize_address
from helpdesk.observability import logger
from helpdesk.store.protocols import AccountStore, AddressNotFound, AddressTaken, ClaimNotFound


class AccountService:
    def __init__(self, store: AccountStore, max_addresses: int = MAX_ADDRESSES) -> None:
        self._store = store
        self._max = max_addresses
        self._signed_in: set[tuple[str, str]] = set()  # recorded by this container already

    def emails(self, caller: Caller, now: datetime) -> list[AuthorizedEmail]:
        """The caller's addresses, oldest first, the primary one marked. A pending address whose
        confirmation expired is removed as it is read (its link and code no longer work; adding
        it again sends a new mail)."""
        account = self.account_of(caller)
        return with_primary(drop_expired(self._store, account, self._store.emails(account), now))

    def remove_email(self, caller: Caller, email: str) -> None:
        """Takes effect at once: a removed address authorizes nothing from the next mail on."""
        account = self.account_of(caller)
        address = normalize_address(email)
        listed = (
            next((e for e in self._store.emails(account) if e.email == address), None) if address else None
        )
        if listed is None:
            raise EmailNotAuthorized("email_not_authorized", email=email[:254])
        if listed.sign_in:
            raise EmailConflict("sign_in_email_kept", email=listed.email)
        try:
            self._store.remove_email(account, listed.email, pending=listed.pending)
        except AddressNotFound:
            # Confirmed (or removed) by another request between the read and the write: once more.
            try:
                self._store.remove_email(account, listed.email, pending=not listed.pending)
            except AddressNotFound:
                raise EmailNotAuthorized("email_not_authorized", email=email[:254]) from None

    def record_sign_in(self, caller: Caller, now: datetime, *, complete: bool = True) -> None:
        """The caller's verified sign-in e-mail is a confirmed address of the account (the identity
        provider proved it), so receipts of what they do on the web reach them. Writes only the
        first time; an address confirmed on another account stays there (first confirmation wins).
        `complete=False` (opening a ticket) only adds it when it is not listed: confirming a claim
        and removing other accounts' claims delete items, which the account page does."""
        if caller.is_operator or not caller.account_id or not caller.verified_email:
            return
        address = normalize_address(caller.verified_email)
        key = (caller.account_id, address or "")
        if address is None or key in self._signed_in:
            return
        listed = next((e for e in self._store.emails(caller.account_id) if e.email == address), None)
        try:
            if listed is None:
                self._store.add_email(caller.account_id, address, now, self._max, sign_in=True)
            elif listed.pending and complete and listed.undeliverable is None:
                # (A sign-in e-mail that bounced is confirmed again only from the new mail.)
                self._store.confirm_email(caller.account_id, address, None, now)
            elif listed.pending:
                return  # left for the account page (GET /account/emails), which may delete
        except AddressTaken as taken:
            if taken.account_id != caller.account_id:
                logger.warning(
                    "sign-in address confirmed on another account", extra={"account_id": caller.account_id}
                )
                self._signed_in.add(key)
                return
        except ClaimNotFound:
            pass  # confirmed by a request at the same moment
        if complete:
            self._store.release_claims(address, except_account=caller.account_id)
        self._signed_in.add(key)

    def language(self, caller: Caller) -> tuple[str, str]:
        """(account id, the language the account's mail is written in)."""
        account = self.account_of(caller)
        return account, self._store.language(account)

    def set_language(self, caller: Caller, language: str) -> tuple[str, str]:
        account = self.account_of(caller)
        self._store.set_language(account, language)
        return account, language

    def account_for_sender(self, address: str) -> str | None:
        """The account on which this address is confirmed, or None (a pending claim proves nothing)."""
        normalized = normalize_address(address)
        return self._store.owner_of(normalized) if normalized else None

    @staticmethod
    def account_of(caller: Caller) -> str:
        if caller.is_operator or not caller.account_id:
            raise NotAllowed("emails_customers_only")
        return caller.account_id


def drop_expired(
    store: AccountStore, account: str, emails: list[AuthorizedEmail], now: datetime
) -> list[AuthorizedEmail]:
    """The addresses without the pending ones whose confirmation expired, which are removed (one
    transaction each, the account's count going down with them: a TTL on the listing would leave
    the count behind). Only expired pending addresses cost a write; confirmed ones never do."""
    kept = []
    for entry in emails:
        if entry.pending and entry.expires_at is not None and entry.expires_at <= now:
            # Confirmed or removed meanwhile (AddressNotFound): the next read shows it as it is.
            with contextlib.suppress(AddressNotFound):
                store.remove_email(account, entry.email, pending=True)
            logger.info("expired pending address removed", extra={"account_id": account})
            continue
        kept.append(entry)
    return kept


def with_primary(emails: list[AuthorizedEmail]) -> list[AuthorizedEmail]:
    """The primary address is where mail goes when no address of the account took part in a
    ticket: the oldest confirmed address added to the account, else the oldest sign-in e-mail."""
    confirmed = sorted((e for e in emails if not e.pending), key=lambda e: (e.sign_in, e.added_at, e.email))
    primary = confirmed[0].email if confirmed else None
    ordered = sorted(emails, key=lambda e: (e.added_at, e.email))
    return [replace(e, primary=e.email == primary) for e in ordered]


def strict_address(email: str) -> str:
    address = normalize_address(email)
    if address is None:
        raise InvalidValue("invalid_email", details=[FieldProblem("email", "not_an_email")])
    return address
