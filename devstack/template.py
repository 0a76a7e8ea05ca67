"""Reads template.yaml: functions, their HTTP routes and environment, and the table definition,
so tests and the local server use exactly what is deployed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


class CfnLoader(yaml.SafeLoader):
    """PyYAML loader that understands CloudFormation's short tags (!Ref, !Sub, !GetAtt ...)."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"  # their long forms
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


CfnLoader.add_multi_constructor("!", _tag)


@cache
def template() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass
    return doc


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway form: /tickets/{id}
    authorized: bool

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method.upper() != self.method:
            return None
        pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path)) + "$"
        found = re.match(pattern, path)
        return found.groupdict() if found else None


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    routes: tuple[Route, ...] = ()
    schedule: str | None = None
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.code_dir.name


def parameter_defaults() -> dict[str, str]:
    return {k: str(v.get("Default", "")) for k, v in template().get("Parameters", {}).items()}


def _resolve(value: Any, names: dict[str, str]) -> str:
    """Enough of Ref/Sub to turn environment values into strings locally."""
    if isinstance(value, dict) and "Ref" in value:
        ref = str(value["Ref"])
        return names.get(ref, ref)
    if isinstance(value, dict) and "Fn::Sub" in value:
        return re.sub(r"\$\{([\w:.]+)\}", lambda m: names.get(m.group(1), m.group(1)), value["Fn::Sub"])
    return str(value)


def functions(resource_names: dict[str, str] | None = None) -> list[FunctionSpec]:
    """Every AWS::Serverless::Function, with Globals applied and references resolved against the
    parameter defaults and `resource_names` (e.g. {"TicketsTable": "local-table"})."""
    doc = template()
    names = {**parameter_defaults(), "AWS::Region": "eu-west-1", **(resource_names or {})}
    global_fn = doc.get("Globals", {}).get("Function", {})
    specs = []
    for logical_id, resource in doc["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = {**global_fn, **resource["Properties"]}
        env_vars = {
            **global_fn.get("Environment", {}).get("Variables", {}),
            **resource["Properties"].get("Environment", {}).get("Variables", {}),
        }
        routes, schedule = [], None
        for event in props.get("Events", {}).values():
            if event["Type"] == "HttpApi":
                auth = event["Properties"].get("Auth", {}).get("Authorizer")
                routes.append(
                    Route(event["Properties"]["Method"].upper(), event["Properties"]["Path"], auth != "NONE")
                )
            elif event["Type"] in ("Schedule", "ScheduleV2"):
                schedule = _resolve(
                    event["Properties"].get("Schedule") or event["Properties"]["ScheduleExpression"], names
                )
        specs.append(
            FunctionSpec(
                logical_id=logical_id,
                code_dir=ROOT / props["CodeUri"],
                handler=props["Handler"],
                routes=tuple(routes),
                schedule=schedule,
                environment={k: _resolve(v, names) for k, v in env_vars.items()},
            )
        )
    return specs


def table_definition(table_name: str) -> dict[str, Any]:
    """create_table arguments for the tickets table, exactly as declared in the template."""
    props = template()["Resources"]["TicketsTable"]["Properties"]
    keep = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
    definition = {"TableName": table_name, **{k: props[k] for k in keep if k in props}}
    if "StreamSpecification" in props:
        definition["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    plain: dict[str, Any] = json.loads(json.dumps(definition))  # a deep copy: callers may change it
    return plain


def ttl_attribute() -> str | None:
    spec = template()["Resources"]["TicketsTable"]["Properties"].get("TimeToLiveSpecification")
    return spec["AttributeName"] if spec and spec.get("Enabled") else None
