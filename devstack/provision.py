"""Creates, in the embedded AWS, the resources template.yaml declares that the functions use:
the table (with its stream), the mail bucket, the signing secret, the SES configuration set, the
verified sender, and the ticket event bus with its archive. Shared by the tests and the local server."""

from __future__ import annotations

import json
import secrets
from typing import Any

import boto3

from devstack.template import parameter_defaults, table_definition, template

OPERATORS_GROUP = "operators"  # the template's OperatorsGroup


def resource_names(prefix: str) -> dict[str, str]:
    """Local names for the template's resources (what !Ref resolves to in the functions' env)."""
    return {
        "TicketsTable": f"{prefix}-tickets",
        "MailBucket": f"{prefix}-mail",
        "MailSigningSecret": f"{prefix}-mail-signing",
        "MailConfigurationSet": f"{prefix}-mail",
        "TicketEventBus": f"{prefix}-tickets",
        "TicketEventArchive": f"{prefix}-tickets",
    }


def provision(names: dict[str, str]) -> None:
    """Every resource; `names` gains the user pool's id under "UserPool" (Cognito chooses it)."""
    provision_table(names)
    provision_mail(names)
    names["UserPool"] = provision_identity(names)
    provision_events(names)


def provision_identity(names: dict[str, str]) -> str:
    """The user pool and its operators group (the operator directory); returns the pool's id,
    which is what !Ref UserPool resolves to."""
    client: Any = boto3.client("cognito-idp")
    pool = client.create_user_pool(PoolName=f"{names['TicketsTable']}-users")["UserPool"]["Id"]
    client.create_group(UserPoolId=pool, GroupName=OPERATORS_GROUP)
    return str(pool)


def enlist_operator(user_pool_id: str, email: str, name: str | None = None) -> tuple[str, str]:
    """An operator in the pool and its operators group (created if missing): their sub and
    display name, as an ID token of theirs would carry them."""
    client: Any = boto3.client("cognito-idp")
    try:
        user = client.admin_get_user(UserPoolId=user_pool_id, Username=email)
        attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    except client.exceptions.UserNotFoundException:
        given = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        if name:
            given.append({"Name": "name", "Value": name})
        user = client.admin_create_user(
            UserPoolId=user_pool_id, Username=email, UserAttributes=given, MessageAction="SUPPRESS"
        )["User"]
        attributes = {a["Name"]: a["Value"] for a in user["Attributes"]}
    client.admin_add_user_to_group(UserPoolId=user_pool_id, Username=email, GroupName=OPERATORS_GROUP)
    return attributes["sub"], attributes.get("name") or email


def provision_table(names: dict[str, str]) -> None:
    boto3.client("dynamodb").create_table(**table_definition(names["TicketsTable"]))


def provision_mail(names: dict[str, str]) -> None:
    """What is not DynamoDB: the mail bucket, the signing secret, SES's configuration."""
    boto3.client("s3").create_bucket(
        Bucket=names["MailBucket"], CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    boto3.client("secretsmanager").create_secret(
        Name=names["MailSigningSecret"], SecretString=secrets.token_urlsafe(36)
    )
    ses: Any = boto3.client("sesv2")
    ses.create_configuration_set(ConfigurationSetName=names["MailConfigurationSet"])
    defaults = parameter_defaults()
    for identity in (defaults["MailDomain"], defaults["MailSender"]):
        ses.create_email_identity(EmailIdentity=identity)


def provision_events(names: dict[str, str]) -> None:
    """The ticket event bus and its archive, with the archive's pattern from the template (moto
    keeps the archived events, which is how the tests and /_local/events see what was published)."""
    archive = template()["Resources"]["TicketEventArchive"]["Properties"]
    events: Any = boto3.client("events")
    bus = events.create_event_bus(Name=names["TicketEventBus"])["EventBusArn"]
    events.create_archive(
        ArchiveName=names["TicketEventArchive"],
        EventSourceArn=bus,
        EventPattern=json.dumps(archive["EventPattern"]),
        RetentionDays=0,
    )
