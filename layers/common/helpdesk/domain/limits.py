"""Every limit more than one part of the system enforces, defined once. The portal repeats the
text limits in its forms; tests/unit/test_shared_rules.py fails when it disagrees."""

from __future__ import annotations

from datetime import timedelta

MAX_SUBJECT = 200  # characters of a ticket's subject (API, inbound mail, portal)
MAX_BODY = 32_000  # characters of a message (API, inbound mail text, portal)
MAX_FILENAME = 200  # characters of an attachment's name as kept
MAX_ADDRESSES = 20  # authorized e-mail addresses per account
MAX_DISPLAY_NAME = 80  # characters of a person's display name as shown and stored
OPERATOR_DIRECTORY_TTL = timedelta(seconds=60)  # how long a container trusts its copy of the operators group

IDEMPOTENCY_TTL = timedelta(hours=24)  # how long an Idempotency-Key answers with its ticket
MARKER_TTL = timedelta(days=30)  # processing markers outlive SES's redelivery window

AUTOMATIC_MAILS_PER_HOUR = 10  # automatic notifications to one address; beyond that they are skipped
UNKNOWN_SENDER_NOTICE_WINDOW = timedelta(hours=24)  # at most one "unknown sender" notice per address

# Confirming that an address belongs to whoever adds it (services/address_confirmation.py).
CONFIRMATION_VALID = timedelta(hours=72)  # how long a confirmation link or code works
CONFIRMATION_MAILS_PER_ACCOUNT = 10  # confirmation mails one account may cause per hour
CONFIRMATION_MAILS_PER_CLAIM = 3  # to one address from one account per day
CONFIRMATION_MAILS_PER_ADDRESS = (
    10  # to one address from all accounts per day (more than one account can use)
)
CONFIRMATION_ATTEMPTS_PER_ADDRESS = 10  # codes typed for one address per hour (40-bit codes)

# Canned replies (services/canned_replies.py); the portal's editor repeats the text limits.
MAX_CANNED_TITLE = 120  # characters of a canned reply's title
MAX_CANNED_BODY = 10_000  # characters of its body (filled in, it still fits a message)
MAX_CANNED_REPLIES = 500  # canned replies the desk keeps (a counter item guards it)

# Files from the web (services/files.py); how many and how large come from MaxAttachments and
# MaxAttachmentBytes, the same as for mail.
UPLOAD_GRANT_SECONDS = 600  # a presigned POST works this long after it is handed out
UPLOAD_RETENTION_DAYS = 1  # an upload no message references is deleted (template.yaml lifecycle)
DOWNLOAD_SECONDS = 300  # a download link works this long
# Customer satisfaction (services/ratings.py).
RATING_VALID = timedelta(days=30)  # a closing can be rated (and the rating changed) this long
MAX_RATING_COMMENT = 2000  # characters of a rating's optional comment

# What operators add to a ticket (domain/attributes.py; the portal's ticket view repeats them).
MAX_TAGS = 10  # tags on one ticket
MAX_TAG_LENGTH = 30  # characters of one tag
