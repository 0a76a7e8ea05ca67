"""GET /tickets?sort=queue through the handlers on moto: random sequences of assignments,
unassignments, priority changes, replies (an operator's takes an unassigned ticket), notes,
closes, reopens and merges (a reply to a merged ticket lands on the one it went into), then a
page-by-page walk of the queue (with and without a status, pages of random sizes) compared
with the rule computed from what was done: unassigned first, the most urgent priority first,
then the customer who has waited longest for an answer (since the oldest unanswered message;
tickets nobody owes an answer to after those), the ticket number last. Also: customers are
refused, filters combine, the cursor belongs to its listing. Bad inputs tried: a customer asking
for the queue, a cursor of the activity listing, a garbled cursor, another status's cursor, a
queue cursor whose rank is not a number."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

import pytest

from helpdesk import runtime
from tests.support.harness import ANA, BRUNO, LUIS, MARTA

ACTIONS = (
    "assign",
    "unassign",
    "priority",
    "customer_reply",
    "operator_reply",
    "note",
    "close",
    "reopen",
    "merge",
)
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


class Model:
    """What the queue's rule needs to know of each ticket, kept from the actions as they land."""

    def __init__(self) -> None:
        self.tickets: dict[str, dict[str, Any]] = {}
        self.merged_into: dict[str, str] = {}

    def landing(self, ticket_id: str) -> str:
        """Where a message to the ticket lands: the ticket it was merged into, if any."""
        while ticket_id in self.merged_into:
            ticket_id = self.merged_into[ticket_id]
        return ticket_id

    def opened(self, ticket: dict[str, Any], at: datetime) -> None:
        self.tickets[ticket["id"]] = {"assigned": False, "priority": "normal", "since": at, "status": "OPEN"}

    def apply(self, ticket_id: str, action: str, at: datetime, result: Any, into: str | None = None) -> None:
        if result.status >= 400:  # refused by the status machine (e.g. replying to a closed ticket)
            return
        if action in ("customer_reply", "operator_reply", "note"):
            ticket_id = self.landing(ticket_id)
        state = self.tickets[ticket_id]
        if action == "merge":
            assert into is not None
            self.merged_into[ticket_id] = into
            state["status"], state["since"] = "CLOSED", None
        elif action == "assign":
            state["assigned"] = True
        elif action == "unassign":
            state["assigned"] = False
        elif action == "priority":
            state["priority"] = result.json()["priority"]
        elif action in ("customer_reply", "reopen"):
            state["status"] = "OPEN"
            state["since"] = state["since"] or at  # the oldest unanswered message counts
        elif action == "operator_reply":
            # The reply takes an unassigned ticket (an assigned one stays its assignee's).
            state["status"], state["since"], state["assigned"] = "WAITING", None, True
        elif action == "close":
            state["status"], state["since"] = "CLOSED", None

    def order(self, status: str | None) -> list[str]:
        def key(item: tuple[str, dict[str, Any]]) -> tuple[Any, ...]:
            ticket_id, s = item
            return (
                s["assigned"],
                PRIORITY_RANK[s["priority"]],
                s["since"] is None,
                s["since"] or 0,
                ticket_id,
            )

        chosen = [(i, s) for i, s in self.tickets.items() if status is None or s["status"] == status]
        return [ticket_id for ticket_id, _ in sorted(chosen, key=key)]


def act(api, rng: random.Random, ticket_id: str, action: str, into: str) -> Any:
    path = f"/tickets/{ticket_id}"
    if action == "merge":
        return api.post(f"{path}/merge", LUIS, body={"into": into})
    if action == "assign":
        return api.post(f"{path}/assign", rng.choice([LUIS, MARTA]))
    if action == "unassign":
        return api.post(f"{path}/assign", rng.choice([LUIS, MARTA]), body={"assignee": None})
    if action == "priority":
        return api.call("PATCH", path, LUIS, body={"priority": rng.choice(list(PRIORITY_RANK))})
    if action == "customer_reply":
        return api.reply(ticket_id, ANA, "Sigue igual")
    if action == "operator_reply":
        return api.reply(ticket_id, LUIS, "Pruebe ahora")
    if action == "note":
        return api.reply(ticket_id, LUIS, "nota", internal=True)
    return api.post(f"{path}/{action}", ANA)


def walk(api, rng: random.Random, **query: str) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        asked = {**query, "sort": "queue", "limit": str(rng.randint(1, 7))}
        if cursor:
            asked["cursor"] = cursor
        result = api.get("/tickets", LUIS, query=asked)
        assert result.status == 200, result.body
        page = result.json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_page_by_page_walk_follows_the_rule(api, seed):
    rng = random.Random(seed)
    model = Model()
    for _ in range(9):
        api.later(minutes=rng.randint(1, 90))
        model.opened(api.open(), api.now)
    for _ in range(45):
        ticket_id = rng.choice(list(model.tickets))
        action = rng.choice(ACTIONS)
        into = rng.choice(list(model.tickets))
        result = act(api, rng, ticket_id, action, into)
        model.apply(ticket_id, action, api.now, result, into)
        api.later(minutes=rng.randint(0, 30))  # some actions at the same instant
    assert model.merged_into, "the walk merged at least one ticket"
    # The model's waiting-since is the one the SLA keeps (the stored response clock).
    for ticket_id, state in model.tickets.items():
        thread = runtime.ticket_store().thread(ticket_id)
        assert thread is not None
        clock = thread.ticket.response_clock
        assert (clock.since if clock else None) == state["since"], ticket_id
    for status in (None, "OPEN", "WAITING", "CLOSED"):
        query = {"status": status} if status else {}
        assert walk(api, rng, **query) == model.order(status), status


def test_filters_combine_with_the_queue_order(api):
    soporte = [api.open(), api.open()]
    comercial = api.open(department="comercial")
    api.post(f"/tickets/{soporte[0]['id']}/assign", LUIS)
    api.call("PATCH", f"/tickets/{soporte[1]['id']}", LUIS, body={"tags": ["vip"]})
    api.call("PATCH", f"/tickets/{comercial['id']}", LUIS, body={"tags": ["vip"], "priority": "urgent"})

    def ids(**query: str) -> list[str]:
        result = api.get("/tickets", LUIS, query={"sort": "queue", **query})
        assert result.status == 200, result.body
        return [t["id"] for t in result.json()["items"]]

    assert ids(department="soporte") == [soporte[1]["id"], soporte[0]["id"]]
    assert ids(tag="vip") == [comercial["id"], soporte[1]["id"]]
    assert ids(assignee=LUIS["sub"], status="OPEN") == [soporte[0]["id"]]
    # A search has its own order and index: the queue's filters do not combine with it.
    refused = api.get("/tickets", LUIS, query={"sort": "queue", "q": "webmail", "priority": "normal"})
    assert refused.status == 422, refused.body
    error = refused.json()["error"]
    assert (error["code"], [d["field"] for d in error["details"]]) == ("invalid_value", ["q"])
    assert "priority, tag, account_id" in error["message"]


def test_assigning_unassigning_and_a_reply_that_takes_it_move_the_ticket(api):
    def queue() -> list[str]:
        result = api.get("/tickets", LUIS, query={"sort": "queue", "limit": "2"})
        items = result.json()["items"]
        while result.json()["next_cursor"]:  # page by page, as operators walk it
            cursor = result.json()["next_cursor"]
            result = api.get("/tickets", LUIS, query={"sort": "queue", "limit": "2", "cursor": cursor})
            items += result.json()["items"]
        return [t["id"] for t in items]

    oldest = api.open()["id"]
    api.later(minutes=5)
    middle = api.open()["id"]
    api.later(minutes=5)
    newest = api.open()["id"]
    assert queue() == [oldest, middle, newest]  # longest waiting first
    assert api.post(f"/tickets/{oldest}/assign", MARTA).status == 200
    assert queue() == [middle, newest, oldest]  # assigned after every unassigned one
    assert api.post(f"/tickets/{oldest}/assign", MARTA, body={"assignee": None}).status == 200
    assert queue() == [oldest, middle, newest]  # unassigned: back in its place
    api.later(minutes=1)
    # Luis's reply takes the unassigned ticket in its write: assigned, and no answer owed.
    assert api.reply(middle, LUIS, "Pruebe ahora").status == 201
    assert queue() == [oldest, newest, middle]
    assert api.ticket(middle, LUIS)["assignee"] == LUIS["sub"]
    # A reply to a ticket someone has leaves it theirs, assigned.
    assert api.post(f"/tickets/{oldest}/assign", MARTA).status == 200
    assert api.reply(oldest, LUIS, "Yo también").status == 201
    # Both assigned and answered now: nobody owes an answer, so the ticket number orders them.
    assert queue() == [newest, *sorted([middle, oldest], key=lambda i: int(i.removeprefix("NZ-")))]
    assert api.ticket(oldest, LUIS)["assignee"] == MARTA["sub"]


@pytest.mark.parametrize("who", [ANA, BRUNO])
def test_customers_cannot_see_the_queue(api, who):
    api.open()
    result = api.get("/tickets", who, query={"sort": "queue"})
    assert result.status == 403
    assert (
        result.json()["error"]["message"] == "Solo los operadores pueden ver la cola de trabajo (sort=queue)."
    )


def test_a_cursor_belongs_to_its_listing(api):
    for _ in range(3):
        api.open()
    activity = api.get("/tickets", LUIS, query={"limit": "1"}).json()["next_cursor"]
    queue_open = api.get("/tickets", LUIS, query={"limit": "1", "sort": "queue", "status": "OPEN"}).json()
    import base64
    import json

    forged = json.loads(base64.urlsafe_b64decode(queue_open["next_cursor"] + "=="))
    forged["queue_rank"] = "1e30"
    for cursor, query in [
        (activity, {"sort": "queue"}),
        ("garbled!", {"sort": "queue"}),
        (queue_open["next_cursor"], {"sort": "queue", "status": "WAITING"}),
        (queue_open["next_cursor"], {}),
        (base64.urlsafe_b64encode(json.dumps(forged).encode()).decode(), {"sort": "queue", "status": "OPEN"}),
    ]:
        result = api.get("/tickets", LUIS, query={**query, "cursor": cursor})
        assert result.status == 400, (query, result.body)
        assert result.json()["error"]["code"] == "invalid_input"
