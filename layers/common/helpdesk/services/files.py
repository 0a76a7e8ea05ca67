"""Files from the web: an upload grant (a presigned POST that S3 enforces), the check that turns
the upload ids a message names into its attachments, and the download of any attachment (held
while the malware scan says it is infected).

An upload lives under uploads/<ticket or "new">/<uploader>/<id>; the key is rebuilt here from the
caller and the ticket, never taken from the client, so another caller's id finds nothing. When a
message references it, it is copied to attachments/web/<id> (outside the prefix whose lifecycle
rule deletes unreferenced uploads) before the message's one conditional write."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol
from urllib.parse import quote, unquote

from helpdesk.config import Settings
from helpdesk.domain import ids
from helpdesk.domain.errors import (
    AttachmentHeld,
    AttachmentRefused,
    FieldProblem,
    NotAllowed,
    TicketNotFound,
)
from helpdesk.domain.files import (
    REFUSED_EXTENSIONS,
    UPLOAD_TYPES,
    ScanStatus,
    StoredUpload,
    UploadGrant,
    UploadPlace,
    extension,
    type_of,
    uploader_of,
)
from helpdesk.domain.limits import DOWNLOAD_SECONDS, MAX_FILENAME, UPLOAD_GRANT_SECONDS
from helpdesk.domain.models import AttachmentRef, Caller
from helpdesk.observability import logger
from helpdesk.services.tickets import TicketService

NEW_TICKET = "new"


class Bucket(Protocol):
    def presigned_post(
        self, key: str, *, content_type: str, metadata: dict[str, str], max_bytes: int, expires_in: int
    ) -> tuple[str, dict[str, str]]: ...
    def head(self, key: str) -> StoredUpload | None: ...
    def copy(self, source: str, destination: str) -> None: ...
    def delete(self, key: str) -> None: ...
    def scan_status(self, key: str) -> str | None: ...
    def download_url(self, key: str, filename: str, content_type: str, expires_in: int = ...) -> str: ...


@dataclass(frozen=True)
class Prefixes:
    uploads: str = "uploads/"
    attached: str = "attachments/web/"


class FileService:
    def __init__(
        self,
        tickets: TicketService,
        bucket: Callable[[], Bucket],
        settings: Settings,
        prefixes: Prefixes = Prefixes(),
    ) -> None:
        self._tickets = tickets
        # Made on first use: a reply without files never loads the S3 client (its model is large).
        self._make_bucket = bucket
        self._settings = settings
        self._prefixes = prefixes

    @cached_property
    def _bucket(self) -> Bucket:
        return self._make_bucket()

    # ---------------------------------------------------------------- uploading
    def grant(
        self, caller: Caller, *, ticket_id: str | None, name: str, content_type: str, size: int
    ) -> UploadGrant:
        """A presigned POST for one file, for a ticket the caller may see (or a new ticket)."""
        if ticket_id is None and caller.is_operator:
            raise NotAllowed("operators_do_not_open")  # an operator's file is for a ticket
        media = type_of(content_type)
        name = name.strip()
        if not name or len(name) > MAX_FILENAME or not _printable(name):
            raise AttachmentRefused(
                "upload_name_invalid", limit=MAX_FILENAME, details=[FieldProblem("name", "not_valid")]
            )
        if extension(name) in REFUSED_EXTENSIONS:
            raise AttachmentRefused(
                "upload_extension_refused",
                extension=extension(name),
                details=[FieldProblem("name", "extension_refused")],
            )
        if media not in UPLOAD_TYPES:
            raise AttachmentRefused(
                "upload_type_refused",
                content_type=media[:80],
                details=[FieldProblem("content_type", "type_refused")],
            )
        limit = self._settings.max_attachment_bytes
        if not 0 < size <= limit:
            raise AttachmentRefused(
                "upload_size_refused",
                size=size,
                limit=limit,
                limit_mb=limit // (1024 * 1024),
                details=[FieldProblem("size", "too_big", {"limit": limit})],
            )
        ticket = self._ticket_for(caller, ticket_id)
        place = UploadPlace(ticket, uploader_of(caller), secrets.token_urlsafe(16))
        url, fields = self._bucket.presigned_post(
            place.key(self._prefixes.uploads),
            content_type=media,
            # S3 metadata is ASCII: the name travels percent-encoded.
            metadata={"uploader": place.uploader, "ticket": ticket, "filename": quote(name, safe="")},
            max_bytes=limit,
            expires_in=UPLOAD_GRANT_SECONDS,
        )
        return UploadGrant(place.upload_id, url, fields, UPLOAD_GRANT_SECONDS, limit)

    def _ticket_for(self, caller: Caller, ticket_id: str | None) -> str:
        if ticket_id is None:
            return NEW_TICKET
        # 404 for a ticket of another account, as everywhere.
        return self._tickets.get_ticket(caller, ticket_id).ticket.id

    # ---------------------------------------------------------------- attaching
    @contextmanager
    def attaching(
        self, caller: Caller, ticket_id: str | None, upload_ids: Sequence[str]
    ) -> Iterator[tuple[AttachmentRef, ...]]:
        """The attachments the named uploads become, for the message written inside the block.
        If that write is refused, the copies this request made are deleted again."""
        refs, created = self.resolve(caller, ticket_id, upload_ids)
        try:
            yield refs
        except BaseException:
            for key in created:
                try:
                    self._bucket.delete(key)
                except Exception:  # the refusal is what the caller must hear about
                    logger.exception("could not delete an unreferenced attachment copy", extra={"key": key})
            raise

    def resolve(
        self, caller: Caller, ticket_id: str | None, upload_ids: Sequence[str]
    ) -> tuple[tuple[AttachmentRef, ...], list[str]]:
        """Check each upload (it exists under this caller's and this ticket's prefix, its metadata
        says so, it is within the limits), then copy it out of the expiring prefix. Answers the
        attachments and the keys this call created."""
        unique = list(dict.fromkeys(upload_ids))
        if not unique:
            return (), []
        if len(unique) > self._settings.max_attachments:
            raise AttachmentRefused(
                "too_many_attachments",
                limit=self._settings.max_attachments,
                details=[FieldProblem("attachments", "too_many", {"limit": self._settings.max_attachments})],
            )
        ticket = NEW_TICKET if ticket_id is None else self._canonical(ticket_id)
        uploader = uploader_of(caller)
        checked: list[tuple[UploadPlace, StoredUpload]] = []
        for position, upload_id in enumerate(unique):
            place = UploadPlace(ticket, uploader, upload_id)
            stored = self._bucket.head(place.key(self._prefixes.uploads))
            if stored is None or not _belongs(stored, place) or not self._acceptable(stored):
                # The same words whether it never existed, expired, or is someone else's.
                raise AttachmentRefused(
                    "upload_not_found",
                    position=position + 1,
                    details=[FieldProblem(f"attachments.{position}", "no_such_upload")],
                )
            checked.append((place, stored))
        total = sum(stored.size for _place, stored in checked)
        if total > self._settings.max_attachment_bytes:
            limit = self._settings.max_attachment_bytes
            raise AttachmentRefused(
                "attachments_too_large",
                size=total,
                limit=limit,
                limit_mb=limit // (1024 * 1024),
                details=[FieldProblem("attachments", "too_big", {"limit": limit})],
            )
        refs: list[AttachmentRef] = []
        created: list[str] = []
        for place, stored in checked:
            destination = place.attached_key(self._prefixes.attached)
            if self._bucket.head(destination) is None:  # a retry finds it copied already
                self._bucket.copy(place.key(self._prefixes.uploads), destination)
                created.append(destination)
            name = unquote(stored.metadata.get("filename", "")) or place.upload_id
            refs.append(AttachmentRef(name, type_of(stored.content_type), stored.size, destination))
        return tuple(refs), created

    def _acceptable(self, stored: StoredUpload) -> bool:
        return (
            0 < stored.size <= self._settings.max_attachment_bytes
            and type_of(stored.content_type) in UPLOAD_TYPES
        )

    @staticmethod
    def _canonical(ticket_id: str) -> str:
        canonical = ids.normalize_ticket_id(ticket_id)
        if canonical is None:
            raise TicketNotFound(ticket_id[:40])
        return canonical

    # ---------------------------------------------------------------- downloading
    def download_link(self, caller: Caller, ticket_id: str, message_id: str, index: int) -> str:
        """A short-lived link to an attachment the caller may read, unless the scan holds it."""
        attachment = self._tickets.attachment(caller, ticket_id, message_id, index)
        status = self._bucket.scan_status(attachment.key)
        if status == ScanStatus.THREATS_FOUND:
            logger.warning("download held: malware found", extra={"key": attachment.key})
            raise AttachmentHeld("attachment_infected", name=attachment.name[:80])
        if self._settings.malware_scan_required and status != ScanStatus.NO_THREATS_FOUND:
            raise AttachmentHeld("attachment_not_scanned", name=attachment.name[:80])
        return self._bucket.download_url(
            attachment.key, attachment.name, attachment.content_type, expires_in=DOWNLOAD_SECONDS
        )


def _printable(name: str) -> bool:
    """No control character, and text UTF-8 can carry (JSON may bring a lone surrogate)."""
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _belongs(stored: StoredUpload, place: UploadPlace) -> bool:
    """The object's own metadata (fixed by the POST policy) agrees with the key it was found at."""
    return stored.metadata.get("uploader") == place.uploader and stored.metadata.get("ticket") == place.ticket
