"""Operators' preferences in the table: one item per operator (pk OPERATORS, sk OPERATOR#<sub>),
so the directory reads everyone's in one Query and one operator's in one GetItem."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpdesk.clock import to_iso
from helpdesk.domain.operators import DEFAULT_OPERATOR_LANGUAGE, OperatorPreferences, StaffNotice
from helpdesk.store import keys
from helpdesk.store.codec import dump_item, load_item


class DynamoOperatorStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def preferences(self, operator_id: str) -> OperatorPreferences | None:
        response = self._client.get_item(
            TableName=self._table, Key=dump_item(keys.operator_key(operator_id)), ConsistentRead=True
        )
        return _preferences(load_item(response["Item"])) if "Item" in response else None

    def all_preferences(self) -> dict[str, OperatorPreferences]:
        found: dict[str, OperatorPreferences] = {}
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": dump_item({":pk": keys.OPERATORS_PK}),
        }
        while True:
            response = self._client.query(**kwargs)
            for raw in response["Items"]:
                item = load_item(raw)
                found[str(item["operator_id"])] = _preferences(item)
            if "LastEvaluatedKey" not in response:
                return found
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def save_preferences(self, operator_id: str, preferences: OperatorPreferences, now: datetime) -> None:
        """The whole item at once: the last PUT /operators/me wins, as a settings screen expects."""
        item = {
            **keys.operator_key(operator_id),
            "entity": "operator_preferences",
            "operator_id": operator_id,
            # A list, not a set: "no department" and "no notice" must be storable (an empty set is not).
            "departments": list(preferences.departments) if preferences.departments is not None else None,
            "notices": sorted(n.value for n in preferences.notices),
            "language": preferences.language,
            "updated_at": to_iso(now),
        }
        self._client.put_item(TableName=self._table, Item=dump_item(item))


def _preferences(item: dict[str, Any]) -> OperatorPreferences:
    departments = item.get("departments")
    known = {n.value for n in StaffNotice}
    return OperatorPreferences(
        departments=tuple(str(d) for d in departments) if departments is not None else None,
        notices=frozenset(StaffNotice(n) for n in item.get("notices", []) if n in known),
        language=str(item.get("language") or DEFAULT_OPERATOR_LANGUAGE),
    )
