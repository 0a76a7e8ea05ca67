"""Real event shapes for the handlers, built from the fixture files in events/ (captured shapes
of API Gateway HTTP API payload v2.0 with the JWT authorizer, and of an EventBridge scheduled
event), with only the request-specific fields replaced."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from devstack.template import ROOT

EVENTS = ROOT / "events"


@cache
def fixture(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return event


def http_api_event(
    method: str,
    path: str,
    *,
    route_key: str,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | str | None = None,
    headers: dict[str, str] | None = None,
    body: str | bytes | dict[str, Any] | list[Any] | None = None,
    claims: dict[str, Any] | None = None,
    at: datetime | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """An HTTP API v2 event as API Gateway sends it: header names lower-cased, repeated query
    parameters joined with commas, claims as strings (arrays become "[a b]"). Without claims the
    event has no authorizer block (a route with Authorizer: NONE)."""
    event = copy.deepcopy(fixture("http_api_open_ticket.json"))
    moment = at or datetime.now(UTC)
    raw_query = query if isinstance(query, str) else urlencode(query or {})
    params: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        params[key] = f"{params[key]},{value}" if key in params else value
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    lowered.setdefault("host", "127.0.0.1")
    encoded, is_base64 = None, False
    if isinstance(body, (dict, list)):
        encoded = json.dumps(body)
        lowered.setdefault("content-type", "application/json")
    elif isinstance(body, bytes):
        try:
            encoded = body.decode("utf-8")
        except UnicodeDecodeError:
            encoded, is_base64 = base64.b64encode(body).decode(), True
    elif body is not None:
        encoded = body
    if encoded is not None:
        lowered["content-length"] = str(len(encoded.encode()))

    context = event["requestContext"]
    context["http"].update(
        method=method.upper(), path=path, sourceIp=source_ip, userAgent=lowered.get("user-agent", "")
    )
    context.update(
        requestId=str(uuid.uuid4()),
        routeKey=route_key,
        time=moment.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        timeEpoch=int(moment.timestamp() * 1000),
    )
    if claims is None:
        context.pop("authorizer", None)
    else:
        context["authorizer"] = {"jwt": {"claims": gateway_claims(claims), "scopes": None}}
    event.update(
        routeKey=route_key, rawPath=path, rawQueryString=raw_query, headers=lowered, isBase64Encoded=is_base64
    )
    event.pop("body", None)
    if encoded is not None:
        event["body"] = encoded
    if params:
        event["queryStringParameters"] = params
    if path_parameters:
        event["pathParameters"] = path_parameters
    return event


def gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """How an HTTP API JWT authorizer hands claims to Lambda: every value a string, arrays as
    "[a b]", numbers as text."""
    out: dict[str, str] = {}
    for key, value in claims.items():
        if isinstance(value, list):
            out[key] = "[" + " ".join(str(v) for v in value) + "]"
        elif isinstance(value, bool):
            out[key] = str(value).lower()
        else:
            out[key] = str(value)
    return out


def scheduled_event(at: datetime) -> dict[str, Any]:
    """An EventBridge "Scheduled Event" for the given time, as the schedule rule delivers it."""
    event = copy.deepcopy(fixture("scheduled_auto_close.json"))
    event.update(id=str(uuid.uuid4()), time=at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return event


@dataclass
class LambdaContext:
    function_name: str = "local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    aws_request_id: str = ""
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    def __post_init__(self) -> None:
        self.aws_request_id = self.aws_request_id or str(uuid.uuid4())

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:eu-west-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def ses_receipt_event(
    ses_message_id: str,
    recipients: list[str],
    *,
    source: str,
    at: datetime,
    verdicts: dict[str, str] | None = None,
    dmarc_policy: str | dict[str, str] | None = None,
    raw: bytes | None = None,
) -> dict[str, Any]:
    """An SES receipt-rule event (Lambda action) for a message whose raw MIME the S3 action has
    stored. `verdicts` overrides e.g. {"spf": "FAIL"}; the value "MISSING" drops that verdict, as
    SES does for dmarcVerdict when the sender's domain has no DMARC record."""
    event = copy.deepcopy(fixture("ses_email_receiving.json"))
    ses = event["Records"][0]["ses"]
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
    ses["mail"].update(messageId=ses_message_id, source=source, destination=recipients, timestamp=stamp)
    if raw is not None:
        ses["mail"].update(_ses_headers(raw))
    receipt = ses["receipt"]
    receipt.update(recipients=recipients, timestamp=stamp)
    for name, status in (verdicts or {}).items():
        if status == "MISSING":
            receipt.pop(f"{name}Verdict", None)
        else:
            receipt[f"{name}Verdict"] = {"status": status}
    if dmarc_policy is not None:
        receipt["dmarcPolicy"] = dmarc_policy
    return event


def _ses_headers(raw: bytes) -> dict[str, Any]:
    """`headers` and `commonHeaders` as SES fills them from the message."""
    from email.parser import BytesHeaderParser

    message = BytesHeaderParser().parsebytes(raw)
    headers = [{"name": name, "value": str(value)} for name, value in message.items()]
    common: dict[str, Any] = {"returnPath": source_of(message.get("Return-Path", ""))}
    for key, header in (("from", "From"), ("to", "To"), ("cc", "Cc")):
        if message.get(header):
            common[key] = [str(message[header])]
    for key, header in (("date", "Date"), ("messageId", "Message-ID"), ("subject", "Subject")):
        if message.get(header):
            common[key] = str(message[header])
    return {"headers": headers, "commonHeaders": common, "headersTruncated": False}


def source_of(return_path: str) -> str:
    return return_path.strip().strip("<>")


# SES event publishing records (configuration set -> SNS -> Lambda), one fixture per kind.
FEEDBACK_FIXTURES = {
    "bounce": "sns_ses_bounce_permanent.json",
    "transient": "sns_ses_bounce_transient.json",
    "complaint": "sns_ses_complaint.json",
    "delivery": "sns_ses_delivery.json",
}


def ses_feedback_event(
    kind: str,
    recipients: list[str],
    *,
    at: datetime,
    sent_at: datetime | None = None,
    ses_message_id: str | None = None,
) -> dict[str, Any]:
    """The Lambda SNS event carrying an SES event record (`kind` one of FEEDBACK_FIXTURES) about
    a message sent at `sent_at` to `recipients`, reported at `at`: the fixture with the
    recipients, times and ids replaced, re-serialized into `Sns.Message` as SNS delivers it."""
    event = copy.deepcopy(fixture(FEEDBACK_FIXTURES[kind]))
    sns = event["Records"][0]["Sns"]
    record = json.loads(sns["Message"])
    reported, sent = _ses_time(at), _ses_time(sent_at or at)
    mail = record["mail"]
    mail.update(timestamp=sent, destination=list(recipients))
    mail["messageId"] = ses_message_id or f"0102019b{uuid.uuid4().hex[:8]}-{uuid.uuid4()}-000000"
    mail["commonHeaders"].update(to=list(recipients), messageId=mail["messageId"])
    for header in mail["headers"]:
        if header["name"] == "To":
            header["value"] = ", ".join(recipients)
    if "bounce" in record:
        template = record["bounce"]["bouncedRecipients"][0]
        record["bounce"]["bouncedRecipients"] = [
            {
                **template,
                "emailAddress": r,
                "diagnosticCode": template["diagnosticCode"].replace("ana@cliente.example", r),
            }
            for r in recipients
        ]
        record["bounce"].update(timestamp=reported, feedbackId=f"0102019b-{uuid.uuid4()}-000000")
    elif "complaint" in record:
        record["complaint"]["complainedRecipients"] = [{"emailAddress": r} for r in recipients]
        record["complaint"].update(
            timestamp=reported, arrivalDate=reported, feedbackId=f"0102019b-{uuid.uuid4()}-000000"
        )
    else:
        record["delivery"].update(timestamp=reported, recipients=list(recipients))
    sns.update(
        MessageId=str(uuid.uuid4()), Timestamp=reported, Message=json.dumps(record, separators=(",", ":"))
    )
    return event


def _ses_time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
