"""Publishing to the stack's EventBridge bus."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class EventBusRefused(Exception):
    """EventBridge answered but did not take the entry (FailedEntryCount): the stream retries."""


class EventBridgeBus:
    def __init__(self, client: Any, bus_name: str) -> None:
        self._client = client
        self._bus = bus_name

    def put(self, *, source: str, detail_type: str, detail: str, time: datetime) -> None:
        answer = self._client.put_events(
            Entries=[
                {
                    "EventBusName": self._bus,
                    "Source": source,
                    "DetailType": detail_type,
                    "Detail": detail,
                    "Time": time,
                }
            ]
        )
        if answer.get("FailedEntryCount"):
            failed = answer["Entries"][0]
            raise EventBusRefused(f"{failed.get('ErrorCode')}: {failed.get('ErrorMessage')}")
