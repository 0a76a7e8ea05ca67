"""DynamoDB Local, AWS's own DynamoDB emulator, as the local stack's DynamoDB and DynamoDB Streams
(both APIs on one endpoint). The jar comes from the pinned npm package amplify-dynamodb-simulator
(devstack/dynamodb-local/, installed by `make run`, `make test` and `make bench`); Java 17 from
Debian runs it. It runs in memory (data is gone when it stops), with one database for every
credential and region (-sharedDb) and its telemetry off (nothing leaves the machine).

Why not moto's DynamoDB, which the in-process tests keep: moto deep-copies the whole table for
every item of a TransactWriteItems so it can roll back, so each write costs time proportional to
the table, and it replaces the table object on a cancelled transaction, which left the stream
reader on the old one (docs/decisions.md has the measurements).

One engine serves the whole process (`engine()`), started on first use and stopped at exit, as
moto's in-process state is per process: stacks started one after another use their own tables."""

from __future__ import annotations

import atexit
import logging
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

import boto3
from botocore.config import Config

from devstack.template import ROOT

log = logging.getLogger("devstack.dynamodb")

PACKAGE_DIR = ROOT / "devstack" / "dynamodb-local"
EMULATOR_DIR = PACKAGE_DIR / "node_modules" / "amplify-dynamodb-simulator" / "emulator"
# How long a start waits for the emulator's first answer. Generous on purpose: on a loaded shared
# machine (load 30 on two cores) a JVM took over a minute to answer, and every local-stack test
# then failed at start-up, before testing anything.
START_TIMEOUT_SECONDS = 180.0
# Any region works with -sharedDb; stream ARNs name "ddblocal" whatever is sent.
ENGINE_REGION = "eu-west-1"


class EngineMissing(RuntimeError):
    """Java or the DynamoDB Local jar is not installed; the message says how to install it."""


def java_command() -> str:
    java = shutil.which("java")
    if java is None:
        raise EngineMissing(
            "DynamoDB Local needs Java 17: `make run` installs Debian's openjdk-17-jre-headless "
            "when run as root, or run `apt-get install openjdk-17-jre-headless`."
        )
    return java


def jar_path() -> Path:
    jar = EMULATOR_DIR / "DynamoDBLocal.jar"
    if not jar.is_file():
        raise EngineMissing(
            f"DynamoDB Local is not installed ({jar} is missing): run `make dynamodb-local` "
            "(or any of make run / make test / make bench, which install it)."
        )
    return jar


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class DynamoDBLocal:
    """One DynamoDB Local process on a loopback port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None
        self._errors: IO[bytes] | None = None  # its stderr: a file, so a full pipe never stalls it
        self._ready = False

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the process; its endpoint is known at once, it answers about a second later."""
        java, jar = java_command(), jar_path()
        self.port = self.port or free_port(self.host)
        command = [
            java,
            f"-Djava.library.path={EMULATOR_DIR / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            "-inMemory",
            "-sharedDb",
            "-disableTelemetry",
            "-port",
            str(self.port),
        ]
        # If this process dies without running its exit handlers (kill -9), the kernel stops
        # the engine too (util-linux's setpriv; the signal follows the thread that started it).
        setpriv = shutil.which("setpriv")
        if setpriv and threading.current_thread() is threading.main_thread():
            command = [setpriv, "--pdeathsig", "TERM", "--", *command]
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - open as long as the process runs
        self._process = subprocess.Popen(  # noqa: S603 - our own command line, no shell
            command, cwd=EMULATOR_DIR, stdout=subprocess.DEVNULL, stderr=self._errors
        )
        self._ready = False

    def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        if self._ready:
            return
        client = self.client(Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 0}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                error = ""
                if self._errors is not None:
                    self._errors.seek(0)
                    error = self._errors.read().decode(errors="replace")
                raise EngineMissing(f"DynamoDB Local exited with {self._process.returncode}:\n{error}")
            try:
                client.list_tables(Limit=1)
                self._ready = True
                log.info("DynamoDB Local answers at %s", self.endpoint)
                return
            except Exception:  # not listening yet
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"DynamoDB Local did not answer on {self.endpoint} within {timeout:.0f} s")

    def client(self, config: Config | None = None) -> Any:
        return boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint,
            region_name=ENGINE_REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - DynamoDB Local accepts any credentials
            config=config,
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        if self._errors is not None:
            self._errors.close()
            self._errors = None


_engine: DynamoDBLocal | None = None
_engine_lock = threading.Lock()


def engine() -> DynamoDBLocal:
    """The process's DynamoDB Local, launched on first use and stopped at exit. It may still be
    starting (about a second): call wait_ready() before the first request."""
    global _engine
    with _engine_lock:
        if _engine is None or not _engine.running:
            _engine = DynamoDBLocal()
            _engine.launch()
            atexit.register(_engine.stop)
        return _engine
