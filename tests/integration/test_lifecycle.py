"""Every transition and every refused transition through the API, for each role."""

from datetime import timedelta

import pytest

from tests.support.harness import ANA, LUIS, MARTA, T0


def status(api, ticket_id):
    return api.ticket(ticket_id)["status"]


def test_operator_reply_moves_to_waiting_and_starts_the_72_hour_clock(api):
    ticket = api.open()
    api.later(hours=1)
    result = api.reply(ticket["id"], LUIS, "¿Qué navegador usa?")
    assert result.status == 201
    message = result.json()
    assert (message["author_role"], message["author"], message["internal"]) == (
        "operator",
        "luis@netz0.example",
        False,
    )
    after = api.ticket(ticket["id"], ANA)
    assert (after["status"], after["status_label"]) == ("WAITING", "Espera")
    assert after["auto_close_at"] == "2026-11-28T13:00:00.000Z"


def test_a_later_operator_reply_restarts_the_clock(api):
    ticket = api.open()
    api.reply(ticket["id"], LUIS, "uno")
    api.later(hours=10)
    api.reply(ticket["id"], MARTA, "dos")
    assert api.ticket(ticket["id"])["auto_close_at"] == "2026-11-28T22:00:00.000Z"


def test_customer_reply_brings_it_back_to_open_and_stops_the_clock(api):
    ticket = api.open()
    api.later(minutes=5)
    api.reply(ticket["id"], LUIS, "¿Qué navegador?")
    api.later(hours=2)
    assert api.reply(ticket["id"], ANA, "Firefox").status == 201
    after = api.ticket(ticket["id"], ANA)
    assert after["status"] == "OPEN"
    assert after["auto_close_at"] is None
    assert [m["author_role"] for m in after["messages"]] == ["customer", "operator", "customer"]


def test_customer_reply_on_open_ticket_stays_open(api):
    ticket = api.open()
    assert api.reply(ticket["id"], ANA, "Más datos").status == 201
    assert status(api, ticket["id"]) == "OPEN"


def test_customer_reply_to_a_closed_ticket_reopens_it(api):
    ticket = api.open()
    api.post(f"/tickets/{ticket['id']}/close", ANA)
    assert api.reply(ticket["id"], ANA, "Ha vuelto a pasar").status == 201
    after = api.ticket(ticket["id"])
    assert (after["status"], after["closed_at"], after["closed_reason"]) == ("OPEN", None, None)


def test_operator_reply_to_a_closed_ticket_is_409_and_not_saved(api):
    ticket = api.open()
    api.post(f"/tickets/{ticket['id']}/close", LUIS)
    result = api.reply(ticket["id"], LUIS, "perdido")
    assert result.status == 409
    assert result.json()["error"]["code"] == "invalid_transition"
    assert "reábralo" in result.json()["error"]["message"]
    assert [m["body"] for m in api.ticket(ticket["id"])["messages"]] == ["Desde ayer no puedo entrar."]


def test_internal_note_changes_nothing_and_is_hidden_from_the_customer(api):
    ticket = api.open()
    api.reply(ticket["id"], LUIS, "respuesta")
    before = api.ticket(ticket["id"])
    api.later(hours=5)
    note = api.reply(ticket["id"], MARTA, "El cliente tiene deuda", internal=True)
    assert note.status == 201
    assert note.json()["internal"] is True
    after = api.ticket(ticket["id"])
    assert (after["status"], after["auto_close_at"]) == (before["status"], before["auto_close_at"])
    assert [m["internal"] for m in after["messages"]] == [False, False, True]
    seen_by_customer = api.ticket(ticket["id"], ANA)["messages"]
    assert "El cliente tiene deuda" not in [m["body"] for m in seen_by_customer]
    assert len(seen_by_customer) == 2


def test_internal_note_on_a_closed_ticket_is_allowed(api):
    ticket = api.open()
    api.post(f"/tickets/{ticket['id']}/close", LUIS)
    assert api.reply(ticket["id"], LUIS, "post-mortem", internal=True).status == 201
    assert status(api, ticket["id"]) == "CLOSED"


def test_customers_cannot_write_internal_notes(api):
    ticket = api.open()
    result = api.reply(ticket["id"], ANA, "secreto", internal=True)
    assert result.status == 403
    assert len(api.ticket(ticket["id"])["messages"]) == 1


@pytest.mark.parametrize(("who", "reason"), [(ANA, "customer"), (LUIS, "operator")])
@pytest.mark.parametrize("waiting", [False, True])
def test_close_from_open_or_waiting(api, who, reason, waiting):
    ticket = api.open()
    if waiting:
        api.reply(ticket["id"], LUIS, "hola")
    api.later(minutes=30)
    result = api.post(f"/tickets/{ticket['id']}/close", who)
    assert result.status == 200
    closed = result.json()
    assert (closed["status"], closed["status_label"], closed["closed_reason"]) == (
        "CLOSED",
        "Cerrado",
        reason,
    )
    assert closed["closed_at"] == "2026-11-25T12:30:00.000Z"
    assert closed["auto_close_at"] is None
    assert result.headers["etag"] == f'"{closed["version"]}"'


def test_closing_a_closed_ticket_is_409(api):
    ticket = api.open()
    api.post(f"/tickets/{ticket['id']}/close", ANA)
    result = api.post(f"/tickets/{ticket['id']}/close", LUIS)
    assert result.status == 409
    assert "ya está cerrado" in result.json()["error"]["message"]


@pytest.mark.parametrize("who", [ANA, LUIS])
def test_reopen_a_closed_ticket(api, who):
    ticket = api.open()
    api.post(f"/tickets/{ticket['id']}/close", ANA)
    result = api.post(f"/tickets/{ticket['id']}/reopen", who)
    assert result.status == 200
    assert (result.json()["status"], result.json()["closed_at"]) == ("OPEN", None)


@pytest.mark.parametrize("waiting", [False, True])
def test_reopen_is_409_unless_closed(api, waiting):
    ticket = api.open()
    if waiting:
        api.reply(ticket["id"], LUIS, "hola")
    result = api.post(f"/tickets/{ticket['id']}/reopen", ANA)
    assert result.status == 409
    assert result.json()["error"]["code"] == "invalid_transition"


def test_operator_takes_a_ticket(api):
    ticket = api.open()
    result = api.post(f"/tickets/{ticket['id']}/assign", LUIS)
    assert result.status == 200
    assert result.json()["assignee"] == LUIS["sub"]  # the operator's id; names: test_assignment.py
    assert result.json()["status"] == "OPEN"


def test_customers_cannot_assign(api):
    ticket = api.open()
    result = api.post(f"/tickets/{ticket['id']}/assign", ANA, {})
    assert result.status == 403
    assert api.ticket(ticket["id"])["assignee"] is None


def test_assigning_a_closed_ticket_is_409(api):
    ticket = api.open()
    api.post(f"/tickets/{ticket['id']}/close", ANA)
    assert api.post(f"/tickets/{ticket['id']}/assign", LUIS).status == 409


@pytest.mark.parametrize("body", [{"assignee": ""}, {"assignee": "x" * 129}, {"assignee": 3}, {"other": "x"}])
def test_bad_assign_bodies(api, body):
    ticket = api.open()
    assert api.post(f"/tickets/{ticket['id']}/assign", LUIS, body).status == 422


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"body": ""},
        {"body": "x" * 32_001},
        {"body": "x", "internal": "maybe"},
        {"body": "x", "author": "y"},
    ],
)
def test_bad_reply_bodies(api, body):
    ticket = api.open()
    result = api.post(f"/tickets/{ticket['id']}/replies", LUIS, body)
    assert result.status == 422, body
    assert len(api.ticket(ticket["id"])["messages"]) == 1


def test_if_match_guards_against_a_stale_view(api):
    ticket = api.open()
    loaded = api.get(f"/tickets/{ticket['id']}", LUIS)
    version = loaded.headers["etag"]
    assert api.reply(ticket["id"], MARTA, "Marta contesta primero").status == 201
    stale = api.reply(ticket["id"], LUIS, "Luis no lo vio", headers={"If-Match": version})
    assert stale.status == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert "Recárguelo" in stale.json()["error"]["message"]
    bodies = [m["body"] for m in api.ticket(ticket["id"])["messages"]]
    assert "Luis no lo vio" not in bodies
    fresh = api.get(f"/tickets/{ticket['id']}", LUIS).headers["etag"]
    assert api.reply(ticket["id"], LUIS, "Ahora sí", headers={"If-Match": fresh}).status == 201


def test_bad_if_match_is_400(api):
    ticket = api.open()
    assert api.reply(ticket["id"], LUIS, "x", headers={"If-Match": "latest"}).status == 400


def test_versions_count_every_change(api):
    ticket = api.open()
    assert ticket["version"] == 1
    api.reply(ticket["id"], LUIS, "a")
    api.reply(ticket["id"], ANA, "b")
    assert api.ticket(ticket["id"])["version"] == 3


def test_ids_are_accepted_as_people_type_them(api):
    ticket = api.open()
    digits = ticket["id"].removeprefix("NZ-")
    for spelled in (ticket["id"].lower(), digits, f"NZ{digits}"):
        assert api.get(f"/tickets/{spelled}", ANA).json()["id"] == ticket["id"]


def test_replies_keep_their_order(api):
    ticket = api.open()
    for n in range(5):
        api.later(seconds=1)
        api.reply(ticket["id"], LUIS if n % 2 else ANA, f"m{n}")
    bodies = [m["body"] for m in api.ticket(ticket["id"])["messages"]]
    assert bodies == ["Desde ayer no puedo entrar.", "m0", "m1", "m2", "m3", "m4"]


def test_updated_at_follows_activity(api):
    ticket = api.open()
    api.at(T0 + timedelta(hours=3))
    api.reply(ticket["id"], LUIS, "x")
    assert api.ticket(ticket["id"])["updated_at"] == "2026-11-25T15:00:00.000Z"
