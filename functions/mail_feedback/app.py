"""Subscribed to the SNS topic the SES configuration set publishes its events to (bounce,
complaint, delivery; invoked asynchronously): marks permanently bouncing and complaining
addresses undeliverable, counts the rest, and says what it did (a log line and a MailFeedback
metric with the event kind and the outcome as dimensions; addresses are never dimensions).
A record it cannot store raises: Lambda retries, then hands the event to MailFeedbackFailures."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.mail.ses_feedback import NotSesFeedback, feedback_of
from helpdesk.observability import count, logger, metrics
from helpdesk.runtime import mail_feedback

service = mail_feedback()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    decisions = []
    for record in event.get("Records", []):
        try:
            feedback = feedback_of(record)
        except NotSesFeedback as error:
            # Not an SES record (someone published to the topic by hand): nothing to retry.
            logger.warning("not an SES event record", extra={"error": str(error)})
            count("MailFeedback", kind="unreadable", outcome="ignored")
            continue
        try:
            found = service.handle(feedback)
        except Exception:
            logger.exception("mail feedback failed", extra={"feedback_id": feedback.feedback_id})
            count("MailFeedbackFailed")
            raise
        for decision in found:
            logger.info(
                "MailFeedback",
                extra={
                    "kind": decision.kind.value,
                    "outcome": decision.outcome.value,
                    "account_id": decision.account_id,
                    "feedback_id": feedback.feedback_id,
                    "ses_message_id": feedback.message_id,
                    "detail": feedback.detail,
                },
            )
            count("MailFeedback", kind=decision.kind.value, outcome=decision.outcome.value)
            decisions.append(
                {"address": decision.address, "kind": decision.kind.value, "outcome": decision.outcome.value}
            )
    return {"decisions": decisions}
