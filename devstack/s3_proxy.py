"""The local S3 endpoint at /_local/s3/ on the stack's own origin, so the portal's browser can POST
an upload and load a download or preview link as it would from S3 in AWS (the portal's CSP allows
only its own origin locally). The functions' S3 calls come here too (AWS_ENDPOINT_URL_S3), so the
links they sign point here. Everything is passed to moto, except browser uploads (POST Object),
which moto would store without checking: they are checked first as S3 does (devstack.s3_post)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import urllib3
from werkzeug.wrappers import Request, Response

from devstack.s3_post import PostRefused, check_post

PREFIX = "/_local/s3"
MAX_UPLOAD_BYTES = 64 * 1024 * 1024  # above MaxAttachmentBytes: the policy decides, not this
# Headers that describe the hop, not the message.
_HOP = frozenset(
    {"host", "content-length", "connection", "transfer-encoding", "keep-alive", "server", "date"}
)

log = logging.getLogger("devstack.s3")


class UploadRequest(Request):
    max_content_length = MAX_UPLOAD_BYTES
    max_form_memory_size = MAX_UPLOAD_BYTES


class LocalS3:
    def __init__(self, moto_endpoint: str, s3_client: Any, secret_key: str) -> None:
        self._endpoint = moto_endpoint.rstrip("/")
        self._s3 = s3_client  # talks to moto directly
        self._secret = secret_key
        self._http = urllib3.PoolManager()

    def handle(self, request: Request) -> Response:
        path = request.path.removeprefix(PREFIX) or "/"
        bucket = path.strip("/")
        if request.method == "POST" and bucket and "/" not in bucket and _is_form(request):
            return self._post_object(bucket, request)
        return self._forward(path, request)

    def _post_object(self, bucket: str, request: Request) -> Response:
        upload = request.files.get("file")
        if upload is None:
            return _refusal(
                PostRefused(400, "InvalidArgument", "POST requires exactly one file upload per request.")
            )
        body = upload.read()
        form = {name: value for name, value in request.form.items()}
        try:
            posted = check_post(bucket, form, body, secret_key=self._secret, now=datetime.now(UTC))
        except PostRefused as refused:
            log.info("POST Object to %s refused: %s", bucket, refused)
            return _refusal(refused)
        extra = {"ContentType": posted.content_type} if posted.content_type else {}
        self._s3.put_object(
            Bucket=posted.bucket, Key=posted.key, Body=posted.body, Metadata=posted.metadata, **extra
        )
        return Response(status=204)

    def _forward(self, path: str, request: Request) -> Response:
        query = request.query_string.decode("latin-1")
        url = f"{self._endpoint}{path}" + (f"?{query}" if query else "")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        answer = self._http.request(
            request.method,
            url,
            body=request.get_data() if request.method in ("PUT", "POST") else None,
            headers=headers,
            redirect=False,
            preload_content=True,
        )
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP}
        response = Response(answer.data, status=answer.status, headers=kept)
        if request.method == "HEAD" and "content-length" in answer.headers:
            # A HEAD answer's length is the object's, not its empty body's (HeadObject reads it).
            response.headers["Content-Length"] = answer.headers["content-length"]
        if "content-type" not in {k.lower() for k in kept}:
            del response.headers["Content-Type"]
        return response


def _is_form(request: Request) -> bool:
    return (request.mimetype or "") == "multipart/form-data"


def _refusal(refused: PostRefused) -> Response:
    return Response(refused.xml(), status=refused.status, content_type="application/xml")
