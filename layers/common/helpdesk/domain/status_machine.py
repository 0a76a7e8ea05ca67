"""The ticket status machine: every status change the product allows, in one table.

Each action has exactly one target status (or none: the status is left as it is), so a change can be
written in a single conditional write that only names the statuses it may start from; nothing has
to be read first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from helpdesk.domain.errors import InvalidTransition


class Status(StrEnum):
    OPEN = "OPEN"
    WAITING = "WAITING"
    CLOSED = "CLOSED"

    @property
    def label(self) -> str:
        """The Spanish name customers see (helpdesk.domain.labels holds every language's)."""
        from helpdesk.domain.labels import status_label  # labels imports Status

        return status_label(self)


class Action(StrEnum):
    OPERATOR_REPLY = "operator_reply"
    CUSTOMER_REPLY = "customer_reply"
    INTERNAL_NOTE = "internal_note"
    ASSIGN = "assign"
    CLOSE = "close"
    REOPEN = "reopen"
    AUTO_CLOSE = "auto_close"


class Timer(StrEnum):
    """What an action does to the auto-close clock."""

    START = "start"  # (re)start: auto_close_at = now + AUTO_CLOSE_HOURS
    CLEAR = "clear"  # stop it: the ticket is no longer waiting for the customer
    KEEP = "keep"


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[Status]
    to: Status | None  # None: the status does not change
    timer: Timer


_ACTIVE = frozenset({Status.OPEN, Status.WAITING})
_ANY = frozenset(Status)

TRANSITIONS: dict[Action, Transition] = {
    Action.OPERATOR_REPLY: Transition(_ACTIVE, Status.WAITING, Timer.START),
    # A customer reply to a closed ticket reopens it.
    Action.CUSTOMER_REPLY: Transition(_ANY, Status.OPEN, Timer.CLEAR),
    # Notes may be added to closed tickets too (e.g. a post-mortem); they never touch the status.
    Action.INTERNAL_NOTE: Transition(_ANY, None, Timer.KEEP),
    Action.ASSIGN: Transition(_ACTIVE, None, Timer.KEEP),
    Action.CLOSE: Transition(_ACTIVE, Status.CLOSED, Timer.CLEAR),
    Action.REOPEN: Transition(frozenset({Status.CLOSED}), Status.OPEN, Timer.CLEAR),
    Action.AUTO_CLOSE: Transition(frozenset({Status.WAITING}), Status.CLOSED, Timer.CLEAR),
}

# Why each action is refused (reasons of the API's message catalogue).
_REFUSALS = {
    Action.OPERATOR_REPLY: "closed_no_reply",
    Action.ASSIGN: "closed_no_assign",
    Action.CLOSE: "already_closed",
    Action.REOPEN: "not_closed_no_reopen",
    Action.AUTO_CLOSE: "not_waiting",
}


def transition_for(action: Action) -> Transition:
    return TRANSITIONS[action]


def check_allowed(action: Action, current: Status, ticket_id: str) -> Transition:
    """The transition for `action` from `current`, or InvalidTransition saying why not."""
    transition = TRANSITIONS[action]
    if current not in transition.allowed_from:
        reason = _REFUSALS.get(action, "status_does_not_allow")
        raise InvalidTransition(reason, ticket_id=ticket_id, status=current.value)
    return transition
