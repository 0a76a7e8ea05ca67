"""Operators find a caller's account and list its tickets, through the handlers on moto:
GET /accounts/lookup?email= matches only a confirmed address (a pending claim never does), ?account_id=
answers the account's confirmed addresses; GET /tickets?account_id= lists one account's tickets,
newest first. Bad inputs tried: a customer looking up (own address and another account's), both
email and account_id, neither, an address that is not one, an unknown address, a pending address,
an unknown account id; a customer listing by account_id (own account and another's), an operator
with account_id and sort=due."""

from __future__ import annotations

import pytest

from tests.support.harness import ANA, BRUNO, LUIS

COLLEAGUE = "compras@cliente.example"


def lookup(api, who=LUIS, headers=None, **query):
    return api.get("/accounts/lookup", who, query=query, headers=headers)


def test_a_confirmed_address_finds_its_account_with_its_addresses(api):
    api.authorize(ANA, COLLEAGUE)
    found = lookup(api, email="compras@Cliente.EXAMPLE")  # domains are case-insensitive
    assert found.status == 200, found.body
    assert found.json() == {
        "account_id": "acct-1001",
        "emails": [{"email": COLLEAGUE, "primary": True, "sign_in": False}],
    }
    assert lookup(api, account_id="acct-1001").json() == found.json()


def test_a_pending_address_never_matches(api):
    result, _mail = api.add_address(ANA, COLLEAGUE)
    assert result.status == 202  # pending until its owner confirms it
    missing = lookup(api, email=COLLEAGUE, headers={"Accept-Language": "en"})
    assert missing.status == 404
    assert missing.json()["error"]["message"] == f"No account has the address {COLLEAGUE} confirmed."
    assert lookup(api, account_id="acct-1001").status == 404  # no confirmed address at all


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"email": "nadie@ninguna.example"}, 404, "not_found"),
        ({"account_id": "acct-9999"}, 404, "not_found"),
        ({"email": "no es una dirección"}, 422, "invalid_value"),
        ({}, 422, "invalid_value"),
        ({"email": COLLEAGUE, "account_id": "acct-1001"}, 422, "invalid_value"),
    ],
)
def test_bad_lookups_say_why(api, query, status, code):
    api.authorize(ANA, COLLEAGUE)
    result = lookup(api, **query)
    assert result.status == status, result.body
    assert result.json()["error"]["code"] == code
    assert result.json()["error"]["message"]


@pytest.mark.parametrize("who", [ANA, BRUNO])
def test_customers_cannot_look_up_accounts(api, who):
    api.authorize(ANA, COLLEAGUE)
    result = lookup(api, who=who, email=COLLEAGUE)
    assert result.status == 403
    assert result.json()["error"]["message"] == "Solo los operadores pueden buscar cuentas de clientes."


def test_operators_list_one_accounts_tickets_newest_first(api):
    first = api.open(ANA)
    api.later(minutes=5)
    api.open(BRUNO)
    api.later(minutes=5)
    second = api.open(ANA, subject="Otra consulta")
    listed = api.get("/tickets", LUIS, query={"account_id": "acct-1001"})
    assert listed.status == 200, listed.body
    assert [t["id"] for t in listed.json()["items"]] == [second["id"], first["id"]]
    queue = api.get("/tickets", LUIS, query={"account_id": "acct-1001", "sort": "queue", "status": "OPEN"})
    assert {t["id"] for t in queue.json()["items"]} == {first["id"], second["id"]}


@pytest.mark.parametrize(
    ("who", "query", "status"),
    [
        (ANA, {"account_id": "acct-1001"}, 403),
        (ANA, {"account_id": "acct-2002"}, 403),
        (LUIS, {"account_id": "acct-1001", "sort": "due"}, 422),
    ],
)
def test_listing_by_account_is_for_operators(api, who, query, status):
    api.open(ANA)
    result = api.get("/tickets", who, query=query)
    assert result.status == status, result.body
    assert result.json()["error"]["message"]
