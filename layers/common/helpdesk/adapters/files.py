"""The bucket side of files from the web: presigned POSTs for uploads (S3 itself enforces their
conditions), HeadObject and CopyObject when a message references an upload, the malware-scan
tag and the download links of any attachment."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from helpdesk.domain.files import SCAN_TAG, StoredUpload, content_disposition, download_type

_MISSING = {"404", "NoSuchKey", "NotFound", "403", "AccessDenied"}


class FileBucket:
    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def presigned_post(
        self,
        key: str,
        *,
        content_type: str,
        metadata: dict[str, str],
        max_bytes: int,
        expires_in: int,
    ) -> tuple[str, dict[str, str]]:
        """The URL and form fields of one upload. The policy fixes the key, the content type and
        every metadata value, and bounds the size: S3 refuses any other form."""
        fields: dict[str, str] = {"Content-Type": content_type}
        conditions: list[Any] = [
            {"Content-Type": content_type},
            ["content-length-range", 1, max_bytes],
        ]
        for name, value in metadata.items():
            fields[f"x-amz-meta-{name}"] = value
            conditions.append({f"x-amz-meta-{name}": value})
        post = self._client.generate_presigned_post(
            Bucket=self._bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in
        )
        return str(post["url"]), {k: str(v) for k, v in post["fields"].items()}

    def head(self, key: str) -> StoredUpload | None:
        """The object's size, type and metadata; None when there is no such object."""
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        return StoredUpload(
            size=int(head["ContentLength"]),
            content_type=str(head.get("ContentType") or ""),
            metadata={k.lower(): str(v) for k, v in (head.get("Metadata") or {}).items()},
        )

    def copy(self, source: str, destination: str) -> None:
        """Server-side copy: metadata, content type and tags (a scan verdict included) go along."""
        self._client.copy_object(
            Bucket=self._bucket,
            Key=destination,
            CopySource={"Bucket": self._bucket, "Key": source},
            MetadataDirective="COPY",
            TaggingDirective="COPY",
        )

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=key)

    def scan_status(self, key: str) -> str | None:
        """The malware scanner's verdict on the object (its GuardDutyMalwareScanStatus tag)."""
        tags = self._client.get_object_tagging(Bucket=self._bucket, Key=key).get("TagSet", [])
        return next((str(t["Value"]) for t in tags if t.get("Key") == SCAN_TAG), None)

    def download_url(self, key: str, filename: str, content_type: str, expires_in: int = 300) -> str:
        """A short-lived link that downloads the file under its name, with a type no browser
        renders as a page (HTML and SVG become application/octet-stream)."""
        return str(
            self._client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self._bucket,
                    "Key": key,
                    "ResponseContentDisposition": content_disposition(filename),
                    "ResponseContentType": download_type(content_type),
                    "ResponseCacheControl": "private, no-store",
                },
                ExpiresIn=expires_in,
            )
        )
