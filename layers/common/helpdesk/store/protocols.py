"""What the services ask of the store: small Protocols, the value objects they exchange and the
store's own failures. The DynamoDB classes (store.tickets, store.markers, store.accounts)
implement them; tests/support/fakes.py implements them in memory for tests/unit/."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from helpdesk.domain.attributes import Priority
from helpdesk.domain.canned import CannedReply
from helpdesk.domain.history import HistoryEntry
from helpdesk.domain.models import (
    AuthorizedEmail,
    ClosedReason,
    Message,
    Resolution,
    SuppressedMail,
    Ticket,
    TicketFilters,
    TicketPage,
    TicketThread,
    Undeliverable,
)
from helpdesk.domain.operators import OperatorPreferences
from helpdesk.domain.sla import ResponseClock, ResponseClockEffect
from helpdesk.domain.status_machine import Status, Timer

if TYPE_CHECKING:  # the reports' domain is only the report functions' to load
    from helpdesk.domain.reports import Tally


# ------------------------------------------------------------------ failures of the store
class TicketIdTaken(Exception):
    """The random ticket ID already exists: draw another."""


class IdempotencyKeyTaken(Exception):
    """A ticket was already created with this Idempotency-Key. `record` is the stored record,
    returned by the failed write itself (None only if DynamoDB did not return it)."""

    def __init__(self, record: IdempotencyRecord | None) -> None:
        super().__init__("idempotency key already used")
        self.record = record


class AlreadyProcessed(Exception):
    """One of the write's processing markers exists: this input already had its effect."""


class ChangeRefused(Exception):
    """The conditional write failed. `current` is the ticket as it is now (None if it does not
    exist), so the caller can say why without another read."""

    def __init__(self, current: Ticket | None) -> None:
        super().__init__("conditional write failed")
        self.current = current


class MergeConflict(Exception):
    """A merge's guards failed. `source` / `target`: the items as they are now, for the side(s)
    whose guard failed (None otherwise, or when gone); `source_failed` says whether the source's
    did."""

    def __init__(self, source: Ticket | None, target: Ticket | None, *, source_failed: bool) -> None:
        super().__init__("merge guards failed")
        self.source = source
        self.target = target
        self.source_failed = source_failed


class CannedReplyGone(Exception):
    """No such canned reply (deleted), or, with `current`, it changed since the version asked."""

    def __init__(self, current: CannedReply | None) -> None:
        super().__init__("canned reply gone or changed")
        self.current = current


class TooManyCannedReplies(Exception):
    pass


class InvalidCursor(Exception):
    """A listing cursor this listing did not hand out (garbled, or another partition's)."""


class AddressTaken(Exception):
    """The address is already authorized; `account_id` says on which account."""

    def __init__(self, account_id: str | None) -> None:
        super().__init__("address already authorized")
        self.account_id = account_id


class TooManyAddresses(Exception):
    pass


class AddressNotFound(Exception):
    pass


class ClaimNotFound(Exception):
    """No pending claim of this account on the address with that nonce (used, replaced, gone)."""


class MarkRefused(Exception):
    """An address was not marked undeliverable; `why` is one of the constants below."""

    ALREADY_MARKED = "already_marked"
    PENDING = "pending"  # being confirmed (again): its next confirmation decides
    CONFIRMED_SINCE = "confirmed_since"  # (re)confirmed after the mail that bounced was sent
    GONE = "gone"  # removed from the account meanwhile

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass(frozen=True)
class PendingClaim:
    account_id: str
    address: str
    nonce: str
    expires_at: datetime


# ------------------------------------------------------------------ value objects
@dataclass(frozen=True)
class IdempotencyRecord:
    account_id: str
    key: str
    request_hash: str
    ticket: Ticket  # the ticket as created: what a retry answers, like the first response
    expires_at: int  # epoch seconds, the table's TTL attribute


@dataclass(frozen=True)
class Assignment:
    """Who has the ticket after a change. `assignee` None: nobody (unassigned). `by`: the
    operator who decided it, recorded with it (the stream tells the new assignee who handed it
    over; an operator who took it by replying is their own `by`)."""

    assignee: str | None
    name: str | None
    by: str


@dataclass(frozen=True)
class Taking:
    """What an operator's reply writes if nobody has the ticket, decided by the write itself (not
    a guard): the replier as assignee, and the history entry that says they took it."""

    assignment: Assignment
    entry: HistoryEntry


@dataclass(frozen=True)
class TicketChange:
    """One conditional change of a ticket's metadata, with an optional message written in the
    same transaction. Built by the service from the status machine."""

    now: datetime
    allowed_from: frozenset[Status]
    to: Status | None = None
    timer: Timer = Timer.KEEP
    auto_close_at: datetime | None = None  # with Timer.START
    remind_at: datetime | None = None  # with Timer.START: when to remind the customer (None: never)
    closed_reason: ClosedReason | None = None  # with to=CLOSED
    assignment: Assignment | None = None
    priority: Priority | None = None  # set when not None (operators' PATCH)
    tags: tuple[str, ...] | None = None  # replaced when not None (normalized)
    response_clock: ResponseClockEffect = ResponseClockEffect.KEEP
    first_response: bool = False  # a public operator reply: keep its time if it is the first
    # Escalation: the response clock's new alert stage, written only if the clock is still the
    # one it found (`expected_response_clock`).
    set_response_clock: ResponseClock | None = None
    message: Message | None = None
    words: frozenset[str] = field(default_factory=frozenset)
    # History entries appended by this same write (helpdesk.domain.history).
    entries: tuple[HistoryEntry, ...] = ()
    taking: Taking | None = None  # an operator's reply: take the ticket if nobody has it (no other entries)
    # Guards beyond the status:
    account_id: str | None = None  # customers may only touch their own account's tickets
    expected_version: int | None = None  # the version the caller saw (If-Match)
    expected_auto_close_at: datetime | None = None  # auto-close: the deadline it found due
    expected_response_clock: ResponseClock | None = None  # escalation: the clock it found at risk
    # Processing markers written in the same transaction (e.g. an inbound mail's ids): the change
    # happens at most once per marker.
    markers: tuple[str, ...] = ()


@dataclass(frozen=True)
class MergeSide:
    """A ticket as read for a merge, with its search words (the target takes the source's)."""

    ticket: Ticket
    words: frozenset[str]


@dataclass(frozen=True)
class ScopeDays:
    """The reports' aggregates of one scope: its day tallies from a day on (up to the latest),
    its backlog now, and the items DynamoDB read to answer."""

    days: dict[date, Tally]
    backlog_now: int
    items_read: int


@dataclass(frozen=True)
class DueTicket:
    ticket_id: str
    auto_close_at: datetime
    version: int


@dataclass(frozen=True)
class DueReminder:
    """A WAITING ticket whose customer is due a reminder that it will close at `auto_close_at`."""

    ticket_id: str
    remind_at: datetime
    auto_close_at: datetime


@dataclass(frozen=True)
class IndexedTicket:
    """A ticket as the search needs it: its fields and its searchable words."""

    ticket: Ticket
    words: frozenset[str]
    resolution: Resolution | None = None  # the last public operator reply


@dataclass(frozen=True)
class IndexPage:
    positions: list[str]  # "<created_at>#<ticket_id>", newest first
    more: bool  # the index goes on past the last position


# ------------------------------------------------------------------ protocols
class ThreadReader(Protocol):
    def thread(self, ticket_id: str) -> TicketThread | None:
        """The ticket and all its messages, oldest first; None if there is no such ticket."""


class SuppressionLog(Protocol):
    def record_suppressed(self, ticket_id: str, event_id: str, mail: SuppressedMail) -> None:
        """Keep, on the ticket, a mail that was not sent and why (once per stream record)."""


class NotifiedThreads(ThreadReader, SuppressionLog, Protocol):
    """What notifications read and keep about a ticket."""


class TicketWriter(Protocol):
    def create(
        self,
        ticket: Ticket,
        first_message: Message,
        words: frozenset[str],
        idempotency: IdempotencyRecord | None = None,
        markers: tuple[str, ...] = (),
        now: datetime | None = None,
    ) -> None:
        """Write a new ticket, its first message, the idempotency record and the markers at once.
        Raises TicketIdTaken, IdempotencyKeyTaken or AlreadyProcessed."""

    def apply(self, ticket_id: str, change: TicketChange) -> Ticket | None:
        """One conditional change: the updated ticket (None when a message was written with it).
        Raises ChangeRefused (a guard failed) or AlreadyProcessed (a marker exists)."""


class TicketStore(ThreadReader, TicketWriter, Protocol):
    """What the ticket service needs."""

    def idempotency_record(self, account_id: str, key: str) -> IdempotencyRecord | None: ...

    def list_tickets(
        self, filters: TicketFilters, *, account_id: str | None, limit: int, cursor: str | None
    ) -> TicketPage:
        """Tickets by newest activity (raises InvalidCursor for a cursor it did not hand out)."""

    def queue_page(self, filters: TicketFilters, *, limit: int, cursor: str | None) -> TicketPage:
        """Tickets in the queue's order (store/queue.py): unassigned first, the most urgent
        priority first, then the customer waiting longest (raises InvalidCursor)."""

    def running_clocks(self, department: str) -> Iterator[tuple[list[Ticket], int]]:
        """Pages of the department's tickets with an SLA response target running."""


class TicketMerges(Protocol):
    """What merging needs: both tickets in one read, both changes in one write."""

    def merge_pair(self, source_id: str, target_id: str) -> tuple[MergeSide | None, MergeSide | None]: ...

    def merge(
        self,
        source: MergeSide,
        target: MergeSide,
        *,
        now: datetime,
        source_entry: HistoryEntry,
        target_entry: HistoryEntry,
    ) -> Ticket:
        """The source as merged. Raises MergeConflict."""


class CannedReplies(Protocol):
    """The desk's canned replies: one item each."""

    def all(self) -> list[CannedReply]: ...

    def create(self, reply: CannedReply, max_replies: int) -> None:
        """Raises TooManyCannedReplies."""

    def update(self, reply: CannedReply, expected_version: int | None) -> CannedReply:
        """Title, body and department as given; the reply as stored. Raises CannedReplyGone."""

    def delete(self, reply_id: str) -> None:
        """Raises CannedReplyGone."""


class DueTickets(Protocol):
    """What auto-close needs: the due tickets, page by page with the items read, and a guarded write."""

    def due_tickets(self, now: datetime) -> Iterator[tuple[list[DueTicket], int]]: ...

    def apply(self, ticket_id: str, change: TicketChange) -> Ticket | None: ...


class DueReminders(Protocol):
    """What the reminder run needs: the reminders due, page by page with the items read, and the
    guarded write that records one."""

    def reminders_due(self, now: datetime) -> Iterator[tuple[list[DueReminder], int]]: ...

    def record_reminder(
        self, reminder: DueReminder, now: datetime, entries: tuple[HistoryEntry, ...] = ()
    ) -> None:
        """Mark the waiting period reminded and append `entries` to the ticket's history, in one
        write, only if the ticket is still WAITING with the same reminder time. Raises
        ChangeRefused when it is not (answered, closed, reminded already)."""


class Markers(Protocol):
    """Processing markers (exactly-once effects) and rate windows."""

    def is_marked(self, *markers: str) -> bool: ...

    def mark(self, marker: str, now: datetime, **details: str) -> bool:
        """False when it was already marked."""

    def claim_window(self, key: str, now: datetime, window: timedelta) -> bool:
        """True for the first claim of `key` in each `window`."""

    def take_quota(self, key: str, now: datetime, limit: int, window: timedelta) -> bool:
        """Count one use of `key` in the current fixed window; False once `limit` is reached."""


class AccountDirectory(Protocol):
    """What the mail services read about accounts."""

    def emails(self, account_id: str) -> list[AuthorizedEmail]:
        """The account's addresses, oldest first."""

    def language(self, account_id: str) -> str: ...

    def owner_of(self, address: str) -> str | None: ...


class AccountStore(AccountDirectory, Protocol):
    """What the account service needs."""

    def add_email(
        self, account_id: str, address: str, now: datetime, max_addresses: int, *, sign_in: bool = False
    ) -> AuthorizedEmail:
        """A confirmed address (seeding, the sign-in e-mail). Raises AddressTaken or
        TooManyAddresses (never for a sign-in address: those are not capped)."""

    def claim_email(
        self,
        account_id: str,
        address: str,
        nonce: str,
        expires_at: datetime,
        now: datetime,
        max_addresses: int,
    ) -> AuthorizedEmail:
        """A pending address, or a pending one with a new nonce and expiry. Raises
        TooManyAddresses, or ClaimNotFound when it is listed on the account but no longer pending."""

    def confirm_email(self, account_id: str, address: str, nonce: str | None, now: datetime) -> None:
        """Turn the account's pending claim (with this nonce; any, when None) into the owner of the
        address. Raises AddressTaken (confirmed first elsewhere, or already here) or ClaimNotFound."""

    def claims(self, address: str) -> list[PendingClaim]:
        """Every account's pending claim on the address."""

    def release_claims(self, address: str, except_account: str) -> int:
        """Remove the other accounts' pending claims on a confirmed address; how many went."""

    def remove_email(self, account_id: str, address: str, *, pending: bool = False) -> None:
        """Raises AddressNotFound (also when it is not in the state `pending` says)."""

    def set_language(self, account_id: str, language: str) -> None: ...

    def start_reconfirmation(self, account_id: str, address: str, nonce: str, expires_at: datetime) -> None:
        """A confirmed address marked undeliverable becomes pending again (a new claim with this
        nonce), keeping its mark until confirmed. Raises ClaimNotFound when it is not in that state."""


class SearchIndex(Protocol):
    """The word index (store.search_index) and the ticket reads a search makes."""

    def add(self, account_id: str, ticket_id: str, created_at: datetime, prefixes: Iterable[str]) -> int:
        """Index the ticket under these word prefixes; how many entries were written."""

    def newest(self, account_id: str | None, prefix: str, before: str | None, limit: int) -> IndexPage:
        """Positions of tickets with a word beginning with `prefix`, newest first, older than
        `before`: one account's, or every account's when account_id is None."""

    def tickets(self, ticket_ids: list[str]) -> dict[str, IndexedTicket]: ...

    def ticket(self, ticket_id: str) -> IndexedTicket | None: ...


class OperatorPreferenceStore(Protocol):
    """Operators' preferences (store.operators)."""

    def preferences(self, operator_id: str) -> OperatorPreferences | None: ...

    def all_preferences(self) -> dict[str, OperatorPreferences]: ...

    def save_preferences(self, operator_id: str, preferences: OperatorPreferences, now: datetime) -> None: ...


class UndeliverableMarks(Protocol):
    """What the mail feedback service needs: who owns an address, and the one conditional write."""

    def owner_of(self, address: str) -> str | None: ...

    def mark_undeliverable(
        self, account_id: str, address: str, mark: Undeliverable, sent_at: datetime
    ) -> None:
        """Mark the account's confirmed address. Raises MarkRefused (with why)."""
