"""`make load`: a busy morning against `make run`'s stack, over HTTP as clients would send it.

1. opens: 1,000 tickets opened by 50 concurrent clients across 10 accounts (30 s client timeout);
   opens/s, latency percentiles of the first and the last hundred (in the order they were sent),
   client errors, and lost writes (a 201 whose ticket the account's listing does not show).
2. replies: 200 concurrent replies (customers and operators alternating) on 20 of those tickets;
   every one must be answered 201 and be in its ticket's thread afterwards.
3. auto-close race: 50 tickets answered by an operator (WAITING), then their customers reply while
   auto_close runs as of 73 hours later; every ticket must end OPEN with the customer's reply (a
   reply that lands after the close reopens the ticket).

`python -m bench.load [--url URL]` runs it against a stack already running (default
http://127.0.0.1:3000, i.e. `make run`); `--start` starts `python -m devstack` on free ports for
the run and stops it afterwards. The request loops are bounded in count and time and talk only to
that URL (a loopback address)."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from bench.report import ms, table

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "http://127.0.0.1:3000"
CLIENT_TIMEOUT_SECONDS = 30.0
# The checks afterwards are not the clients under test: they wait as long as the stack needs.
CHECK_TIMEOUT_SECONDS = 600.0
OPENS = 1000
CLIENTS = 50
ACCOUNTS = 10
REPLY_TICKETS = 20
REPLIES = 200
RACE_TICKETS = 50
SLICE = 100  # the "first" and "last" hundred opens


@dataclass(frozen=True)
class Answer:
    sent_at: float  # perf_counter when the request went out
    seconds: float
    status: int | None  # None: no answer (timeout, refused connection)
    body: Any = None
    error: str = ""


class Http:
    """One request per connection, as many independent clients would send them."""

    def __init__(self, url: str, timeout: float = CLIENT_TIMEOUT_SECONDS) -> None:
        parts = urlsplit(url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"the load command only targets this machine's loopback address, not {url}")
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout

    def call(self, method: str, path: str, token: str | None = None, body: Any = None) -> Answer:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as error:
            return Answer(started, time.perf_counter() - started, None, error=type(error).__name__)
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return Answer(started, seconds, response.status, parsed)

    def token(self, role: str, **fields: str) -> str:
        answer = self.call("POST", "/_local/token", body={"role": role, **fields})
        if answer.status != 200:
            raise SystemExit(f"no token from {self.host}:{self.port}: {answer.status} {answer.body}")
        return str(answer.body["token"])


def run_concurrently(calls: Sequence[Callable[[], Answer]], clients: int) -> tuple[list[Answer], float]:
    """Every call, `clients` at a time, in order of submission; returns answers and wall time."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients, thread_name_prefix="load-client") as pool:
        answers = list(pool.map(lambda call: call(), calls))
    return answers, time.perf_counter() - started


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def failures(answers: Sequence[Answer], expected: int) -> list[str]:
    return [a.error or f"HTTP {a.status}" for a in answers if a.status != expected]


# ---------------------------------------------------------------- the phases
@dataclass
class Accounts:
    customers: list[str]  # token of each account's customer; account i is acct-load-<run>-<i>
    operator: str
    run: str = ""

    def account(self, index: int) -> str:
        return f"acct-load-{self.run}-{index}"


@dataclass
class Opens:
    answers: list[Answer]
    seconds: float
    ids: dict[int, list[str]] = field(default_factory=dict)  # account index -> acknowledged ids
    listed: int = 0
    lost: int = 0


def open_tickets(http: Http, check: Http, accounts: Accounts, count: int, clients: int) -> Opens:
    def opener(number: int) -> Callable[[], Answer]:
        token = accounts.customers[number % len(accounts.customers)]
        body = {
            "department": "soporte",
            "subject": f"Carga {accounts.run} n.º {number}",
            "body": "El panel tarda en cargar esta mañana.",
        }
        return lambda: http.call("POST", "/tickets", token, body)

    answers, seconds = run_concurrently([opener(n) for n in range(count)], clients)
    opens = Opens(answers, seconds)
    for number, answer in enumerate(answers):
        if answer.status == 201:
            opens.ids.setdefault(number % len(accounts.customers), []).append(answer.body["id"])
    for index, token in enumerate(accounts.customers):
        listed = set(list_ids(check, token))
        opens.listed += len(listed)
        opens.lost += sum(1 for ticket in opens.ids.get(index, []) if ticket not in listed)
    return opens


def list_ids(http: Http, token: str) -> Iterator[str]:
    cursor = None
    for _page in range(100):  # bounded: 10,000 tickets per account at most
        path = "/tickets?limit=100" + (f"&cursor={cursor}" if cursor else "")
        answer = http.call("GET", path, token)
        if answer.status != 200:
            raise SystemExit(f"listing failed: {answer.status} {answer.body}")
        yield from (item["id"] for item in answer.body["items"])
        cursor = answer.body.get("next_cursor")
        if not cursor:
            return


@dataclass
class Replies:
    answers: list[Answer]
    seconds: float
    missing: int


def reply_concurrently(http: Http, check: Http, accounts: Accounts, opens: Opens, clients: int) -> Replies:
    owned = [(index, ticket) for index, ids in sorted(opens.ids.items()) for ticket in ids[:2]]
    tickets = owned[:REPLY_TICKETS]
    sent: dict[str, list[str]] = {ticket: [] for _index, ticket in tickets}

    def replier(number: int) -> Callable[[], Answer]:
        index, ticket = tickets[number % len(tickets)]
        customer = number % 2 == 0
        token = accounts.customers[index] if customer else accounts.operator
        text = f"Respuesta de carga {accounts.run}-{number}"
        sent[ticket].append(text)
        return lambda: http.call("POST", f"/tickets/{ticket}/replies", token, {"body": text})

    calls = [replier(n) for n in range(REPLIES)]
    answers, seconds = run_concurrently(calls, clients)
    missing = 0
    for ticket, texts in sent.items():
        thread = check.call("GET", f"/tickets/{ticket}", accounts.operator).body
        bodies = {message["body"] for message in thread["messages"]}
        missing += sum(1 for text in texts if text not in bodies)
    return Replies(answers, seconds, missing)


@dataclass
class Race:
    tickets: int
    replies: list[Answer]
    auto_close: Answer
    wrong: list[str]  # "<id>: <status>, reply kept: <bool>" for each ticket that did not end right


def race_auto_close(http: Http, check: Http, accounts: Accounts, opens: Opens, clients: int) -> Race:
    owned = [(index, ticket) for index, ids in sorted(opens.ids.items()) for ticket in ids[2:]]
    tickets = owned[:RACE_TICKETS]
    for _index, ticket in tickets:
        answer = check.call(
            "POST", f"/tickets/{ticket}/replies", accounts.operator, {"body": "¿Sigue pasando?"}
        )
        if answer.status != 201:
            raise SystemExit(f"could not set {ticket} WAITING: {answer.status} {answer.body}")
    at = (datetime.now(UTC) + timedelta(hours=73)).strftime("%Y-%m-%dT%H:%M:%SZ")
    closing: list[Answer] = []

    def customer_reply(index: int, ticket: str) -> Callable[[], Answer]:
        text = f"Sí, sigue pasando ({accounts.run})"
        token = accounts.customers[index]
        return lambda: http.call("POST", f"/tickets/{ticket}/replies", token, {"body": text})

    calls = [customer_reply(index, ticket) for index, ticket in tickets]
    runner = threading.Thread(
        target=lambda: closing.append(http.call("POST", "/_local/auto-close", body={"at": at}))
    )
    runner.start()  # races the replies below
    replies, _seconds = run_concurrently(calls, clients)
    runner.join(CLIENT_TIMEOUT_SECONDS * 2)
    wrong = []
    for _index, ticket in tickets:
        thread = check.call("GET", f"/tickets/{ticket}", accounts.operator).body
        kept = any(m["body"].startswith("Sí, sigue pasando") for m in thread["messages"])
        if thread["status"] != "OPEN" or not kept:
            wrong.append(f"{ticket}: {thread['status']}, reply kept: {kept}")
    closing_answer = closing[0] if closing else Answer(0.0, 0.0, None, error="no answer")
    return Race(len(tickets), replies, closing_answer, wrong)


# ---------------------------------------------------------------- the report
def report_opens(out: TextIO, url: str, opens: Opens) -> None:
    ordered = sorted(opens.answers, key=lambda a: a.sent_at)
    first = [a.seconds * 1000 for a in ordered[:SLICE] if a.status == 201]
    last = [a.seconds * 1000 for a in ordered[-SLICE:] if a.status == 201]
    growth = statistics.median(last) / statistics.median(first) if first and last else float("nan")
    errors = failures(opens.answers, 201)
    print(f"Load against {url}\n", file=out)
    table(
        out,
        f"Load 1: {len(opens.answers)} opens from {CLIENTS} clients across {ACCOUNTS} accounts",
        ["opens", "seconds", "opens/s", "client errors", "acknowledged", "listed", "lost writes"],
        [
            [
                str(len(opens.answers)),
                f"{opens.seconds:.1f}",
                f"{len(opens.answers) / opens.seconds:.1f}",
                str(len(errors)),
                str(sum(len(ids) for ids in opens.ids.values())),
                str(opens.listed),
                str(opens.lost),
            ]
        ],
        align="rrrrrrr",
        notes=[f"errors: {summarize(errors)}"] if errors else [],
    )
    table(
        out,
        "Load 1b: open latency (ms), first and last hundred in the order sent",
        ["opens", "answered", "p50", "p90", "p99", "max"],
        [
            [name, str(len(values)), *(ms(percentile(values, p)) for p in (0.5, 0.9, 0.99, 1.0))]
            for name, values in (("first 100", first), ("last 100", last))
        ],
        align="lrrrrr",
        notes=[f"last/first median: {growth:.2f}x (target <= 1.5x)"],
    )


def report_rest(out: TextIO, replies: Replies, race: Race) -> None:
    reply_errors = failures(replies.answers, 201)
    reply_ms = [a.seconds * 1000 for a in replies.answers if a.status == 201]
    race_errors = failures(race.replies, 201)
    table(
        out,
        "Load 2: concurrent replies and the auto-close race",
        ["scenario", "requests", "seconds", "client errors", "p50 ms", "p99 ms", "lost / wrong"],
        [
            [
                f"{REPLIES} replies on {REPLY_TICKETS} tickets",
                str(len(replies.answers)),
                f"{replies.seconds:.1f}",
                str(len(reply_errors)),
                ms(percentile(reply_ms, 0.5)),
                ms(percentile(reply_ms, 0.99)),
                str(replies.missing),
            ],
            [
                f"auto-close vs {race.tickets} customer replies",
                str(len(race.replies) + 1),
                "",
                str(len(race_errors) + (race.auto_close.status != 200)),
                "",
                "",
                str(len(race.wrong)),
            ],
        ],
        align="lrrrrrr",
        notes=[
            *(f"reply errors: {summarize(reply_errors)}" for _ in [1] if reply_errors),
            *(f"race errors: {summarize(race_errors)}" for _ in [1] if race_errors),
            f"auto_close answered {race.auto_close.status}: {race.auto_close.body or race.auto_close.error}",
            *race.wrong[:5],
        ],
    )


def summarize(errors: Sequence[str]) -> str:
    counts: dict[str, int] = {}
    for error in errors:
        counts[error] = counts.get(error, 0) + 1
    return ", ".join(f"{count} x {error}" for error, count in sorted(counts.items()))


# ---------------------------------------------------------------- running it
@contextmanager
def started_stack() -> Iterator[str]:
    """`python -m devstack` on free ports for the run; its output goes to a log file."""
    log_path = ROOT / "test-artifacts" / "load-stack.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack", "--port", "0", "--smtp-port", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            assert process.stdout is not None
            url = ""
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                line = process.stdout.readline()
                if not line:
                    break
                log.write(line)
                found = re.search(r"running at (http://127\.0\.0\.1:\d+)", line)
                if found:
                    url = found.group(1)
                    break
            if not url:
                raise SystemExit(f"the stack did not start; see {log_path}")
            # Keep reading its output so a full pipe never blocks it.
            threading.Thread(target=lambda: log.writelines(process.stdout or ()), daemon=True).start()
            yield url
        finally:
            process.terminate()
            process.wait(30)


def run(url: str, out: TextIO) -> int:
    http, check = Http(url), Http(url, CHECK_TIMEOUT_SECONDS)
    run_id = f"{os.getpid()}{int(time.time()) % 100000}"
    accounts = Accounts(
        customers=[
            http.token("customer", account_id=f"acct-load-{run_id}-{i}", email=f"cliente{i}@carga.example")
            for i in range(ACCOUNTS)
        ],
        operator=http.token("operator", email="operador@netz0.example"),
        run=run_id,
    )
    started = time.perf_counter()
    opens = open_tickets(http, check, accounts, OPENS, CLIENTS)
    report_opens(out, url, opens)
    replies = reply_concurrently(http, check, accounts, opens, CLIENTS)
    race = race_auto_close(http, check, accounts, opens, CLIENTS)
    report_rest(out, replies, race)
    print(f"total load time: {time.perf_counter() - started:.1f} s", file=out)
    clean = (
        not failures(opens.answers, 201)
        and opens.lost == 0
        and not failures(replies.answers, 201)
        and replies.missing == 0
        and not race.wrong
    )
    return 0 if clean else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("LOAD_URL", DEFAULT_URL), help="the stack's URL")
    parser.add_argument("--start", action="store_true", help="start python -m devstack for the run")
    args = parser.parse_args(argv)
    if not args.start:
        return run(args.url, sys.stdout)
    with started_stack() as url:
        return run(url, sys.stdout)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
