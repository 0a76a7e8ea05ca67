"""template.yaml says what is deployed; these check the promises it must keep, and that the code
and the template have not drifted apart."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from devstack import openapi
from devstack.template import ROOT, functions, template
from helpdesk.sla_config import SlaDocument

RESOURCES = template()["Resources"]


def of_type(kind):
    return {name: r for name, r in RESOURCES.items() if r["Type"] == kind}


def test_the_api_routes_are_the_issues_table():
    routes = {route.route_key: spec.name for spec in functions() for route in spec.routes}
    assert routes == {
        "POST /tickets": "open_ticket",
        "GET /tickets": "list_tickets",
        "GET /tickets/{id}": "get_ticket",
        "POST /tickets/{id}/replies": "reply",
        "POST /tickets/{id}/assign": "assign",
        "PATCH /tickets/{id}": "update_ticket",
        "POST /tickets/{id}/close": "close",
        "POST /tickets/{id}/reopen": "reopen",
        "POST /tickets/{id}/merge": "merge",
        "GET /canned-replies": "canned_replies",
        "POST /canned-replies": "canned_replies",
        "PUT /canned-replies/{id}": "canned_replies",
        "DELETE /canned-replies/{id}": "canned_replies",
        "GET /departments": "departments",
        "GET /openapi.json": "openapi",
        "GET /account/emails": "account_emails",
        "POST /account/emails": "account_emails",
        "DELETE /account/emails/{email}": "account_emails",
        "POST /account/emails/confirm": "account_emails",
        "POST /account/emails/{email}/reconfirm": "account_emails",
        "GET /tickets/{id}/messages/{message_id}/attachments/{index}": "attachments",
        "GET /account": "account",
        "PUT /account": "account",
        "POST /uploads": "uploads",
        "GET /reports": "reports",
        "POST /ratings/lookup": "ratings",
        "PUT /ratings": "ratings",
        "PUT /tickets/{id}/rating": "ratings",
        "GET /account/export": "export_account",
        "GET /operators": "operators",
        "GET /operators/me": "operators",
        "PUT /operators/me": "operators",
        "GET /accounts/lookup": "account_lookup",
    }


def test_only_the_openapi_document_address_confirmation_and_rating_links_are_public():
    public = [r.route_key for s in functions() for r in s.routes if not r.authorized]
    # Confirming an address: the owner may have no login on the account; the signed token or the
    # code from the mail sent to that address is the proof. A rating link from the close mail:
    # its signed token, scoped to the ticket and the closing, is.
    assert sorted(public) == [
        "GET /openapi.json",
        "POST /account/emails/confirm",
        "POST /ratings/lookup",
        "PUT /ratings",
    ]
    auth = RESOURCES["HttpApi"]["Properties"]["Auth"]
    assert auth["DefaultAuthorizer"] == "CognitoJwt"
    jwt = auth["Authorizers"]["CognitoJwt"]["JwtConfiguration"]
    assert jwt["audience"] == [{"Ref": "UserPoolClient"}]


def test_customers_cannot_rewrite_their_account_claim():
    client = RESOURCES["UserPoolClient"]["Properties"]
    assert "custom:account_id" in client["ReadAttributes"]
    assert "custom:account_id" not in client["WriteAttributes"]
    assert RESOURCES["OperatorsGroup"]["Properties"]["GroupName"] == "operators"


def test_table_is_on_demand_encrypted_and_recoverable():
    table = RESOURCES["TicketsTable"]
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert len(of_type("AWS::DynamoDB::Table")) == 1


def test_the_due_index_is_sparse_and_keyed_by_deadline():
    index = next(
        i
        for i in RESOURCES["TicketsTable"]["Properties"]["GlobalSecondaryIndexes"]
        if i["IndexName"] == "auto_close_due"
    )
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["due_pk", "auto_close_at"]


def test_the_sla_index_is_sparse_per_department_and_the_policies_are_configuration():
    index = next(
        i
        for i in RESOURCES["TicketsTable"]["Properties"]["GlobalSecondaryIndexes"]
        if i["IndexName"] == "sla_response"
    )
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["sla_pk", "sla_clock"]
    parameters = template()["Parameters"]
    departments = tuple(d["id"] for d in json.loads(parameters["Departments"]["Default"]))
    policies = SlaDocument.from_json(parameters["SlaPolicies"]["Default"]).policies_for(departments)
    support = policies.for_ticket("soporte", "normal")
    assert (support.calendar.id, support.first_response) == ("oficina", timedelta(minutes=60))
    env = template()["Globals"]["Function"]["Environment"]["Variables"]
    assert env["SLA_POLICIES"] == {"Ref": "SlaPolicies"}
    assert env["SLA_WARNING_MINUTES"] == {"Ref": "SlaWarningMinutes"}


def test_every_function_has_its_own_least_privilege_policy_and_no_scan():
    for name, fn in of_type("AWS::Serverless::Function").items():
        for policy in fn["Properties"].get("Policies", []):
            assert isinstance(policy, dict), name
            assert "Statement" in policy, name  # explicit statements, no broad SAM policy templates
            for statement in policy["Statement"]:
                actions = statement["Action"]
                services = {a.split(":")[0] for a in actions}
                allowed = {"dynamodb", "s3", "ses", "secretsmanager", "sqs", "cognito-idp", "events"}
                assert services <= allowed, name
                if "events" in services:  # publishing, to the stack's own bus only
                    assert actions == ["events:PutEvents"], name
                    assert statement["Resource"] == {"Fn::GetAtt": ["TicketEventBus", "Arn"]}, name
                assert not any(a.endswith("*") for a in actions), name
                if "cognito-idp" in services:  # the operator directory: read the group, on the pool only
                    assert actions == ["cognito-idp:ListUsersInGroup"], name
                    assert statement["Resource"] == {"Fn::GetAtt": ["UserPool", "Arn"]}, name
                assert "dynamodb:Scan" not in actions, name
                # Removing an address deletes its items; deleting a canned reply deletes its item.
                if name not in ("AccountEmailsFunction", "CannedRepliesFunction"):
                    assert "DeleteItem" not in str(actions), name


def test_read_only_functions_cannot_write():
    for name in ("GetTicketFunction", "ListTicketsFunction"):
        actions = [
            a for p in RESOURCES[name]["Properties"]["Policies"] for s in p["Statement"] for a in s["Action"]
        ]
        # Reads only (the search reads its index entries and the tickets found by id).
        assert set(actions) <= {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem"}, name
        assert "dynamodb:Query" in actions, name


def test_every_function_has_a_log_group_with_retention():
    groups = of_type("AWS::Logs::LogGroup")
    named = {g["Properties"]["LogGroupName"]["Fn::Sub"] for g in groups.values()}
    for name in of_type("AWS::Serverless::Function"):
        assert f"/aws/lambda/${{{name}}}" in named, name
    assert all(g["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"} for g in groups.values())


def test_schedule_has_a_per_stack_name_and_configurable_rate():
    schedule = RESOURCES["AutoCloseFunction"]["Properties"]["Events"]["Schedule"]["Properties"]
    assert schedule["Name"] == {"Fn::Sub": "${AWS::StackName}-auto-close"}
    assert schedule["Schedule"] == {"Ref": "AutoCloseSchedule"}
    assert template()["Parameters"]["AutoCloseSchedule"]["Default"] == "rate(5 minutes)"
    assert template()["Parameters"]["AutoCloseHours"]["Default"] == 72


def test_globals_runtime_and_layer():
    fn = template()["Globals"]["Function"]
    assert (fn["Runtime"], fn["Architectures"]) == ("python3.13", ["arm64"])
    layer = RESOURCES["CommonLayer"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert (ROOT / "layers/common/helpdesk/__init__.py").exists()  # package at the layer root, see notes


def test_the_layer_and_every_function_are_built_to_bytecode_by_their_makefiles():
    # BuildMethod: python3.13 ships no .pyc (every cold start compiled the layer from source); the
    # Makefiles install the arm64 wheels and compile unchecked-hash bytecode, valid in the zip.
    layer = RESOURCES["CommonLayer"]["Metadata"]
    assert (layer["BuildMethod"], layer["BuildArchitecture"]) == ("makefile", "arm64")
    assert "build-CommonLayer:" in (ROOT / "layers/common/Makefile").read_text()
    built = {
        name: (r.get("Metadata", {}).get("BuildMethod"), r.get("Metadata", {}).get("ContextPath"))
        for name, r in of_type("AWS::Serverless::Function").items()
    }
    assert built == dict.fromkeys(built, ("makefile", "functions"))
    assert len(built) == len(functions())
    rules = (ROOT / "functions/Makefile").read_text()
    assert "build-%:" in rules
    assert "--invalidation-mode unchecked-hash" in rules


def test_departments_are_configuration():
    assert "comercial" in template()["Parameters"]["Departments"]["Default"]
    source = "".join(p.read_text() for p in (ROOT / "layers/common/helpdesk").rglob("*.py"))
    assert "Soporte Técnico" not in source


@pytest.mark.parametrize("folder", ["layers", "functions", "devstack"])
def test_no_scan_anywhere(folder):
    for path in Path(ROOT / folder).rglob("*.py"):
        assert not re.search(r"\.scan\(|\"Scan\"|'Scan'", path.read_text()), path


def test_the_served_openapi_document_is_up_to_date():
    committed = openapi.OUTPUT.read_text(encoding="utf-8")
    assert committed == openapi.render(), "run `make openapi`"


def test_every_function_folder_is_in_the_template():
    folders = {p.name for p in (ROOT / "functions").iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert folders == {spec.name for spec in functions()}


def test_the_inbound_rule_stores_then_invokes_and_exists_after_its_permissions():
    rule = RESOURCES["InboundRule"]
    assert set(rule["DependsOn"]) == {"MailBucketPolicy", "InboundEmailSesPermission"}
    actions = rule["Properties"]["Rule"]["Actions"]
    assert list(actions[0]) == ["S3Action"]
    assert actions[0]["S3Action"]["ObjectKeyPrefix"] == "inbound/"
    assert actions[1]["LambdaAction"]["InvocationType"] == "Event"
    assert rule["Properties"]["Rule"]["ScanEnabled"] is True


def test_the_mail_bucket_is_encrypted_private_and_expires_raw_mail():
    bucket = RESOURCES["MailBucket"]["Properties"]
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-raw-inbound-mail"]["Prefix"] == "inbound/"
    policy = RESOURCES["MailBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert policy["Principal"] == {"Service": "ses.amazonaws.com"}
    assert policy["Condition"]["StringEquals"] == {"AWS:SourceAccount": {"Ref": "AWS::AccountId"}}


def test_failures_are_kept_not_lost():
    inbound = RESOURCES["InboundEmailFunction"]["Properties"]["EventInvokeConfig"]
    assert inbound["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
    stream = RESOURCES["NotifyFunction"]["Properties"]["Events"]["TableChanges"]["Properties"]
    assert stream["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_portal_is_private_behind_cloudfront_with_origin_access_control():
    bucket = RESOURCES["PortalBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    origin = RESOURCES["PortalDistribution"]["Properties"]["DistributionConfig"]["Origins"][0]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["PortalOriginAccessControl", "Id"]}
    statement = RESOURCES["PortalBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "AWS:SourceArn" in statement["Condition"]["StringEquals"]
    behavior = RESOURCES["PortalDistribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"


def test_the_portal_signs_in_with_the_code_flow_and_only_its_origin_may_call_the_api():
    client = RESOURCES["UserPoolClient"]["Properties"]
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["GenerateSecret"] is False  # a browser app: PKCE instead of a secret
    cors = RESOURCES["HttpApi"]["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"] == [{"Fn::Sub": "https://${PortalDistribution.DomainName}"}]
    assert "if-match" in cors["AllowHeaders"]
    assert "etag" in cors["ExposeHeaders"]


def test_the_openapi_document_says_what_every_route_answers():
    document = openapi.generate()
    successes = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            ok = sorted(code for code in responses if code.startswith(("2", "3")))
            successes[f"{method.upper()} {path}"] = ok
            for code in ok:
                content = responses[code].get("content", {})
                if code in ("204", "302"):
                    assert content == {}, (path, code)  # served without a body
                else:
                    assert "schema" in content["application/json"], (path, code)
            assert "GatewayErrorOut" in json.dumps(responses["401"])
    assert successes == {
        "GET /account": ["200"],
        "PUT /account": ["200"],
        "GET /account/export": ["200"],
        "GET /accounts/lookup": ["200"],
        "GET /account/emails": ["200"],
        "POST /account/emails": ["200", "202"],
        "POST /account/emails/confirm": ["200"],
        "DELETE /account/emails/{email}": ["204"],
        "POST /account/emails/{email}/reconfirm": ["200", "202"],
        "GET /departments": ["200"],
        "GET /reports": ["200"],
        "GET /operators": ["200"],
        "GET /operators/me": ["200"],
        "PUT /operators/me": ["200"],
        "GET /tickets": ["200"],
        "POST /tickets": ["201"],
        "GET /tickets/{id}": ["200"],
        "PATCH /tickets/{id}": ["200"],
        "POST /tickets/{id}/assign": ["200"],
        "POST /tickets/{id}/close": ["200"],
        "GET /tickets/{id}/messages/{message_id}/attachments/{index}": ["200", "302"],
        "POST /tickets/{id}/reopen": ["200"],
        "POST /tickets/{id}/merge": ["200"],
        "POST /tickets/{id}/replies": ["201"],
        "GET /canned-replies": ["200"],
        "POST /canned-replies": ["201"],
        "PUT /canned-replies/{id}": ["200"],
        "DELETE /canned-replies/{id}": ["204"],
        "POST /uploads": ["201"],
        "POST /ratings/lookup": ["200"],
        "PUT /ratings": ["200"],
        "PUT /tickets/{id}/rating": ["200"],
    }
