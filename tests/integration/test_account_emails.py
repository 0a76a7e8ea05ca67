"""/account/emails through lambda_handler on moto: adding makes an address pending and mails its
owner (through SES); the link or code confirms it without sign-in; only confirmed addresses
authorize mail; the first confirmation wins; the attacker scenario; the verified sign-in e-mail.
Bad inputs tried: addresses with display names, CRLF, lists, IP literals, quoted locals, 250
characters, empty; tokens forged, damaged, replayed, expired; wrong codes; no body; both missing."""

import pytest

from tests.integration.test_races import before_next_write, client_of
from tests.support.harness import (
    ANA,
    BRUNO,
    LUIS,
    confirmation_code,
    confirmation_token,
    customer,
    mail,
)

COLLEAGUE = "marta@cliente.example"
MALLORY = customer(account="acct-6666", email="mallory@evil.example")


def emails(api, who=ANA):
    result = api.get("/account/emails", who)
    assert result.status == 200, result.body
    return [(e["email"], e["status"], e["primary"]) for e in result.json()["items"]]


def test_add_is_pending_until_the_link_from_the_mail_confirms_it(api):
    assert emails(api) == []
    added, sent = api.add_address(ANA, COLLEAGUE)
    assert added.status == 202
    assert (added.json()["status"], added.json()["primary"]) == ("pending", False)
    assert added.json()["expires_at"] == "2026-11-28T12:00:00.000Z"
    assert sent["To"] == COLLEAGUE
    assert sent["From"].addresses[0].addr_spec == "soporte@helpdesk.netz0.example"
    assert "ana@cliente.example" in sent.get_content()
    assert emails(api) == [(COLLEAGUE, "pending", False)]
    api.later(hours=2)
    confirmed = api.confirm({"token": confirmation_token(sent)})  # no sign-in: the colleague has none
    assert (confirmed.status, confirmed.json()) == (200, {"email": COLLEAGUE, "status": "confirmed"})
    assert emails(api) == [(COLLEAGUE, "confirmed", True)]
    again, nothing = api.add_address(ANA, COLLEAGUE)
    assert (again.status, nothing) == (200, None)  # already confirmed: no second mail


def test_the_code_confirms_for_people_who_type_it(api):
    _, sent = api.add_address(ANA, COLLEAGUE)
    result = api.confirm({"email": COLLEAGUE, "code": confirmation_code(sent).lower()})
    assert result.status == 200
    assert emails(api) == [(COLLEAGUE, "confirmed", True)]


def test_the_mail_is_in_the_accounts_language(api):
    api.call("PUT", "/account", ANA, body={"language": "en"})
    _, sent = api.add_address(ANA, COLLEAGUE)
    assert sent["Subject"] == "Confirm your e-mail address for Netz0"
    assert sent["Content-Language"] == "en"


def test_only_a_confirmed_address_opens_tickets_by_mail(api, mailbox):
    _, sent = api.add_address(ANA, COLLEAGUE)
    refused = mailbox.deliver(mail(sender=f"Marta <{COLLEAGUE}>"))
    assert refused["decision"] == "unknown_sender"
    api.confirm({"token": confirmation_token(sent)})
    accepted = mailbox.deliver(mail(sender=f"Marta <{COLLEAGUE}>", subject="Ahora sí"))
    assert accepted["decision"] == "new_ticket"


def test_an_attackers_claim_never_authorizes_and_the_owner_still_adds_and_confirms(api, mailbox):
    _, to_victim = api.add_address(MALLORY, COLLEAGUE)
    # Mallory cannot confirm without the mail, which went to the colleague's mailbox.
    assert api.confirm({"email": COLLEAGUE, "code": "AAAA-AAAA"}).status == 422
    assert mailbox.deliver(mail(sender=COLLEAGUE))["decision"] == "unknown_sender"
    added, to_colleague = api.add_address(ANA, COLLEAGUE)
    assert added.status == 202  # Mallory's pending claim does not block Ana
    assert api.confirm({"token": confirmation_token(to_colleague)}).status == 200
    assert emails(api) == [(COLLEAGUE, "confirmed", True)]
    assert emails(api, MALLORY) == []  # the first confirmation removed the other claims
    assert api.confirm({"token": confirmation_token(to_victim)}).status == 409
    assert mailbox.deliver(mail(sender=COLLEAGUE, subject="Mío"))["decision"] == "new_ticket"
    mine = api.get("/tickets", ANA).json()["items"]
    assert [t["subject"] for t in mine] == ["Mío"]
    assert api.get("/tickets", MALLORY).json()["items"] == []
    refused = api.post("/account/emails", MALLORY, {"email": COLLEAGUE})
    assert refused.status == 409
    assert "acct-1001" not in refused.body  # does not reveal whose it is


def test_two_confirmations_at_once_the_first_wins(api, gateway):
    _, for_bruno = api.add_address(BRUNO, COLLEAGUE)
    _, for_ana = api.add_address(ANA, COLLEAGUE)
    client = client_of(gateway, "AccountEmailsFunction")
    bruno = before_next_write(
        client, "TransactWriteItems", lambda: api.confirm({"token": confirmation_token(for_bruno)})
    )
    ana = api.confirm({"token": confirmation_token(for_ana)})
    assert bruno, ana.body
    assert bruno[0].status == 200
    assert (ana.status, ana.json()["error"]["code"]) == (409, "email_conflict")
    assert emails(api, BRUNO) == [(COLLEAGUE, "confirmed", True)]
    assert emails(api) == []


def test_a_link_works_once_and_until_it_expires(api):
    _, first = api.add_address(ANA, COLLEAGUE)
    api.later(minutes=1)
    _, second = api.add_address(ANA, COLLEAGUE)  # asking again replaces the link
    old = api.confirm({"token": confirmation_token(first)})
    assert (old.status, old.json()["error"]["code"]) == (422, "confirmation_invalid")
    api.later(hours=72)
    late = api.confirm({"token": confirmation_token(second)})
    assert late.status == 422
    # Expired, it no longer stays listed: the list removes it (claim and count with it).
    assert emails(api) == []
    assert api.confirm({"email": COLLEAGUE, "code": confirmation_code(second)}).status == 422
    readded, mailed = api.add_address(ANA, COLLEAGUE)  # adding it again asks its owner again
    assert (readded.status, readded.json()["status"]) == (202, "pending")
    assert api.confirm({"token": confirmation_token(mailed)}).status == 200
    assert emails(api) == [(COLLEAGUE, "confirmed", True)]


@pytest.mark.parametrize(
    "body",
    [
        {"token": "x"},
        {"token": "eyJhIjoxfQ.aaaaaaaaaaaaaaaa"},
        {"email": COLLEAGUE, "code": "ZZZZ-ZZZZ"},
        {"email": "no es una dirección", "code": "ZZZZ-ZZZZ"},
    ],
)
def test_forged_tokens_and_wrong_codes_confirm_nothing(api, body):
    api.add_address(ANA, COLLEAGUE)
    result = api.confirm(body)
    assert result.status == 422
    assert "Traceback" not in result.body
    assert emails(api) == [(COLLEAGUE, "pending", False)]


@pytest.mark.parametrize("body", [None, {}, {"email": COLLEAGUE}, {"code": "ABCD-EFGH"}, {"token": ""}, "[]"])
def test_a_confirmation_without_token_or_code_is_a_clear_422(api, body):
    result = api.confirm(body)
    assert result.status == 422, result.body
    assert result.json()["error"]["message"]


def test_confirmation_mails_are_rate_limited(api):
    for _ in range(3):
        assert api.add_address(ANA, COLLEAGUE)[0].status == 202
    result, sent = api.add_address(ANA, COLLEAGUE)
    assert (result.status, result.json()["error"]["code"], sent) == (429, "rate_limited", None)


def test_removing_takes_effect_at_once(api, mailbox):
    api.authorize(ANA, COLLEAGUE)
    _, pending = api.add_address(ANA, "otro@cliente.example")
    assert api.call("DELETE", f"/account/emails/{COLLEAGUE}", ANA).status == 204
    assert api.call("DELETE", "/account/emails/otro@cliente.example", ANA).status == 204
    assert mailbox.deliver(mail(sender=COLLEAGUE))["decision"] == "unknown_sender"
    assert api.confirm({"token": confirmation_token(pending)}).status == 422
    assert emails(api) == []


def test_the_verified_sign_in_email_is_confirmed_and_cannot_be_removed(api):
    verified = {**ANA, "email_verified": "true"}
    assert emails(api, verified) == [("ana@cliente.example", "confirmed", True)]
    listed = api.get("/account/emails", verified).json()["items"][0]
    assert listed["sign_in"] is True
    assert api.call("DELETE", "/account/emails/ana@cliente.example", verified).status == 409
    unverified = customer("acct-4004", "sin@verificar.example")
    assert emails(api, {**unverified, "email_verified": "false"}) == []


def test_domain_case_does_not_matter_local_part_is_kept(api):
    api.authorize(ANA, "Ana@Cliente.EXAMPLE")
    assert emails(api) == [("Ana@cliente.example", "confirmed", True)]
    again = api.post("/account/emails", ANA, {"email": "Ana@cliente.example"})
    assert again.status == 200  # already confirmed: nothing new
    assert api.call("DELETE", "/account/emails/Ana@CLIENTE.example", ANA).status == 204


def test_another_account_cannot_remove_my_address(api):
    api.authorize(ANA, "ana@cliente.example")
    assert api.call("DELETE", "/account/emails/ana@cliente.example", BRUNO).status == 404
    assert emails(api) == [("ana@cliente.example", "confirmed", True)]


def test_removing_an_unknown_address_is_404(api):
    assert api.call("DELETE", "/account/emails/nadie@x.example", ANA).status == 404
    assert api.call("DELETE", "/account/emails/not-an-address", ANA).status == 404


def test_at_most_20_addresses_pending_or_confirmed(api, monkeypatch):
    from helpdesk.domain import limits

    monkeypatch.setattr(limits, "CONFIRMATION_MAILS_PER_ACCOUNT", 100)
    for n in range(20):
        assert api.post("/account/emails", ANA, {"email": f"a{n}@cliente.example"}).status == 202
    result = api.post("/account/emails", ANA, {"email": "a20@cliente.example"})
    assert result.status == 409
    api.call("DELETE", "/account/emails/a0@cliente.example", ANA)
    assert api.post("/account/emails", ANA, {"email": "a20@cliente.example"}).status == 202


BAD = [
    "Ana <ana@cliente.example>",
    "ana@cliente",
    "ana@@cliente.example",
    "ana..b@cliente.example",
    "ana@cliente.example, bob@x.example",
    "ana@[127.0.0.1]",
    '"ana b"@cliente.example',
    "ana@cliente.example\r\nBcc: x@y.example",
    "a" * 250 + "@x.es",
    "",
]


@pytest.mark.parametrize("address", BAD)
def test_addresses_are_parsed_strictly(api, address):
    result = api.post("/account/emails", ANA, {"email": address})
    assert result.status == 422, address
    assert emails(api) == []


def test_operators_and_anonymous_callers_are_refused(api):
    assert api.get("/account/emails", LUIS).status == 403
    assert api.post("/account/emails", LUIS, {"email": "x@netz0.example"}).status == 403
    assert api.get("/account/emails", None).status == 401
    assert api.post("/account/emails", None, {"email": "x@netz0.example"}).status == 401
    assert api.get("/account/emails", {"sub": "x", "email": "x@y.example"}).status == 403


def test_each_account_sees_only_its_own(api):
    api.authorize(ANA, "ana@cliente.example")
    other = customer("acct-3003", "c@tercero.example")
    api.add_address(other, "c@tercero.example")
    assert emails(api) == [("ana@cliente.example", "confirmed", True)]
    assert emails(api, other) == [("c@tercero.example", "pending", False)]
