"""The canned-reply routes on moto: operators keep them, customers get 403, bad input a 422 that
says what is wrong in the reader's language, and each change is one request.
Bad inputs tried: a customer at each route; an unknown placeholder; an empty or over-long title;
a title with a newline only; an over-long body; an unknown department; an extra field; a missing
id (404); a stale If-Match (409)."""

import pytest

from helpdesk.domain.limits import MAX_CANNED_BODY, MAX_CANNED_TITLE
from tests.integration.test_races import client_of
from tests.support.harness import ANA, LUIS, MARTA

REPLY = {
    "title": "Resuelto",
    "body": "Hola {{customer_name}}, el ticket {{ticket_id}} está resuelto.",
    "department": "soporte",
}


def saved(api, body=REPLY, who=LUIS):
    result = api.post("/canned-replies", who, body)
    assert result.status == 201, result.body
    return result.json()


def requests_of(gateway, run):
    client = client_of(gateway, "CannedRepliesFunction")
    calls: list[str] = []
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    try:
        result = run()
    finally:
        client.meta.events.unregister("before-call.dynamodb")
    return result, calls


def test_an_operator_keeps_canned_replies_one_request_per_change(api, gateway):
    created, calls = requests_of(gateway, lambda: api.post("/canned-replies", LUIS, REPLY))
    assert (created.status, calls) == (201, ["TransactWriteItems"])
    reply = created.json()
    assert (reply["title"], reply["department"], reply["created_by"], reply["version"]) == (
        "Resuelto", "soporte", "luis@netz0.example", 1,
    )  # fmt: skip
    saved(api, {"title": "Acuse de recibo", "body": "Recibido, lo miramos."}, MARTA)
    listed, calls = requests_of(gateway, lambda: api.get("/canned-replies", MARTA))
    assert calls == ["Query"]
    assert [r["title"] for r in listed.json()["items"]] == ["Acuse de recibo", "Resuelto"]
    comercial = api.get("/canned-replies", LUIS, query={"department": "comercial"}).json()["items"]
    assert [r["title"] for r in comercial] == ["Acuse de recibo"]
    change = {"title": "Resuelto (DNS)", "body": "Listo, {{ customer_name }}. {{operator_name}}"}
    changed, calls = requests_of(
        gateway,
        lambda: api.call(
            "PUT", f"/canned-replies/{reply['id']}", MARTA, body=change, headers={"If-Match": '"1"'}
        ),
    )
    assert (changed.status, calls) == (200, ["UpdateItem"])
    assert (changed.json()["title"], changed.json()["department"], changed.json()["version"]) == (
        "Resuelto (DNS)",
        None,
        2,
    )
    deleted, calls = requests_of(gateway, lambda: api.call("DELETE", f"/canned-replies/{reply['id']}", LUIS))
    assert (deleted.status, calls, deleted.body) == (204, ["TransactWriteItems"], "")
    assert [r["title"] for r in api.get("/canned-replies", LUIS).json()["items"]] == ["Acuse de recibo"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/canned-replies"),
        ("POST", "/canned-replies"),
        ("PUT", "/canned-replies/X"),
        ("DELETE", "/canned-replies/X"),
    ],
)
def test_customers_get_403_at_every_route(api, method, path):
    target = saved(api)["id"]
    body = REPLY if method in ("POST", "PUT") else None
    result = api.call(method, path.replace("X", target), ANA, body=body)
    assert result.status == 403
    assert result.json()["error"]["message"] == "Solo los operadores usan respuestas predefinidas."
    assert len(api.get("/canned-replies", LUIS).json()["items"]) == 1


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({**REPLY, "body": "Hola {{nombre}}"}, "body", "{{nombre}}"),
        ({**REPLY, "title": ""}, "title", "vacío"),
        ({**REPLY, "title": "\n"}, "title", "vacío"),
        ({**REPLY, "title": "t" * (MAX_CANNED_TITLE + 1)}, "title", str(MAX_CANNED_TITLE)),
        ({**REPLY, "body": "b" * (MAX_CANNED_BODY + 1)}, "body", "10.000"),
        ({**REPLY, "department": "ventas"}, "department", "comercial, soporte"),
        ({**REPLY, "shared": True}, "shared", "no es un campo"),
        ({"title": "t"}, "body", "obligatorio"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, body, field, words):
    result = api.post("/canned-replies", LUIS, body)
    assert result.status == 422, result.body
    [detail] = [d for d in result.json()["error"]["details"] if d["field"] == field]
    assert words in detail["message"] or words in result.json()["error"]["message"]
    assert api.get("/canned-replies", LUIS).json()["items"] == []


def test_an_unknown_placeholder_is_explained_in_english_too(api):
    result = api.post(
        "/canned-replies", LUIS, {**REPLY, "body": "Hi {{first_name}}"}, headers={"Accept-Language": "en"}
    )
    assert result.status == 422
    assert result.json()["error"]["message"] == (
        "The text uses placeholders that do not exist ({{first_name}}). "
        "Allowed: {{ticket_id}}, {{customer_name}}, {{operator_name}}."
    )


def test_missing_and_stale_replies(api):
    missing = api.call("PUT", "/canned-replies/cr-nope", LUIS, body=REPLY)
    assert (missing.status, missing.json()["error"]["code"]) == (404, "canned_reply_not_found")
    assert api.call("DELETE", "/canned-replies/cr-nope", LUIS).status == 404
    reply = saved(api)
    api.call("PUT", f"/canned-replies/{reply['id']}", MARTA, body={**REPLY, "title": "Otra"})
    stale = api.call("PUT", f"/canned-replies/{reply['id']}", LUIS, body=REPLY, headers={"If-Match": '"1"'})
    assert (stale.status, stale.json()["error"]["code"]) == (409, "version_conflict")
    assert api.get("/canned-replies", LUIS).json()["items"][0]["title"] == "Otra"
