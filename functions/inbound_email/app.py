"""Invoked by the SES receipt rule (asynchronously, after its S3 action stored the raw message):
turns the mail into a ticket or a reply, or drops it, and says why (log + metric per decision).
A message it cannot process raises: Lambda retries it, then hands the event to the failure queue;
the raw message stays in the bucket, so nothing is lost."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.mail.ses_event import SesEvent
from helpdesk.observability import logger, metrics
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
            metrics.add_metric(name="InboundMailFailed", unit=MetricUnit.Count, value=1)
            raise
        decision = outcome.decision.split(":")[0]
        metrics.add_metric(name=f"InboundMail_{decision}", unit=MetricUnit.Count, value=1)
        logger.info(
            "inbound mail",
            extra={
                "ses_message_id": mail.message_id,
                "decision": outcome.decision,
                "ticket_id": outcome.ticket_id,
                "refused_attachments": len(outcome.refused_attachments),
            },
        )
        outcomes.append(
            {
                "decision": outcome.decision,
                "ticket_id": outcome.ticket_id,
                "refused_attachments": list(outcome.refused_attachments),
            }
        )
    return {"outcomes": outcomes}
