"""`make bench`: what the help desk costs, measured against baselines taken in the same run.

Table 1 counts the DynamoDB API calls each operation makes, as botocore sends them (a before-call
hook on the handlers' client), beside the design's target: one request per write and per
single-ticket read, one index page per listing, and for auto-close one index page plus one write
per due ticket; "ok?" also requires the handler's expected answer. Table 2 is each handler's warm
latency, lambda_handler called 200 times on an already-imported module against moto's in-process
DynamoDB (median and 95th percentile), as a ratio to the median of a bare client.put_item of a
ticket-sized item on the same moto; since moto's own cost dominates and does not resemble
DynamoDB's, it also splits each median into time inside DynamoDB calls and the handler's own
time (routing, validation, domain, serialisation). Table 3 is each function's cold start as Lambda loads
the `sam build` output (the layer at opt/python, the function at task/, files dated as the zip
dates them, no bytecode written, the handler imported with importlib.import_module) timed inside
a fresh `python -S`, median of 7, as a ratio to `import boto3; boto3.client("dynamodb")` in the
same kind of process, the floor any DynamoDB function pays, with the modules compiled from source
during init; beside it the same files without bytecode (what BuildMethod: python3.13 shipped) and
the old warm-cache ratio; target ≤ 1.3x and nothing compiled, and table 3b breaks down what
functions over it add, by package, from -X importtime. Table 4 seeds 20,000 tickets (50 due) in
DynamoDB Local (the engine `make run` uses; on moto every transaction would copy the whole table) and runs the
auto-close schedule once: the index items it read and the requests it made, against the due
count read from one index page plus one write each, beside what a Scan of the table would have
read; table 4b counts the requests of listings and searches in that same table. Table 5 takes in a 10 MB mail
with attachments: parse_message and the inbound_email handler end to end on moto (S3 and
DynamoDB), time and tracemalloc peak, as ratios to the standard library parsing the same bytes and
decoding every part; table 5b checks that no attachment was dropped under the configured limits.
Table 6 runs every message of the shared real-world mail corpus through the parser: crashes,
empty bodies and lost text, U+FFFD, quote stripping right against the expected replies.
Table 7 is one SLA escalation run at 20,000 tickets with 50 at risk; table 8 a 30-day report
(GET /reports) at 20,000 tickets, both on DynamoDB Local beside what a Scan would read. Table 9 is
one reminder run (the auto-close schedule's) at 20,000 tickets with 50 reminders due, run twice.
Table 10 searches 20,000 tickets of one account (a customer) and 20,000 over 2,000 accounts (an
operator), on DynamoDB Local: items read per search and recall (every matching ticket found,
following cursors), the design before the word index beside the handler as it is now.

`python -m bench [section ...]` runs only the named sections (requests, latency, coldstart,
autoclose, inbound, mailcorpus, escalation, reports, reminders, search); with none, every one, as
`make bench` does. The load on `make run`'s stack over HTTP is its own command: `make load` (bench/load.py).
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, redirect_stdout
from typing import TextIO

from bench import (
    autoclose,
    coldstart,
    escalation,
    inbound_mail,
    latency,
    listings,
    mail_corpus,
    operators,
    reminders,
    reports,
    request_count,
    search,
)
from bench.report import header
from bench.stack import configure_process, embedded_stack


class _Discard(io.TextIOBase):
    """Where the handlers' JSON logs and EMF metrics go: the tables are the output."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


@contextmanager
def _section(name: str, durations: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    durations[name] = time.perf_counter() - started


def _requests(out: TextIO) -> None:
    with embedded_stack() as stack:
        request_count.report(out, request_count.run_scenario(stack))
        operators.report(out, operators.run(stack))


def _latency(out: TextIO) -> None:
    latency.report(out, latency.run())


def _auto_close(out: TextIO) -> None:
    with embedded_stack(dynamodb_local=True) as stack:
        closing = autoclose.run(stack)
        autoclose.report(out, closing)
        listings.report(out, closing.tickets, listings.run(stack))


def _escalation(out: TextIO) -> None:
    with embedded_stack(dynamodb_local=True) as stack:
        escalation.report(out, escalation.run(stack))


def _reports(out: TextIO) -> None:
    with embedded_stack(dynamodb_local=True) as stack:
        reports.report(out, reports.run(stack))


def _reminders(out: TextIO) -> None:
    with embedded_stack(dynamodb_local=True) as stack:
        reminders.report(out, reminders.run(stack))


def _search(out: TextIO) -> None:
    search.report(out, search.run())


def _inbound(out: TextIO) -> None:
    inbound_mail.report(out, inbound_mail.run())


def _mail_corpus(out: TextIO) -> None:
    mail_corpus.report(out, mail_corpus.run())


# Command-line name: (name in the run-time line, what prints the section's tables), in run order.
SECTIONS: dict[str, tuple[str, Callable[[TextIO], None]]] = {
    "requests": ("requests", _requests),
    "latency": ("latency", _latency),
    "coldstart": ("cold imports", coldstart.run),
    "autoclose": ("auto-close", _auto_close),
    "inbound": ("inbound mail", _inbound),
    "mailcorpus": ("mail corpus", _mail_corpus),
    "escalation": ("escalation", _escalation),
    "reports": ("reports", _reports),
    "reminders": ("reminders", _reminders),
    "search": ("search", _search),
}


def run(out: TextIO, selected: Collection[str] = tuple(SECTIONS)) -> dict[str, float]:
    """Prints the selected sections' tables; returns how long each measurement took."""
    durations: dict[str, float] = {}
    header(out, os.cpu_count() or 1)
    for key, (name, section) in SECTIONS.items():
        if key in selected:
            with _section(name, durations):
                section(out)
    return durations


def main(argv: list[str]) -> int:
    unknown = [name for name in argv if name not in SECTIONS]
    if unknown:
        print(
            f"unknown section {', '.join(unknown)}; usage: python -m bench [{' | '.join(SECTIONS)}] ...",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    configure_process()
    out = sys.stdout
    # Logger captures stdout when first created (at the handlers' first import, inside this block).
    with redirect_stdout(_Discard()):
        durations = run(out, argv or tuple(SECTIONS))
    parts = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in durations.items())
    print(f"total run time: {time.perf_counter() - started:.1f} s ({parts})", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
