"""What was published to the ticket event bus, read from moto's EventBridge backend: the stack's
archive (TicketEventArchive, created from the template) keeps every event the bus accepted, as
EventBridge delivers it to a rule (version, id, detail-type, source, time, detail). The moto
server runs in this process (as for the outbox), so the archive is a plain object in memory."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.events.models import events_backends


def published_events(
    archive: str, region: str, *, detail_type: str | None = None, ticket_id: str | None = None
) -> list[dict[str, Any]]:
    """Oldest first, each as a rule's target receives it; optionally one kind or one ticket's."""
    found = events_backends[DEFAULT_ACCOUNT_ID][region].archives.get(archive)
    events = [_as_delivered(e) for e in (found.events if found else [])]
    if detail_type:
        events = [e for e in events if e["detail-type"] == detail_type]
    if ticket_id:
        events = [e for e in events if e["detail"].get("ticket_id") == ticket_id]
    return events


def _as_delivered(event: Any) -> dict[str, Any]:
    detail = event.get("detail")
    moment = event.get("time")
    if isinstance(moment, (int, float)):
        moment = datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": event.get("version", "0"),
        "id": event.get("id"),
        "detail-type": event.get("detail-type"),
        "source": event.get("source"),
        "account": event.get("account"),
        "time": moment,
        "region": event.get("region"),
        "resources": event.get("resources", []),
        "detail": json.loads(detail) if isinstance(detail, str) else dict(detail or {}),
    }
