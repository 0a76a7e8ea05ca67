"""GET /tickets: a customer's tickets (operators: every ticket), newest activity first; for
operators, `sort=due` lists the tickets awaiting an answer, the SLA target due first first."""

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.domain.attributes import Priority
from helpdesk.domain.errors import FieldProblem, InvalidValue
from helpdesk.domain.status_machine import Status
from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller, request_time
from helpdesk.http.schemas import TicketPageOut
from helpdesk.observability import logger, metrics
from helpdesk.runtime import ticket_search, ticket_service
from helpdesk.services.search import SearchFilters

app = create_api()
service = ticket_service()
searcher = ticket_search()


@app.get(
    "/tickets",
    summary="List tickets",
    tags=["tickets"],
    responses={200: {"description": "A page of tickets, newest activity first."}, **ERROR_RESPONSES},
)
def list_tickets(
    status: Annotated[Literal["OPEN", "WAITING", "CLOSED"] | None, Query()] = None,
    department: Annotated[str | None, Query(max_length=40)] = None,
    assignee: Annotated[str | None, Query(max_length=128)] = None,
    priority: Annotated[
        Literal["low", "normal", "high", "urgent"] | None, Query(description="Operators only.")
    ] = None,
    tag: Annotated[
        str | None, Query(max_length=200, description="Operators only: tickets with this tag.")
    ] = None,
    account_id: Annotated[
        str | None, Query(max_length=128, description="Operators only: one customer account's tickets.")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="A tracking ID, or words that begin words of the subject or public messages.",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(max_length=2048, description="next_cursor of the previous page.")
    ] = None,
    match: Annotated[
        Literal["all", "any"],
        Query(
            description="With q: all (every word, newest first) or any (the tickets sharing the most "
            "words, best first, at most `limit`, no cursor: suggestions while a subject is typed).",
        ),
    ] = "all",
    sort: Annotated[
        Literal["activity", "due", "queue"],
        Query(
            description="activity: newest activity first; due (operators): SLA due time, soonest "
            "first; queue (operators): unassigned first, then the most urgent priority, then the "
            "customer who has waited longest for an answer."
        ),
    ] = "activity",
) -> TicketPageOut:
    caller = current_caller(app)
    if sort == "due":
        if status or assignee or q or priority or tag or account_id:
            raise InvalidValue(
                "due_sort_department_only", details=[FieldProblem("sort", "only_department_with_due")]
            )
        # sort=due is the operators' queue order
        page = service.tickets_by_due(caller, department=department, limit=limit, cursor=cursor)
        return TicketPageOut.of(page, service.slas_of(caller, page.items, request_time(app)))
    if q is not None and q.strip():
        if priority or tag or account_id or sort == "queue":
            # The search index orders by its own rule and knows none of these.
            raise InvalidValue(
                "search_with_queue_filters", details=[FieldProblem("q", "not_with_queue_filters")]
            )
        filters = SearchFilters(Status(status) if status else None, department, assignee)
        if match == "any":
            found = searcher.suggest(caller, q, filters, limit=limit)
        else:
            found = searcher.search(caller, q, filters, limit=limit, cursor=cursor)
        slas = service.slas_of(caller, found.items, request_time(app))
        return TicketPageOut.of(found, slas, found.resolutions, customer_view=not caller.is_operator)
    page = service.list_tickets(
        caller,
        status=Status(status) if status else None,
        department=department,
        assignee=assignee,
        priority=Priority(priority) if priority else None,
        tag=tag,
        limit=limit,
        cursor=cursor,
        in_queue_order=sort == "queue",
        account_id=account_id,
    )
    slas = service.slas_of(caller, page.items, request_time(app))
    return TicketPageOut.of(page, slas, customer_view=not caller.is_operator)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
