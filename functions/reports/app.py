"""GET /reports: the support lead's figures per day and for the period (operators only), read
from the aggregates the stream keeps (functions/aggregate_reports), so the cost grows with the
days asked, not with the tickets."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller, request_time
from helpdesk.http.report_schemas import ReportOut
from helpdesk.observability import logger, metrics
from helpdesk.runtime import report_service

app = create_api()
service = report_service()


@app.get(
    "/reports",
    summary="Daily figures of a period",
    tags=["reports"],
    responses={
        200: {
            "description": "Each day's figures and the period's (local days of the department's time zone)."
        },
        **ERROR_RESPONSES,
    },
)
def reports(
    start: Annotated[
        str | None,
        Query(alias="from", max_length=10, description="First day, YYYY-MM-DD (default: 30 days to `to`)."),
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", max_length=10, description="Last day, YYYY-MM-DD (default: today).")
    ] = None,
    department: Annotated[str | None, Query(max_length=40)] = None,
    operator: Annotated[
        str | None,
        Query(
            max_length=128,
            description="Only the tickets assigned to this operator (their id, as GET /operators lists it).",
        ),
    ] = None,
) -> ReportOut:
    report = service.report(
        current_caller(app),
        start=start,
        end=end,
        department=department,
        operator=operator,
        now=request_time(app),
    )
    logger.info("report", extra={"days": len(report.days), "items_read": report.items_read})
    return ReportOut.of(report)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
