"""Generates the API's OpenAPI document from the handlers' route definitions: each function's
resolver describes its own routes; this merges them into one document (functions/openapi/).

    python -m devstack.openapi          # write it
    python -m devstack.openapi --check  # exit 1 if the committed document is out of date
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from devstack.functions import load_handler_module, reset_layer_caches
from devstack.template import ROOT, functions

OUTPUT = ROOT / "functions" / "openapi" / "openapi.json"
DESCRIPTION = (
    "Netz0 support tickets. Send a Cognito ID token as `Authorization: Bearer <token>`. Customers "
    "see their account's tickets; members of the `operators` group see and work all of them. "
    'Errors are `{"error": {"code", "message", "details"}}`.'
)


def generate() -> dict[str, Any]:
    specs = [s for s in functions({"TicketsTable": "openapi"}) if s.routes and s.name != "openapi"]
    for spec in specs:
        for key, value in spec.environment.items():
            os.environ.setdefault(key, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    reset_layer_caches()
    document: dict[str, Any] = {}
    for spec in specs:
        schema = json.loads(
            load_handler_module(spec).app.get_openapi_json_schema(
                title="Netz0 help desk API",
                version="1.0.0",
                description=DESCRIPTION,
                security_schemes={"cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
                security=[{"cognito": []}],
            )
        )
        if not document:
            document = schema
            continue
        for path, operations in schema.get("paths", {}).items():
            document["paths"].setdefault(path, {}).update(operations)
        for kind, entries in schema.get("components", {}).items():
            document.setdefault("components", {}).setdefault(kind, {}).update(entries)
    document["paths"] = dict(sorted(document["paths"].items()))
    for kind in document.get("components", {}):
        document["components"][kind] = dict(sorted(document["components"][kind].items()))
    return document


def render() -> str:
    return json.dumps(generate(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run `make openapi`.", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
