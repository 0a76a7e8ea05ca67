"""Upload portal/ to the stack's portal bucket, with a config.json made from the stack's outputs
(API URL, Cognito hosted UI), then invalidate the entry points in CloudFront.

    .venv/bin/python scripts/publish_portal.py <stack-name>
"""

from __future__ import annotations

import json
import mimetypes
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import boto3

PORTAL = Path(__file__).resolve().parent.parent / "portal"
# Entry points change with every release; the rest could be fingerprinted later for long caching.
NO_CACHE = {"index.html", "config.json"}


def outputs(stack: str) -> dict[str, str]:
    described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def config(out: dict[str, str]) -> dict[str, object]:
    return {
        "apiUrl": out["ApiUrl"],
        "auth": {
            "mode": "cognito",
            "domain": out["UserPoolDomain"],
            "clientId": out["UserPoolClientId"],
            "redirectUri": out["PortalUrl"],
        },
    }


def with_connect_sources(page: str, out: dict[str, str]) -> str:
    """The page's Content-Security-Policy lets it call only its own origin; in AWS the API and the
    Cognito token endpoint live on other origins, so they are added to connect-src, and so is the
    mail bucket, where uploads are POSTed; its previews (img-src) come from there too."""
    origins = " ".join(
        urlsplit(out[k])._replace(path="", query="", fragment="").geturl()
        for k in ("ApiUrl", "UserPoolDomain")
    )
    # The origin boto3 signs upload forms and download links for (virtual-hosted, global name).
    files = f"https://{out['MailBucketName']}.s3.amazonaws.com"
    updated = page.replace("connect-src 'self'", f"connect-src 'self' {origins} {files}", 1)
    updated = updated.replace("img-src 'self' data:", f"img-src 'self' data: {files}", 1)
    if updated.count(files) != 2:
        raise SystemExit(
            "portal/index.html has no \"connect-src 'self'\" or \"img-src 'self' data:\" to extend"
        )
    return updated


def publish(stack: str) -> None:
    out = outputs(stack)
    s3 = boto3.client("s3")
    bucket = out["PortalBucketName"]
    files = [p for p in PORTAL.rglob("*") if p.is_file()]
    for path in files:
        key = path.relative_to(PORTAL).as_posix()
        if key == "index.html":
            page = with_connect_sources(path.read_text(encoding="utf-8"), out)
            s3.put_object(
                Bucket=bucket, Key=key, Body=page.encode(), ContentType="text/html", CacheControl="no-cache"
            )
            continue
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".js":
            content_type = "text/javascript"
        cache = "no-cache" if key in NO_CACHE else "public, max-age=300"
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type, "CacheControl": cache})
    s3.put_object(
        Bucket=bucket,
        Key="config.json",
        Body=json.dumps(config(out)).encode(),
        ContentType="application/json",
        CacheControl="no-cache",
    )
    distribution = out["PortalUrl"].split("//")[1].split("/")[0]
    cloudfront = boto3.client("cloudfront")
    ids = [
        d["Id"]
        for d in cloudfront.list_distributions()["DistributionList"].get("Items", [])
        if d["DomainName"] == distribution
    ]
    for distribution_id in ids:
        cloudfront.create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": 2, "Items": ["/index.html", "/config.json"]},
                "CallerReference": str(time.time()),
            },
        )
    print(f"published {len(files)} files and config.json to {bucket}; portal at {out['PortalUrl']}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    publish(sys.argv[1])
