"""`make run`: the handlers from template.yaml served over HTTP the way API Gateway serves them
(routes, JWT authorizer, payload limit, HTTP API v2 events), over a local AWS: DynamoDB Local for
the table and its stream (devstack.dynamodb), moto's server, started in this process, for S3, SES
and Secrets Manager. Handlers run in containers, worker processes that serve one invocation at a
time, several at once (devstack.containers). Around them, what AWS would run: the schedule, the
table's stream feeding its consumer (devstack.streams), and SES receiving mail over SMTP
(devstack.smtp). A few /_local helpers stand in for Cognito and the schedule, and show the mail
the system sent.

LocalStack is the whole thing, startable in-process on port 0 for tests; __main__ adds the banner."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from datetime import UTC, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from moto.server import ThreadedMotoServer
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from devstack.auth import OPERATORS_GROUP, Identity, InvalidTokenRequest, LocalIssuer, Role, TokenRejected
from devstack.clock import ClockMove, ClockRefused, LocalClock
from devstack.containers import DEFAULT_CONTAINERS, Containers, PooledGateway
from devstack.dynamodb import engine
from devstack.event_log import published_events
from devstack.events import LambdaContext
from devstack.feedback import simulate_feedback
from devstack.functions import ensure_layer_on_path
from devstack.gateway import HttpResult, LocalGateway
from devstack.operators import as_member, seed_operators
from devstack.outbox import Outbox
from devstack.provision import (
    provision_events,
    provision_identity,
    provision_mail,
    provision_table,
    resource_names,
)
from devstack.s3_proxy import PREFIX as S3_PREFIX
from devstack.s3_proxy import LocalS3, UploadRequest
from devstack.smtp import DEFAULT_SMTP_PORT, Arrival, ReceiptRule, SesReceiver, SmtpServer, receipt_rule
from devstack.streams import StreamPoller, aws_stream_arn, stream_mappings
from devstack.template import ROOT, parameter_defaults, ttl_attribute

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
TABLE_NAME = "netz0-helpdesk-local"
REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"  # the account moto and the functions' ARNs name
ISSUER_PATH = "/_local/issuer"
PORTAL = ROOT / "portal"
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # an HTTP API refuses larger payloads with 413
SCHEDULE_INTERVAL_SECONDS = 60.0
STREAM_INTERVAL_SECONDS = 0.5  # how often the stream is polled between requests
# The demo customer's account is seeded with this authorized address, so it can mail in.
DEMO_CUSTOMER = Identity(Role.CUSTOMER, "cliente@demo.netz0.example", "acct-demo")
# Response headers the HTTP server computes itself; copying the handler's could contradict it.
_LOCAL_SECRET = "local"  # noqa: S105 - moto accepts any credentials; S3 POST policies are signed with it
_HOP_HEADERS = frozenset({"content-length", "connection", "transfer-encoding"})
# Settings that would point boto3 at real AWS or at other endpoints than the local ones.
_FOREIGN_AWS_SETTINGS = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
    "AWS_ENDPOINT_URL_S3",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
)

log = logging.getLogger("devstack.server")

StartResponse = Callable[..., Any]


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(payload), status=status, headers=headers, content_type="application/json")


def local_error(status: int, code: str, message: str) -> Response:
    return json_response(status, {"error": {"code": code, "message": message}})


def unauthorized(reason: str) -> Response:
    # API Gateway's body, and its www-authenticate header saying why (see its JWT troubleshooting).
    description = reason.replace('"', "'")
    challenge = f'Bearer scope="" error="invalid_token" error_description="{description}"'
    return json_response(401, {"message": "Unauthorized"}, {"www-authenticate": challenge})


class BadRequest(ValueError):
    """A /_local helper request that cannot be served; the message says what to send."""


class LocalRequest(Request):
    max_content_length = MAX_REQUEST_BYTES  # also stops chunked bodies that declare no length


class LocalApi:
    """The WSGI application: API Gateway's part in front of the handlers, plus /_local helpers.
    Requests are served on threads and invoke their handlers concurrently (the gateway decides
    where they run; in LocalStack, in containers). `drain` runs after every request (the stream
    consumers, see LocalStack.drain)."""

    def __init__(
        self,
        gateway: LocalGateway,
        issuer: LocalIssuer,
        *,
        outbox: Outbox | None = None,
        drain: Callable[[], None] = lambda: None,
        s3: LocalS3 | None = None,
        member: Callable[[Identity], Identity] = lambda identity: identity,
        clock: LocalClock | None = None,
        event_archive: str | None = None,
    ) -> None:
        self.gateway = gateway
        self.clock = clock or LocalClock()
        gateway.now = self.clock.now  # every request's event carries the stack's time
        self.issuer = issuer
        self.member = member  # an operator's identity as the user pool knows it (devstack.operators)
        self.outbox = outbox
        self.event_archive = event_archive
        self.drain = drain
        self.s3 = s3
        self._helpers: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("POST", "/_local/token"): self._token,
            ("POST", "/_local/auto-close"): self._auto_close,
            ("POST", "/_local/escalate"): self._escalate,
            ("GET", "/_local/clock"): self._show_clock,
            ("POST", "/_local/clock"): self._move_clock,
            ("GET", "/_local/outbox"): self._outbox,
            ("POST", "/_local/outbox/clear"): self._clear_outbox,
            ("POST", "/_local/outbox/bounce"): self._bounce,
            ("GET", "/_local/events"): self._events,
            ("GET", f"{ISSUER_PATH}/.well-known/jwks.json"): lambda _r: json_response(200, issuer.jwks()),
            ("GET", f"{ISSUER_PATH}/.well-known/openid-configuration"): (
                lambda _r: json_response(200, issuer.openid_configuration())
            ),
        }

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if self.s3 is not None and (path == S3_PREFIX or path.startswith(S3_PREFIX + "/")):
            # S3's own endpoint, on this origin: its size limits, not the API's; no stream to drain.
            return self.s3.handle(UploadRequest(environ))(environ, start_response)
        return self.handle(LocalRequest(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        if (request.content_length or 0) > MAX_REQUEST_BYTES:
            return json_response(413, {"message": "Request Entity Too Large"})
        try:
            helper = self._helpers.get((request.method, request.path))
            if helper:
                response = helper(request)
            elif request.method == "GET" and self.gateway.route("GET", request.path) is None:
                response = self._portal(request)
            else:
                response = self._proxy(request)
        except RequestEntityTooLarge:
            response = json_response(413, {"message": "Request Entity Too Large"})
        # In AWS the stream consumers run moments after a write; running them before answering
        # means the mail a request causes is in the outbox when its response arrives.
        self.drain()
        return response

    # ---------------------------------------------------------------- the portal
    def _portal(self, request: Request) -> Response:
        """The web portal's static files, as the CDN serves them in AWS. /config.json tells the page
        where the API is and how to sign in (here: the same origin, local tokens)."""
        if request.path == "/config.json":
            return json_response(
                200, {"apiUrl": "", "auth": {"mode": "local"}}, {"cache-control": "no-store"}
            )
        path = request.path.lstrip("/") or "index.html"
        try:
            return send_from_directory(PORTAL, path, request.environ, max_age=0)
        except NotFound:
            return json_response(404, {"message": "Not Found"})

    def run_schedule(self, at: datetime, function: str = "AutoCloseFunction") -> Any:
        # Overlapping runs are safe: each change they make is a guarded conditional write.
        return self.gateway.run_schedule(function, at)

    # ---------------------------------------------------------------- the API
    def _proxy(self, request: Request) -> Response:
        found = self.gateway.route(request.method, request.path)
        claims = None
        if found is not None and found[1].authorized:
            # The authorizer runs before the integration: a bad token never reaches the function.
            try:
                claims = self.issuer.verify(request.headers.get("Authorization"))
            except TokenRejected as why:
                return unauthorized(str(why))
        body = request.get_data()
        if found is not None:
            # Which function each request invokes and for whom: what tells how many different
            # functions (each a cold start at low traffic) a portal session calls.
            function = found[0].logical_id
            log.info("%s %s invokes %s for %s", request.method, request.path, function, _who(claims))
        try:
            result = self.gateway.request(
                request.method,
                request.path,
                claims=claims,
                query=request.query_string.decode("utf-8", "replace"),
                headers={name.lower(): value for name, value in request.headers.items()},
                body=body or None,
            )
        except Exception:
            # What API Gateway answers when the Lambda invocation itself fails.
            log.exception("%s %s: the handler raised", request.method, request.path)
            return json_response(500, {"message": "Internal Server Error"})
        return self._response(result)

    @staticmethod
    def _response(result: HttpResult) -> Response:
        headers = {k: v for k, v in result.headers.items() if k.lower() not in _HOP_HEADERS}
        response = Response(result.body, status=result.status, headers=headers)
        if "content-type" not in result.headers:
            # werkzeug would label it text/plain; an answer with no body (204, 302) has no type.
            del response.headers["Content-Type"]
        return response

    # ---------------------------------------------------------------- /_local helpers
    def _token(self, request: Request) -> Response:
        try:
            identity = Identity.parse(_json_body(request))
        except (BadRequest, InvalidTokenRequest) as error:
            return local_error(400, "invalid_request", str(error))
        token, claims = self.issuer.mint(self.member(identity))
        return json_response(200, {"token": token, "claims": claims})

    def _auto_close(self, request: Request) -> Response:
        try:
            at = _moment(_json_body(request)) or self.clock.now()
        except BadRequest as error:
            return local_error(400, "invalid_request", str(error))
        try:
            return json_response(200, self.run_schedule(at))
        except Exception as error:
            log.exception("auto_close at %s failed", at.isoformat())
            return local_error(500, "auto_close_failed", f"auto_close raised {error!r}; see the server log.")

    def _escalate(self, request: Request) -> Response:
        try:
            at = _moment(_json_body(request)) or self.clock.now()
        except BadRequest as error:
            return local_error(400, "invalid_request", str(error))
        try:
            result = self.run_schedule(at, "EscalateFunction")
        except Exception as error:
            log.exception("escalate at %s failed", at.isoformat())
            return local_error(500, "escalate_failed", f"escalate raised {error!r}; see the server log.")
        self.drain()
        return json_response(200, result)

    def _show_clock(self, _request: Request) -> Response:
        return json_response(200, self._clock_state())

    def _move_clock(self, request: Request) -> Response:
        """POST /_local/clock {"at": <ISO time with offset>} or {"advance": <ISO duration>}."""
        try:
            move = ClockMove.parse(_json_body(request))
            # What the writes so far set off is delivered at the times they were written.
            self.drain()
            self.clock.move(move)
        except (BadRequest, ClockRefused) as error:
            return local_error(400, "invalid_request", str(error))
        return json_response(200, self._clock_state())

    def _clock_state(self) -> dict[str, Any]:
        now = self.clock.now()
        zone = ZoneInfo(parameter_defaults()["TimeZone"])  # Netz0's, as the mail and calendars use
        return {
            "now": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "local": now.astimezone(zone).isoformat(timespec="seconds"),
            "time_zone": str(zone),
            "offset_seconds": round(self.clock.offset.total_seconds(), 3),
        }

    def _outbox(self, request: Request) -> Response:
        """GET /_local/outbox[?to=<address>]: the mail the system sent, newest first."""
        if self.outbox is None:
            return local_error(404, "no_outbox", "This stack records no outgoing mail.")
        self.drain()
        mails = self.outbox.sent(request.args.get("to"))
        return json_response(200, [mail.as_json() for mail in mails])

    def _clear_outbox(self, _request: Request) -> Response:
        if self.outbox is None:
            return local_error(404, "no_outbox", "This stack records no outgoing mail.")
        cleared = self.outbox.clear()
        return json_response(200, {"cleared": cleared})

    def _events(self, request: Request) -> Response:
        """GET /_local/events[?detail_type=&ticket_id=]: what was published to the ticket event bus."""
        if not self.event_archive:
            return local_error(404, "no_event_bus", "This stack publishes no ticket events.")
        self.drain()
        found = published_events(
            self.event_archive,
            REGION,
            detail_type=request.args.get("detail_type"),
            ticket_id=request.args.get("ticket_id"),
        )
        return json_response(200, found)

    def _bounce(self, request: Request) -> Response:
        """POST /_local/outbox/bounce: see devstack.feedback."""
        try:
            data = _json_body(request)
        except BadRequest:
            data = None
        status, payload = simulate_feedback(self.gateway, data, now=self.clock.now())
        return json_response(status, payload)


def _json_body(request: Request) -> Any:
    try:
        return json.loads(request.get_data() or b"null")
    except ValueError:
        raise BadRequest("The request body is not valid JSON.") from None


def _moment(data: Any) -> datetime | None:
    """The `at` of an auto-close or escalate request: ISO 8601, UTC when it names no timezone;
    None for no body or {} (the stack's time)."""
    if data is None or data == {}:
        return None
    text = data.get("at") if isinstance(data, dict) else None
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise BadRequest(
            'Send {"at": "<ISO 8601 time>"}, e.g. {"at": "2026-11-28T12:00:00Z"}, '
            "or no body for the stack's time."
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _who(claims: dict[str, Any] | None) -> str:
    if not claims:
        return "a signed-out visitor"
    role = "operator" if OPERATORS_GROUP in (claims.get("cognito:groups") or []) else "customer"
    return f"{role} {claims.get('email') or claims.get('sub')}"


class _RequestLog(WSGIRequestHandler):
    """Access lines on our own logger, so moto's (on "werkzeug") can be silenced separately."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.info("%s %s %s", self.command, self.path, code)

    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - werkzeug's signature
        log.log(logging.ERROR if type == "error" else logging.INFO, message.rstrip(), *args)


class LocalStack:
    """DynamoDB Local + moto server + AWS resources + handler containers + HTTP server + schedule
    + table stream + SMTP, started and stopped as one. start() changes os.environ (the handlers
    read it, as in Lambda); stop() puts it back. `smtp_port=None` runs without the SMTP server,
    `stream_interval=None` without the polling thread (drain() still runs after every request and
    every mail). `dynamodb_endpoint` uses a DynamoDB Local already running instead of the
    process's own (devstack.dynamodb.engine); `containers` is how many invocations run at once."""

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        table_name: str = TABLE_NAME,
        schedule_interval: float | None = SCHEDULE_INTERVAL_SECONDS,
        smtp_port: int | None = DEFAULT_SMTP_PORT,
        stream_interval: float | None = STREAM_INTERVAL_SECONDS,
        dynamodb_endpoint: str | None = None,
        containers: int = DEFAULT_CONTAINERS,
    ) -> None:
        self.host = host
        self.port = port
        self.table_name = table_name
        self.schedule_interval = schedule_interval
        self.smtp_port = smtp_port
        self.stream_interval = stream_interval
        self.aws_endpoint = ""
        self.dynamodb_endpoint = dynamodb_endpoint or ""
        self.containers = containers
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._moto: ThreadedMotoServer | None = None
        self._moto_s3: Any = None
        self._containers: Containers | None = None
        self._warming: Future[None] | None = None
        self._server: BaseWSGIServer | None = None
        self._smtp: SmtpServer | None = None
        self._api: LocalApi | None = None
        self._names: dict[str, str] = {}
        self._pollers: list[StreamPoller] = []
        self._receiver: SesReceiver | None = None
        self._outbox: Outbox | None = None
        self._saved_env: dict[str, str] | None = None
        self._serving = False
        self.clock = LocalClock()  # the time every event carries (devstack.clock)

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self._server.server_port}"

    @property
    def smtp_address(self) -> tuple[str, int] | None:
        """Where the SMTP server listens, once started (None when it does not run)."""
        return self._smtp.address if self._smtp is not None and self._receiver is not None else None

    @property
    def mail_domain(self) -> str:
        return parameter_defaults()["MailDomain"]

    @property
    def resource_names(self) -> dict[str, str]:
        """What the template's !Ref resolve to here, e.g. {"MailBucket": "<bucket name>"}."""
        return dict(self._names)

    @property
    def issuer(self) -> LocalIssuer:
        assert self._api is not None, "start() first"
        return self._api.issuer

    @property
    def api(self) -> LocalApi:
        assert self._api is not None, "start() first"
        return self._api

    def start(self) -> None:
        try:
            # Bind first: a busy port fails in a moment, before moto and the handlers load.
            self._server = make_server(
                self.host, self.port, self._wsgi, threaded=True, request_handler=_RequestLog
            )
            if self.smtp_port is not None:
                self._smtp = SmtpServer(self.host, self.smtp_port)
            self._start_aws()
            gateway = self._load_handlers()
            self._outbox = Outbox(REGION, now=self.clock.now)
            issuer = LocalIssuer(self.url + ISSUER_PATH)
            s3 = LocalS3(self.aws_endpoint, self._moto_s3, _LOCAL_SECRET)
            self._api = LocalApi(
                gateway,
                issuer,
                outbox=self._outbox,
                drain=self.drain,
                s3=s3,
                member=self.operator_identity,
                clock=self.clock,
                event_archive=self._names.get("TicketEventArchive"),
            )
            self._spawn("local-http", self._server.serve_forever)
            self._serving = True
            self._start_smtp()
            if self.stream_interval and self._pollers:
                self._spawn("local-streams", self._stream_loop)
            if self.schedule_interval:
                self._spawn("local-schedule", self._schedule_loop)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self._stopping.set()
        if self._smtp is not None:
            self._smtp.stop()  # first: no mail arrives while the rest goes down
            self._smtp = None
        if self._server is not None and self._serving:
            self._server.shutdown()  # serve_forever closes the socket on its way out
        elif self._server is not None:
            self._server.server_close()
        self._serving = False
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
        if self._containers is not None:
            self._containers.stop()
            self._containers = None
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
        self._restore_env()

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def operator_identity(self, identity: Identity) -> Identity:
        """What the user pool says of an identity: an operator's sub and name (joining the group)."""
        return as_member(self._names["UserPool"], identity)

    def drain(self) -> None:
        """Run what AWS runs right after a write, now: every stream consumer gets all pending
        records, then the outbox notes what they sent. Errors are logged, never raised: this runs
        at the end of requests and mail deliveries, which have already done their part."""
        try:
            for poller in self._pollers:
                poller.drain()
            if self._outbox is not None:
                self._outbox.observe()
        except Exception:
            log.exception("delivering the table's stream failed")

    # ---------------------------------------------------------------- start-up steps
    def _start_aws(self) -> None:
        local_dynamodb = None
        if not self.dynamodb_endpoint:
            local_dynamodb = engine()  # starts while moto does
            self.dynamodb_endpoint = local_dynamodb.endpoint
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.aws_endpoint = f"http://{host}:{port}"
        self._saved_env = os.environ.copy()
        for name in _FOREIGN_AWS_SETTINGS:
            os.environ.pop(name, None)
        # Before any handler loads: their boto3 clients are made at import, as in a cold start.
        os.environ.update(
            AWS_ENDPOINT_URL=self.aws_endpoint,
            # Service-specific endpoints win over AWS_ENDPOINT_URL (botocore's configured endpoints).
            AWS_ENDPOINT_URL_DYNAMODB=self.dynamodb_endpoint,
            AWS_ENDPOINT_URL_DYNAMODB_STREAMS=self.dynamodb_endpoint,
            AWS_DEFAULT_REGION=REGION,
            AWS_ACCESS_KEY_ID="local",
            AWS_SECRET_ACCESS_KEY=_LOCAL_SECRET,
            # Keep ~/.aws out of it: a developer's profile must never decide where requests go.
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        )
        self._names = self._provision_mail()
        self._moto_s3 = boto3.client("s3", endpoint_url=self.aws_endpoint)
        # From here on S3 is reached through this stack's origin (devstack.s3_proxy), as the
        # browser reaches it: the functions' presigned upload forms and download links point there.
        # Nothing calls S3 before the server serves.
        os.environ["AWS_ENDPOINT_URL_S3"] = self.url + S3_PREFIX
        # The functions' environment, then their containers, which import them while DynamoDB
        # Local finishes starting (the mail functions read the signing secret at import).
        os.environ.update(LocalGateway(self._names).environment())
        os.environ["PORTAL_URL"] = self.url + "/"  # confirmation links lead to this portal
        self._containers = Containers(self._names, self.containers)
        self._warming = self._containers.warm()
        if local_dynamodb is not None:
            local_dynamodb.wait_ready()
        self._provision_table()
        # Before any write, so a stream read from LATEST sees everything from here on.
        self._pollers = self._stream_pollers()
        self._seed_demo_account()
        seed_operators(self._names["UserPool"], self.table_name)

    def _provision_mail(self) -> dict[str, str]:
        """The mail bucket, the signing secret, the configuration set and the verified
        identities; names derive from the table's, so stacks started one after another in one
        process (moto's and DynamoDB Local's state outlive a stack) do not collide."""
        names = {**resource_names(self.table_name), "TicketsTable": self.table_name}
        provision_mail(names)
        names["UserPool"] = provision_identity(names)
        provision_events(names)
        # !Ref of an AWS::SecretsManager::Secret is its ARN, so that is what the functions get.
        secret = boto3.client("secretsmanager").describe_secret(SecretId=names["MailSigningSecret"])
        return {**names, "MailSigningSecret": secret["ARN"]}

    def _provision_table(self) -> None:
        """The table, with its stream and time to live."""
        provision_table({"TicketsTable": self.table_name})
        attribute = ttl_attribute()
        if attribute:
            # As the template declares it.
            boto3.client("dynamodb").update_time_to_live(
                TableName=self.table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
            )

    def _stream_pollers(self) -> list[StreamPoller]:
        mappings = stream_mappings()
        if not mappings:
            return []
        table = boto3.client("dynamodb").describe_table(TableName=self.table_name)["Table"]
        if "LatestStreamArn" not in table:
            log.warning("%s read the table's stream, but it has none", [m.function_id for m in mappings])
            return []
        client = boto3.client("dynamodbstreams")
        return [
            StreamPoller(
                client=client,
                stream_arn=table["LatestStreamArn"],
                region=REGION,
                mapping=mapping,
                invoke=partial(self._invoke, mapping.function_id),
                # DynamoDB Local names its own region and account in the ARN; Lambda hands the
                # function the stream's ARN in the table's region and account.
                event_source_arn=aws_stream_arn(table["LatestStreamArn"], REGION, ACCOUNT_ID),
                now=self.clock.now,
            )
            for mapping in mappings
        ]

    def _seed_demo_account(self) -> None:
        """The demo customer's address, authorized on its account, so it can open tickets by mail."""
        ensure_layer_on_path()
        # The layer is importable only once it is on the path.
        from helpdesk.domain.limits import MAX_ADDRESSES
        from helpdesk.store.accounts import DynamoAccountStore

        assert DEMO_CUSTOMER.account_id is not None
        store = DynamoAccountStore(boto3.client("dynamodb"), self.table_name)
        store.add_email(DEMO_CUSTOMER.account_id, DEMO_CUSTOMER.email, self.clock.now(), MAX_ADDRESSES)

    def _load_handlers(self) -> LocalGateway:
        assert self._containers is not None
        assert self._warming is not None
        self._warming.result()  # serve only once a container is ready: no request waits for imports
        return PooledGateway(self._names, self._containers)

    def _start_smtp(self) -> None:
        if self._smtp is None:
            return
        rule = receipt_rule()
        if rule is None or not self._has_function(rule.function_id):
            log.warning("template.yaml has no SES receipt rule invoking a function: no SMTP server")
            self._smtp.stop()
            self._smtp = None
            return
        self._receiver = self._ses_receiver(rule)
        self._smtp.start(self.mail_domain, self._deliver_mail, f"inbound-smtp.{REGION}.amazonaws.com")

    def _ses_receiver(self, rule: ReceiptRule) -> SesReceiver:
        return SesReceiver(
            rule,
            s3=boto3.client("s3"),
            bucket=self._names[rule.bucket_id],
            function_arn=LambdaContext(function_name=rule.function_id).invoked_function_arn,
            invoke=partial(self._invoke, rule.function_id),
            region=REGION,
            stack_time=self.clock.stack_time_at,
        )

    def _restore_env(self) -> None:
        if self._saved_env is not None:
            os.environ.clear()
            os.environ.update(self._saved_env)
            self._saved_env = None

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    # ---------------------------------------------------------------- running
    def _wsgi(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        # The server is bound before the API exists (its URL names the issuer); it only serves after.
        assert self._api is not None
        return self._api(environ, start_response)

    def _has_function(self, logical_id: str) -> bool:
        return any(spec.logical_id == logical_id for spec in self.api.gateway.specs)

    def _invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        """Invoke a function the way its event source would. The gateway is looked up on each
        call, so a test can stand in for it (stack.api.gateway.invoke = recorder)."""
        gateway = self.api.gateway
        spec = next(s for s in gateway.specs if s.logical_id == logical_id)
        return gateway.invoke(spec, event)

    def _deliver_mail(self, arrival: Arrival) -> str:
        """The SMTP server's delivery: SES's actions, then what the function's writes set off."""
        assert self._receiver is not None
        message_id = self._receiver.receive(arrival)
        self.drain()
        return message_id

    def _stream_loop(self) -> None:
        """The event source mapping's polling, between requests (e.g. after a scheduled run)."""
        assert self.stream_interval
        while not self._stopping.wait(self.stream_interval):
            self.drain()

    def _schedule_loop(self) -> None:
        """What the EventBridge rule does: auto_close on a timer. A failed run is logged and the
        next one comes anyway, as with Lambda."""
        assert self.schedule_interval
        while not self._stopping.wait(self.schedule_interval):
            try:
                result = self.api.run_schedule(self.clock.now())
                alerts = self.api.run_schedule(self.clock.now(), "EscalateFunction")
            except Exception:
                log.exception("scheduled auto_close or escalate failed")
                continue
            self.drain()
            if isinstance(result, dict) and result.get("closed"):
                log.info("scheduled auto_close closed %s ticket(s)", result["closed"])
            if isinstance(alerts, dict) and (alerts.get("warned") or alerts.get("breached")):
                log.info("scheduled escalate: %s warned, %s breached", alerts["warned"], alerts["breached"])
