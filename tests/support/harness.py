"""The integration tests' harness: who calls (JWT claims), a client shaped like the HTTP API, SES's
part (Mailbox) and the stream's consumer (Postman). The fixtures that build them on moto are in
tests/integration/conftest.py; tests import these names from here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from devstack.gateway import HttpResult, LocalGateway
from devstack.provision import resource_names

# Re-exported: the tests build their mail with harness.mail and its addresses.
from tests.support.mail import COMERCIAL as COMERCIAL
from tests.support.mail import MAIL_DOMAIN as MAIL_DOMAIN
from tests.support.mail import SOPORTE as SOPORTE
from tests.support.mail import mail as mail

TABLE = "helpdesk-test"
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def customer(
    account: str = "acct-1001", email: str = "ana@cliente.example", sub: str | None = None
) -> dict[str, Any]:
    return {
        "sub": sub or f"sub-{email}",
        "email": email,
        "custom:account_id": account,
        "token_use": "id",
        "cognito:username": sub or f"sub-{email}",
    }


def operator(email: str = "luis@netz0.example", groups: Any = ("operators",)) -> dict[str, Any]:
    return {
        "sub": f"sub-{email}",
        "email": email,
        "cognito:groups": list(groups),
        "token_use": "id",
    }


def enlist(email: str, name: str) -> dict[str, Any]:
    """An operator who is a member of the operators group in the (moto) user pool, with the
    claims their ID token carries: the pool's own sub, and the name."""
    from devstack.provision import enlist_operator

    sub, shown = enlist_operator(NAMES["UserPool"], email, name)
    return {**operator(email), "sub": sub, "cognito:username": sub, "name": shown}


ANA = customer()
BRUNO = customer(account="acct-2002", email="bruno@otro.example")
LUIS = operator()
MARTA = operator(email="marta@netz0.example")


class Api:
    """A client for the handlers, shaped like the HTTP API. A search (GET with `q`) first lets
    the word index catch up (`index`, the stream's indexer), as it has seconds after a write."""

    def __init__(self, gateway: LocalGateway, index: Any = None) -> None:
        self.gateway = gateway
        self.now = T0
        self.index = index

    def at(self, moment: datetime) -> Api:
        self.now = moment
        return self

    def later(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def call(self, method: str, path: str, who: dict[str, Any] | None, **kwargs: Any) -> HttpResult:
        kwargs.setdefault("at", self.now)
        return self.gateway.request(method, path, claims=who, **kwargs)

    def get(self, path: str, who: dict[str, Any] | None, **kwargs: Any) -> HttpResult:
        if self.index is not None and "q" in (kwargs.get("query") or {}):
            self.index.drain()
        return self.call("GET", path, who, **kwargs)

    def post(self, path: str, who: dict[str, Any] | None, body: Any = None, **kwargs: Any) -> HttpResult:
        return self.call("POST", path, who, body=body, **kwargs)

    # conveniences for the common steps
    def open(
        self,
        who: dict[str, Any] = ANA,
        subject: str = "El webmail no carga",
        body: str = "Desde ayer no puedo entrar.",
        department: str = "soporte",
    ) -> dict[str, Any]:
        result = self.post("/tickets", who, {"department": department, "subject": subject, "body": body})
        assert result.status == 201, result.body
        return result.json()

    def reply(
        self,
        ticket_id: str,
        who: dict[str, Any],
        body: str = "Gracias",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> HttpResult:
        return self.post(f"/tickets/{ticket_id}/replies", who, {"body": body, **extra}, headers=headers)

    def ticket(self, ticket_id: str, who: dict[str, Any] = LUIS) -> dict[str, Any]:
        result = self.get(f"/tickets/{ticket_id}", who)
        assert result.status == 200, result.body
        return result.json()

    def add_address(self, who: dict[str, Any], email: str) -> tuple[HttpResult, Any]:
        """POST /account/emails; the result and the confirmation mail it sent (None if none)."""
        from email import message_from_string, policy

        from devstack.outbox import Outbox

        outbox = Outbox("eu-west-1")  # sees only what is sent from now on
        result = self.post("/account/emails", who, {"email": email})
        sent = outbox.sent(to=email)
        return result, message_from_string(sent[0].raw, policy=policy.default) if sent else None

    def confirm(self, body: dict[str, Any]) -> HttpResult:
        """POST /account/emails/confirm, as the address's owner does from the mail: no sign-in."""
        return self.post("/account/emails/confirm", None, body)

    def authorize(self, who: dict[str, Any], email: str) -> None:
        """Add an address and confirm it from its mail, as the customer and its owner would."""
        result, sent = self.add_address(who, email)
        assert result.status == 202, result.body
        confirmed = self.confirm({"token": confirmation_token(sent)})
        assert confirmed.status == 200, confirmed.body

    def ses_feedback(
        self, kind: str, *recipients: str, sent_at: datetime | None = None
    ) -> list[dict[str, Any]]:
        """What SES publishes about a mail we sent (`kind`: bounce, transient, complaint,
        delivery), delivered through SNS to mail_feedback as Lambda does; its decisions."""
        from devstack.events import ses_feedback_event

        event = ses_feedback_event(
            kind, list(recipients), at=self.now, sent_at=sent_at or self.now - timedelta(seconds=2)
        )
        spec = next(s for s in self.gateway.specs if s.logical_id == "MailFeedbackFunction")
        decisions: list[dict[str, Any]] = self.gateway.invoke(spec, event)["decisions"]
        return decisions

    def auto_close(self, at: datetime) -> dict[str, Any]:
        return self.gateway.run_schedule("AutoCloseFunction", at)

    def escalate(self, at: datetime) -> dict[str, Any]:
        return self.gateway.run_schedule("EscalateFunction", at)


def confirmation_token(confirmation: Any) -> str:
    """The token of the confirmation link in a confirmation mail."""
    import re
    from urllib.parse import unquote

    found = re.search(r"#/confirm\?token=(\S+)", confirmation.get_content())
    assert found, confirmation.get_content()
    return unquote(found.group(1))


def confirmation_code(confirmation: Any) -> str:
    import re

    found = re.search(r"\b([A-Z2-7]{4}-[A-Z2-7]{4})\b", confirmation.get_content())
    assert found, confirmation.get_content()
    return found.group(1)


NAMES = {**resource_names("helpdesk-test"), "TicketsTable": TABLE}


class Mailbox:
    """SES's part in the tests: store a raw message where the receipt rule's S3 action would and
    invoke inbound_email with the receipt event, as the rule's Lambda action does."""

    def __init__(self, gateway: LocalGateway, api: Api) -> None:
        self.gateway = gateway
        self.api = api  # its clock is the mail's arrival time
        self.s3 = boto3.client("s3")
        self.count = 0

    def deliver(
        self,
        raw: bytes,
        to: tuple[str, ...] = (SOPORTE,),
        *,
        ses_id: str | None = None,
        verdicts: dict[str, str] | None = None,
        dmarc_policy: Any = None,
    ) -> dict[str, Any]:
        from email.parser import BytesHeaderParser

        from devstack.events import ses_receipt_event, source_of

        self.count += 1
        ses_id = ses_id or f"sesmessage{self.count:030d}"
        self.s3.put_object(Bucket=NAMES["MailBucket"], Key=f"inbound/{ses_id}", Body=raw)
        headers = BytesHeaderParser().parsebytes(raw)
        event = ses_receipt_event(
            ses_id,
            list(to),
            source=source_of(headers.get("Return-Path", "")) or "sender@unknown.example",
            at=self.api.now,
            verdicts=verdicts,
            dmarc_policy=dmarc_policy,
            raw=raw,
        )
        spec = next(s for s in self.gateway.specs if s.logical_id == "InboundEmailFunction")
        return self.gateway.invoke(spec, event)["outcomes"][0]


class SearchIndexer:
    """The word index's stream consumer: drain() runs functions/index_search on every pending
    stream record the template's filter lets through, as Lambda's event source mapping would."""

    def __init__(self, gateway: LocalGateway) -> None:
        import threading
        from functools import partial

        from devstack.streams import StreamPoller, stream_mappings

        table = boto3.client("dynamodb").describe_table(TableName=TABLE)["Table"]
        mapping = next(m for m in stream_mappings() if m.function_id == "SearchIndexFunction")
        spec = next(s for s in gateway.specs if s.logical_id == mapping.function_id)
        self.poller = StreamPoller(
            client=boto3.client(
                "dynamodbstreams", endpoint_url="https://streams.dynamodb.eu-west-1.amazonaws.com"
            ),
            stream_arn=table["LatestStreamArn"],
            region="eu-west-1",
            mapping=mapping,
            invoke=partial(gateway.invoke, spec),
            lock=threading.RLock(),
        )

    def drain(self) -> int:
        return self.poller.drain()


class Postman:
    """The table stream's consumer and what it sent: deliver() runs the notify function on every
    pending stream record, as Lambda's event source mapping would; sent() lists the mail (newest
    first), parsed."""

    def __init__(self, gateway: LocalGateway, function_id: str = "NotifyFunction") -> None:
        from devstack.outbox import Outbox

        self.events: list[dict[str, Any]] = []  # every batch handed to the function
        self.invoke, self.poller = stream_consumer(gateway, function_id, self._invoke)
        self.outbox = Outbox("eu-west-1")

    def _invoke(self, event: dict[str, Any]) -> Any:
        self.events.append(event)
        return self.invoke(event)

    def deliver(self) -> list[Any]:
        from email import message_from_string, policy

        self.poller.drain()
        return [message_from_string(m.raw, policy=policy.default) for m in self.outbox.sent()]

    def new(self) -> list[Any]:
        """Mail sent since the last call, oldest first."""
        sent = self.deliver()
        self.outbox.clear()
        return sent[::-1]


def stream_consumer(gateway: LocalGateway, function_id: str, invoke: Any) -> tuple[Any, Any]:
    """(the function's invoke, a StreamPoller feeding `invoke` its mapping's batches from now on)."""
    import threading
    from functools import partial

    from devstack.streams import StreamPoller, stream_mappings

    table = boto3.client("dynamodb").describe_table(TableName=TABLE)["Table"]
    [mapping] = [m for m in stream_mappings() if m.function_id == function_id]
    spec = next(s for s in gateway.specs if s.logical_id == mapping.function_id)
    poller = StreamPoller(
        # moto's in-process mock routes Streams calls only with the endpoint spelled out.
        client=boto3.client(
            "dynamodbstreams", endpoint_url="https://streams.dynamodb.eu-west-1.amazonaws.com"
        ),
        stream_arn=table["LatestStreamArn"],
        region="eu-west-1",
        mapping=mapping,
        invoke=invoke,
        lock=threading.RLock(),
    )
    return partial(gateway.invoke, spec), poller


class Herald:
    """The stream's other consumer: publish() runs publish_events on every pending stream record,
    as its event source mapping would; published() is what reached the ticket event bus, oldest
    first, as a rule's target receives it (read from the stack's archive)."""

    def __init__(self, gateway: LocalGateway) -> None:
        self.batches: list[dict[str, Any]] = []
        self.invoke, self.poller = stream_consumer(gateway, "PublishEventsFunction", self._invoke)

    def _invoke(self, event: dict[str, Any]) -> Any:
        self.batches.append(event)
        return self.invoke(event)

    def published(self, **filters: str) -> list[dict[str, Any]]:
        from devstack.event_log import published_events

        self.poller.drain()
        return published_events(NAMES["TicketEventArchive"], "eu-west-1", **filters)
