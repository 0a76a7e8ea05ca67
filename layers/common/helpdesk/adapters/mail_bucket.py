"""The S3 mail bucket: raw inbound mail as SES's receipt rule stored it, and the attachments kept
from it (their downloads are helpdesk.adapters.files')."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from helpdesk.domain.models import AttachmentRef

if TYPE_CHECKING:  # the API's attachments function needs no MIME parser at cold start
    from helpdesk.mail.parse import Attachment

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class MailBucket:
    def __init__(self, client: Any, bucket: str, inbound_prefix: str, attachments_prefix: str) -> None:
        self._client = client
        self._bucket = bucket
        self._inbound = inbound_prefix
        self._attachments = attachments_prefix

    def raw_message(self, ses_message_id: str) -> bytes:
        """The raw MIME SES stored for this message (its S3 action runs before the Lambda one)."""
        response = self._client.get_object(Bucket=self._bucket, Key=f"{self._inbound}{ses_message_id}")
        return bytes(response["Body"].read())

    def save_attachment(self, ses_message_id: str, index: int, attachment: Attachment) -> AttachmentRef:
        safe_name = _UNSAFE.sub("_", attachment.filename)[-100:] or "attachment"
        key = f"{self._attachments}{ses_message_id}/{index}-{safe_name}"
        self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=attachment.content,
            ContentType=attachment.content_type,
            ContentDisposition="attachment",
        )
        return AttachmentRef(attachment.filename, attachment.content_type, attachment.size, key)
