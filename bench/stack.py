"""The embedded stack the in-process measurements run on: moto's mock_aws, the tickets table
created from template.yaml, the real handlers loaded through devstack's LocalGateway, and a
counter of the DynamoDB requests those handlers make."""

from __future__ import annotations

import copy
import os
import time
import types
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

import boto3
import moto.dynamodb.models
from moto import mock_aws
from moto.dynamodb.models.table import Table

from devstack.gateway import LocalGateway
from devstack.provision import provision, resource_names

TABLE = "helpdesk-bench"
REGION = "eu-west-1"
DUMMY_CREDENTIAL = "bench"  # moto accepts anything; real AWS never sees it


def configure_process() -> None:
    """Dummy credentials and a region so no request can leave the machine, and silence the
    warning log_metrics gives for requests that publish no metric."""
    for variable in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
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
    seconds: float  # time inside those calls: sending, moto answering, parsing the response


class RequestLog:
    """Records every DynamoDB API call a client makes, as botocore sends it (before-call fires
    once per call, not per retry), so counts are real requests rather than calls into our store."""

    def __init__(self) -> None:
        self._operations: list[str] = []
        self._seconds = 0.0
        self._started = 0.0

    def attach(self, client: Any) -> None:
        events = client.meta.events
        events.register("before-call.dynamodb", self._before)
        events.register("after-call.dynamodb", self._after)
        events.register("after-call-error.dynamodb", self._after)

    def _before(self, model: Any, **_kwargs: Any) -> None:
        self._operations.append(model.name)
        self._started = time.perf_counter()

    def _after(self, **_kwargs: Any) -> None:
        self._seconds += time.perf_counter() - self._started

    def take(self) -> Requests:
        """The calls recorded since the last take."""
        taken = Requests(self._operations, self._seconds)
        self._operations, self._seconds = [], 0.0
        return taken


@dataclass(frozen=True)
class Stack:
    client: Any  # the benchmark's own client: table setup, seeding, the bare put_item baseline
    gateway: LocalGateway
    requests: RequestLog  # the handlers' calls only


def _handler_clients(gateway: LocalGateway) -> list[Any]:
    """The DynamoDB client the handler modules use: runtime.dynamodb(), one per process."""
    from helpdesk import runtime

    return [runtime.dynamodb()]


# The template's resources, as the functions' environment names them (the mail functions fetch
# their signing secret at cold start, so it has to exist).
RESOURCE_NAMES = {**resource_names("bench"), "TicketsTable": TABLE}


@contextmanager
def embedded_stack() -> Iterator[Stack]:
    """A fresh table and freshly imported handlers (cold containers), torn down on exit."""
    with mock_aws():
        provision(RESOURCE_NAMES)
        client = boto3.client("dynamodb")
        gateway = LocalGateway(RESOURCE_NAMES)
        os.environ.update(gateway.environment())
        gateway.cold_start()
        requests = RequestLog()
        for handler_client in _handler_clients(gateway):
            requests.attach(handler_client)
        yield Stack(client, gateway, requests)


@contextmanager
def without_transaction_snapshots() -> Iterator[None]:
    """moto deep-copies a table for every item of a TransactWriteItems, to roll back on failure:
    about a second per copy at 20,000 items, which would make one auto-close run take minutes.
    DynamoDB does nothing of the kind. Inside this block the copy is skipped, so a failed
    transaction would not roll back: use it only where every transaction is expected to succeed
    (and check that they did). Request and item counts are unaffected."""

    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    shim = types.SimpleNamespace(copy=copy.copy, deepcopy=deepcopy)
    with mock.patch.object(moto.dynamodb.models, "copy", shim):
        yield
