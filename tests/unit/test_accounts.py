"""An account's addresses on in-memory stores: adding makes an address pending and mails its
owner; only the link or code from that mail confirms it; the first confirmation wins; the
sign-in e-mail counts as confirmed; the primary rule, the cap, removal at once, rate limits.
Bad inputs tried: display names, missing domain, empty string, forged, damaged, expired, used and
replaced tokens, wrong codes, an address confirmed elsewhere, removing one that is not there."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from helpdesk.domain.errors import (
    ConfirmationInvalid,
    EmailConflict,
    EmailNotAuthorized,
    InvalidValue,
    NotAllowed,
    TooManyRequests,
)
from helpdesk.domain.limits import CONFIRMATION_VALID
from helpdesk.domain.models import Caller, Role
from helpdesk.mail.compose import MailIdentity
from helpdesk.mail.signing import MailSigner
from helpdesk.services.accounts import AccountService
from helpdesk.services.address_confirmation import AddressConfirmation
from tests.support.domain import ANA, BRUNO, LUIS, NO_ACCOUNT, T0
from tests.support.fakes import InMemoryAccounts, InMemoryMarkers

COLLEAGUE = "marta@cliente.example"
PORTAL = "https://portal.netz0.example/"
DOMAIN = "helpdesk.netz0.example"
# Mallory's account claims Ana's colleague's address to read her mail.
MALLORY = Caller(role=Role.CUSTOMER, name="mallory@evil.example", account_id="acct-6666")


class Desk:
    def __init__(self) -> None:
        self.store = InMemoryAccounts()
        self.markers = InMemoryMarkers()
        self.sent: list = []
        self.accounts = AccountService(self.store, max_addresses=3)
        self.confirmation = AddressConfirmation(
            store=self.store,
            markers=self.markers,
            identity=MailIdentity(
                MailSigner(b"k" * 32, "helpdesk.netz0.example"), "soporte@helpdesk.netz0.example"
            ),
            send=self.sent.append,
            portal_url=PORTAL,
            max_addresses=3,
        )

    def add(self, caller: Caller, address: str, now=T0):
        return self.confirmation.request(caller, address, now)

    def last_mail(self, to: str):
        return next(m for m in reversed(self.sent) if m["To"] == to)

    def token(self, to: str) -> str:
        body = self.last_mail(to).get_content()
        from urllib.parse import unquote

        return unquote(re.search(r"#/confirm\?token=(\S+)", body).group(1))

    def code(self, to: str) -> str:
        return re.search(r"\b([A-Z2-7]{4}-[A-Z2-7]{4})\b", self.last_mail(to).get_content()).group(1)

    def states(self, caller: Caller, now=T0) -> list[tuple[str, bool, bool]]:
        return [(e.email, e.pending, e.primary) for e in self.accounts.emails(caller, now)]


@pytest.fixture
def desk() -> Desk:
    return Desk()


# ---------------------------------------------------------------- pending until confirmed
def test_an_added_address_is_pending_authorizes_nothing_and_is_mailed_a_link_and_code(desk):
    entry, mailed = desk.add(ANA, "Marta@Cliente.Example")
    assert (entry.email, entry.pending, mailed) == ("Marta@cliente.example", True, True)
    assert entry.expires_at == T0 + CONFIRMATION_VALID
    assert desk.states(ANA) == [("Marta@cliente.example", True, False)]
    assert desk.accounts.account_for_sender("marta@cliente.example") is None
    mail = desk.last_mail("Marta@cliente.example")
    body = mail.get_content()
    assert "ana@cliente.example" in body  # who asks
    assert "acct-1001" in body  # for which account
    assert PORTAL + "#/confirm?token=" in body
    assert mail["Content-Language"] == "es"
    assert "Confirme" in mail["Subject"]


def test_the_link_confirms_once_and_then_the_address_authorizes_mail(desk):
    desk.add(ANA, COLLEAGUE)
    token = desk.token(COLLEAGUE)
    assert desk.confirmation.confirm_token(token, T0 + timedelta(hours=1)) == COLLEAGUE
    assert desk.states(ANA) == [(COLLEAGUE, False, True)]
    assert desk.accounts.account_for_sender(COLLEAGUE) == "acct-1001"
    # A second click changes nothing and is not an error.
    assert desk.confirmation.confirm_token(token, T0 + timedelta(hours=2)) == COLLEAGUE


def test_the_code_confirms_typed_in_any_case_with_or_without_the_dash(desk):
    desk.add(ANA, COLLEAGUE)
    code = desk.code(COLLEAGUE)
    assert (
        desk.confirmation.confirm_code(" marta@CLIENTE.example ", code.lower().replace("-", " "), T0)
        == COLLEAGUE
    )
    assert desk.accounts.account_for_sender(COLLEAGUE) == "acct-1001"


def test_the_mail_is_in_the_accounts_language(desk):
    desk.store.set_language("acct-1001", "en")
    desk.add(ANA, COLLEAGUE)
    assert desk.last_mail(COLLEAGUE)["Subject"] == "Confirm your e-mail address for Netz0"


def test_without_a_portal_url_the_mail_carries_the_code_alone(desk):
    desk.confirmation._portal_url = None
    desk.add(ANA, COLLEAGUE)
    assert "token=" not in desk.last_mail(COLLEAGUE).get_content()
    assert desk.code(COLLEAGUE)


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),  # signature changed
        lambda t: "x" + t,  # payload changed
        lambda t: t.split(".")[0],  # no signature
        lambda t: "",
        lambda t: "not.a.token",
        lambda t: "%%%.abcdefghijklmnop",
    ],
)
def test_a_forged_or_damaged_token_confirms_nothing(desk, damage):
    desk.add(ANA, COLLEAGUE)
    with pytest.raises(ConfirmationInvalid, match="confirmation_invalid"):
        desk.confirmation.confirm_token(damage(desk.token(COLLEAGUE)), T0)
    assert desk.states(ANA) == [(COLLEAGUE, True, False)]


def test_an_expired_link_or_code_confirms_nothing(desk):
    desk.add(ANA, COLLEAGUE)
    late = T0 + CONFIRMATION_VALID
    with pytest.raises(ConfirmationInvalid):
        desk.confirmation.confirm_token(desk.token(COLLEAGUE), late)
    with pytest.raises(ConfirmationInvalid):
        desk.confirmation.confirm_code(COLLEAGUE, desk.code(COLLEAGUE), late)
    assert desk.accounts.account_for_sender(COLLEAGUE) is None


def test_asking_again_replaces_the_link(desk):
    desk.add(ANA, COLLEAGUE)
    old = desk.token(COLLEAGUE)
    _, mailed = desk.add(ANA, COLLEAGUE, T0 + timedelta(minutes=5))
    assert mailed
    assert len(desk.sent) == 2
    with pytest.raises(ConfirmationInvalid):
        desk.confirmation.confirm_token(old, T0 + timedelta(minutes=6))
    assert desk.confirmation.confirm_token(desk.token(COLLEAGUE), T0 + timedelta(minutes=6)) == COLLEAGUE


def test_a_wrong_code_confirms_nothing_and_guessing_is_limited(desk):
    desk.add(ANA, COLLEAGUE)
    for bad in ("AAAA-AAAA", "", "1234"):
        with pytest.raises(ConfirmationInvalid):
            desk.confirmation.confirm_code(COLLEAGUE, bad, T0)
    with pytest.raises(ConfirmationInvalid):
        desk.confirmation.confirm_code("otra@cliente.example", desk.code(COLLEAGUE), T0)  # another address
    for _ in range(7):
        with pytest.raises(ConfirmationInvalid):
            desk.confirmation.confirm_code(COLLEAGUE, "BBBB-BBBB", T0)
    with pytest.raises(TooManyRequests):  # the 11th try in the hour, even with the right code
        desk.confirmation.confirm_code(COLLEAGUE, desk.code(COLLEAGUE), T0)
    assert (
        desk.confirmation.confirm_code(COLLEAGUE, desk.code(COLLEAGUE), T0 + timedelta(hours=1)) == COLLEAGUE
    )


def test_an_address_already_confirmed_here_is_not_mailed_again(desk):
    desk.store.add_email("acct-1001", COLLEAGUE, T0, 3)
    entry, mailed = desk.add(ANA, COLLEAGUE, T0 + timedelta(days=1))
    assert (entry.pending, entry.primary, mailed, desk.sent) == (False, True, False, [])


# ---------------------------------------------------------------- pending claims block no one
def test_an_attackers_claim_authorizes_nothing_and_the_real_owner_still_confirms(desk):
    desk.add(MALLORY, COLLEAGUE)
    mallory_token = desk.token(COLLEAGUE)
    assert desk.accounts.account_for_sender(COLLEAGUE) is None  # Mallory's claim proves nothing
    desk.add(ANA, COLLEAGUE, T0 + timedelta(minutes=1))  # not blocked by Mallory's claim
    assert desk.confirmation.confirm_token(desk.token(COLLEAGUE), T0 + timedelta(minutes=2)) == COLLEAGUE
    assert desk.accounts.account_for_sender(COLLEAGUE) == "acct-1001"
    assert desk.states(MALLORY) == []  # the first confirmation removed the other claims
    with pytest.raises(EmailConflict):
        desk.confirmation.confirm_token(mallory_token, T0 + timedelta(minutes=3))
    with pytest.raises(EmailConflict) as refused:  # and Mallory cannot claim it again
        desk.add(MALLORY, COLLEAGUE, T0 + timedelta(minutes=4))
    assert refused.value.reason == "email_taken"
    assert "acct-1001" not in str(refused.value.params)


def test_the_first_of_two_simultaneous_confirmations_wins(desk):
    desk.add(BRUNO, COLLEAGUE)
    bruno_token = desk.token(COLLEAGUE)
    desk.add(ANA, COLLEAGUE)
    ana_token = desk.token(COLLEAGUE)
    # Bruno's confirmation lands between Ana's read and Ana's write.
    desk.store.before_next_write(lambda: desk.confirmation.confirm_token(bruno_token, T0))
    with pytest.raises(EmailConflict, match="email_confirmed_elsewhere_first"):
        desk.confirmation.confirm_token(ana_token, T0)
    assert desk.accounts.account_for_sender(COLLEAGUE) == "acct-2002"
    assert desk.states(ANA) == []
    assert desk.states(BRUNO) == [(COLLEAGUE, False, True)]


# ---------------------------------------------------------------- rate limits
def test_confirmation_mails_are_limited_per_address_and_account(desk):
    for n in range(3):
        desk.add(ANA, COLLEAGUE, T0 + timedelta(minutes=n))
    with pytest.raises(TooManyRequests, match="confirmation_mails_per_day") as refused:
        desk.add(ANA, COLLEAGUE, T0 + timedelta(minutes=5))
    assert refused.value.params == {"limit": 3}
    assert len(desk.sent) == 3


def test_confirmation_mails_are_limited_per_account(desk):
    desk.confirmation._max = 50
    for n in range(10):
        desk.add(ANA, f"c{n}@cliente.example", T0)
    with pytest.raises(TooManyRequests, match="confirmation_mails_per_hour") as refused:
        desk.add(ANA, "c10@cliente.example", T0)
    assert refused.value.params == {"limit": 10}
    desk.add(ANA, "c10@cliente.example", T0 + timedelta(hours=1))


def test_one_account_cannot_use_up_the_address_limit_of_others(desk):
    for n in range(3):
        desk.add(MALLORY, COLLEAGUE, T0 + timedelta(minutes=n))
    desk.add(ANA, COLLEAGUE, T0 + timedelta(minutes=10))
    assert desk.last_mail(COLLEAGUE) is desk.sent[-1]


# ---------------------------------------------------------------- the sign-in e-mail
def test_the_verified_sign_in_email_is_a_confirmed_address_and_the_default_primary(desk):
    ana = Caller(
        role=Role.CUSTOMER,
        name="ana@cliente.example",
        account_id="acct-1001",
        verified_email="ana@cliente.example",
    )
    desk.accounts.record_sign_in(ana, T0)
    assert desk.states(ana) == [("ana@cliente.example", False, True)]
    assert desk.accounts.emails(ana, T0)[0].sign_in
    assert desk.accounts.account_for_sender("ana@cliente.example") == "acct-1001"
    # An address confirmed later becomes the primary one: the sign-in e-mail is the default only.
    desk.add(ana, COLLEAGUE, T0 + timedelta(minutes=1))
    desk.confirmation.confirm_token(desk.token(COLLEAGUE), T0 + timedelta(minutes=2))
    assert desk.states(ana) == [("ana@cliente.example", False, False), (COLLEAGUE, False, True)]
    with pytest.raises(EmailConflict, match="sign_in_email_kept"):
        desk.accounts.remove_email(ana, "ana@cliente.example")


def test_an_unverified_sign_in_email_counts_for_nothing(desk):
    desk.accounts.record_sign_in(ANA, T0)  # no verified_email
    assert desk.states(ANA) == []


def test_recording_the_sign_in_writes_once_per_container(desk):
    ana = Caller(role=Role.CUSTOMER, name="a", account_id="acct-1001", verified_email="ana@cliente.example")
    desk.accounts.record_sign_in(ana, T0)
    writes, reads = desk.store.writes, desk.store.reads
    desk.accounts.record_sign_in(ana, T0 + timedelta(minutes=1))
    assert (desk.store.writes, desk.store.reads) == (writes, reads)


def test_signing_in_confirms_a_pending_claim_and_releases_others(desk):
    desk.add(MALLORY, "ana@cliente.example")
    ana = Caller(role=Role.CUSTOMER, name="a", account_id="acct-1001", verified_email="ana@cliente.example")
    desk.add(ana, "ana@cliente.example")
    desk.accounts.record_sign_in(ana, T0)
    assert desk.accounts.account_for_sender("ana@cliente.example") == "acct-1001"
    assert desk.states(MALLORY) == []


def test_a_sign_in_email_confirmed_on_another_account_stays_there(desk):
    desk.store.add_email("acct-2002", "ana@cliente.example", T0, 3)
    ana = Caller(role=Role.CUSTOMER, name="a", account_id="acct-1001", verified_email="ana@cliente.example")
    desk.accounts.record_sign_in(ana, T0)
    assert desk.states(ana) == []
    assert desk.accounts.account_for_sender("ana@cliente.example") == "acct-2002"


# ---------------------------------------------------------------- listing, removing, the cap
def test_the_oldest_confirmed_address_is_the_primary_one(desk):
    desk.store.add_email("acct-1001", "ana@cliente.example", T0, 3)
    desk.store.add_email("acct-1001", "ana.perez@cliente.example", T0 + timedelta(minutes=1), 3)
    desk.add(ANA, "antes@cliente.example", T0 - timedelta(days=1))  # older, but pending
    assert desk.states(ANA) == [
        ("antes@cliente.example", True, False),
        ("ana@cliente.example", False, True),
        ("ana.perez@cliente.example", False, False),
    ]
    desk.accounts.remove_email(ANA, "ana@cliente.example")
    assert [e.email for e in desk.accounts.emails(ANA, T0) if e.primary] == ["ana.perez@cliente.example"]


def test_removing_takes_effect_at_once_for_pending_and_confirmed(desk):
    desk.add(ANA, COLLEAGUE)
    token = desk.token(COLLEAGUE)
    desk.accounts.remove_email(ANA, COLLEAGUE)
    with pytest.raises(ConfirmationInvalid):  # the link of a removed address is dead
        desk.confirmation.confirm_token(token, T0)
    desk.store.add_email("acct-1001", "ana@cliente.example", T0, 3)
    desk.accounts.remove_email(ANA, "Ana@CLIENTE.example".replace("Ana", "ana"))
    assert desk.accounts.account_for_sender("ana@cliente.example") is None
    assert desk.states(ANA) == []


def test_an_account_has_at_most_the_configured_addresses_pending_or_confirmed(desk):
    desk.store.add_email("acct-1001", "a0@cliente.example", T0, 3)
    desk.add(ANA, "a1@cliente.example")
    desk.add(ANA, "a2@cliente.example")
    with pytest.raises(EmailConflict) as refused:
        desk.add(ANA, "a3@cliente.example")
    assert (refused.value.reason, refused.value.params) == ("too_many_emails", {"limit": 3})


def test_an_expired_pending_address_is_removed_when_the_list_is_read(desk):
    desk.store.add_email("acct-1001", "a0@cliente.example", T0, 3)
    desk.add(ANA, COLLEAGUE)
    still = T0 + CONFIRMATION_VALID - timedelta(seconds=1)
    assert desk.states(ANA, still) == [("a0@cliente.example", False, True), (COLLEAGUE, True, False)]
    after = T0 + CONFIRMATION_VALID
    assert desk.states(ANA, after) == [("a0@cliente.example", False, True)]
    assert desk.store.claims(COLLEAGUE) == []  # its claim went with it
    assert [e.email for e in desk.store.emails("acct-1001")] == ["a0@cliente.example"]
    # Adding it again asks its owner again, with a new link.
    desk.add(ANA, COLLEAGUE, now=after)
    assert desk.states(ANA, after) == [("a0@cliente.example", False, True), (COLLEAGUE, True, False)]


def test_expired_pending_addresses_do_not_count_against_the_limit(desk):
    desk.store.add_email("acct-1001", "a0@cliente.example", T0, 3)
    desk.add(ANA, "a1@cliente.example")
    desk.add(ANA, "a2@cliente.example")
    later = T0 + CONFIRMATION_VALID + timedelta(hours=1)
    desk.add(ANA, "a3@cliente.example", now=later)  # the two expired ones are removed to make room
    assert desk.states(ANA, later) == [
        ("a0@cliente.example", False, True),
        ("a3@cliente.example", True, False),
    ]


@pytest.mark.parametrize("bad", ["", "ana", "ana@", "Ana <ana@cliente.example>", "a b@c.example"])
def test_what_is_not_an_address_is_refused(desk, bad):
    with pytest.raises(InvalidValue, match="invalid_email"):
        desk.add(ANA, bad)
    with pytest.raises(InvalidValue):
        desk.confirmation.confirm_code(bad, "AAAA-AAAA", T0)
    assert desk.sent == []


def test_removing_an_address_that_is_not_the_accounts_is_not_found(desk):
    desk.store.add_email("acct-2002", "bruno@otro.example", T0, 3)
    desk.add(BRUNO, COLLEAGUE)
    for address in ("bruno@otro.example", COLLEAGUE, "nadie@cliente.example", "not an address"):
        with pytest.raises(EmailNotAuthorized):
            desk.accounts.remove_email(ANA, address)
    assert desk.accounts.account_for_sender("bruno@otro.example") == "acct-2002"


def test_operators_and_sign_ins_without_an_account_manage_no_addresses(desk):
    for caller in (LUIS, NO_ACCOUNT):
        with pytest.raises(NotAllowed):
            desk.accounts.emails(caller, T0)
        with pytest.raises(NotAllowed):
            desk.add(caller, "x@y.example")


def test_the_mail_language_is_spanish_until_set(desk):
    assert desk.accounts.language(ANA) == ("acct-1001", "es")
    desk.accounts.set_language(ANA, "en")
    assert desk.accounts.language(ANA) == ("acct-1001", "en")


def test_a_sender_is_found_by_any_spelling_of_a_confirmed_address(desk):
    desk.store.add_email("acct-1001", "ana@cliente.example", T0, 3)
    assert desk.accounts.account_for_sender(" ana@Cliente.Example ") == "acct-1001"
    assert desk.accounts.account_for_sender("otra@cliente.example") is None
    assert desk.accounts.account_for_sender("no es una dirección") is None
