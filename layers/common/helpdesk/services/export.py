"""A customer's own data: every ticket of their account with every public message (internal
notes never), for download as JSON.

Paginated on the server: Lambda answers at most 6 MB, and one account's history can be larger.
A page holds tickets until about PAGE_BYTES of message text (or PAGE_TICKETS tickets); a ticket
whose thread alone is larger continues on the next page (the same ticket id again, its next
messages), so no page is ever over the limit and nothing is left out. The cursor names the
listing position of the ticket to read next and how many of its messages were already given."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from helpdesk.domain.errors import FieldProblem, InvalidInput, NotAllowed
from helpdesk.domain.models import Caller, Message, Ticket, TicketFilters
from helpdesk.store.protocols import InvalidCursor, TicketStore

PAGE_BYTES = 4_000_000  # of message bodies, leaving room for the JSON around them under 6 MB
PAGE_TICKETS = 50
MESSAGE_OVERHEAD = 512  # bytes of a message's JSON besides its body (ids, author, attachments)


@dataclass(frozen=True)
class ExportedTicket:
    ticket: Ticket
    messages: list[Message]  # public ones, oldest first; a slice when the ticket is split
    first_message: int  # the position of messages[0] in the ticket's public thread


@dataclass(frozen=True)
class ExportPage:
    account_id: str
    tickets: list[ExportedTicket]
    next_cursor: str | None


class AccountExport:
    def __init__(self, store: TicketStore) -> None:
        self._store = store

    def page(self, caller: Caller, cursor: str | None = None) -> ExportPage:
        if caller.is_operator or not caller.account_id:
            raise NotAllowed("export_customers_only")
        account = caller.account_id
        listing, skip = _position(cursor) if cursor else (None, 0)
        exported: list[ExportedTicket] = []
        budget = PAGE_BYTES
        while len(exported) < PAGE_TICKETS:
            try:
                found = self._store.list_tickets(TicketFilters(), account_id=account, limit=1, cursor=listing)
            except InvalidCursor:
                raise _bad_cursor() from None
            if not found.items:
                return ExportPage(account, exported, None)
            thread = self._store.thread(found.items[0].id)
            public = [m for m in thread.messages if not m.internal] if thread else []
            taken: list[Message] = []
            for message in public[skip:]:
                size = len(message.body.encode()) + MESSAGE_OVERHEAD
                if size > budget and (taken or exported):  # a page always makes progress
                    break
                taken.append(message)
                budget -= size
            if thread is not None and taken:
                exported.append(ExportedTicket(thread.ticket, taken, skip))
            if skip + len(taken) < len(public):  # this ticket goes on on the next page
                return ExportPage(account, exported, _cursor(listing, skip + len(taken)))
            skip = 0
            listing = found.next_cursor
            if listing is None:
                return ExportPage(account, exported, None)
        return ExportPage(account, exported, _cursor(listing, 0))


def _cursor(listing: str | None, skip: int) -> str:
    return base64.urlsafe_b64encode(json.dumps(["export", listing, skip]).encode()).decode().rstrip("=")


def _position(cursor: str) -> tuple[str | None, int]:
    try:
        kind, listing, skip = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _bad_cursor() from None
    if kind != "export" or not (listing is None or isinstance(listing, str)) or not isinstance(skip, int):
        raise _bad_cursor()
    if skip < 0:
        raise _bad_cursor()
    return listing, skip


def _bad_cursor() -> InvalidInput:
    return InvalidInput("cursor_invalid", details=[FieldProblem("cursor", "not_a_cursor")])
