"""The 72-hour rule: the schedule closes WAITING tickets whose customer stayed silent."""

from datetime import timedelta

from devstack.events import fixture
from tests.support.harness import ANA, LUIS, T0


def waiting_ticket(api, at=T0):
    api.at(at)
    ticket = api.open()
    api.reply(ticket["id"], LUIS, "¿Puede probar de nuevo?")
    return ticket


def test_closes_at_73_hours_saying_why_in_the_readers_language(api):
    ticket = waiting_ticket(api)
    report = api.auto_close(T0 + timedelta(hours=73))
    assert (report["closed"], report["due"]) == (1, 1)
    closed = api.ticket(ticket["id"], ANA)
    assert (closed["status"], closed["status_label"], closed["closed_reason"]) == (
        "CLOSED",
        "Cerrado",
        "inactivity",
    )
    assert closed["closed_at"] == "2026-11-28T13:00:00.000Z"
    assert closed["auto_close_at"] is None
    # No system message (the two messages share a time: compare as a set).
    assert sorted(m["author_role"] for m in closed["messages"]) == ["customer", "operator"]
    [entry] = closed["history"]
    assert (entry["code"], entry["actor_role"], entry["params"]) == (
        "closed",
        "system",
        {"reason": "inactivity", "hours": "72"},
    )
    assert entry["at"] == "2026-11-28T13:00:00.000Z"
    assert "72 horas" in entry["text"]
    assert "reabrirlo" in entry["text"]
    english = api.get(f"/tickets/{ticket['id']}", ANA, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.headers["content-language"] == "en"
    assert english.json()["history"][0]["text"].startswith("The ticket was closed automatically as resolved")
    assert "72 hours" in english.json()["history"][0]["text"]


def test_not_before_72_hours(api):
    ticket = waiting_ticket(api)
    assert api.auto_close(T0 + timedelta(hours=71, minutes=59))["closed"] == 0
    assert api.ticket(ticket["id"])["status"] == "WAITING"


def test_exactly_at_the_deadline_it_closes(api):
    ticket = waiting_ticket(api)
    api.auto_close(T0 + timedelta(hours=72))
    assert api.ticket(ticket["id"])["status"] == "CLOSED"


def test_the_schedule_fixture_event_runs_the_handler(api, gateway):
    """events/scheduled_auto_close.json is a real EventBridge Scheduled Event (2026-11-28T13:00Z)."""
    ticket = waiting_ticket(api)
    spec = next(s for s in gateway.specs if s.logical_id == "AutoCloseFunction")
    assert gateway.invoke(spec, fixture("scheduled_auto_close.json"))["closed"] == 1
    assert api.ticket(ticket["id"])["status"] == "CLOSED"


def test_open_tickets_never_auto_close(api):
    ticket = api.open()
    api.reply(ticket["id"], LUIS, "pregunta")
    api.later(hours=1)
    api.reply(ticket["id"], ANA, "respuesta")
    assert api.auto_close(T0 + timedelta(days=30))["due"] == 0
    assert api.ticket(ticket["id"])["status"] == "OPEN"


def test_a_later_operator_reply_restarts_the_clock(api):
    ticket = waiting_ticket(api)
    api.at(T0 + timedelta(hours=10))
    api.reply(ticket["id"], LUIS, "otra pregunta")
    assert api.auto_close(T0 + timedelta(hours=73))["closed"] == 0
    assert api.auto_close(T0 + timedelta(hours=82))["closed"] == 1


def test_an_internal_note_does_not_restart_the_clock(api):
    ticket = waiting_ticket(api)
    api.at(T0 + timedelta(hours=10))
    api.reply(ticket["id"], LUIS, "nota", internal=True)
    assert api.auto_close(T0 + timedelta(hours=73))["closed"] == 1


def test_the_same_event_delivered_twice_closes_once(api, gateway):
    ticket = waiting_ticket(api)
    spec = next(s for s in gateway.specs if s.logical_id == "AutoCloseFunction")
    event = fixture("scheduled_auto_close.json")
    assert gateway.invoke(spec, event)["closed"] == 1
    none = {"due": 0, "reminded": 0, "skipped": 0, "items_read": 0}
    again = gateway.invoke(spec, event)
    assert again == {"closed": 0, "skipped": 0, "due": 0, "items_read": 0, "reminders": none}
    # Closed once (the reply that made it wait had taken the ticket: its entry comes first).
    assert [e["code"] for e in api.ticket(ticket["id"])["history"]] == ["assigned", "closed"]


def test_reopened_after_auto_close_then_answered_starts_a_new_clock(api):
    ticket = waiting_ticket(api)
    api.auto_close(T0 + timedelta(hours=73))
    api.at(T0 + timedelta(hours=80))
    assert api.post(f"/tickets/{ticket['id']}/reopen", ANA).json()["status"] == "OPEN"
    api.reply(ticket["id"], LUIS, "de nuevo")
    assert api.auto_close(T0 + timedelta(hours=100))["closed"] == 0
    assert api.auto_close(T0 + timedelta(hours=152))["closed"] == 1


def test_reads_only_what_is_due(api):
    due = [waiting_ticket(api, T0 + timedelta(minutes=n))["id"] for n in range(3)]
    later = waiting_ticket(api, T0 + timedelta(hours=50))
    for _ in range(4):
        api.open()  # OPEN tickets are not in the index at all
    report = api.auto_close(T0 + timedelta(hours=73))
    # The closes cleared their reminders; the later ticket's is a day ahead: the reminder index
    # gives nothing to read either.
    none = {"due": 0, "reminded": 0, "skipped": 0, "items_read": 0}
    assert report == {"closed": 3, "skipped": 0, "due": 3, "items_read": 3, "reminders": none}
    assert all(api.ticket(t)["status"] == "CLOSED" for t in due)
    assert api.ticket(later["id"])["status"] == "WAITING"
