"""S3's side of a browser upload (POST Object with a presigned policy), which moto does not
enforce: moto stores whatever form it gets. This checks a form the way S3 documents it
(https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html): the policy's
SigV4 signature, its expiration, every condition (exact match, starts-with, content-length-range),
and that every form field is covered by a condition. Answers the object to store, or S3's error.

The local stack serves it at /_local/s3/<bucket> (devstack.s3_proxy); the integration tests use
it directly on the forms the API hands out."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# Fields S3 does not hold to a condition.
_EXEMPT = {"policy", "x-amz-signature", "file"}


@dataclass(frozen=True)
class PostedObject:
    bucket: str
    key: str
    content_type: str | None
    metadata: dict[str, str]
    body: bytes


class PostRefused(Exception):
    """What S3 answers instead of storing the file."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def xml(self) -> bytes:
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{self.code}</Code>'
            f"<Message>{_xml_escape(self.message)}</Message></Error>"
        ).encode()


def check_post(
    bucket: str, form: Mapping[str, str], body: bytes, *, secret_key: str, now: datetime | None = None
) -> PostedObject:
    """The object a POST Object form stores, or PostRefused as S3 would answer."""
    fields = {name.lower(): value for name, value in form.items()}
    policy_b64 = fields.get("policy")
    if not policy_b64 or "x-amz-signature" not in fields or "key" not in fields:
        raise PostRefused(
            400, "InvalidArgument", "Bucket POST must contain a field named 'policy', 'key' and a signature."
        )
    _check_signature(policy_b64, fields, secret_key)
    policy = _decode_policy(policy_b64)
    expiration = datetime.fromisoformat(str(policy.get("expiration", "")).replace("Z", "+00:00"))
    if (now or datetime.now(UTC)) >= expiration:
        raise PostRefused(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    values = {**fields, "bucket": bucket}
    covered = _check_conditions(policy.get("conditions", []), values, len(body))
    for name in fields:
        if name not in _EXEMPT and not name.startswith("x-ignore-") and name not in covered:
            raise PostRefused(403, "AccessDenied", f"Invalid according to Policy: Extra input fields: {name}")
    metadata = {k.removeprefix("x-amz-meta-"): v for k, v in fields.items() if k.startswith("x-amz-meta-")}
    return PostedObject(bucket, fields["key"], fields.get("content-type"), metadata, body)


def _check_signature(policy_b64: str, fields: Mapping[str, str], secret_key: str) -> None:
    credential = fields.get("x-amz-credential", "").split("/")
    if fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256" or len(credential) != 5:
        raise PostRefused(
            400, "InvalidArgument", "POST requires x-amz-algorithm AWS4-HMAC-SHA256 and a credential."
        )
    _access_key, date, region, service, _terminal = credential
    key = f"AWS4{secret_key}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, policy_b64.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields.get("x-amz-signature", "")):
        raise PostRefused(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )


def _decode_policy(policy_b64: str) -> dict[str, Any]:
    try:
        policy = json.loads(base64.b64decode(policy_b64, validate=True))
    except (binascii.Error, ValueError):
        raise PostRefused(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    if not isinstance(policy, dict) or "expiration" not in policy:
        raise PostRefused(400, "InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.")
    return policy


def _check_conditions(conditions: list[Any], values: Mapping[str, str], size: int) -> set[str]:
    """Every condition holds; answers the field names the conditions cover."""
    covered: set[str] = set()
    for condition in conditions:
        if isinstance(condition, dict):
            for name, expected in condition.items():
                covered.add(name.lower())
                _require(values.get(name.lower()) == str(expected), condition)
        elif isinstance(condition, list) and condition and condition[0] == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if size > high:
                raise PostRefused(
                    400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
                )
            if size < low:
                raise PostRefused(
                    400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
                )
        elif isinstance(condition, list) and len(condition) == 3 and condition[0] in ("eq", "starts-with"):
            name = str(condition[1]).lstrip("$").lower()
            covered.add(name)
            value = values.get(name, "")
            holds = value == condition[2] if condition[0] == "eq" else value.startswith(str(condition[2]))
            _require(holds, condition)
        else:
            raise PostRefused(
                400, "InvalidPolicyDocument", f"Invalid Policy: Invalid condition {condition!r}"
            )
    return covered


def _require(holds: bool, condition: Any) -> None:
    if not holds:
        shown = json.dumps(condition)
        raise PostRefused(
            403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {shown}"
        )


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
