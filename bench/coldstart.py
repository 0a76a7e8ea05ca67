"""Measurement 3: each function's cold import in a fresh interpreter, beside `import boto3;
boto3.client("dynamodb")` in the same kind of process."""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from moto.server import ThreadedMotoServer

from bench.report import ms, ok, ratio, table
from bench.stack import DUMMY_CREDENTIAL, REGION, RESOURCE_NAMES
from devstack.functions import LAYER
from devstack.provision import provision
from devstack.template import FunctionSpec, functions

ROUNDS = 7
PROFILE_RUNS = 5
TOP_PACKAGES = 6
TARGET = 1.3
BASELINE = 'import boto3; boto3.client("dynamodb")'
# What any handler on this stack imports before its own code: the SDK client plus Powertools'
# HTTP resolver with validation (which brings pydantic), Logger and Metrics. Shown for reference,
# so a function's ratio can be read against the floor the chosen libraries set.
FRAMEWORK_LABEL = "reference: boto3 client + Powertools resolver, Logger, Metrics"
FRAMEWORK = (
    'import boto3; boto3.client("dynamodb")\n'
    "from aws_lambda_powertools import Logger, Metrics\n"
    "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver\n"
    "APIGatewayHttpResolver(enable_validation=True); Logger(); Metrics()"
)
MARKER = "--bench-start--"  # separates the interpreter's own start-up imports from the measured ones

# Timed inside the child, so interpreter start-up is not counted. importlib.util comes before the
# clock: the Lambda runtime has it loaded before it imports the handler.
_FUNCTION_CHILD = """
import importlib.util, sys, time
print({marker!r}, file=sys.stderr, flush=True)
start = time.perf_counter()
sys.path.insert(0, {layer!r})
spec = importlib.util.spec_from_file_location({name!r}, {path!r})
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)
print((time.perf_counter() - start) * 1000)
"""
_BASELINE_CHILD = """
import sys, time
print({marker!r}, file=sys.stderr, flush=True)
start = time.perf_counter()
{baseline}
print((time.perf_counter() - start) * 1000)
"""


@dataclass(frozen=True)
class Child:
    label: str
    script: str
    env: dict[str, str]


@dataclass(frozen=True)
class ColdStart:
    label: str
    samples: list[float]  # milliseconds

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


@dataclass(frozen=True)
class Profile:
    """Runs under -X importtime: import self-time per package, and the time spent outside imports
    (module-level code such as create_api() and building the DynamoDB client). Medians of runs."""

    self_ms_by_package: dict[str, float]
    outside_imports_ms: float


def _package(module: str) -> str:
    """Top-level package, except Powertools by subpackage: it is imported piece by piece."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "aws_lambda_powertools" else parts[0]


def _base_env(pycache: str) -> dict[str, str]:
    # Only what a Lambda container would have: no ~/.aws files, no proxy or endpoint overrides.
    # Bytecode goes to a temporary directory rather than into __pycache__ folders in the repo.
    return {
        "PYTHONPYCACHEPREFIX": pycache,
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": DUMMY_CREDENTIAL,
        "AWS_SECRET_ACCESS_KEY": DUMMY_CREDENTIAL,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


def _function_child(spec: FunctionSpec, pycache: str) -> Child:
    module_file = spec.handler.rsplit(".", 1)[0]
    script = _FUNCTION_CHILD.format(
        marker=MARKER,
        layer=str(LAYER),
        name=f"function_{spec.name}",
        path=str(Path(spec.code_dir) / f"{module_file}.py"),
    )
    return Child(spec.logical_id, script, {**_base_env(pycache), **spec.environment})


def _children(pycache: str) -> list[Child]:
    """The baseline first, then every function in template order."""
    baseline = Child(BASELINE, _BASELINE_CHILD.format(marker=MARKER, baseline=BASELINE), _base_env(pycache))
    framework_script = _BASELINE_CHILD.format(marker=MARKER, baseline=FRAMEWORK)
    framework = Child(FRAMEWORK_LABEL, framework_script, _base_env(pycache))
    functions_ = [_function_child(spec, pycache) for spec in functions(RESOURCE_NAMES)]
    return [baseline, framework, *functions_]


def _run(child: Child, *flags: str) -> tuple[float, str]:
    done = subprocess.run(
        [sys.executable, *flags, "-c", child.script],
        env=child.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{child.label}: cold import failed\n{done.stderr}")
    return float(done.stdout.strip().splitlines()[-1]), done.stderr


def measure(children: list[Child]) -> tuple[ColdStart, list[ColdStart]]:
    """Interleaved rounds (baseline, then every function), so drift in the machine's load lands on
    all of them alike. The first round is not counted: it writes the .pyc files later rounds read."""
    samples: dict[str, list[float]] = defaultdict(list)
    for round_number in range(ROUNDS + 1):
        for child in children:
            elapsed, _stderr = _run(child)
            if round_number > 0:
                samples[child.label].append(elapsed)
    results = [ColdStart(child.label, samples[child.label]) for child in children]
    return results[0], results[1:]


def _profile_run(child: Child) -> tuple[dict[str, float], float]:
    total_ms, stderr = _run(child, "-X", "importtime")
    by_package: dict[str, float] = defaultdict(float)
    imports_us = 0
    for line in stderr.split(MARKER, 1)[1].splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        by_package[_package(name.strip())] += int(self_us) / 1000
        if not name.startswith("  ", 1):  # nested imports are indented two spaces per level
            imports_us += int(cumulative_us)
    return by_package, total_ms - imports_us / 1000


def _profiles(children: list[Child]) -> list[Profile]:
    """Profiles of the given children, run in interleaved rounds like measure() so that a busy
    moment does not land on one child only (the baseline is subtracted from every row)."""
    runs: dict[str, list[tuple[dict[str, float], float]]] = defaultdict(list)
    for _round in range(PROFILE_RUNS):
        for child in children:
            runs[child.label].append(_profile_run(child))
    profiles = []
    for child in children:
        samples = runs[child.label]
        packages = {package for by_package, _ in samples for package in by_package}
        profiles.append(
            Profile(
                {p: statistics.median(by_package.get(p, 0.0) for by_package, _ in samples) for p in packages},
                statistics.median(outside for _, outside in samples),
            )
        )
    return profiles


def contributors(children: list[Child], baseline_result: ColdStart, over: list[ColdStart]) -> list[list[str]]:
    """For each function over target: what it adds to the baseline, by package and outside imports."""
    if not over:
        return []
    by_label = {child.label: child for child in children}
    baseline, *profiles = _profiles([children[0], *(by_label[result.label] for result in over)])
    rows = []
    for result, profile in zip(over, profiles, strict=True):
        extra = {
            package: spent - baseline.self_ms_by_package.get(package, 0.0)
            for package, spent in profile.self_ms_by_package.items()
        }
        top = sorted(extra.items(), key=lambda pair: pair[1], reverse=True)[:TOP_PACKAGES]
        rows.append(
            [
                result.label,
                ms(result.median - baseline_result.median),
                ms(profile.outside_imports_ms - baseline.outside_imports_ms),
                ", ".join(f"{package} {spent:.0f}" for package, spent in top),
            ]
        )
    return rows


def report(out: TextIO, baseline: ColdStart, results: list[ColdStart]) -> list[ColdStart]:
    """Prints the table; returns the functions over target."""
    rows = [[baseline.label, ms(baseline.median), ratio(1.0), "", ""]]
    over = []
    for result in results:
        share = result.median / baseline.median
        if result.label == FRAMEWORK_LABEL:
            rows.append([result.label, ms(result.median), ratio(share), "", ""])
            continue
        rows.append([result.label, ms(result.median), ratio(share), f"≤ {TARGET:.1f}x", ok(share <= TARGET)])
        if share > TARGET:
            over.append(result)
    table(
        out,
        f"3. Cold import in a fresh python{sys.version_info.major}.{sys.version_info.minor} "
        f"(median of {ROUNDS} processes each)",
        ["function", "median ms", "ratio", "target", "ok?"],
        rows,
        align="lrrll",
        notes=[
            "Timed inside the child: from before the handler's import to after it (module code, clients,",
            "settings included); interpreter start-up excluded. ratio = function / the baseline row.",
        ],
    )
    return over


def report_contributors(out: TextIO, rows: list[list[str]]) -> None:
    if not rows:
        return
    table(
        out,
        f"3b. What functions over target add to the baseline (-X importtime, median of {PROFILE_RUNS} runs)",
        [
            "function",
            "over baseline ms",
            "module code ms",
            "import self-time beyond the baseline's (ms, by package)",
        ],
        rows,
        align="lrrl",
        notes=[
            "over baseline = table 3's medians. module code = time outside import statements (create_api(),",
            "ticket_service() and its client) less the baseline's (its boto3.client). -X importtime inflates",
            "imports, so read the packages against each other rather than against the first column.",
        ],
    )


@contextmanager
def _local_aws() -> Iterator[str]:
    """A moto server for the children: the mail functions read their signing secret at cold start,
    as they do in Lambda (one Secrets Manager call), and must not reach the real AWS."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    saved = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    try:
        provision(RESOURCE_NAMES)
        yield endpoint
    finally:
        if saved is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = saved
        server.stop()


def run(out: TextIO) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache, _local_aws() as endpoint:
        children = [
            Child(child.label, child.script, {**child.env, "AWS_ENDPOINT_URL": endpoint})
            for child in _children(pycache)
        ]
        baseline, results = measure(children)
        over = report(out, baseline, results)
        report_contributors(out, contributors(children, baseline, over))
