"""Adding an address proves it: the address is pending until its owner confirms it from the mail
we send it (a signed, single-use, expiring link, or its short code typed by hand).

- Who may ask: a signed-in customer, for their own account. Who may confirm: whoever holds the
  link or the code: the colleague who owns the address may have no portal login on the account,
  and the mail reaching their mailbox is the proof. So confirming needs no sign-in.
- A pending claim authorizes nothing and blocks no one: another account may claim the same
  address; the first confirmation wins (a conditional write) and removes the others' claims.
- Mails are rate-limited per account, per account and address, and per address (against using
  us to mail-bomb someone); typed codes per address (against guessing)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from email.message import EmailMessage

from helpdesk.clock import from_epoch_ms
from helpdesk.domain import limits
from helpdesk.domain.errors import (
    ConfirmationInvalid,
    EmailConflict,
    EmailNotAuthorized,
    FieldProblem,
    InvalidValue,
    TooManyRequests,
)
from helpdesk.domain.models import AuthorizedEmail, Caller
from helpdesk.mail.addresses import normalize_address
from helpdesk.mail.compose import MailIdentity
from helpdesk.mail.confirmation import ConfirmationRequest, confirmation_mail
from helpdesk.observability import logger
from helpdesk.services.accounts import AccountService, drop_expired, strict_address, with_primary
from helpdesk.store.protocols import AccountStore, AddressTaken, ClaimNotFound, Markers, TooManyAddresses


class AddressConfirmation:
    def __init__(
        self,
        *,
        store: AccountStore,
        markers: Markers,
        identity: MailIdentity,
        send: Callable[[EmailMessage], object],
        portal_url: str | None,
        max_addresses: int = limits.MAX_ADDRESSES,
    ) -> None:
        self._store = store
        self._markers = markers
        self._identity = identity
        self._send = send
        self._portal_url = portal_url
        self._max = max_addresses

    # ---------------------------------------------------------------- asking
    def request(self, caller: Caller, email: str, now: datetime) -> tuple[AuthorizedEmail, bool]:
        """Add the address as pending (or ask again) and mail its owner. Returns the address and
        whether a confirmation mail went out (False: it already was confirmed here)."""
        account = AccountService.account_of(caller)
        address = strict_address(email)
        listed = next((e for e in with_primary(self._store.emails(account)) if e.email == address), None)
        if listed is not None and not listed.pending:
            return listed, False
        if self._store.owner_of(address) not in (None, account):
            # Confirmed by its owner on another account. Not saying which: that would tell a
            # stranger who is a customer.
            raise EmailConflict("email_taken", email=address)
        self._take_mail_quota(account, address, now)
        nonce = secrets.token_urlsafe(12)
        expires_at = now + limits.CONFIRMATION_VALID
        try:
            try:
                claimed = self._store.claim_email(account, address, nonce, expires_at, now, self._max)
            except TooManyAddresses:
                # Expired pending addresses still count until removed: remove them, then once more.
                listed_now = self._store.emails(account)
                if len(drop_expired(self._store, account, listed_now, now)) == len(listed_now):
                    raise
                claimed = self._store.claim_email(account, address, nonce, expires_at, now, self._max)
        except TooManyAddresses:
            raise EmailConflict("too_many_emails", limit=self._max) from None
        except ClaimNotFound:  # confirmed by its owner at this very moment
            return next(e for e in with_primary(self._store.emails(account)) if e.email == address), False
        self._send_confirmation(caller, account, address, nonce, expires_at, now)
        logger.info("confirmation mail sent", extra={"account_id": account})
        return claimed, True

    def reconfirm(self, caller: Caller, email: str, now: datetime) -> tuple[AuthorizedEmail, bool]:
        """The customer says an address that bounced (or complained) works again: it goes back
        through confirmation, pending until its owner confirms it from a new mail (which also
        proves it receives mail). Returns the address and whether a mail went out; an address
        that receives mail is answered as it is."""
        account = AccountService.account_of(caller)
        address = strict_address(email)
        listed = next((e for e in with_primary(self._store.emails(account)) if e.email == address), None)
        if listed is None:
            raise EmailNotAuthorized("email_not_authorized", email=email[:254])
        if listed.pending:
            return self.request(caller, address, now)  # already being confirmed: send again
        if listed.undeliverable is None:
            return listed, False
        self._take_mail_quota(account, address, now)
        nonce = secrets.token_urlsafe(12)
        expires_at = now + limits.CONFIRMATION_VALID
        try:
            self._store.start_reconfirmation(account, address, nonce, expires_at)
        except ClaimNotFound:  # confirmed again or removed at this very moment
            current = next((e for e in self._store.emails(account) if e.email == address), None)
            if current is None:
                raise EmailNotAuthorized("email_not_authorized", email=email[:254]) from None
            return current, False
        self._send_confirmation(caller, account, address, nonce, expires_at, now)
        logger.info("address back to confirmation", extra={"account_id": account})
        return replace(listed, pending=True, primary=False, expires_at=expires_at), True

    def _send_confirmation(
        self, caller: Caller, account: str, address: str, nonce: str, expires_at: datetime, now: datetime
    ) -> None:
        signer = self._identity.signer
        mail = confirmation_mail(
            ConfirmationRequest(
                to=address,
                account_id=account,
                requester=caller.email or caller.name,  # an address the owner can recognise
                token=signer.confirmation_token(account, address, nonce, int(expires_at.timestamp())),
                code=signer.confirmation_code(account, address, nonce),
                expires_at=expires_at,
                language=self._store.language(account),
            ),
            self._identity,
            self._portal_url,
            now,
        )
        self._send(mail)

    def _take_mail_quota(self, account: str, address: str, now: datetime) -> None:
        checks = (
            (f"confirm-account:{account}", limits.CONFIRMATION_MAILS_PER_ACCOUNT, timedelta(hours=1), "hour"),
            (
                f"confirm-claim:{account}:{address}",
                limits.CONFIRMATION_MAILS_PER_CLAIM,
                timedelta(days=1),
                "day",
            ),
            (f"confirm-address:{address}", limits.CONFIRMATION_MAILS_PER_ADDRESS, timedelta(days=1), "day"),
        )
        for key, limit, window, unit in checks:
            if not self._markers.take_quota(key, now, limit, window):
                raise TooManyRequests(f"confirmation_mails_per_{unit}", limit=limit)

    # ---------------------------------------------------------------- confirming
    def confirm_token(self, token: str, now: datetime) -> str:
        """Confirm the claim a link names; the confirmed address."""
        found = self._identity.signer.read_confirmation_token(token)
        if found is None:
            raise ConfirmationInvalid("confirmation_invalid")
        account, address, nonce, expires = found
        if now >= from_epoch_ms(expires * 1000):
            raise ConfirmationInvalid("confirmation_invalid")
        return self._confirm(account, address, nonce, now)

    def confirm_code(self, email: str, code: str, now: datetime) -> str:
        """Confirm the claim on `email` whose code this is."""
        address = normalize_address(email)
        if address is None:
            raise InvalidValue("invalid_email", details=[FieldProblem("email", "not_an_email")])
        if not self._markers.take_quota(
            f"confirm-code:{address}", now, limits.CONFIRMATION_ATTEMPTS_PER_ADDRESS, timedelta(hours=1)
        ):
            raise TooManyRequests("confirmation_attempts", limit=limits.CONFIRMATION_ATTEMPTS_PER_ADDRESS)
        signer = self._identity.signer
        for claim in self._store.claims(address):
            if signer.same_code(signer.confirmation_code(claim.account_id, address, claim.nonce), code):
                if now >= claim.expires_at:
                    raise ConfirmationInvalid("confirmation_invalid")
                return self._confirm(claim.account_id, address, claim.nonce, now)
        raise ConfirmationInvalid("confirmation_invalid")

    def _confirm(self, account: str, address: str, nonce: str, now: datetime) -> str:
        try:
            self._store.confirm_email(account, address, nonce, now)
        except AddressTaken as taken:
            if taken.account_id != account:
                raise EmailConflict("email_confirmed_elsewhere_first", email=address) from None
            return address  # confirmed here already (a second click): nothing changes
        except ClaimNotFound:
            raise ConfirmationInvalid("confirmation_invalid") from None
        released = self._store.release_claims(address, except_account=account)
        logger.info("address confirmed", extra={"account_id": account, "other_claims_released": released})
        return address
