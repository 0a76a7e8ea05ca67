"""The reminder before the automatic close: `AutoCloseReminderHours` (default 24) before a
WAITING ticket closes itself, the customer is mailed once that it will close as resolved at that
time unless they answer.

Each waiting period (from an operator reply to the customer's answer or the close) has its own
reminder time, set by the same write that starts the auto-close timer, and sits in a sparse index
until it is sent. The scheduled run (the auto-close schedule, right after the closes) reads the
reminders due and records each with one UpdateItem guarded by the reminder time it found, so a
customer reply that lands first cancels it and overlapping or repeated runs record it once. The
mail itself goes out from the table's stream (notify), like every other mail: the run never
sends, so a failed send is retried by the stream, not by a second reminder."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from helpdesk.config import Settings
from helpdesk.domain import history
from helpdesk.domain.models import ReminderReport
from helpdesk.observability import logger
from helpdesk.store.protocols import ChangeRefused, DueReminder, DueReminders


def reminder_time(auto_close_at: datetime | None, settings: Settings) -> datetime | None:
    """When the customer of a waiting period closing at `auto_close_at` is reminded (None: never)."""
    if auto_close_at is None or settings.auto_close_reminder_hours == 0:
        return None
    return auto_close_at - timedelta(hours=settings.auto_close_reminder_hours)


class ReminderChoice(StrEnum):
    REMINDED = "reminded"
    SKIPPED = "skipped"  # reason: "changed" (answered, closed, reminded by another run) or "closing"


class AutoCloseReminder:
    def __init__(self, store: DueReminders, settings: Settings) -> None:
        self._store = store
        self._settings = settings

    def run(self, now: datetime) -> ReminderReport:
        due = reminded = skipped = items_read = 0
        for page, read in self._store.reminders_due(now):
            items_read += read
            for candidate in page:
                due += 1
                choice, reason = self.remind_one(candidate, now)
                with logger.append_context_keys(ticket_id=candidate.ticket_id):
                    if choice is ReminderChoice.REMINDED:
                        reminded += 1
                        logger.info("auto-close reminder", extra={"closes_at": candidate.auto_close_at})
                    else:
                        skipped += 1
                        logger.info("auto-close reminder skipped", extra={"reason": reason})
        return ReminderReport(due=due, reminded=reminded, skipped=skipped, items_read=items_read)

    def remind_one(self, candidate: DueReminder, now: datetime) -> tuple[ReminderChoice, str | None]:
        if candidate.auto_close_at <= now:
            # The schedule was late: the close itself is due, and a reminder of a moment already
            # past would only confuse. The close clears the reminder with the deadline.
            return ReminderChoice.SKIPPED, "closing"
        # The thread says it too (customers and operators, each in their language), written by
        # the reminder's own update.
        entry = history.auto_close_reminded(now, candidate.auto_close_at, self._settings.zone)
        try:
            self._store.record_reminder(candidate, now, (entry,))
        except ChangeRefused:
            return ReminderChoice.SKIPPED, "changed"
        return ReminderChoice.REMINDED, None
