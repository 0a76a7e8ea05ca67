"""GET /openapi.json: the API's OpenAPI document. It is generated from the handlers' own route
definitions (`make openapi`, checked by a test) and shipped beside this file."""

from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.http.api import create_api
from helpdesk.observability import logger

DOCUMENT = (Path(__file__).parent / "openapi.json").read_text(encoding="utf-8")

app = create_api()


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=DOCUMENT,
        headers={"Cache-Control": "public, max-age=300"},
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
