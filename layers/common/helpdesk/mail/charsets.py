"""Bytes of a mail to text, by the charset the mail declares."""

from __future__ import annotations

from helpdesk.mail.clean import one_line
from helpdesk.mail.defects import Defects


def decode_text(data: bytes, charset: str | None, defects: Defects) -> str:
    """Text of a body part. Mail that declares no charset (or ASCII) but has 8-bit bytes is nearly
    always UTF-8, else Windows-1252; ISO-8859-1 is read as its superset Windows-1252, as browsers
    do, because that is what the sending clients actually write (curly quotes, €)."""
    label = (charset or "us-ascii").strip().lower()
    if label in ("us-ascii", "ascii"):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("windows-1252", "replace")
    if label in ("iso-8859-1", "iso8859-1", "latin1", "latin-1"):
        label = "windows-1252"
    try:
        return data.decode(label, "replace")
    except (LookupError, ValueError):  # unknown or non-text codec (e.g. "base64", "idna")
        defects.add(f"charset: unknown {one_line(label)[:40]!r}")
        return data.decode("utf-8", "replace")
