"""E-mail addresses, parsed strictly. Two spellings of one mailbox compare equal when only the
domain's case differs (RFC 5321: the local part may be case-sensitive, the domain is not)."""

from __future__ import annotations

import re
from email.headerregistry import Address, HeaderRegistry

MAX_ADDRESS = 254
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_HEADERS = HeaderRegistry()
_DOMAIN = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def normalize_address(text: str) -> str | None:
    """`local@domain` with the domain lower-cased, or None unless `text` is exactly one plain
    address (no display name, no comments, no quoted or IP-literal parts, no dot misuse)."""
    candidate = text.strip()
    if not candidate or len(candidate) > MAX_ADDRESS or candidate.count("@") != 1:
        return None
    local, domain = candidate.split("@")
    if not _LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    if not _DOMAIN.match(domain):
        return None
    return f"{local}@{domain.lower()}"


def parse_mailbox(header_value: str) -> tuple[str, str] | None:
    """(display name, normalized address) of a From-style header holding exactly one mailbox,
    or None when it holds none, several, or anything the header parser flags as a defect.
    RFC 2047 encoded names are decoded."""
    try:
        header = _HEADERS("from", header_value)
    except (ValueError, IndexError, TypeError, AttributeError):  # the parser's failures on hostile input
        return None
    # The From header class is an AddressHeader; a named group ("list: a@b;") is not one mailbox.
    addresses: tuple[Address, ...] = getattr(header, "addresses", ())
    groups = getattr(header, "groups", ())
    if header.defects or len(addresses) != 1 or any(g.display_name for g in groups):
        return None
    mailbox = addresses[0]
    normalized = normalize_address(mailbox.addr_spec)
    return (mailbox.display_name, normalized) if normalized else None
