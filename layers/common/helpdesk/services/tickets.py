"""Ticket operations: who may do what, and what each action changes, per the status machine.
Every operation is one request to the table (see helpdesk.store.tickets)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from helpdesk.clock import to_iso
from helpdesk.config import Department, Settings
from helpdesk.domain import history, ids, search
from helpdesk.domain.attributes import Priority
from helpdesk.domain.errors import (
    FieldProblem,
    IdempotencyKeyReused,
    InvalidInput,
    NotAllowed,
    NotFound,
    TicketNotFound,
)
from helpdesk.domain.history import EntryCode, HistoryEntry
from helpdesk.domain.limits import IDEMPOTENCY_TTL
from helpdesk.domain.models import (
    AttachmentRef,
    Caller,
    Channel,
    ClosedReason,
    EmailOrigin,
    Message,
    Ticket,
    TicketFilters,
    TicketPage,
    TicketThread,
)
from helpdesk.domain.sla import (
    ResponseClock,
    SlaPolicies,
    SlaTarget,
    SlaView,
    due_at,
    sla_view,
)
from helpdesk.domain.status_machine import Action, Status
from helpdesk.observability import logger
from helpdesk.services import changes
from helpdesk.services.departments import known_department
from helpdesk.services.ticket_attributes import attribute_filter
from helpdesk.store.protocols import (
    Assignment,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    InvalidCursor,
    Taking,
    TicketIdTaken,
    TicketStore,
)

MAX_ID_ATTEMPTS = 5


class TicketService:
    def __init__(
        self,
        store: TicketStore,
        settings: Settings,
        *,
        ticket_ids: Callable[[], str] | None = None,
        sla_policies: Callable[[], SlaPolicies] | None = None,
        message_ids: Callable[[], str] | None = None,
    ) -> None:
        self._store = store
        self._settings = settings
        # Looked up at each call unless given: a test may replace helpdesk.domain.ids' functions.
        self._ticket_ids = ticket_ids or (lambda: ids.new_ticket_id())
        self._message_ids = message_ids or (lambda: ids.new_message_id())
        self._sla_policies = sla_policies

    # ---------------------------------------------------------------- reading
    def departments(self) -> tuple[Department, ...]:
        return self._settings.departments

    def get_ticket(self, caller: Caller, ticket_id: str) -> TicketThread:
        canonical = self._canonical_id(ticket_id)
        thread = self._store.thread(canonical)
        if thread is None or not self._may_see(caller, thread.ticket):
            raise TicketNotFound(canonical)
        if caller.is_operator:
            return thread
        # Customers never see internal notes, operators-only entries, nor the desk's record of
        # mail it did not send.
        shown = tuple(e for e in thread.ticket.history if history.visible_to(e, caller))
        return replace(
            thread,
            ticket=replace(thread.ticket, history=shown),
            messages=[m for m in thread.messages if not m.internal],
            suppressed_mail=[],
        )

    def attachment(self, caller: Caller, ticket_id: str, message_id: str, index: int) -> AttachmentRef:
        """An attachment of a message the caller may read (404 otherwise, as for the ticket)."""
        thread = self.get_ticket(caller, ticket_id)
        message = next((m for m in thread.messages if m.id == message_id), None)
        if message is None or not 0 <= index < len(message.attachments):
            raise NotFound("no_such_attachment", ticket_id=thread.ticket.id)
        return message.attachments[index]

    def list_tickets(
        self,
        caller: Caller,
        *,
        status: Status | None = None,
        department: str | None = None,
        assignee: str | None = None,
        priority: Priority | None = None,
        tag: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
        in_queue_order: bool = False,
        account_id: str | None = None,
    ) -> TicketPage:
        """Listings; a search by words or tracking ID is services.search.TicketSearch."""
        if department is not None:
            known_department(self._settings, department)
        attribute_filter(caller, priority, tag)
        filters = TicketFilters(
            status=status,
            department=department,
            assignee=assignee,
            priority=priority,
            tag=tag,
            account_id=account_id,
        )
        if in_queue_order and not caller.is_operator:
            raise NotAllowed("queue_sort_operators_only")
        if account_id is not None and not caller.is_operator:
            raise NotAllowed("account_filter_operators_only")
        account = account_id if caller.is_operator else self._account_of(caller)
        try:
            if in_queue_order:
                return self._store.queue_page(filters, limit=limit, cursor=cursor)
            return self._store.list_tickets(filters, account_id=account, limit=limit, cursor=cursor)
        except InvalidCursor:
            raise InvalidInput("cursor_invalid", details=[FieldProblem("cursor", "not_a_cursor")]) from None

    # ---------------------------------------------------------------- SLA
    def sla_of(self, caller: Caller, ticket: Ticket, now: datetime) -> SlaView | None:
        """The ticket's SLA response clock as of `now`, for operators (None for customers)."""
        if not caller.is_operator or self._sla_policies is None:
            return None
        policy = self._sla_policies().for_ticket(ticket.department, ticket.priority.value)
        return sla_view(ticket.status, ticket.response_clock, policy, now)

    def slas_of(self, caller: Caller, tickets: list[Ticket], now: datetime) -> dict[str, SlaView]:
        views = {t.id: self.sla_of(caller, t, now) for t in tickets}
        return {ticket_id: view for ticket_id, view in views.items() if view is not None}

    def tickets_by_due(
        self, caller: Caller, *, department: str | None, limit: int, cursor: str | None
    ) -> TicketPage:
        """The tickets awaiting an answer, the one whose response target falls due first first
        (operators). Reads the SLA index only: its cost grows with the tickets awaiting an
        answer, not with the table."""
        if not caller.is_operator:
            raise NotAllowed("due_sort_operators_only")
        if self._sla_policies is None:
            raise RuntimeError("the ticket service was built without SLA policies")
        policies = self._sla_policies()
        departments = (
            [known_department(self._settings, department).id]
            if department
            else [d.id for d in self.departments()]
        )
        queue: list[tuple[str, str, Ticket]] = []
        for department_id in departments:
            for page, _read in self._store.running_clocks(department_id):
                for ticket in page:
                    if ticket.response_clock is None:
                        continue
                    policy = policies.for_ticket(ticket.department, ticket.priority.value)
                    queue.append((to_iso(due_at(ticket.response_clock, policy)), ticket.id, ticket))
        queue.sort(key=lambda entry: (entry[0], entry[1]))
        after = _due_cursor_position(cursor) if cursor else None
        remaining = [e for e in queue if after is None or (e[0], e[1]) > after]
        page_items = remaining[:limit]
        more = len(remaining) > limit
        next_cursor = _due_cursor(page_items[-1][0], page_items[-1][1]) if more and page_items else None
        return TicketPage([ticket for _due, _id, ticket in page_items], next_cursor)

    # ---------------------------------------------------------------- opening
    def open_ticket(
        self,
        caller: Caller,
        *,
        department: str,
        subject: str,
        body: str,
        now: datetime,
        channel: Channel = Channel.WEB,
        idempotency_key: str | None = None,
        email: EmailOrigin | None = None,
        attachments: tuple[AttachmentRef, ...] = (),
        markers: tuple[str, ...] = (),
        opened_by: Caller | None = None,
    ) -> Ticket:
        """Open a ticket. `markers` make it happen at most once per marker (AlreadyProcessed).
        `opened_by`: the operator who opens it for the customer `caller` stands for
        (services/tickets_for_customers.py); the ticket's history says so from its first write."""
        if caller.is_operator:
            raise NotAllowed("operators_do_not_open")
        account_id = self._account_of(caller)
        known_department(self._settings, department)
        request_hash = hashlib.sha256(
            json.dumps([department, subject, body], ensure_ascii=False).encode()
        ).hexdigest()
        words = frozenset(search.words(subject) | search.words(body))
        for _attempt in range(MAX_ID_ATTEMPTS):
            ticket = Ticket(
                id=self._ticket_ids(),
                status=Status.OPEN,
                department=department,
                subject=subject,
                account_id=account_id,
                created_at=now,
                updated_at=now,
                version=1,
                response_clock=ResponseClock(SlaTarget.FIRST_RESPONSE, now),
                history=(history.entry(EntryCode.OPENED_ON_BEHALF, now, opened_by, channel=channel.value),)
                if opened_by is not None
                else (),
            )
            first = replace(
                self._message(ticket.id, caller, body, now, channel, email=email, attachments=attachments),
                opened_by=opened_by.name if opened_by is not None else None,
                opened_by_id=opened_by.id if opened_by is not None else None,
            )
            record = None
            if idempotency_key is not None:
                record = IdempotencyRecord(
                    account_id=account_id,
                    key=idempotency_key,
                    request_hash=request_hash,
                    ticket=ticket,
                    expires_at=int((now + IDEMPOTENCY_TTL).timestamp()),
                )
            try:
                self._store.create(ticket, first, words, record, markers)
            except TicketIdTaken:
                logger.info("ticket id collision, drawing another", extra={"ticket_id": ticket.id})
                continue
            except IdempotencyKeyTaken as taken:
                assert idempotency_key is not None
                return self._replay(taken.record, account_id, idempotency_key, request_hash)
            return ticket
        raise RuntimeError(f"no free ticket ID after {MAX_ID_ATTEMPTS} attempts")

    def _replay(
        self, record: IdempotencyRecord | None, account_id: str, key: str, request_hash: str
    ) -> Ticket:
        """The ticket an earlier request with the same Idempotency-Key created, as it was created
        (the same answer the first request got)."""
        if record is None:  # the failed write did not return it: read it
            record = self._store.idempotency_record(account_id, key)
        if record is None:  # only if the record expired between the write and this read
            raise IdempotencyKeyReused("idempotency_key_expired")
        if record.request_hash != request_hash:
            raise IdempotencyKeyReused("idempotency_key_reused")
        return record.ticket

    # ---------------------------------------------------------------- changing
    def reply(
        self,
        caller: Caller,
        ticket_id: str,
        *,
        body: str,
        now: datetime,
        internal: bool = False,
        expected_version: int | None = None,
        channel: Channel = Channel.WEB,
        email: EmailOrigin | None = None,
        attachments: tuple[AttachmentRef, ...] = (),
        markers: tuple[str, ...] = (),
    ) -> Message:
        if internal and not caller.is_operator:
            raise NotAllowed("notes_operators_only")
        if internal:
            action = Action.INTERNAL_NOTE
        elif caller.is_operator:
            action = Action.OPERATOR_REPLY
        else:
            action = Action.CUSTOMER_REPLY
        canonical = self._canonical_id(ticket_id)
        message = self._message(
            canonical, caller, body, now, channel, internal, email=email, attachments=attachments
        )
        what = changes.What(
            message=message,
            words=frozenset() if internal else frozenset(search.words(body)),
            markers=markers,
            reopening=history.reopened(now, caller, by_reply=True)
            if action is Action.CUSTOMER_REPLY
            else None,
            # The operator takes the ticket and answers: a reply to an unassigned ticket assigns
            # it to the replier in the same write (with its history entry).
            taking=Taking(
                Assignment(caller.id, caller.name, caller.id),
                history.entry(EntryCode.ASSIGNED, now, caller, assignee=caller.name, how="reply"),
            )
            if action is Action.OPERATOR_REPLY
            else None,
        )
        return changes.write_message(
            self._store, self._settings, caller, canonical, action, now, expected_version, what
        )

    def assign(
        self,
        caller: Caller,
        ticket_id: str,
        *,
        now: datetime,
        assignment: Assignment | None = None,
        expected_version: int | None = None,
    ) -> Ticket:
        """Assign (or unassign) the ticket; the caller takes it when `assignment` is None. Who
        may be an assignee is services.assignment's concern (the operator directory). The history
        entry (assigned to whom, or unassigned) is written by the assignment's own write."""
        if not caller.is_operator:
            raise NotAllowed("assign_operators_only")
        assignment = assignment or Assignment(caller.id, caller.name, caller.id)
        if assignment.assignee is None:
            entry = history.entry(EntryCode.UNASSIGNED, now, caller)
        elif assignment.assignee == caller.id:
            entry = history.entry(EntryCode.ASSIGNED, now, caller, assignee=caller.name, how="self")
        else:
            entry = history.entry(EntryCode.ASSIGNED, now, caller, assignee=assignment.name or "")
        return self._changed_ticket(
            caller,
            self._canonical_id(ticket_id),
            Action.ASSIGN,
            now,
            expected_version,
            assignment=assignment,
            entries=(entry,),
        )

    def close(
        self, caller: Caller, ticket_id: str, *, now: datetime, expected_version: int | None = None
    ) -> Ticket:
        reason = ClosedReason.OPERATOR if caller.is_operator else ClosedReason.CUSTOMER
        return self._changed_ticket(
            caller,
            self._canonical_id(ticket_id),
            Action.CLOSE,
            now,
            expected_version,
            closed_reason=reason,
            entries=(history.closed(now, caller, reason),),
        )

    def reopen(
        self, caller: Caller, ticket_id: str, *, now: datetime, expected_version: int | None = None
    ) -> Ticket:
        return self._changed_ticket(
            caller,
            self._canonical_id(ticket_id),
            Action.REOPEN,
            now,
            expected_version,
            entries=(history.reopened(now, caller),),
        )

    # ---------------------------------------------------------------- internals
    def _changed_ticket(
        self,
        caller: Caller,
        ticket_id: str,
        action: Action,
        now: datetime,
        expected_version: int | None,
        *,
        assignment: Assignment | None = None,
        closed_reason: ClosedReason | None = None,
        entries: tuple[HistoryEntry, ...] = (),
    ) -> Ticket:
        what = changes.What(assignment=assignment, closed_reason=closed_reason, entries=entries)
        ticket = changes.write(
            self._store, self._settings, caller, ticket_id, action, now, expected_version, what
        )
        assert ticket is not None  # a change without a message returns the updated ticket
        return ticket

    def _message(
        self,
        ticket_id: str,
        caller: Caller,
        body: str,
        now: datetime,
        channel: Channel,
        internal: bool = False,
        *,
        email: EmailOrigin | None = None,
        attachments: tuple[AttachmentRef, ...] = (),
    ) -> Message:
        """A message by the caller, signed with their display name as of now (reads never look
        names up) and their id; a customer's also with the address they wrote from."""
        return Message(
            id=self._message_ids(),
            ticket_id=ticket_id,
            author_role=caller.role,
            author=caller.name,
            body=body,
            channel=channel,
            internal=internal,
            created_at=now,
            email=email,
            attachments=attachments,
            author_id=caller.id or None,
            author_email=None if caller.is_operator else caller.email,
        )

    @staticmethod
    def _account_of(caller: Caller) -> str:
        return changes.account_of(caller)

    @staticmethod
    def _may_see(caller: Caller, ticket: Ticket) -> bool:
        return changes.may_see(caller, ticket)

    @staticmethod
    def _canonical_id(ticket_id: str) -> str:
        canonical = ids.normalize_ticket_id(ticket_id)
        if canonical is None:
            raise TicketNotFound(ticket_id[:40])
        return canonical


def _due_cursor(due: str, ticket_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(["due", due, ticket_id]).encode()).decode().rstrip("=")


def _due_cursor_position(cursor: str) -> tuple[str, str]:
    """The (due, id) a ?sort=due cursor points after; a cursor of another listing is refused."""
    try:
        kind, due, ticket_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        kind = due = ticket_id = None
    if kind != "due" or not isinstance(due, str) or not isinstance(ticket_id, str):
        raise InvalidInput("cursor_invalid", details=[FieldProblem("cursor", "not_a_cursor")])
    return due, ticket_id
