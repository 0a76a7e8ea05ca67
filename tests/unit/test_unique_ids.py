"""Ticket ids, message ids, nonces and upload ids come from the operating system's CSPRNG
(`secrets`), never from `random` or uuid1: `random` is seeded once per process, so containers
restored from one snapshot (Lambda SnapStart) or forked from one parent would draw the same
sequence; uuid1 is the clock and the host. docs/decisions.md, "Cold start, phase 2"."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpdesk.domain import ids

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [*(ROOT / "layers" / "common" / "helpdesk").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]


def _uses(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found.add(f"{node.value.id}.{node.attr}")
    return found


def test_no_shipped_module_draws_from_random_or_uuid1() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in _uses(ast.parse(path.read_text(), str(path)))
            if name == "random" or name.startswith("random.") or name == "uuid.uuid1"
        )
        for path in SHIPPED
    }
    assert {path: names for path, names in offenders.items() if names} == {}
    assert len(SHIPPED) > 50  # the scan saw the layer and the functions


def test_ids_are_drawn_from_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    # The ids module asks `secrets`, so a different draw gives a different id.
    draws = iter([12345678, 87654321])
    monkeypatch.setattr(ids.secrets, "randbelow", lambda _bound: next(draws))
    assert [ids.new_ticket_id(), ids.new_ticket_id()] == ["NZ-12345678", "NZ-87654321"]
    monkeypatch.setattr(ids.secrets, "token_hex", lambda n: "ab" * n)
    assert ids.new_message_id() == "ab" * 8
