"""Measurement 5: time and peak memory to take in a 10 MB mail with attachments, beside the
standard library parsing the same bytes and decoding every part, in the same run.

The mail is a customer's reply to one of our notifications as a mail client writes it: a
multipart/alternative text and HTML body in Spanish with our quoted message below the marker, and
attachments in base64. Time runs without tracemalloc (it slows every allocation several times);
each peak comes from one more run of the same call with tracemalloc on."""

from __future__ import annotations

import ctypes
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout, suppress
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import partial
from typing import Any, TextIO
from unittest import mock

import boto3
from moto import mock_aws

from bench.api import CUSTOMER, START, Api
from bench.report import ok, ratio, table
from bench.stack import TABLE, configure_process
from devstack.events import ses_receipt_event
from devstack.gateway import LocalGateway
from devstack.provision import provision, resource_names
from devstack.template import ROOT, FunctionSpec, parameter_defaults
from helpdesk.config import Settings
from helpdesk.mail.parse import REPLY_ABOVE_MARKER, parse_message
from helpdesk.store.accounts import DynamoAccountStore

MB = 1024 * 1024  # as the settings count it: MAX_ATTACHMENT_BYTES' 15 MB is 15 * 1024 * 1024
PARSE_ROUNDS = 5
HANDLER_ROUNDS = 3
FUNCTION = "InboundEmailFunction"
SENDER = str(CUSTOMER["email"])
ACCOUNT = str(CUSTOMER["custom:account_id"])
MAIL_DOMAIN = parameter_defaults()["MailDomain"]
SUPPORT = f"soporte@{MAIL_DOMAIN}"
BASELINE = "stdlib: message_from_bytes + get_content of every part (baseline)"

# Sizes once decoded, chosen so that the mail is about 10 MB as sent: base64 in 76-character lines
# makes 4 bytes of 3 plus a CRLF per line, so 7.3 MB of files come to about 10 MB on the wire.
PDF_BYTES = 3_400_000
PNG_BYTES = 2_500_000
CSV_BYTES = 1_675_000
# Fixed width, so that each run's fresh Message-ID leaves the mail's size unchanged.
MESSAGE_ID = "<CAF{:012d}.bench.netz0@mail.gmail.com>"
PLACEHOLDER_ID = MESSAGE_ID.format(0).encode()


@dataclass(frozen=True)
class Step:
    label: str
    seconds: list[float]
    peak_bytes: int

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass(frozen=True)
class Attached:
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Rss:
    before_bytes: int  # resident just before the call: interpreter, boto3, moto, handler modules
    peak_bytes: int  # resident peak during the call
    exact: bool  # False: the peak may be the set-up's, so the rise is an upper bound

    @property
    def rise_bytes(self) -> int:
        return self.peak_bytes - self.before_bytes


@dataclass(frozen=True)
class InboundRun:
    raw_bytes: int
    files: list[Attached]  # what the mail carries
    kept: list[Attached]  # what the ticket's message lists after the handler ran
    decision: str
    refused: list[str]
    settings: Settings
    steps: list[Step]  # the baseline first
    rss: Rss | None


# ------------------------------------------------------------------------------------- the mail
def _csv(size: int) -> bytes:
    """An invoice export, as a customer attaches one to show which rows fail."""
    rows = ["fecha;factura;cliente;concepto;importe;iva;estado"]
    rng = random.Random(5)
    concepts = ("Hosting Pro anual", "Dominio .es", "Correo 10 buzones", "Certificado SSL", "Copias")
    length = len(rows[0]) + 1
    number = 0
    while length < size:
        number += 1
        amount = rng.randrange(500, 250_000) / 100
        row = (
            f"2026-{rng.randrange(1, 12):02d}-{rng.randrange(1, 29):02d};FAC-2026-{number:06d};"
            f"CLI-{rng.randrange(1000, 9999)};{rng.choice(concepts)};{amount:.2f};{amount * 0.21:.2f};"
            f"{rng.choice(('pagada', 'pendiente', 'devuelta'))}"
        )
        rows.append(row)
        length += len(row) + 1
    return ("\n".join(rows) + "\n").encode()[:size]


def _binary(header: bytes, size: int, trailer: bytes, seed: int) -> bytes:
    """Incompressible bytes between a format's markers: compressed PDF streams and PNG data look
    like this to a parser, and base64 gives them their real size on the wire."""
    return header + random.Random(seed).randbytes(size - len(header) - len(trailer)) + trailer


def _settings_export() -> bytes:
    """The mail client's account settings, exported to show how the mailboxes are set up."""
    accounts = [
        {
            "cuenta": f"{name}@cliente.example",
            "imap": {"servidor": "mail.cliente.example", "puerto": 993, "cifrado": "SSL/TLS"},
            "smtp": {"servidor": "mail.cliente.example", "puerto": 587, "cifrado": "STARTTLS"},
            "firma": f"{name.capitalize()} · Cliente Ejemplo S.L. · Tel. 910 000 000",
        }
        for name in ("ana", "contabilidad", "ventas", "info", "soporte", "facturas")
    ]
    return json.dumps({"cliente": "Cliente Ejemplo S.L.", "cuentas": accounts}, indent=2).encode()


def _files() -> list[tuple[str, str, bytes]]:
    log = "".join(
        f"2026-11-25 12:{m:02d}:{s:02d} ERROR exportar_facturas: HTTP 500 en /api/v2/facturas?page={m}\n"
        for m in range(60)
        for s in range(0, 60, 5)
    )
    return [
        ("factura noviembre 2026.pdf", "application/pdf", _binary(b"%PDF-1.7\n", PDF_BYTES, b"\n%%EOF\n", 1)),
        (
            "captura de pantalla.png",
            "image/png",
            _binary(b"\x89PNG\r\n\x1a\n", PNG_BYTES, b"IEND\xaeB`\x82", 2),
        ),
        ("exportación facturas 2026.csv", "text/csv", _csv(CSV_BYTES)),
        ("error.log", "text/plain", log.encode()),
        (
            "configuración correo.json",
            "application/json",
            _settings_export(),
        ),
        ("firma.jpg", "image/jpeg", _binary(b"\xff\xd8\xff\xe0", 24_000, b"\xff\xd9", 3)),
    ]


def _bodies(ticket_id: str) -> tuple[str, str]:
    quoted = (
        f"> {REPLY_ABOVE_MARKER}\n"
        f">\n> Hola Ana,\n>\n> Hemos recibido su consulta con el número {ticket_id}. Un técnico del\n"
        "> departamento de Soporte Técnico la revisará en breve.\n>\n> Netz0 Hosting\n"
    )
    text = (
        "Hola:\n\nOs adjunto la factura, una captura del error y la exportación completa de las facturas "
        "de este año. Al exportar desde el panel aparece un error 500 a partir de la página 12; el "
        "registro del servidor también va adjunto.\n\nGracias,\nAna Pérez\nCliente Ejemplo S.L.\n\n"
        f"El mié, 25 nov 2026 a las 13:00, Netz0 Soporte (<{SUPPORT}>) escribió:\n{quoted}"
    )
    html = (
        '<div dir="ltr"><p>Hola:</p><p>Os adjunto la factura, una captura del error y la exportación '
        "completa de las facturas de este año. Al exportar desde el panel aparece un <b>error 500</b> a "
        "partir de la página 12; el registro del servidor también va adjunto.</p><p>Gracias,<br>Ana Pérez"
        '<br>Cliente Ejemplo S.L.</p></div><br><div class="gmail_quote"><div class="gmail_attr">El mié, '
        f"25 nov 2026 a las 13:00, Netz0 Soporte (&lt;{SUPPORT}&gt;) escribió:</div>"
        f'<blockquote class="gmail_quote"><p>{REPLY_ABOVE_MARKER}</p><p>Hola Ana,</p><p>Hemos recibido su '
        f"consulta con el número {ticket_id}.</p></blockquote></div>"
    )
    return text, html


def sample_mail(ticket_id: str) -> tuple[bytes, list[Attached]]:
    """The raw mail as SES stores it (CRLF line ends), with PLACEHOLDER_ID as its Message-ID."""
    message = EmailMessage()
    message["From"] = f"Ana Pérez <{SENDER}>"
    message["To"] = SUPPORT
    message["Subject"] = f"Re: [#{ticket_id}] El webmail no carga"
    message["Date"] = "Wed, 25 Nov 2026 13:42:07 +0100"
    message["Message-ID"] = PLACEHOLDER_ID.decode()
    message["X-Mailer"] = "Gmail"
    text, html = _bodies(ticket_id)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    files = _files()
    for name, content_type, content in files:
        maintype, subtype = content_type.split("/")
        # Bytes go base64, as mail clients send every attachment, text ones included.
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    attached = [Attached(name, content_type, len(content)) for name, content_type, content in files]
    return message.as_bytes(policy=policy.SMTP), attached


def with_message_id(raw: bytes, number: int) -> bytes:
    return raw.replace(PLACEHOLDER_ID, MESSAGE_ID.format(number).encode(), 1)


# ------------------------------------------------------------------------------------ the stack
@dataclass(frozen=True)
class InboundStack:
    gateway: LocalGateway
    api: Api
    s3: Any
    bucket: str
    spec: FunctionSpec
    ticket_id: str


@contextmanager
def _objects_off_heap() -> Iterator[None]:
    """moto keeps S3 objects under 5 MB in this process's memory, which real S3 does not: the
    stored attachments would count in the handler's peak. A 1-byte buffer makes it spool every
    object to a temporary file instead (the request and response copies moto makes stay)."""
    with mock.patch.dict(os.environ, {"MOTO_S3_DEFAULT_KEY_BUFFER_SIZE": "1"}):
        yield


@contextmanager
def inbound_stack() -> Iterator[InboundStack]:
    """Table, mail bucket and signing secret as devstack provisions them, fresh handlers, the
    sender's address authorized on the customer's account and one open ticket to reply to."""
    names = {**resource_names("helpdesk-bench"), "TicketsTable": TABLE}
    with mock_aws(), _objects_off_heap():
        provision(names)
        gateway = LocalGateway(names)
        os.environ.update(gateway.environment())
        gateway.cold_start()
        DynamoAccountStore(boto3.client("dynamodb"), TABLE).add_email(
            ACCOUNT, SENDER, START, max_addresses=20
        )
        api = Api(gateway)
        ticket_id = api.open_ticket()
        spec = next(s for s in gateway.specs if s.logical_id == FUNCTION)
        yield InboundStack(gateway, api, boto3.client("s3"), names["MailBucket"], spec, ticket_id)


class Delivery:
    """SES's part: store the raw mail where the receipt rule's S3 action does, and build the event
    its Lambda action sends. Each delivery is a new mail: fresh SES messageId and Message-ID (the
    same Message-ID would make every run after the first a duplicate, as it should)."""

    def __init__(self, stack: InboundStack) -> None:
        self._stack = stack
        self._count = 0

    def prepare(self, template: bytes) -> dict[str, Any]:
        """Stores the mail (`template` with its own Message-ID) and returns the event."""
        self._count += 1
        ses_id = f"benchinbound{self._count:028d}"
        raw = with_message_id(template, self._count)
        self._stack.s3.put_object(Bucket=self._stack.bucket, Key=f"inbound/{ses_id}", Body=raw)
        return ses_receipt_event(ses_id, [SUPPORT], source=SENDER, at=self._stack.api.tick(), raw=raw)

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        outcome: dict[str, Any] = self._stack.gateway.invoke(self._stack.spec, event)["outcomes"][0]
        return outcome


# ------------------------------------------------------------------------------------ measuring
def stdlib_parse(raw: bytes) -> list[object]:
    """The least the standard library does to read every part: parse, then decode each leaf. The
    contents are kept because parse_message hands its attachments back too."""
    message = message_from_bytes(raw, policy=policy.default)
    return [part.get_content() for part in message.walk() if not part.is_multipart()]


def _timed(call: Callable[[], object]) -> float:
    gc.collect()  # each run starts from the same heap, not with the last one's garbage
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _peak[T](call: Callable[[], T]) -> tuple[int, T]:
    """Most bytes Python had allocated at once during the call (what it returns included), and
    what it returned."""
    gc.collect()
    tracemalloc.start()
    try:
        result = call()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def _parse_steps(raw: bytes) -> list[Step]:
    """Baseline and parse_message in interleaved rounds, so drift in the machine's load lands on
    both alike. One untimed round first: it imports and compiles what the first call needs."""
    calls: dict[str, Callable[[], object]] = {
        BASELINE: lambda: stdlib_parse(raw),
        "parse_message(raw)": lambda: parse_message(raw, our_domain=MAIL_DOMAIN),
    }
    samples: dict[str, list[float]] = {label: [] for label in calls}
    for round_number in range(PARSE_ROUNDS + 1):
        for label, call in calls.items():
            elapsed = _timed(call)
            if round_number > 0:
                samples[label].append(elapsed)
    return [Step(label, samples[label], _peak(call)[0]) for label, call in calls.items()]


def _take_in(delivery: Delivery, event: dict[str, Any]) -> dict[str, Any]:
    """The handler's outcome, which must be a reply on the ticket with nothing refused: otherwise
    the run measured some other path (a duplicate, an unknown sender) and its figures mean nothing."""
    outcome = delivery.invoke(event)
    if not str(outcome["decision"]).startswith("reply:") or outcome["refused_attachments"]:
        raise RuntimeError(f"inbound mail: unexpected outcome {outcome!r}")
    return outcome


def _handler_step(delivery: Delivery, raw: bytes) -> tuple[Step, dict[str, Any]]:
    """The handler end to end: S3 get of the raw mail, parse, attachments put to S3, DynamoDB
    reads and the reply's transaction. Events and S3 uploads are prepared untimed, and one call goes
    first untimed, as in a warm container (botocore loads an operation's model on its first call)."""
    _take_in(delivery, delivery.prepare(raw))
    seconds = [_timed(partial(_take_in, delivery, delivery.prepare(raw))) for _ in range(HANDLER_ROUNDS)]
    peak, outcome = _peak(partial(_take_in, delivery, delivery.prepare(raw)))
    return Step(f"{FUNCTION} handler, end to end on moto", seconds, peak), outcome


def _kept(stack: InboundStack) -> list[Attached]:
    """The attachments of the ticket's latest message, as the API lists them."""
    reply = stack.api.send("GET", f"/tickets/{stack.ticket_id}", CUSTOMER)
    attachments = reply.body["messages"][-1]["attachments"]
    return [Attached(a["name"], a["content_type"], int(a["size"])) for a in attachments]


def _proc_status() -> tuple[int, int]:
    """(resident now, resident peak) of this process in bytes, from VmRSS and VmHWM."""
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status if line.startswith(("VmRSS", "VmHWM")))
    return int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024


def _return_freed_memory() -> None:
    """glibc keeps freed heap (the set-up's copies of the mail) resident, and the call would reuse
    it unseen: malloc_trim hands it back, so the rise counts what the call needs."""
    with suppress(OSError, AttributeError):  # not glibc: the rise may be understated
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def rss_child(raw_path: str, ticket_in_mail: str) -> None:
    """In a fresh process, the mail read from raw_path (building it would raise the peak before
    the call): resident memory just before the handler takes the mail, and its peak during the
    call. Linux's "5" in clear_refs resets the peak to the current size first, so the set-up's
    peak does not hide the call's; where that is refused the peak is the whole process's."""
    configure_process()
    out = sys.stdout
    with open(os.devnull, "w") as discard, redirect_stdout(discard), inbound_stack() as stack:
        delivery = Delivery(stack)
        with open(raw_path, "rb") as file:
            # This stack's ticket has another ID, of the same length. Then only the S3 object (on
            # disk) holds the mail, as in Lambda before the call.
            template = file.read().replace(ticket_in_mail.encode(), stack.ticket_id.encode())
        event = delivery.prepare(template)
        del template
        gc.collect()
        _return_freed_memory()
        try:
            with open("/proc/self/clear_refs", "w") as clear_refs:
                clear_refs.write("5")
            reset = True
        except OSError:
            reset = False
        before, peak_before = _proc_status()
        _take_in(delivery, event)
        _after, peak = _proc_status()
    print(json.dumps({"before": before, "peak": peak, "exact": reset or peak > peak_before}), file=out)


def _rss(raw: bytes, ticket_id: str) -> Rss | None:
    """rss_child's figures, or None where there is no /proc to read them from."""
    if not sys.platform.startswith("linux"):
        return None
    with tempfile.TemporaryDirectory(prefix="bench-inbound-") as directory:
        raw_path = os.path.join(directory, "mail.eml")
        with open(raw_path, "wb") as file:
            file.write(raw)
        script = f"from bench import inbound_mail; inbound_mail.rss_child({raw_path!r}, {ticket_id!r})"
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"inbound mail RSS child failed\n{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return Rss(int(figures["before"]), int(figures["peak"]), bool(figures["exact"]))


def run() -> InboundRun:
    with inbound_stack() as stack:
        ticket_id = stack.ticket_id
        raw, files = sample_mail(ticket_id)
        steps = _parse_steps(raw)
        handler, outcome = _handler_step(Delivery(stack), raw)
        kept = _kept(stack)
        settings = Settings.from_env()
    return InboundRun(
        raw_bytes=len(raw),
        files=files,
        kept=kept,
        decision=str(outcome["decision"]),
        refused=list(outcome["refused_attachments"]),
        settings=settings,
        steps=[*steps, handler],
        rss=_rss(raw, ticket_id),
    )


# ------------------------------------------------------------------------------------ reporting
def _mb(size: int) -> str:
    return f"{size / MB:.1f}"


def _size(size: int) -> str:
    return f"{size / MB:.2f} MB" if size >= MB // 10 else f"{size / 1024:.1f} KB"


def report(out: TextIO, result: InboundRun) -> None:
    baseline = result.steps[0]
    rows = [
        [
            step.label,
            f"{step.median:.3f}",
            ratio(step.median / baseline.median),
            _mb(step.peak_bytes),
            ratio(step.peak_bytes / result.raw_bytes),
        ]
        for step in result.steps
    ]
    _baseline, parse, handler = result.steps
    files = ", ".join(f"{f.name} {_size(f.size)}" for f in result.files)
    paragraphs = [
        f"The mail: {result.raw_bytes:,} bytes ({result.raw_bytes / MB:.2f} MB) as SES stores it, "
        "multipart/mixed: a text + HTML multipart/alternative body (a reply, our notification quoted "
        f"below the marker) and, in base64, {files}.",
        f"median s: of {PARSE_ROUNDS} runs (the parse rows, interleaved) or {HANDLER_ROUNDS} (the handler, "
        "each a new SES messageId and Message-ID). peak MB: tracemalloc peak of one more run, the call's "
        "result included; the parse rows get the raw bytes already in memory, the handler reads them "
        "from S3 (a moto that spools every object to disk: real S3 keeps none in the Lambda's memory).",
        f"handler - parse_message: {handler.median - parse.median:.3f} s (S3 get, attachment puts, "
        f"DynamoDB) and {_mb(handler.peak_bytes - parse.peak_bytes)} MB of peak (the raw mail it holds is "
        f"{_mb(result.raw_bytes)} MB). Both parse rows peak inside the email package's own parser.",
    ]
    if result.rss is not None:
        rss = result.rss
        bound = "" if rss.exact else " at most (the set-up's peak was higher)"
        paragraphs.append(
            f"RSS, a fresh process taking its first mail: {_mb(rss.before_bytes)} MB resident before the "
            f"call (interpreter, boto3, moto, handler), {_mb(rss.peak_bytes)} MB at its peak during the "
            f"call: +{_mb(rss.rise_bytes)} MB{bound}, {ratio(rss.rise_bytes / result.raw_bytes)} the mail."
        )
    notes = [line for paragraph in paragraphs for line in textwrap.wrap(paragraph, width=98)]
    table(
        out,
        f"5. Inbound mail of {result.raw_bytes / MB:.1f} MB with {len(result.files)} attachments: "
        "time and peak memory",
        ["step", "median s", "ratio to baseline", "peak MB", "peak / message size"],
        rows,
        align="lrrrr",
        notes=notes,
    )
    _report_kept(out, result)


def _report_kept(out: TextIO, result: InboundRun) -> None:
    settings = result.settings
    kept_bytes = sum(a.size for a in result.kept)
    sent = [(f.name, f.size) for f in result.files]
    all_kept = sent == [(a.name, a.size) for a in result.kept] and not result.refused
    table(
        out,
        "5b. Attachments the handler kept, against the configured limits",
        ["decision", "attachments sent", "kept", "refused", "kept MB", "limits", "none dropped?"],
        [
            [
                result.decision,
                str(len(result.files)),
                str(len(result.kept)),
                str(len(result.refused)),
                f"{kept_bytes / MB:.2f}",
                f"≤ {settings.max_attachments} files, ≤ {settings.max_attachment_bytes / MB:.0f} MB",
                ok(all_kept),
            ]
        ],
        align="lrrrrll",
        notes=[
            "kept = the attachments the ticket's new message lists (GET /tickets/{id}), names and sizes",
            "compared with the files sent; refused = the handler's refused_attachments.",
        ],
    )
