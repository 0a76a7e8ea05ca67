"""A local stand-in for API Gateway and the Lambda service: routes requests to the handler that
template.yaml names for them, as HTTP API v2 events, and returns what the handler returned.
Identity is given as already-verified JWT claims (the authorizer's job, see devstack.auth)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from devstack.events import LambdaContext, http_api_event, scheduled_event
from devstack.functions import load_handler_module, reset_layer_caches
from devstack.template import FunctionSpec, Route, functions


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class LocalGateway:
    def __init__(self, resource_names: dict[str, str]) -> None:
        self.specs = functions(resource_names)
        self._modules: dict[str, ModuleType] = {}
        # When a request arrives, as API Gateway stamps it on the event (the stack's clock in make run).
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def environment(self) -> dict[str, str]:
        """The union of the functions' environment variables (they agree where they overlap)."""
        env: dict[str, str] = {}
        for spec in self.specs:
            env.update(spec.environment)
        return env

    def cold_start(self) -> None:
        """Import every handler anew, as fresh containers would."""
        reset_layer_caches()
        self._modules = {spec.logical_id: load_handler_module(spec) for spec in self.specs}

    def module(self, spec: FunctionSpec) -> ModuleType:
        if spec.logical_id not in self._modules:
            self._modules[spec.logical_id] = load_handler_module(spec)
        return self._modules[spec.logical_id]

    def route(self, method: str, path: str) -> tuple[FunctionSpec, Route, dict[str, str]] | None:
        # Like API Gateway, a route without parameters wins over one with them.
        candidates = sorted(
            ((spec, route) for spec in self.specs for route in spec.routes),
            key=lambda pair: pair[1].path.count("{"),
        )
        for spec, route in candidates:
            params = route.match(method, path)
            if params is not None:
                return spec, route, params
        return None

    def event_for(
        self,
        method: str,
        path: str,
        *,
        claims: dict[str, Any] | None = None,
        query: dict[str, str] | str | None = None,
        headers: dict[str, str] | None = None,
        body: str | bytes | dict[str, Any] | list[Any] | None = None,
        at: datetime | None = None,
    ) -> tuple[FunctionSpec, Route, dict[str, Any]] | None:
        """The function a request goes to and the HTTP API event it would get, or None (no route)."""
        found = self.route(method, path)
        if found is None:
            return None
        spec, route, params = found
        event = http_api_event(
            method,
            path,
            route_key=route.route_key,
            path_parameters=params or None,
            query=query,
            headers=headers,
            body=body,
            claims=claims if route.authorized else None,
            at=at or self.now(),
        )
        return spec, route, event

    def request(
        self,
        method: str,
        path: str,
        *,
        claims: dict[str, Any] | None = None,
        query: dict[str, str] | str | None = None,
        headers: dict[str, str] | None = None,
        body: str | bytes | dict[str, Any] | list[Any] | None = None,
        at: datetime | None = None,
    ) -> HttpResult:
        found = self.event_for(method, path, claims=claims, query=query, headers=headers, body=body, at=at)
        if found is None:
            return HttpResult(404, {"content-type": "application/json"}, '{"message":"Not Found"}')
        spec, route, event = found
        if route.authorized and claims is None:
            # What the JWT authorizer answers; the function is never invoked.
            return HttpResult(401, {"content-type": "application/json"}, '{"message":"Unauthorized"}')
        result = self.invoke(spec, event)
        return self._http_result(result)

    def invoke(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        handler = getattr(self.module(spec), spec.handler.rsplit(".", 1)[1])
        return handler(event, LambdaContext(function_name=spec.logical_id))

    def run_schedule(self, logical_id: str, at: datetime) -> Any:
        spec = next(s for s in self.specs if s.logical_id == logical_id)
        return self.invoke(spec, scheduled_event(at))

    @staticmethod
    def _http_result(result: Any) -> HttpResult:
        """Lambda's return value, read the way an HTTP API (payload v2) reads it."""
        if not isinstance(result, dict) or "statusCode" not in result:
            return HttpResult(200, {"content-type": "application/json"}, json.dumps(result))
        body = result.get("body") or ""
        if result.get("isBase64Encoded"):
            body = base64.b64decode(body).decode()
        headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        for key, values in (result.get("multiValueHeaders") or {}).items():
            headers[key.lower()] = ",".join(str(v) for v in values)
        return HttpResult(int(result["statusCode"]), headers, body)
