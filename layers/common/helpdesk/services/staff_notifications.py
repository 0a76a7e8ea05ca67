"""Mail to operators, driven by the same domain events from the table's stream as the customers'
mail (services.notifications), through the same sender:

    the ticket's first message (web, mail, phone/chat)  -> NEW_TICKET, the department's operators
    a customer's later message                          -> CUSTOMER_REPLY, the assignee, or the
                                                           department's operators when unassigned
    TicketAssigned to someone by someone else           -> ASSIGNED, the new assignee
    an operator's internal note                         -> NOTE, the assignee (not its writer)
    SlaAlerted (the escalation's history entry)         -> SLA_ALERT, the assignee, or the
                                                           department's operators when unassigned

Each operator receives only the kinds they want (their preferences), never mail about what they
did themselves. Exactly once per stream record and operator: a marker per recipient
(`staff:<eventID>:<operator>`) is written after each send, so a batch retried after a failure
sends only what was not sent (a crash between a send and its marker can repeat that one mail)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from helpdesk.config import Settings
from helpdesk.domain.events import DomainEvent, MessageAdded, SlaAlerted, TicketAssigned
from helpdesk.domain.history import EntryCode, HistoryEntry
from helpdesk.domain.history_text import render
from helpdesk.domain.models import Message, Role, TicketThread
from helpdesk.domain.operators import Operator, StaffNotice
from helpdesk.mail.compose import MailIdentity
from helpdesk.mail.staff import StaffMail, StaffMailKind, compose_staff
from helpdesk.observability import logger
from helpdesk.services.notifications import Mailer
from helpdesk.store.protocols import Markers, ThreadReader

_ALERTS = {
    EntryCode.SLA_WARNING.value: StaffMailKind.SLA_WARNING,
    EntryCode.SLA_BREACHED.value: StaffMailKind.SLA_BREACH,
}
_Event = MessageAdded | TicketAssigned | SlaAlerted
_NOTICE = {
    StaffMailKind.NEW_TICKET: StaffNotice.NEW_TICKET,
    StaffMailKind.CUSTOMER_REPLY: StaffNotice.CUSTOMER_REPLY,
    StaffMailKind.ASSIGNED: StaffNotice.ASSIGNED,
    StaffMailKind.NOTE: StaffNotice.NOTE,
    StaffMailKind.SLA_WARNING: StaffNotice.SLA_ALERT,
    StaffMailKind.SLA_BREACH: StaffNotice.SLA_ALERT,
}


class StaffOutcome(StrEnum):
    SENT = "sent"
    NOT_NOTIFIED = "not_notified"  # the event calls for no staff mail
    NO_RECIPIENT = "no_recipient"  # nobody wants it (or only the one who acted)
    TICKET_GONE = "ticket_gone"


@dataclass(frozen=True)
class StaffDecision:
    outcome: StaffOutcome
    ticket_id: str | None = None
    kind: StaffMailKind | None = None
    recipients: int = 0  # mails sent now (a retried record: only those not sent before)


class StaffDirectory(Protocol):
    def recipients(
        self, notice: StaffNotice, *, department: str | None = None, ids: list[str] | None = None
    ) -> list[Operator]: ...

    def member_name(self, operator_id: str) -> str | None: ...


@dataclass(frozen=True)
class _Plan:
    kind: StaffMailKind
    message: Message | None
    to_ids: list[str] | None  # None: the department's operators
    actor_id: str | None  # never mailed
    actor: str | None = None  # by name, for the text
    alert: HistoryEntry | None = None  # an SLA alert: rendered in each recipient's language


class StaffNotifier:
    def __init__(
        self,
        *,
        threads: ThreadReader,
        markers: Markers,
        directory: StaffDirectory,
        mailer: Mailer,
        identity: MailIdentity,
        settings: Settings,
        portal_url: str | None,
    ) -> None:
        self._threads = threads
        self._markers = markers
        self._directory = directory
        self._mailer = mailer
        self._identity = identity
        self._settings = settings
        self._portal_url = portal_url

    def handle(self, event: DomainEvent | None) -> StaffDecision:
        if not isinstance(event, (MessageAdded, TicketAssigned, SlaAlerted)) or not _may_concern_staff(event):
            return StaffDecision(StaffOutcome.NOT_NOTIFIED)
        thread = self._threads.thread(event.ticket_id)
        if thread is None:
            return StaffDecision(StaffOutcome.TICKET_GONE, event.ticket_id)
        plan = self._plan(event, thread)
        if plan is None:
            return StaffDecision(StaffOutcome.NOT_NOTIFIED, event.ticket_id)
        ticket = thread.ticket
        wanted = self._directory.recipients(
            _NOTICE[plan.kind],
            department=ticket.department if plan.to_ids is None else None,
            ids=plan.to_ids,
        )
        recipients = [o for o in wanted if o.id != plan.actor_id]
        if not recipients:
            return StaffDecision(StaffOutcome.NO_RECIPIENT, ticket.id, plan.kind)
        sent = 0
        for operator in recipients:
            marker = f"staff:{event.event_id}:{operator.id}"
            if self._markers.is_marked(marker):
                continue  # sent before this record was retried
            self._mailer.send(compose_staff(self._mail(plan, thread, operator), self._identity, now=event.at))
            self._markers.mark(marker, event.at, decision=plan.kind.value)
            sent += 1
        logger.info("staff notified", extra={"ticket_id": ticket.id, "kind": plan.kind, "recipients": sent})
        return StaffDecision(StaffOutcome.SENT, ticket.id, plan.kind, sent)

    # ---------------------------------------------------------------- what, to whom
    def _plan(self, event: _Event, thread: TicketThread) -> _Plan | None:
        ticket = thread.ticket
        assignee = [ticket.assignee] if ticket.assignee else None
        if isinstance(event, SlaAlerted):
            latest = next((m for m in reversed(thread.messages) if not m.internal), None)
            return _Plan(_ALERTS[event.entry.code], latest, assignee, None, alert=event.entry)
        if isinstance(event, TicketAssigned):
            if event.assignee is None or event.assignee == event.by or ticket.assignee != event.assignee:
                return None  # unassigned, taken by themselves, or reassigned again since
            actor = self._directory.member_name(event.by) if event.by else None
            latest = next((m for m in reversed(thread.messages) if not m.internal), None)
            return _Plan(StaffMailKind.ASSIGNED, latest, [event.assignee], event.by, actor)
        message = next((m for m in thread.messages if m.id == event.message_id), None)
        if message is None:
            return None
        if thread.messages and thread.messages[0].id == message.id:
            # A ticket an operator opened for a caller: never mailed to that operator.
            return _Plan(StaffMailKind.NEW_TICKET, message, None, message.opened_by_id or message.author_id)
        if message.author_role is Role.CUSTOMER:
            return _Plan(StaffMailKind.CUSTOMER_REPLY, message, assignee, message.author_id)
        if message.internal and message.author_role is Role.OPERATOR and assignee:
            return _Plan(StaffMailKind.NOTE, message, assignee, message.author_id, message.author)
        return None

    def _mail(self, plan: _Plan, thread: TicketThread, operator: Operator) -> StaffMail:
        ticket = thread.ticket
        department = self._settings.department(ticket.department)
        return StaffMail(
            kind=plan.kind,
            ticket=ticket,
            department_name=department.name_in(operator.language) if department else ticket.department,
            customer=_customer(thread),
            to_address=operator.email,
            to_name=operator.name,
            language=operator.language,
            message=plan.message,
            actor=plan.actor,
            alert=render(plan.alert, operator.language) if plan.alert is not None else None,
            ticket_url=f"{self._portal_url.rstrip('/')}/#/tickets/{ticket.id}" if self._portal_url else None,
        )


def _may_concern_staff(event: _Event) -> bool:
    """Cheap checks on the event alone, before the thread is read."""
    if isinstance(event, TicketAssigned):
        return event.assignee is not None and event.assignee != event.by
    if isinstance(event, SlaAlerted):
        return event.entry.code in _ALERTS
    return event.author_role is not Role.SYSTEM


def _customer(thread: TicketThread) -> str:
    """The customer as the ticket knows them: the first customer message's author and the account."""
    first = next((m for m in thread.messages if m.author_role is Role.CUSTOMER), None)
    account = thread.ticket.account_id
    return f"{first.author} ({account})" if first is not None else account
