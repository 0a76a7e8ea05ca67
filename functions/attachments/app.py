"""GET /tickets/{id}/messages/{message_id}/attachments/{index}: a file that came with a message
(by e-mail or from the web), for whoever may read the ticket, as a redirect to a download link
valid for five minutes (or the link itself as JSON, for a browser app). The link downloads it as
an attachment under its own name; a file the malware scan marked infected is held (409)."""

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.domain.limits import DOWNLOAD_SECONDS
from helpdesk.http.api import ERROR_RESPONSES, create_api, current_caller
from helpdesk.http.schemas import DownloadLinkOut
from helpdesk.observability import logger
from helpdesk.runtime import file_service

app = create_api()
service = file_service()
# The API's answers carry no file, but say so anyway: nothing here is for sniffing.
SAFE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@app.get(
    "/tickets/<id>/messages/<message_id>/attachments/<index>",
    summary="Download an attachment",
    tags=["tickets"],
    responses={
        302: {
            "description": "Location is a short-lived download link (no body).",
            "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
            "content": {},
        },
        200: {
            "description": 'With "Accept: application/json": {"url", "expires_in"} instead of the redirect.'
        },
        **ERROR_RESPONSES,
    },
)
def download(id: str, message_id: str, index: int) -> Response[DownloadLinkOut | None]:  # noqa: A002 - path parameter
    url = service.download_link(current_caller(app), id, message_id, index)
    if "application/json" in (app.current_event.headers.get("accept") or ""):
        # A browser app cannot follow a redirect to another origin with fetch: it gets the link.
        link = DownloadLinkOut(url=url, expires_in=DOWNLOAD_SECONDS)
        return Response(200, content_types.APPLICATION_JSON, link, headers=SAFE)
    return Response(302, None, None, headers={"Location": url, **SAFE})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
