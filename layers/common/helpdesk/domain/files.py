"""What files the desk accepts from the web, how they are named in the bucket, and how any
attachment (web or mail) is handed back: as a download, under a safe name, with a content type a
browser will not render as a page. Pure rules, no I/O (the bucket is helpdesk.adapters.files)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

from helpdesk.domain.models import Caller

# Accepted from the web: what customers and operators send about hosting (screenshots, documents,
# logs, archives). An allow-list: a type nobody thought of is refused, not served.
UPLOAD_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/json",
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "message/rfc822",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/msword",
        "application/vnd.ms-excel",
    }
)
# Shown in the thread as a picture. Never SVG: it is a document that can carry script.
PREVIEW_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Names a desktop would run or a browser would render whatever the declared type says.
REFUSED_EXTENSIONS = frozenset(
    {
        "exe", "com", "scr", "pif", "bat", "cmd", "msi", "msp", "dll", "cpl", "jar", "js", "jse",
        "vbs", "vbe", "wsf", "wsh", "ps1", "hta", "lnk", "reg", "sh", "app", "apk", "dmg", "iso",
        "html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "mht", "mhtml",
    }
)  # fmt: skip
FALLBACK_TYPE = "application/octet-stream"

UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")  # 16 random bytes, URL-safe base64
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9 ._()+,-]+")


class ScanStatus(StrEnum):
    """The values GuardDuty Malware Protection for S3 writes in the object tag
    GuardDutyMalwareScanStatus once it has scanned an object."""

    NO_THREATS_FOUND = "NO_THREATS_FOUND"
    THREATS_FOUND = "THREATS_FOUND"
    UNSUPPORTED = "UNSUPPORTED"
    ACCESS_DENIED = "ACCESS_DENIED"
    FAILED = "FAILED"


SCAN_TAG = "GuardDutyMalwareScanStatus"


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def type_of(content_type: str) -> str:
    """The media type alone, lower-cased ("Image/PNG; x=y" -> "image/png")."""
    return content_type.split(";", 1)[0].strip().lower()


def download_type(stored: str) -> str:
    """The Content-Type a download is served with: the stored one when it is a type the desk
    accepts from the web (none of which a browser runs), otherwise application/octet-stream, so
    an HTML or SVG file that came by mail is saved, never rendered."""
    media = type_of(stored)
    return media if media in UPLOAD_TYPES else FALLBACK_TYPE


def previewable(content_type: str) -> bool:
    return type_of(content_type) in PREVIEW_TYPES


def content_disposition(name: str) -> str:
    """`attachment` with the name twice (RFC 6266): an ASCII fallback in filename= for old
    clients and the exact UTF-8 name in filename*= (RFC 5987), with no path, quote or control
    character that could break the header or choose a directory."""
    base = _CONTROL.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip() or "archivo"
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    ascii_name = _UNSAFE_ASCII.sub("_", ascii_name).strip(" .") or "archivo"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(base, safe='')}"


def uploader_of(caller: Caller) -> str:
    """Who uploads, as it appears in keys and object metadata: the role, and for a customer the
    account, then a digest of the person (no e-mail address in keys or logs). The person is the
    identity provider's `sub`, which never changes or repeats (a display name may do both)."""
    person = hashlib.sha256((caller.id or caller.name).encode()).hexdigest()[:16]
    if caller.is_operator:
        return f"operator-{person}"
    return f"customer-{_key_safe(caller.account_id or '')}-{person}"


def _key_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)[:64]


@dataclass(frozen=True)
class UploadPlace:
    """Where one upload goes: under the ticket it is for ("new" before the ticket exists), then
    the uploader, then its random id. The server rebuilds it from the caller and the ticket, so
    an id from another account's upload names an object that does not exist."""

    ticket: str  # a ticket id, or "new"
    uploader: str
    upload_id: str

    def key(self, prefix: str) -> str:
        return f"{prefix}{self.ticket}/{self.uploader}/{self.upload_id}"

    def attached_key(self, prefix: str) -> str:
        # Deterministic: a retried request copies onto the same object instead of leaving another.
        return f"{prefix}{self.upload_id}"


@dataclass(frozen=True)
class UploadGrant:
    upload_id: str
    url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int


@dataclass(frozen=True)
class StoredUpload:
    """What HeadObject says about an uploaded object."""

    size: int
    content_type: str
    metadata: dict[str, str]
