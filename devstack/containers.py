"""Lambda's execution model for the local stack: every invocation runs in a container, a worker
process that serves one invocation at a time, and several containers (4 by default) serve
calls that overlap, the way Lambda scales a function out. So handler calls run concurrently,
and the only thing serialized is what Lambda serializes too: one invocation per container.

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
import queue
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
class _Container:
    """One worker process (a one-worker executor): one invocation at a time."""

    def __init__(self, environment: dict[str, str], resource_names: dict[str, str]) -> None:
        self.executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_container,
            initargs=(environment, resource_names),
        )

    def wait_ready(self) -> None:
        self.executor.submit(_ready).result()


class Containers:
    """Up to `limit` containers; `invoke` runs on an idle one (waiting for one when all are busy,
    as a throttled Lambda caller would retry) and raises what the function raised.

    warm() starts them one after another, not all at once: the first is what the stack waits
    for before serving, and on a loaded machine four interpreters importing at once would delay
    it several times over."""

    def __init__(self, resource_names: dict[str, str], limit: int = DEFAULT_CONTAINERS) -> None:
        if limit < 1:
            raise ValueError("at least one container is needed")
        self.limit = limit
        self._resource_names = dict(resource_names)
        self._environment = dict(os.environ)  # as the stack set it up, whatever changes later
        self._idle: queue.Queue[_Container] = queue.Queue()
        self._started: list[_Container] = []
        self._lock = threading.Lock()  # guards _started
        self._stopping = threading.Event()

    def warm(self) -> Future[None]:
        """Start the containers in the background; the future is done once the first is ready."""
        first: Future[None] = Future()
        threading.Thread(target=self._start_all, args=(first,), name="local-containers", daemon=True).start()
        return first

    def _start_all(self, first: Future[None]) -> None:
        for number in range(self.limit):
            try:
                self._start_one()
            except Exception as error:
                log.exception("container %d did not start", number + 1)
                if not first.done():
                    first.set_exception(error)
                return
            if not first.done():
                first.set_result(None)

    def _start_one(self) -> None:
        if self._stopping.is_set():
            return
        container = _Container(self._environment, self._resource_names)
        with self._lock:
            self._started.append(container)
        container.wait_ready()
        self._idle.put(container)

    def invoke(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        container = self._idle.get()
        try:
            result = container.executor.submit(_invoke_here, spec.logical_id, event).result()
        except BrokenProcessPool:
            # The container died (killed, out of memory): this call fails, as in Lambda; a new
            # container takes its place.
            log.error("a container died; starting a new one")
            container.executor.shutdown(wait=False)
            threading.Thread(target=self._start_one, name="local-container", daemon=True).start()
            raise
        except BaseException:
            self._idle.put(container)  # the function raised; the container is fine
            raise
        self._idle.put(container)
        return result

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            started = list(self._started)
        for container in started:
            container.executor.shutdown(wait=True, cancel_futures=True)


class PooledGateway(LocalGateway):
    """The local gateway with its invocations sent to containers instead of run in this process."""

    def __init__(self, resource_names: dict[str, str], containers: Containers) -> None:
        super().__init__(resource_names)
        self.containers = containers

    def cold_start(self) -> None:
        self.containers.warm().result()

    def invoke(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        return self.containers.invoke(spec, event)
