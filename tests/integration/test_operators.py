"""/operators on moto's Cognito and the table from template.yaml: the directory is the operators
group (all its pages), each operator's preferences one item; warm requests do not call Cognito.
Bad inputs tried: customers on every route (403), an unknown department, unknown notices and
languages, fields nobody may set, a list where an object belongs, too many departments."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.support.harness import ANA, NAMES, enlist


@pytest.fixture
def staff(api) -> dict[str, dict[str, Any]]:
    return {
        "lucia": enlist("lucia@netz0.example", "Lucía Romero"),
        "elena": enlist("elena@netz0.example", "Elena Vidal"),
    }


def directory_module(gateway) -> Any:
    spec = next(s for s in gateway.specs if s.logical_id == "OperatorsFunction")
    return gateway.module(spec)


def test_the_directory_lists_the_operators_group_by_name(api, staff):
    result = api.get("/operators", staff["lucia"])
    assert result.status == 200, result.body
    assert result.json()["items"] == [
        {
            "id": staff["elena"]["sub"],
            "email": "elena@netz0.example",
            "name": "Elena Vidal",
            "departments": ["comercial", "soporte"],
        },
        {
            "id": staff["lucia"]["sub"],
            "email": "lucia@netz0.example",
            "name": "Lucía Romero",
            "departments": ["comercial", "soporte"],
        },
    ]


def test_every_page_of_the_group_is_read(api):
    for n in range(65):  # ListUsersInGroup answers at most 60 a page
        enlist(f"op{n:02d}@netz0.example", f"Operador {n:02d}")
    me = enlist("op00@netz0.example", "Operador 00")
    items = api.get("/operators", me).json()["items"]
    assert len(items) == 65
    assert items[-1]["name"] == "Operador 64"


def test_someone_outside_the_group_is_not_listed(api, staff):
    cognito = boto3.client("cognito-idp")
    cognito.admin_create_user(
        UserPoolId=NAMES["UserPool"],
        Username="cliente@cliente.example",
        UserAttributes=[{"Name": "email", "Value": "cliente@cliente.example"}],
    )
    cognito.admin_disable_user(UserPoolId=NAMES["UserPool"], Username="lucia@netz0.example")
    names = [o["name"] for o in api.get("/operators", staff["elena"]).json()["items"]]
    assert names == ["Elena Vidal"]  # neither the customer nor the disabled operator


def test_my_settings_default_then_change_and_show_in_the_directory(api, staff):
    lucia = staff["lucia"]
    mine = api.get("/operators/me", lucia).json()
    assert mine == {
        "id": lucia["sub"],
        "email": "lucia@netz0.example",
        "name": "Lucía Romero",
        "departments": ["comercial", "soporte"],
        "notifications": ["assigned", "customer_reply", "new_ticket", "note", "sla_alert"],
        "language": "es",
    }
    changed = api.call(
        "PUT",
        "/operators/me",
        lucia,
        body={"departments": ["soporte"], "notifications": ["assigned"], "language": "en"},
    )
    assert changed.status == 200, changed.body
    assert changed.json()["departments"] == ["soporte"]
    assert api.get("/operators/me", lucia).json() == changed.json()
    listed = {o["name"]: o["departments"] for o in api.get("/operators", staff["elena"]).json()["items"]}
    assert listed == {"Elena Vidal": ["comercial", "soporte"], "Lucía Romero": ["soporte"]}


def test_warm_requests_call_cognito_zero_times(api, gateway, staff):
    assert api.get("/operators", staff["lucia"]).status == 200  # the first: the group is read
    module = directory_module(gateway)
    group = module.directory._group
    calls = group.calls
    for who in (staff["lucia"], staff["elena"]):
        assert api.get("/operators", who).status == 200
        assert api.get("/operators/me", who).status == 200
    assert group.calls == calls


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/operators", None),
        ("GET", "/operators/me", None),
        ("PUT", "/operators/me", {"departments": [], "notifications": [], "language": "es"}),
    ],
)
def test_customers_get_403_on_every_operator_route(api, method, path, body):
    result = api.call(method, path, ANA, body=body)
    assert result.status == 403, result.body
    assert result.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"departments": ["ventas"], "notifications": [], "language": "es"}, "departments"),
        ({"departments": [], "notifications": ["todo"], "language": "es"}, "notifications.0"),
        ({"departments": [], "notifications": [], "language": "fr"}, "language"),
        ({"departments": [], "notifications": [], "language": "es", "email": "x@y.z"}, "email"),
        ({"departments": ["soporte"] * 21, "notifications": [], "language": "es"}, "departments"),
        ({"notifications": [], "language": "es"}, "departments"),
    ],
)
def test_bad_settings_are_422_and_change_nothing(api, staff, body, field):
    result = api.call("PUT", "/operators/me", staff["lucia"], body=body)
    assert result.status == 422, result.body
    assert field in [d["field"] for d in result.json()["error"]["details"]]
    assert api.get("/operators/me", staff["lucia"]).json()["language"] == "es"


def test_a_list_for_a_body_is_422(api, staff):
    result = api.call("PUT", "/operators/me", staff["lucia"], body=["soporte"])
    assert result.status == 422, result.body
