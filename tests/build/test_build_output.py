"""The `sam build` output as Lambda gets it: the layer and every function carry, for each `.py`,
its `.pyc` for the runtime's Python, unchecked-hash (valid whatever date the deployment zip
gives the files) and of that very source, and the layer holds the pinned requirements.

Not part of `make unit`: pytest does not recurse into folders named `build` (pyproject's
norecursedirs). `make sam-build` runs it right after `sam build`, so `make test` checks the build
it made."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from devstack.template import ROOT, functions

BUILD = ROOT / ".aws-sam" / "build"
LAYER = BUILD / "CommonLayer" / "python"
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked
TAG = importlib.util.cache_from_source("x.py").rsplit(".", 2)[-2]  # cpython-313


def built_dirs() -> list[Path]:
    return [LAYER, *(BUILD / spec.logical_id for spec in functions())]


@pytest.fixture(scope="module", autouse=True)
def _the_build_is_there() -> None:
    missing = [str(d) for d in built_dirs() if not d.is_dir()]
    assert not missing, f"no build at {missing[0]}: run `make sam-build`"


def problem(source: Path) -> str | None:
    """What is wrong with the bytecode shipped for `source`, or None."""
    compiled = source.parent / "__pycache__" / f"{source.stem}.{TAG}.pyc"
    if not compiled.is_file():
        return "no .pyc"
    header = compiled.read_bytes()[:16]
    if header[:4] != importlib.util.MAGIC_NUMBER:
        return "compiled by another Python"
    if int.from_bytes(header[4:8], "little") != UNCHECKED_HASH:
        return "not unchecked-hash (a timestamp .pyc would not match the zip's 1980 dates)"
    if header[8:16] != importlib.util.source_hash(source.read_bytes()):
        return "compiled from another source"
    return None


@pytest.mark.parametrize("folder", built_dirs(), ids=lambda d: d.parent.name if d == LAYER else d.name)
def test_every_source_file_has_its_unchecked_hash_bytecode(folder: Path) -> None:
    sources = sorted(folder.rglob("*.py"))
    assert sources, folder
    wrong = {str(s.relative_to(folder)): p for s in sources if (p := problem(s)) is not None}
    assert wrong == {}


def test_the_layer_is_this_tree_with_the_pinned_requirements() -> None:
    for source in (ROOT / "layers/common/helpdesk").rglob("*.py"):
        built = LAYER / source.relative_to(ROOT / "layers/common")
        assert built.read_bytes() == source.read_bytes(), f"{built} is stale: run `make sam-build`"
    pins = re.findall(r"^([\w.-]+)==([\w.]+)$", (ROOT / "layers/common/requirements.txt").read_text(), re.M)
    assert pins
    for name, version in pins:
        wheel = name.replace("-", "_")
        assert list(LAYER.glob(f"{wheel}-{version}.dist-info")), f"{name}=={version} not in the layer"
    assert not (LAYER / "bin").exists()  # console scripts: nothing in Lambda runs them


def test_every_function_is_its_own_folder_and_nothing_else() -> None:
    for spec in functions():
        shipped = {p.name for p in (BUILD / spec.logical_id).iterdir() if p.name != "__pycache__"}
        assert shipped == {p.name for p in spec.code_dir.iterdir() if p.name != "__pycache__"}
