"""Shared by the tests that drive `make run`'s stack over real HTTP: a small JSON client, and
a stack started in-process on free ports with os.environ put back afterwards (start() points boto3
at its moto server through the environment; the other tests use moto's in-process mock)."""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from devstack.server import LocalStack

# How long a test client waits for one answer. Generous on purpose: on a loaded shared machine 24
# concurrent calls queue behind 4 containers, and a short timeout turned slowness into failures.
# Speed is measured in `make bench` and `make load`, never asserted here.
CLIENT_TIMEOUT = 120


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


class Client:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        return self.call_raw(method, path, data, token, sent)

    def call_raw(
        self,
        method: str,
        path: str,
        data: bytes | None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """The request with `data` as its body, as it is (not JSON, say)."""
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=CLIENT_TIMEOUT)
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            raw = response.read()
            headers_in = {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()
        return Reply(response.status, headers_in, json.loads(raw) if raw else None)

    def token(self, role: str, **fields: str) -> str:
        reply = self.call("POST", "/_local/token", body={"role": role, **fields})
        assert reply.status == 200, reply.body
        return str(reply.body["token"])


@contextmanager
def running_stack(**options: Any) -> Iterator[LocalStack]:
    saved = os.environ.copy()
    local = LocalStack(port=0, smtp_port=0, schedule_interval=None, **options)
    try:
        local.start()
        yield local
    finally:
        local.stop()
        os.environ.clear()
        os.environ.update(saved)
