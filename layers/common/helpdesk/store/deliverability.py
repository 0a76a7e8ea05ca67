"""Whether our mail reaches an address, kept on the account's listing of it
(ACCOUNT#<account> / EMAIL#<address>), which notify reads anyway to choose recipients:

    undeliverable         "bounce" | "complaint"  (absent: deliverable)
    undeliverable_at      when SES reported it
    undeliverable_detail  the receiving server's words, for the customer and the operator

Marking is one conditional UpdateItem; re-confirming is one transaction that turns the confirmed
address back into a pending claim (the owner item goes, as for any pending address) and keeps the
mark until the new confirmation removes it (store.accounts.confirm_email)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpdesk.clock import from_iso, to_iso
from helpdesk.domain.models import Undeliverable, UndeliverableReason
from helpdesk.store import keys
from helpdesk.store.codec import dump_item, load_item
from helpdesk.store.protocols import ClaimNotFound, MarkRefused
from helpdesk.store.transactions import Transaction

PENDING = "pending"
MARK_ATTRIBUTES = ("undeliverable", "undeliverable_at", "undeliverable_detail")

# Confirmed on this account, not marked yet, and confirmed before the mail was sent: a bounce of
# mail sent before a (re)confirmation says nothing about the address as it is now. Addresses
# confirmed before confirmation existed (and sign-in e-mails) have only added_at.
_MARKABLE = (
    "account_id = :account AND attribute_not_exists(#status) AND attribute_not_exists(undeliverable)"
    " AND (confirmed_at <= :sent OR (attribute_not_exists(confirmed_at) AND added_at <= :sent))"
)

_RECONFIRMABLE = "attribute_not_exists(#status) AND attribute_exists(undeliverable)"


def undeliverable_of(item: dict[str, Any]) -> Undeliverable | None:
    """The mark on a decoded listing item, if any."""
    if not item.get("undeliverable"):
        return None
    return Undeliverable(
        UndeliverableReason(item["undeliverable"]),
        from_iso(item["undeliverable_at"]),
        item.get("undeliverable_detail"),
    )


class DeliverabilityWrites:
    """Mixed into DynamoAccountStore (the listing is its item)."""

    _client: Any
    _table: str

    def mark_undeliverable(
        self, account_id: str, address: str, mark: Undeliverable, sent_at: datetime
    ) -> None:
        """Raises MarkRefused with why (already marked, pending, confirmed after `sent_at`, gone)."""
        values: dict[str, Any] = {
            ":account": account_id,
            ":sent": to_iso(sent_at),
            ":reason": mark.reason.value,
            ":at": to_iso(mark.since),
        }
        update = "SET undeliverable = :reason, undeliverable_at = :at"
        if mark.detail:
            update += ", undeliverable_detail = :detail"
            values[":detail"] = mark.detail
        try:
            self._client.update_item(
                TableName=self._table,
                Key=dump_item(keys.account_email_key(account_id, address)),
                UpdateExpression=update,
                ConditionExpression=_MARKABLE,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=dump_item(values),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as error:
            raise MarkRefused(_why_refused(error.response.get("Item"))) from error

    def start_reconfirmation(self, account_id: str, address: str, nonce: str, expires_at: datetime) -> None:
        """The confirmed, undeliverable address becomes pending with a new nonce, in one
        transaction. Raises ClaimNotFound when it is not (or no longer) in that state."""
        claim = {
            **keys.claim_key(address, account_id),
            "entity": "email_claim",
            "email": address,
            "account_id": account_id,
            "nonce": nonce,
            "expires_at": to_iso(expires_at),
        }
        transaction = Transaction()
        transaction.add(
            "owner",
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": dump_item(keys.email_key(address)),
                    "ConditionExpression": "account_id = :account",
                    "ExpressionAttributeValues": dump_item({":account": account_id}),
                }
            },
        )
        transaction.add(
            "listing",
            {
                "Update": {
                    "TableName": self._table,
                    "Key": dump_item(keys.account_email_key(account_id, address)),
                    "UpdateExpression": "SET #status = :pending, nonce = :nonce, expires_at = :expires",
                    "ConditionExpression": _RECONFIRMABLE,
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": dump_item(
                        {":pending": PENDING, ":nonce": nonce, ":expires": to_iso(expires_at)}
                    ),
                }
            },
        )
        transaction.add("claim", {"Put": {"TableName": self._table, "Item": dump_item(claim)}})
        try:
            transaction.write(self._client)
        except self._client.exceptions.TransactionCanceledException as error:
            if {"owner", "listing"} & set(transaction.failed_conditions(error)):
                raise ClaimNotFound from error
            raise


def _why_refused(raw: dict[str, Any] | None) -> str:
    if raw is None:
        return MarkRefused.GONE
    item = load_item(raw)
    if item.get("undeliverable"):
        return MarkRefused.ALREADY_MARKED
    if item.get("status") == PENDING:
        return MarkRefused.PENDING
    return MarkRefused.CONFIRMED_SINCE
