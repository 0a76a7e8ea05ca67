"""scripts/stage_table_indexes.py: a deploy that adds several table indexes becomes steps that
CloudFormation accepts (one index creation or deletion per table update), each the deployed
template with its indexes one change nearer. Bad inputs tried: a file that is no template, a
missing file, an index redefined under its own name, a renamed table resource."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from devstack.template import TEMPLATE, template

_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "stage_table_indexes.py"
_spec = importlib.util.spec_from_file_location("stage_table_indexes", _SCRIPT)
assert _spec is not None
assert _spec.loader is not None
stage = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = stage  # its dataclasses look their module up
_spec.loader.exec_module(stage)

NEW_SINCE_DEPLOY = ("sla_by_priority", "queue_by_status", "queue_all")


def index_names(tpl: dict[str, Any]) -> list[str]:
    return [
        gsi["IndexName"] for gsi in tpl["Resources"]["TicketsTable"]["Properties"]["GlobalSecondaryIndexes"]
    ]


def attribute_names(tpl: dict[str, Any]) -> set[str]:
    return {
        a["AttributeName"] for a in tpl["Resources"]["TicketsTable"]["Properties"]["AttributeDefinitions"]
    }


def key_attributes(tpl: dict[str, Any]) -> set[str]:
    props = tpl["Resources"]["TicketsTable"]["Properties"]
    keys = {k["AttributeName"] for k in props["KeySchema"]}
    for gsi in props["GlobalSecondaryIndexes"]:
        keys |= {k["AttributeName"] for k in gsi["KeySchema"]}
    return keys


@pytest.fixture
def deployed() -> dict[str, Any]:
    """template.yaml as a stack deployed before the queue would have it: without the three
    indexes (and their key attributes), and with code of its own (a function's description)."""
    old = copy.deepcopy(template())
    props = old["Resources"]["TicketsTable"]["Properties"]
    props["GlobalSecondaryIndexes"] = [
        g for g in props["GlobalSecondaryIndexes"] if g["IndexName"] not in NEW_SINCE_DEPLOY
    ]
    used = key_attributes(old)
    props["AttributeDefinitions"] = [a for a in props["AttributeDefinitions"] if a["AttributeName"] in used]
    old["Resources"]["OpenTicketFunction"]["Properties"]["Description"] = "the version deployed"
    return old


def test_the_template_has_one_table_resource_named_as_the_tests_expect() -> None:
    name, _ = stage.table_resource(template())
    assert name == "TicketsTable"
    assert set(NEW_SINCE_DEPLOY) <= set(index_names(template()))


def test_three_new_indexes_take_two_staged_deploys_then_sam_deploy(deployed: dict[str, Any]) -> None:
    steps = stage.staged_templates(deployed, template())

    assert [(c.action, c.index_name) for c, _ in steps] == [
        ("create", "sla_by_priority"),
        ("create", "queue_by_status"),
    ]
    previous = deployed
    for _, step in steps:
        # One index more than the template before it: what CloudFormation accepts in one update.
        assert len(set(index_names(step)) - set(index_names(previous))) == 1
        assert set(index_names(previous)) <= set(index_names(step))
        # Attribute definitions exactly for the keys in use (DynamoDB refuses any other).
        assert attribute_names(step) == key_attributes(step)
        # Everything but the table is the deployed stack: no code queries an index before it exists.
        others = {k: v for k, v in step["Resources"].items() if k != "TicketsTable"}
        assert others == {k: v for k, v in deployed["Resources"].items() if k != "TicketsTable"}
        assert step["Resources"]["OpenTicketFunction"]["Properties"]["Description"] == "the version deployed"
        previous = step
    # And the real deploy after the last step makes one change more: the last index.
    assert set(index_names(template())) - set(index_names(previous)) == {"queue_all"}
    assert "queue_rank" in attribute_names(previous)
    assert "sla_priority_pk" in attribute_names(previous)


def test_one_new_index_needs_no_step(deployed: dict[str, Any]) -> None:
    props = deployed["Resources"]["TicketsTable"]["Properties"]
    wanted = copy.deepcopy(template())
    wanted_props = wanted["Resources"]["TicketsTable"]["Properties"]
    wanted_props["GlobalSecondaryIndexes"] = [
        *props["GlobalSecondaryIndexes"],
        wanted_props["GlobalSecondaryIndexes"][-1],
    ]
    assert [(c.action, c.index_name) for c in stage.changes(deployed, wanted)] == [("create", "queue_all")]
    assert stage.staged_templates(deployed, wanted) == []


def test_an_index_dropped_and_others_added_are_steps_too(deployed: dict[str, Any]) -> None:
    props = deployed["Resources"]["TicketsTable"]["Properties"]
    props["GlobalSecondaryIndexes"].append(
        {
            "IndexName": "retired",
            "KeySchema": [{"AttributeName": "old_pk", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    )
    props["AttributeDefinitions"].append({"AttributeName": "old_pk", "AttributeType": "S"})

    steps = stage.staged_templates(deployed, template())

    assert [(c.action, c.index_name) for c, _ in steps] == [
        ("create", "sla_by_priority"),
        ("create", "queue_by_status"),
        ("create", "queue_all"),
    ]
    assert "retired" in index_names(steps[-1][1])
    assert "old_pk" in attribute_names(steps[-1][1])  # still used until the real deploy drops it


def test_an_index_redefined_under_its_own_name_cannot_be_staged(
    deployed: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gsi = deployed["Resources"]["TicketsTable"]["Properties"]["GlobalSecondaryIndexes"][0]
    gsi["Projection"] = {"ProjectionType": "KEYS_ONLY"}
    path = tmp_path / "deployed.json"
    path.write_text(json.dumps(deployed), encoding="utf-8")

    assert stage.main([str(path), "--out", str(tmp_path / "staged")]) == 2
    assert "account_activity keeps its name but changes its definition" in capsys.readouterr().err
    assert not (tmp_path / "staged").exists()


def test_a_renamed_table_resource_is_refused(deployed: dict[str, Any]) -> None:
    deployed["Resources"]["OtherTable"] = deployed["Resources"].pop("TicketsTable")
    with pytest.raises(stage.CannotStage, match="replaces the table"):
        stage.changes(deployed, template())


@pytest.mark.parametrize("text", ["hello", "{}", json.dumps("just a string"), "[1, 2]"])
def test_a_file_that_is_no_template_is_refused(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deployed.json"
    path.write_text(text, encoding="utf-8")
    assert stage.main([str(path), "--out", str(tmp_path / "staged")]) == 2
    assert "not a CloudFormation template" in capsys.readouterr().err


def test_a_missing_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert stage.main([str(tmp_path / "nowhere.json")]) == 2
    assert "cannot stage" in capsys.readouterr().err


def test_get_template_output_is_read_as_cloudformation_reads_it(
    deployed: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `get-template --output json --query TemplateBody` of a stack deployed from YAML: a JSON
    # string holding the YAML, short tags and all. Here: template.yaml itself with the three
    # indexes removed from its text.
    text = TEMPLATE.read_text(encoding="utf-8")
    start = text.index("        # The same clocks of tickets whose priority is not normal")
    end = text.index("  # ---------------------------------------------------------------- e-mail")
    path = tmp_path / "deployed.json"
    path.write_text(json.dumps(text[:start] + "\n" + text[end:]), encoding="utf-8")
    out = tmp_path / "staged"

    assert stage.main([str(path), "--out", str(out)]) == 0

    printed = capsys.readouterr().out
    assert "step-1.json: create sla_by_priority" in printed
    assert "step-2.json: create queue_by_status" in printed
    assert "then `sam deploy`: create queue_all" in printed
    step = json.loads((out / "step-2.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in out.iterdir()) == ["step-1.json", "step-2.json"]
    # Short tags in their long forms, which a JSON template must use.
    policy = step["Resources"]["PortalBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert policy["Resource"] == {"Fn::Sub": "${PortalBucket.Arn}/*"}
    assert step["Transform"] == template()["Transform"]
    assert index_names(step) == [*index_names(deployed), "sla_by_priority", "queue_by_status"]
