"""What a cold start loads: each function's handler module imported in a fresh interpreter, as the
Lambda runtime imports it (the function's folder and the layer on the path, its environment from
template.yaml, the AWS calls of its init answered by a moto server), and what it left in
sys.modules. These guard the cold-start work of issue 14 without timing anything: a change that
brings one of these modules back into a function's init fails here, not only in `make bench`."""

from __future__ import annotations

import ast
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from devstack.functions import LAYER
from devstack.provision import provision, resource_names
from devstack.template import FunctionSpec, functions

NAMES = resource_names("cold-imports")

# What the child reports after importing the handler: the modules loaded, how many of the API's
# models have their validators built, and whether the SES client was made.
_PROBE = """
import importlib, json, sys
module, _, function = sys.argv[1].rpartition(".")
getattr(importlib.import_module(module), function)
built = []
if "helpdesk.http.schemas" in sys.modules:
    from helpdesk.http.schemas import Schema
    pending = list(Schema.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__pydantic_complete__:
            built.append(model.__name__)
runtime = sys.modules.get("helpdesk.runtime")
mailers = runtime.mailer.cache_info().currsize if runtime else 0
print(json.dumps({"modules": sorted(sys.modules), "built": sorted(built), "ses_clients": mailers}))
"""

# Only these functions compute business hours at init (every run of theirs needs the calendars):
# the others load the holidays library, if at all, on the first request that shows an SLA clock.
NEEDS_CALENDARS = {"EscalateFunction", "AggregateReportsFunction"}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    saved = {key: os.environ.get(key) for key in ("AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ENDPOINT_URL=url, AWS_DEFAULT_REGION="eu-west-1")
    try:
        provision(NAMES)
        yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


def _cold_import(spec: FunctionSpec, endpoint: str) -> dict[str, Any]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join([str(spec.code_dir), str(LAYER)]),
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_LAMBDA_FUNCTION_NAME": spec.logical_id,
        **spec.environment,
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, the probe above, the template's handler
        [sys.executable, "-c", _PROBE, spec.handler],
        env=env,
        cwd=spec.code_dir,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _loaded(result: dict[str, Any], package: str) -> list[str]:
    return [m for m in result["modules"] if m == package or m.startswith(package + ".")]


@pytest.fixture(scope="module")
def cold(endpoint: str) -> dict[str, dict[str, Any]]:
    return {spec.logical_id: _cold_import(spec, endpoint) for spec in functions(NAMES)}


def test_only_the_functions_that_compute_business_hours_at_init_load_the_holidays_library(
    cold: dict[str, dict[str, Any]],
) -> None:
    loading = {function for function, result in cold.items() if _loaded(result, "holidays")}
    assert loading == NEEDS_CALENDARS


def test_no_function_loads_the_parser_models_of_the_stream_sources(cold: dict[str, dict[str, Any]]) -> None:
    # The stream functions import Powertools' batch utility before pydantic is loaded: imported
    # after it, the batch types import the parser's models of every event source.
    loading = {
        function
        for function, result in cold.items()
        if _loaded(result, "aws_lambda_powertools.utilities.parser.models.dynamodb")
        or _loaded(result, "aws_lambda_powertools.utilities.parser.models.sqs")
    }
    assert loading == set()


def test_the_api_models_are_built_on_first_use_not_at_import(cold: dict[str, dict[str, Any]]) -> None:
    built = {function: result["built"] for function, result in cold.items() if result["built"]}
    assert built == {}
    # ...and the API functions do import them (the check above looked at something).
    assert "helpdesk.http.schemas" in cold["ReplyFunction"]["modules"]


def test_of_the_api_functions_only_the_reports_load_the_report_domain(
    cold: dict[str, dict[str, Any]],
) -> None:
    api = {spec.logical_id for spec in functions(NAMES) if spec.routes}
    loading = {function for function in api if _loaded(cold[function], "helpdesk.domain.reports")}
    assert loading == {"ReportsFunction"}


def test_inbound_mail_makes_its_ses_client_only_when_it_sends_a_notice(
    cold: dict[str, dict[str, Any]],
) -> None:
    assert cold["InboundEmailFunction"]["ses_clients"] == 0
    # Notify sends on nearly every record (off any request): its client is made at init.
    assert cold["NotifyFunction"]["ses_clients"] == 1


def test_the_pydantic_modules_annotate_with_objects_not_strings() -> None:
    # With postponed annotations pydantic compiles each field's annotation string at import.
    modules = ["http/schemas.py", "http/report_schemas.py", "config.py", "mail/ses_event.py"]
    postponed = [
        module
        for module in modules
        for node in ast.walk(ast.parse((LAYER / "helpdesk" / module).read_text()))
        if isinstance(node, ast.ImportFrom) and node.module == "__future__"
    ]
    assert postponed == []
