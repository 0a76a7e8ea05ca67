"""Split a deploy that adds or removes several of the table's global secondary indexes into steps.

DynamoDB creates or deletes one global secondary index per UpdateTable, and CloudFormation
refuses a stack update of an `AWS::DynamoDB::Table` that does more ("Cannot perform more than one
GSI creation or deletion in a single update"), so a stack deployed before several indexes were
added cannot take the new version in one `sam deploy`. This writes the intermediate templates:
each is the stack's DEPLOYED template (its code and settings unchanged, so nothing queries an
index before it exists) with the table's indexes one change nearer to template.yaml's. Deploy
them in order, waiting for each new index to be ACTIVE, then `sam deploy` as usual: that last
deploy makes the one remaining change along with the new code.

    aws cloudformation get-template --stack-name <stack> --template-stage Original \\
        --query TemplateBody --output json > deployed.json
    .venv/bin/python scripts/stage_table_indexes.py deployed.json --out staged/

Exit status: 0 with the steps written (none when one deploy is enough), 2 when the change cannot
be staged (an index that keeps its name but changes its keys or projection: DynamoDB cannot
update that in place; give the new definition a new name).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devstack.template import TEMPLATE, CfnLoader

TABLE_TYPE = "AWS::DynamoDB::Table"


class CannotStage(Exception):
    """The index change is not a sequence of whole-index creations and deletions."""


@dataclass(frozen=True)
class IndexChange:
    action: str  # "create" | "delete"
    index_name: str


def load_template(text: str) -> dict[str, Any]:
    """A template from `get-template --output json` (a JSON string holding the YAML body, or the
    JSON body itself) or from a YAML/JSON file; short tags become their long form."""
    try:
        body: Any = json.loads(text)
    except json.JSONDecodeError:
        body = text
    if isinstance(body, str):
        body = yaml.load(body, Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass
    if not isinstance(body, dict) or not isinstance(body.get("Resources"), dict):
        raise CannotStage("that is not a CloudFormation template (no Resources)")
    return body


def table_resource(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    tables = [(name, res) for name, res in template["Resources"].items() if res.get("Type") == TABLE_TYPE]
    if len(tables) != 1:
        raise CannotStage(f"expected one {TABLE_TYPE} in the template, found {len(tables)}")
    return tables[0]


def _indexes(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {gsi["IndexName"]: gsi for gsi in table["Properties"].get("GlobalSecondaryIndexes", [])}


def changes(deployed: dict[str, Any], wanted: dict[str, Any]) -> list[IndexChange]:
    """The creations (in the new template's order), then the deletions, that lead from the
    deployed table's indexes to the wanted ones."""
    (deployed_name, deployed_table), (wanted_name, wanted_table) = (
        table_resource(deployed),
        table_resource(wanted),
    )
    if deployed_name != wanted_name:
        raise CannotStage(
            f"the table's logical id changed ({deployed_name} -> {wanted_name}): that replaces the table"
        )
    old, new = _indexes(deployed_table), _indexes(wanted_table)
    for name in old.keys() & new.keys():
        if old[name] != new[name]:
            raise CannotStage(
                f"index {name} keeps its name but changes its definition; DynamoDB cannot update that "
                "in place: give the new definition a new name (and drop the old one in a later release)"
            )
    created = [IndexChange("create", name) for name in new if name not in old]
    deleted = [IndexChange("delete", name) for name in old if name not in new]
    return created + deleted


def _with_indexes(deployed: dict[str, Any], wanted: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The deployed template whose table has exactly the indexes `names` (definitions from
    whichever template has them) and the attribute definitions those keys use."""
    step = copy.deepcopy(deployed)
    table_name, table = table_resource(step)
    definitions = {**_indexes(table_resource(wanted)[1]), **_indexes(table)}
    props = table["Properties"]
    props["GlobalSecondaryIndexes"] = [copy.deepcopy(definitions[name]) for name in names]
    # DynamoDB refuses an attribute definition no key uses, and needs one for every key.
    used = {key["AttributeName"] for key in props["KeySchema"]}
    for gsi in props["GlobalSecondaryIndexes"]:
        used |= {key["AttributeName"] for key in gsi["KeySchema"]}
    known = {a["AttributeName"]: a for a in table_resource(wanted)[1]["Properties"]["AttributeDefinitions"]}
    known.update({a["AttributeName"]: a for a in props["AttributeDefinitions"]})
    missing = sorted(used - known.keys())
    if missing:
        raise CannotStage(f"no attribute definition for {', '.join(missing)} in either template")
    props["AttributeDefinitions"] = [known[name] for name in sorted(used)]
    step["Resources"][table_name] = table
    return step


def staged_templates(
    deployed: dict[str, Any], wanted: dict[str, Any]
) -> list[tuple[IndexChange, dict[str, Any]]]:
    """One template per index change but the last (the real deploy makes that one)."""
    steps = changes(deployed, wanted)
    names = list(_indexes(table_resource(deployed)[1]))
    out = []
    for change in steps[:-1]:
        if change.action == "create":
            names.append(change.index_name)
        else:
            names.remove(change.index_name)
        out.append((change, _with_indexes(deployed, wanted, names)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("deployed", type=Path, help="the stack's template as deployed (get-template output)")
    parser.add_argument(
        "--template", type=Path, default=TEMPLATE, help="the version to deploy (template.yaml)"
    )
    parser.add_argument("--out", type=Path, default=Path("staged"), help="folder for step-N.json")
    args = parser.parse_args(argv)
    try:
        deployed = load_template(args.deployed.read_text(encoding="utf-8"))
        wanted = load_template(args.template.read_text(encoding="utf-8"))
        all_changes = changes(deployed, wanted)
        steps = staged_templates(deployed, wanted)
    except (CannotStage, OSError, yaml.YAMLError) as error:
        print(f"cannot stage: {error}", file=sys.stderr)
        return 2
    if not steps:
        print(f"{len(all_changes)} index change(s): one `sam deploy` is enough")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for number, (change, template) in enumerate(steps, start=1):
        path = args.out / f"step-{number}.json"
        path.write_text(json.dumps(template, indent=1) + "\n", encoding="utf-8")
        print(f"{path}: {change.action} {change.index_name}")
    last = all_changes[-1]
    print(f"then `sam deploy`: {last.action} {last.index_name}, with the new code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
