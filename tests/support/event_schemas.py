"""The published events' `detail` schemas (docs/events/<kind>.json, JSON Schema 2020-12), loaded
and checked strictly: formats asserted, no unknown field, every field present."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from devstack.template import ROOT

SCHEMAS = ROOT / "docs" / "events"


@cache
def validator(kind: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{kind}.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_detail(kind: str, detail: dict[str, Any]) -> None:
    """Raises jsonschema.ValidationError when `detail` is not a valid `kind` detail."""
    validator(kind).validate(detail)


def kinds() -> list[str]:
    return sorted(p.stem for p in SCHEMAS.glob("*.json"))
