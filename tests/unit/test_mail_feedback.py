"""SES's word on the mail we sent, as the configuration set publishes it through SNS (the event
shapes of the SES Developer Guide, as files in events/), and what the desk does with it, on
in-memory stores: permanent bounces and complaints mark the account's confirmed address, transient
and undetermined bounces and deliveries are only counted, a repeat or a stale event changes
nothing. Bad input tried: an SNS message that is not JSON, JSON that is no SES record, a record
without its mail object, an unknown event type, an unparseable recipient address."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

from devstack.events import fixture, ses_feedback_event
from helpdesk.domain.models import UndeliverableReason
from helpdesk.mail.ses_feedback import FeedbackKind, NotSesFeedback, feedback_of
from helpdesk.services.mail_feedback import FeedbackOutcome, MailFeedbackService
from tests.support.domain import T0
from tests.support.fakes import InMemoryAccounts

ANA = "ana@cliente.example"


def record(name: str) -> dict:
    return fixture(name)["Records"][0]


@pytest.mark.parametrize(
    ("name", "kind", "detail"),
    [
        ("sns_ses_bounce_permanent.json", FeedbackKind.PERMANENT_BOUNCE, "General 5.1.1 smtp; 550 5.1.1"),
        ("sns_ses_bounce_transient.json", FeedbackKind.TRANSIENT_BOUNCE, "MailboxFull 4.2.2 smtp; 452"),
        ("sns_ses_complaint.json", FeedbackKind.COMPLAINT, "abuse"),
        ("sns_ses_delivery.json", FeedbackKind.DELIVERY, None),
    ],
)
def test_the_ses_documented_event_records_are_read(name, kind, detail):
    feedback = feedback_of(record(name))
    assert feedback.kind is kind
    assert feedback.addresses == (ANA,)
    assert feedback.message_id == "0102019b0e7a3c11-5e0d2c1b-8a3f-4c57-b0a2-6d7c1e9f4a21-000000"
    assert feedback.sent_at.isoformat() == "2026-11-25T12:00:01.120000+00:00"
    assert feedback.at > feedback.sent_at
    assert (feedback.detail or "").startswith(detail or "")
    assert feedback.kind.suppresses is (kind in (FeedbackKind.PERMANENT_BOUNCE, FeedbackKind.COMPLAINT))


def test_one_record_may_name_several_recipients_each_normalized_and_unparseable_ones_left_out():
    event = ses_feedback_event(
        "bounce", ["Ana@CLIENTE.example", "not an address", "ana@cliente.example"], at=T0
    )
    assert feedback_of(event["Records"][0]).addresses == ("Ana@cliente.example", "ana@cliente.example")


def test_an_undetermined_bounce_and_an_unknown_event_type_suppress_nothing():
    undetermined = copy.deepcopy(record("sns_ses_bounce_permanent.json"))
    message = json.loads(undetermined["Sns"]["Message"])
    message["bounce"]["bounceType"] = "Undetermined"
    undetermined["Sns"]["Message"] = json.dumps(message)
    assert feedback_of(undetermined).kind is FeedbackKind.UNDETERMINED_BOUNCE
    delay = copy.deepcopy(record("sns_ses_delivery.json"))
    message = json.loads(delay["Sns"]["Message"])
    message["eventType"] = "DeliveryDelay"
    delay["Sns"]["Message"] = json.dumps(message)
    assert feedback_of(delay).kind is FeedbackKind.OTHER
    assert not FeedbackKind.UNDETERMINED_BOUNCE.suppresses
    assert not FeedbackKind.OTHER.suppresses


@pytest.mark.parametrize(
    "message",
    ["not json", json.dumps({"hello": "world"}), json.dumps({"eventType": "Bounce"}), json.dumps([1, 2])],
)
def test_an_sns_message_that_is_no_ses_record_is_refused_with_a_reason(message):
    bad = copy.deepcopy(record("sns_ses_bounce_permanent.json"))
    bad["Sns"]["Message"] = message
    with pytest.raises(NotSesFeedback):
        feedback_of(bad)


class Accounts(InMemoryAccounts):
    def confirmed(self, account: str, address: str, at=T0) -> None:
        self.add_email(account, address, at - timedelta(days=30), 20)


@pytest.fixture
def accounts():
    store = Accounts()
    store.confirmed("acct-1001", ANA)
    return store


def handle(accounts, kind, recipients=(ANA,), at=T0, sent_at=None):
    event = ses_feedback_event(kind, list(recipients), at=at, sent_at=sent_at or at - timedelta(seconds=2))
    return MailFeedbackService(accounts).handle(feedback_of(event["Records"][0]))


@pytest.mark.parametrize(
    ("kind", "reason"), [("bounce", UndeliverableReason.BOUNCE), ("complaint", UndeliverableReason.COMPLAINT)]
)
def test_a_permanent_bounce_or_a_complaint_marks_the_confirmed_address(accounts, kind, reason):
    [decision] = handle(accounts, kind)
    assert (decision.outcome, decision.account_id) == (FeedbackOutcome.MARKED, "acct-1001")
    [listed] = accounts.emails("acct-1001")
    assert listed.undeliverable is not None
    assert listed.undeliverable.reason is reason
    assert listed.undeliverable.since == T0


@pytest.mark.parametrize("kind", ["transient", "delivery"])
def test_a_transient_bounce_or_a_delivery_is_only_counted(accounts, kind):
    writes = accounts.writes
    [decision] = handle(accounts, kind)
    assert decision.outcome is FeedbackOutcome.COUNTED
    assert accounts.writes == writes
    assert accounts.emails("acct-1001")[0].undeliverable is None


def test_the_same_event_twice_marks_once_and_keeps_the_first_report(accounts):
    handle(accounts, "bounce")
    [again] = handle(accounts, "complaint", at=T0 + timedelta(hours=1))
    assert again.outcome is FeedbackOutcome.ALREADY_MARKED
    mark = accounts.emails("acct-1001")[0].undeliverable
    assert mark is not None
    assert (mark.reason, mark.since) == (UndeliverableReason.BOUNCE, T0)


def test_an_address_no_account_confirmed_is_not_ours(accounts):
    [decision] = handle(accounts, "bounce", recipients=("nadie@otro.example",))
    assert (decision.outcome, decision.account_id) == (FeedbackOutcome.NOT_OURS, None)


def test_a_bounce_of_mail_sent_before_the_address_was_confirmed_again_is_stale(accounts):
    accounts.confirmed_at[("acct-1001", ANA)] = T0
    [decision] = handle(accounts, "bounce", at=T0 + timedelta(minutes=5), sent_at=T0 - timedelta(minutes=1))
    assert decision.outcome is FeedbackOutcome.CONFIRMED_SINCE
    assert accounts.emails("acct-1001")[0].undeliverable is None


def test_each_recipient_of_one_record_gets_its_own_decision(accounts):
    accounts.confirmed("acct-2002", "bruno@otro.example")
    decisions = handle(accounts, "bounce", recipients=(ANA, "bruno@otro.example", "x@nadie.example"))
    assert [(d.address, d.outcome) for d in decisions] == [
        (ANA, FeedbackOutcome.MARKED),
        ("bruno@otro.example", FeedbackOutcome.MARKED),
        ("x@nadie.example", FeedbackOutcome.NOT_OURS),
    ]
