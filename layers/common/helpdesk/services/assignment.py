"""Assigning tickets to operators: who may be an assignee is the operator directory's answer
(the operators group), checked before the one conditional write of the assignment."""

from __future__ import annotations

from datetime import datetime
from typing import Final, Protocol

from helpdesk.domain.errors import FieldProblem, NotAllowed, UnknownOperator
from helpdesk.domain.models import Caller, Ticket
from helpdesk.domain.operators import DirectoryMember
from helpdesk.services.tickets import TicketService
from helpdesk.store.protocols import Assignment


class _Absent:
    """The request named no assignee (the caller takes the ticket), unlike null (nobody)."""


ABSENT: Final = _Absent()


class Members(Protocol):
    def member(self, operator_id: str) -> DirectoryMember | None: ...


class AssignmentService:
    def __init__(self, tickets: TicketService, directory: Members) -> None:
        self._tickets = tickets
        self._directory = directory

    def assign(
        self,
        caller: Caller,
        ticket_id: str,
        *,
        assignee: str | _Absent | None,
        now: datetime,
        expected_version: int | None = None,
    ) -> Ticket:
        """Absent: the caller takes it; an operator's id: that operator; None: unassigned."""
        if not caller.is_operator:
            raise NotAllowed("assign_operators_only")
        if isinstance(assignee, _Absent) or assignee == caller.id:
            assignment = Assignment(caller.id, caller.name, caller.id)  # the token says who: no lookup
        elif assignee is None:
            assignment = Assignment(None, None, caller.id)
        else:
            member = self._directory.member(assignee)
            if member is None:
                raise UnknownOperator(
                    "unknown_operator",
                    assignee=assignee[:64],
                    details=[FieldProblem("assignee", "not_an_operator")],
                )
            assignment = Assignment(member.id, member.name, caller.id)
        return self._tickets.assign(
            caller, ticket_id, now=now, assignment=assignment, expected_version=expected_version
        )
