"""Moto as the embedded AWS, the table and mail resources created from template.yaml, the
handlers loaded fresh for each test (a cold start) and called through lambda_handler; `table`,
the template's table alone on moto and on DynamoDB Local (a test runs once on each)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devstack.dynamodb import engine
from devstack.gateway import LocalGateway
from devstack.provision import provision
from devstack.template import table_definition
from helpdesk.store.codec import dump_item, load_item
from tests.support.harness import NAMES, Api, Herald, Mailbox, Postman, SearchIndexer


@pytest.fixture
def aws() -> Iterator[Any]:
    with mock_aws():
        provision(NAMES)
        yield boto3.client("dynamodb")


@pytest.fixture
def gateway(aws: Any) -> LocalGateway:
    gw = LocalGateway(NAMES)
    os.environ.update(gw.environment())
    gw.cold_start()
    return gw


@pytest.fixture
def api(gateway: LocalGateway) -> Api:
    return Api(gateway, SearchIndexer(gateway))


@pytest.fixture
def mailbox(gateway: LocalGateway, api: Api) -> Mailbox:
    return Mailbox(gateway, api)


@pytest.fixture
def postman(gateway: LocalGateway) -> Postman:
    return Postman(gateway)


class Table:
    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name = client, name

    def put(self, key: str, **attributes: Any) -> None:
        self.client.put_item(TableName=self.name, Item=dump_item({"pk": key, "sk": "TICKET", **attributes}))

    def update(self, key: str, expression: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "Key": dump_item({"pk": key, "sk": "TICKET"}),
            "UpdateExpression": expression,
            "ReturnValues": "ALL_NEW",
        }
        if values:
            kwargs["ExpressionAttributeValues"] = dump_item(values)
        return load_item(self.client.update_item(**kwargs)["Attributes"])


@pytest.fixture(params=["moto", "dynamodb-local"])
def table(request: pytest.FixtureRequest) -> Iterator[Table]:
    name = f"queue-{uuid.uuid4().hex[:8]}"
    if request.param == "moto":
        with mock_aws():
            client = boto3.client("dynamodb", region_name="eu-west-1")
            client.create_table(**table_definition(name))  # the template's table, queue indexes too
            yield Table(client, name)
        return
    local = engine()
    local.wait_ready(timeout=180)  # a loaded shared machine starts the JVM slowly
    client = local.client()
    client.create_table(**table_definition(name))
    try:
        yield Table(client, name)
    finally:
        client.delete_table(TableName=name)


@pytest.fixture
def herald(gateway: LocalGateway) -> Herald:
    return Herald(gateway)
