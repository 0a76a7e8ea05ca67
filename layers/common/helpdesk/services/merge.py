"""Merging a duplicate ticket into another of the same account (operators): the source is closed
(reason merged, `merged_into`), its messages become part of the target's thread (marked by
their own ticket id), replies to it land on the target, and both threads say so in their
history. One read of both tickets and one transaction (helpdesk.store.merges); a change to the
source between the two makes the transaction fail, and the merge is read and tried again."""

from __future__ import annotations

from datetime import datetime

from helpdesk.domain import history, ids
from helpdesk.domain.errors import (
    AlreadyMerged,
    FieldProblem,
    MergeRefused,
    NotAllowed,
    StaleVersion,
    TicketNotFound,
)
from helpdesk.domain.history import EntryCode
from helpdesk.domain.models import Caller, Ticket
from helpdesk.store.protocols import MergeConflict, MergeSide, TicketMerges

MERGE_ATTEMPTS = 3  # the source changed (a reply) between the read and the write: read again


class TicketMerger:
    def __init__(self, store: TicketMerges) -> None:
        self._store = store

    def merge(
        self, caller: Caller, ticket_id: str, *, into: str, now: datetime, expected_version: int | None = None
    ) -> Ticket:
        """Merge `ticket_id` into `into`; the source as merged."""
        if not caller.is_operator:
            raise NotAllowed("merge_operators_only")
        source_id = ids.normalize_ticket_id(ticket_id)
        if source_id is None:
            raise TicketNotFound(ticket_id[:40])
        target_id = ids.normalize_ticket_id(into)
        if target_id is None:
            raise MergeRefused(
                "merge_target_not_found",
                ticket_id=source_id,
                into=into[:40],
                details=[FieldProblem("into", "not_a_ticket_id")],
            )
        if target_id == source_id:
            raise MergeRefused(
                "merge_into_itself", ticket_id=source_id, details=[FieldProblem("into", "same_ticket")]
            )
        for _attempt in range(MERGE_ATTEMPTS):
            source, target = self._store.merge_pair(source_id, target_id)
            self._check(source_id, target_id, source, target, expected_version)
            assert source is not None
            assert target is not None
            try:
                return self._store.merge(
                    source,
                    target,
                    now=now,
                    source_entry=history.entry(EntryCode.MERGED_INTO, now, caller, ticket=target_id),
                    target_entry=history.entry(EntryCode.MERGED_FROM, now, caller, ticket=source_id),
                )
            except MergeConflict:
                continue  # read both again: the checks say what changed (merged meanwhile, ...)
        raise StaleVersion("changed_meanwhile", ticket_id=source_id)

    @staticmethod
    def _check(
        source_id: str,
        target_id: str,
        source: MergeSide | None,
        target: MergeSide | None,
        expected_version: int | None,
    ) -> None:
        if source is None:
            raise TicketNotFound(source_id)
        if expected_version is not None and source.ticket.version != expected_version:
            raise StaleVersion(
                "version_conflict",
                ticket_id=source_id,
                current=source.ticket.version,
                expected=expected_version,
            )
        if source.ticket.merged_into:
            raise AlreadyMerged("already_merged", ticket_id=source_id, into=source.ticket.merged_into)
        if target is None:
            raise MergeRefused(
                "merge_target_not_found",
                ticket_id=source_id,
                into=target_id,
                details=[FieldProblem("into", "no_such_ticket")],
            )
        if target.ticket.merged_into == source_id:
            raise MergeRefused(
                "merge_target_merged_here",
                ticket_id=source_id,
                into=target_id,
                details=[FieldProblem("into", "merged_ticket")],
            )
        if target.ticket.merged_into:
            raise MergeRefused(
                "merge_target_merged",
                ticket_id=source_id,
                into=target_id,
                target=target.ticket.merged_into,
                details=[FieldProblem("into", "merged_ticket")],
            )
        if target.ticket.account_id != source.ticket.account_id:
            raise MergeRefused(
                "merge_across_accounts",
                ticket_id=source_id,
                into=target_id,
                details=[FieldProblem("into", "other_account")],
            )
