"""The ticket's history through the API on moto: each status change leaves an entry written by
the change's own request, stored as a code (never as a sentence) and read in the reader's
language. Bad inputs tried: a reply to a closed ticket of another account (404, nothing written),
a reply with a stale If-Match to a closed ticket (409, nothing written)."""

from helpdesk import runtime
from helpdesk.store import keys
from helpdesk.store.codec import dump_item, load_item
from tests.integration.test_races import before_next_write, client_of
from tests.support.harness import ANA, BRUNO, LUIS, TABLE

ENGLISH = {"Accept-Language": "en"}


def history(api, ticket_id, who=LUIS, headers=None):
    result = api.get(f"/tickets/{ticket_id}", who, headers=headers or {})
    assert result.status == 200, result.body
    return result.json()["history"]


def stored_history(ticket_id):
    item = runtime.dynamodb().get_item(TableName=TABLE, Key=dump_item(keys.ticket_key(ticket_id)))["Item"]
    return load_item(item).get("history", [])


def test_close_and_reopen_say_who_in_spanish_and_in_english(api):
    ticket = api.open()
    api.later(minutes=5)
    assert api.post(f"/tickets/{ticket['id']}/close", ANA).status == 200
    api.later(minutes=5)
    assert api.post(f"/tickets/{ticket['id']}/reopen", LUIS).status == 200
    api.later(minutes=5)
    assert api.post(f"/tickets/{ticket['id']}/close", LUIS).status == 200
    spanish = history(api, ticket["id"], ANA)
    # Luis's token carries no name: the customer sees him as the department, never his address.
    assert [(e["code"], e["actor_role"], e["actor"]) for e in spanish] == [
        ("closed", "customer", "ana@cliente.example"),
        ("reopened", "operator", "Soporte Técnico"),
        ("closed", "operator", "Soporte Técnico"),
    ]
    assert [e["text"] for e in spanish] == [
        "ana@cliente.example cerró el ticket.",
        "Soporte Técnico reabrió el ticket.",
        "Soporte Técnico cerró el ticket.",
    ]
    assert [e["text"] for e in history(api, ticket["id"], ANA, ENGLISH)] == [
        "ana@cliente.example closed the ticket.",
        "Technical Support reopened the ticket.",
        "Technical Support closed the ticket.",
    ]
    # Operators see who it was.
    assert [e["actor"] for e in history(api, ticket["id"], LUIS)] == [
        "ana@cliente.example",
        "luis@netz0.example",
        "luis@netz0.example",
    ]
    assert [e["at"] for e in spanish] == [
        "2026-11-25T12:05:00.000Z",
        "2026-11-25T12:10:00.000Z",
        "2026-11-25T12:15:00.000Z",
    ]
    # Stored as codes with parameters, never as the sentence.
    assert stored_history(ticket["id"])[0] == {
        "code": "closed",
        "at": "2026-11-25T12:05:00.000Z",
        "role": "customer",
        "actor": "ana@cliente.example",
        "params": {"reason": "customer"},
    }


def test_a_close_is_still_one_update_with_its_entry(api, gateway):
    ticket = api.open()
    client = client_of(gateway, "CloseFunction")
    calls: list[str] = []
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    try:
        assert api.post(f"/tickets/{ticket['id']}/close", LUIS).status == 200
    finally:
        client.meta.events.unregister("before-call.dynamodb")
    assert calls == ["UpdateItem"]


def test_a_customer_reply_reopening_a_closed_ticket_leaves_an_entry(api):
    ticket = api.open()
    api.post(f"/tickets/{ticket['id']}/close", LUIS)
    api.later(hours=1)
    assert api.reply(ticket["id"], ANA, "Vuelve a fallar").status == 201
    after = api.ticket(ticket["id"], ANA)
    assert after["status"] == "OPEN"
    assert after["messages"][-1]["body"] == "Vuelve a fallar"
    last = after["history"][-1]
    assert (last["code"], last["params"]) == ("reopened", {"by_reply": "yes"})
    assert last["text"] == "El ticket se reabrió con la respuesta de ana@cliente.example."


def test_refused_replies_to_a_closed_ticket_write_nothing(api):
    ticket = api.open()
    api.post(f"/tickets/{ticket['id']}/close", ANA)
    other = api.reply(ticket["id"], BRUNO, "hola")
    assert other.status == 404
    stale = api.reply(ticket["id"], ANA, "hola", headers={"If-Match": '"1"'})
    assert stale.status == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    after = api.ticket(ticket["id"])
    assert (after["status"], len(after["messages"]), len(after["history"])) == ("CLOSED", 1, 1)


def test_a_reopen_racing_the_reopening_reply_keeps_the_reply_and_one_reopen(api, gateway):
    """The customer reopens from the portal between the reply's refused write and its reopening
    one: that one is refused too, and the reply lands on the reopened ticket (no reply lost, one
    reopen entry)."""
    ticket = api.open()
    api.post(f"/tickets/{ticket['id']}/close", LUIS)
    replies = client_of(gateway, "ReplyFunction")
    first: list[object] = []

    def after_first_attempt():
        # The first TransactWriteItems (guarded to an active ticket) is about to be refused;
        # arm the competitor for the second one.
        first.append(
            before_next_write(
                replies, "TransactWriteItems", lambda: api.post(f"/tickets/{ticket['id']}/reopen", ANA)
            )
        )

    before_next_write(replies, "TransactWriteItems", after_first_attempt)
    api.later(minutes=1)  # after the opening message, so the thread's order is known
    result = api.reply(ticket["id"], ANA, "hola")
    assert result.status == 201
    assert first[0][0].status == 200  # the reopen landed
    after = api.ticket(ticket["id"])
    assert after["status"] == "OPEN"
    assert [(e["code"], e["params"]) for e in after["history"]] == [
        ("closed", {"reason": "operator"}),
        ("reopened", {}),
    ]
    assert [m["body"] for m in after["messages"]] == ["Desde ayer no puedo entrar.", "hola"]
