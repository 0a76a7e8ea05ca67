"""What could not be read in a mail, collected instead of raised: everything in a mail is
untrusted, and one unreadable field must not cost the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

_MAX_DEFECTS = 20

_T = TypeVar("_T")


class Defects:
    def __init__(self) -> None:
        self._seen: dict[str, None] = {}  # ordered set

    def add(self, defect: str) -> None:
        if len(self._seen) < _MAX_DEFECTS:
            self._seen[defect] = None

    def attempt(self, what: str, compute: Callable[[], _T], default: _T) -> _T:
        """`compute()`, or `default` with a defect when the mail makes the library fail."""
        try:
            return compute()
        except Exception as exc:  # hostile input reaches parser corners that raise; keep the rest
            self.add(f"{what}: {type(exc).__name__}")
            return default

    def all(self) -> tuple[str, ...]:
        return tuple(self._seen)
