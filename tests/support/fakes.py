"""In-memory implementations of the store's Protocols (helpdesk.store.protocols), for the unit
tests of the services. They keep the guarantees the services rely on: each write is all or
nothing, conditions are checked against the current state, markers make an effect happen once.
The DynamoDB classes are held to the same behaviour by tests/integration/."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta

from helpdesk.domain import history
from helpdesk.domain.canned import CannedReply
from helpdesk.domain.history import HistoryEntry
from helpdesk.domain.models import (
    AuthorizedEmail,
    ClosedReason,
    Message,
    Resolution,
    Role,
    SuppressedMail,
    Ticket,
    TicketFilters,
    TicketPage,
    TicketThread,
)
from helpdesk.domain.operators import DirectoryMember, OperatorPreferences
from helpdesk.domain.reports import BACKLOG, Scope, Tally
from helpdesk.domain.sla import AlertStage, ResponseClock, ResponseClockEffect, SlaTarget
from helpdesk.domain.status_machine import Status, Timer
from helpdesk.store.protocols import (
    AddressNotFound,
    AddressTaken,
    AlreadyProcessed,
    CannedReplyGone,
    ChangeRefused,
    ClaimNotFound,
    DueReminder,
    DueTicket,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    IndexedTicket,
    IndexPage,
    InvalidCursor,
    MergeConflict,
    MergeSide,
    PendingClaim,
    ScopeDays,
    TicketChange,
    TicketIdTaken,
    TooManyAddresses,
    TooManyCannedReplies,
)
from tests.support.fake_deliverability import InMemoryDeliverability


class InMemoryMarkers:
    def __init__(self) -> None:
        self.marked: dict[str, dict[str, str]] = {}
        self.windows: dict[str, datetime] = {}
        self.quotas: dict[tuple[str, int], int] = {}

    def is_marked(self, *markers: str) -> bool:
        return any(m in self.marked for m in markers)

    def mark(self, marker: str, now: datetime, **details: str) -> bool:
        if marker in self.marked:
            return False
        self.marked[marker] = dict(details)
        return True

    def claim_window(self, key: str, now: datetime, window: timedelta) -> bool:
        until = self.windows.get(key)
        if until is not None and until > now:
            return False
        self.windows[key] = now + window
        return True

    def take_quota(self, key: str, now: datetime, limit: int, window: timedelta) -> bool:
        seconds = int(window.total_seconds())
        slot = (key, int(now.timestamp()) // seconds)
        if self.quotas.get(slot, 0) >= limit:
            return False
        self.quotas[slot] = self.quotas.get(slot, 0) + 1
        return True

    def claim(self, markers: tuple[str, ...]) -> None:
        """Check-and-set the markers of a write (all or nothing)."""
        if self.is_marked(*markers):
            raise AlreadyProcessed
        for marker in markers:
            self.marked[marker] = {}


class InMemoryTickets:
    """TicketStore, DueTickets and ThreadReader. `before_write` runs once before the next write,
    which is how the unit tests stage a competing change (the integration tests do the same with
    botocore's event hooks on the real client)."""

    def __init__(self, markers: InMemoryMarkers | None = None) -> None:
        self.markers = markers or InMemoryMarkers()
        self.tickets: dict[str, Ticket] = {}
        self.messages: dict[str, list[Message]] = {}
        self.words: dict[str, set[str]] = {}
        self.answers: dict[str, Resolution] = {}  # the last public operator reply's `answer`
        self.suppressed: dict[str, dict[str, SuppressedMail]] = {}  # by ticket, by stream record
        self.idempotency: dict[tuple[str, str], IdempotencyRecord] = {}
        self.reminded: list[tuple[str, datetime]] = []  # (ticket, closes at) per reminder recorded
        self.writes = 0
        self._before_write: list[object] = []

    def before_next_write(self, competitor: object) -> None:
        self._before_write.append(competitor)

    def _write(self) -> None:
        self.writes += 1
        while self._before_write:
            competitor = self._before_write.pop(0)
            assert callable(competitor)
            competitor()

    # ---------------------------------------------------------------- TicketWriter
    def create(
        self,
        ticket: Ticket,
        first_message: Message,
        words: frozenset[str],
        idempotency: IdempotencyRecord | None = None,
        markers: tuple[str, ...] = (),
        now: datetime | None = None,
    ) -> None:
        self._write()
        if self.markers.is_marked(*markers):
            raise AlreadyProcessed
        if idempotency is not None:
            stored = self.idempotency.get((idempotency.account_id, idempotency.key))
            if stored is not None:
                raise IdempotencyKeyTaken(stored)
        if ticket.id in self.tickets:
            raise TicketIdTaken
        self.markers.claim(markers)
        if idempotency is not None:
            self.idempotency[(idempotency.account_id, idempotency.key)] = idempotency
        self.tickets[ticket.id] = ticket
        self.messages[ticket.id] = [first_message]
        self.words[ticket.id] = set(words)

    def apply(self, ticket_id: str, change: TicketChange) -> Ticket | None:
        self._write()
        current = self.tickets.get(ticket_id)
        if current is None or not _guards_hold(current, change):
            raise ChangeRefused(current)
        if change.message is not None:
            self.markers.claim(change.markers)
        updated = _changed(current, change)
        self.tickets[ticket_id] = updated
        self.words[ticket_id] |= set(change.words)
        if change.message is not None:
            self.messages[ticket_id].append(change.message)
            message = change.message
            if message.author_role is Role.OPERATOR and not message.internal:
                self.answers[ticket_id] = Resolution(message.id, message.body[:2_000], message.created_at)
            return None
        return updated

    # ---------------------------------------------------------------- readers
    def idempotency_record(self, account_id: str, key: str) -> IdempotencyRecord | None:
        return self.idempotency.get((account_id, key))

    def ticket(self, ticket_id: str) -> Ticket | None:
        return self.tickets.get(ticket_id)

    def ticket_unless_marked(self, ticket_id: str, marker: str) -> tuple[bool, Ticket | None]:
        return self.markers.is_marked(marker), self.tickets.get(ticket_id)

    def thread(self, ticket_id: str) -> TicketThread | None:
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            return None
        own_and_merged = [m for t in (ticket_id, *ticket.merged_from) for m in self.messages[t]]
        ordered = sorted(own_and_merged, key=lambda m: (m.created_at, m.id))
        suppressed = [mail for _event, mail in sorted(self.suppressed.get(ticket_id, {}).items())]
        return TicketThread(ticket, ordered, suppressed_mail=sorted(suppressed, key=lambda m: m.at))

    def record_suppressed(self, ticket_id: str, event_id: str, mail: SuppressedMail) -> None:
        self.writes += 1
        self.suppressed.setdefault(ticket_id, {}).setdefault(event_id, mail)

    # ---------------------------------------------------------------- TicketMerges
    def merge_pair(self, source_id: str, target_id: str) -> tuple[MergeSide | None, MergeSide | None]:
        def side(ticket_id: str) -> MergeSide | None:
            ticket = self.tickets.get(ticket_id)
            return MergeSide(ticket, frozenset(self.words[ticket_id])) if ticket else None

        return side(source_id), side(target_id)

    def merge(
        self,
        source: MergeSide,
        target: MergeSide,
        *,
        now: datetime,
        source_entry: HistoryEntry,
        target_entry: HistoryEntry,
    ) -> Ticket:
        self._write()
        current_source = self.tickets.get(source.ticket.id)
        current_target = self.tickets.get(target.ticket.id)
        source_holds = (
            current_source is not None
            and current_source.version == source.ticket.version
            and current_source.merged_into is None
        )
        target_holds = (
            current_target is not None
            and current_target.merged_into is None
            and current_target.account_id == source.ticket.account_id
        )
        if not (source_holds and target_holds):
            raise MergeConflict(
                None if source_holds else current_source,
                None if target_holds else current_target,
                source_failed=not source_holds,
            )
        assert current_source is not None
        assert current_target is not None
        merged = replace(
            current_source,
            status=Status.CLOSED,
            closed_at=now,
            closed_reason=ClosedReason.MERGED,
            merged_into=current_target.id,
            updated_at=now,
            version=current_source.version + 1,
            auto_close_at=None,
            response_clock=None,
            history=(*current_source.history, source_entry),
        )
        self.tickets[merged.id] = merged
        self.tickets[current_target.id] = replace(
            current_target,
            updated_at=now,
            version=current_target.version + 1,
            merged_from=tuple(sorted({*current_target.merged_from, merged.id, *current_source.merged_from})),
            history=(*current_target.history, target_entry),
        )
        self.words[current_target.id] |= self.words[merged.id]
        return merged

    def list_tickets(
        self, filters: TicketFilters, *, account_id: str | None, limit: int, cursor: str | None
    ) -> TicketPage:
        partition = f"account:{account_id}" if account_id is not None else "all"
        matching = [
            t
            for t in sorted(self.tickets.values(), key=lambda t: (t.updated_at, t.id), reverse=True)
            if (account_id is None or t.account_id == account_id) and self._matches(t, filters)
        ]
        start = _decode(cursor, partition) if cursor else 0
        page = matching[start : start + limit]
        more = start + limit < len(matching)
        return TicketPage(page, _encode(partition, start + limit) if more else None)

    def queue_page(self, filters: TicketFilters, *, limit: int, cursor: str | None) -> TicketPage:
        matching = sorted((t for t in self.tickets.values() if self._matches(t, filters)), key=queue_order)
        start = _decode(cursor, "queue") if cursor else 0
        more = start + limit < len(matching)
        return TicketPage(matching[start : start + limit], _encode("queue", start + limit) if more else None)

    def _matches(self, ticket: Ticket, filters: TicketFilters) -> bool:
        return (
            (filters.status is None or ticket.status is filters.status)
            and (filters.department is None or ticket.department == filters.department)
            and (filters.assignee is None or ticket.assignee == filters.assignee)
            and (filters.priority is None or ticket.priority is filters.priority)
            and (filters.tag is None or filters.tag in ticket.tags)
            and (filters.account_id is None or ticket.account_id == filters.account_id)
        )

    def due_tickets(self, now: datetime) -> Iterator[tuple[list[DueTicket], int]]:
        due = [
            DueTicket(t.id, t.auto_close_at, t.version)
            for t in sorted(self.tickets.values(), key=lambda t: (t.auto_close_at or now, t.id))
            if t.status is Status.WAITING and t.auto_close_at is not None and t.auto_close_at <= now
        ]
        yield due, len(due)

    # ---------------------------------------------------------------- DueReminders
    def reminders_due(self, now: datetime) -> Iterator[tuple[list[DueReminder], int]]:
        due = [
            DueReminder(t.id, t.remind_at, t.auto_close_at)
            for t in sorted(self.tickets.values(), key=lambda t: (t.remind_at or now, t.id))
            if t.status is Status.WAITING
            and t.remind_at is not None
            and t.auto_close_at is not None
            and t.remind_at <= now
        ]
        yield due, len(due)

    def record_reminder(
        self, reminder: DueReminder, now: datetime, entries: tuple[HistoryEntry, ...] = ()
    ) -> None:
        self._write()
        current = self.tickets.get(reminder.ticket_id)
        if (
            current is None
            or current.status is not Status.WAITING
            or current.remind_at != reminder.remind_at
            or current.auto_close_at != reminder.auto_close_at
        ):
            raise ChangeRefused(None)
        self.tickets[reminder.ticket_id] = replace(
            current, remind_at=None, history=(*current.history, *entries)
        )
        self.reminded.append((reminder.ticket_id, reminder.auto_close_at))

    # ---------------------------------------------------------------- SLA (ResponseClocks)
    def clocks_started_by(
        self, department: str, target: SlaTarget, stage: AlertStage, moment: datetime
    ) -> Iterator[tuple[list[Ticket], int]]:
        found = [
            t
            for t in self.running_clocks_list(department)
            if t.response_clock is not None
            and (t.response_clock.target, t.response_clock.stage) == (target, stage)
            and t.response_clock.since <= moment
        ]
        yield found, len(found)

    def priority_clocks_started_by(
        self, priority: str, target: SlaTarget, stage: AlertStage, moment: datetime
    ) -> Iterator[tuple[list[Ticket], int]]:
        # As the sla_by_priority index: the clocks of tickets whose priority is not normal.
        found = sorted(
            (
                t
                for t in self.tickets.values()
                if t.priority.value == priority != "normal"
                and t.response_clock is not None
                and (t.response_clock.target, t.response_clock.stage) == (target, stage)
                and t.response_clock.since <= moment
            ),
            key=lambda t: (t.response_clock.since if t.response_clock else t.created_at, t.id),
        )
        yield found, len(found)

    def running_clocks(self, department: str) -> Iterator[tuple[list[Ticket], int]]:
        found = self.running_clocks_list(department)
        yield found, len(found)

    def running_clocks_list(self, department: str) -> list[Ticket]:
        return sorted(
            (t for t in self.tickets.values() if t.department == department and t.response_clock is not None),
            key=lambda t: (t.response_clock.since if t.response_clock else t.created_at, t.id),
        )

    def record_alert(
        self,
        ticket_id: str,
        *,
        found: ResponseClock,
        alerted: ResponseClock,
        entry: HistoryEntry,
        marker: str,
        now: datetime,
    ) -> None:
        self._write()
        current = self.tickets.get(ticket_id)
        if self.markers.is_marked(marker):
            raise AlreadyProcessed
        if current is None or current.status is not Status.OPEN or current.response_clock != found:
            raise ChangeRefused(None)
        self.markers.claim((marker,))
        self.tickets[ticket_id] = replace(current, response_clock=alerted, history=(*current.history, entry))


def queue_order(ticket: Ticket) -> tuple[bool, int, bool, datetime | None, str]:
    """The queue's rule, from the ticket itself: unassigned first, the most urgent priority
    first, then the customer who has waited longest for an answer (tickets nobody owes one to
    after those), the ticket number last."""
    since = ticket.response_clock.since if ticket.response_clock else None
    return (
        ticket.assignee is not None,
        ticket.priority.rank,
        since is None,
        since,
        ticket.id.removeprefix("NZ-"),
    )


def _guards_hold(ticket: Ticket, change: TicketChange) -> bool:
    return (
        ticket.merged_into is None
        and ticket.status in change.allowed_from
        and (change.account_id is None or ticket.account_id == change.account_id)
        and (change.expected_version is None or ticket.version == change.expected_version)
        and (change.expected_auto_close_at is None or ticket.auto_close_at == change.expected_auto_close_at)
        and (
            change.expected_response_clock is None or ticket.response_clock == change.expected_response_clock
        )
    )


def _changed(ticket: Ticket, change: TicketChange) -> Ticket:
    updated = replace(ticket, updated_at=change.now, version=ticket.version + 1)
    if change.to is not None:
        closing = change.to is Status.CLOSED
        updated = replace(
            updated,
            status=change.to,
            closed_at=change.now if closing else None,
            closed_reason=(change.closed_reason or ClosedReason.OPERATOR) if closing else None,
        )
    if change.timer is Timer.START:
        updated = replace(updated, auto_close_at=change.auto_close_at, remind_at=change.remind_at)
    elif change.timer is Timer.CLEAR:
        updated = replace(updated, auto_close_at=None, remind_at=None)
    if change.set_response_clock is not None:
        updated = replace(updated, response_clock=change.set_response_clock)
    elif change.response_clock is ResponseClockEffect.START_NEXT and updated.response_clock is None:
        updated = replace(updated, response_clock=ResponseClock(SlaTarget.NEXT_RESPONSE, change.now))
    elif change.response_clock is ResponseClockEffect.STOP:
        updated = replace(updated, response_clock=None)
    assignment = change.assignment
    if assignment is not None:
        updated = replace(updated, assignee=assignment.assignee, assignee_name=assignment.name)
    if change.entries:
        updated = replace(updated, history=history.spelled_out(updated.history + change.entries))
    if change.priority is not None:
        updated = replace(updated, priority=change.priority)
    if change.tags is not None:
        updated = replace(updated, tags=change.tags)
    taking = change.taking
    if taking is not None and ticket.assignee is None:  # as the table's if_not_exists does
        updated = replace(
            updated,
            assignee=taking.assignment.assignee,
            assignee_name=taking.assignment.name,
            history=(*updated.history, taking.entry),
        )
    return updated


def _encode(partition: str, position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([partition, position]).encode()).decode()


def _decode(cursor: str, partition: str) -> int:
    try:
        found, position = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        raise InvalidCursor(cursor) from None
    if found != partition or not isinstance(position, int):
        raise InvalidCursor(cursor)
    return position


class InMemoryAccounts(InMemoryDeliverability):
    """AccountStore: owners (confirmed addresses), listings (every account's list, pending or
    confirmed) and claims, with the same conditions as the DynamoDB store. `before_next_write`
    stages a competing request just before the next write, as in InMemoryTickets."""

    def __init__(self) -> None:
        self.owners: dict[str, AuthorizedEmail] = {}
        self.listings: dict[tuple[str, str], AuthorizedEmail] = {}
        self.claimed: dict[tuple[str, str], PendingClaim] = {}  # (address, account)
        self.confirmed_at: dict[tuple[str, str], datetime] = {}
        self.languages: dict[str, str] = {}
        self.reads = 0
        self.writes = 0
        self._before_write: list[object] = []

    def before_next_write(self, competitor: object) -> None:
        self._before_write.append(competitor)

    def _write(self) -> None:
        self.writes += 1
        while self._before_write:
            competitor = self._before_write.pop(0)
            assert callable(competitor)
            competitor()

    def add_email(
        self, account_id: str, address: str, now: datetime, max_addresses: int, *, sign_in: bool = False
    ) -> AuthorizedEmail:
        self._write()
        if address in self.owners:
            raise AddressTaken(self.owners[address].account_id)
        if (account_id, address) in self.listings:
            raise AddressTaken(account_id)
        if not sign_in and self._counted(account_id) >= max_addresses:
            raise TooManyAddresses
        entry = AuthorizedEmail(address, account_id, now, sign_in=sign_in)
        self.owners[address] = entry
        self.listings[(account_id, address)] = entry
        return entry

    def claim_email(
        self,
        account_id: str,
        address: str,
        nonce: str,
        expires_at: datetime,
        now: datetime,
        max_addresses: int,
    ) -> AuthorizedEmail:
        current = self.listings.get((account_id, address))  # read first, as the DynamoDB store does
        self._write()
        now_listed = self.listings.get((account_id, address))
        if (current is None and now_listed is not None) or (
            now_listed is not None and not now_listed.pending
        ):
            raise ClaimNotFound
        if current is None and self._counted(account_id) >= max_addresses:
            raise TooManyAddresses
        entry = (
            replace(current, expires_at=expires_at)  # asked again: the rest of the listing stays
            if current
            else AuthorizedEmail(address, account_id, now, pending=True, expires_at=expires_at)
        )
        self.listings[(account_id, address)] = entry
        self.claimed[(address, account_id)] = PendingClaim(account_id, address, nonce, expires_at)
        return entry

    def confirm_email(self, account_id: str, address: str, nonce: str | None, now: datetime) -> None:
        self._write()
        if address in self.owners:
            raise AddressTaken(self.owners[address].account_id)
        listed = self.listings.get((account_id, address))
        claim = self.claimed.get((address, account_id))
        if listed is None or not listed.pending or claim is None or nonce not in (None, claim.nonce):
            raise ClaimNotFound
        confirmed = replace(listed, pending=False, expires_at=None, undeliverable=None)
        self.listings[(account_id, address)] = confirmed
        self.confirmed_at[(account_id, address)] = now
        self.owners[address] = confirmed
        del self.claimed[(address, account_id)]

    def claims(self, address: str) -> list[PendingClaim]:
        self.reads += 1
        return [c for (a, _), c in self.claimed.items() if a == address]

    def release_claims(self, address: str, except_account: str) -> int:
        released = 0
        for claim in self.claims(address):
            if claim.account_id != except_account:
                self.remove_email(claim.account_id, address, pending=True)
                released += 1
        return released

    def remove_email(self, account_id: str, address: str, *, pending: bool = False) -> None:
        self._write()
        listed = self.listings.get((account_id, address))
        if listed is None or listed.pending is not pending:
            raise AddressNotFound
        if not pending:
            owner = self.owners.get(address)
            if owner is None or owner.account_id != account_id:
                raise AddressNotFound
            del self.owners[address]
        self.claimed.pop((address, account_id), None)
        del self.listings[(account_id, address)]

    def emails(self, account_id: str) -> list[AuthorizedEmail]:
        self.reads += 1
        return sorted(self._of(account_id), key=lambda e: (e.added_at, e.email))

    def _counted(self, account_id: str) -> int:
        return sum(1 for e in self._of(account_id) if not e.sign_in)

    def _of(self, account_id: str) -> list[AuthorizedEmail]:
        return [e for (a, _), e in self.listings.items() if a == account_id]

    def language(self, account_id: str) -> str:
        return self.languages.get(account_id, "es")

    def set_language(self, account_id: str, language: str) -> None:
        self.languages[account_id] = language

    def owner_of(self, address: str) -> str | None:
        entry = self.owners.get(address)
        return entry.account_id if entry else None


class InMemoryCannedReplies:
    """CannedReplies: one entry per reply, a count guarded like the table's counter item."""

    def __init__(self) -> None:
        self.replies: dict[str, CannedReply] = {}
        self.writes = 0

    def all(self) -> list[CannedReply]:
        return list(self.replies.values())

    def create(self, reply: CannedReply, max_replies: int) -> None:
        self.writes += 1
        if len(self.replies) >= max_replies:
            raise TooManyCannedReplies
        self.replies[reply.id] = reply

    def update(self, reply: CannedReply, expected_version: int | None) -> CannedReply:
        self.writes += 1
        current = self.replies.get(reply.id)
        if current is None or (expected_version is not None and current.version != expected_version):
            raise CannedReplyGone(current)
        stored = replace(
            current,
            title=reply.title,
            body=reply.body,
            department=reply.department,
            updated_at=reply.updated_at,
            version=current.version + 1,
        )
        self.replies[reply.id] = stored
        return stored

    def delete(self, reply_id: str) -> None:
        self.writes += 1
        if self.replies.pop(reply_id, None) is None:
            raise CannedReplyGone(None)


class InMemoryFileBucket:
    """The bucket services.files uses: uploads land through `post` as S3 would store a form's
    file (the fields the grant fixed), tags are set by a test as the malware scanner would."""

    def __init__(self) -> None:
        from helpdesk.domain.files import StoredUpload

        self._stored_type = StoredUpload
        self.objects: dict[str, tuple[bytes, str, dict[str, str]]] = {}
        self.tags: dict[str, dict[str, str]] = {}
        self.forms: dict[str, dict[str, str]] = {}  # key -> the fields handed out

    def presigned_post(
        self, key: str, *, content_type: str, metadata: dict[str, str], max_bytes: int, expires_in: int
    ) -> tuple[str, dict[str, str]]:
        fields = {
            "key": key,
            "Content-Type": content_type,
            **{f"x-amz-meta-{k}": v for k, v in metadata.items()},
        }
        self.forms[key] = {**fields, "max_bytes": str(max_bytes)}
        return "https://bucket.example/", fields

    def post(self, fields: dict[str, str], body: bytes) -> None:
        meta = {k.removeprefix("x-amz-meta-"): v for k, v in fields.items() if k.startswith("x-amz-meta-")}
        self.objects[fields["key"]] = (body, fields["Content-Type"], meta)

    def head(self, key: str) -> object | None:
        if key not in self.objects:
            return None
        body, content_type, meta = self.objects[key]
        return self._stored_type(size=len(body), content_type=content_type, metadata=dict(meta))

    def copy(self, source: str, destination: str) -> None:
        self.objects[destination] = self.objects[source]
        if source in self.tags:
            self.tags[destination] = dict(self.tags[source])

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def scan_status(self, key: str) -> str | None:
        return self.tags.get(key, {}).get("GuardDutyMalwareScanStatus")

    def download_url(self, key: str, filename: str, content_type: str, expires_in: int = 300) -> str:
        return f"https://bucket.example/{key}?name={filename}&type={content_type}"


class InMemoryReportStore:
    """The reports' aggregates: day tallies and running backlogs per scope, each record's
    additions all or nothing and once (its marker)."""

    def __init__(self) -> None:
        self.days: dict[Scope, dict[date, Tally]] = {}
        self.backlog: dict[Scope, int] = {}
        self.marked: set[str] = set()

    def record(self, event_id: str, tallies: Mapping[tuple[Scope, date], Tally], now: datetime) -> None:
        if event_id in self.marked:
            raise AlreadyProcessed
        self.marked.add(event_id)
        for (scope, day), tally in tallies.items():
            self.days.setdefault(scope, {}).setdefault(day, Tally()).add(tally)
            self.backlog[scope] = self.backlog.get(scope, 0) + tally.counts.get(BACKLOG, 0)

    def days_from(self, scope: Scope, start: date) -> ScopeDays:
        days = {day: tally for day, tally in self.days.get(scope, {}).items() if day >= start}
        return ScopeDays(days, self.backlog.get(scope, 0), len(days) + 1)


class InMemorySearchIndex:
    """SearchIndex over InMemoryTickets: entries as (account, prefix) -> positions. sync() plays
    the stream: every ticket whose words grew since the last sync is handed to the indexer, as
    SearchWordsAdded, exactly as functions/index_search does with the stream's records."""

    def __init__(self, tickets: InMemoryTickets) -> None:
        self._tickets = tickets
        self.entries: dict[tuple[str, str], set[str]] = {}
        self.synced: dict[str, frozenset[str]] = {}
        self.reads = 0  # entries and tickets read, as DynamoDB would count them

    def sync(self, indexer: object) -> None:
        from helpdesk.domain.events import SearchWordsAdded

        handle = getattr(indexer, "handle")  # noqa: B009 - any object with handle(event)
        for ticket_id, words in self._tickets.words.items():
            known = self.synced.get(ticket_id, frozenset())
            if set(words) - known:
                ticket = self._tickets.tickets[ticket_id]
                handle(
                    SearchWordsAdded(
                        f"ev-{ticket_id}-{len(words)}",
                        ticket_id,
                        ticket.account_id,
                        ticket.created_at,
                        frozenset(words) - known,
                        known,
                    )
                )
                self.synced[ticket_id] = frozenset(words)

    def add(self, account_id: str, ticket_id: str, created_at: datetime, prefixes: Iterable[str]) -> int:
        from helpdesk.store.search_index import position

        written = 0
        for prefix in prefixes:
            self.entries.setdefault((account_id, prefix), set()).add(position(created_at, ticket_id))
            written += 1
        return written

    def newest(self, account_id: str | None, prefix: str, before: str | None, limit: int) -> IndexPage:
        found = {
            p
            for (account, key), positions in self.entries.items()
            if key == prefix and (account_id is None or account == account_id)
            for p in positions
        }
        ordered = sorted((p for p in found if before is None or p < before), reverse=True)
        self.reads += min(len(ordered), limit)
        return IndexPage(ordered[:limit], len(ordered) > limit)

    def tickets(self, ticket_ids: list[str]) -> dict[str, IndexedTicket]:
        found = {t: self.ticket(t) for t in ticket_ids}
        return {t: found_ticket for t, found_ticket in found.items() if found_ticket is not None}

    def ticket(self, ticket_id: str) -> IndexedTicket | None:
        ticket = self._tickets.tickets.get(ticket_id)
        if ticket is None:
            return None
        self.reads += 1
        words = frozenset(self._tickets.words[ticket_id])
        return IndexedTicket(ticket, words, self._tickets.answers.get(ticket_id))


class InMemoryOperatorGroup:
    """The operators group (GroupMembers): `calls` counts the directory's reads of it."""

    def __init__(self, *members: DirectoryMember) -> None:
        self.everyone: list[DirectoryMember] = list(members)
        self.calls = 0

    def members(self) -> list[DirectoryMember]:
        self.calls += 1
        return list(self.everyone)


class InMemoryOperatorPreferences:
    """OperatorPreferenceStore."""

    def __init__(self) -> None:
        self.saved: dict[str, OperatorPreferences] = {}
        self.reads = 0

    def preferences(self, operator_id: str) -> OperatorPreferences | None:
        self.reads += 1
        return self.saved.get(operator_id)

    def all_preferences(self) -> dict[str, OperatorPreferences]:
        self.reads += 1
        return dict(self.saved)

    def save_preferences(self, operator_id: str, preferences: OperatorPreferences, now: datetime) -> None:
        self.saved[operator_id] = preferences
