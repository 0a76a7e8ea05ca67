"""Measurement 3: each function's cold start as Lambda runs it, beside `import boto3;
boto3.client("dynamodb")` in the same kind of process.

What is measured is the `sam build` output (`make bench` builds it first), staged the way Lambda
unpacks the deployment zips: the layer at opt/python, the function at task/, every file dated
1980-01-01 (`sam package` zips every file with that date), no bytecode written
(PYTHONDONTWRITEBYTECODE: /opt and /var/task are read-only) and no pycache prefix (which would
hide the shipped __pycache__ folders). Each sample is a fresh `python -S` whose path is what the
runtime's is: the function's folder, the layer, the standard library and the SDK that comes with the
runtime (boto3, botocore and their dependencies, precompiled, from this project's venv); the
handler module is imported with importlib.import_module(), as the runtime interface client does.

The layer's wheels are arm64 (the template's architecture): on another machine the stage swaps
each foreign extension module for the same version's build for this machine, taken from the venv
(pydantic_core is the only one); its Python files stay the built ones.

Three variants of every function, interleaved round by round so that drift in the machine's load
lands on all of them alike:
- "as built": the build as it is;
- "no bytecode": the same files without any __pycache__ folder, which is what
  `BuildMethod: python3.13` shipped (the same files, no .pyc; checked once, docs/decisions.md);
- "warm cache": the old figure, the source tree with bytecode cached from an earlier round.
Each child also counts SourceLoader.source_to_code calls during init: modules compiled from
source because no valid bytecode was there (the target is none).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TextIO

from moto.server import ThreadedMotoServer

from bench.report import ms, ok, ratio, table
from bench.stack import DUMMY_CREDENTIAL, REGION, RESOURCE_NAMES
from devstack.functions import LAYER
from devstack.provision import provision
from devstack.template import ROOT, FunctionSpec, functions

ROUNDS = int(os.environ.get("COLDSTART_ROUNDS", "7"))
PROFILE_RUNS = 5
TOP_PACKAGES = 6
TARGET = 1.3
BUILD = ROOT / ".aws-sam" / "build"
LAYER_ID = "CommonLayer"
ZIP_DATE = datetime(1980, 1, 1, tzinfo=UTC).timestamp()
# What the Lambda Python runtime ships beside the interpreter: the SDK and what it imports.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
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

# The runtime interface client has these loaded before it imports the handler (awslambdaric's
# bootstrap and its runtime client), so they are loaded before the clock starts. The counter
# wraps SourceLoader.source_to_code, which every source-file import that finds no valid bytecode
# goes through.
_PRELUDE = """
import sys
sys.path[:0] = {front!r}
sys.path.extend({back!r})
import decimal, http.client, importlib, json, logging, os, time, traceback
import importlib._bootstrap_external as _external
compiled = []
_source_to_code = _external.SourceLoader.source_to_code
def _counting(self, data, path, *, _optimize=-1):
    compiled.append(str(path))
    return _source_to_code(self, data, path, _optimize=_optimize)
_external.SourceLoader.source_to_code = _counting
print({marker!r}, file=sys.stderr, flush=True)
start = time.perf_counter()
"""
_REPORT = """
elapsed = (time.perf_counter() - start) * 1000
print(json.dumps({"ms": elapsed, "compiled": compiled}))
"""
_HANDLER = "handler = getattr(importlib.import_module({module!r}), {function!r})\n"


@dataclass(frozen=True)
class Child:
    label: str
    script: str
    env: dict[str, str]
    flags: tuple[str, ...] = ()


@dataclass
class Samples:
    ms: list[float] = field(default_factory=list)
    compiled: list[list[str]] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    @property
    def compiled_count(self) -> int:
        """Modules compiled from source at init (the same in every sample; the largest is shown)."""
        return max(len(paths) for paths in self.compiled)


@dataclass(frozen=True)
class Row:
    spec: FunctionSpec
    built: Samples
    no_bytecode: Samples
    warm: Samples


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


# ---------------------------------------------------------------- staging the built artifacts


class BuildMissing(RuntimeError):
    pass


def _check_build(specs: list[FunctionSpec]) -> None:
    """The build must be of this tree: every function's files and the layer's helpdesk as in the
    sources. `make bench` runs `make sam-build` first."""
    hint = "run `make sam-build` (make bench does) before `python -m bench coldstart`"
    layer = BUILD / LAYER_ID / "python"
    if not layer.is_dir():
        raise BuildMissing(f"no built layer at {layer}: {hint}")
    sources = [(path, layer / path.relative_to(LAYER)) for path in (LAYER / "helpdesk").rglob("*.py")]
    for spec in specs:
        sources += [(path, BUILD / spec.logical_id / path.name) for path in spec.code_dir.glob("*.py")]
    stale = [
        str(built)
        for source, built in sources
        if not built.is_file() or built.read_bytes() != source.read_bytes()
    ]
    if stale:
        raise BuildMissing(f"the build is older than the sources ({stale[0]}, ...): {hint}")


def _swap_foreign_extensions(layer: Path) -> list[str]:
    """Replaces extension modules built for another machine by this machine's build of the same
    version from the venv; returns what it swapped."""
    own_suffix = importlib.machinery.EXTENSION_SUFFIXES[0]  # e.g. .cpython-313-x86_64-linux-gnu.so
    swapped = []
    for extension in layer.rglob("*.so"):
        if extension.name.endswith(own_suffix) or extension.name.endswith(".abi3.so"):
            continue
        module = ".".join(extension.relative_to(layer).with_suffix("").with_suffix("").parts)
        found = importlib.util.find_spec(module)
        if found is None or found.origin is None or not found.origin.endswith(own_suffix):
            raise RuntimeError(f"{extension.name} is built for another machine and the venv has no {module}")
        distribution = module.split(".")[0].replace("_", "-")
        dist_info = next(layer.glob(f"{module.split('.')[0]}-*.dist-info")).name
        built_version = dist_info.removesuffix(".dist-info").split("-")[1]
        if version(distribution) != built_version:
            raise RuntimeError(
                f"{distribution}: the layer has {built_version}, the venv {version(distribution)}"
            )
        extension.unlink()
        shutil.copy2(found.origin, extension.parent / Path(found.origin).name)
        swapped.append(f"{module} {built_version}")
    return swapped


def _date_as_zip(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        os.utime(path, (ZIP_DATE, ZIP_DATE), follow_symlinks=False)


def _without_bytecode(source: Path, target: Path) -> None:
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    _date_as_zip(target)


def _runtime_dir(target: Path) -> Path:
    """The SDK as the runtime ships it: links to the venv's (precompiled) packages only."""
    target.mkdir()
    for name in RUNTIME_PACKAGES:
        found = importlib.util.find_spec(name)
        if found is None or found.origin is None:
            raise RuntimeError(f"{name} is not installed in the venv")
        origin = Path(found.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (target / source.name).symlink_to(source)
    return target


@dataclass(frozen=True)
class Stage:
    built: Path  # opt/python and task/<LogicalId> as built
    no_bytecode: Path  # the same without __pycache__
    runtime: Path
    swapped: list[str]


def _stage(root: Path, specs: list[FunctionSpec]) -> Stage:
    built = root / "built"
    shutil.copytree(BUILD / LAYER_ID, built / "opt")
    for spec in specs:
        shutil.copytree(BUILD / spec.logical_id, built / "task" / spec.logical_id)
    swapped = _swap_foreign_extensions(built / "opt" / "python")
    _date_as_zip(built)
    no_bytecode = root / "no-bytecode"
    _without_bytecode(built, no_bytecode)
    return Stage(built, no_bytecode, _runtime_dir(root / "runtime"), swapped)


# ---------------------------------------------------------------- children


def _lambda_env() -> dict[str, str]:
    # Only what a Lambda container would have: no ~/.aws files, no proxy or endpoint overrides.
    return {
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": DUMMY_CREDENTIAL,
        "AWS_SECRET_ACCESS_KEY": DUMMY_CREDENTIAL,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    }


def _script(front: list[str], back: list[str], body: str) -> str:
    return _PRELUDE.format(front=front, back=back, marker=MARKER) + body + _REPORT


def _lambda_function(spec: FunctionSpec, root: Path, runtime: Path, env: dict[str, str]) -> Child:
    task = root / "task" / spec.logical_id
    module, function = spec.handler.rsplit(".", 1)
    script = _script(
        [str(task), str(root / "opt" / "python")],
        [str(runtime)],
        _HANDLER.format(module=module, function=function),
    )
    extra = {"LAMBDA_TASK_ROOT": str(task), "AWS_LAMBDA_FUNCTION_NAME": spec.logical_id}
    return Child(spec.logical_id, script, {**env, **spec.environment, **extra}, ("-S",))


def _warm_function(spec: FunctionSpec, env: dict[str, str], pycache: str) -> Child:
    """The old measurement: the source tree, bytecode cached by the warm-up round."""
    path = Path(spec.code_dir) / f"{spec.handler.rsplit('.', 1)[0]}.py"
    body = (
        f"_spec = importlib.util.spec_from_file_location({f'function_{spec.name}'!r}, {str(path)!r})\n"
        "_module = importlib.util.module_from_spec(_spec)\n"
        "sys.modules[_spec.name] = _module\n"
        "_spec.loader.exec_module(_module)\n"
    )
    warm_env = {**env, **spec.environment, "PYTHONPYCACHEPREFIX": pycache}
    warm_env.pop("PYTHONDONTWRITEBYTECODE")
    return Child(spec.logical_id, _script([str(LAYER)], [], "import importlib.util\n" + body), warm_env)


@dataclass(frozen=True)
class Children:
    baseline: Child
    framework: Child
    warm_baseline: Child
    built: list[Child]
    no_bytecode: list[Child]
    warm: list[Child]

    def all(self) -> list[Child]:
        return [self.baseline, self.framework, self.warm_baseline, *self.built, *self.no_bytecode, *self.warm]


def _children(stage: Stage, specs: list[FunctionSpec], endpoint: str, pycache: str) -> Children:
    env = {**_lambda_env(), "AWS_ENDPOINT_URL": endpoint}
    runtime = [str(stage.runtime)]
    baseline = Child("baseline", _script([], runtime, BASELINE + "\n"), env, ("-S",))
    framework = Child(
        FRAMEWORK_LABEL,
        _script([str(stage.built / "opt" / "python")], runtime, FRAMEWORK + "\n"),
        env,
        ("-S",),
    )
    warm_env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
        "PYTHONPYCACHEPREFIX": pycache
    }
    warm_baseline = Child("warm baseline", _script([], [], BASELINE + "\n"), warm_env)
    return Children(
        baseline,
        framework,
        warm_baseline,
        [_lambda_function(spec, stage.built, stage.runtime, env) for spec in specs],
        [_lambda_function(spec, stage.no_bytecode, stage.runtime, env) for spec in specs],
        [_warm_function(spec, env, pycache) for spec in specs],
    )


def _run(child: Child, *flags: str) -> tuple[float, list[str], str]:
    done = subprocess.run(
        [sys.executable, *child.flags, *flags, "-c", child.script],
        env=child.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{child.label}: cold start failed\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["ms"]), list(result["compiled"]), done.stderr


def measure(children: Children) -> dict[int, Samples]:
    """Interleaved rounds of every child. The first round is not counted: it warms the page cache
    and writes the warm-cache variant's bytecode. Keyed by id(child)."""
    samples: dict[int, Samples] = defaultdict(Samples)
    for round_number in range(ROUNDS + 1):
        for child in children.all():
            elapsed, compiled, _stderr = _run(child)
            if round_number > 0:
                samples[id(child)].ms.append(elapsed)
                samples[id(child)].compiled.append(compiled)
    return samples


# ---------------------------------------------------------------- import profile


def _profile_run(child: Child) -> tuple[dict[str, float], float]:
    total_ms, _compiled, stderr = _run(child, "-X", "importtime")
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
    runs: dict[int, list[tuple[dict[str, float], float]]] = defaultdict(list)
    for _round in range(PROFILE_RUNS):
        for child in children:
            runs[id(child)].append(_profile_run(child))
    profiles = []
    for child in children:
        samples = runs[id(child)]
        packages = {package for by_package, _ in samples for package in by_package}
        profiles.append(
            Profile(
                {p: statistics.median(by_package.get(p, 0.0) for by_package, _ in samples) for p in packages},
                statistics.median(outside for _, outside in samples),
            )
        )
    return profiles


def contributors(baseline: Child, baseline_ms: float, over: list[tuple[Child, float]]) -> list[list[str]]:
    """For each function over target: what it adds to the baseline, by package and outside imports."""
    if not over:
        return []
    base, *profiles = _profiles([baseline, *(child for child, _ in over)])
    rows = []
    for (child, median), profile in zip(over, profiles, strict=True):
        extra = {
            package: spent - base.self_ms_by_package.get(package, 0.0)
            for package, spent in profile.self_ms_by_package.items()
        }
        top = sorted(extra.items(), key=lambda pair: pair[1], reverse=True)[:TOP_PACKAGES]
        rows.append(
            [
                child.label,
                ms(median - baseline_ms),
                ms(profile.outside_imports_ms - base.outside_imports_ms),
                ", ".join(f"{package} {spent:.0f}" for package, spent in top),
            ]
        )
    return rows


# ---------------------------------------------------------------- report


def report(
    out: TextIO, children: Children, samples: dict[int, Samples], stage: Stage
) -> list[tuple[Child, float]]:
    """Prints the table; returns the functions over target (as built) with their medians."""
    base = samples[id(children.baseline)]
    warm_base = samples[id(children.warm_baseline)]
    framework = samples[id(children.framework)]
    rows = [
        ["bare client: " + BASELINE, ms(base.median), "1.00x", str(base.compiled_count), "", "", "", "", ""],
        [
            FRAMEWORK_LABEL,
            ms(framework.median),
            ratio(framework.median / base.median),
            str(framework.compiled_count),
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    over = []
    for built, bare, warm in zip(children.built, children.no_bytecode, children.warm, strict=True):
        after, before, cached = samples[id(built)], samples[id(bare)], samples[id(warm)]
        share = after.median / base.median
        rows.append(
            [
                built.label,
                ms(after.median),
                ratio(share),
                str(after.compiled_count),
                ms(before.median),
                ratio(before.median / base.median),
                str(before.compiled_count),
                ratio(cached.median / warm_base.median),
                ok(share <= TARGET and after.compiled_count == 0),
            ]
        )
        if share > TARGET:
            over.append((built, after.median))
    notes = [
        "Timed inside a fresh `python -S` per sample: from before importlib.import_module('app') to after",
        "(module code, clients, settings included); interpreter start-up excluded. ratio = row / the bare",
        "client's median (boto3 precompiled, as the runtime ships it). compiled = modules compiled from",
        "source during init (SourceLoader.source_to_code calls). as built: the sam build output, dated",
        "1980-01-01, no bytecode written. no bytecode: the same files without __pycache__, what",
        "BuildMethod: python3.13 shipped. warm cache: the old figure, the source tree with bytecode",
        f"cached, against the bare client in the same warm setup ({ms(warm_base.median)} ms).",
        f"ok = as built ≤ {TARGET:.1f}x and nothing compiled at init.",
    ]
    if stage.swapped:
        notes.append(f"Built for arm64; measured with this machine's build of: {', '.join(stage.swapped)}.")
    compiled_after = sorted(
        {path for child in children.built for path in max(samples[id(child)].compiled, key=len)}
    )
    if compiled_after:
        notes.append(
            f"Compiled at init as built ({len(compiled_after)}): {', '.join(compiled_after[:5])} ..."
        )
    table(
        out,
        f"3. Cold start as Lambda loads the built artifacts, python{sys.version_info.major}."
        f"{sys.version_info.minor} (median of {ROUNDS} processes each)",
        [
            "function",
            "as built ms",
            "ratio",
            "compiled",
            "no bytecode ms",
            "ratio",
            "compiled",
            "warm cache ratio",
            "ok?",
        ],
        rows,
        align="lrrrrrrrl",
        notes=notes,
    )
    return over


def report_contributors(out: TextIO, rows: list[list[str]]) -> None:
    if not rows:
        return
    table(
        out,
        "3b. What functions over target add to the bare client, as built"
        f" (-X importtime, median of {PROFILE_RUNS})",
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
    specs = functions(RESOURCE_NAMES)
    _check_build(specs)
    with (
        tempfile.TemporaryDirectory(prefix="bench-coldstart-") as root,
        _local_aws() as endpoint,
    ):
        stage = _stage(Path(root), specs)
        pycache = Path(root) / "pycache"
        children = _children(stage, specs, endpoint, str(pycache))
        samples = measure(children)
        over = report(out, children, samples, stage)
        report_contributors(out, contributors(children.baseline, samples[id(children.baseline)].median, over))
