"""GET /tickets: a customer's tickets (operators: every ticket), newest activity first; for
operators, `sort=due` lists the tickets awaiting an answer, the SLA target due first first."""

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

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
        Literal["activity", "due"],
        Query(description="activity: newest activity first; due (operators): SLA due time, soonest first."),
    ] = "activity",
) -> TicketPageOut:
    caller = current_caller(app)
    if sort == "due":
        if status or assignee or q:
            raise InvalidValue(
                "due_sort_department_only", details=[FieldProblem("sort", "only_department_with_due")]
            )
        # sort=due is the operators' queue order
        page = service.tickets_by_due(caller, department=department, limit=limit, cursor=cursor)
        return TicketPageOut.of(page, service.slas_of(caller, page.items, request_time(app)))
    if q is not None and q.strip():
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
        limit=limit,
        cursor=cursor,
    )
    slas = service.slas_of(caller, page.items, request_time(app))
    return TicketPageOut.of(page, slas, customer_view=not caller.is_operator)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
