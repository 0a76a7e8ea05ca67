"""Plain-text tables and number formats for the benchmark's output."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from typing import TextIO

PACKAGES = ("boto3", "botocore", "moto", "aws-lambda-powertools", "pydantic")


def ms(value: float) -> str:
    return f"{value:.2f}"


def ratio(value: float) -> str:
    return f"{value:.2f}x"


def ok(passed: bool) -> str:
    return "yes" if passed else "NO"


def header(out: TextIO, cpus: int) -> None:
    versions = ", ".join(f"{name} {version(name)}" for name in PACKAGES)
    print("Netz0 help desk benchmark", file=out)
    print(f"  date     {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC", file=out)
    print(f"  python   {platform.python_version()} ({platform.python_implementation()})", file=out)
    print(f"  machine  {platform.platform()}, {cpus} CPUs", file=out)
    print(f"  packages {versions}", file=out)
    print(file=out)


def table(
    out: TextIO,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    align: str,
    notes: Sequence[str] = (),
) -> None:
    """A titled table. `align` has one letter per column: l(eft) or r(ight, for numbers)."""
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if side == "r" else cell.ljust(width)
            for cell, width, side in zip(cells, widths, align, strict=True)
        ]
        return "  ".join(parts).rstrip()

    print(title, file=out)
    print("=" * len(title), file=out)
    print(line(headers), file=out)
    print(line(["-" * w for w in widths]), file=out)
    for row in rows:
        print(line(row), file=out)
    for note in notes:
        print(f"  {note}", file=out)
    print(file=out, flush=True)
