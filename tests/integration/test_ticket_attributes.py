"""PATCH /tickets/{id} through the handlers on moto (the table from template.yaml): an operator
sets priority and tags in one UpdateItem; customers see neither, anywhere; filters; If-Match;
the errors a person reads, in es and en. Bad inputs tried: a customer's PATCH (own ticket and
another account's), an empty body, {"priority": null}, {"tags": null}, an unknown priority, a
tag list that is a string, a number among the tags, uppercase and accented tags, a 31-character
tag, 11 tags, an unknown field (status), a stale If-Match, a garbled If-Match, an unknown ticket,
a customer filtering by priority or tag, an unknown priority filter, a tag filter with capitals."""

from __future__ import annotations

import pytest

from tests.support.harness import ANA, BRUNO, LUIS


def patch(api, ticket_id, body, who=LUIS, **kwargs):
    return api.call("PATCH", f"/tickets/{ticket_id}", who, body=body, **kwargs)


def test_an_operator_sets_priority_and_tags_in_one_request(api, gateway):
    from tests.integration.test_races import client_of

    ticket = api.open()
    api.later(minutes=2)
    client = client_of(gateway, "UpdateTicketFunction")
    calls: list[str] = []
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    try:
        result = patch(api, ticket["id"], {"priority": "urgent", "tags": ["correo", "vip", "correo"]})
    finally:
        client.meta.events.unregister("before-call.dynamodb")
    assert result.status == 200, result.body
    assert calls == ["UpdateItem"]  # with its two history entries
    body = result.json()
    assert (body["priority"], body["tags"], body["version"]) == ("urgent", ["correo", "vip"], 2)
    assert result.headers["etag"] == '"2"'
    assert body["sla"]["target_minutes"] == 30  # soporte's urgent policy (template default)
    seen = api.ticket(ticket["id"])
    assert (seen["priority"], seen["tags"]) == ("urgent", ["correo", "vip"])


def test_customers_never_see_priority_or_tags(api):
    ticket = api.open()
    assert patch(api, ticket["id"], {"priority": "high", "tags": ["moroso"]}).status == 200
    mine = api.ticket(ticket["id"], ANA)
    assert (mine["priority"], mine["tags"]) == (None, None)
    listed = api.get("/tickets", ANA).json()["items"]
    assert [(t["priority"], t["tags"]) for t in listed] == [(None, None)]
    closed = api.post(f"/tickets/{ticket['id']}/close", ANA).json()
    assert (closed["priority"], closed["tags"]) == (None, None)
    reopened = api.post(f"/tickets/{ticket['id']}/reopen", ANA).json()
    assert (reopened["priority"], reopened["tags"]) == (None, None)
    assert "moroso" not in str(api.get(f"/tickets/{ticket['id']}", ANA).body)


@pytest.mark.parametrize("who", [ANA, BRUNO])
def test_customers_cannot_patch(api, who):
    ticket = api.open()
    result = patch(api, ticket["id"], {"priority": "urgent"}, who=who)
    assert result.status == 403
    assert result.json()["error"]["message"] == (
        "Solo los operadores pueden cambiar la prioridad y las etiquetas de un ticket."
    )
    assert api.ticket(ticket["id"])["priority"] == "normal"


@pytest.mark.parametrize(
    ("body", "field", "es", "en"),
    [
        ({}, "body", "debe llevar priority, tags o ambos", "must carry priority, tags or both"),
        ({"priority": None}, "priority", "no puede ser null", "cannot be null"),
        ({"tags": None}, "tags", "no puede ser null", "cannot be null"),
        (
            {"priority": "critical"},
            "priority",
            "debe ser uno de: low, normal, high, urgent",
            "must be one of",
        ),
        ({"tags": "vip"}, "tags", "debe ser una lista JSON", "must be a JSON list"),
        ({"tags": ["x"] * 101}, "tags", "como máximo 100 elementos", "at most 100 items"),
        ({"tags": ["ok", 7]}, "tags.1", "debe ser un texto", "must be a string"),
        ({"tags": ["VIP"]}, "tags.0", "minúsculas sin acentos", "lowercase letters a-z"),
        ({"tags": ["ok", "facturación"]}, "tags.1", "minúsculas sin acentos", "lowercase letters a-z"),
        ({"tags": ["a" * 31]}, "tags.0", "como máximo 30 caracteres", "at most 30 characters"),
        ({"tags": [f"t{n}" for n in range(11)]}, "tags", "como máximo 10 etiquetas", "at most 10 tags"),
        ({"status": "CLOSED"}, "status", "no es un campo que usted pueda enviar", "not a field you can set"),
    ],
)
def test_bad_input_is_a_422_a_person_understands(api, body, field, es, en):
    ticket = api.open()
    answers = {}
    for language in ("es", "en"):
        result = patch(api, ticket["id"], body, headers={"Accept-Language": language})
        assert result.status == 422, result.body
        assert result.headers["content-language"] == language
        answers[language] = result.json()["error"]
    for language, expected in (("es", es), ("en", en)):
        details = {d["field"]: d["message"] for d in answers[language]["details"]}
        assert field in details, answers[language]
        assert expected in details[field]
    assert api.ticket(ticket["id"])["version"] == 1  # nothing was written


def test_if_match_refuses_a_stale_version(api):
    ticket = api.open()
    api.reply(ticket["id"], LUIS, "Lo miro")  # version 2
    stale = patch(api, ticket["id"], {"priority": "low"}, headers={"If-Match": '"1"'})
    assert stale.status == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert patch(api, ticket["id"], {"priority": "low"}, headers={"If-Match": "garbled"}).status == 400
    fresh = patch(api, ticket["id"], {"priority": "low"}, headers={"If-Match": '"2"'})
    assert fresh.status == 200
    assert fresh.json()["priority"] == "low"


def test_an_unknown_ticket_is_404(api):
    assert patch(api, "NZ-00000001", {"priority": "low"}).status == 404


def test_operators_filter_by_priority_and_tag(api):
    urgent, tagged, plain = api.open(), api.open(), api.open()
    patch(api, urgent["id"], {"priority": "urgent", "tags": ["dns"]})
    patch(api, tagged["id"], {"tags": ["dns", "vip"]})

    def ids(**query):
        result = api.get("/tickets", LUIS, query=query)
        assert result.status == 200, result.body
        return {t["id"] for t in result.json()["items"]}

    assert ids(priority="urgent") == {urgent["id"]}
    assert ids(priority="normal") == {tagged["id"], plain["id"]}
    assert ids(tag="dns") == {urgent["id"], tagged["id"]}
    assert ids(tag="vip", status="OPEN") == {tagged["id"]}


@pytest.mark.parametrize(
    ("who", "query", "status"),
    [
        (ANA, {"priority": "urgent"}, 403),
        (ANA, {"tag": "vip"}, 403),
        (LUIS, {"priority": "critical"}, 422),
        (LUIS, {"tag": "VIP"}, 422),
        (LUIS, {"tag": "vip", "sort": "due"}, 422),
    ],
)
def test_bad_filters_are_refused(api, who, query, status):
    api.open()
    result = api.get("/tickets", who, query=query)
    assert result.status == status, result.body
    assert result.json()["error"]["message"]


def test_each_change_shows_in_the_thread_for_operators_only(api):
    """The PATCH's own UpdateItem appends its entries; the thread spells out what changed (the old
    priority, the tags added and removed) from the entries before, in the reader's language. A
    PATCH that sets what the ticket already had shows nothing."""
    from tests.integration.test_history import ENGLISH, history, stored_history

    ticket = api.open()
    api.later(minutes=1)
    assert patch(api, ticket["id"], {"priority": "high", "tags": ["correo", "vip"]}).status == 200
    api.later(minutes=1)
    assert patch(api, ticket["id"], {"priority": "urgent", "tags": ["vip", "dns"]}).status == 200
    api.later(minutes=1)
    assert patch(api, ticket["id"], {"priority": "urgent"}).status == 200  # unchanged
    shown = history(api, ticket["id"])
    assert [(e["code"], e["params"]) for e in shown] == [
        ("priority_changed", {"old": "normal", "new": "high"}),
        ("tags_changed", {"added": "correo,vip", "removed": ""}),
        ("priority_changed", {"old": "high", "new": "urgent"}),
        ("tags_changed", {"added": "dns", "removed": "correo"}),
    ]
    assert [e["text"] for e in shown] == [
        "luis@netz0.example cambió la prioridad de normal a alta.",
        "luis@netz0.example cambió las etiquetas (añadidas: correo,vip; quitadas: ninguna).",
        "luis@netz0.example cambió la prioridad de alta a urgente.",
        "luis@netz0.example cambió las etiquetas (añadidas: dns; quitadas: correo).",
    ]
    assert history(api, ticket["id"], headers=ENGLISH)[2]["text"] == (
        "luis@netz0.example changed the priority from high to urgent."
    )
    # Stored as what was set (the write read nothing first), never as the sentence.
    assert [e["params"] for e in stored_history(ticket["id"])][:2] == [
        {"new": "high"},
        {"tags": "correo,vip"},
    ]
    assert history(api, ticket["id"], ANA) == []
