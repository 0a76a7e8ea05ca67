"""Lambda's execution model for the local stack: every invocation runs in a container, a worker
process that serves one invocation at a time; when calls overlap, more containers start (each
with its own cold start), up to a limit, the way Lambda scales a function out. So handler calls
run concurrently, and the only thing serialized is what Lambda serializes too: one invocation
per container.

Why processes and not threads in this one: a handler module is not safe to run twice at once in
one process. Powertools' resolver keeps the current event on the module's `app` (a second request
would read the first one's caller), and the layer's single Metrics object is flushed and cleared by
whichever invocation ends first (and its dict can change while another flush iterates it). Lambda
never runs two invocations in one container; neither does this.

Containers start with the "spawn" method (a fresh interpreter, not a fork of a process that runs
server threads) and the environment the stack set up (endpoints, the functions' variables)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import warnings
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from devstack.gateway import LocalGateway
from devstack.template import FunctionSpec

log = logging.getLogger("devstack.containers")

DEFAULT_CONTAINERS = 4  # concurrent invocations; the machine's 2 cores also run DynamoDB Local

# ---------------------------------------------------------------- inside a container
_gateway: LocalGateway | None = None


def _start_container(environment: dict[str, str], resource_names: dict[str, str]) -> None:
    global _gateway
    os.environ.clear()
    os.environ.update(environment)
    # Powertools warns for every invocation that records no metric; the stack ignores it.
    warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
    # Every handler imports as the container starts (its cold start), so that no request waits
    # for an import; Lambda would import only the one function a container serves.
    _gateway = LocalGateway(resource_names)
    _gateway.cold_start()


def _invoke_here(logical_id: str, event: dict[str, Any]) -> Any:
    assert _gateway is not None, "not in a container"
    spec = next(s for s in _gateway.specs if s.logical_id == logical_id)
    return _gateway.invoke(spec, event)


def _ready() -> int:
    return os.getpid()


# ---------------------------------------------------------------- the stack's side
class Containers:
    """Up to `limit` containers, started on demand; `invoke` blocks until the function returns
    and raises what it raised."""

    def __init__(self, resource_names: dict[str, str], limit: int = DEFAULT_CONTAINERS) -> None:
        if limit < 1:
            raise ValueError("at least one container is needed")
        self.limit = limit
        self._resource_names = dict(resource_names)
        self._environment = dict(os.environ)  # as the stack set it up, whatever changes later
        self._lock = threading.Lock()  # guards replacing a broken pool, nothing else
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.limit,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_container,
            initargs=(self._environment, self._resource_names),
        )

    def warm(self) -> Future[int]:
        """Start every container now (each submission finding no idle container starts one); the
        future is done once the first is ready to serve. The others start meanwhile, so a burst
        of requests finds them warm instead of waiting for cold starts."""
        first = self._pool.submit(_ready)
        for _ in range(self.limit - 1):
            self._pool.submit(_ready)
        return first

    def invoke(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        pool = self._pool
        try:
            return pool.submit(_invoke_here, spec.logical_id, event).result()
        except BrokenProcessPool:
            # A container died (killed, out of memory): this call fails, as in Lambda; the next
            # ones get new containers.
            with self._lock:
                if self._pool is pool:
                    log.error("a container died; starting new ones")
                    self._pool = self._new_pool()
            raise

    def stop(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class PooledGateway(LocalGateway):
    """The local gateway with its invocations sent to containers instead of run in this process."""

    def __init__(self, resource_names: dict[str, str], containers: Containers) -> None:
        super().__init__(resource_names)
        self.containers = containers

    def cold_start(self) -> None:
        self.containers.warm().result()

    def invoke(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        return self.containers.invoke(spec, event)
