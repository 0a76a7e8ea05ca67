"""What operators add to a ticket to work it: a priority and tags. The rules live here (the API's
request model and the portal repeat the tag rule; tests/unit/test_shared_rules.py holds them
together); who may set them is the service's business (services/ticket_attributes.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from helpdesk.domain.limits import MAX_TAG_LENGTH


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """0 for the most urgent: the queue works the lowest rank first."""
        return _RANKS[self]


_RANKS = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
DEFAULT_PRIORITY = Priority.NORMAL

# One tag: lowercase letters, digits and hyphens (the portal's TAG_PATTERN is the same).
TAG_PATTERN = "^[a-z0-9-]+$"
_TAG = re.compile(TAG_PATTERN)


class TagProblem(StrEnum):
    """Why a list of tags is refused: each a reason of the API's message catalogue."""

    EMPTY = "tag_empty"
    TOO_LONG = "tag_too_long"
    BAD_CHARACTERS = "tag_bad_characters"
    TOO_MANY = "too_many_tags"


def tag_problem(tag: str) -> TagProblem | None:
    if not tag:
        return TagProblem.EMPTY
    if len(tag) > MAX_TAG_LENGTH:
        return TagProblem.TOO_LONG
    if not _TAG.match(tag):
        return TagProblem.BAD_CHARACTERS
    return None


def normalized_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """The tags as kept: each once, in alphabetical order (a repeated tag is not an error)."""
    return tuple(sorted(set(tags)))
