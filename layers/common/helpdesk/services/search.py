"""Finding tickets: by tracking ID (one GetItem) or by words through the word index, whose cost
grows with the tickets that match, not with the table; and keeping that index up to date from
the tickets' searchable words (SearchIndexer, fed by the table's stream).

A word search reads, for each word asked, the newest index entries of its prefix; the sparsest
of those lists drives (a complete short list, else the one reaching furthest back), its tickets
are read in pages and checked against every word, the caller and the filters. Entries another
word's list has already shown to be absent are skipped without reading the ticket."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from itertools import batched

from helpdesk.domain import ids, search
from helpdesk.domain.errors import FieldProblem, InvalidInput, NotAllowed
from helpdesk.domain.events import SearchWordsAdded
from helpdesk.domain.models import Caller, TicketPage
from helpdesk.domain.snippets import Snippet, snippet
from helpdesk.domain.status_machine import Status
from helpdesk.store.protocols import IndexedTicket, IndexPage, SearchIndex

# Index entries read per request, and requests of the driving word per call: a call reads at
# most CHUNK x MAX_CHUNKS entries before answering with what it found and a cursor.
CHUNK = 100
MAX_CHUNKS = 10
# Suggestions: words this short say little; candidates read per suggestion asked for.
SUGGEST_MIN_WORD = 3
SUGGEST_CANDIDATES = 4
_POSITION = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#NZ-\d{8}$")


@dataclass(frozen=True)
class SearchPage(TicketPage):
    """A page of search results; closed tickets that were answered carry their resolving
    answer's snippet, the words asked marked."""

    resolutions: dict[str, Snippet] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchFilters:
    status: Status | None = None
    department: str | None = None
    assignee: str | None = None


class TicketSearch:
    def __init__(self, index: SearchIndex) -> None:
        self._index = index

    def search(
        self,
        caller: Caller,
        query: str,
        filters: SearchFilters = SearchFilters(),
        *,
        limit: int = 20,
        cursor: str | None = None,
    ) -> SearchPage:
        """The caller's tickets matching `query`, newest first: the ticket itself when the query
        is its tracking ID ("NZ-68821665", "nz-68821665", "68821665"), else those in which every
        word asked begins a word. Another account's tickets are never found."""
        account = None if caller.is_operator else _account_of(caller)
        canonical = ids.normalize_ticket_id(query)
        if canonical is not None and cursor is None:
            found = self._index.ticket(canonical)
            if found is not None and _visible(found, account, filters):
                return _page([found], None, ())
        asked = tuple(search.query_words(query))
        if not asked:
            raise InvalidInput("search_needs_a_word", details=[FieldProblem("q", "no_searchable_word")])
        before = _position_of(cursor) if cursor else None
        return self._by_words(asked, account, filters, limit, before)

    def _by_words(
        self,
        asked: tuple[str, ...],
        account: str | None,
        filters: SearchFilters,
        limit: int,
        before: str | None,
    ) -> SearchPage:
        lists = {
            key: self._index.newest(account, key, before, CHUNK)
            for key in dict.fromkeys(search.index_key(w) for w in asked)
        }
        driver = min(lists, key=lambda key: _reach(lists[key]))
        others = {key: page for key, page in lists.items() if key != driver}
        page = lists[driver]
        hits: list[IndexedTicket] = []
        for chunk in range(1, MAX_CHUNKS + 1):
            candidates = [p for p in page.positions if _may_match(p, others)]
            for part in batched(candidates, max(limit, 1), strict=False):
                tickets = self._index.tickets([_ticket_id(p) for p in part])
                for position in part:
                    found = tickets.get(_ticket_id(position))
                    if found is None or not _visible(found, account, filters, asked):
                        continue
                    hits.append(found)
                    if len(hits) == limit:
                        more = position != page.positions[-1] or page.more
                        return _page(hits, _cursor(position) if more else None, asked)
            if not page.more or not page.positions:
                return _page(hits, None, asked)
            if chunk == MAX_CHUNKS:
                break
            page = self._index.newest(account, driver, page.positions[-1], CHUNK)
        # Read budget spent: what matched so far, and where to go on from.
        return _page(hits, _cursor(page.positions[-1]), asked)

    def suggest(
        self, caller: Caller, text: str, filters: SearchFilters = SearchFilters(), *, limit: int = 3
    ) -> SearchPage:
        """Tickets that share the most words with `text` (deflection: a new ticket's subject while
        it is typed), best first; words of fewer than 3 letters and the commonest words ignored.
        Bounded: one index request per word (newest CHUNK entries) and one BatchGetItem."""
        account = None if caller.is_operator else _account_of(caller)
        asked = tuple(
            w for w in search.query_words(text) if len(w) >= SUGGEST_MIN_WORD and w not in search.STOP_WORDS
        )
        if not asked:
            return SearchPage([], None)
        votes: dict[str, int] = {}
        for key in dict.fromkeys(search.index_key(w) for w in asked):
            for position in self._index.newest(account, key, None, CHUNK).positions:
                votes[position] = votes.get(position, 0) + 1
        ranked = sorted(votes, key=lambda p: (votes[p], p), reverse=True)[: limit * SUGGEST_CANDIDATES]
        found = self._index.tickets([_ticket_id(p) for p in ranked])
        scored = []
        for position in ranked:
            hit = found.get(_ticket_id(position))
            if hit is None or not _visible(hit, account, filters):
                continue
            matched = tuple(w for w in asked if search.matches((w,), hit.words))
            if matched:
                scored.append((len(matched), position, hit, matched))
        scored.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
        best = scored[:limit]
        resolutions = {
            hit.ticket.id: snippet(hit.resolution, matched)
            for _n, _p, hit, matched in best
            if hit.resolution is not None and hit.ticket.status is Status.CLOSED
        }
        return SearchPage([hit.ticket for _n, _p, hit, _m in best], None, resolutions)


class SearchIndexer:
    """Keeps the word index in step with the tickets' words (from the stream)."""

    def __init__(self, index: SearchIndex) -> None:
        self._index = index

    def handle(self, event: SearchWordsAdded | None) -> int:
        """Index the prefixes the new words bring (those of known words are there already);
        idempotent, so a redelivered record writes the same items again. How many were written."""
        if event is None:
            return 0
        new = search.prefixes(event.words) - search.prefixes(event.known)
        if not new:
            return 0
        return self._index.add(event.account_id, event.ticket_id, event.created_at, new)


def _page(hits: list[IndexedTicket], cursor: str | None, asked: tuple[str, ...]) -> SearchPage:
    resolutions = {
        hit.ticket.id: snippet(hit.resolution, asked)
        for hit in hits
        if hit.resolution is not None and hit.ticket.status is Status.CLOSED
    }
    return SearchPage([hit.ticket for hit in hits], cursor, resolutions)


def _reach(page: IndexPage) -> tuple[int, str]:
    """Sort key for choosing the driving list: a complete list by its length first, then the
    list reaching furthest back (the sparsest) — the smallest last position."""
    if not page.more:
        return (0, f"{len(page.positions):012d}")
    return (1, page.positions[-1] if page.positions else "")


def _may_match(position: str, others: dict[str, IndexPage]) -> bool:
    """False when another word's list covers this position and does not have it."""
    for page in others.values():
        if position in page.positions:
            continue
        if not page.more or (page.positions and position >= page.positions[-1]):
            return False
    return True


def _visible(
    found: IndexedTicket, account: str | None, filters: SearchFilters, asked: tuple[str, ...] = ()
) -> bool:
    ticket = found.ticket
    return (
        (account is None or ticket.account_id == account)
        and (filters.status is None or ticket.status is filters.status)
        and (filters.department is None or ticket.department == filters.department)
        and (filters.assignee is None or ticket.assignee == filters.assignee)
        and search.matches(asked, found.words)
    )


def _account_of(caller: Caller) -> str:
    if not caller.account_id:
        raise NotAllowed("no_customer_account")
    return caller.account_id


def _ticket_id(position: str) -> str:
    return position.rsplit("#", 1)[1]


def _cursor(position: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(["search", position]).encode()).decode().rstrip("=")


def _position_of(cursor: str) -> str:
    """The index position a search cursor points after; any other cursor is refused."""
    try:
        kind, position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        kind = position = None
    if kind != "search" or not isinstance(position, str) or not _POSITION.match(position):
        raise InvalidInput("cursor_invalid", details=[FieldProblem("cursor", "not_a_cursor")])
    return position
