"""Data access for customer accounts: the e-mail addresses authorized to open and answer tickets.

Each address has two items, written and deleted together in one transaction:
    EMAIL#<address> / EMAIL          which account owns it (one at most: conditional put)
    ACCOUNT#<account> / EMAIL#<addr> the account's list of addresses (one Query)
A counter on ACCOUNT#<account> / PROFILE caps how many addresses an account may have.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpdesk.clock import from_iso, to_iso
from helpdesk.store import dump_item, load_item

PROFILE_SK = "PROFILE"


@dataclass(frozen=True)
class AuthorizedEmail:
    email: str
    account_id: str
    added_at: datetime


class AddressTaken(Exception):
    """The address is already authorized; `account_id` says on which account."""

    def __init__(self, account_id: str | None) -> None:
        super().__init__("address already authorized")
        self.account_id = account_id


class TooManyAddresses(Exception):
    pass


class AddressNotFound(Exception):
    pass


def _email_key(address: str) -> dict[str, str]:
    return {"pk": f"EMAIL#{address}", "sk": "EMAIL"}


def _listing_key(account_id: str, address: str) -> dict[str, str]:
    return {"pk": f"ACCOUNT#{account_id}", "sk": f"EMAIL#{address}"}


class AccountStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add_email(self, account_id: str, address: str, now: datetime, max_addresses: int) -> AuthorizedEmail:
        entry = {"email": address, "account_id": account_id, "added_at": to_iso(now)}
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": dump_item({**_email_key(address), "entity": "authorized_email", **entry}),
                            "ConditionExpression": "attribute_not_exists(pk)",
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": dump_item(
                                {**_listing_key(account_id, address), "entity": "account_email", **entry}
                            ),
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": dump_item({"pk": f"ACCOUNT#{account_id}", "sk": PROFILE_SK}),
                            "UpdateExpression": "ADD email_count :one",
                            "ConditionExpression": "attribute_not_exists(email_count) OR email_count < :max",
                            "ExpressionAttributeValues": dump_item({":one": 1, ":max": max_addresses}),
                        }
                    },
                ]
            )
        except self._client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons", [])
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                owner = reasons[0].get("Item")
                raise AddressTaken(load_item(owner)["account_id"] if owner else None) from error
            if len(reasons) > 2 and reasons[2].get("Code") == "ConditionalCheckFailed":
                raise TooManyAddresses from error
            raise
        return AuthorizedEmail(address, account_id, now)

    def remove_email(self, account_id: str, address: str) -> None:
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": dump_item(_email_key(address)),
                            "ConditionExpression": "account_id = :account",
                            "ExpressionAttributeValues": dump_item({":account": account_id}),
                        }
                    },
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": dump_item(_listing_key(account_id, address)),
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": dump_item({"pk": f"ACCOUNT#{account_id}", "sk": PROFILE_SK}),
                            "UpdateExpression": "ADD email_count :minus_one",
                            "ExpressionAttributeValues": dump_item({":minus_one": -1}),
                        }
                    },
                ]
            )
        except self._client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons", [])
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                raise AddressNotFound from error
            raise

    def emails(self, account_id: str) -> list[AuthorizedEmail]:
        """The account's addresses, oldest first (the first is the account's primary address)."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": dump_item({":pk": f"ACCOUNT#{account_id}", ":prefix": "EMAIL#"}),
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
            Key=dump_item({"pk": f"ACCOUNT#{account_id}", "sk": PROFILE_SK}),
            ProjectionExpression="#language",
            ExpressionAttributeNames={"#language": "language"},
        )
        return str(load_item(response.get("Item", {})).get("language") or "es")

    def set_language(self, account_id: str, language: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=dump_item({"pk": f"ACCOUNT#{account_id}", "sk": PROFILE_SK}),
            UpdateExpression="SET #language = :language",
            ExpressionAttributeNames={"#language": "language"},
            ExpressionAttributeValues=dump_item({":language": language}),
        )

    def owner_of(self, address: str) -> str | None:
        """The account an address is authorized on, if any: one GetItem."""
        response = self._client.get_item(
            TableName=self._table, Key=dump_item(_email_key(address)), ConsistentRead=True
        )
        return load_item(response["Item"])["account_id"] if "Item" in response else None
