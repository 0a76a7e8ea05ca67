"""Customer accounts in DynamoDB: the account's e-mail addresses, pending or confirmed.

A confirmed address has two items, written and deleted together in one transaction:
    EMAIL#<address> / EMAIL            which account owns it (one at most: conditional put)
    ACCOUNT#<account> / EMAIL#<addr>   the account's list of addresses (one Query)
A pending one (added, its owner not yet asked) has the listing with status "pending", its nonce
and expiry, and a claim item instead of the owner item:
    EMAIL#<address> / CLAIM#<account>  several accounts may claim one address; the first to confirm
                                       writes the owner item and the others' claims are removed
Only the owner item authorizes mail, so a claim proves nothing. A listing without a status is
confirmed: every address authorized before confirmation existed stays so, with no migration.
A counter on ACCOUNT#<account> / PROFILE caps how many addresses (of both kinds) an account has.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpdesk.clock import from_iso, to_iso
from helpdesk.domain.models import AuthorizedEmail
from helpdesk.store import keys
from helpdesk.store.codec import dump_item, load_item
from helpdesk.store.deliverability import MARK_ATTRIBUTES, DeliverabilityWrites, undeliverable_of
from helpdesk.store.protocols import (
    AddressNotFound,
    AddressTaken,
    ClaimNotFound,
    PendingClaim,
    TooManyAddresses,
)
from helpdesk.store.transactions import Transaction

PENDING = "pending"


class DynamoAccountStore(DeliverabilityWrites):
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # ---------------------------------------------------------------- confirmed addresses
    def add_email(
        self, account_id: str, address: str, now: datetime, max_addresses: int, *, sign_in: bool = False
    ) -> AuthorizedEmail:
        entry: dict[str, Any] = {"email": address, "account_id": account_id, "added_at": to_iso(now)}
        if sign_in:
            entry["sign_in"] = True
        transaction = Transaction()
        transaction.add("owner", self._put_owner(address, account_id, now))
        listed = {**keys.account_email_key(account_id, address), "entity": "account_email", **entry}
        transaction.add(
            "listing",
            {
                "Put": {
                    "TableName": self._table,
                    "Item": dump_item(listed),
                    # A pending listing is confirmed through confirm_email, which keeps the count.
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        )
        if not sign_in:  # a sign-in e-mail is neither capped nor removable: not counted
            transaction.add("count", self._count(account_id, +1, max_addresses))
        try:
            transaction.write(self._client)
        except self._client.exceptions.TransactionCanceledException as error:
            failed = transaction.failed_conditions(error)
            if "owner" in failed:
                stored = failed["owner"].get("Item")
                raise AddressTaken(load_item(stored)["account_id"] if stored else None) from error
            if "listing" in failed:
                raise AddressTaken(account_id) from error
            if "count" in failed:
                raise TooManyAddresses from error
            raise
        return AuthorizedEmail(address, account_id, now, sign_in=sign_in)

    # ---------------------------------------------------------------- pending claims
    def claim_email(
        self,
        account_id: str,
        address: str,
        nonce: str,
        expires_at: datetime,
        now: datetime,
        max_addresses: int,
    ) -> AuthorizedEmail:
        current = self._listing(account_id, address)
        claim = {
            **keys.claim_key(address, account_id),
            "entity": "email_claim",
            "email": address,
            "account_id": account_id,
            "nonce": nonce,
            "expires_at": to_iso(expires_at),
        }
        transaction = Transaction()
        transaction.add("claim", {"Put": {"TableName": self._table, "Item": dump_item(claim)}})
        if current is None:
            listed = {
                **keys.account_email_key(account_id, address),
                "entity": "account_email",
                "email": address,
                "account_id": account_id,
                "added_at": to_iso(now),
                "status": PENDING,
                "nonce": nonce,
                "expires_at": to_iso(expires_at),
            }
            transaction.add(
                "listing",
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": dump_item(listed),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            )
            transaction.add("count", self._count(account_id, +1, max_addresses))
            added_at = now
        else:
            transaction.add(
                "listing",
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": dump_item(keys.account_email_key(account_id, address)),
                        "UpdateExpression": "SET nonce = :nonce, expires_at = :expires",
                        "ConditionExpression": "#status = :pending",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": dump_item(
                            {":nonce": nonce, ":expires": to_iso(expires_at), ":pending": PENDING}
                        ),
                    }
                },
            )
            added_at = from_iso(current["added_at"])
        try:
            transaction.write(self._client)
        except self._client.exceptions.TransactionCanceledException as error:
            failed = transaction.failed_conditions(error)
            if "count" in failed:
                raise TooManyAddresses from error
            if "listing" in failed:
                raise ClaimNotFound from error  # added or confirmed by a request at the same moment
            raise
        return AuthorizedEmail(address, account_id, added_at, pending=True, expires_at=expires_at)

    def confirm_email(self, account_id: str, address: str, nonce: str | None, now: datetime) -> None:
        condition = "#status = :pending" + (" AND nonce = :nonce" if nonce is not None else "")
        values: dict[str, Any] = {":pending": PENDING, ":confirmed_at": to_iso(now)}
        if nonce is not None:
            values[":nonce"] = nonce
        transaction = Transaction()
        # Conditional on nobody owning it: the first confirmation wins, whichever account.
        transaction.add("owner", self._put_owner(address, account_id, now))
        transaction.add(
            "listing",
            {
                "Update": {
                    "TableName": self._table,
                    "Key": dump_item(keys.account_email_key(account_id, address)),
                    # A new confirmation also proves the address receives mail again: its mark goes.
                    "UpdateExpression": "SET confirmed_at = :confirmed_at REMOVE #status, nonce, expires_at, "
                    + ", ".join(MARK_ATTRIBUTES),
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": dump_item(values),
                }
            },
        )
        transaction.add(
            "claim",
            {"Delete": {"TableName": self._table, "Key": dump_item(keys.claim_key(address, account_id))}},
        )
        try:
            transaction.write(self._client)
        except self._client.exceptions.TransactionCanceledException as error:
            failed = transaction.failed_conditions(error)
            if "owner" in failed:
                stored = failed["owner"].get("Item")
                raise AddressTaken(load_item(stored)["account_id"] if stored else None) from error
            if "listing" in failed:
                raise ClaimNotFound from error
            raise

    def claims(self, address: str) -> list[PendingClaim]:
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=dump_item({":pk": keys.email_key(address)["pk"], ":prefix": "CLAIM#"}),
            ConsistentRead=True,
        )  # at most one item per account that claimed it: far below a page
        items = [load_item(raw) for raw in response["Items"]]
        return [
            PendingClaim(i["account_id"], i["email"], i["nonce"], from_iso(i["expires_at"])) for i in items
        ]

    def release_claims(self, address: str, except_account: str) -> int:
        released = 0
        for claim in self.claims(address):
            if claim.account_id == except_account:
                continue
            try:
                self.remove_email(claim.account_id, address, pending=True)
                released += 1
            except AddressNotFound:
                pass  # removed or confirmed meanwhile: nothing to release
        return released

    # ---------------------------------------------------------------- removing
    def remove_email(self, account_id: str, address: str, *, pending: bool = False) -> None:
        transaction = Transaction()
        if pending:
            transaction.add(
                "claim",
                {"Delete": {"TableName": self._table, "Key": dump_item(keys.claim_key(address, account_id))}},
            )
            listing_condition: dict[str, Any] = {
                "ConditionExpression": "#status = :pending",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": dump_item({":pending": PENDING}),
            }
        else:
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
            listing_condition = {"ConditionExpression": "attribute_exists(pk)"}
        transaction.add(
            "listing",
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": dump_item(keys.account_email_key(account_id, address)),
                    **listing_condition,
                }
            },
        )
        transaction.add("count", self._count(account_id, -1, None))
        try:
            transaction.write(self._client)
        except self._client.exceptions.TransactionCanceledException as error:
            if {"owner", "listing"} & set(transaction.failed_conditions(error)):
                raise AddressNotFound from error
            raise

    # ---------------------------------------------------------------- reading
    def emails(self, account_id: str) -> list[AuthorizedEmail]:
        """The account's addresses, pending and confirmed, oldest first."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": dump_item({":pk": keys.account_pk(account_id), ":prefix": "EMAIL#"}),
            "ConsistentRead": True,
        }
        while True:
            response = self._client.query(**kwargs)
            items += [load_item(raw) for raw in response["Items"]]
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        found = [_entry(i) for i in items]
        return sorted(found, key=lambda e: (e.added_at, e.email))

    def _listing(self, account_id: str, address: str) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=dump_item(keys.account_email_key(account_id, address)),
            ConsistentRead=True,
        )
        return load_item(response["Item"]) if "Item" in response else None

    def _put_owner(self, address: str, account_id: str, now: datetime) -> dict[str, Any]:
        owner = {
            **keys.email_key(address),
            "entity": "authorized_email",
            "email": address,
            "account_id": account_id,
            "added_at": to_iso(now),
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": dump_item(owner),
                "ConditionExpression": "attribute_not_exists(pk)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }

    def _count(self, account_id: str, step: int, max_addresses: int | None) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": dump_item(keys.profile_key(account_id)),
            "UpdateExpression": "ADD email_count :step",
            "ExpressionAttributeValues": dump_item({":step": step}),
        }
        if max_addresses is not None:
            update["ConditionExpression"] = "attribute_not_exists(email_count) OR email_count < :max"
            update["ExpressionAttributeValues"] = dump_item({":step": step, ":max": max_addresses})
        return {"Update": update}

    def language(self, account_id: str) -> str:
        """The language the account prefers for mail ("es" unless set)."""
        response = self._client.get_item(
            TableName=self._table,
            Key=dump_item(keys.profile_key(account_id)),
            ProjectionExpression="#language",
            ExpressionAttributeNames={"#language": "language"},
        )
        return str(load_item(response.get("Item", {})).get("language") or "es")

    def set_language(self, account_id: str, language: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=dump_item(keys.profile_key(account_id)),
            UpdateExpression="SET #language = :language",
            ExpressionAttributeNames={"#language": "language"},
            ExpressionAttributeValues=dump_item({":language": language}),
        )

    def owner_of(self, address: str) -> str | None:
        """The account an address is authorized on, if any: one GetItem."""
        response = self._client.get_item(
            TableName=self._table, Key=dump_item(keys.email_key(address)), ConsistentRead=True
        )
        return load_item(response["Item"])["account_id"] if "Item" in response else None


def _entry(item: dict[str, Any]) -> AuthorizedEmail:
    return AuthorizedEmail(
        item["email"],
        item["account_id"],
        from_iso(item["added_at"]),
        pending=item.get("status") == PENDING,
        sign_in=bool(item.get("sign_in")),
        expires_at=from_iso(item["expires_at"]) if item.get("expires_at") else None,
        undeliverable=undeliverable_of(item),
    )
