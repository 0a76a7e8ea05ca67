"""`make run` (python -m devstack): the API on http://127.0.0.1:3000 over a local AWS (DynamoDB
Local for the table and its stream, moto for S3, SES and Secrets Manager), SES's receiving side as
an SMTP server on 127.0.0.1:2525, and tokens for a demo customer and a demo operator printed at
start. Ctrl-C stops it; data is lost."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import warnings
from datetime import UTC, datetime, time, timedelta
from types import FrameType
from zoneinfo import ZoneInfo

from devstack.containers import DEFAULT_CONTAINERS
from devstack.operators import SEEDED_OPERATORS, seeded_identity
from devstack.server import DEFAULT_HOST, DEFAULT_PORT, DEMO_CUSTOMER, LocalStack
from devstack.smtp import DEFAULT_SMTP_PORT, VERDICTS_HEADER
from devstack.template import parameter_defaults

DEMO_OPERATOR = seeded_identity(SEEDED_OPERATORS[0])


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT", DEFAULT_PORT)),
        help=f"port to listen on (default $PORT or {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--smtp-port",
        type=int,
        default=int(os.environ.get("SMTP_PORT", DEFAULT_SMTP_PORT)),
        help=f"port of the SMTP server that plays SES receiving (default $SMTP_PORT or {DEFAULT_SMTP_PORT})",
    )
    parser.add_argument(
        "--dynamodb-endpoint",
        default=os.environ.get("DYNAMODB_ENDPOINT"),
        help="use a DynamoDB Local already running there (default $DYNAMODB_ENDPOINT, else start one)",
    )
    parser.add_argument(
        "--containers",
        type=int,
        default=int(os.environ.get("CONTAINERS", DEFAULT_CONTAINERS)),
        help=f"how many handler invocations run at once (default $CONTAINERS or {DEFAULT_CONTAINERS})",
    )
    args = parser.parse_args(argv)
    if args.containers < 1:
        parser.error("--containers must be at least 1")
    return args


def banner(stack: LocalStack) -> str:
    customer_token, _ = stack.issuer.mint(DEMO_CUSTOMER)
    operator_token, _ = stack.issuer.mint(stack.operator_identity(DEMO_OPERATOR))
    url = stack.url
    later = (datetime.now(UTC) + timedelta(hours=73)).strftime("%Y-%m-%dT%H:%M:%SZ")
    friday = next_friday_evening(stack.clock.now())
    return f"""
Netz0 help desk running at {url}
  DynamoDB Local at {stack.dynamodb_endpoint}, table {stack.table_name}; moto (S3, SES, Secrets
  Manager) at {stack.aws_endpoint}; data lives in memory only. Up to {stack.containers} handler calls at once.

Tokens (valid 12 h, for this run only):
  demo customer, account {DEMO_CUSTOMER.account_id}, {DEMO_CUSTOMER.email}
export CUSTOMER_TOKEN={customer_token}
  demo operator, {DEMO_OPERATOR.name} <{DEMO_OPERATOR.email}>
export OPERATOR_TOKEN={operator_token}
{operators_section(url)}

Try:
  curl -s -X POST {url}/tickets -H "Authorization: Bearer $CUSTOMER_TOKEN" \\
    -d '{{"department": "soporte", "subject": "El webmail no carga", "body": "Desde ayer no puedo entrar."}}'
  curl -s {url}/tickets -H "Authorization: Bearer $CUSTOMER_TOKEN"
  curl -s '{url}/tickets?status=OPEN' -H "Authorization: Bearer $OPERATOR_TOKEN"

Local helpers:
  curl -s -X POST {url}/_local/token \\
    -d '{{"role": "customer", "account_id": "acct-1001", "email": "ana@cliente.example"}}'
  curl -s -X POST {url}/_local/auto-close -d '{{"at": "{later}"}}'   # auto_close as of that time
  curl -s -X POST {url}/_local/escalate -d '{{"at": "{later}"}}'     # SLA escalation as of that time
  curl -s -X POST {url}/_local/escalate                                         # ... as of the stack's time
  (both also run by themselves every minute, at the stack's time.) API document: {url}/openapi.json

The stack's clock (every handler's "now"; it only moves forward, and keeps ticking):
  curl -s {url}/_local/clock
  curl -s -X POST {url}/_local/clock -d '{{"at": "{friday}"}}'   # a Friday evening in Madrid
  curl -s -X POST {url}/_local/clock -d '{{"advance": "P2DT14H35M"}}'             # to Monday 09:30
  (README, "The SLA walk": a first response due Monday 09:55, warned, breached, answered, rated.)
{mail_section(stack)}

Ctrl-C to stop.
"""


def next_friday_evening(now: datetime) -> str:
    """The next Friday at 18:55 in Madrid after `now`, as /_local/clock takes it."""
    local = now.astimezone(ZoneInfo(parameter_defaults()["TimeZone"]))
    friday = local.date() + timedelta(days=(4 - local.weekday()) % 7 or 7)
    evening = datetime.combine(friday, time(18, 55), local.tzinfo)
    return evening.isoformat()


def operators_section(url: str) -> str:
    """The seeded operators (the operators group of the local user pool) and how to sign in as one."""
    rows = "\n".join(f"    {o.name:<14} {o.email:<24} {', '.join(o.departments)}" for o in SEEDED_OPERATORS)
    other = SEEDED_OPERATORS[1]
    return f"""  Operators (GET /operators; a token for any of them, by e-mail):
{rows}
  curl -s -X POST {url}/_local/token -d '{{"role": "operator", "email": "{other.email}"}}'"""


def mail_section(stack: LocalStack) -> str:
    address = stack.smtp_address
    if address is None:
        return "\nNo SMTP server (template.yaml has no SES receipt rule invoking a function)."
    host, port = address
    return f"""
Mail: an SMTP server on {host}:{port} plays SES receiving for *@{stack.mail_domain} (every verdict
  PASS; a header "{VERDICTS_HEADER}: spf=FAIL; dkim=FAIL; dmarc=FAIL" fakes a spoof).
  {DEMO_CUSTOMER.email} is authorized on {DEMO_CUSTOMER.account_id}, so it can mail in:
python3 - <<'EOF'
import smtplib, email.message
m = email.message.EmailMessage(); m["From"] = "{DEMO_CUSTOMER.email}"; m["To"] = "soporte@{stack.mail_domain}"
m["Subject"] = "El webmail no carga"; m.set_content("Desde ayer no puedo entrar.")
smtplib.SMTP("{host}", {port}).send_message(m)
EOF
  What the system sent, newest first: curl -s {stack.url}/_local/outbox   (?to=<address> filters)
  SES says a mail to it bounced: curl -s -X POST {stack.url}/_local/outbox/bounce \\
    -d '{{"email": "{DEMO_CUSTOMER.email}", "type": "bounce"}}'   (transient, complaint, delivery)"""


def _stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # `kill` and `timeout` stop it as cleanly as Ctrl-C


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's line per AWS call
    logging.getLogger("botocore").setLevel(logging.WARNING)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per SMTP command
    # Powertools warns for every request that records no metric; the tests ignore it too.
    warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
    stack = LocalStack(
        args.host,
        args.port,
        smtp_port=args.smtp_port,
        dynamodb_endpoint=args.dynamodb_endpoint,
        containers=args.containers,
    )
    stack.start()  # on a busy port werkzeug prints why and exits with 1, after stop() cleaned up
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    print(banner(stack), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nStopping.", file=sys.stderr)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
