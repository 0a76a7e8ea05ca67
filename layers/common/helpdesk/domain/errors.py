"""Domain errors. They say what went wrong in words a person understands; the HTTP layer alone
decides which status code each one becomes (helpdesk.http.api)."""

from __future__ import annotations


class HelpdeskError(Exception):
    """Base of every error the domain raises on purpose. `code` is stable and machine-readable."""

    code = "error"

    def __init__(self, message: str, *, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


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
        super().__init__(f"There is no ticket {ticket_id} on your account.")
        self.ticket_id = ticket_id


class InvalidTransition(Conflict):
    code = "invalid_transition"


class StaleVersion(Conflict):
    code = "version_conflict"


class EmailNotAuthorized(NotFound):
    code = "email_not_found"


class EmailConflict(Conflict):
    code = "email_conflict"


class InvalidInput(HelpdeskError):
    code = "invalid_input"


class InvalidValue(HelpdeskError):
    """A well-formed request whose values do not make sense (e.g. an unknown department)."""

    code = "invalid_value"


class IdempotencyKeyReused(HelpdeskError):
    code = "idempotency_key_reused"


class RequestTooLarge(HelpdeskError):
    code = "request_too_large"
