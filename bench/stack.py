"""The embedded stack the in-process measurements run on: moto's mock_aws (with the table on
moto too, or, for the large-table sections, on DynamoDB Local as `make run` has it), the tickets
table created from template.yaml, the real handlers loaded through devstack's LocalGateway, and a
counter of the DynamoDB requests those handlers make."""

from __future__ import annotations

import os
import re
import time
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import batched
from typing import Any

import boto3
from moto import mock_aws

from devstack.dynamodb import engine
from devstack.gateway import LocalGateway
from devstack.provision import provision, resource_names

TABLE = "helpdesk-bench"
REGION = "eu-west-1"
DUMMY_CREDENTIAL = "bench"  # moto accepts anything; real AWS never sees it
BATCH = 25  # batch_write_item's maximum


def configure_process() -> None:
    """Dummy credentials and a region so no request can leave the machine, and silence the
    warning log_metrics gives for requests that publish no metric."""
    for variable in (
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
    ):
        os.environ.pop(variable, None)
    os.environ.update(
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID=DUMMY_CREDENTIAL,
        AWS_SECRET_ACCESS_KEY=DUMMY_CREDENTIAL,
        POWERTOOLS_METRICS_NAMESPACE="Netz0HelpdeskBench",
    )
    warnings.filterwarnings("ignore", message="No application metrics to publish")


@dataclass(frozen=True)
class Requests:
    operations: list[str]  # API operation names, oldest first
    seconds: float  # time inside those calls: sending, the engine answering, parsing the response
    items_read: int = 0  # what Query and Scan answers counted as read (ScannedCount)


class RequestLog:
    """Records every DynamoDB API call a client makes, as botocore sends it (before-call fires
    once per call, not per retry), so counts are real requests rather than calls into our store."""

    def __init__(self) -> None:
        self._operations: list[str] = []
        self._seconds = 0.0
        self._started = 0.0
        self._items_read = 0

    def attach(self, client: Any, service: str = "dynamodb") -> None:
        events = client.meta.events
        events.register(f"before-call.{service}", self._before)
        events.register(f"after-call.{service}", self._after)
        events.register(f"after-call-error.{service}", self._after)

    def _before(self, model: Any, **_kwargs: Any) -> None:
        self._operations.append(model.name)
        self._started = time.perf_counter()

    def _after(self, parsed: Any = None, **_kwargs: Any) -> None:
        self._seconds += time.perf_counter() - self._started
        if isinstance(parsed, dict):
            self._items_read += int(parsed.get("ScannedCount", 0))

    def take(self) -> Requests:
        """The calls recorded since the last take."""
        taken = Requests(self._operations, self._seconds, self._items_read)
        self._operations, self._seconds, self._items_read = [], 0.0, 0
        return taken


@dataclass(frozen=True)
class Stack:
    client: Any  # the benchmark's own client: table setup, seeding, the bare put_item baseline
    gateway: LocalGateway
    requests: RequestLog  # the handlers' calls only
    engine: str  # what serves DynamoDB: "moto" or "DynamoDB Local"


def _handler_clients(gateway: LocalGateway) -> list[Any]:
    """The DynamoDB client the handler modules use: runtime.dynamodb(), one per process."""
    from helpdesk import runtime

    return [runtime.dynamodb()]


# The template's resources, as the functions' environment names them (the mail functions fetch
# their signing secret at cold start, so it has to exist).
RESOURCE_NAMES = {**resource_names("bench"), "TicketsTable": TABLE}


@contextmanager
def embedded_stack(*, dynamodb_local: bool = False) -> Iterator[Stack]:
    """A fresh table and freshly imported handlers (cold containers), torn down on exit.

    With `dynamodb_local`, DynamoDB (the table) is DynamoDB Local, the engine `make run` uses,
    and everything else stays on moto's mock: moto deep-copies the whole table for every item of
    a TransactWriteItems (to roll back), so on a table of 20,000 items every write takes about a
    second there; DynamoDB Local's cost does not grow with the table (docs/decisions.md)."""
    config: Any = None
    name = "moto"
    if dynamodb_local:
        local = engine()
        local.wait_ready()
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = local.endpoint
        # moto's mock lets requests to that address through to the real engine.
        config = {"core": {"passthrough": {"urls": [re.escape(local.endpoint) + ".*"]}}}
        name = "DynamoDB Local"
    try:
        with mock_aws(config=config):
            provision(RESOURCE_NAMES)
            client = boto3.client("dynamodb")
            try:
                gateway = LocalGateway(RESOURCE_NAMES)
                os.environ.update(gateway.environment())
                gateway.cold_start()
                requests = RequestLog()
                for handler_client in _handler_clients(gateway):
                    requests.attach(handler_client)
                yield Stack(client, gateway, requests, name)
            finally:
                if dynamodb_local:  # the engine outlives the stack: the next one makes its table anew
                    client.delete_table(TableName=TABLE)
    finally:
        os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)


def put_items(client: Any, items: Iterable[dict[str, Any]]) -> int:
    """Writes items straight into the table, 25 a request, again for what DynamoDB left
    unprocessed: how the large-table sections seed (not through the handlers: 20,000 opens are
    not what they measure). Answers how many were written."""
    written = 0
    for batch in batched(items, BATCH, strict=False):
        requests = [{"PutRequest": {"Item": item}} for item in batch]
        while requests:
            response = client.batch_write_item(RequestItems={TABLE: requests})
            requests = response.get("UnprocessedItems", {}).get(TABLE, [])
        written += len(batch)
    return written


def scan_cost(client: Any) -> tuple[int, int]:
    """Items and requests a Scan of the whole table takes (1 MB pages), i.e. a design without
    the sparse index."""
    items = requests = 0
    kwargs: dict[str, Any] = {"TableName": TABLE, "Select": "COUNT"}
    while True:
        response = client.scan(**kwargs)
        items += int(response["ScannedCount"])
        requests += 1
        if "LastEvaluatedKey" not in response:
            return items, requests
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
