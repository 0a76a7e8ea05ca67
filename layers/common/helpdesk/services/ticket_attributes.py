"""Operators work a ticket with a priority and tags (PATCH /tickets/{id}). One conditional
UpdateItem per change, in any status; `If-Match` refuses it when the ticket changed since. The
SLA due time follows the priority by itself: it is computed from the stored clock start and the
policy of the ticket's priority (domain.sla), so writing the priority is the whole change. The
same write appends the change's history entries (the new priority, the tags as set: what they
changed is read from the entries before, domain.history.spelled_out)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from helpdesk.domain import history, ids
from helpdesk.domain.attributes import Priority, TagProblem, normalized_tags, tag_problem
from helpdesk.domain.errors import (
    AlreadyMerged,
    FieldProblem,
    InvalidValue,
    NotAllowed,
    StaleVersion,
    TicketNotFound,
)
from helpdesk.domain.limits import MAX_TAG_LENGTH, MAX_TAGS
from helpdesk.domain.models import Caller, Ticket
from helpdesk.domain.status_machine import Status
from helpdesk.store.protocols import ChangeRefused, TicketChange, TicketWriter

_EVERY_STATUS = frozenset(Status)


class TicketAttributes:
    def __init__(self, store: TicketWriter) -> None:
        self._store = store

    def update(
        self,
        caller: Caller,
        ticket_id: str,
        *,
        now: datetime,
        priority: Priority | None = None,
        tags: Sequence[str] | None = None,
        expected_version: int | None = None,
    ) -> Ticket:
        if not caller.is_operator:
            raise NotAllowed("attributes_operators_only")
        if priority is None and tags is None:
            raise InvalidValue(
                "attributes_nothing_to_change", details=[FieldProblem("body", "priority_or_tags")]
            )
        kept = valid_tags(tags) if tags is not None else None
        canonical = ids.normalize_ticket_id(ticket_id)
        if canonical is None:
            raise TicketNotFound(ticket_id[:40])
        entries = []
        if priority is not None:
            entries.append(history.priority_set(now, caller, priority.value))
        if kept is not None:
            entries.append(history.tags_set(now, caller, kept))
        change = TicketChange(
            now=now,
            allowed_from=_EVERY_STATUS,
            priority=priority,
            tags=kept,
            expected_version=expected_version,
            entries=tuple(entries),
        )
        try:
            updated = self._store.apply(canonical, change)
        except ChangeRefused as refused:
            current = refused.current
            if current is None:
                raise TicketNotFound(canonical) from None
            if expected_version is not None and current.version != expected_version:
                raise StaleVersion(
                    "version_conflict",
                    ticket_id=canonical,
                    current=current.version,
                    expected=expected_version,
                ) from None
            if current.merged_into:  # a merged ticket changes no more (its thread is the other's)
                raise AlreadyMerged("ticket_merged", ticket_id=canonical, into=current.merged_into) from None
            raise StaleVersion("changed_meanwhile", ticket_id=canonical) from None
        assert updated is not None  # a change without a message returns the ticket
        return updated


def valid_tags(tags: Sequence[str]) -> tuple[str, ...]:
    """The tags as kept, or InvalidValue naming every tag that breaks a rule (each in its
    position, as `tags.<n>`)."""
    problems = [
        FieldProblem(f"tags.{n}", problem.value, _limits(problem))
        for n, tag in enumerate(tags)
        if (problem := tag_problem(tag)) is not None
    ]
    kept = normalized_tags(tags)
    if not problems and len(kept) > MAX_TAGS:
        problems.append(FieldProblem("tags", TagProblem.TOO_MANY.value, {"limit": MAX_TAGS}))
    if problems:
        raise InvalidValue("tags_invalid", details=problems)
    return kept


def _limits(problem: TagProblem) -> dict[str, str | int]:
    return {"limit": MAX_TAG_LENGTH} if problem is TagProblem.TOO_LONG else {}


def attribute_filter(caller: Caller, priority: Priority | None, tag: str | None) -> None:
    """Listing by priority or tag is for operators (customers never see either); a tag that
    breaks the rules is refused rather than matching nothing."""
    if (priority is not None or tag is not None) and not caller.is_operator:
        raise NotAllowed("attribute_filters_operators_only")
    if tag is not None and (problem := tag_problem(tag)) is not None:
        raise InvalidValue("tags_invalid", details=[FieldProblem("tag", problem.value, _limits(problem))])
