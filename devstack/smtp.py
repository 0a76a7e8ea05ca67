"""SES's receiving side, played locally: an SMTP server (aiosmtpd) that accepts mail for the
support domain and does what the template's receipt rule does with it: the S3 action stores the
raw message under inbound/<SES message id>, then the Lambda action invokes InboundEmailFunction
with an SES receipt event (devstack.events.ses_receipt_event, shaped like the real one).

Like SES it answers RCPT TO for other domains with 550, and answers 250 once the message is
stored, whatever the function then does (SES has accepted the mail by then). Function errors are
logged; they never reach the sender or stop the server.

Local-only knob, for trying spoofed or suspicious mail: a header in the submitted message
    X-Local-Verdicts: spf=FAIL; dkim=FAIL; dmarc=FAIL
sets the verdicts SES would report (spam, virus, spf, dkim, dmarc: PASS, FAIL, GRAY,
PROCESSING_FAILED, or MISSING to leave the verdict out, as SES does for dmarcVerdict when the
sender's domain publishes no DMARC record); `dmarc-policy=none|quarantine|reject` sets dmarcPolicy,
which is "reject" when DMARC fails and none is given. Without the header every verdict is PASS."""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.utils import format_datetime, getaddresses
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from devstack.events import ses_receipt_event
from devstack.template import parameter_defaults, template

log = logging.getLogger("devstack.smtp")

DEFAULT_SMTP_PORT = 2525
VERDICTS_HEADER = "X-Local-Verdicts"
VERDICT_NAMES = ("spam", "virus", "spf", "dkim", "dmarc")
VERDICT_STATUSES = ("PASS", "FAIL", "GRAY", "PROCESSING_FAILED", "MISSING")
DMARC_POLICIES = ("none", "quarantine", "reject")
MAX_MESSAGE_BYTES = 40 * 1024 * 1024  # the largest message SES receiving accepts
_SES_ID_ALPHABET = string.ascii_lowercase + string.digits
# A verdict as the results read in Authentication-Results (RFC 8601).
_RESULT_WORDS = {
    "PASS": "pass",
    "FAIL": "fail",
    "GRAY": "neutral",
    "PROCESSING_FAILED": "temperror",
    "MISSING": "none",
}


# ---------------------------------------------------------------- the receipt rule
@dataclass(frozen=True)
class ReceiptRule:
    """The template's SES receipt rule: which recipients it applies to, and its two actions."""

    function_id: str
    bucket_id: str  # the S3 action's bucket, as a logical id (BucketName: !Ref MailBucket)
    object_key_prefix: str
    recipients: tuple[str, ...] = ()  # addresses or domains; none means every verified domain

    def applies_to(self, address: str) -> bool:
        """SES's recipient match: an address also matches its +label forms, a domain matches
        every address on it, and ".domain" every address on its subdomains."""
        local, _, domain = address.lower().rpartition("@")
        if not self.recipients:
            return True
        for entry in (r.lower() for r in self.recipients):
            if "@" in entry:
                if f"{local.split('+', 1)[0]}@{domain}" == entry or f"{local}@{domain}" == entry:
                    return True
            elif domain == entry or (entry.startswith(".") and domain.endswith(entry)):
                return True
        return False


def receipt_rule() -> ReceiptRule | None:
    """The first AWS::SES::ReceiptRule with an S3 and a Lambda action, read from template.yaml."""
    for resource in template()["Resources"].values():
        if resource["Type"] != "AWS::SES::ReceiptRule":
            continue
        rule = resource["Properties"]["Rule"]
        actions = {name: body for action in rule.get("Actions", []) for name, body in action.items()}
        if "LambdaAction" not in actions:
            continue
        if "S3Action" not in actions:
            continue  # the function reads the raw message from the bucket: no S3 action, no mail
        function_id = actions["LambdaAction"]["FunctionArn"]["Fn::GetAtt"][0]
        s3 = actions["S3Action"]
        bucket = s3["BucketName"]["Ref"] if isinstance(s3["BucketName"], dict) else s3["BucketName"]
        recipients = _recipients(rule.get("Recipients", []))
        return ReceiptRule(function_id, bucket, s3.get("ObjectKeyPrefix", ""), recipients)
    return None


def _recipients(value: Any) -> tuple[str, ...]:
    # `Recipients: !Ref InboundRecipients` names a CommaDelimitedList parameter.
    if isinstance(value, dict) and "Ref" in value:
        value = parameter_defaults()[value["Ref"]].split(",")
    return tuple(str(v).strip() for v in value if str(v).strip())


# ---------------------------------------------------------------- verdicts
@dataclass(frozen=True)
class Verdicts:
    statuses: dict[str, str] = field(default_factory=lambda: dict.fromkeys(VERDICT_NAMES, "PASS"))
    dmarc_policy: str | None = None

    def status(self, name: str) -> str:
        return self.statuses.get(name, "PASS")


def parse_verdicts(header: str | None) -> Verdicts:
    """The X-Local-Verdicts header ("spf=FAIL; dkim=FAIL"); unknown parts are logged and ignored."""
    statuses = dict.fromkeys(VERDICT_NAMES, "PASS")
    policy = None
    for part in (header or "").replace(",", ";").split(";"):
        name, _, value = (s.strip() for s in part.partition("="))
        name, value = name.lower().replace("_", "-"), value.upper()
        if name in VERDICT_NAMES and value in VERDICT_STATUSES:
            statuses[name] = value
        elif name in ("dmarc-policy", "dmarcpolicy") and value.lower() in DMARC_POLICIES:
            policy = value.lower()
        elif name:
            log.warning("%s: ignored %r (use e.g. spf=FAIL; dkim=FAIL; dmarc=FAIL)", VERDICTS_HEADER, part)
    if statuses["dmarc"] == "FAIL" and policy is None:
        policy = "reject"  # SES reports the sender domain's policy whenever DMARC fails
    return Verdicts(statuses, policy)


# ---------------------------------------------------------------- what SES does with a message
@dataclass(frozen=True)
class Arrival:
    """One message as the SMTP transaction delivered it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    peer_ip: str
    helo: str
    received_at: datetime


def new_ses_message_id() -> str:
    """Like SES's inbound message IDs: 40 lowercase letters and digits."""
    return "".join(secrets.choice(_SES_ID_ALPHABET) for _ in range(40))


class SesReceiver:
    """The receipt rule's actions for an accepted message: store it, then invoke the function."""

    def __init__(
        self,
        rule: ReceiptRule,
        *,
        s3: Any,
        bucket: str,
        function_arn: str,
        invoke: Callable[[dict[str, Any]], Any],
        region: str,
        stack_time: Callable[[datetime], datetime] = lambda real: real,
    ) -> None:
        self.rule = rule
        self._stack_time = stack_time  # the stack's time at a real moment (devstack.clock)
        self._s3 = s3
        self._bucket = bucket
        self._function_arn = function_arn
        self._invoke = invoke
        self._region = region

    def receive(self, arrival: Arrival) -> str:
        """Returns the SES message ID. Raises only when the message could not be stored."""
        message_id = new_ses_message_id()
        recipients = [r for r in arrival.rcpt_tos if self.rule.applies_to(r)]
        if not recipients:
            # No rule applies, so SES runs no action: the mail is accepted and goes nowhere.
            log.warning("mail to %s matches no receipt rule recipient; dropped", ", ".join(arrival.rcpt_tos))
            return message_id
        headers = BytesHeaderParser().parsebytes(arrival.content)
        verdicts = parse_verdicts(headers.get(VERDICTS_HEADER))
        stored = (
            self._ses_headers(arrival, message_id, verdicts, str(headers.get("From", ""))) + arrival.content
        )
        key = f"{self.rule.object_key_prefix}{message_id}"
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=stored)
        event = self._event(arrival, message_id, recipients, verdicts, stored)
        try:
            result = self._invoke(event)
        except Exception:
            # In AWS, Lambda would retry the asynchronous invocation, then hand it to the
            # function's on-failure destination; the raw message stays in the bucket.
            log.exception("%s raised on mail %s", self.rule.function_id, message_id)
        else:
            log.info("mail %s from %s -> %s: %s", message_id, arrival.mail_from or "<>", recipients, result)
        return message_id

    def _event(
        self, arrival: Arrival, message_id: str, recipients: list[str], verdicts: Verdicts, stored: bytes
    ) -> dict[str, Any]:
        event = ses_receipt_event(
            message_id,
            recipients,
            source=arrival.mail_from,
            at=self._stack_time(arrival.received_at),
            verdicts=verdicts.statuses,
            dmarc_policy=verdicts.dmarc_policy,
            raw=stored,
        )
        # destination is every envelope recipient; receipt.recipients only those the rule matched.
        ses = event["Records"][0]["ses"]
        ses["mail"]["destination"] = list(arrival.rcpt_tos)
        elapsed = datetime.now(UTC) - arrival.received_at
        ses["receipt"]["processingTimeMillis"] = max(1, int(elapsed.total_seconds() * 1000))
        ses["receipt"]["action"] = {
            "type": "Lambda",
            "functionArn": self._function_arn,
            "invocationType": "Event",
        }
        return event

    def _ses_headers(self, arrival: Arrival, message_id: str, verdicts: Verdicts, from_header: str) -> bytes:
        """The trace headers SES puts on top of the message it stores."""
        sender = arrival.mail_from
        sender_domain = sender.rpartition("@")[2] or arrival.helo
        from_domain = next((a.rpartition("@")[2] for _, a in getaddresses([from_header]) if a), sender_domain)
        spf, dkim, dmarc = (_RESULT_WORDS.get(verdicts.status(n), "fail") for n in ("spf", "dkim", "dmarc"))
        check = (
            f"spfCheck: domain of {sender_domain} {'designates' if spf == 'pass' else 'does not designate'}"
        )
        spf_note = f"({check} {arrival.peer_ip} as permitted sender)"
        client = f"client-ip={arrival.peer_ip}; envelope-from={sender}; helo={arrival.helo};"
        lines = [
            f"Return-Path: <{sender}>",
            f"Received: from {arrival.helo} ({arrival.helo} [{arrival.peer_ip}])"
            f" by inbound-smtp.{self._region}.amazonaws.com with SMTP id {message_id}"
            f" for {arrival.rcpt_tos[0]}; {format_datetime(self._stack_time(arrival.received_at))} (UTC)",
            f"X-SES-Spam-Verdict: {verdicts.status('spam')}",
            f"X-SES-Virus-Verdict: {verdicts.status('virus')}",
            f"Received-SPF: {spf} {spf_note} {client}",
            f"Authentication-Results: amazonses.com; spf={spf} {spf_note} {client}"
            f" dkim={dkim} header.i=@{from_domain}; dmarc={dmarc} header.from={from_domain};",
        ]
        return "".join(f"{line}\r\n" for line in lines).encode()


# ---------------------------------------------------------------- the SMTP server
class _SesSmtpHandler:
    """aiosmtpd's handler hooks: recipients on the mail domain only, then SES's delivery."""

    def __init__(self, domain: str, deliver: Callable[[Arrival], str]) -> None:
        self._domain = domain.lower()
        self._deliver = deliver

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address.rpartition("@")[2].lower() != self._domain:
            return f"550 5.1.1 <{address}>: Recipient address rejected: only {self._domain} is received here"
        envelope.rcpt_tos.append(address)
        return "250 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer or "127.0.0.1")
        arrival = Arrival(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            content=envelope.original_content or b"",
            peer_ip=peer,
            helo=session.host_name or "unknown",
            received_at=datetime.now(UTC),
        )
        # The delivery waits for the function: off the event loop, so other SMTP sessions keep
        # being served meanwhile.
        try:
            message_id = await asyncio.get_running_loop().run_in_executor(None, self._deliver, arrival)
        except Exception:
            log.exception("could not store mail from %s", arrival.mail_from or "<>")
            return "451 4.3.0 Local error in processing; try again later"
        return f"250 Ok {message_id}"


class _SesSmtp(SMTP):
    """SES receiving accepts text lines longer than RFC 5321's 1,000 octets, which Outlook and
    mail relays do send; aiosmtpd would refuse them with "500 Line too long". Only the message
    size limit (data_size_limit) applies, as at SES."""

    line_length_limit = MAX_MESSAGE_BYTES


class _BoundController(Controller):
    """aiosmtpd's Controller on a socket bound beforehand: a busy port fails at once (before
    moto and the handlers load), and port 0 works (the stock Controller probes the port it was
    given, which for 0 is not the one the system chose)."""

    def __init__(self, handler: _SesSmtpHandler, sock: socket.socket, **kwargs: Any) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **kwargs)
        self._sock = sock

    def factory(self) -> SMTP:
        return _SesSmtp(self.handler, **self.SMTP_kwargs)

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


class SmtpServer:
    def __init__(self, host: str, port: int) -> None:
        self._sock = socket.create_server((host, port))
        self._controller: _BoundController | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._sock.getsockname()[:2]
        return str(host), int(port)

    def start(self, domain: str, deliver: Callable[[Arrival], str], server_hostname: str) -> None:
        self._controller = _BoundController(
            _SesSmtpHandler(domain, deliver),
            self._sock,
            server_hostname=server_hostname,  # else aiosmtpd asks DNS for this host's FQDN
            data_size_limit=MAX_MESSAGE_BYTES,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        self._sock.close()
