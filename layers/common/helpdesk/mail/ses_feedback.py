"""What SES says became of the mail we sent: the configuration set's event publishing (bounce,
complaint and delivery records) delivered through SNS, read leniently. SES adds fields over time
and one record may name one recipient or several, so only the fields used are read, and the SNS
envelope and the SES record are separate models (the record is a JSON string in `Sns.Message`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, ValidationError

from helpdesk.mail.addresses import normalize_address
from helpdesk.mail.ses_event import _Lenient

MAX_DETAIL = 300  # an MTA's diagnostic can be long; what we keep is a hint for a person


class FeedbackKind(StrEnum):
    PERMANENT_BOUNCE = "permanent_bounce"  # the address does not exist or refuses us for good
    TRANSIENT_BOUNCE = "transient_bounce"  # mailbox full, message too large...: may work later
    UNDETERMINED_BOUNCE = "undetermined_bounce"  # SES could not tell
    COMPLAINT = "complaint"  # the recipient marked it as spam
    DELIVERY = "delivery"  # the receiving server accepted it
    OTHER = "other"  # an event type we do not act on (Send, Reject, DeliveryDelay...)

    @property
    def suppresses(self) -> bool:
        """Only a hard bounce or a complaint stops our mail to the address."""
        return self in (FeedbackKind.PERMANENT_BOUNCE, FeedbackKind.COMPLAINT)


@dataclass(frozen=True)
class MailFeedback:
    """One SES event about one message we sent."""

    feedback_id: str  # SES's id of this event (bounce/complaint feedbackId; the SNS id otherwise)
    kind: FeedbackKind
    addresses: tuple[str, ...]  # the recipients it is about, normalized (unparseable ones left out)
    at: datetime  # when SES reported it
    sent_at: datetime  # when the message it is about was sent
    message_id: str  # SES's id of that message
    detail: str | None = None  # e.g. "General 5.1.1 smtp; 550 user unknown", "abuse"


class _Recipient(_Lenient):
    email_address: str = Field(alias="emailAddress")
    status: str | None = None
    diagnostic_code: str | None = Field(default=None, alias="diagnosticCode")


class _Bounce(_Lenient):
    bounce_type: str = Field(alias="bounceType")
    bounce_sub_type: str | None = Field(default=None, alias="bounceSubType")
    recipients: list[_Recipient] = Field(default_factory=list, alias="bouncedRecipients")
    timestamp: datetime
    feedback_id: str | None = Field(default=None, alias="feedbackId")


class _Complaint(_Lenient):
    recipients: list[_Recipient] = Field(default_factory=list, alias="complainedRecipients")
    timestamp: datetime
    feedback_id: str | None = Field(default=None, alias="feedbackId")
    feedback_type: str | None = Field(default=None, alias="complaintFeedbackType")


class _Delivery(_Lenient):
    recipients: list[str] = Field(default_factory=list)
    timestamp: datetime


class _Mail(_Lenient):
    message_id: str = Field(alias="messageId", min_length=1)
    timestamp: datetime
    destination: list[str] = Field(default_factory=list)


class _SesRecord(_Lenient):
    # Event publishing names it eventType; identity feedback notifications name it notificationType.
    event_type: str | None = Field(default=None, alias="eventType")
    notification_type: str | None = Field(default=None, alias="notificationType")
    mail: _Mail
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None
    delivery: _Delivery | None = None


class _Sns(_Lenient):
    message_id: str = Field(alias="MessageId")
    message: str = Field(alias="Message")
    timestamp: datetime = Field(alias="Timestamp")


class _SnsRecord(_Lenient):
    sns: _Sns = Field(alias="Sns")


class NotSesFeedback(ValueError):
    """An SNS message that is not an SES event record (a test publish, a stranger's topic)."""


_BOUNCES = {
    "permanent": FeedbackKind.PERMANENT_BOUNCE,
    "transient": FeedbackKind.TRANSIENT_BOUNCE,
}


def feedback_of(sns_record: dict[str, Any]) -> MailFeedback:
    """The SES event an SNS record of the Lambda SNS event carries. Raises NotSesFeedback."""
    try:
        envelope = _SnsRecord.model_validate(sns_record).sns
        record = _SesRecord.model_validate(json.loads(envelope.message))
    except (ValidationError, ValueError, TypeError) as error:
        raise NotSesFeedback(str(error)[:200]) from None
    kind_name = (record.event_type or record.notification_type or "").lower()
    if kind_name == "bounce" and record.bounce is not None:
        bounce = record.bounce
        kind = _BOUNCES.get(bounce.bounce_type.lower(), FeedbackKind.UNDETERMINED_BOUNCE)
        first = bounce.recipients[0] if bounce.recipients else None
        hint = " ".join(
            p for p in (bounce.bounce_sub_type, first and first.status, first and first.diagnostic_code) if p
        )
        return _feedback(
            envelope,
            record,
            kind,
            [r.email_address for r in bounce.recipients],
            bounce.timestamp,
            bounce.feedback_id,
            hint,
        )
    if kind_name == "complaint" and record.complaint is not None:
        complaint = record.complaint
        return _feedback(
            envelope,
            record,
            FeedbackKind.COMPLAINT,
            [r.email_address for r in complaint.recipients],
            complaint.timestamp,
            complaint.feedback_id,
            complaint.feedback_type,
        )
    if kind_name == "delivery" and record.delivery is not None:
        delivery = record.delivery
        return _feedback(
            envelope, record, FeedbackKind.DELIVERY, delivery.recipients, delivery.timestamp, None, None
        )
    return _feedback(envelope, record, FeedbackKind.OTHER, [], envelope.timestamp, None, kind_name or None)


def _feedback(
    envelope: _Sns,
    record: _SesRecord,
    kind: FeedbackKind,
    recipients: list[str],
    at: datetime,
    feedback_id: str | None,
    detail: str | None,
) -> MailFeedback:
    addresses = tuple(dict.fromkeys(a for a in (normalize_address(r) for r in recipients) if a))
    return MailFeedback(
        feedback_id=feedback_id or envelope.message_id,
        kind=kind,
        addresses=addresses,
        at=at,
        sent_at=record.mail.timestamp,
        message_id=record.mail.message_id,
        detail=" ".join(detail.split())[:MAX_DETAIL] if detail else None,
    )
