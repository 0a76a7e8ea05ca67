"""What SES tells us about the mail we sent, and what the desk does with it:

    permanent bounce, complaint  -> the account's confirmed address is marked undeliverable (one
                                    conditional write): notify sends it nothing more, the customer
                                    sees it on the account page and can confirm it again, operators
                                    see it on the account's tickets
    transient/undetermined bounce-> counted only: a full mailbox or a greylisting server recovers
    delivery, other events       -> counted only

SES's own account-level suppression list is left as it is (see docs/decisions.md)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from helpdesk.domain.models import Undeliverable, UndeliverableReason
from helpdesk.mail.ses_feedback import FeedbackKind, MailFeedback
from helpdesk.store.protocols import MarkRefused, UndeliverableMarks


class FeedbackOutcome(StrEnum):
    MARKED = "marked"  # undeliverable from now on
    COUNTED = "counted"  # an event that suppresses nothing
    NOT_OURS = "not_ours"  # no account has the address confirmed (e.g. a pending address's mail)
    ALREADY_MARKED = MarkRefused.ALREADY_MARKED
    PENDING = MarkRefused.PENDING
    CONFIRMED_SINCE = MarkRefused.CONFIRMED_SINCE
    GONE = MarkRefused.GONE


@dataclass(frozen=True)
class FeedbackDecision:
    address: str | None  # None for an event that names no recipient
    kind: FeedbackKind
    outcome: FeedbackOutcome
    account_id: str | None = None


_REASONS = {
    FeedbackKind.PERMANENT_BOUNCE: UndeliverableReason.BOUNCE,
    FeedbackKind.COMPLAINT: UndeliverableReason.COMPLAINT,
}


class MailFeedbackService:
    def __init__(self, marks: UndeliverableMarks) -> None:
        self._marks = marks

    def handle(self, feedback: MailFeedback) -> list[FeedbackDecision]:
        """One decision per address the event names. Safe to repeat (SNS delivers at least once):
        a second mark is refused as already marked."""
        if not feedback.kind.suppresses or not feedback.addresses:
            return [
                FeedbackDecision(address, feedback.kind, FeedbackOutcome.COUNTED)
                for address in feedback.addresses or (None,)
            ]
        mark = Undeliverable(_REASONS[feedback.kind], feedback.at, feedback.detail)
        return [self._mark(address, feedback, mark) for address in feedback.addresses]

    def _mark(self, address: str, feedback: MailFeedback, mark: Undeliverable) -> FeedbackDecision:
        account = self._marks.owner_of(address)
        if account is None:
            return FeedbackDecision(address, feedback.kind, FeedbackOutcome.NOT_OURS)
        try:
            self._marks.mark_undeliverable(account, address, mark, feedback.sent_at)
        except MarkRefused as refused:
            return FeedbackDecision(address, feedback.kind, FeedbackOutcome(refused.why), account)
        return FeedbackDecision(address, feedback.kind, FeedbackOutcome.MARKED, account)
