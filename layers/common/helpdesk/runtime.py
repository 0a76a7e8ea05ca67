"""The objects a function builds once per container (at cold start) and reuses while warm."""

from __future__ import annotations

from functools import cache

import boto3

from helpdesk.config import settings
from helpdesk.store import TicketStore
from helpdesk.tickets import TicketService


@cache
def ticket_service() -> TicketService:
    config = settings()
    return TicketService(TicketStore(boto3.client("dynamodb"), config.table_name), config)
