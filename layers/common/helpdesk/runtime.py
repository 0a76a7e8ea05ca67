"""The objects a function builds once per container (at cold start) and reuses while warm."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3

from helpdesk.account_store import AccountStore
from helpdesk.accounts import AccountService
from helpdesk.config import settings
from helpdesk.store import TicketStore
from helpdesk.tickets import TicketService


@cache
def dynamodb() -> Any:
    return boto3.client("dynamodb")


@cache
def ticket_service() -> TicketService:
    config = settings()
    return TicketService(TicketStore(dynamodb(), config.table_name), config)


@cache
def account_service() -> AccountService:
    return AccountService(AccountStore(dynamodb(), settings().table_name))
