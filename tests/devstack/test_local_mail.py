"""`make run`'s mail side end to end: mail submitted over SMTP (SES's receiving part) reaches
inbound_email as an SES receipt event with the raw message in the bucket, the table's stream
reaches its consumer as Lambda delivers it, and /_local/outbox shows what the system sent.

The plumbing tests stand a recorder in for the functions; the end-to-end ones drive the real
inbound_email and notify functions."""

from __future__ import annotations

import email
import email.policy
import os
import re
import smtplib
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import boto3
import pytest

from devstack.events import fixture
from devstack.server import DEMO_CUSTOMER, LocalStack
from devstack.smtp import ReceiptRule, parse_verdicts, receipt_rule
from devstack.streams import (
    LOCAL_MAX_RETRIES,
    StreamMapping,
    StreamPoller,
    aws_stream_arn,
    matches,
    stream_mappings,
)
from devstack.template import FunctionSpec
from tests.support.local_stack import CLIENT_TIMEOUT, Client, running_stack

DOMAIN = "helpdesk.netz0.example"
SOPORTE = f"soporte@{DOMAIN}"
DEMO = DEMO_CUSTOMER.email
TICKET = {"department": "soporte", "subject": "El webmail no carga", "body": "Desde ayer no puedo entrar."}


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with running_stack(table_name="helpdesk-local-mail", stream_interval=None) as local:
        yield local


@pytest.fixture(scope="module")
def client(stack: LocalStack) -> Client:
    return Client(stack.url)


@pytest.fixture(scope="module")
def customer(client: Client) -> str:
    return client.token("customer", account_id="acct-demo", email=DEMO)


@pytest.fixture(scope="module")
def operator(client: Client) -> str:
    return client.token("operator", email="operador@netz0.example")


class Recorder:
    """Stands in for some functions: records their events, answers with `reply` (or raises it)."""

    def __init__(self, stack: LocalStack, *logical_ids: str) -> None:
        self.gateway = stack.api.gateway
        self.real = self.gateway.invoke
        self.logical_ids = logical_ids
        self.events: list[dict[str, Any]] = []
        self.reply: Callable[[dict[str, Any]], Any] = lambda _event: {}

    def __call__(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        if spec.logical_id not in self.logical_ids:
            return self.real(spec, event)
        self.events.append(event)
        return self.reply(event)


@pytest.fixture
def decisions(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The decisions the real inbound_email function takes, in order."""
    taken: list[str] = []
    real = stack.api.gateway.invoke

    def spy(spec: FunctionSpec, event: dict[str, Any]) -> Any:
        result = real(spec, event)
        if spec.logical_id == "InboundEmailFunction":
            taken.extend(outcome["decision"] for outcome in result["outcomes"])
        return result

    monkeypatch.setattr(stack.api.gateway, "invoke", spy)
    return taken


@pytest.fixture
def inbound(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder(stack, "InboundEmailFunction")
    monkeypatch.setattr(stack.api.gateway, "invoke", recorder)
    return recorder


def message(
    sender: str = DEMO, to: str = SOPORTE, subject: str = "El webmail no carga", **headers: str
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain="mail.demo.netz0.example")
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content("Desde ayer no puedo entrar.")
    return mail


def send(
    stack: LocalStack, mail: EmailMessage, mail_from: str | None = None, to: list[str] | None = None
) -> None:
    address = stack.smtp_address
    assert address is not None
    with smtplib.SMTP(*address, timeout=CLIENT_TIMEOUT) as smtp:
        smtp.send_message(mail, from_addr=mail_from, to_addrs=to)


# ---------------------------------------------------------------- SMTP -> S3 -> SES event
def test_smtp_mail_is_stored_and_passed_on_as_an_ses_receipt_event(
    stack: LocalStack, inbound: Recorder
) -> None:
    mail = message(subject="Factura duplicada")
    send(stack, mail, mail_from="rebotes@demo.netz0.example")

    (event,) = inbound.events
    (record,) = event["Records"]
    real = fixture("ses_email_receiving.json")["Records"][0]
    assert set(record) == set(real)
    assert record["eventSource"] == "aws:ses"
    ses_mail, receipt = record["ses"]["mail"], record["ses"]["receipt"]
    assert set(ses_mail) == set(real["ses"]["mail"])
    assert set(receipt) >= set(real["ses"]["receipt"]) | {"dmarcVerdict"}

    ses_id = ses_mail["messageId"]
    assert len(ses_id) == 40
    assert ses_id.isalnum()
    assert ses_id == ses_id.lower()
    assert ses_mail["source"] == "rebotes@demo.netz0.example"  # the envelope's MAIL FROM
    assert ses_mail["destination"] == [SOPORTE]
    assert ses_mail["headersTruncated"] is False
    names = [h["name"] for h in ses_mail["headers"]]
    assert names[:2] == ["Return-Path", "Received"]  # SES's trace headers come first
    assert {"From", "To", "Subject", "Message-ID"} <= set(names)
    common = ses_mail["commonHeaders"]
    assert common["from"] == [DEMO]
    assert common["to"] == [SOPORTE]
    assert common["subject"] == "Factura duplicada"
    assert common["messageId"] == mail["Message-ID"]
    assert common["returnPath"] == "rebotes@demo.netz0.example"

    assert receipt["recipients"] == [SOPORTE]
    verdicts = {
        name: receipt[f"{name}Verdict"]["status"] for name in ("spam", "virus", "spf", "dkim", "dmarc")
    }
    assert set(verdicts.values()) == {"PASS"}
    assert "dmarcPolicy" not in receipt
    assert receipt["action"]["type"] == "Lambda"
    assert receipt["action"]["invocationType"] == "Event"
    assert receipt["action"]["functionArn"].endswith(":function:InboundEmailFunction")
    assert receipt["processingTimeMillis"] >= 1

    stored = (
        boto3.client("s3")
        .get_object(Bucket=stack.resource_names["MailBucket"], Key=f"inbound/{ses_id}")["Body"]
        .read()
    )
    assert stored.startswith(b"Return-Path: <rebotes@demo.netz0.example>\r\n")
    parsed = email.message_from_bytes(stored, policy=email.policy.default)
    assert parsed["Subject"] == "Factura duplicada"
    assert parsed["X-SES-Spam-Verdict"] == "PASS"
    assert parsed.get_content().strip() == "Desde ayer no puedo entrar."


def test_the_verdicts_header_fakes_what_ses_found(stack: LocalStack, inbound: Recorder) -> None:
    send(stack, message(X_Local_Verdicts="spf=FAIL; dkim=FAIL; dmarc=FAIL"))
    receipt = inbound.events[0]["Records"][0]["ses"]["receipt"]
    assert receipt["spfVerdict"] == receipt["dkimVerdict"] == receipt["dmarcVerdict"] == {"status": "FAIL"}
    assert receipt["spamVerdict"] == receipt["virusVerdict"] == {"status": "PASS"}
    assert receipt["dmarcPolicy"] == "reject"


def test_verdicts_parse_leniently() -> None:
    verdicts = parse_verdicts("spam=fail, dmarc=MISSING; dmarc-policy=quarantine; bogus=1; spf")
    assert verdicts.statuses == {
        "spam": "FAIL",
        "virus": "PASS",
        "spf": "PASS",
        "dkim": "PASS",
        "dmarc": "MISSING",
    }
    assert verdicts.dmarc_policy == "quarantine"
    assert parse_verdicts(None).statuses == dict.fromkeys(("spam", "virus", "spf", "dkim", "dmarc"), "PASS")


def test_recipients_outside_the_mail_domain_are_refused(stack: LocalStack, inbound: Recorder) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(stack, message(to="soporte@otro.example"))
    assert refused.value.recipients["soporte@otro.example"][0] == 550
    assert inbound.events == []


def test_only_the_recipients_the_rule_names_reach_the_function(stack: LocalStack, inbound: Recorder) -> None:
    reply_address = f"soporte+NZ-00000001.abc@{DOMAIN}"
    send(stack, message(to=reply_address), to=[reply_address, f"nadie@{DOMAIN}"])
    (event,) = inbound.events
    ses = event["Records"][0]["ses"]
    assert ses["mail"]["destination"] == [reply_address, f"nadie@{DOMAIN}"]
    assert ses["receipt"]["recipients"] == [reply_address]

    send(stack, message(to=f"nadie@{DOMAIN}"))  # accepted, but no rule applies: no action
    assert len(inbound.events) == 1


def test_the_receipt_rule_comes_from_the_template() -> None:
    rule = receipt_rule()
    assert rule == ReceiptRule(
        "InboundEmailFunction", "MailBucket", "inbound/", (SOPORTE, f"comercial@{DOMAIN}")
    )
    assert rule.applies_to(f"SOPORTE+nz-1.x@{DOMAIN.upper()}")
    assert not rule.applies_to(f"soporte2@{DOMAIN}")
    assert ReceiptRule("F", "B", "", (".netz0.example",)).applies_to(f"x@{DOMAIN}")


def test_a_failing_function_still_gets_a_250(stack: LocalStack, inbound: Recorder) -> None:
    def boom(_event: dict[str, Any]) -> Any:
        raise RuntimeError("the function is broken")

    inbound.reply = boom
    send(stack, message())  # raises on anything but 250
    ses_id = inbound.events[0]["Records"][0]["ses"]["mail"]["messageId"]
    bucket = stack.resource_names["MailBucket"]
    assert boto3.client("s3").head_object(Bucket=bucket, Key=f"inbound/{ses_id}")["ContentLength"] > 0


# ---------------------------------------------------------------- the table's stream
@pytest.fixture
def notify(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    assert stream_mappings(), "template.yaml maps no function to the table's stream"
    stack.drain()  # what earlier tests wrote goes to the real function, not to the recorder
    recorder = Recorder(stack, stream_mappings()[0].function_id)
    monkeypatch.setattr(stack.api.gateway, "invoke", recorder)
    yield recorder
    recorder.reply = lambda _event: {}
    stack.drain()


def put_message_item(stack: LocalStack, ticket: str, text: str) -> None:
    """A message item written straight to the table (what the filter of the mapping lets through)."""
    item = {
        "pk": {"S": f"TICKET#{ticket}"},
        "sk": {"S": f"MSG#2026-11-25T12:00:00.000Z#{text}"},
        "entity": {"S": "message"},
        "id": {"S": text},
        "ticket_id": {"S": ticket},
        "author_role": {"S": "operator"},
        "internal": {"BOOL": False},
    }
    boto3.client("dynamodb").put_item(TableName=stack.table_name, Item=item)


def test_stream_records_reach_the_function_as_lambda_delivers_them(
    stack: LocalStack, notify: Recorder
) -> None:
    put_message_item(stack, "NZ-90000001", "m1")
    boto3.client("dynamodb").put_item(  # filtered out: not something that can lead to a mail
        TableName=stack.table_name,
        Item={"pk": {"S": "MARKER#x"}, "sk": {"S": "MARKER"}, "entity": {"S": "marker"}},
    )
    stack.drain()

    (event,) = notify.events
    (record,) = event["Records"]
    real = fixture("dynamodb_stream.json")["Records"][0]
    assert list(record) == list(real)
    assert list(record["dynamodb"]) == list(real["dynamodb"])
    assert (record["eventName"], record["eventVersion"], record["eventSource"], record["awsRegion"]) == (
        "INSERT",
        "1.1",
        "aws:dynamodb",
        "eu-west-1",
    )
    assert record["dynamodb"]["Keys"]["pk"] == {"S": "TICKET#NZ-90000001"}
    assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    assert record["eventSourceARN"].startswith(
        f"arn:aws:dynamodb:eu-west-1:123456789012:table/{stack.table_name}/stream/"
    )


def test_reported_batch_item_failures_are_retried(stack: LocalStack, notify: Recorder) -> None:
    failed_once: set[str] = set()

    def fail_each_record_once(event: dict[str, Any]) -> dict[str, Any]:
        fresh = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        fresh = [s for s in fresh if s not in failed_once]
        failed_once.update(fresh)
        return {"batchItemFailures": [{"itemIdentifier": s} for s in fresh[-1:]]}

    notify.reply = fail_each_record_once
    put_message_item(stack, "NZ-90000002", "a")
    put_message_item(stack, "NZ-90000002", "b")
    stack.drain()
    ids = [[r["dynamodb"]["NewImage"]["id"]["S"] for r in e["Records"]] for e in notify.events]
    # b fails first: the retry starts at b (a was checkpointed); then every record is through.
    assert ids == [["a", "b"], ["b"]]


def test_a_batch_that_keeps_failing_is_skipped_after_the_retries(stack: LocalStack, notify: Recorder) -> None:
    def always_fails(_event: dict[str, Any]) -> Any:
        raise RuntimeError("SES is down")

    notify.reply = always_fails
    put_message_item(stack, "NZ-90000003", "x")
    stack.drain()
    retries = min(stream_mappings()[0].retries, LOCAL_MAX_RETRIES)
    assert len(notify.events) == 1 + retries
    notify.events.clear()
    stack.drain()
    assert notify.events == []  # skipped, not redelivered


def test_the_poller_runs_by_itself_between_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    assert stream_mappings(), "template.yaml maps no function to the table's stream"
    saved = os.environ.copy()
    seen = threading.Event()
    try:
        with LocalStack(
            port=0,
            smtp_port=0,
            table_name="helpdesk-local-poller",
            schedule_interval=None,
            stream_interval=0.05,
        ) as local:
            recorder = Recorder(local, stream_mappings()[0].function_id)

            def note(_event: dict[str, Any]) -> dict[str, Any]:
                seen.set()
                return {}

            recorder.reply = note
            monkeypatch.setattr(local.api.gateway, "invoke", recorder)
            put_message_item(local, "NZ-90000004", "y")
            assert seen.wait(5)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_stream_filters_follow_lambda_rules() -> None:
    record = {"eventName": "MODIFY", "dynamodb": {"NewImage": {"entity": {"S": "ticket"}, "n": {"N": "5"}}}}
    assert matches({"eventName": ["INSERT", "MODIFY"]}, record)
    assert not matches({"eventName": ["INSERT"]}, record)
    assert matches({"dynamodb": {"NewImage": {"entity": {"S": [{"prefix": "tick"}]}}}}, record)
    assert matches({"dynamodb": {"NewImage": {"status": [{"exists": False}]}}}, record)
    assert not matches({"dynamodb": {"OldImage": {"entity": {"S": ["ticket"]}}}}, record)
    assert matches({"eventName": [{"anything-but": ["REMOVE"]}]}, record)
    assert matches({"eventName": [{"equals-ignore-case": "modify"}]}, record)
    mapping = StreamMapping("F", filters=({"eventName": ["INSERT"]}, {"eventName": ["MODIFY"]}))
    assert mapping.accepts(record)


# ---------------------------------------------------------------- the outbox
def test_the_outbox_lists_what_ses_sent_newest_first(stack: LocalStack, client: Client) -> None:
    assert client.call("POST", "/_local/outbox/clear").status == 200
    ses = boto3.client("sesv2")
    for number, to in ((1, "ana@cliente.example"), (2, "bruno@otro.example")):
        mail = message(sender=f"Netz0 <{SOPORTE}>", to=f"Cliente <{to}>", subject=f"Aviso {number} · ñ")
        ses.send_email(
            FromEmailAddress=SOPORTE,
            Destination={"ToAddresses": [to]},
            Content={"Raw": {"Data": mail.as_bytes()}},
        )

    listed = client.call("GET", "/_local/outbox").body
    assert [m["subject"] for m in listed] == ["Aviso 2 · ñ", "Aviso 1 · ñ"]
    newest = listed[0]
    assert set(newest) == {"id", "sent_at", "from", "to", "subject", "raw"}
    assert newest["to"] == ["bruno@otro.example"]  # moto lists it twice (Destination and To)
    assert newest["from"] == f"Netz0 <{SOPORTE}>"
    assert "Subject: Aviso 2" in newest["raw"]
    assert newest["sent_at"] >= listed[1]["sent_at"]

    only = client.call("GET", "/_local/outbox?to=ANA@cliente.example").body
    assert [m["subject"] for m in only] == ["Aviso 1 · ñ"]
    assert client.call("POST", "/_local/outbox/clear").body == {"cleared": 2}
    assert client.call("GET", "/_local/outbox").body == []


def test_stop_frees_the_smtp_port() -> None:
    saved = os.environ.copy()
    try:
        with LocalStack(
            port=0, smtp_port=0, table_name="helpdesk-local-smtp", schedule_interval=None
        ) as local:
            address = local.smtp_address
            assert address is not None
        with socket.create_server(address):  # would raise if still bound
            pass
    finally:
        os.environ.clear()
        os.environ.update(saved)


# ---------------------------------------------------------------- with the real functions
def outbox(client: Client, to: str = DEMO) -> list[dict[str, Any]]:
    return list(client.call("GET", f"/_local/outbox?to={to}").body)


def ticket_in(subject: str) -> str:
    """The ticket ID of a "[#NZ-00012345] ..." subject."""
    found = re.match(r"\[#(NZ-\d+)\]", subject)
    assert found, subject
    return found.group(1)


def ticket_ids(client: Client, operator: str) -> set[str]:
    return {t["id"] for t in client.call("GET", "/tickets?limit=100", operator).body["items"]}


def test_a_mail_from_the_demo_customer_opens_a_ticket_and_gets_a_receipt(
    stack: LocalStack, client: Client, customer: str
) -> None:
    before = len(outbox(client))
    send(stack, message(subject="El webmail no carga"))

    receipts = outbox(client)
    assert len(receipts) == before + 1
    subject = receipts[0]["subject"]
    assert subject.startswith("[#NZ-")
    ticket_id = ticket_in(subject)
    mine = client.call("GET", "/tickets", customer).body["items"]
    assert [t["subject"] for t in mine if t["id"] == ticket_id] == ["El webmail no carga"]


def test_a_reply_to_the_receipt_lands_on_the_ticket(stack: LocalStack, client: Client, customer: str) -> None:
    send(stack, message(subject="No llegan los correos"))
    receipt = email.message_from_string(outbox(client)[0]["raw"], policy=email.policy.default)
    ticket_id = ticket_in(str(receipt["Subject"]))

    reply = message(
        to=str(receipt["Reply-To"]),
        subject=f"Re: {receipt['Subject']}",
        In_Reply_To=str(receipt["Message-ID"]),
        References=str(receipt["Message-ID"]),
    )
    reply.set_content("Sigue sin funcionar desde el móvil.")
    send(stack, reply)

    thread = client.call("GET", f"/tickets/{ticket_id}", customer).body
    last = thread["messages"][-1]
    assert last["channel"] == "email"
    assert "Sigue sin funcionar" in last["body"]


@pytest.mark.parametrize(
    ("sender", "mail_from"),
    [("desconocido@otro.example", "desconocido@otro.example"), (f"MAILER-DAEMON@{DOMAIN}", "")],
    ids=["unknown-sender", "bounce"],
)
def test_mail_from_strangers_and_bounces_opens_nothing(
    stack: LocalStack, client: Client, operator: str, decisions: list[str], sender: str, mail_from: str
) -> None:
    before = ticket_ids(client, operator)
    send(stack, message(sender=sender), mail_from=mail_from)
    assert len(decisions) == 1  # the function saw it, and decided
    assert ticket_ids(client, operator) == before


def test_a_spoofed_mail_opens_nothing_and_is_not_answered(
    stack: LocalStack, client: Client, operator: str, decisions: list[str]
) -> None:
    before, sent = ticket_ids(client, operator), len(outbox(client))
    send(stack, message(X_Local_Verdicts="spf=FAIL; dkim=FAIL"))
    assert len(decisions) == 1
    assert ticket_ids(client, operator) == before
    assert len(outbox(client)) == sent


def test_mail_keeps_flowing_after_a_refused_write(
    stack: LocalStack, client: Client, customer: str, operator: str
) -> None:
    # On moto a cancelled transaction replaced the table, and the stream reader kept reading the
    # old one: after one 409, no mail reached the outbox until the stack restarted.
    closed = client.call("POST", "/tickets", customer, {**TICKET, "subject": "Se cerrará"}).body["id"]
    assert client.call("POST", f"/tickets/{closed}/close", customer).status == 200
    refused = client.call("POST", f"/tickets/{closed}/replies", operator, {"body": "Llego tarde"})
    assert refused.status == 409, refused.body

    send(stack, message(subject="Después del rechazo"))
    receipt = outbox(client)[0]
    assert receipt["subject"].endswith("Después del rechazo")
    ticket_id = ticket_in(receipt["subject"])
    answer = client.call("POST", f"/tickets/{ticket_id}/replies", operator, {"body": "Ya está resuelto."})
    assert answer.status == 201
    reply = outbox(client)[0]
    assert ticket_in(reply["subject"]) == ticket_id
    assert (
        "Ya está resuelto."
        in email.message_from_string(reply["raw"], policy=email.policy.default)
        .get_body(("plain",))
        .get_content()
    )


def test_lines_longer_than_998_bytes_are_accepted_as_ses_does(stack: LocalStack, inbound: Recorder) -> None:
    # Outlook and mail relays send unfolded lines over RFC 5321's limit; SES takes them.
    long_line = ("Desde ayer no puedo entrar al webmail " * 120).strip()  # about 4,500 bytes
    raw = (
        f"From: {DEMO}\r\nTo: {SOPORTE}\r\nSubject: Una línea larga\r\n"
        f"Message-ID: {make_msgid(domain='mail.demo.netz0.example')}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
        f"\r\n{long_line}\r\n"
    ).encode()
    address = stack.smtp_address
    assert address is not None
    with smtplib.SMTP(*address, timeout=CLIENT_TIMEOUT) as smtp:
        refused = smtp.sendmail(DEMO, [SOPORTE], raw)  # raises unless the message got a 250
    assert refused == {}
    (event,) = inbound.events
    ses_id = event["Records"][0]["ses"]["mail"]["messageId"]
    stored = (
        boto3.client("s3")
        .get_object(Bucket=stack.resource_names["MailBucket"], Key=f"inbound/{ses_id}")["Body"]
        .read()
    )
    assert long_line.encode() in stored


def test_a_message_over_ses_size_limit_is_still_refused(stack: LocalStack, inbound: Recorder) -> None:
    # Long lines are fine; the message size limit stays (SES receiving takes up to 40 MB). smtplib
    # declares the size (ESMTP SIZE), so the refusal comes at MAIL FROM.
    raw = f"From: {DEMO}\r\nTo: {SOPORTE}\r\nSubject: Enorme\r\n\r\n".encode() + b"x" * (41 * 1024 * 1024)
    address = stack.smtp_address
    assert address is not None
    with (
        smtplib.SMTP(*address, timeout=CLIENT_TIMEOUT) as smtp,
        pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refused,
    ):
        smtp.sendmail(DEMO, [SOPORTE], raw)
    assert refused.value.smtp_code == 552
    assert inbound.events == []


class FakeStreams:
    """A DynamoDB Streams API with shards that close and hand over to a child, as DynamoDB's do."""

    def __init__(self) -> None:
        self.shards: dict[str, list[dict[str, Any]]] = {"shard-1": []}
        self.closed: set[str] = set()

    def record(self, shard: str, text: str) -> None:
        number = str(100 + sum(len(r) for r in self.shards.values()))
        change = {
            "Keys": {"pk": {"S": "TICKET#NZ-1"}},
            "NewImage": {"id": {"S": text}},
            "SequenceNumber": number,
        }
        self.shards.setdefault(shard, []).append({"eventID": text, "eventName": "INSERT", "dynamodb": change})

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:
        shards = [
            {"ShardId": s, "SequenceNumberRange": {"EndingSequenceNumber": "9"} if s in self.closed else {}}
            for s in self.shards
        ]
        return {"StreamDescription": {"Shards": shards}}

    def get_shard_iterator(self, StreamArn: str, ShardId: str, ShardIteratorType: str) -> dict[str, Any]:
        start = 0 if ShardIteratorType == "TRIM_HORIZON" else len(self.shards[ShardId])
        return {"ShardIterator": f"{ShardId}@{start}"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        shard, start = ShardIterator.split("@")
        records = self.shards[shard][int(start) :]
        end = int(start) + len(records)
        done = shard in self.closed and not records
        return {"Records": records, **({} if done else {"NextShardIterator": f"{shard}@{end}"})}


def test_the_poller_follows_the_stream_into_new_shards() -> None:
    streams = FakeStreams()
    delivered: list[str] = []

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        delivered.extend(r["dynamodb"]["NewImage"]["id"]["S"] for r in event["Records"])
        return {}

    poller = StreamPoller(
        client=streams,
        stream_arn="arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/1",
        region="eu-west-1",
        mapping=StreamMapping("NotifyFunction"),
        invoke=invoke,
        event_source_arn=aws_stream_arn(
            "arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/1", "eu-west-1", "123456789012"
        ),
    )
    streams.record("shard-1", "before-close")
    streams.closed.add("shard-1")
    streams.record("shard-2", "in-the-child")
    poller.drain()
    assert delivered == ["before-close", "in-the-child"]
    streams.record("shard-2", "later")
    poller.drain()
    assert delivered == ["before-close", "in-the-child", "later"]


# ---------------------------------------------------------------- staff mail (issue 10's done-means)
def staff_mail(client: Client, to: str, ticket_id: str) -> list[str]:
    """The subjects of the mails `to` got about the ticket, oldest first."""
    return [m["subject"] for m in reversed(outbox(client, to)) if f"[#{ticket_id}]" in m["subject"]]


def test_operators_are_mailed_what_concerns_them_and_never_what_they_did(
    stack: LocalStack, client: Client, customer: str
) -> None:
    """On DynamoDB Local with the seeded operators (soporte: Carmen, Lucía, Marcos; comercial:
    Elena, Jorge): a new ticket mails its department; A hands it to B by name → B; a customer's
    answer → B only; B's own reply mails no operator; an SLA breach → B, once."""
    lucia = client.token("operator", email="lucia@netz0.example")
    marcos = client.token("operator", email="marcos@netz0.example")
    opened = client.call("POST", "/tickets", customer, TICKET)
    assert opened.status == 201, opened.body
    ticket_id = opened.body["id"]
    path = f"/tickets/{ticket_id}"
    new = "Nuevo ticket: El webmail no carga"
    for address in ("operador@netz0.example", "lucia@netz0.example", "marcos@netz0.example"):
        assert staff_mail(client, address, ticket_id) == [f"[#{ticket_id}] {new}"], address
    assert staff_mail(client, "elena@netz0.example", ticket_id) == []  # comercial

    people = {o["name"]: o["id"] for o in client.call("GET", "/operators", lucia).body["items"]}
    handed = client.call("POST", f"{path}/assign", lucia, {"assignee": people["Marcos Díaz"]})
    assert handed.status == 200, handed.body
    assert handed.body["assignee_name"] == "Marcos Díaz"
    assigned = f"[#{ticket_id}] Ticket asignado a usted: El webmail no carga"
    assert staff_mail(client, "marcos@netz0.example", ticket_id)[1:] == [assigned]
    assert len(staff_mail(client, "lucia@netz0.example", ticket_id)) == 1  # she did it: no mail

    assert client.call("POST", f"{path}/replies", marcos, {"body": "¿Qué navegador usa?"}).status == 201
    assert client.call("POST", f"{path}/replies", customer, {"body": "Firefox"}).status == 201
    answered = f"[#{ticket_id}] El cliente ha respondido: El webmail no carga"
    assert staff_mail(client, "marcos@netz0.example", ticket_id)[2:] == [answered]
    assert len(staff_mail(client, "operador@netz0.example", ticket_id)) == 1  # assigned: only Marcos

    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    assert client.call("POST", "/_local/escalate", body={"at": later}).status == 200
    assert client.call("POST", "/_local/escalate", body={"at": later}).status == 200  # nothing new
    breached = f"[#{ticket_id}] SLA incumplido: El webmail no carga"
    assert staff_mail(client, "marcos@netz0.example", ticket_id)[3:] == [breached]
    assert len(staff_mail(client, "lucia@netz0.example", ticket_id)) == 1

    thread = client.call("GET", path, marcos).body
    assert [(e["code"], e["actor"]) for e in thread["history"]] == [
        ("assigned", "Lucía Romero"),
        ("sla_breached", ""),
    ]
    assert thread["history"][0]["text"] == "Lucía Romero asignó el ticket a Marcos Díaz."


def test_a_reply_takes_an_unassigned_ticket_once_on_dynamodb_local(client: Client, customer: str) -> None:
    lucia = client.token("operator", email="lucia@netz0.example")
    marcos = client.token("operator", email="marcos@netz0.example")
    ticket_id = client.call("POST", "/tickets", customer, TICKET).body["id"]
    path = f"/tickets/{ticket_id}"
    assert client.call("POST", f"{path}/replies", lucia, {"body": "Lo miro yo"}).status == 201
    assert client.call("POST", f"{path}/replies", marcos, {"body": "Y yo"}).status == 201
    thread = client.call("GET", path, marcos).body
    assert thread["assignee_name"] == "Lucía Romero"
    assert [e["text"] for e in thread["history"]] == ["Lucía Romero tomó el ticket al responder."]
    seen = client.call("GET", path, customer).body
    assert seen["history"] == []
    assert sorted(m["author"] for m in seen["messages"] if m["author_role"] == "operator") == [
        "Lucía Romero · Soporte Técnico",
        "Marcos Díaz · Soporte Técnico",
    ]
