"""GET /reports through the handlers on moto, the aggregates kept by AggregateReportsFunction from
the table's stream (delivered as Lambda's event source mapping would, FilterCriteria included),
with the template's policies (soporte: Monday to Friday 09:00-19:00 Europe/Madrid, first
response 60 business minutes, next 120)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.integration.test_ratings import rating_token
from tests.support.harness import ANA, LUIS, MARTA, Postman

MADRID = ZoneInfo("Europe/Madrid")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MADRID)


@pytest.fixture
def aggregates(gateway):
    return Postman(gateway, "AggregateReportsFunction")


def report(api, who=LUIS, **query):
    result = api.get("/reports", who, query={k: v for k, v in query.items() if v is not None})
    assert result.status == 200, result.body
    return result.json()


def day(body, date):
    return next(d for d in body["days"] if d["date"] == date)


def test_the_day_shows_the_ticket_its_first_response_the_breach_the_closing_and_the_rating(
    api, aggregates, postman
):
    api.at(at("2026-11-27 18:00")).authorize(ANA, "ana@cliente.example")  # where the close mail goes
    ticket = api.at(at("2026-11-27 18:55")).open()  # a Friday, five minutes before closing
    api.at(at("2026-11-30 10:30"))  # Monday: 5 + 90 business minutes later, past the 60-minute target
    assert api.post(f"/tickets/{ticket['id']}/assign", LUIS).status == 200
    assert api.reply(ticket["id"], LUIS, "Pruebe ahora").status == 201
    api.at(at("2026-11-30 11:00"))
    assert api.post(f"/tickets/{ticket['id']}/close", ANA).status == 200
    *_, close_mail = postman.new()
    # The next morning Ana rates it from the close mail's link: it counts on the closing's day.
    api.at(at("2026-12-01 08:00"))
    rated = api.call("PUT", "/ratings", None, body={"token": rating_token(close_mail), "rating": "good"})
    assert rated.status == 200, rated.body
    aggregates.poller.drain()

    body = report(api, **{"from": "2026-11-27", "to": "2026-11-30"})
    assert [d["date"] for d in body["days"]] == ["2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"]
    assert body["time_zone"] == "Europe/Madrid"
    friday, monday = day(body, "2026-11-27"), day(body, "2026-11-30")
    assert friday["opened"] == {"total": 1, "by": {"web": 1, "email": 0, "phone": 0, "chat": 0}}
    assert [d["backlog"] for d in body["days"]] == [1, 1, 1, 0]
    assert monday["first_response"] == {
        "count": 1,
        "business": {"median_seconds": 95 * 60, "p90_seconds": 95 * 60},
        "calendar": {"median_seconds": (63 * 60 + 35) * 60, "p90_seconds": (63 * 60 + 35) * 60},
    }
    assert monday["sla"]["first_response"] == {"met": 0, "missed": 1, "rate": 0.0}
    assert monday["closed"]["by"]["customer"] == 1
    assert monday["resolution"]["business"]["median_seconds"] == 125 * 60
    assert body["total"]["opened"]["total"] == 1
    assert body["total"]["backlog"] == 0
    assert monday["satisfaction"] == {"good": 1, "bad": 0, "rate": 1.0}
    assert body["total"]["satisfaction"] == {"good": 1, "bad": 0, "rate": 1.0}
    assert friday["satisfaction"] == {"good": 0, "bad": 0, "rate": None}

    # The operator's own figures: the ticket was his when he answered, when it closed and rated.
    mine = report(api, operator=LUIS["sub"], **{"from": "2026-11-30", "to": "2026-11-30"})
    assert mine["total"]["sla"]["first_response"]["missed"] == 1
    assert mine["total"]["satisfaction"]["good"] == 1
    assert mine["total"]["opened"]["total"] == 0  # nobody's when it was opened
    other = report(api, operator=MARTA["sub"], **{"from": "2026-11-30", "to": "2026-11-30"})
    assert other["total"]["sla"]["first_response"]["missed"] == 0
    assert other["total"]["satisfaction"]["good"] == 0

    # She changes her mind: the closing's day now counts it bad, not good.
    api.at(at("2026-12-01 09:00"))
    changed = api.call("PUT", "/ratings", None, body={"token": rating_token(close_mail), "rating": "bad"})
    assert changed.status == 200, changed.body
    aggregates.poller.drain()
    again = report(api, **{"from": "2026-11-30", "to": "2026-11-30"})
    assert again["total"]["satisfaction"] == {"good": 0, "bad": 1, "rate": 0.0}


def test_a_reply_in_time_meets_the_target_and_a_reopen_counts(api, aggregates):
    ticket = api.at(at("2026-11-30 09:00")).open()
    api.at(at("2026-11-30 09:40"))
    api.reply(ticket["id"], LUIS, "Hecho")
    api.at(at("2026-11-30 10:00"))
    api.post(f"/tickets/{ticket['id']}/close", LUIS)
    api.at(at("2026-12-01 09:00"))
    assert api.post(f"/tickets/{ticket['id']}/reopen", ANA).status == 200
    aggregates.poller.drain()
    body = report(api, **{"from": "2026-11-30", "to": "2026-12-01"})
    assert day(body, "2026-11-30")["sla"]["first_response"] == {"met": 1, "missed": 0, "rate": 1.0}
    assert day(body, "2026-11-30")["closed"]["by"]["operator"] == 1
    assert day(body, "2026-12-01")["reopened"] == 1
    assert [d["backlog"] for d in body["days"]] == [0, 1]


def test_only_operators_see_reports(api):
    result = api.get("/reports", ANA)
    assert result.status == 403
    assert result.json()["error"]["message"] == "Los informes son solo para operadores."


@pytest.mark.parametrize(
    ("query", "field", "english"),
    [
        (
            {"from": "2026-13-01"},
            "from",
            "The date 'from' is not valid: write it as YYYY-MM-DD, e.g. 2026-11-25.",
        ),
        ({"to": "30/11/2026"}, "to", "The date 'to' is not valid: write it as YYYY-MM-DD, e.g. 2026-11-25."),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "from", "The period ends before it starts"),
        ({"from": "2026-08-01", "to": "2026-11-30"}, "to", "A report covers at most 92 days"),
        ({"to": "2026-12-25"}, "to", "The period cannot end after today (2026-11-30)."),
        ({"from": "0000-01-01"}, "from", "The date 'from' is not valid"),
    ],
)
def test_bad_periods_are_refused_in_the_readers_language(api, query, field, english):
    api.at(at("2026-11-30 12:00"))
    result = api.get("/reports", LUIS, query=query, headers={"Accept-Language": "en"})
    assert result.status == 422, result.body
    error = result.json()["error"]
    assert error["message"].startswith(english)
    assert [d["field"] for d in error["details"]] == [field]
    spanish = api.get("/reports", LUIS, query=query).json()["error"]
    assert spanish["message"] != error["message"]
    assert spanish["details"][0]["field"] == field


def test_a_period_at_the_start_of_the_calendar_is_no_error(api):
    body = report(api, to="0001-01-02")  # no 30 days before it: from the first day there is
    assert (body["start"], body["end"]) == ("0001-01-01", "0001-01-02")


def test_an_unknown_department_is_refused(api):
    result = api.get("/reports", LUIS, query={"department": "ventas"})
    assert result.status == 422
    assert "comercial, soporte" in result.json()["error"]["message"]
