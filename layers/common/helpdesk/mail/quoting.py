"""Quoted history in replies: what to cut so that a ticket shows what the customer just wrote.

Our own marker (the first line of every notification we send) is the reliable cue; the attribution
lines and header blocks of mail clients are the fallback. What comes below a cue decides what is
cut: only quotes (a reply written on top) go with the cue; the customer's own lines below the
quote (a reply written underneath) stay and the quote above them goes; answers written between
quotes keep the quotes, which they need to make sense. When in doubt text is kept: a message
showing some quoted history is better than one that lost the customer's words.
"""

from __future__ import annotations

import re

# The first line of every notification, in the mail's language; mail sent before mails spoke one
# language carried both halves on one line (REPLY_ABOVE_MARKER), and replies to it still come in.
REPLY_ABOVE_MARKERS = {
    "es": "##- Responda por encima de esta línea -##",
    "en": "##- Reply above this line -##",
}
REPLY_ABOVE_MARKER = "##- Responda por encima de esta línea / Reply above this line -##"

# Either language's marker, so that a client that wraps the long two-language line still gets it cut.
_MARKER_HALVES = tuple(marker.strip(" #-").lower() for marker in REPLY_ABOVE_MARKERS.values())
_QUOTE_PREFIX = re.compile(r"^(?:[ \t]*>)+")
# "On <date> <name> wrote:" as Gmail, Apple Mail, Thunderbird, Outlook and Android write it in
# each language customers write in; Yahoo puts "--- " before it. Each must end its line.
_ATTRIBUTION = re.compile(
    r"(?:-+\s*)?(?:"
    r"On\s.*wrote"  # English
    r"|El\s.*\sescribi[óo]"  # Spanish
    r"|Le\s.*\sa\s+écrit"  # French
    r"|Am\s.*\sschrieb\s.*"  # German: "Am <date> schrieb <name>:"
    r"|Em\s.*\sescreveu"  # Portuguese
    r"|Il\s.*\sha\s+scritto"  # Italian
    r"|Op\s.*\s(?:schreef\s.*|het\s+volgende\s+geschreven)"  # Dutch
    r"|\d.*\s(?:написал(?:а|\(а\))?|пишет)"  # Russian: opens with the date ("02.04.2012 14:20 ...")  # noqa: RUF001
    r")\s*:",
    re.IGNORECASE,
)
_ATTRIBUTION_LINES = 3  # clients wrap a long attribution over two or three lines
_MAX_ATTRIBUTION = 300
# Outlook.
_ORIGINAL_MESSAGE = re.compile(
    r"-{2,}\s*(?:Original Message|Mensaje original|Ursprüngliche Nachricht|Original Nachricht"
    r"|Message d'origine|Mensagem original|Messaggio originale|Oorspronkelijk bericht"
    r"|Исходное сообщение)\s*-{2,}",
    re.IGNORECASE,
)
# The header block Outlook, Hotmail, Windows Mail and Yahoo put above the quoted mail, in any
# order; Gmail shows Outlook's bold labels as *From:*, French puts a space before the colon.
_HEADER_LINE = re.compile(r"\*?([^\W\d_][^\W\d_ ]*(?: [^\W\d_]+)?) ?:\*?(?:\s|$)")
_HEADER_LABELS = {
    "from": ("from", "de", "von", "van", "da", "от"),
    "sent": ("sent", "date", "enviado", "enviado el", "fecha", "gesendet", "datum", "envoyé", "data",
             "inviato", "verzonden", "отправлено", "дата"),
    "to": ("to", "para", "an", "à", "a", "aan", "кому", "cc"),
    "subject": ("subject", "asunto", "betreff", "objet", "assunto", "oggetto", "onderwerp", "тема"),
}  # fmt: skip
_LABEL_KIND = {label: kind for kind, labels in _HEADER_LABELS.items() for label in labels}
_MAX_HEADER_BLOCK = 8  # lines, a wrapped To: or Cc: included
_SEPARATOR = re.compile(r"[_\-=\s]*")  # Outlook's "_____" rule above its header block
_SIGNATURE_RULE = re.compile(r"-- ?|_{2,}")  # RFC 3676's "-- ", and the rule above Mailman's footer
_MAX_SIGNATURE = 8  # lines below the rule


def strip_quoted(text: str, *, forwarded: bool = False) -> str:
    """`text` without the quoted history below the customer's words. For a forwarded mail only our
    marker counts: the attribution lines and the quotes below them are what is being forwarded."""
    kept = _visible(text.split("\n"), forwarded=forwarded)
    if not forwarded:
        kept = _without_trailing_quotes(kept)
    new = "\n".join(kept).strip()
    return new or text.strip()  # a mail that is all quote is kept whole


def _visible(lines: list[str], *, forwarded: bool) -> list[str]:
    cue = _first_cue(lines, forwarded=forwarded)
    if cue is None:
        return lines
    start, quote_start = cue
    quote_end = _quote_end(lines, quote_start) if quote_start is not None else None
    if quote_end is None:  # history that is not quoted (Outlook's, our marker's): all of it goes
        return lines[:start]
    below = _visible(lines[quote_end:], forwarded=forwarded)
    answers = _without_trailing_quotes(below)
    if not any(line.strip() and not _is_quoted(line) for line in answers):
        return lines[:start]  # written on top of the quote
    if any(_is_quoted(line) for line in answers):
        return lines[:quote_end] + below  # written between quotes: the quotes give the answers sense
    return _joined(lines[:start], below)  # written underneath: the quote above goes


def _first_cue(lines: list[str], *, forwarded: bool) -> tuple[int, int | None] | None:
    """(where the history starts, where its quote starts or None if it is not quoted) of the
    first cue, or None."""
    for index, line in enumerate(lines):
        if _is_marker(line):
            return index, index if _is_quoted(line) else None
        if forwarded:
            continue
        span = _attribution_span(lines, index)
        if span:
            return index, _first_content(lines, index + span)
        if _ORIGINAL_MESSAGE.fullmatch(line.strip()) or _is_header_block(lines, index):
            return index, None
    return None


def _is_marker(line: str) -> bool:
    unquoted = _QUOTE_PREFIX.sub("", line).lower()
    return any(half in unquoted for half in _MARKER_HALVES)


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution_span(lines: list[str], index: int) -> int:
    """How many lines (1 to 3) the attribution starting at `index` takes, or 0 if there is none.
    Dates carry digits: that keeps "On Monday your technician wrote:" in the customer's words."""
    candidate = ""
    for span, line in enumerate(lines[index : index + _ATTRIBUTION_LINES], start=1):
        if not line.strip() or _is_quoted(line):
            return 0
        candidate = f"{candidate} {line.strip()}".strip()
        if len(candidate) > _MAX_ATTRIBUTION:
            return 0
        if _ATTRIBUTION.fullmatch(candidate) and any(char.isdigit() for char in candidate):
            return span
    return 0


def _first_content(lines: list[str], index: int) -> int | None:
    """The first non-blank line from `index`, if it is quoted."""
    for position in range(index, len(lines)):
        if lines[position].strip():
            return position if _is_quoted(lines[position]) else None
    return None


def _quote_end(lines: list[str], start: int) -> int:
    """The line after the quote that starts at `start` (blank lines within it are part of it)."""
    end = start
    for position in range(start, len(lines)):
        if _is_quoted(lines[position]):
            end = position + 1
        elif lines[position].strip():
            break
    return end


def _is_header_block(lines: list[str], index: int) -> bool:
    """A From: or Date: line opening a block of header lines that names the sender, the date and
    the recipients or subject: "From: the web panel" alone is the customer's own words."""
    kinds: list[str] = []
    for line in lines[index : index + _MAX_HEADER_BLOCK]:
        if not line.strip():
            break
        match = _HEADER_LINE.match(line.strip())
        kind = _LABEL_KIND.get(match.group(1).lower()) if match else None
        if not kinds and kind not in ("from", "sent"):
            return False
        if kind:
            kinds.append(kind)
    return {"from", "sent"} <= set(kinds) and len(set(kinds)) >= 3


def _joined(above: list[str], below: list[str]) -> list[str]:
    while above and not above[-1].strip():
        above = above[:-1]
    while below and not below[0].strip():
        below = below[1:]
    return [*above, "", *below] if above and below else [*above, *below]


def _without_trailing_quotes(lines: list[str]) -> list[str]:
    """Drops the "> " lines at the end (and blank or "_____" lines among them), also when the
    customer's signature or a list's footer follows them; quotes between the customer's own
    paragraphs stay, since answers written inline need them to make sense."""
    end = _trailing_quote_start(lines)
    if end < len(lines):
        return lines[:end]
    signature = _signature_start(lines)
    end = _trailing_quote_start(lines[:signature])
    if any(_is_quoted(line) for line in lines[end:signature]):
        return _joined(lines[:end], lines[signature:])
    return lines


def _trailing_quote_start(lines: list[str]) -> int:
    end = len(lines)
    while end and (_is_quoted(lines[end - 1]) or _SEPARATOR.fullmatch(lines[end - 1])):
        end -= 1
    return end


def _signature_start(lines: list[str]) -> int:
    """Where a signature ("-- ") or a mailing list's footer ("_____") closing the text starts: at
    most a few lines, none quoted. len(lines) if there is none."""
    for index in range(len(lines) - 1, max(-1, len(lines) - _MAX_SIGNATURE - 2), -1):
        if _is_quoted(lines[index]):
            break
        if _SIGNATURE_RULE.fullmatch(lines[index]) and any(line.strip() for line in lines[index + 1 :]):
            return index
    return len(lines)
