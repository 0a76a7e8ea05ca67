"""The reports' aggregate items: per scope (a department, or an operator in it) a day item with
counters (`n_<counter>`, ADD) and the day's durations in whole seconds (`d_<measure>`, lists
appended to), and a running backlog total. One stream record's additions are one transaction
with its processing marker, so a redelivered record adds nothing twice.

Size: a day item holds every duration of its day; at about 6 bytes a value and four lists, a
department-day reaches DynamoDB's 400 KB item limit near 16,000 closings and first responses a
day. Past it the write is refused, the record fails, is retried and goes to ReportFailures with
an alarm: nothing is counted wrong, the figures stop until the day is split (see the decision
log)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from helpdesk.domain.reports import BACKLOG, Measure, Scope, Tally
from helpdesk.store import keys
from helpdesk.store.codec import dump_item, load_item
from helpdesk.store.markers import marker_put
from helpdesk.store.protocols import AlreadyProcessed, ScopeDays
from helpdesk.store.transactions import Transaction

_COUNTER = "n_"
_DURATIONS = "d_"


def report_marker(event_id: str) -> str:
    return f"report:{event_id}"


class DynamoReportStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def record(self, event_id: str, tallies: Mapping[tuple[Scope, date], Tally], now: datetime) -> None:
        """Add the tallies and mark the record, all or nothing. Raises AlreadyProcessed when the
        record was counted before."""
        transaction = Transaction()
        transaction.add("marker", {"Put": marker_put(self._table, report_marker(event_id), now)})
        backlog: dict[Scope, int] = {}
        for (scope, day), tally in tallies.items():
            transaction.add(f"day:{scope}:{day}", {"Update": self._day_update(scope, day, tally)})
            if tally.counts.get(BACKLOG):
                backlog[scope] = backlog.get(scope, 0) + tally.counts[BACKLOG]
        for scope, delta in backlog.items():
            transaction.add(f"total:{scope}", {"Update": self._total_update(scope, delta)})
        try:
            transaction.write(self._client)
        except self._client.exceptions.TransactionCanceledException as error:
            if "marker" in transaction.failed_conditions(error):
                raise AlreadyProcessed from error
            raise

    def _day_update(self, scope: Scope, day: date, tally: Tally) -> dict[str, Any]:
        names: dict[str, str] = {"#entity": "entity", "#day": "day"}
        values: dict[str, Any] = {":entity": "report_day", ":day": day.isoformat()}
        adds, sets = [], ["#entity = :entity", "#day = :day"]
        for n, (counter, delta) in enumerate(sorted(tally.counts.items())):
            names[f"#n{n}"], values[f":n{n}"] = _COUNTER + counter, delta
            adds.append(f"#n{n} :n{n}")
        if tally.durations:  # DynamoDB refuses a value the expression does not use
            values[":empty"] = []
        for n, (measure, seconds) in enumerate(sorted(tally.durations.items())):
            names[f"#d{n}"], values[f":d{n}"] = _DURATIONS + measure.value, list(seconds)
            sets.append(f"#d{n} = list_append(if_not_exists(#d{n}, :empty), :d{n})")
        expression = "SET " + ", ".join(sets) + (" ADD " + ", ".join(adds) if adds else "")
        return {
            "TableName": self._table,
            "Key": dump_item(
                {"pk": keys.report_pk(scope.department, scope.operator), "sk": keys.report_day_sk(day)}
            ),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": dump_item(values),
        }

    def _total_update(self, scope: Scope, delta: int) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Key": dump_item(
                {"pk": keys.report_pk(scope.department, scope.operator), "sk": keys.REPORT_TOTAL_SK}
            ),
            "UpdateExpression": "SET #entity = :entity ADD backlog :delta",
            "ExpressionAttributeNames": {"#entity": "entity"},
            "ExpressionAttributeValues": dump_item({":entity": "report_total", ":delta": delta}),
        }

    def days_from(self, scope: Scope, start: date) -> ScopeDays:
        """One Query (more only past 1 MB): the scope's day items from `start` on and its total."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk >= :start",
            "ExpressionAttributeValues": dump_item(
                {":pk": keys.report_pk(scope.department, scope.operator), ":start": keys.report_day_sk(start)}
            ),
        }
        days: dict[date, Tally] = {}
        backlog = items_read = 0
        while True:
            response = self._client.query(**kwargs)
            items_read += int(response.get("ScannedCount", len(response["Items"])))
            for raw in response["Items"]:
                item = load_item(raw)
                if item["sk"] == keys.REPORT_TOTAL_SK:
                    backlog = int(item.get("backlog", 0))
                elif item.get("entity") == "report_day":
                    days[date.fromisoformat(str(item["day"]))] = _tally(item)
            if "LastEvaluatedKey" not in response:
                return ScopeDays(days, backlog, items_read)
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _tally(item: dict[str, Any]) -> Tally:
    tally = Tally()
    measures = {m.value: m for m in Measure}
    for name, value in item.items():
        if name.startswith(_COUNTER):
            tally.counts[name.removeprefix(_COUNTER)] = int(value)
        elif name.startswith(_DURATIONS) and name.removeprefix(_DURATIONS) in measures:
            tally.durations[measures[name.removeprefix(_DURATIONS)]] = [int(Decimal(v)) for v in value]
    return tally
