"""Domain errors. Each names what went wrong as a `reason` (a key of the API's message catalogue,
helpdesk.http.messages, which words it in the reader's language) with the values the sentence
needs; the HTTP layer alone decides which status code each one becomes (helpdesk.http.api)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

Param = str | int


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field of a request: a catalogue reason and its values."""

    field: str
    reason: str
    params: dict[str, Param] = dataclasses.field(default_factory=dict)


class HelpdeskError(Exception):
    """Base of every error the domain raises on purpose. `code` is stable and machine-readable;
    `reason` says which of the code's sentences applies."""

    code = "error"

    def __init__(self, reason: str, /, *, details: Sequence[FieldProblem] = (), **params: Param) -> None:
        super().__init__(f"{reason} {params}" if params else reason)
        self.reason = reason
        self.params = params
        self.details = list(details)


class NotAuthenticated(HelpdeskError):
    code = "not_authenticated"


class NotAllowed(HelpdeskError):
    code = "forbidden"


class NotFound(HelpdeskError):
    code = "not_found"


class Conflict(HelpdeskError):
    """The request is well-formed, but the current state of things does not allow it."""

    code = "conflict"


class TicketNotFound(NotFound):
    code = "ticket_not_found"

    def __init__(self, ticket_id: str) -> None:
        super().__init__("ticket_not_found", ticket_id=ticket_id)
        self.ticket_id = ticket_id


class InvalidTransition(Conflict):
    code = "invalid_transition"


class StaleVersion(Conflict):
    code = "version_conflict"


class AlreadyMerged(Conflict):
    """The ticket was merged into another: its conversation continues there (`into`)."""

    code = "ticket_merged"


class MergeRefused(HelpdeskError):
    """A merge that cannot be: into itself, into a ticket that does not exist or was merged
    itself, across accounts (422)."""

    code = "merge_refused"


class CannedReplyNotFound(NotFound):
    code = "canned_reply_not_found"


class TooManyCannedReplies(Conflict):
    code = "too_many_canned_replies"


class EmailNotAuthorized(NotFound):
    code = "email_not_found"


class EmailConflict(Conflict):
    code = "email_conflict"


class InvalidInput(HelpdeskError):
    code = "invalid_input"


class InvalidValue(HelpdeskError):
    """A well-formed request whose values do not make sense (e.g. an unknown department)."""

    code = "invalid_value"


class UnknownOperator(InvalidValue):
    """An assignee who is not a member of the operators group (a customer, a typo, a leaver)."""

    code = "unknown_operator"


class IdempotencyKeyReused(HelpdeskError):
    code = "idempotency_key_reused"


class RequestTooLarge(HelpdeskError):
    code = "request_too_large"


class ConfirmationInvalid(InvalidValue):
    """A confirmation link or code that is forged, expired, already used or replaced."""

    code = "confirmation_invalid"


class RatingLinkInvalid(InvalidValue):
    """A rating link that is forged or damaged (reason rating_link_invalid) or past its time
    (reason rating_link_expired)."""

    code = "rating_link_invalid"


class TooManyRequests(HelpdeskError):
    code = "rate_limited"


class AttachmentRefused(InvalidValue):
    """A file the desk does not take (type, name, size), or an upload a message may not name."""

    code = "attachment_refused"


class AttachmentHeld(Conflict):
    """A file the malware scan marked infected, or has not scanned yet where a scan is required."""

    code = "attachment_held"
