"""The table's keys: every item's pk/sk and the indexes' partitions, in one place. The item kinds
and access patterns are listed in docs/architecture.md and the README."""

from __future__ import annotations

from datetime import datetime

from helpdesk.clock import to_iso

TICKET_SK = "TICKET"
ALL_TICKETS = "TICKETS"
DUE = "DUE"
IDEMPOTENCY_SK = "IDEMPOTENCY"
PROFILE_SK = "PROFILE"

INDEX_BY_ACCOUNT = "account_activity"
INDEX_BY_STATUS = "status_activity"
INDEX_BY_ASSIGNEE = "assignee_activity"
INDEX_ALL = "all_activity"
INDEX_DUE = "auto_close_due"
INDEX_PARTITION_ATTR = {
    INDEX_BY_ACCOUNT: "account_pk",
    INDEX_BY_STATUS: "status_pk",
    INDEX_BY_ASSIGNEE: "assignee_pk",
    INDEX_ALL: "all_pk",
}


def ticket_pk(ticket_id: str) -> str:
    return f"TICKET#{ticket_id}"


def ticket_id_of(pk: str) -> str:
    return pk.removeprefix("TICKET#")


def ticket_key(ticket_id: str) -> dict[str, str]:
    return {"pk": ticket_pk(ticket_id), "sk": TICKET_SK}


def message_sk(created_at: datetime, message_id: str) -> str:
    return f"MSG#{to_iso(created_at)}#{message_id}"


def activity_sk(updated_at: datetime, ticket_id: str) -> str:
    return f"{to_iso(updated_at)}#{ticket_id}"


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


def account_email_key(account_id: str, address: str) -> dict[str, str]:
    """One address in the account's list of addresses."""
    return {"pk": account_pk(account_id), "sk": f"EMAIL#{address}"}


def profile_key(account_id: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": PROFILE_SK}
