"""What the API accepts and what it returns. Request models forbid unknown fields, so fields a
client does not own (status, account_id, assignee on create, author) can never be smuggled in."""

# No `from __future__ import annotations` here, in report_schemas, config and ses_event: pydantic
# evaluates every field annotation when the class is made, and from a string that means compiling
# it first (about 170 of them in this module, at every cold start).

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from helpdesk.clock import to_iso
from helpdesk.config import settings
from helpdesk.domain.attributes import TAG_PATTERN
from helpdesk.domain.canned import CannedReply
from helpdesk.domain.files import UploadGrant, previewable
from helpdesk.domain.history import HistoryEntry
from helpdesk.domain.history_text import render
from helpdesk.domain.limits import (
    MAX_BODY,
    MAX_CANNED_BODY,
    MAX_CANNED_TITLE,
    MAX_FILENAME,
    MAX_RATING_COMMENT,
    MAX_SUBJECT,
    MAX_TAG_LENGTH,
    MAX_TAGS,
)
from helpdesk.domain.models import (
    AuthorizedEmail,
    Message,
    Rating,
    Role,
    Ticket,
    TicketPage,
    TicketThread,
    Undeliverable,
)
from helpdesk.domain.operators import Operator, shown_to_customers
from helpdesk.domain.sla import SlaView
from helpdesk.domain.snippets import Snippet
from helpdesk.domain.text import one_line

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Their error types are reasons of the API's message catalogue (helpdesk.http.messages).
def _single_line(value: str) -> str:
    value = one_line(value, controls="keep")  # newlines and tabs in a subject become single spaces
    if not value:
        raise PydanticCustomError("empty", "must not be empty")
    if _CONTROL.search(value):
        raise PydanticCustomError("control_characters", "must not contain control characters")
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty", "must not be empty")
    if _CONTROL.search(value):
        raise PydanticCustomError("control_characters", "must not contain control characters")
    return value.strip("\r\n")


Subject = Annotated[str, Field(min_length=1, max_length=MAX_SUBJECT), AfterValidator(_single_line)]
Body = Annotated[str, Field(min_length=1, max_length=MAX_BODY), AfterValidator(_text)]


class Schema(BaseModel):
    """Every API model's base. Its validators and serializers are built on first use, not at import:
    a function validates and answers with a handful of these models, and building the schemas of
    all of them cost each cold start about 20 ms (docs/decisions.md, "Cold start")."""

    model_config = ConfigDict(defer_build=True)


class _Request(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


UploadId = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9_-]{22}$", description="An upload_id from POST /uploads.")
]
Attachments = Annotated[
    list[UploadId],
    Field(
        default_factory=list,
        max_length=50,
        description="Files uploaded for this message (POST /uploads); at most MaxAttachments, "
        "MaxAttachmentBytes in all.",
    ),
]


class OpenTicketRequest(_Request):
    department: str = Field(min_length=1, max_length=40, description="A department id, see GET /departments.")
    subject: Subject
    body: Body
    attachments: Attachments
    # Operators opening a ticket for a customer who called or chatted (customers may not send
    # them: 422).
    account_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Operators only: the customer account the ticket belongs to.",
    )
    channel: Literal["phone", "chat"] | None = Field(
        default=None,
        description="Operators only: how the customer asked (phone or chat).",
    )


class ReplyRequest(_Request):
    body: Body
    internal: bool = Field(default=False, description="An operator's note, never shown to customers.")
    attachments: Attachments


class UploadRequest(_Request):
    """One file to upload: for a ticket the caller may see, or (no ticket_id) a ticket the
    customer is about to open."""

    name: str = Field(min_length=1, max_length=MAX_FILENAME, description="The file's name, e.g. captura.png.")
    content_type: str = Field(min_length=3, max_length=127, description="e.g. image/png, application/pdf.")
    size: int = Field(ge=0, description="Bytes; S3 refuses an upload over MaxAttachmentBytes anyway.")
    ticket_id: str | None = Field(default=None, min_length=1, max_length=40)


class UploadGrantOut(Schema):
    upload_id: str = Field(description="What the message's attachments list names.")
    url: str = Field(
        description="POST a multipart/form-data form here: these fields, then the file as `file`."
    )
    fields: dict[str, str]
    expires_in: int = Field(description="Seconds the form stays valid.")
    max_bytes: int

    @classmethod
    def of(cls, grant: UploadGrant) -> "UploadGrantOut":
        return cls(
            upload_id=grant.upload_id,
            url=grant.url,
            fields=grant.fields,
            expires_in=grant.expires_in,
            max_bytes=grant.max_bytes,
        )


class AssignRequest(_Request):
    assignee: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="The operator's id (see GET /operators); the caller when omitted; null: unassigned.",
    )


CannedTitle = Annotated[str, Field(min_length=1, max_length=MAX_CANNED_TITLE), AfterValidator(_single_line)]
CannedBody = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_CANNED_BODY,
        description="May use {{ticket_id}}, {{customer_name}} and {{operator_name}}; no other placeholder.",
    ),
    AfterValidator(_text),
]


class CannedReplyRequest(_Request):
    title: CannedTitle
    body: CannedBody
    department: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="A department id; omitted or null: every department.",
    )


class CannedReplyOut(Schema):
    id: str
    title: str
    body: str
    department: str | None
    created_at: str
    updated_at: str
    created_by: str
    version: int

    @classmethod
    def of(cls, reply: CannedReply) -> "CannedReplyOut":
        return cls(
            id=reply.id,
            title=reply.title,
            body=reply.body,
            department=reply.department,
            created_at=to_iso(reply.created_at),
            updated_at=to_iso(reply.updated_at),
            created_by=reply.created_by,
            version=reply.version,
        )


class CannedRepliesOut(Schema):
    items: list[CannedReplyOut]


class MergeRequest(_Request):
    into: str = Field(
        min_length=1,
        max_length=40,
        description="The ticket to merge this one into (same account), e.g. NZ-12345678.",
    )


PriorityName = Literal["low", "normal", "high", "urgent"]


class TicketAttributesRequest(_Request):
    """What PATCH /tickets/{id} changes; a field left out stays as it is (null is refused).
    A field left out is None, which its type does not admit on purpose: a union with None would
    answer a bad value with one error per member of the union."""

    priority: PriorityName = Field(
        default=None,  # type: ignore[arg-type]  # left out: None (see above)
        description="low, normal (a new ticket's), high or urgent.",
    )
    tags: list[Annotated[str, Field(max_length=200)]] = Field(
        default=None,  # type: ignore[arg-type]  # left out: None (see above)
        max_length=100,
        description=f"Replaces the ticket's tags: at most {MAX_TAGS}, each 1-{MAX_TAG_LENGTH} of "
        f"{TAG_PATTERN} (lowercase letters, digits, hyphens); repeats are kept once; [] removes all.",
    )

    @field_validator("priority", "tags", mode="before")
    @classmethod
    def _no_null(cls, value: object) -> object:
        if value is None:
            raise PydanticCustomError("null_not_allowed", "send a value or leave the field out")
        return value


class SlaOut(Schema):
    """The ticket's SLA as operators see it (customers never do)."""

    state: Literal["running", "paused", "stopped"] = Field(
        description="running: a response is due; paused: waiting for the customer; stopped: closed."
    )
    target: Literal["first_response", "next_response"] | None
    target_minutes: int | None = Field(description="The target, in business minutes.")
    due_at: str | None
    minutes_left: int | None = Field(description="Business minutes left; negative: overdue by that much.")
    breached: bool

    @classmethod
    def of(cls, view: SlaView) -> "SlaOut":
        return cls(
            state=view.state.value,
            target=view.target.value if view.target else None,  # type: ignore[arg-type]
            target_minutes=int(view.allowed.total_seconds() // 60) if view.allowed is not None else None,
            due_at=_iso(view.due_at),
            minutes_left=int(view.left.total_seconds() // 60) if view.left is not None else None,
            breached=view.breached,
        )


class SegmentOut(Schema):
    text: str
    marked: bool = Field(description="A word the search asked for: shown highlighted.")


class ResolutionOut(Schema):
    """The answer that resolved a closed ticket (its last public operator reply), cut around the
    words asked, as text segments (never markup)."""

    message_id: str
    created_at: str
    segments: list[SegmentOut]

    @classmethod
    def of(cls, found: Snippet) -> "ResolutionOut":
        return cls(
            message_id=found.message_id,
            created_at=to_iso(found.created_at),
            segments=[SegmentOut(text=s.text, marked=s.marked) for s in found.segments],
        )


class TicketOut(Schema):
    id: str
    status: str
    status_label: str
    department: str
    subject: str
    account_id: str
    assignee: str | None = Field(
        description="Operators only: the assignee's operator id (an e-mail address on tickets "
        "assigned before operator ids); null for customers."
    )
    assignee_name: str | None = Field(
        default=None,
        description='Who has the ticket, by name; customers see "<name> · <department>".',
    )
    created_at: str
    updated_at: str
    auto_close_at: str | None
    closed_at: str | None
    closed_reason: str | None
    merged_into: str | None = Field(
        default=None, description="Merged (closed_reason merged): the ticket its conversation continues on."
    )
    version: int
    sla: SlaOut | None = Field(default=None, description="Operators only: the SLA response clock.")
    resolution: ResolutionOut | None = Field(
        default=None, description="Search results only: a closed ticket's resolving answer."
    )
    priority: PriorityName | None = Field(default=None, description="Operators only (null for customers).")
    tags: list[str] | None = Field(default=None, description="Operators only (null for customers).")

    @classmethod
    def of(
        cls,
        ticket: Ticket,
        sla: SlaView | None = None,
        resolution: Snippet | None = None,
        *,
        customer_view: bool = False,
        language: str = "es",
    ) -> "TicketOut":
        """The ticket as its reader may see it: operators' ids, priority and tags only in the
        operators' view."""
        if customer_view:
            shown = shown_to_customers(ticket.assignee_name, _department_name(ticket.department, language))
            assignee, assignee_name = None, shown if ticket.assignee else None
        else:
            assignee, assignee_name = ticket.assignee, ticket.assignee_name or ticket.assignee
        return cls(
            id=ticket.id,
            status=ticket.status.value,
            status_label=ticket.status.label,
            department=ticket.department,
            subject=ticket.subject,
            account_id=ticket.account_id,
            assignee=assignee,
            assignee_name=assignee_name,
            created_at=to_iso(ticket.created_at),
            updated_at=to_iso(ticket.updated_at),
            auto_close_at=_iso(ticket.auto_close_at),
            closed_at=_iso(ticket.closed_at),
            closed_reason=ticket.closed_reason.value if ticket.closed_reason else None,
            merged_into=ticket.merged_into,
            version=ticket.version,
            sla=SlaOut.of(sla) if sla is not None else None,
            resolution=ResolutionOut.of(resolution) if resolution is not None else None,
            priority=None if customer_view else ticket.priority.value,
            tags=None if customer_view else list(ticket.tags),
        )


class AttachmentOut(Schema):
    name: str
    content_type: str
    size: int
    download_path: str  # GET it (with the token) to be redirected to a short-lived download link
    preview: bool = Field(description="A PNG, JPEG, GIF or WebP picture the thread may show.")


class MessageOut(Schema):
    id: str
    ticket_id: str = Field(
        description="The ticket it was written on: on a ticket others were merged into, theirs keep their id."
    )
    author_role: str
    author: str
    body: str
    channel: str
    internal: bool
    created_at: str
    attachments: list[AttachmentOut] = []
    opened_by: str | None = Field(
        default=None, description="The operator who opened the ticket for the customer (phone, chat)."
    )

    @classmethod
    def of(cls, message: Message, *, customers_see_department: str | None = None) -> "MessageOut":
        """`customers_see_department`: the ticket's department name when a customer reads it, so
        an operator is shown as "<name> · <department>" and never by address."""
        author, opened_by = message.author, message.opened_by
        if customers_see_department is not None:
            if message.author_role is Role.OPERATOR:
                author = shown_to_customers(message.author, customers_see_department)
            if opened_by is not None:  # the operator who wrote down a call or a chat
                opened_by = shown_to_customers(opened_by, customers_see_department)
        return cls(
            id=message.id,
            ticket_id=message.ticket_id,
            author_role=message.author_role.value,
            author=author,
            body=message.body,
            channel=message.channel.value,
            internal=message.internal,
            created_at=to_iso(message.created_at),
            opened_by=opened_by,
            attachments=[
                AttachmentOut(
                    name=a.name,
                    content_type=a.content_type,
                    size=a.size,
                    download_path=f"/tickets/{message.ticket_id}/messages/{message.id}/attachments/{n}",
                    preview=previewable(a.content_type),
                )
                for n, a in enumerate(message.attachments)
            ],
        )


class RatingOut(Schema):
    """The customer's satisfaction with one closing of the ticket."""

    ticket_id: str
    closed_at: str = Field(description="The closing rated (a ticket closed again is rated anew).")
    rating: Literal["good", "bad"]
    comment: str
    rated_at: str

    @classmethod
    def of(cls, rating: Rating) -> "RatingOut":
        return cls(
            ticket_id=rating.ticket_id,
            closed_at=to_iso(rating.closed_at),
            rating=rating.value.value,
            comment=rating.comment,
            rated_at=to_iso(rating.rated_at),
        )


class HistoryEntryOut(Schema):
    """Something that happened to the ticket besides its messages (who closed or reopened it, a
    merge, ...): a stable code with its parameters, and the sentence for a person."""

    code: str = Field(description="closed, reopened, merged_into, merged_from, assigned, ... (stable)")
    at: str
    actor_role: str = Field(description="customer, operator or system")
    actor: str
    params: dict[str, str] = Field(description="The code's parameters, e.g. reason for closed.")
    text: str = Field(description="The entry as a sentence, in the language of Content-Language.")

    @classmethod
    def of(
        cls, item: HistoryEntry, language: str, *, customers_see_department: str | None = None
    ) -> "HistoryEntryOut":
        """`customers_see_department`: as for messages, an operator who acted is shown to a
        customer as "<name> · <department>"."""
        actor = item.actor
        if customers_see_department is not None and item.actor_role is Role.OPERATOR:
            actor = shown_to_customers(item.actor, customers_see_department)
            item = replace(item, actor=actor)
        return cls(
            code=item.code,
            at=to_iso(item.at),
            actor_role=item.actor_role.value,
            actor=actor,
            params=dict(item.params),
            text=render(item, language),
        )


class SuppressedMailOut(Schema):
    at: str
    kind: str = Field(description="The mail not sent: receipt, operator_reply, auto_closed, closed.")
    reason: str = Field(description="Why: no_recipient, rate_limited, undeliverable...")


class UndeliverableOut(Schema):
    """Why the help desk sends this address no mail (SES reported it), until it is confirmed again."""

    reason: Literal["bounce", "complaint"] = Field(
        description="bounce: the receiving server refused it for good; "
        "complaint: our mail was marked as spam."
    )
    since: str
    detail: str | None = Field(default=None, description="The receiving server's words, when it gave any.")

    @classmethod
    def of(cls, mark: Undeliverable | None) -> "UndeliverableOut | None":
        if mark is None:
            return None
        return cls(reason=mark.reason.value, since=to_iso(mark.since), detail=mark.detail)


class UndeliverableAddressOut(Schema):
    email: str
    undeliverable: UndeliverableOut


class TicketThreadOut(TicketOut):
    messages: list[MessageOut] = Field(
        description="Oldest first; on a ticket others were merged into, theirs too (ticket_id says whose)."
    )
    history: list[HistoryEntryOut] = Field(
        default=[],
        description="Oldest first; customers see status changes, merges and tickets opened for them.",
    )
    ratings: list[RatingOut] = Field(
        default=[], description="The customer's rating of each closing rated, oldest first."
    )
    suppressed_mail: list[SuppressedMailOut] | None = Field(
        default=None, description="Operators only: mail about this ticket that was not sent, and why."
    )
    customer_undeliverable: list[UndeliverableAddressOut] | None = Field(
        default=None,
        description="Operators only: the account's addresses our mail no longer reaches (they "
        "bounced for good or complained), so replies to them are not mailed.",
    )

    @classmethod
    def of_thread(
        cls,
        thread: TicketThread,
        sla: SlaView | None = None,
        language: str = "es",
        undeliverable: list[AuthorizedEmail] | None = None,
        *,
        customer_view: bool = False,
    ) -> "TicketThreadOut":
        department = _department_name(thread.ticket.department, language) if customer_view else None
        return cls(
            **TicketOut.of(thread.ticket, sla, customer_view=customer_view, language=language).model_dump(),
            messages=[MessageOut.of(m, customers_see_department=department) for m in thread.messages],
            history=[
                HistoryEntryOut.of(e, language, customers_see_department=department)
                for e in thread.ticket.history
            ],
            ratings=[RatingOut.of(r) for r in sorted(thread.ratings, key=lambda r: r.closed_at)],
            suppressed_mail=[
                SuppressedMailOut(at=to_iso(mail.at), kind=mail.kind, reason=mail.reason)
                for mail in thread.suppressed_mail
            ]
            if not customer_view
            else None,
            customer_undeliverable=None
            if undeliverable is None
            else [
                UndeliverableAddressOut(email=e.email, undeliverable=mark)
                for e in undeliverable
                if (mark := UndeliverableOut.of(e.undeliverable)) is not None
            ],
        )


class TicketPageOut(Schema):
    items: list[TicketOut]
    next_cursor: str | None

    @classmethod
    def of(
        cls,
        page: TicketPage,
        slas: Mapping[str, SlaView] | None = None,
        resolutions: Mapping[str, Snippet] | None = None,
        *,
        customer_view: bool = False,
        language: str = "es",
    ) -> "TicketPageOut":
        slas = slas or {}
        resolutions = resolutions or {}
        items = [
            TicketOut.of(
                t, slas.get(t.id), resolutions.get(t.id), customer_view=customer_view, language=language
            )
            for t in page.items
        ]
        return cls(items=items, next_cursor=page.next_cursor)


class ExportedTicketOut(TicketOut):
    messages: list[MessageOut]
    first_message: int = Field(
        description="Position of messages[0] in the ticket's public thread: a ticket too large for one "
        "page continues on the next with the same id (join the messages)."
    )

    @classmethod
    def of_customer(
        cls, ticket: Ticket, messages: Sequence[Message], first_message: int, language: str
    ) -> "ExportedTicketOut":
        """As the account's customer reads it: operators by name and department, never an address."""
        department = _department_name(ticket.department, language)
        return cls(
            **TicketOut.of(ticket, customer_view=True, language=language).model_dump(),
            messages=[MessageOut.of(m, customers_see_department=department) for m in messages],
            first_message=first_message,
        )


class AccountExportOut(Schema):
    account_id: str
    tickets: list[ExportedTicketOut]
    next_cursor: str | None = Field(description="Ask again with it for the rest; null on the last page.")


class DepartmentOut(Schema):
    id: str
    name: str


class DepartmentsOut(Schema):
    items: list[DepartmentOut]


class ErrorDetail(Schema):
    field: str
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorOut(Schema):
    error: ErrorBody


class GatewayErrorOut(Schema):
    """What API Gateway itself answers when it refuses a request before any function runs
    (the JWT authorizer's 401, its 413 above the payload limit)."""

    message: str = Field(examples=["Unauthorized"])


def _department_name(department_id: str, language: str) -> str:
    department = settings().department(department_id)
    return department.name_in(language) if department else department_id


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment else None


class AddEmailRequest(_Request):
    email: str = Field(
        min_length=3, max_length=254, description="An address to authorize, e.g. ana@cliente.es."
    )


class AuthorizedEmailOut(Schema):
    email: str
    added_at: str
    primary: bool
    status: Literal["pending", "confirmed"] = Field(
        description="pending: waiting for its owner to confirm it from our mail; it authorizes "
        "nothing and receives nothing until then."
    )
    sign_in: bool = Field(description="The verified sign-in e-mail of a portal user of the account.")
    expires_at: str | None = Field(
        default=None, description="pending: when the confirmation mail stops working."
    )
    undeliverable: UndeliverableOut | None = Field(
        default=None,
        description="Set when our mail to it bounced for good or was marked as spam: it receives "
        "nothing until confirmed again (POST /account/emails/{email}/reconfirm).",
    )


class ConfirmEmailRequest(_Request):
    """Either the link's token, or the address and the code from the mail."""

    token: str | None = Field(default=None, min_length=1, max_length=2048)
    email: str | None = Field(default=None, min_length=3, max_length=254)
    code: str | None = Field(default=None, min_length=4, max_length=16, description="e.g. K3J5-W2Q9")

    @model_validator(mode="after")
    def _token_or_code(self) -> "ConfirmEmailRequest":
        if self.token is None and (self.email is None or self.code is None):
            raise PydanticCustomError("token_or_code", "send the token, or the e-mail address and the code")
        return self


class ConfirmedEmailOut(Schema):
    email: str
    status: Literal["confirmed"] = "confirmed"


class AuthorizedEmailsOut(Schema):
    items: list[AuthorizedEmailOut]


class AccountOut(Schema):
    account_id: str
    language: str = Field(description='Language of the mail the help desk sends: "es" or "en".')


class AccountUpdate(_Request):
    language: Literal["es", "en"]


def _comment(value: str | None) -> str | None:
    if value is not None and _CONTROL.search(value):
        raise PydanticCustomError("control_characters", "must not contain control characters")
    return value.strip() if value is not None else None


RatingComment = Annotated[
    str | None,
    Field(default=None, max_length=MAX_RATING_COMMENT, description="Optional: what went well or not."),
    AfterValidator(_comment),
]
RatingToken = Annotated[
    str, Field(min_length=1, max_length=200, description="The token of the rating link in the close mail.")
]


class RatingLookupRequest(_Request):
    token: RatingToken


class RateByLinkRequest(_Request):
    token: RatingToken
    rating: Literal["good", "bad"]
    comment: RatingComment = None


class RateRequest(_Request):
    rating: Literal["good", "bad"]
    comment: RatingComment = None


class ClosingToRateOut(Schema):
    """What a rating link rates: the ticket's closing, until when, and the rating so far."""

    ticket_id: str
    subject: str
    status: str
    closed_at: str
    expires_at: str = Field(description="Until when this closing can be rated or the rating changed.")
    rating: RatingOut | None


class DownloadLinkOut(Schema):
    url: str
    expires_in: int = Field(description="Seconds the link stays valid.")


# ---------------------------------------------------------------- operators
StaffNoticeName = Literal["new_ticket", "customer_reply", "assigned", "note", "sla_alert"]


class OperatorOut(Schema):
    id: str = Field(description="The operator's id (the identity provider's sub): what assign takes.")
    email: str
    name: str = Field(description="The display name customers see (with the department).")
    departments: list[str] = Field(description="The departments the operator works.")

    @classmethod
    def of(cls, operator: Operator) -> "OperatorOut":
        return cls(
            id=operator.id, email=operator.email, name=operator.name, departments=list(operator.departments)
        )


class OperatorsOut(Schema):
    items: list[OperatorOut]


class OperatorSettingsOut(OperatorOut):
    notifications: list[StaffNoticeName] = Field(description="The staff mails the operator receives.")
    language: Literal["es", "en"] = Field(description="The language of those mails.")

    @classmethod
    def of_settings(cls, operator: Operator) -> "OperatorSettingsOut":
        return cls(
            **OperatorOut.of(operator).model_dump(),
            notifications=sorted(n.value for n in operator.notices),
            language=operator.language,  # type: ignore[arg-type]
        )


class OperatorSettingsUpdate(_Request):
    departments: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        max_length=20, description="The departments you work: new tickets there are mailed to you."
    )
    notifications: list[StaffNoticeName] = Field(
        max_length=10,
        description="new_ticket: opened in your departments; customer_reply: on your tickets (or "
        "unassigned ones in your departments); assigned: handed to you; note: a colleague's note on "
        "your ticket; sla_alert: a response target of your ticket due soon or missed.",
    )
    language: Literal["es", "en"] = Field(description="The language of the mails you receive.")


class AccountEmailOut(Schema):
    email: str
    primary: bool
    sign_in: bool


class AccountCardOut(Schema):
    """What operators see of a customer account: its id and its confirmed addresses."""

    account_id: str
    emails: list[AccountEmailOut]
