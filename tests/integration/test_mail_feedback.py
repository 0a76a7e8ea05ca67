"""Bounces and complaints of our own mail, end to end on moto: SES's event records (the documented
shapes in events/, SNS-wrapped) go through the real mail_feedback handler; the mark then stops
notify's mail, shows on the account page and, for operators, on the ticket; re-confirming puts the
address back through confirmation (a new mail, pending until confirmed) and the mail flows again.
Bad inputs tried on the re-confirm route: an operator, an address the account does not have,
another account's address, a malformed address, one that receives mail (nothing to do)."""

from datetime import timedelta

import pytest

from tests.integration.test_races import before_next_write, client_of
from tests.support.harness import ANA, BRUNO, LUIS, confirmation_token

ANA_MAIL = "ana@cliente.example"


@pytest.fixture
def ana(api, postman):
    api.authorize(ANA, ANA_MAIL)
    postman.new()  # the confirmation mail
    api.later(hours=1)
    return ANA


def address(api, email=ANA_MAIL, who=ANA):
    items = api.get("/account/emails", who).json()["items"]
    return next(e for e in items if e["email"] == email)


def reconfirm(api, email=ANA_MAIL, who=ANA):
    return api.post(f"/account/emails/{email}/reconfirm", who)


def test_a_permanent_bounce_stops_our_mail_until_the_customer_confirms_the_address_again(api, postman, ana):
    ticket = api.open(ana)
    [receipt] = postman.new()
    assert receipt["To"] == ANA_MAIL
    api.later(minutes=1)
    [decision] = api.ses_feedback("bounce", ANA_MAIL)
    assert decision == {"address": ANA_MAIL, "kind": "permanent_bounce", "outcome": "marked"}

    api.later(minutes=5)
    assert api.reply(ticket["id"], LUIS, "¿Qué navegador usa?").status == 201
    assert postman.new() == []  # nothing to a dead mailbox
    # The reply not mailed is on the ticket for operators, for the address's one mark.
    [suppressed] = api.ticket(ticket["id"], LUIS)["suppressed_mail"]
    assert (suppressed["kind"], suppressed["reason"]) == ("operator_reply", "undeliverable")
    listed = address(api)
    assert listed["status"] == "confirmed"
    assert listed["undeliverable"]["reason"] == "bounce"
    assert "5.1.1" in listed["undeliverable"]["detail"]
    [seen] = api.ticket(ticket["id"], LUIS)["customer_undeliverable"]
    assert (seen["email"], seen["undeliverable"]["reason"]) == (ANA_MAIL, "bounce")
    assert api.ticket(ticket["id"], ANA)["customer_undeliverable"] is None  # operators only

    api.later(hours=1)
    again = reconfirm(api)
    assert again.status == 202
    assert again.json()["status"] == "pending"
    [confirmation] = postman.new()
    assert confirmation["To"] == ANA_MAIL
    assert address(api)["status"] == "pending"
    assert api.confirm({"token": confirmation_token(confirmation)}).status == 200
    listed = address(api)
    assert (listed["status"], listed["undeliverable"]) == ("confirmed", None)

    api.later(minutes=5)
    api.reply(ticket["id"], LUIS, "Pruebe ahora")
    [reply] = postman.new()
    assert reply["To"] == ANA_MAIL
    assert api.ticket(ticket["id"], LUIS)["customer_undeliverable"] == []


def test_a_complaint_marks_too_and_a_repeat_of_the_event_changes_nothing(api, postman, ana):
    api.open(ana)
    postman.new()
    assert api.ses_feedback("complaint", ANA_MAIL)[0]["outcome"] == "marked"
    since = address(api)["undeliverable"]["since"]
    api.later(hours=1)
    assert api.ses_feedback("complaint", ANA_MAIL)[0]["outcome"] == "already_marked"
    assert address(api)["undeliverable"] == {"reason": "complaint", "since": since, "detail": "abuse"}


@pytest.mark.parametrize("kind", ["transient", "delivery"])
def test_a_full_mailbox_or_a_delivery_suppresses_nothing(api, postman, ana, kind):
    ticket = api.open(ana)
    postman.new()
    assert api.ses_feedback(kind, ANA_MAIL)[0]["outcome"] == "counted"
    api.reply(ticket["id"], LUIS, "Pruebe ahora")
    [reply] = postman.new()
    assert reply["To"] == ANA_MAIL
    assert address(api)["undeliverable"] is None


def test_a_bounce_of_mail_sent_before_the_address_was_confirmed_again_is_ignored(api, postman, ana):
    api.ses_feedback("bounce", ANA_MAIL)
    sent_before = api.now
    api.later(hours=1)
    reconfirm(api)
    [confirmation] = postman.new()
    api.later(minutes=10)
    api.confirm({"token": confirmation_token(confirmation)})
    api.later(minutes=30)  # SES reports late on the mail sent before the bounce was fixed
    [late] = api.ses_feedback("bounce", ANA_MAIL, sent_at=sent_before - timedelta(minutes=1))
    assert late["outcome"] == "confirmed_since"
    assert address(api)["undeliverable"] is None


def test_a_bounce_of_an_address_nobody_confirmed_marks_nothing(api, ana):
    assert api.ses_feedback("bounce", "nadie@otro.example")[0]["outcome"] == "not_ours"


def test_a_bounce_arriving_as_the_customer_removes_the_address_leaves_nothing_behind(api, gateway, ana):
    client = client_of(gateway, "MailFeedbackFunction")
    # The bounce found ana's address owned; the customer removes it just before the mark's write.
    staged = before_next_write(
        client, "UpdateItem", lambda: api.call("DELETE", f"/account/emails/{ANA_MAIL}", ANA)
    )
    assert api.ses_feedback("bounce", ANA_MAIL)[0]["outcome"] == "gone"
    assert staged[0].status == 204
    assert api.get("/account/emails", ANA).json()["items"] == []  # no listing made up by the mark


def test_a_second_bounce_while_the_address_is_being_confirmed_again_changes_nothing(api, postman, ana):
    api.ses_feedback("bounce", ANA_MAIL)
    api.later(hours=1)
    assert reconfirm(api).status == 202
    api.later(minutes=1)  # the new confirmation mail bounces too
    assert api.ses_feedback("bounce", ANA_MAIL)[0]["outcome"] == "not_ours"  # pending: nobody owns it
    listed = address(api)
    assert (listed["status"], listed["undeliverable"]["reason"]) == ("pending", "bounce")


def test_re_confirming_refuses_what_it_cannot_do_in_the_readers_language(api, postman, ana):
    api.authorize(BRUNO, "bruno@otro.example")
    postman.new()
    assert reconfirm(api, who=LUIS).status == 403
    unknown = reconfirm(api, "nadie@cliente.example")
    assert unknown.status == 404
    assert unknown.json()["error"]["code"] == "email_not_found"
    assert reconfirm(api, "bruno@otro.example").status == 404  # another account's: not ours to see
    malformed = api.post("/account/emails/no-es-un-correo/reconfirm", ANA, headers={"accept-language": "en"})
    assert malformed.status == 422
    assert malformed.headers["content-language"] == "en"
    fine = reconfirm(api)  # it receives mail: nothing to confirm again, no mail
    assert (fine.status, fine.json()["status"]) == (200, "confirmed")
    assert postman.new() == []
