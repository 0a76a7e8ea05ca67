"""Measurement 10: what a search reads, and whether it finds every matching ticket (recall), in a
table of 20,000 tickets: one account's (a customer searching their history) and 20,000 across
2,000 accounts (an operator searching everything).

Two designs run on the same table in the same run: the baseline is the design before the word
index (docs/decisions.md, 2026-11-25): the caller's listing index read newest first with a
`contains(search_words, :w)` filter, 200-item pages, 10 pages a call, a cursor to go on; it is
reproduced here query for query. The other is GET /tickets?q= through the handler as it is now.
Both follow next_cursor until the search says it is done, so recall counts every page a person
would have to load. Items read are DynamoDB's own counts (ScannedCount, items returned by
GetItem / BatchGetItem) from a hook on the handlers' client."""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

import boto3

from bench.api import OPERATOR, Api, as_reply
from bench.report import table
from bench.stack import TABLE, Stack, embedded_stack, put_items
from bench.tickets import wire
from helpdesk.domain import ids, search
from helpdesk.domain.models import ClosedReason, Ticket
from helpdesk.domain.status_machine import Status
from helpdesk.store import codec, keys
from helpdesk.store.search_index import index_item

TICKETS = 20_000
BIG_ACCOUNT = "acct-big"
ACCOUNTS = 2_000
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SEED_THREADS = 4
# The baseline's read budget (the store's MAX_LIST_PAGES x FILTERED_PAGE_SIZE before the index).
BASELINE_PAGES = 10
BASELINE_PAGE_SIZE = 200
PAGE = 20  # the portal's page
MAX_CALLS = 12  # a search that would need more calls than this to finish is reported as such

COMMON_SUBJECTS = (
    "El webmail no carga",
    "Certificado SSL caducado en mi dominio",
    "Ampliar el plan de hosting",
    "No recibo correos en la cuenta info@",
    "La base de datos MySQL va lenta",
    "Factura duplicada de octubre",
)
BODIES = ("Desde ayer.", "Urgente, gracias.", "¿Pueden revisarlo?")


@dataclass(frozen=True)
class Seeded:
    ticket: Ticket
    words: frozenset[str]


def _planted(n: int) -> tuple[str, str]:
    """Subject and body: mostly common ones, with rarer words planted at known rates."""
    rng = random.Random(n)
    subject = rng.choice(COMMON_SUBJECTS)
    body = rng.choice(BODIES)
    if n % 1000 == 7:  # 20 in 20,000
        subject = "Registro DNS del dominio no resuelve"
    if n % 400 == 3:  # 50 in 20,000: found by the prefix "contra"
        body += " Olvidé la contraseña del correo."
    if n % 500 == 11:  # 40 in 20,000: "contra" too
        body += " Quiero cambiar el contrato."
    return subject, body


def population(*, one_account: bool) -> Iterator[Seeded]:
    rng = random.Random(11)
    for n in range(TICKETS):
        subject, body = _planted(n)
        created = NOW - timedelta(days=rng.uniform(1, 700))
        updated = created + timedelta(hours=rng.uniform(0, 96))
        closed = rng.random() < 0.8
        ticket = Ticket(
            id=f"NZ-{50_000_000 + n:08d}",
            status=Status.CLOSED if closed else Status.OPEN,
            department=rng.choice(("soporte", "comercial")),
            subject=subject,
            account_id=BIG_ACCOUNT if one_account else f"acct-{rng.randrange(ACCOUNTS)}",
            created_at=created,
            updated_at=updated,
            version=3,
            closed_at=updated if closed else None,
            closed_reason=ClosedReason.OPERATOR if closed else None,
        )
        yield Seeded(ticket, frozenset(search.words(subject) | search.words(body)))


def seed_items(seeded: Seeded, prefixes: frozenset[str]) -> list[dict[str, Any]]:
    """The items the store keeps for a ticket: the ticket, and the word index's entries the
    indexer (services.search.SearchIndexer) writes for its words, of the prefixes searched here.
    Entries of other prefixes sit in other partitions, which no search here reads (they would
    only make seeding, at ~500 items/s on DynamoDB Local, take half an hour)."""
    ticket = seeded.ticket
    return [
        codec.ticket_item(ticket, seeded.words),
        *(
            index_item(ticket.account_id, prefix, ticket.created_at, ticket.id)
            for prefix in sorted(search.prefixes(seeded.words) & prefixes)
        ),
    ]


def seed(client: Any, seeded: list[Seeded]) -> int:
    """Writes tickets and index entries straight into the table, from a few threads (seeding is
    not what is measured)."""
    searched = frozenset(search.index_key(w) for wanted in SEARCHES for w in search.query_words(wanted.query))
    items = [item for s in seeded for item in seed_items(s, searched)]
    parts = [items[n::SEED_THREADS] for n in range(SEED_THREADS)]
    with ThreadPoolExecutor(SEED_THREADS) as pool:
        for done in [pool.submit(put_items, boto3.client("dynamodb"), map(wire, part)) for part in parts]:
            done.result()
    return len(items)


def matching(seeded: list[Seeded], query: str, who_account: str | None) -> set[str]:
    """The ground truth: the ticket of a tracking ID, else the tickets the caller may see in
    which every query word begins a word."""
    canonical = ids.normalize_ticket_id(query)
    if canonical is not None:
        return {s.ticket.id for s in seeded if s.ticket.id == canonical}
    asked = search.query_words(query)
    return {
        s.ticket.id
        for s in seeded
        if (who_account is None or s.ticket.account_id == who_account)
        and all(any(w.startswith(a) for w in s.words) for a in asked)
    }


class ItemsRead:
    """Items DynamoDB read for the handlers' requests, from the responses themselves."""

    def __init__(self) -> None:
        self.items = 0
        self.requests = 0

    def attach(self, client: Any) -> None:
        client.meta.events.register("after-call.dynamodb", self._after)

    def _after(self, parsed: dict[str, Any], model: Any, **_kwargs: Any) -> None:
        self.requests += 1
        if "ScannedCount" in parsed:
            self.items += int(parsed["ScannedCount"])
        elif model.name == "GetItem":
            self.items += 1 if "Item" in parsed else 0
        elif model.name == "BatchGetItem":
            self.items += sum(len(items) for items in parsed.get("Responses", {}).values())

    def take(self) -> tuple[int, int]:
        taken = (self.items, self.requests)
        self.items = self.requests = 0
        return taken


@dataclass(frozen=True)
class Search:
    label: str
    query: str
    customer: bool


SEARCHES = (
    Search("tracking ID: NZ-50000042", "NZ-50000042", True),
    Search("rare word: dns (20 tickets)", "dns", True),
    Search("prefix: contra (contraseña, contrato: 90)", "contra", True),
    Search("two words: dominio dns", "dominio dns", True),
    Search("common word: webmail (1 in 6)", "webmail", True),
    Search("no match: zzyzx", "zzyzx", True),
)


@dataclass(frozen=True)
class Outcome:
    first_items: int  # items read by the first call
    first_found: int  # matching tickets on the first page
    calls: int  # calls until no cursor is left (or MAX_CALLS)
    items: int  # items read by all of them
    found: int  # distinct matching tickets seen on all pages
    finished: bool


@dataclass(frozen=True)
class Row:
    scope: str
    search: Search
    truth: int
    baseline: Outcome
    now: Outcome


def _baseline_call(
    client: Any, words: list[str], account: str | None, start: dict[str, Any] | None
) -> tuple[list[str], dict[str, Any] | None, int]:
    """One call of the design before the index (store.listings as it was): ids, resume key, items read."""
    index, partition = (
        (keys.INDEX_BY_ACCOUNT, keys.account_pk(account)) if account else (keys.INDEX_ALL, keys.ALL_TICKETS)
    )
    attr = keys.INDEX_PARTITION_ATTR[index]
    kwargs: dict[str, Any] = {
        "TableName": TABLE,
        "IndexName": index,
        "KeyConditionExpression": f"{attr} = :p",
        "FilterExpression": " AND ".join(f"contains(search_words, :w{n})" for n in range(len(words))),
        "ExpressionAttributeValues": wire({":p": partition, **{f":w{n}": w for n, w in enumerate(words)}}),
        "ScanIndexForward": False,
        "Limit": BASELINE_PAGE_SIZE,
    }
    if start:
        kwargs["ExclusiveStartKey"] = start
    found: list[str] = []
    read = 0
    for _page in range(BASELINE_PAGES):
        response = client.query(**kwargs)
        read += int(response["ScannedCount"])
        for raw in response["Items"]:
            found.append(raw["id"]["S"])
            if len(found) == PAGE:
                return found, _key_of(raw, attr), read
        if "LastEvaluatedKey" not in response:
            return found, None, read
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return found, kwargs["ExclusiveStartKey"], read


def _key_of(raw: dict[str, Any], attr: str) -> dict[str, Any]:
    return {k: raw[k] for k in ("pk", "sk", attr, "activity_sk")}


def baseline(client: Any, query: str, account: str | None, truth: set[str]) -> Outcome:
    words = search.query_words(query)
    start: dict[str, Any] | None = None
    seen: set[str] = set()
    calls = items = first_items = first_found = 0
    while calls < MAX_CALLS:
        found, start, read = _baseline_call(client, words, account, start)
        calls += 1
        items += read
        seen |= set(found) & truth
        if calls == 1:
            first_items, first_found = read, len(set(found) & truth)
        if start is None:
            return Outcome(first_items, first_found, calls, items, len(seen), True)
    return Outcome(first_items, first_found, calls, items, len(seen), False)


def through_api(
    stack: Stack, counter: ItemsRead, who: dict[str, Any], query: str, truth: set[str]
) -> Outcome:
    api = Api(stack.gateway)
    cursor: str | None = None
    seen: set[str] = set()
    calls = items = first_items = first_found = 0
    while calls < MAX_CALLS:
        params = {"q": query, "limit": str(PAGE), **({"cursor": cursor} if cursor else {})}
        invocation = api.prepare("GET", "/tickets", who, query=params)
        counter.take()
        reply = as_reply(api.invoke(invocation))
        read, _requests = counter.take()
        if reply.status != 200:
            raise RuntimeError(f"search {query!r} answered {reply.status}: {reply.body}")
        found = {item["id"] for item in reply.body["items"]} & truth
        calls += 1
        items += read
        seen |= found
        if calls == 1:
            first_items, first_found = read, len(found)
        cursor = reply.body.get("next_cursor")
        if not cursor:
            return Outcome(first_items, first_found, calls, items, len(seen), True)
    return Outcome(first_items, first_found, calls, items, len(seen), False)


def customer(account: str) -> dict[str, Any]:
    return {
        "sub": f"sub-{account}",
        "email": f"owner@{account}.example",
        "custom:account_id": account,
        "token_use": "id",
        "cognito:username": f"sub-{account}",
    }


def _scenario(scope: str, *, one_account: bool) -> list[Row]:
    rows: list[Row] = []
    seeded = list(population(one_account=one_account))
    with embedded_stack(dynamodb_local=True) as stack:
        started = time.perf_counter()
        written = seed(stack.client, seeded)
        _progress(f"{scope}: seeded {written:,} items in {time.perf_counter() - started:.0f} s")
        from helpdesk import runtime

        counter = ItemsRead()
        counter.attach(runtime.dynamodb())
        for wanted in SEARCHES:
            account = BIG_ACCOUNT if one_account else None
            who = customer(BIG_ACCOUNT) if one_account else OPERATOR
            truth = matching(seeded, wanted.query, account)
            rows.append(
                Row(
                    scope,
                    wanted,
                    len(truth),
                    baseline(stack.client, wanted.query, account, truth),
                    through_api(stack, counter, who, wanted.query, truth),
                )
            )
            _progress(f"{scope}: {wanted.label} done")
    return rows


def _progress(line: str) -> None:
    print(f"  bench search: {line}", file=sys.stderr, flush=True)


def run() -> list[Row]:
    return [
        *_scenario(f"customer, one account of {TICKETS:,}", one_account=True),
        *_scenario(f"operator, {TICKETS:,} over {ACCOUNTS:,} accounts", one_account=False),
    ]


def _cell(outcome: Outcome, truth: int) -> list[str]:
    recall = f"{outcome.found / truth:.0%}" if truth else "-"
    calls = f"{outcome.calls}" if outcome.finished else f">{outcome.calls}"
    return [f"{outcome.first_items:,}", f"{outcome.first_found}", calls, f"{outcome.items:,}", recall]


def report(out: TextIO, rows: list[Row]) -> None:
    table(
        out,
        f"10. Search in tables of {TICKETS:,} tickets: items read and recall, before the word index / now",
        [
            "who",
            "search",
            "matching",
            "before: 1st call items",
            "found",
            "calls",
            "items",
            "recall",
            "now: 1st call items",
            "found",
            "calls",
            "items",
            "recall",
        ],
        [
            [
                row.scope,
                row.search.label,
                f"{row.truth:,}",
                *_cell(row.baseline, row.truth),
                *_cell(row.now, row.truth),
            ]
            for row in rows
        ],
        align="llrrrrrrrrrrr",
        notes=[
            f"Each search follows next_cursor until none is left (at most {MAX_CALLS} calls),",
            f"page of {PAGE}. found: matching tickets on the first page; recall: matching tickets",
            "seen on all pages / matching (the ground truth: every query word begins a word of",
            "the ticket's subject or messages). before: the filtered listing,",
            f"{BASELINE_PAGES} pages of {BASELINE_PAGE_SIZE} items a call at most.",
        ],
    )
