"""Issue 12's "done means" walked on `make run`'s stack at a chosen time (POST /_local/clock):
a ticket opened to Soporte on a Friday at 18:55 (business hours 09:00-19:00, a first response
due within 60 business minutes) is due on Monday at 09:55; the escalation warns at 09:30 and
reports the breach at 10:00, once each, and the department's operators get one mail of each; an
operator answers late, the customer closes the ticket and rates it from the close mail's link
as the portal does; the report for Monday shows the ticket's first-response time, the breach and
the rating. Every step runs at the stack's time, so they agree.

Its own stack: the clock only runs forward, and the other local-stack tests run on the real time."""

from __future__ import annotations

import email
import email.policy
import re
import smtplib
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest

from devstack.operators import SEEDED_OPERATORS
from devstack.server import DEMO_CUSTOMER, LocalStack
from devstack.template import parameter_defaults
from helpdesk.sla_config import SlaDocument
from tests.support.local_stack import CLIENT_TIMEOUT, Client, running_stack

MADRID = ZoneInfo("Europe/Madrid")
SOPORTE = [o.email for o in SEEDED_OPERATORS if "soporte" in o.departments]
OTHERS = [o.email for o in SEEDED_OPERATORS if "soporte" not in o.departments]
LATE_OPERATOR = "marcos@netz0.example"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with running_stack(table_name="helpdesk-local-walk", containers=2) as local:
        yield local


@pytest.fixture(scope="module")
def client(stack: LocalStack) -> Client:
    return Client(stack.url)


def clock(client: Client) -> dict[str, Any]:
    reply = client.call("GET", "/_local/clock")
    assert reply.status == 200, reply.body
    return dict(reply.body)


def move(client: Client, **body: str) -> datetime:
    reply = client.call("POST", "/_local/clock", body=body)
    assert reply.status == 200, reply.body
    return datetime.fromisoformat(reply.body["local"])


def local(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(MADRID)


def next_walk_friday(today: date) -> date:
    """The next Friday (from tomorrow on) worked 09:00-19:00 in Soporte's calendar, whose Monday is too."""
    document = SlaDocument.from_json(parameter_defaults()["SlaPolicies"])
    (policy,) = [p for p in document.policies if p.department == "soporte" and p.priority is None]
    assert policy.first_response == 60  # the walk's premise: a 1-hour first-response target
    calendar = document.calendars[policy.calendar].calendar(policy.calendar)
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)

    def hours(day: date) -> list[tuple[str, str]]:
        return [
            (s.astimezone(MADRID).strftime("%H:%M"), e.astimezone(MADRID).strftime("%H:%M"))
            for s, e in calendar.periods_on(day)
        ]

    while hours(friday) != [("09:00", "19:00")] or hours(friday + timedelta(days=3)) != [("09:00", "19:00")]:
        friday += timedelta(days=7)
    return friday


def mails(client: Client, ticket_id: str, to: str, subject_part: str) -> list[Any]:
    sent = client.call("GET", f"/_local/outbox?to={to}").body
    return [
        email.message_from_string(m["raw"], policy=email.policy.default)
        for m in sent
        if ticket_id in m["subject"] and subject_part in m["subject"]
    ]


def text_of(mail: Any) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def test_the_sla_walk(client: Client) -> None:
    customer = client.token("customer", account_id=DEMO_CUSTOMER.account_id or "", email=DEMO_CUSTOMER.email)
    operator = client.token("operator", email=LATE_OPERATOR)

    # Friday 18:55 in Madrid, on the stack's clock.
    today = local(clock(client)["now"]).date()
    friday = next_walk_friday(today)
    opening = datetime.combine(friday, datetime.min.time(), MADRID).replace(hour=18, minute=55)
    started = time.monotonic()
    assert move(client, at=opening.isoformat()).replace(microsecond=0) - opening < timedelta(seconds=5)

    opened = client.call(
        "POST",
        "/tickets",
        customer,
        {"department": "soporte", "subject": "El webmail no carga", "body": "Desde el viernes no entro."},
    )
    assert opened.status == 201, opened.body
    ticket_id = opened.body["id"]
    path = f"/tickets/{ticket_id}"
    assert local(opened.body["created_at"]).strftime("%a %H:%M") == "Fri 18:55"

    # Due on Monday at 09:55: five minutes on Friday, fifty-five on Monday.
    sla = client.call("GET", path, operator).body["sla"]
    assert (sla["state"], sla["target"], sla["target_minutes"], sla["breached"]) == (
        "running",
        "first_response",
        60,
        False,
    )
    monday = friday + timedelta(days=3)
    due = local(sla["due_at"])
    assert (due.date(), due.strftime("%H:%M")) == (monday, "09:55")

    # Monday 09:30, 25 business minutes left: the escalation warns, once.
    at_warning = move(client, advance="P2DT14H35M")
    assert at_warning.strftime("%a %H:%M") == "Mon 09:30"
    warned = client.call("POST", "/_local/escalate")
    assert warned.status == 200, warned.body
    assert (warned.body["warned"], warned.body["breached"]) == (1, 0)
    again = client.call("POST", "/_local/escalate").body
    assert (again["warned"], again["breached"]) == (0, 0)
    sla = client.call("GET", path, operator).body["sla"]
    assert 24 <= sla["minutes_left"] <= 25

    # 10:00, five minutes past due: the breach, once.
    at_breach = move(client, advance="PT30M")
    assert at_breach.strftime("%H:%M") == "10:00"
    breached = client.call("POST", "/_local/escalate").body
    assert (breached["warned"], breached["breached"]) == (0, 1)
    again = client.call("POST", "/_local/escalate").body
    assert (again["warned"], again["breached"]) == (0, 0)
    sla = client.call("GET", path, operator).body["sla"]
    assert sla["breached"] is True
    assert sla["minutes_left"] <= -5

    # The thread says so once each, and each Soporte operator got one mail of each, dated Monday.
    history = client.call("GET", path, operator).body["history"]
    assert [e["code"] for e in history if e["code"].startswith("sla_")] == ["sla_warning", "sla_breached"]
    for address in SOPORTE:
        (warning,) = mails(client, ticket_id, address, "SLA a punto de vencer")
        (breach,) = mails(client, ticket_id, address, "SLA incumplido")
        # Dated by the stream record (rounded down to the second), on the stack's clock.
        assert abs(warning["Date"].datetime - at_warning) < timedelta(seconds=5)
        assert abs(breach["Date"].datetime - at_breach) < timedelta(seconds=5)
        assert "09:55" in text_of(warning)
    for address in OTHERS:
        assert mails(client, ticket_id, address, "SLA") == []

    # 10:10: the operator answers, late; the ticket waits for the customer and its clock stands still.
    move(client, advance="PT10M")
    answered = client.call("POST", f"{path}/replies", operator, {"body": "Ya funciona: borre la caché."})
    assert answered.status == 201, answered.body
    answered_after = time.monotonic() - started
    waiting = client.call("GET", path, operator).body
    assert waiting["status"] == "WAITING"
    assert waiting["sla"]["state"] == "paused"

    # 10:30: the customer closes it; the close mail carries the one-click rating links.
    move(client, advance="PT20M")
    closed = client.call("POST", f"{path}/close", customer)
    assert closed.status == 200, closed.body
    (close_mail,) = [
        m for m in mails(client, ticket_id, DEMO_CUSTOMER.email, "") if "#/rate?token=" in text_of(m)
    ]
    link = re.search(r"\S+#/rate\?token=\S+&rating=good", text_of(close_mail))
    assert link, text_of(close_mail)
    # The portal's page: the hash's query names the token; it looks the closing up, then rates.
    query = parse_qs(urlsplit(urlsplit(link.group(0)).fragment).query)
    token, rating = unquote(query["token"][0]), query["rating"][0]
    found = client.call("POST", "/ratings/lookup", None, {"token": token})
    assert found.status == 200, found.body
    assert found.body["ticket_id"] == ticket_id
    assert found.body["rating"] is None
    # The link is good for 30 days from the closing on the stack's clock, not the real one.
    assert local(found.body["expires_at"]).date() == monday + timedelta(days=30)
    rated = client.call("PUT", "/ratings", None, {"token": token, "rating": rating})
    assert rated.status == 200, rated.body
    assert client.call("GET", path, operator).body["ratings"][0]["rating"] == "good"

    # Monday's report: the closing, its first-response time, the breach and the rating.
    asked = f"/reports?from={friday}&to={monday}&department=soporte"
    deadline = time.monotonic() + 30  # the stream delivers the rating moments after its write
    while True:
        report = client.call("GET", asked, operator)
        assert report.status == 200, report.body
        days = {day["date"]: day for day in report.body["days"]}
        if days[str(monday)]["satisfaction"]["good"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    fri, mon = days[str(friday)], days[str(monday)]
    assert (fri["opened"]["total"], fri["opened"]["by"]["web"], fri["backlog"]) == (1, 1, 1)
    assert mon["closed"]["by"]["customer"] == 1
    assert mon["backlog"] == 0
    first = mon["first_response"]
    assert first["count"] == 1
    # 5 minutes on Friday and 70 on Monday, plus the seconds the walk itself took.
    slack = int(answered_after) + 2
    assert 75 * 60 <= first["business"]["median_seconds"] <= 75 * 60 + slack
    calendar = datetime.combine(monday, datetime.min.time(), MADRID).replace(hour=10, minute=10) - opening
    assert calendar.total_seconds() <= first["calendar"]["median_seconds"] <= calendar.total_seconds() + slack
    assert (mon["sla"]["first_response"]["met"], mon["sla"]["first_response"]["missed"]) == (0, 1)
    assert mon["sla"]["first_response"]["rate"] == 0
    assert (mon["satisfaction"]["good"], mon["satisfaction"]["bad"], mon["satisfaction"]["rate"]) == (1, 0, 1)
    for day in (friday + timedelta(days=1), friday + timedelta(days=2)):  # the weekend: still open
        assert days[str(day)]["backlog"] == 1

    # The late operator's own report shows the same ticket: they answered and it was theirs at the close.
    operators = client.call("GET", "/operators", operator).body
    marcos = next(o["id"] for o in operators["items"] if o["email"] == LATE_OPERATOR)
    mine = client.call("GET", f"{asked}&operator={marcos}", operator).body
    own = {day["date"]: day for day in mine["days"]}[str(monday)]
    assert own["first_response"]["count"] == 1
    assert own["sla"]["first_response"]["missed"] == 1
    assert own["satisfaction"]["good"] == 1


def test_mail_arrives_at_the_stacks_time(stack: LocalStack, client: Client) -> None:
    # The clock moves forward from wherever the walk left it: a day later than that.
    later = move(client, advance="P1D")
    mail = EmailMessage()
    mail["From"] = DEMO_CUSTOMER.email
    mail["To"] = f"soporte@{stack.mail_domain}"
    mail["Subject"] = "Otra vez sin webmail"
    mail.set_content("Vuelve a fallar.")
    address = stack.smtp_address
    assert address is not None
    with smtplib.SMTP(*address, timeout=CLIENT_TIMEOUT) as smtp:
        smtp.send_message(mail)
    customer = client.token("customer", account_id=DEMO_CUSTOMER.account_id or "", email=DEMO_CUSTOMER.email)
    mine = client.call("GET", "/tickets", customer).body["items"]
    (opened,) = [t for t in mine if t["subject"] == "Otra vez sin webmail"]
    # SES's receipt timestamp is on the stack's clock, so the ticket opened then, not at the real time.
    assert timedelta(0) <= local(opened["created_at"]) - later < timedelta(seconds=30)
