"""Customer satisfaction through the handlers on moto: the close mail's one-click links rate that
closing without signing in (PUT /ratings is one BatchGetItem, for the closing's department and
assignee, and one PutItem), the rating can be changed, operators and the customer see it on the
ticket, a ticket closed again is rated anew (the link of a closing it has left is refused), and
bad input gets a
clear 4xx in the reader's language: forged, damaged, expired and other stacks' tokens, unknown
ratings, a comment too long, fields the client does not own, another account's ticket."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest

from tests.integration.test_races import client_of
from tests.support.harness import ANA, BRUNO, LUIS, T0

ANA_MAIL = "ana@cliente.example"


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def rating_token(mail) -> str:
    found = re.search(r"#/rate\?token=([^&\s]+)&rating=good", text_of(mail))
    assert found, text_of(mail)
    return unquote(found.group(1))


@pytest.fixture
def closed(api, postman):
    """A ticket Ana closed, and the token of the rating links in its close mail."""
    api.authorize(ANA, ANA_MAIL)
    ticket = api.open(ANA)
    api.later(minutes=5)
    api.reply(ticket["id"], LUIS, "Ya está")
    api.later(minutes=5)
    assert api.post(f"/tickets/{ticket['id']}/close", ANA).status == 200
    *_, close_mail = postman.new()
    return ticket["id"], rating_token(close_mail)


def calls_of(client) -> list[str]:
    calls: list[str] = []
    client.meta.events.register(
        "before-call.dynamodb", lambda event_name, **_: calls.append(event_name.rsplit(".", 1)[-1])
    )
    return calls


def test_the_customer_rates_from_the_mail_changes_it_and_the_operator_sees_it(api, gateway, closed):
    ticket_id, token = closed
    calls = calls_of(client_of(gateway, "RatingsFunction"))
    looked = api.post("/ratings/lookup", None, {"token": token})
    assert looked.status == 200, looked.body
    assert looked.json()["ticket_id"] == ticket_id
    assert looked.json()["subject"] == "El webmail no carga"
    assert looked.json()["rating"] is None
    assert calls == ["BatchGetItem"]
    calls.clear()

    rated = api.call("PUT", "/ratings", None, body={"token": token, "rating": "good"})
    assert rated.status == 200, rated.body
    # The ticket (the closing's department and assignee, kept on the rating for the reports),
    # then the rating's one write.
    assert calls == ["BatchGetItem", "PutItem"]
    api.later(hours=1)
    changed = api.call("PUT", "/ratings", None, body={"token": token, "rating": "bad", "comment": "Lento"})
    assert changed.json()["rating"] == "bad"

    for who in (LUIS, ANA):
        ticket = api.ticket(ticket_id, who)
        assert [(r["rating"], r["comment"]) for r in ticket["ratings"]] == [("bad", "Lento")]
        assert ticket["ratings"][0]["closed_at"] == ticket["closed_at"]
    assert api.post("/ratings/lookup", None, {"token": token}).json()["rating"]["rating"] == "bad"


def test_a_ticket_closed_again_is_rated_anew(api, postman, closed):
    ticket_id, first = closed
    api.call("PUT", "/ratings", None, body={"token": first, "rating": "bad"})
    api.later(hours=1)
    api.post(f"/tickets/{ticket_id}/reopen", ANA)
    api.later(hours=1)
    api.post(f"/tickets/{ticket_id}/close", LUIS)
    *_, close_mail = postman.new()
    second = rating_token(close_mail)
    assert second != first
    api.call("PUT", "/ratings", None, body={"token": second, "rating": "good"})
    assert [r["rating"] for r in api.ticket(ticket_id)["ratings"]] == ["bad", "good"]
    # The first closing's link no longer changes it: the ticket left that closing.
    for language, says in (
        ("es", f"El ticket {ticket_id} se reabrió"),
        ("en", f"Ticket {ticket_id} was reopened"),
    ):
        late = api.call(
            "PUT",
            "/ratings",
            None,
            body={"token": first, "rating": "good"},
            headers={"Accept-Language": language},
        )
        assert late.status == 409, late.body
        assert late.json()["error"]["message"].startswith(says)
    assert [r["rating"] for r in api.ticket(ticket_id)["ratings"]] == ["bad", "good"]


def test_the_auto_close_mail_carries_the_rating_links_too(api, postman):
    api.authorize(ANA, ANA_MAIL)
    ticket = api.open(ANA)
    api.later(minutes=5)
    api.reply(ticket["id"], LUIS, "Pruebe ahora")
    postman.new()
    api.auto_close(T0 + timedelta(hours=73))
    *_, notice = postman.new()
    token = rating_token(notice)
    assert api.call("PUT", "/ratings", None, body={"token": token, "rating": "good"}).status == 200


def test_a_signed_in_customer_rates_their_closed_ticket(api, closed):
    ticket_id, _token = closed
    path = f"/tickets/{ticket_id}/rating"
    assert api.call("PUT", path, ANA, body={"rating": "good"}).status == 200
    assert api.call("PUT", path, BRUNO, body={"rating": "bad"}).status == 404  # another account
    assert api.call("PUT", path, LUIS, body={"rating": "bad"}).status == 403
    assert api.call("PUT", path, None, body={"rating": "bad"}).status == 401  # the authorizer
    api.later(hours=1)
    api.post(f"/tickets/{ticket_id}/reopen", ANA)
    refused = api.call("PUT", path, ANA, body={"rating": "bad"})
    assert refused.status == 409
    assert refused.json()["error"]["message"].startswith(f"El ticket {ticket_id} no está cerrado")
    assert [r["rating"] for r in api.ticket(ticket_id)["ratings"]] == ["good"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"token": f"NZ-12345678.1796194089573.{'a' * 16}", "rating": "good"}, 422, "rating_link_invalid"),
        ({"token": "garbage", "rating": "good"}, 422, "rating_link_invalid"),
        ({"token": "<script>", "rating": "good"}, 422, "rating_link_invalid"),
        ({"rating": "good"}, 422, "invalid_request"),
        ({"token": "{token}", "rating": "meh"}, 422, "invalid_request"),
        ({"token": "{token}"}, 422, "invalid_request"),
        ({"token": "{token}", "rating": "good", "comment": "x" * 2001}, 422, "invalid_request"),
        ({"token": "{token}", "rating": "good", "comment": "a\x00b"}, 422, "invalid_request"),
        ({"token": "{token}", "rating": "good", "account_id": "acct-2002"}, 422, "invalid_request"),
        ({"token": "x" * 201, "rating": "good"}, 422, "invalid_request"),
    ],
)
def test_bad_rating_requests_get_a_clear_refusal(api, closed, body, status, code):
    ticket_id, token = closed
    body = {k: (v.replace("{token}", token) if isinstance(v, str) else v) for k, v in body.items()}
    for language, word in (("es", "enlace"), ("en", "link")):
        result = api.call("PUT", "/ratings", None, body=body, headers={"accept-language": language})
        assert (result.status, result.json()["error"]["code"]) == (status, code), result.body
        assert result.headers["content-language"] == language
        if code == "rating_link_invalid":
            assert word in result.json()["error"]["message"]
    assert api.ticket(ticket_id)["ratings"] == []


def test_tampered_and_expired_links_are_refused(api, closed):
    ticket_id, token = closed
    ticket, closing, signature = token.split(".")
    for forged in (
        f"{ticket}.{int(closing) + 1}.{signature}",  # another closing
        f"NZ-{int(ticket[3:]) + 1:08d}.{closing}.{signature}",  # another ticket
        f"{ticket}.{closing}.{signature[::-1]}",
    ):
        result = api.call("PUT", "/ratings", None, body={"token": forged, "rating": "good"})
        assert (result.status, result.json()["error"]["code"]) == (422, "rating_link_invalid")
    api.at(T0 + timedelta(days=31))
    expired = api.post("/ratings/lookup", None, {"token": token}, headers={"accept-language": "en"})
    assert expired.status == 422
    assert expired.json()["error"]["message"] == (
        "This rating link has expired: ratings are taken for 30 days after the ticket closes."
    )
    assert api.ticket(ticket_id)["ratings"] == []
