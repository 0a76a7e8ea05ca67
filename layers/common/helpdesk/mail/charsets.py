"""Bytes of a mail to text, by the charset the mail declares, read as browsers read it.

Senders label text with the narrow standard and write its vendor superset: "gb2312" with GBK
characters, "ks_c_5601-1987" with Windows-949 ones, "shift_jis" with Windows-932's, "iso-8859-1"
with Windows-1252's curly quotes and €. The WHATWG Encoding Standard maps every label to the
superset that browsers decode; its table comes from `webencodings` rather than a table of ours.
"""

from __future__ import annotations

import re
from email.header import decode_header

import webencodings

from helpdesk.mail.clean import one_line
from helpdesk.mail.defects import Defects

# The WHATWG "gbk" decoder is its gb18030 decoder; webencodings names Python's narrower gbk codec.
_SUPERSETS = {"gbk": "gb18030"}
_ASCII = frozenset({"us-ascii", "ascii"})
ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?[bBqQ]\?[^?]*\?=")  # RFC 2047; senders leave spaces in them


def decode_text(data: bytes, charset: str | None, defects: Defects) -> str:
    """Text of a body part. Mail that declares no charset (or ASCII) but has 8-bit bytes is nearly
    always UTF-8, else Windows-1252."""
    label = (charset or "us-ascii").strip().lower()
    if label in _ASCII:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("windows-1252", "replace")
    try:
        text = _decode(data, label)
    except (LookupError, ValueError):  # unknown or non-text codec (e.g. "base64", "idna")
        defects.add(f"charset: unknown {one_line(label)[:40]!r}")
        return data.decode("utf-8", "replace")
    if "\ufffd" in text and not data.isascii():
        # Bytes the declared charset cannot read but UTF-8 can are UTF-8 mislabelled (a client's
        # default label on converted text): random bytes of another charset are seldom valid UTF-8.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return text


def decode_words(value: str, defects: Defects) -> str:
    """A header value with its RFC 2047 encoded words decoded, their labels read as above. Text
    outside encoded words is kept as it is (raw 8-bit bytes stay surrogate escapes, for the caller
    to read as UTF-8); white space between two encoded words goes, as RFC 2047 says, unless their
    charsets differ."""
    pieces: list[str] = []
    position = 0
    last_charset: str | None = None  # of the encoded word just before, if one is
    for match in ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        charset = match.group(1).lower()
        # A sender that splits one word over two encoded words uses one charset for both; words
        # in two charsets were encoded apart, and the space between them is kept.
        if not (last_charset == charset and between.isspace()):
            pieces.append(between)
        pieces.append(_decoded_word(match.group(), defects))
        position, last_charset = match.end(), charset
    pieces.append(value[position:])
    return "".join(pieces)


def _decoded_word(word: str, defects: Defects) -> str:
    try:
        ((data, charset),) = decode_header(word)  # the library undoes the B or Q encoding
    except Exception:  # broken base64 and the like: the word is shown as it came
        defects.add("header: undecodable encoded word")
        return word
    if not isinstance(data, bytes) or charset is None:
        return str(data)
    # RFC 2231 lets a language follow the charset ("utf-8*es").
    return decode_text(data, charset.split("*")[0], defects)


def _decode(data: bytes, label: str) -> str:
    encoding = webencodings.lookup(label)
    if encoding is None or encoding.name == "replacement":
        # Not a web label (utf-7), or one browsers refuse to decode as a defence for web pages
        # (iso-2022-kr, hz-gb-2312): mail does use them, and Python reads them.
        return data.decode(label, "replace")
    superset = _SUPERSETS.get(encoding.name)
    if superset:
        return data.decode(superset, "replace")
    text: str = encoding.codec_info.decode(data, "replace")[0]
    return text
