"""scripts/publish_portal.py: what it writes next to the portal in AWS."""

import importlib.util

from devstack.template import ROOT

spec = importlib.util.spec_from_file_location("publish_portal", ROOT / "scripts" / "publish_portal.py")
publish_portal = importlib.util.module_from_spec(spec)
spec.loader.exec_module(publish_portal)

OUTPUTS = {
    "ApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com",
    "UserPoolDomain": "https://netz0-123.auth.eu-west-1.amazoncognito.com",
    "UserPoolClientId": "client123",
    "PortalUrl": "https://d111.cloudfront.net/",
    "PortalBucketName": "portal-bucket",
    "MailBucketName": "netz0-mail-bucket",
}


def test_the_page_may_call_the_api_and_cognito_and_nothing_else():
    page = publish_portal.with_connect_sources((ROOT / "portal" / "index.html").read_text(), OUTPUTS)
    policy = page.split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    connect = next(p for p in policy.split("; ") if p.startswith("connect-src"))
    assert connect == (
        "connect-src 'self' https://abc123.execute-api.eu-west-1.amazonaws.com "
        "https://netz0-123.auth.eu-west-1.amazoncognito.com https://netz0-mail-bucket.s3.amazonaws.com"
    )
    # Upload forms go to the mail bucket; previews of pictures load from it, and nothing else.
    assert "img-src 'self' data: https://netz0-mail-bucket.s3.amazonaws.com;" in policy
    assert "script-src 'self';" in policy


def test_config_comes_from_the_stack_outputs():
    assert publish_portal.config(OUTPUTS) == {
        "apiUrl": OUTPUTS["ApiUrl"],
        "auth": {
            "mode": "cognito",
            "domain": OUTPUTS["UserPoolDomain"],
            "clientId": "client123",
            "redirectUri": "https://d111.cloudfront.net/",
        },
    }
