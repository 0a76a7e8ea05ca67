"""GET /tickets/{id}/messages/{message_id}/attachments/{index}: a file that came with an e-mail,
for whoever may read the ticket, as a redirect to a download link valid for five minutes."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller
from helpdesk.observability import logger
from helpdesk.runtime import mail_bucket, ticket_service

app = create_api()
service = ticket_service()
bucket = mail_bucket()


@app.get(
    "/tickets/<id>/messages/<message_id>/attachments/<index>",
    summary="Download an attachment",
    tags=["tickets"],
    responses={302: {"description": "Location is a short-lived download link."}, **ERROR_RESPONSES},
)
def download(id: str, message_id: str, index: int) -> Response[None]:  # noqa: A002 - path parameter
    attachment = service.attachment(current_caller(app), id, message_id, index)
    return Response(
        status_code=302,
        content_type=None,
        body=None,
        headers={
            "Location": bucket.download_url(attachment.key, attachment.name),
            "Cache-Control": "no-store",
        },
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
