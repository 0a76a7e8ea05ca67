"""The in-memory side of store/deliverability.py, mixed into InMemoryAccounts (tests/support/fakes.py)
with the same conditions: a mark needs a confirmed, unmarked address confirmed before the mail was
sent; re-confirming turns a marked confirmed address into a pending claim that keeps its mark."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from helpdesk.domain.models import AuthorizedEmail, Undeliverable
from helpdesk.store.protocols import ClaimNotFound, MarkRefused, PendingClaim


class InMemoryDeliverability:
    owners: dict[str, AuthorizedEmail]
    listings: dict[tuple[str, str], AuthorizedEmail]
    claimed: dict[tuple[str, str], PendingClaim]
    confirmed_at: dict[tuple[str, str], datetime]

    def _write(self) -> None: ...

    def mark_undeliverable(
        self, account_id: str, address: str, mark: Undeliverable, sent_at: datetime
    ) -> None:
        self._write()
        listed = self.listings.get((account_id, address))
        if listed is None:
            raise MarkRefused(MarkRefused.GONE)
        if listed.undeliverable is not None:
            raise MarkRefused(MarkRefused.ALREADY_MARKED)
        if listed.pending:
            raise MarkRefused(MarkRefused.PENDING)
        if self.confirmed_at.get((account_id, address), listed.added_at) > sent_at:
            raise MarkRefused(MarkRefused.CONFIRMED_SINCE)
        marked = replace(listed, undeliverable=mark)
        self.listings[(account_id, address)] = marked
        self.owners[address] = marked

    def start_reconfirmation(self, account_id: str, address: str, nonce: str, expires_at: datetime) -> None:
        self._write()
        listed = self.listings.get((account_id, address))
        owner = self.owners.get(address)
        if listed is None or listed.pending or listed.undeliverable is None:
            raise ClaimNotFound
        if owner is None or owner.account_id != account_id:
            raise ClaimNotFound
        del self.owners[address]
        self.listings[(account_id, address)] = replace(listed, pending=True, expires_at=expires_at)
        self.claimed[(address, account_id)] = PendingClaim(account_id, address, nonce, expires_at)
