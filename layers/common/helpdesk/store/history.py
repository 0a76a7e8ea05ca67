"""History entries on the ticket item: the list attribute `history`, appended by the same write
that makes the change (an UpdateItem, or the ticket's Update inside a transaction), so an entry
costs no request of its own and the Query that reads a thread already reads them.

Stored as codes with parameters (`{code, at, role, actor, params}`), never as sentences.
Anything that writes its own update of a ticket item adds its entries with `append_entries`."""

from __future__ import annotations

from typing import Any

from helpdesk.clock import from_iso, to_iso
from helpdesk.domain.history import HistoryEntry, spelled_out
from helpdesk.domain.models import Role

ATTRIBUTE = "history"


def append_entries(sets: list[str], values: dict[str, Any], entries: tuple[HistoryEntry, ...]) -> None:
    """Add `history = list_append(...)` for `entries` to an update expression's SET clauses and
    its (plain, not yet serialized) values. No-op without entries."""
    if not entries:
        return
    sets.append(f"{ATTRIBUTE} = list_append(if_not_exists({ATTRIBUTE}, :no_entries), :entries)")
    values[":no_entries"] = []
    values[":entries"] = [entry_item(e) for e in entries]


def entry_item(item: HistoryEntry) -> dict[str, Any]:
    return {
        "code": item.code,
        "at": to_iso(item.at),
        "role": item.actor_role.value,
        "actor": item.actor,
        "params": dict(item.params),
    }


def entries_from(raw: object) -> tuple[HistoryEntry, ...]:
    """The stored entries, priority and tag changes spelled out (domain.history.spelled_out); one
    that cannot be read (hand-edited, half-written by a newer version) is left out rather than
    failing the whole ticket."""
    if not isinstance(raw, list):
        return ()
    found = []
    for stored in raw:
        try:
            found.append(
                HistoryEntry(
                    code=str(stored["code"]),
                    at=from_iso(str(stored["at"])),
                    actor_role=Role(stored.get("role", Role.SYSTEM.value)),
                    actor=str(stored.get("actor", "")),
                    params={str(k): str(v) for k, v in (stored.get("params") or {}).items()},
                )
            )
        except (KeyError, ValueError, TypeError, AttributeError):
            continue
    return spelled_out(tuple(found))
