"""TransactWriteItems with named items: a cancelled transaction says which items' conditions
failed by name, so no caller counts positions in CancellationReasons."""

from __future__ import annotations

from typing import Any

CONDITION_FAILED = "ConditionalCheckFailed"


class Transaction:
    def __init__(self) -> None:
        self._names: list[str] = []
        self.items: list[dict[str, Any]] = []

    def add(self, name: str, item: dict[str, Any]) -> None:
        self._names.append(name)
        self.items.append(item)

    def write(self, client: Any) -> None:
        client.transact_write_items(TransactItems=self.items)

    def failed_conditions(self, error: Any) -> dict[str, dict[str, Any]]:
        """The items whose condition failed, by name, each with its cancellation reason (which
        carries the old item when the write asked for ALL_OLD)."""
        reasons = error.response.get("CancellationReasons", [])
        return {
            name: reason
            for name, reason in zip(self._names, reasons, strict=False)
            if reason.get("Code") == CONDITION_FAILED
        }
