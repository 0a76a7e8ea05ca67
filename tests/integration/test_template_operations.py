"""template.yaml's promises to the people who run it: alarms for what breaks, failure queues for
what is kept, checks that are fixed or justified. (The runbook is docs/runbook.md.)"""

from __future__ import annotations

import re
from typing import Any

import pytest

from devstack.template import ROOT, template

RESOURCES = template()["Resources"]
PARAMETERS = template()["Parameters"]
RUNBOOK = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")


def of_type(kind: str) -> dict[str, Any]:
    return {name: r for name, r in RESOURCES.items() if r["Type"] == kind}


FUNCTIONS = of_type("AWS::Serverless::Function")
ALARMS = [a["Properties"] for a in of_type("AWS::CloudWatch::Alarm").values()]


def alarms_on(namespace: str, metric: str, **dimensions: Any) -> list[dict[str, Any]]:
    return [
        a
        for a in ALARMS
        if (a["Namespace"], a["MetricName"]) == (namespace, metric)
        and {d["Name"]: d["Value"] for d in a.get("Dimensions", [])} == dimensions
    ]


def test_every_alarm_tells_the_topic_when_it_fires_and_when_it_clears():
    assert ALARMS
    for alarm in ALARMS:
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], alarm["AlarmName"]
        assert alarm["OKActions"] == [{"Ref": "AlarmTopic"}], alarm["AlarmName"]


def test_the_topic_mails_the_address_given_at_deploy_time_when_there_is_one():
    subscription = RESOURCES["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert template()["Conditions"]["HasAlarmEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("", True),
        ("guardia@netz0.example", True),
        ("ops+helpdesk@netz0.example", True),
        ("not-an-address", False),
        ("two@at@netz0.example", False),
        ("spaced out@netz0.example", False),
        ("nodomain@", False),
    ],
)
def test_the_alarm_address_parameter_refuses_what_is_no_address(value, accepted):
    # CloudFormation anchors AllowedPattern to the whole value.
    assert bool(re.fullmatch(PARAMETERS["AlarmEmail"]["AllowedPattern"], value)) is accepted


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_alarms_on_its_errors_and_its_throttles(name):
    for metric in ("Errors", "Throttles"):
        [alarm] = alarms_on("AWS/Lambda", metric, FunctionName={"Ref": name})
        assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
            "Sum",
            0,
            "GreaterThanThreshold",
        )
        assert alarm["TreatMissingData"] == "notBreaching"  # no invocations is no error


def on_failure_destinations() -> set[str]:
    """Queues the functions hand what failed to (async on-failure and stream on-failure)."""
    found = set()
    for fn in FUNCTIONS.values():
        props = fn["Properties"]
        configs = [props.get("EventInvokeConfig", {})] + [
            e.get("Properties", {}) for e in props.get("Events", {}).values()
        ]
        for config in configs:
            destination = config.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
            if destination:
                found.add(destination["Fn::GetAtt"][0])
    return found


def test_any_message_in_a_failure_queue_raises_an_alarm():
    assert on_failure_destinations() == {
        "InboundMailFailures",
        "NotificationFailures",
        "ReportFailures",
        "SearchIndexFailures",
        "MailFeedbackFailures",
        "EventPublishingFailures",
    }
    for queue in on_failure_destinations():
        [alarm] = alarms_on(
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", QueueName={"Fn::GetAtt": [queue, "QueueName"]}
        )
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")


def test_an_auto_close_that_stops_running_raises_an_alarm():
    [alarm] = alarms_on("AWS/Lambda", "Invocations", FunctionName={"Ref": "AutoCloseFunction"})
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "LessThanThreshold")
    assert alarm["TreatMissingData"] == "breaching"  # a schedule that stopped sends no data at all
    rate = re.fullmatch(r"rate\((\d+) minutes?\)", PARAMETERS["AutoCloseSchedule"]["Default"])
    assert rate
    assert (
        int(rate.group(1)) * 60 < alarm["Period"] * alarm["EvaluationPeriods"]
    )  # one missed run is no alarm


def test_ses_reputation_alarms_fire_before_ses_reviews_the_account():
    # SES reviews an account at a 5% bounce rate or a 0.1% complaint rate (pauses at 10% / 0.5%).
    for metric, parameter, review_level in (
        ("Reputation.BounceRate", "BounceRateAlarmThreshold", 0.05),
        ("Reputation.ComplaintRate", "ComplaintRateAlarmThreshold", 0.001),
    ):
        [alarm] = alarms_on("AWS/SES", metric)
        assert alarm["Threshold"] == {"Ref": parameter}
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert 0 < PARAMETERS[parameter]["Default"] < review_level


def test_any_5xx_of_the_api_raises_an_alarm():
    [alarm] = alarms_on("AWS/ApiGateway", "5xx", ApiId={"Ref": "HttpApi"}, Stage="$default")
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")


def test_every_alarm_points_to_a_section_of_the_runbook():
    headings = {
        re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in RUNBOOK.splitlines()
        if line.startswith("#")
    }
    for alarm in ALARMS:
        [anchor] = re.findall(r"docs/runbook\.md#([\w-]+)", alarm["AlarmDescription"])
        assert anchor in headings, (alarm["AlarmName"], anchor)


def test_every_queue_is_encrypted_at_rest():
    for name, queue in of_type("AWS::SQS::Queue").items():
        props = queue["Properties"]
        assert props.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in props, name
        assert props["MessageRetentionPeriod"] == 1209600, name  # 14 days: time to look and redrive


def test_every_asynchronously_invoked_function_keeps_what_failed():
    ses_targets = {
        action["LambdaAction"]["FunctionArn"]["Fn::GetAtt"][0]
        for rule in of_type("AWS::SES::ReceiptRule").values()
        for action in rule["Properties"]["Rule"]["Actions"]
        if action.get("LambdaAction", {}).get("InvocationType") == "Event"
    }
    scheduled = {
        name
        for name, fn in FUNCTIONS.items()
        if any(
            e["Type"] in ("Schedule", "ScheduleV2", "EventBridgeRule")
            for e in fn["Properties"].get("Events", {}).values()
        )
    }
    sns_subscribers = {
        name
        for name, fn in FUNCTIONS.items()
        if any(e["Type"] == "SNS" for e in fn["Properties"].get("Events", {}).values())
    }
    assert ses_targets == {"InboundEmailFunction"}
    assert scheduled == {"AutoCloseFunction", "EscalateFunction"}
    assert sns_subscribers == {"MailFeedbackFunction"}  # SNS invokes Lambda asynchronously
    for name in ses_targets | scheduled | sns_subscribers:
        props = FUNCTIONS[name]["Properties"]
        on_failure = props.get("EventInvokeConfig", {}).get("DestinationConfig", {}).get("OnFailure")
        assert on_failure or props.get("DeadLetterQueue", {}).get("Type") == "SQS", name
    # The next scheduled run is auto-close's retry; Lambda's own retries would only overlap it.
    assert FUNCTIONS["AutoCloseFunction"]["Properties"]["EventInvokeConfig"]["MaximumRetryAttempts"] == 0
    assert FUNCTIONS["EscalateFunction"]["Properties"]["EventInvokeConfig"]["MaximumRetryAttempts"] == 0


def test_the_functions_that_write_in_bulk_or_send_mail_have_reserved_concurrency():
    concurrency = {n: f["Properties"].get("ReservedConcurrentExecutions") for n, f in FUNCTIONS.items()}
    assert concurrency["AutoCloseFunction"] == 1  # never two runs at once
    assert concurrency["EscalateFunction"] == 1
    assert 0 < concurrency["InboundEmailFunction"] <= 20
    assert 0 < concurrency["NotifyFunction"] <= 20
    assert 0 < concurrency["MailFeedbackFunction"] <= 5  # one SES event per mail sent
    # Lambda keeps 100 of the account's concurrency unreserved: with the default 1,000 this fits.
    assert sum(c for c in concurrency.values() if c) <= 50


def test_the_mail_bucket_keeps_versions_for_a_while_and_logs_who_read_what():
    bucket = RESOURCES["MailBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    noncurrent = rules["expire-noncurrent-versions"]
    assert noncurrent["NoncurrentVersionExpiration"]["NoncurrentDays"] == {"Ref": "MailVersionRetentionDays"}
    assert noncurrent["ExpiredObjectDeleteMarker"] is True
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}
    prefix = bucket["LoggingConfiguration"]["LogFilePrefix"]

    [allow, deny] = RESOURCES["AccessLogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Resource"] == {"Fn::Sub": "${AccessLogsBucket.Arn}/" + prefix + "*"}
    assert allow["Condition"]["ArnLike"]["aws:SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:s3:::${MailBucket}"
    }
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    logs = RESOURCES["AccessLogsBucket"]["Properties"]
    assert all(logs["PublicAccessBlockConfiguration"].values())
    # S3 log delivery writes only with SSE-S3, never with a KMS key.
    assert logs["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}


def test_every_checkov_skip_names_a_check_and_gives_a_one_line_reason():
    skips = [
        (name, skip)
        for name, resource in RESOURCES.items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for name, skip in skips:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), name
        reason = skip["comment"]
        assert 20 <= len(reason) <= 200, (name, skip["id"])
        assert "\n" not in reason, (name, skip["id"])
    per_resource = [(name, skip["id"]) for name, skip in skips]
    assert len(per_resource) == len(set(per_resource))


def test_checkov_runs_pinned_in_its_own_environment_in_make_test():
    pins = (ROOT / "requirements-checkov.txt").read_text().split()
    assert any(re.fullmatch(r"checkov==\d+\.\d+\.\d+", p) for p in pins)
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test:.*\bcheckov\b", makefile, re.MULTILINE)
    assert "CHECKOV_VENV := .venv-checkov" in makefile
    assert "--skip-download" in makefile  # no calls home during a build


def test_ses_publishes_bounces_complaints_and_deliveries_to_the_feedback_function():
    destination = RESOURCES["MailFeedbackEventDestination"]["Properties"]
    assert destination["ConfigurationSetName"] == {"Ref": "MailConfigurationSet"}
    published = destination["EventDestination"]
    assert published["Enabled"] is True
    assert sorted(published["MatchingEventTypes"]) == ["bounce", "complaint", "delivery"]
    assert published["SnsDestination"]["TopicARN"] == {"Ref": "MailFeedbackTopic"}
    [subscription] = FUNCTIONS["MailFeedbackFunction"]["Properties"]["Events"].values()
    assert subscription["Properties"]["Topic"] == {"Ref": "MailFeedbackTopic"}
    # Only SES, from this account's configuration set, may publish to the topic.
    [statement] = RESOURCES["MailFeedbackTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"AWS:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert (
        "configuration-set/${MailConfigurationSet}"
        in statement["Condition"]["StringLike"]["AWS:SourceArn"]["Fn::Sub"]
    )


def test_the_readme_deploy_section_names_every_parameter_and_output():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deploying = readme.split("\n## Deploying", 1)[1].split("\n## ", 1)[0]
    missing = [
        name for name in [*PARAMETERS, *template()["Outputs"]] if not re.search(rf"`{name}`", deploying)
    ]
    assert missing == []
