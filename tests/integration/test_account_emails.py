"""/account/emails: the addresses authorized to use the e-mail channel, managed by customers."""

import pytest

from tests.support.harness import ANA, BRUNO, LUIS, customer


def emails(api, who=ANA):
    result = api.get("/account/emails", who)
    assert result.status == 200, result.body
    return [(e["email"], e["primary"]) for e in result.json()["items"]]


def test_add_list_remove(api):
    assert emails(api) == []
    added = api.post("/account/emails", ANA, {"email": "ana@cliente.example"})
    assert added.status == 201
    assert added.json()["primary"] is True
    api.later(minutes=1)
    second = api.post("/account/emails", ANA, {"email": "facturas@cliente.example"})
    assert (second.status, second.json()["primary"]) == (201, False)
    assert emails(api) == [("ana@cliente.example", True), ("facturas@cliente.example", False)]
    assert api.call("DELETE", "/account/emails/ana@cliente.example", ANA).status == 204
    assert emails(api) == [("facturas@cliente.example", True)]


def test_domain_case_does_not_matter_local_part_is_kept(api):
    api.post("/account/emails", ANA, {"email": "Ana@Cliente.EXAMPLE"})
    assert emails(api) == [("Ana@cliente.example", True)]
    again = api.post("/account/emails", ANA, {"email": "Ana@cliente.example"})
    assert again.status == 200  # already authorized: nothing new
    assert api.call("DELETE", "/account/emails/Ana@CLIENTE.example", ANA).status == 204


def test_an_address_belongs_to_one_account_at_most(api):
    api.post("/account/emails", ANA, {"email": "ana@cliente.example"})
    result = api.post("/account/emails", BRUNO, {"email": "ana@cliente.example"})
    assert result.status == 409
    assert result.json()["error"]["code"] == "email_conflict"
    assert "acct-1001" not in result.body  # does not reveal whose it is
    assert emails(api, BRUNO) == []


def test_another_account_cannot_remove_my_address(api):
    api.post("/account/emails", ANA, {"email": "ana@cliente.example"})
    assert api.call("DELETE", "/account/emails/ana@cliente.example", BRUNO).status == 404
    assert emails(api) == [("ana@cliente.example", True)]


def test_removing_an_unknown_address_is_404(api):
    assert api.call("DELETE", "/account/emails/nadie@x.example", ANA).status == 404
    assert api.call("DELETE", "/account/emails/not-an-address", ANA).status == 404


def test_at_most_20_addresses(api):
    for n in range(20):
        assert api.post("/account/emails", ANA, {"email": f"a{n}@cliente.example"}).status == 201
    result = api.post("/account/emails", ANA, {"email": "a20@cliente.example"})
    assert result.status == 409
    api.call("DELETE", "/account/emails/a0@cliente.example", ANA)
    assert api.post("/account/emails", ANA, {"email": "a20@cliente.example"}).status == 201


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
    assert api.get("/account/emails", {"sub": "x", "email": "x@y.example"}).status == 403


def test_each_account_sees_only_its_own(api):
    api.post("/account/emails", ANA, {"email": "ana@cliente.example"})
    other = customer("acct-3003", "c@tercero.example")
    api.post("/account/emails", other, {"email": "c@tercero.example"})
    assert emails(api) == [("ana@cliente.example", True)]
    assert emails(api, other) == [("c@tercero.example", True)]
