"""A snippet of a ticket's resolving answer around the words a search asked for, as data: text
segments, each marked or not, which the portal renders as text nodes (a marked one inside
<mark>). Nothing here is markup, so the answer's own "<b>" stays text wherever it is shown.

A word of the answer is marked when one of the words asked begins it, folded as the search folds
("contra" marks "Contraseña"); the window starts a little before the first marked word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from helpdesk.domain import search
from helpdesk.domain.models import Resolution

WIDTH = 240  # characters of the answer a snippet shows at most
LEAD = 60  # of which before the first marked word
ELLIPSIS = "…"
_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Segment:
    text: str
    marked: bool


@dataclass(frozen=True)
class Snippet:
    message_id: str
    created_at: datetime
    segments: tuple[Segment, ...]


def snippet(resolution: Resolution, asked: tuple[str, ...] | list[str]) -> Snippet:
    text = _SPACE.sub(" ", resolution.body).strip()
    marks = [
        (m.start(), m.end())
        for m in _TOKEN.finditer(text)
        if any(search.fold(m.group()).startswith(word) for word in asked)
    ]
    start = _word_start(text, max(0, marks[0][0] - LEAD)) if marks else 0
    end = min(len(text), start + WIDTH)
    if end < len(text):
        end = _word_end(text, end)
    segments: list[Segment] = [Segment(ELLIPSIS, False)] if start > 0 else []
    at = start
    for mark_start, mark_end in marks:
        if mark_end <= start or mark_start >= end:
            continue
        if mark_start > at:
            segments.append(Segment(text[at:mark_start], False))
        segments.append(Segment(text[max(mark_start, at) : min(mark_end, end)], True))
        at = min(mark_end, end)
    if at < end:
        segments.append(Segment(text[at:end], False))
    if end < len(text):
        segments.append(Segment(ELLIPSIS, False))
    return Snippet(resolution.message_id, resolution.created_at, tuple(segments))


def _word_start(text: str, position: int) -> int:
    """Move back to the start of the word `position` falls in (a snippet never starts mid-word)."""
    while position > 0 and not text[position - 1].isspace():
        position -= 1
    return position


def _word_end(text: str, position: int) -> int:
    """Move back to the last space before `position`, when there is one in the window."""
    space = text.rfind(" ", 0, position)
    return space if space > 0 else position
