"""GET /account/export on moto through the handler: the customer's tickets with their public
messages (never internal notes, never another account's), in pages, as JSON.
Bad input tried: an operator (403), a garbled cursor (400), another account's cursor (400)."""

from tests.support.harness import ANA, BRUNO, LUIS


def test_a_customer_downloads_every_ticket_with_its_public_messages(api):
    first = api.open(subject="Webmail", body="No carga")
    api.later(minutes=1)  # messages of one instant have no order
    api.reply(first["id"], LUIS, "Pruebe ahora")
    api.reply(first["id"], LUIS, "cliente moroso", internal=True)
    api.later(minutes=1)
    second = api.open(subject="Factura", body="Duplicada")
    api.open(BRUNO, subject="De otra cuenta", body="ajeno")
    result = api.get("/account/export", ANA)
    assert result.status == 200, result.body
    page = result.json()
    assert page["account_id"] == "acct-1001"
    assert page["next_cursor"] is None
    exported = {t["id"]: [m["body"] for m in t["messages"]] for t in page["tickets"]}
    assert exported == {first["id"]: ["No carga", "Pruebe ahora"], second["id"]: ["Duplicada"]}
    assert all(t["first_message"] == 0 for t in page["tickets"])
    assert "moroso" not in result.body
    assert "ajeno" not in result.body


def test_bad_export_requests_get_a_clear_error(api):
    api.open(subject="Uno")
    api.open(BRUNO, subject="Dos")
    api.open(BRUNO, subject="Tres")
    listing = api.get("/tickets", BRUNO, query={"limit": "1"}).json()["next_cursor"]
    import base64
    import json

    foreign = base64.urlsafe_b64encode(json.dumps(["export", listing, 0]).encode()).decode().rstrip("=")
    for who, query, status in (
        (LUIS, {}, 403),
        (ANA, {"cursor": "no-es-un-cursor"}, 400),
        (ANA, {"cursor": foreign}, 400),
    ):
        result = api.get("/account/export", who, query=query)
        assert result.status == status, (query, result.body)
        assert result.json()["error"]["message"]
