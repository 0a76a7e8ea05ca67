"""`POST /_local/outbox/bounce {"email", "type"?}`: what SES would report about the mail sent to
an address (type bounce, the default, transient, complaint or delivery), as the configuration set
publishes it through SNS, handed to the real mail_feedback function, so a bounce can be tried on
the local stack from the portal or curl."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from devstack.events import FEEDBACK_FIXTURES, ses_feedback_event
from devstack.gateway import LocalGateway

FUNCTION = "MailFeedbackFunction"


def simulate_feedback(gateway: LocalGateway, data: Any, *, now: datetime) -> tuple[int, dict[str, Any]]:
    """(status, answer): the function's decisions, or a 400 saying what to send. `now` is the
    stack's time (devstack.clock), which the addresses' confirmation times were written in."""
    kind = data.get("type", "bounce") if isinstance(data, dict) else None
    address = data.get("email") if isinstance(data, dict) else None
    if not isinstance(address, str) or not address.strip() or kind not in FEEDBACK_FIXTURES:
        choices = ", ".join(FEEDBACK_FIXTURES)
        message = f'Send {{"email": "<address>", "type": one of {choices} (default bounce)}}.'
        return 400, {"error": {"code": "invalid_request", "message": message}}
    spec = next((s for s in gateway.specs if s.logical_id == FUNCTION), None)
    if spec is None:
        return 404, {
            "error": {"code": "no_feedback_function", "message": f"template.yaml has no {FUNCTION}."}
        }
    # About a mail sent just now: one sent before the address was (re)confirmed would be ignored
    # as stale, and the address may have been confirmed a moment ago.
    event = ses_feedback_event(kind, [address.strip()], at=now, sent_at=now)
    answer: dict[str, Any] = gateway.invoke(spec, event)
    return 200, answer
