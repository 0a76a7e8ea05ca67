"""What the system sent, read from moto's SES backend: the embedded moto server runs in this
process, so the messages SES v2 accepted are plain objects in memory (`ses_backends`; SES v2
records its sends in the SES v1 backend). moto keeps no send time and no per-run separation, so
the outbox stamps each message when it first notices it (after every invocation, and at least
every poll) and hides what was there before this run, or before a clear()."""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import getaddresses
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends


@dataclass(frozen=True)
class SentMail:
    id: str
    sent_at: datetime
    sender: str
    to: tuple[str, ...]
    subject: str
    raw: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sent_at": self.sent_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "from": self.sender,
            "to": list(self.to),
            "subject": self.subject,
            "raw": self.raw,
        }


class Outbox:
    """Safe to use from any thread: moto appends to its list from its server's threads while this
    takes copies of it, and the outbox's own records are changed under its lock."""

    def __init__(
        self,
        region: str,
        account_id: str = DEFAULT_ACCOUNT_ID,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._region = region
        self._now = now  # the stack's clock
        self._account_id = account_id
        self._lock = threading.Lock()
        self._seen: dict[str, datetime] = {}
        self._hidden: set[str] = {message.id for message in self._messages()}

    def observe(self) -> None:
        """Stamp the messages sent since the last look with the time they were noticed."""
        now = self._now()
        with self._lock:
            for message in self._messages():
                self._seen.setdefault(message.id, now)

    def sent(self, to: str | None = None) -> list[SentMail]:
        """Newest first; `to` keeps the mail sent to that address (any case)."""
        self.observe()
        with self._lock:
            visible = [(m, self._seen[m.id]) for m in self._messages() if m.id in self._seen]
            visible = [(m, at) for m, at in visible if m.id not in self._hidden]
        mails = [_summary(m, at) for m, at in visible]
        if to:
            mails = [m for m in mails if to.strip().lower() in m.to]
        return mails[::-1]

    def clear(self) -> int:
        """Hide everything sent so far; returns how many messages were visible."""
        with self._lock:
            visible = [m.id for m in self._messages() if m.id not in self._hidden]
            self._hidden.update(visible)
        return len(visible)

    def _messages(self) -> list[Any]:
        return list(ses_backends[self._account_id][self._region].sent_messages)


def _summary(message: Any, sent_at: datetime) -> SentMail:
    """moto keeps RawMessage (.raw_data, .destinations, .source) for raw sends and Message
    (.subject, .body, .destinations as a dict) for simple ones; both become one shape."""
    raw = getattr(message, "raw_data", None)
    if raw is None:
        destinations = message.destinations
        addresses = [a for group in destinations.values() for a in group]
        return SentMail(message.id, sent_at, message.source, _unique(addresses), message.subject, "")
    parsed = email.message_from_string(raw, policy=email.policy.default)
    # moto lists each recipient twice for raw sends: once from Destination, once from the To/Cc
    # headers (formatted with the display name), so the addresses are parsed and deduplicated.
    return SentMail(
        id=message.id,
        sent_at=sent_at,
        sender=str(parsed.get("From") or message.source),
        to=_unique(message.destinations),
        subject=str(parsed.get("Subject") or ""),
        raw=raw,
    )


def _unique(addresses: list[str]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for _name, address in getaddresses(addresses):
        if address:
            found.setdefault(address.lower(), None)
    return tuple(found)
