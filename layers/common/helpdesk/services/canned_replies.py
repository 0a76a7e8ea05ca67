"""Canned replies (operators only): list, create, change, delete. Each change is one request
(helpdesk.store.canned). A body may use the desk's placeholders ({{ticket_id}},
{{customer_name}}, {{operator_name}}); any other is refused at save."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from helpdesk.config import Settings
from helpdesk.domain import ids
from helpdesk.domain.canned import PLACEHOLDERS, CannedReply, unknown_placeholders
from helpdesk.domain.errors import (
    CannedReplyNotFound,
    FieldProblem,
    InvalidValue,
    NotAllowed,
    StaleVersion,
)
from helpdesk.domain.errors import TooManyCannedReplies as CannedReplyLimit
from helpdesk.domain.limits import MAX_CANNED_REPLIES
from helpdesk.domain.models import Caller
from helpdesk.services.departments import known_department
from helpdesk.store.protocols import CannedReplies, CannedReplyGone, TooManyCannedReplies


class CannedReplyService:
    def __init__(
        self, store: CannedReplies, settings: Settings, *, reply_ids: Callable[[], str] | None = None
    ) -> None:
        self._store = store
        self._settings = settings
        self._reply_ids = reply_ids or (lambda: f"cr-{ids.new_message_id()}")

    def list(self, caller: Caller, *, department: str | None = None) -> list[CannedReply]:
        """By title; with `department`, that department's and those for every department."""
        self._operator(caller)
        if department is not None:
            known_department(self._settings, department)
        replies = [r for r in self._store.all() if department is None or r.department in (None, department)]
        return sorted(replies, key=lambda r: (r.title.casefold(), r.id))

    def create(
        self, caller: Caller, *, title: str, body: str, department: str | None, now: datetime
    ) -> CannedReply:
        self._operator(caller)
        self._check(body, department)
        reply = CannedReply(self._reply_ids(), title, body, department, now, now, caller.name)
        try:
            self._store.create(reply, MAX_CANNED_REPLIES)
        except TooManyCannedReplies:
            raise CannedReplyLimit("too_many_canned_replies", limit=MAX_CANNED_REPLIES) from None
        return reply

    def update(
        self,
        caller: Caller,
        reply_id: str,
        *,
        title: str,
        body: str,
        department: str | None,
        now: datetime,
        expected_version: int | None = None,
    ) -> CannedReply:
        self._operator(caller)
        self._check(body, department)
        # Only title, body, department and updated_at are written; the rest stays as stored.
        wanted = CannedReply(reply_id, title, body, department, now, now, caller.name)
        try:
            return self._store.update(wanted, expected_version)
        except CannedReplyGone as gone:
            if gone.current is None:
                raise CannedReplyNotFound("canned_reply_not_found", id=reply_id[:60]) from None
            raise StaleVersion(
                "canned_version_conflict",
                id=reply_id,
                current=gone.current.version,
                expected=expected_version or 0,
            ) from None

    def delete(self, caller: Caller, reply_id: str) -> None:
        self._operator(caller)
        try:
            self._store.delete(reply_id)
        except CannedReplyGone:
            raise CannedReplyNotFound("canned_reply_not_found", id=reply_id[:60]) from None

    # ---------------------------------------------------------------- rules
    @staticmethod
    def _operator(caller: Caller) -> None:
        if not caller.is_operator:
            raise NotAllowed("canned_operators_only")

    def _check(self, body: str, department: str | None) -> None:
        if department is not None:
            known_department(self._settings, department)
        unknown = unknown_placeholders(body)
        if unknown:
            known = ", ".join(f"{{{{{name}}}}}" for name in PLACEHOLDERS)
            raise InvalidValue(
                "unknown_placeholder",
                placeholders=", ".join(unknown),
                known=known,
                details=[
                    FieldProblem(
                        "body", "placeholder_unknown", {"placeholders": ", ".join(unknown), "known": known}
                    )
                ],
            )
