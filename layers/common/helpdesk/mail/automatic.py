"""Mail not written by a person: our own coming back, auto-replies, lists, bounces, reports."""

from __future__ import annotations

import re
from email.message import Message
from email.utils import getaddresses

from helpdesk.mail.headers import Headers

LOOP_HEADER = "X-Netz0-Helpdesk"  # our outbound mail carries it: mail that has it is our own coming back

_NULL_PATH = re.compile(r"\s*<\s*>\s*")  # Return-Path: <> is what bounces are sent with
_PRECEDENCE_AUTOMATIC = frozenset({"bulk", "junk", "list", "auto_reply"})
_AUTOREPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponse", "x-mail-autoreply")
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})


def automatic_reason(
    headers: Headers, msg: Message, message_id: str | None, our_domain: str | None
) -> str | None:
    """Why the mail was not written by a person (first reason that applies), or None."""
    reasons: tuple[tuple[str, bool], ...] = (
        # First: our own mail carries Auto-Submitted too, and the log should say it is ours.
        ("our_own", _our_own(headers, message_id, our_domain)),
        ("auto_submitted", any(_token(value) != "no" for value in headers.all("auto-submitted"))),
        ("precedence", _precedence_automatic(headers)),
        ("autoreply_header", _autoreply_header(headers)),
        ("mailing_list", headers.has("list-id") or headers.has("list-unsubscribe")),
        ("bounce", _bounce(headers)),
        ("delivery_report", msg.get_content_type() == "multipart/report"),
    )
    return next((reason for reason, applies in reasons if applies), None)


def _token(value: str) -> str:
    """The keyword of a header value, without parameters ("auto-replied; owner=..." -> "auto-replied")."""
    return value.split(";")[0].strip().lower()


def _precedence_automatic(headers: Headers) -> bool:
    values = [*headers.all("precedence"), *headers.all("x-precedence")]
    return any(_token(value) in _PRECEDENCE_AUTOMATIC for value in values)


def _autoreply_header(headers: Headers) -> bool:
    # Not X-Auto-Response-Suppress: it asks the *recipient's* server not to auto-reply and does not
    # say the mail is automatic. Exchange sets it on person-written mail too, and Jitbit, Discourse
    # (PR 21367), sisimai (issue 491) and osTicket (PR 5320) stopped treating it as automatic after
    # losing good mail. Here a false positive is a customer's mail dropped, so it is not counted.
    return any(headers.has(name) for name in _AUTOREPLY_HEADERS) or any(
        _token(value) == "notification" for value in headers.all("x-amazon-mail-relay-type")
    )


def _bounce(headers: Headers) -> bool:
    # Lenient address parsing is fine here: a forged "bounce" only gets its own mail ignored.
    senders = getaddresses(headers.all("from"), strict=False)
    return (
        any(address.split("@")[0].strip().lower() in _BOUNCE_SENDERS for _, address in senders)
        or any(_NULL_PATH.fullmatch(value) for value in headers.all("return-path"))
        or headers.has("x-failed-recipients")
    )


def _our_own(headers: Headers, message_id: str | None, our_domain: str | None) -> bool:
    if headers.has(LOOP_HEADER.lower()):
        return True
    return bool(our_domain and message_id and message_id.lower().endswith(f"@{our_domain.lower()}>"))
