"""The header fields the help desk reads: message ids, the sender, the recipients, the subject."""

from __future__ import annotations

import re
from email.message import Message
from email.utils import getaddresses

from helpdesk.mail.addresses import normalize_address, parse_mailbox
from helpdesk.mail.charsets import ENCODED_WORD, decode_words
from helpdesk.mail.clean import one_line, without_surrogates
from helpdesk.mail.defects import Defects

_ENCODED_NAME = re.compile(rf"\s*(?P<name>(?:{ENCODED_WORD.pattern}\s*)+)(?P<address><[^<>]*>)\s*")
_MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,500}>")  # printable ASCII without < and >
_BARE_MESSAGE_ID = re.compile(r"[!-;=?-~]{1,250}@[!-;=?-~]{1,250}")


class Headers:
    """Header values as received (unfolded, not yet decoded), by lower-cased name. Reading them raw
    keeps the header parser, which can fail on hostile input, to the fields that need decoding."""

    def __init__(self, msg: Message) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in msg.raw_items():
            unfolded = str(value).replace("\r", "").replace("\n", "")
            self._values.setdefault(name.strip().lower(), []).append(unfolded)

    def has(self, name: str) -> bool:
        return name in self._values

    def first(self, name: str) -> str:
        return self._values.get(name, [""])[0]

    def all(self, name: str) -> list[str]:
        return self._values.get(name, [])


def message_id(value: str) -> str | None:
    match = _MESSAGE_ID.search(value)
    if match:
        return match.group()
    bare = value.strip()  # some mailers leave out the angle brackets
    return f"<{bare}>" if _BARE_MESSAGE_ID.fullmatch(bare) else None


def message_ids(values: list[str]) -> tuple[str, ...]:
    found = (match.group() for value in values for match in _MESSAGE_ID.finditer(value))
    return tuple(dict.fromkeys(found))


def sender(headers: Headers, defects: Defects) -> tuple[str, str | None]:
    """(display name, address) of the one mailbox in From. Two From headers are refused: mail
    systems disagree on which one counts, which is how a sender gets spoofed."""
    values = headers.all("from")
    if len(values) != 1:
        defects.add("from: missing" if not values else "from: more than one From header")
        return "", None
    value = without_surrogates(values[0])  # raw UTF-8 names are decoded first
    encoded = _ENCODED_NAME.fullmatch(value)
    # parse_mailbox lets the header parser's AttributeError through (a group where a mailbox is
    # expected, "From:x: a <b@c>"): count it as unreadable.
    mailbox = defects.attempt("from", lambda: parse_mailbox(encoded["address"] if encoded else value), None)
    if mailbox is None:
        defects.add("from: not exactly one valid mailbox")
        return "", None
    name, address = mailbox
    if encoded:
        # `=?charset?b?...?= <address>`, the form mail clients write a name that is not ASCII
        # in: decoded here with the labels read as browsers read them (the address parser
        # reads them as Python's codecs do, and refuses the mailbox if a byte does not fit).
        name = decode_words(encoded["name"], defects)
    return one_line(name), address


def recipients(headers: Headers) -> tuple[str, ...]:
    pairs = getaddresses([*headers.all("to"), *headers.all("cc")])  # strict parsing (CVE-2023-27043)
    addresses = (normalize_address(address) for _, address in pairs)
    return tuple(dict.fromkeys(address for address in addresses if address))


def subject(raw: str, defects: Defects) -> str:
    return one_line(decode_words(raw, defects))
