"""Creates, in the embedded AWS, the resources template.yaml declares that the functions use:
the table (with its stream), the mail bucket, the signing secret, the SES configuration set and
the verified sender. Shared by the tests and the local server."""

from __future__ import annotations

import secrets
from typing import Any

import boto3

from devstack.template import parameter_defaults, table_definition


def resource_names(prefix: str) -> dict[str, str]:
    """Local names for the template's resources (what !Ref resolves to in the functions' env)."""
    return {
        "TicketsTable": f"{prefix}-tickets",
        "MailBucket": f"{prefix}-mail",
        "MailSigningSecret": f"{prefix}-mail-signing",
        "MailConfigurationSet": f"{prefix}-mail",
    }


def provision(names: dict[str, str]) -> None:
    provision_table(names)
    provision_mail(names)


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
