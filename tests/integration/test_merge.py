"""POST /tickets/{id}/merge on moto: the source closes into the target, the target's thread holds
both tickets' messages, replies by web and mail to the source land on the target, and merges
racing replies and each other (staged with botocore hooks) lose nothing and merge once.
Bad inputs tried: a customer merging (403); across accounts, into itself, into a ticket that
does not exist or is not a ticket number, without `into`, with an extra field (422); a source
already merged (409) or unknown (404); a stale If-Match (409)."""

import pytest

from tests.integration.test_races import before_next_write, client_of
from tests.support.harness import ANA, BRUNO, LUIS, MARTA, mail


def merge(api, source, into, who=LUIS, **kwargs):
    return api.post(f"/tickets/{source}/merge", who, {"into": into}, **kwargs)


@pytest.fixture
def pair(api):
    """A ticket and its duplicate, a few minutes apart, each with an answer."""
    first = api.open(ANA, subject="El webmail no carga", body="Desde ayer no entro al webmail")
    api.later(minutes=5)
    api.reply(first["id"], LUIS, "¿Qué navegador usa?")
    api.later(minutes=5)
    duplicate = api.open(ANA, subject="Webmail caído", body="Sigo sin poder entrar")
    api.later(minutes=5)
    api.reply(duplicate["id"], ANA, "Uso Firefox")
    api.later(minutes=5)
    return first["id"], duplicate["id"]


def test_the_source_closes_into_the_target_and_both_threads_say_so(api, pair):
    target, source = pair
    result = merge(api, source, target)
    assert result.status == 200, result.body
    merged = result.json()
    assert (merged["status"], merged["closed_reason"], merged["merged_into"]) == ("CLOSED", "merged", target)
    assert result.headers["etag"] == f'"{merged["version"]}"'
    thread = api.ticket(target, ANA)
    assert [(m["body"], m["ticket_id"]) for m in thread["messages"]] == [
        ("Desde ayer no entro al webmail", target),
        ("¿Qué navegador usa?", target),
        ("Sigo sin poder entrar", source),
        ("Uso Firefox", source),
    ]
    [entry] = thread["history"]  # customers see merges (not that Luis's reply took the ticket)
    assert (entry["code"], entry["params"]) == ("merged_from", {"ticket": source})
    # Luis's token has no name: customers see the department, never his address.
    assert (
        entry["text"]
        == f"Soporte Técnico unió aquí el ticket {source}: sus mensajes aparecen en esta conversación."
    )
    assert [e["code"] for e in api.ticket(target, LUIS)["history"]] == ["assigned", "merged_from"]
    # The customer opening the source sees where it went, in their language.
    seen = api.get(f"/tickets/{source}", ANA, headers={"Accept-Language": "en"}).json()
    assert (seen["merged_into"], seen["status"]) == (target, "CLOSED")
    assert seen["history"][-1]["text"] == (
        f"Technical Support merged this ticket into {target}: the conversation continues there."
    )
    # The target is found by the words of what was merged into it.
    found = api.get("/tickets", ANA, query={"q": "firefox"}).json()["items"]
    assert {t["id"] for t in found} == {target, source}


def test_a_merge_reads_both_once_and_writes_once(api, gateway, pair):
    target, source = pair
    client = client_of(gateway, "MergeFunction")
    calls: list[str] = []
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    try:
        assert merge(api, source, target).status == 200
    finally:
        client.meta.events.unregister("before-call.dynamodb")
    assert calls == ["BatchGetItem", "TransactWriteItems"]


def test_replies_by_web_and_mail_to_the_source_land_on_the_target(api, mailbox, pair):
    target, source = pair
    api.authorize(ANA, "ana@cliente.example")
    merge(api, source, target)
    api.later(minutes=1)
    web = api.reply(source, ANA, "¿Hay novedades?")
    assert web.status == 201
    assert web.json()["ticket_id"] == target
    api.later(minutes=1)
    outcome = mailbox.deliver(mail(subject=f"Re: [#{source}] Webmail caído", body="Respondo por correo"))
    assert outcome["ticket_id"] == source  # where the mail pointed; it was written on the target
    bodies = [(m["body"], m["ticket_id"]) for m in api.ticket(target)["messages"]]
    assert bodies[-2:] == [("¿Hay novedades?", target), ("Respondo por correo", target)]
    assert api.ticket(source)["status"] == "CLOSED"  # the source stays closed


@pytest.mark.parametrize(
    ("who", "source_of", "body", "status", "code", "reason_in_message"),
    [
        (ANA, "source", {"into": "target"}, 403, "forbidden", "Solo los operadores pueden unir"),
        (LUIS, "source", {"into": "other"}, 422, "merge_refused", "son de clientes distintos"),
        (LUIS, "source", {"into": "source"}, 422, "merge_refused", "no se puede unir consigo mismo"),
        (LUIS, "source", {"into": "NZ-99999999"}, 422, "merge_refused", "No existe el ticket NZ-99999999"),
        (LUIS, "source", {"into": "el de ayer"}, 422, "merge_refused", "No existe el ticket el de ayer"),
        (LUIS, "source", {}, 422, "invalid_request", "into"),
        (LUIS, "source", {"into": "target", "status": "OPEN"}, 422, "invalid_request", "status"),
        (LUIS, "NZ-99999999", {"into": "target"}, 404, "ticket_not_found", "NZ-99999999"),
    ],
)
def test_refused_merges_say_why_and_change_nothing(
    api, pair, who, source_of, body, status, code, reason_in_message
):
    target, source = pair
    other = api.open(BRUNO)["id"]
    names = {"target": target, "source": source, "other": other}
    path_id = names.get(source_of, source_of)
    sent = {k: names.get(v, v) for k, v in body.items()}
    before = api.ticket(source), api.ticket(target)
    result = api.post(f"/tickets/{path_id}/merge", who, sent)
    assert result.status == status, result.body
    error = result.json()["error"]
    assert error["code"] == code
    assert reason_in_message in error["message"] + " ".join(d["field"] for d in error["details"])
    assert (api.ticket(source), api.ticket(target)) == before


def test_a_merged_source_is_not_merged_again_and_its_changes_point_to_the_target(api, pair):
    target, source = pair
    third = api.open(ANA)["id"]
    merge(api, source, target)
    again = merge(api, source, third)
    assert again.status == 409
    assert again.json()["error"]["code"] == "ticket_merged"
    assert target in again.json()["error"]["message"]
    english = api.post(f"/tickets/{source}/reopen", ANA, headers={"Accept-Language": "en"})
    assert english.status == 409
    assert (
        english.json()["error"]["message"]
        == f"Ticket {source} was merged into {target}: make your changes on {target}."
    )
    into_merged = merge(api, third, source)
    assert into_merged.status == 422
    assert into_merged.json()["error"]["details"][0]["field"] == "into"


def test_a_stale_if_match_refuses_the_merge(api, pair):
    target, source = pair
    result = merge(api, source, target, headers={"If-Match": '"1"'})
    assert result.status == 409
    assert result.json()["error"]["code"] == "version_conflict"
    assert api.ticket(source)["merged_into"] is None


# ---------------------------------------------------------------- races
def test_a_customer_reply_landing_just_before_the_merge_is_kept_on_the_target(api, gateway, pair):
    target, source = pair
    client = client_of(gateway, "MergeFunction")
    customer = before_next_write(client, "TransactWriteItems", lambda: api.reply(source, ANA, "justo antes"))
    result = merge(api, source, target)
    assert customer[0].status == 201
    assert result.status == 200  # read again (the source's version moved) and merged
    assert "justo antes" in [m["body"] for m in api.ticket(target)["messages"]]


def test_a_customer_reply_landing_just_after_the_merge_goes_to_the_target(api, gateway, pair):
    target, source = pair
    client = client_of(gateway, "ReplyFunction")
    merged = before_next_write(client, "TransactWriteItems", lambda: merge(api, source, target))
    result = api.reply(source, ANA, "justo después")
    assert merged[0].status == 200
    assert (result.status, result.json()["ticket_id"]) == (201, target)
    assert [m["body"] for m in api.ticket(target)["messages"]][-1] == "justo después"
    assert len(api.ticket(source)["messages"]) == 2  # nothing written on the source


def test_two_merges_of_one_source_at_once_merge_it_once(api, gateway, pair):
    target, source = pair
    other = api.open(ANA)["id"]
    client = client_of(gateway, "MergeFunction")
    marta = before_next_write(client, "TransactWriteItems", lambda: merge(api, source, other, MARTA))
    luis = merge(api, source, target)
    assert marta[0].status == 200
    assert luis.status == 409
    assert luis.json()["error"]["code"] == "ticket_merged"
    assert api.ticket(source)["merged_into"] == other
    assert [m["ticket_id"] for m in api.ticket(target)["messages"]] == [target, target]
    assert [e["code"] for e in api.ticket(target)["history"]] == ["assigned"]  # Luis's reply; no merge


def test_two_tickets_merged_into_each_other_at_once_end_as_one(api, gateway, pair):
    a, b = pair
    client = client_of(gateway, "MergeFunction")
    marta = before_next_write(client, "TransactWriteItems", lambda: merge(api, b, a, MARTA))
    luis = merge(api, a, b)
    assert marta[0].status == 200
    assert luis.status == 422
    assert (api.ticket(a)["merged_into"], api.ticket(b)["merged_into"]) == (None, a)
