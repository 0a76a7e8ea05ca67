"""Quoted history in replies: what to cut so that a ticket shows what the customer just wrote.

Our own marker (the first line of every notification we send) is the reliable cue; the attribution
lines of mail clients are the fallback. When in doubt text is kept: a message showing some quoted
history is better than one that lost the customer's words.
"""

from __future__ import annotations

import re

REPLY_ABOVE_MARKER = "##- Responda por encima de esta línea / Reply above this line -##"

# Either half of the marker, so that a client that wraps the long line still gets it cut.
_MARKER_HALVES = tuple(half.strip(" #-").lower() for half in REPLY_ABOVE_MARKER.split("/"))
_QUOTE_PREFIX = re.compile(r"^(?:[ \t]*>)+")
# Gmail, Apple Mail, Thunderbird: "On <date> <name> wrote:" / "El <fecha> <nombre> escribió:".
_ATTRIBUTION = re.compile(r"(?:On\s.*\swrote|El\s.*\sescribi[óo])\s*:")
_MAX_ATTRIBUTION = 300
# Outlook.
_ORIGINAL_MESSAGE = re.compile(r"-{2,}\s*(?:Original Message|Mensaje original)\s*-{2,}", re.IGNORECASE)
# Outlook's header block; Gmail shows Outlook's bold labels as *From:* in its plain text.
_BLOCK_FROM = re.compile(r"\*?(?:From|De):\*?\s", re.IGNORECASE)
_BLOCK_SENT = re.compile(r"\*?(?:Sent|Date|Enviado|Fecha):\*?\s", re.IGNORECASE)
_BLOCK_SUBJECT = re.compile(r"\*?(?:Subject|Asunto):\*?", re.IGNORECASE)
_SEPARATOR = re.compile(r"[_\-=\s]*")  # Outlook's "_____" rule above its header block


def strip_quoted(text: str, *, forwarded: bool = False) -> str:
    """`text` without the quoted history below the customer's words. For a forwarded mail only our
    marker counts: the attribution lines and the quotes below them are what is being forwarded."""
    lines = text.split("\n")
    kept = lines[: _cut_at(lines, forwarded=forwarded)]
    if not forwarded:
        kept = _without_trailing_quotes(kept)
    new = "\n".join(kept).strip()
    return new or text.strip()  # a mail that is all quote is kept whole


def _cut_at(lines: list[str], *, forwarded: bool) -> int:
    for index, line in enumerate(lines):
        if _is_marker(line):
            return index
        if not forwarded and (
            _is_attribution(lines, index)
            or _ORIGINAL_MESSAGE.fullmatch(line.strip())
            or _is_outlook_block(lines, index)
        ):
            return index
    return len(lines)


def _is_marker(line: str) -> bool:
    unquoted = _QUOTE_PREFIX.sub("", line).lower()
    return any(half in unquoted for half in _MARKER_HALVES)


def _is_attribution(lines: list[str], index: int) -> bool:
    """An attribution line, or one that the client wrapped over two lines (Gmail does). Dates carry
    digits: that keeps "On Monday your technician wrote:" in the customer's own words."""
    first = lines[index].strip()
    if not first.startswith(("On ", "El ")):
        return False
    candidates = [first]
    if index + 1 < len(lines):
        candidates.append(f"{first} {lines[index + 1].strip()}")
    return any(
        len(candidate) <= _MAX_ATTRIBUTION
        and _ATTRIBUTION.fullmatch(candidate) is not None
        and any(char.isdigit() for char in candidate)
        for candidate in candidates
    )


def _is_outlook_block(lines: list[str], index: int) -> bool:
    """From:/De: followed by Sent:/Enviado: (or Date:/Fecha:) and then Subject:/Asunto:."""
    if not _BLOCK_FROM.match(lines[index].strip()):
        return False
    following = [line.strip() for line in lines[index + 1 : index + 7]]
    sent = next((n for n, line in enumerate(following[:3]) if _BLOCK_SENT.match(line)), None)
    return sent is not None and any(_BLOCK_SUBJECT.match(line) for line in following[sent + 1 :])


def _without_trailing_quotes(lines: list[str]) -> list[str]:
    """Drops the "> " lines at the end (and blank or "_____" lines among them); quotes between the
    customer's own paragraphs stay, since answers written inline need them to make sense."""
    end = len(lines)
    while end and (lines[end - 1].lstrip().startswith(">") or _SEPARATOR.fullmatch(lines[end - 1])):
        end -= 1
    return lines[:end]
