"""Text from a mail made safe to store and show: no lone surrogates, no control characters, one
line where one line is expected, attachment names that cannot pose as something else. Nothing here
escapes for HTML: whoever renders the text escapes it."""

from __future__ import annotations

import re
import unicodedata

from helpdesk.domain.limits import MAX_FILENAME
from helpdesk.domain.text import one_line as _one_line

_BODY_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and newline
_SURROGATE = re.compile("[\ud800-\udfff]")
_BLANK_LINES = re.compile(r"\n{3,}")


def without_surrogates(text: str) -> str:
    """Raw 8-bit bytes in headers reach us as surrogate escapes: read them as UTF-8 (what such mail
    nearly always is), else as Windows-1252, as a body without a charset is read. Surrogates of any
    other origin become U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("windows-1252", "replace")


def one_line(text: str) -> str:
    """White space collapsed, control characters (and lone surrogates) removed."""
    return _one_line(without_surrogates(text), controls="drop")


def tidy_body(text: str) -> str:
    """Line ends made "\n", trailing white space and control characters removed, runs of blank
    lines made one."""
    text = without_surrogates(text).replace("\r\n", "\n").replace("\r", "\n")
    lines = (line.rstrip() for line in _BODY_CONTROL.sub("", text).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def safe_filename(name: str | None) -> str:
    """A name safe to show and to store: no directories, no control or bidi characters (which can
    make "exe.pdf" out of "fdp.exe"), at most MAX_FILENAME characters with the extension kept."""
    text = "".join(char for char in one_line(name or "") if unicodedata.category(char) != "Cf")
    text = re.split(r"[/\\]", text)[-1].strip().rstrip(". ")
    if not text:
        return "attachment"
    if len(text) <= MAX_FILENAME:
        return text
    stem, dot, extension = text.rpartition(".")
    if dot and stem and len(extension) <= 16:
        return f"{stem[: MAX_FILENAME - len(extension) - 1]}.{extension}"
    return text[:MAX_FILENAME]
