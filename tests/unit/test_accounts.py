"""Authorized addresses on in-memory stores: who may manage them, the primary address rule, the
cap, and that an address is never on two accounts. Bad inputs tried: display names, missing
domain, empty string, an address on another account, removing one that is not there."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.domain.errors import EmailConflict, EmailNotAuthorized, InvalidValue, NotAllowed
from helpdesk.services.accounts import AccountService
from tests.support.domain import ANA, BRUNO, LUIS, NO_ACCOUNT, T0
from tests.support.fakes import InMemoryAccounts


@pytest.fixture
def store() -> InMemoryAccounts:
    return InMemoryAccounts()


@pytest.fixture
def accounts(store: InMemoryAccounts) -> AccountService:
    return AccountService(store, max_addresses=3)


def test_the_oldest_address_is_the_primary_one(accounts):
    first, added = accounts.add_email(ANA, "ana@Cliente.Example", T0)
    second, _ = accounts.add_email(ANA, "ana.perez@cliente.example", T0 + timedelta(minutes=1))
    assert (first.email, first.primary, added) == ("ana@cliente.example", True, True)
    assert second.primary is False
    assert [(e.email, e.primary) for e in accounts.emails(ANA)] == [
        ("ana@cliente.example", True),
        ("ana.perez@cliente.example", False),
    ]


def test_the_next_oldest_becomes_primary_when_the_primary_goes(accounts):
    accounts.add_email(ANA, "ana@cliente.example", T0)
    accounts.add_email(ANA, "ana.perez@cliente.example", T0 + timedelta(minutes=1))
    accounts.remove_email(ANA, "ana@cliente.example")
    assert [(e.email, e.primary) for e in accounts.emails(ANA)] == [("ana.perez@cliente.example", True)]


def test_adding_an_address_again_says_it_already_was_without_writing(accounts, store):
    accounts.add_email(ANA, "ana@cliente.example", T0)
    again, added = accounts.add_email(ANA, "ana@CLIENTE.example", T0 + timedelta(days=1))
    assert (again.email, again.primary, again.added_at, added) == ("ana@cliente.example", True, T0, False)
    assert len(store.owners) == 1


def test_adding_reads_the_account_once(accounts, store):
    accounts.add_email(ANA, "ana@cliente.example", T0)
    store.reads = 0
    accounts.add_email(ANA, "ana.perez@cliente.example", T0)
    assert store.reads == 1


def test_an_address_of_another_account_is_refused_without_naming_it(accounts):
    accounts.add_email(BRUNO, "compartida@otro.example", T0)
    with pytest.raises(EmailConflict) as refused:
        accounts.add_email(ANA, "compartida@otro.example", T0)
    assert refused.value.reason == "email_taken"
    assert "acct-2002" not in str(refused.value.params)  # the sentence is made from these alone


def test_an_account_has_at_most_the_configured_addresses(accounts):
    for n in range(3):
        accounts.add_email(ANA, f"a{n}@cliente.example", T0)
    with pytest.raises(EmailConflict) as refused:
        accounts.add_email(ANA, "a4@cliente.example", T0)
    assert (refused.value.reason, refused.value.params) == ("too_many_emails", {"limit": 3})


@pytest.mark.parametrize("bad", ["", "ana", "ana@", "Ana <ana@cliente.example>", "a b@c.example"])
def test_what_is_not_an_address_is_refused(accounts, bad):
    with pytest.raises(InvalidValue, match=r"^invalid_email$"):
        accounts.add_email(ANA, bad, T0)


def test_removing_an_address_that_is_not_the_accounts_is_not_found(accounts):
    accounts.add_email(BRUNO, "bruno@otro.example", T0)
    for address in ("bruno@otro.example", "nadie@cliente.example", "not an address"):
        with pytest.raises(EmailNotAuthorized):
            accounts.remove_email(ANA, address)


def test_operators_and_sign_ins_without_an_account_manage_no_addresses(accounts):
    for caller in (LUIS, NO_ACCOUNT):
        with pytest.raises(NotAllowed):
            accounts.emails(caller)
        with pytest.raises(NotAllowed):
            accounts.add_email(caller, "x@y.example", T0)


def test_the_mail_language_is_spanish_until_set(accounts):
    assert accounts.language(ANA) == ("acct-1001", "es")
    accounts.set_language(ANA, "en")
    assert accounts.language(ANA) == ("acct-1001", "en")


def test_a_sender_is_found_by_any_spelling_of_an_authorized_address(accounts):
    accounts.add_email(ANA, "ana@cliente.example", T0)
    assert accounts.account_for_sender(" ana@Cliente.Example ") == "acct-1001"
    assert accounts.account_for_sender("otra@cliente.example") is None
    assert accounts.account_for_sender("no es una dirección") is None
