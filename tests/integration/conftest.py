"""Moto as the embedded AWS, the table and mail resources created from template.yaml, the
handlers loaded fresh for each test (a cold start) and called through lambda_handler."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devstack.gateway import LocalGateway
from devstack.provision import provision
from tests.support.harness import NAMES, Api, Mailbox, Postman, SearchIndexer


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
