"""Invoked by the SES receipt rule (asynchronously, after its S3 action stored the raw message):
turns the mail into a ticket or a reply, or drops it, and says why (a log line and an
InboundMail metric with the decision and its reason as dimensions).
A message it cannot process raises: Lambda retries it, then hands the event to the failure queue;
the raw message stays in the bucket, so nothing is lost."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.mail.ses_event import SesEvent
from helpdesk.observability import count, logger, metrics, record_decision
from helpdesk.runtime import inbound_mail, mail_bucket

processor = inbound_mail()
bucket = mail_bucket()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = []
    for record in SesEvent.model_validate(event).records:
        mail = record.ses.mail
        now = record.ses.receipt.timestamp or mail.timestamp or datetime.now(UTC)
        try:
            outcome = processor.process(record.ses, bucket.raw_message(mail.message_id), now)
        except Exception:
            logger.exception("inbound mail failed", extra={"ses_message_id": mail.message_id})
            count("InboundMailFailed")
            raise
        dimensions = {"decision": outcome.decision.value}
        if outcome.reason:
            dimensions["reason"] = outcome.reason
        record_decision(
            "InboundMail",
            outcome.ticket_id,
            dimensions,
            ses_message_id=mail.message_id,
            refused_attachments=len(outcome.refused_attachments),
        )
        outcomes.append(
            {
                "decision": outcome.code,
                "ticket_id": outcome.ticket_id,
                "refused_attachments": list(outcome.refused_attachments),
            }
        )
    return {"outcomes": outcomes}
