"""Customer accounts in DynamoDB: the e-mail addresses authorized to open and answer tickets.

Each address has two items, written and deleted together in one transaction:
    EMAIL#<address> / EMAIL          which account owns it (one at most: conditional put)
    ACCOUNT#<account> / EMAIL#<addr> the account's list of addresses (one Query)
A counter on ACCOUNT#<account> / PROFILE caps how many addresses an account may have.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpdesk.clock import from_iso, to_iso
from helpdesk.domain.models import AuthorizedEmail
from helpdesk.store import keys
from helpdesk.store.codec import dump_item, load_item
from helpdesk.store.protocols import AddressNotFound, AddressTaken, TooManyAddresses
from helpdesk.store.transactions import Transaction


class DynamoAccountStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add_email(self, account_id: str, address: str, now: datetime, max_addresses: int) -> AuthorizedEmail:
        entry = {"email": address, "account_id": account_id, "added_at": to_iso(now)}
        transaction = Transaction()
        owner = {**keys.email_key(address), "entity": "authorized_email", **entry}
        transaction.add(
            "owner",
            {
                "Put": {
                    "TableName": self._table,
                    "Item": dump_item(owner),
                    "ConditionExpression": "attribute_not_exists(pk)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
        )
        listed = {**keys.account_email_key(account_id, address), "entity": "account_email", **entry}
        transaction.add("listing", {"Put": {"TableName": self._table, "Item": dump_item(listed)}})
        transaction.add(
            "count",
            {
                "Update": {
                    "TableName": self._table,
                    "Key": dump_item(keys.profile_key(account_id)),
                    "UpdateExpression": "ADD email_count :one",
                    "ConditionExpression": "attribute_not_exists(email_count) OR email_count < :max",
                    "ExpressionAttributeValues": dump_item({":one": 1, ":max": max_addresses}),
                }
            },
        )
        try:
            transaction.write(self._client)
        except self._client.exceptions.TransactionCanceledException as error:
            failed = transaction.failed_conditions(error)
            if "owner" in failed:
                stored = failed["owner"].get("Item")
                raise AddressTaken(load_item(stored)["account_id"] if stored else None) from error
            if "count" in failed:
                raise TooManyAddresses from error
            raise
        return AuthorizedEmail(address, account_id, now)

    def remove_email(self, account_id: str, address: str) -> None:
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
                "Delete": {
                    "TableName": self._table,
                    "Key": dump_item(keys.account_email_key(account_id, address)),
                }
            },
        )
        transaction.add(
            "count",
            {
                "Update": {
                    "TableName": self._table,
                    "Key": dump_item(keys.profile_key(account_id)),
                    "UpdateExpression": "ADD email_count :minus_one",
                    "ExpressionAttributeValues": dump_item({":minus_one": -1}),
                }
            },
        )
        try:
            transaction.write(self._client)
        except self._client.exceptions.TransactionCanceledException as error:
            if "owner" in transaction.failed_conditions(error):
                raise AddressNotFound from error
            raise

    def emails(self, account_id: str) -> list[AuthorizedEmail]:
        """The account's addresses, oldest first."""
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
        found = [AuthorizedEmail(i["email"], i["account_id"], from_iso(i["added_at"])) for i in items]
        return sorted(found, key=lambda e: (e.added_at, e.email))

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
