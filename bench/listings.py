"""Measurement 1 at scale: requests per listing in the 20,000-ticket table of measurement 4.
Unfiltered listings read one index page; a search (a FilterExpression) may read several pages,
up to the store's budget, before it answers with what it found and a cursor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TextIO

from bench.api import CUSTOMER, OPERATOR, Api, as_reply
from bench.report import ok, table
from bench.stack import Stack
from helpdesk.store.listings import FILTERED_PAGE_SIZE, MAX_LIST_PAGES

NO_MATCH = "zzyzx"  # a word no seeded ticket contains


@dataclass(frozen=True)
class Listing:
    label: str
    who: dict[str, Any]
    query: dict[str, str]
    target: int


LISTINGS = (
    Listing("customer, own tickets", CUSTOMER, {}, 1),
    Listing("operator, all tickets", OPERATOR, {}, 1),
    Listing("operator, status=OPEN", OPERATOR, {"status": "OPEN"}, 1),
    Listing("operator, q=webmail (1 in 6 tickets)", OPERATOR, {"q": "webmail"}, MAX_LIST_PAGES),
    Listing(
        "operator, q=webmail, status=WAITING", OPERATOR, {"q": "webmail", "status": "WAITING"}, MAX_LIST_PAGES
    ),
    Listing(f"operator, q={NO_MATCH} (no ticket matches)", OPERATOR, {"q": NO_MATCH}, MAX_LIST_PAGES),
    Listing("operator, sort=queue, status=OPEN", OPERATOR, {"sort": "queue", "status": "OPEN"}, 1),
    Listing("operator, sort=queue (every status)", OPERATOR, {"sort": "queue"}, 1),
    Listing(
        "operator, sort=queue, status=OPEN, department=soporte",
        OPERATOR,
        {"sort": "queue", "status": "OPEN", "department": "soporte"},
        MAX_LIST_PAGES,
    ),
)


@dataclass(frozen=True)
class Row:
    listing: Listing
    status: int
    items: int
    has_cursor: bool
    operations: list[str]
    items_read: int

    @property
    def passed(self) -> bool:
        return self.status == 200 and len(self.operations) <= self.listing.target


def run(stack: Stack) -> list[Row]:
    api = Api(stack.gateway)
    rows = []
    for listing in LISTINGS:
        invocation = api.prepare("GET", "/tickets", listing.who, query=listing.query)
        stack.requests.take()
        reply = as_reply(api.invoke(invocation))
        taken = stack.requests.take()
        items = len(reply.body["items"]) if reply.status == 200 else 0
        cursor = reply.status == 200 and bool(reply.body.get("next_cursor"))
        rows.append(Row(listing, reply.status, items, cursor, taken.operations, taken.items_read))
    return rows


def report(out: TextIO, tickets: int, rows: list[Row]) -> None:
    table(
        out,
        f"4b. Requests per listing in the same table of {tickets:,} tickets (first page, limit 20)",
        ["listing", "requests", "operation names", "items", "items read", "cursor?", "target", "ok?"],
        [
            [
                row.listing.label,
                str(len(row.operations)),
                _names(row.operations),
                str(row.items),
                str(row.items_read),
                "yes" if row.has_cursor else "no",
                f"≤ {row.listing.target}",
                ok(row.passed),
            ]
            for row in rows
        ],
        align="lrlrrlll",
        notes=[
            f"A search filters {FILTERED_PAGE_SIZE}-item index pages, {MAX_LIST_PAGES} pages a call at most",
            f"(helpdesk.store.tickets.MAX_LIST_PAGES): one that matches nothing reads "
            f"{MAX_LIST_PAGES * FILTERED_PAGE_SIZE:,} items and answers empty, with a cursor.",
            "sort=queue reads the queue index of the status asked (queue_by_status; queue_all without",
            "one) in its order: a page of 20 reads 21 items (one more says whether a next page exists);",
            "other filters (department) read filtered pages of the same partition.",
        ],
    )


def _names(operations: list[str]) -> str:
    """ "Query x 10" rather than ten repetitions."""
    if len(set(operations)) == 1 and len(operations) > 1:
        return f"{operations[0]} x {len(operations)}"
    return ", ".join(operations)
