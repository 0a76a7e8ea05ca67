"""The 72-hour rule: close every WAITING ticket whose deadline has passed. Each close is guarded
by the deadline and version read from the index, so a customer reply that lands first wins and
overlapping runs (or a duplicated schedule event) close each ticket once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from helpdesk.config import Settings
from helpdesk.domain import history
from helpdesk.domain.models import AutoCloseReport, ClosedReason
from helpdesk.domain.sla import response_clock_effect
from helpdesk.domain.status_machine import Action, transition_for
from helpdesk.observability import logger
from helpdesk.store.protocols import ChangeRefused, DueTicket, DueTickets, TicketChange


class AutoCloseChoice(StrEnum):
    CLOSED = "closed"
    SKIPPED = "skipped"  # reason "changed": a reply, a close or another run got there first


@dataclass(frozen=True)
class AutoCloseDecision:
    ticket_id: str
    choice: AutoCloseChoice
    reason: str | None = None


class AutoCloser:
    def __init__(self, store: DueTickets, settings: Settings) -> None:
        self._store = store
        self._settings = settings

    def run(self, now: datetime) -> AutoCloseReport:
        due = closed = skipped = items_read = 0
        for page, read in self._store.due_tickets(now):
            items_read += read
            for candidate in page:
                due += 1
                decision = self.close_one(candidate, now)
                with logger.append_context_keys(ticket_id=decision.ticket_id):
                    if decision.choice is AutoCloseChoice.CLOSED:
                        closed += 1
                        logger.info("auto-closed")
                    else:
                        skipped += 1
                        logger.info("auto-close skipped: ticket changed since it was found due",
                                    extra={"reason": decision.reason})  # fmt: skip
        return AutoCloseReport(due=due, closed=closed, skipped=skipped, items_read=items_read)

    def close_one(self, candidate: DueTicket, now: datetime) -> AutoCloseDecision:
        """Close one due ticket, unless it changed since the index said it was due."""
        transition = transition_for(Action.AUTO_CLOSE)
        # The thread says why, as a history entry (rendered in each reader's language), written
        # by the close itself: one UpdateItem.
        entry = history.closed(now, None, ClosedReason.INACTIVITY, hours=self._settings.auto_close_hours)
        change = TicketChange(
            now=now,
            allowed_from=transition.allowed_from,
            to=transition.to,
            timer=transition.timer,
            closed_reason=ClosedReason.INACTIVITY,
            response_clock=response_clock_effect(Action.AUTO_CLOSE),
            entries=(entry,),
            expected_version=candidate.version,
            expected_auto_close_at=candidate.auto_close_at,
        )
        try:
            self._store.apply(candidate.ticket_id, change)
        except ChangeRefused:
            return AutoCloseDecision(candidate.ticket_id, AutoCloseChoice.SKIPPED, "changed")
        return AutoCloseDecision(candidate.ticket_id, AutoCloseChoice.CLOSED)
