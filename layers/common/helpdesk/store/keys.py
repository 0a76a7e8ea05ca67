"""The table's keys: every item's pk/sk and the indexes' partitions, in one place. The item kinds
and access patterns are listed in docs/architecture.md and the README."""

from __future__ import annotations

from datetime import date, datetime

from helpdesk.clock import from_iso, to_iso
from helpdesk.domain.sla import AlertStage, ResponseClock, SlaTarget

TICKET_SK = "TICKET"
ALL_TICKETS = "TICKETS"
DUE = "DUE"
REMIND = "REMIND"
IDEMPOTENCY_SK = "IDEMPOTENCY"
PROFILE_SK = "PROFILE"

INDEX_BY_ACCOUNT = "account_activity"
INDEX_BY_STATUS = "status_activity"
INDEX_BY_ASSIGNEE = "assignee_activity"
INDEX_ALL = "all_activity"
INDEX_DUE = "auto_close_due"
INDEX_SLA = "sla_response"
INDEX_SLA_PRIORITY = "sla_by_priority"
INDEX_REMINDER = "auto_close_reminder"
INDEX_SEARCH_ALL = "search_all"
INDEX_QUEUE_BY_STATUS = "queue_by_status"
INDEX_QUEUE_ALL = "queue_all"
INDEX_PARTITION_ATTR = {
    INDEX_BY_ACCOUNT: "account_pk",
    INDEX_BY_STATUS: "status_pk",
    INDEX_BY_ASSIGNEE: "assignee_pk",
    INDEX_ALL: "all_pk",
    INDEX_QUEUE_BY_STATUS: "status_pk",
    INDEX_QUEUE_ALL: "all_pk",
}


def ticket_pk(ticket_id: str) -> str:
    return f"TICKET#{ticket_id}"


def ticket_id_of(pk: str) -> str:
    return pk.removeprefix("TICKET#")


def ticket_key(ticket_id: str) -> dict[str, str]:
    return {"pk": ticket_pk(ticket_id), "sk": TICKET_SK}


def message_sk(created_at: datetime, message_id: str) -> str:
    return f"MSG#{to_iso(created_at)}#{message_id}"


def suppressed_sk(at: datetime, event_id: str) -> str:
    """A mail not sent about the ticket, in the ticket's partition (read with its thread)."""
    return f"SUPPRESSED#{to_iso(at)}#{event_id}"


def activity_sk(updated_at: datetime, ticket_id: str) -> str:
    return f"{to_iso(updated_at)}#{ticket_id}"


def sla_pk(department: str) -> str:
    """The SLA index partition: one per department (a department never changes)."""
    return f"SLA#{department}"


def sla_priority_pk(priority: str) -> str:
    """The sla_by_priority partition of a ticket whose priority is not the default (normal)."""
    return f"SLA#PRIORITY#{priority}"


# The response clock in the SLA index's sort key: "<target>#<stage>#<since>", so one Query reads
# the clocks of one target and alert stage that started before an instant.
_TARGET_CODES = {SlaTarget.FIRST_RESPONSE: "first", SlaTarget.NEXT_RESPONSE: "next"}
_TARGETS_BY_CODE = {code: target for target, code in _TARGET_CODES.items()}


def sla_clock_sk(clock: ResponseClock) -> str:
    return f"{sla_clock_prefix(clock.target, clock.stage)}{to_iso(clock.since)}"


def sla_clock_prefix(target: SlaTarget, stage: AlertStage) -> str:
    return f"{_TARGET_CODES[target]}#{stage.value}#"


def response_clock_of(sk: str) -> ResponseClock:
    target, stage, since = sk.split("#", 2)
    return ResponseClock(_TARGETS_BY_CODE[target], from_iso(since), AlertStage(stage))


def search_pk(account_id: str, prefix: str) -> str:
    """A word prefix's entries in one account (customers search their own)."""
    return f"SEARCH#{account_id}#{prefix}"


def search_all_pk(prefix: str) -> str:
    """A word prefix's entries in every account (the search_all index, for operators)."""
    return f"SEARCH#{prefix}"


def account_pk(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


def status_pk(status: str) -> str:
    return f"STATUS#{status}"


def assignee_pk(assignee: str) -> str:
    return f"ASSIGNEE#{assignee}"


def idempotency_key(account_id: str, key: str) -> dict[str, str]:
    return {"pk": f"IDEMPOTENCY#{account_id}#{key}", "sk": IDEMPOTENCY_SK}


def marker_key(marker: str) -> dict[str, str]:
    return {"pk": f"MARKER#{marker}", "sk": "MARKER"}


def window_key(key: str) -> dict[str, str]:
    return {"pk": f"WINDOW#{key}", "sk": "WINDOW"}


def quota_key(key: str, window_start: int) -> dict[str, str]:
    return {"pk": f"QUOTA#{key}#{window_start}", "sk": "QUOTA"}


def email_key(address: str) -> dict[str, str]:
    """Which account owns an address (one at most)."""
    return {"pk": f"EMAIL#{address}", "sk": "EMAIL"}


def claim_key(address: str, account_id: str) -> dict[str, str]:
    """An account's pending claim on an address (several accounts may claim one; one confirms)."""
    return {"pk": f"EMAIL#{address}", "sk": f"CLAIM#{account_id}"}


def account_email_key(account_id: str, address: str) -> dict[str, str]:
    """One address in the account's list of addresses."""
    return {"pk": account_pk(account_id), "sk": f"EMAIL#{address}"}


def profile_key(account_id: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": PROFILE_SK}


# The reports' aggregates: one partition per scope (a department, or an operator in it), a day
# item per local day ("DAY#2026-11-25") and the running backlog ("TOTAL", sorting after the days,
# so one Query from a day on reads the days since and the total).
REPORT_TOTAL_SK = "TOTAL"


def report_pk(department: str, operator: str | None = None) -> str:
    return f"REPORT#{department}" if operator is None else f"REPORT#{department}#OP#{operator}"


def report_day_sk(day: date) -> str:
    return f"DAY#{day.isoformat()}"


# Operators' preferences share one partition: a help desk has tens of operators, and the
# directory reads them all in one Query.
OPERATORS_PK = "OPERATORS"


def operator_key(operator_id: str) -> dict[str, str]:
    return {"pk": OPERATORS_PK, "sk": f"OPERATOR#{operator_id}"}
