"""The objects a function builds once per container (at cold start) and reuses while warm."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3

from helpdesk.config import mail_settings, settings
from helpdesk.store import TicketStore
from helpdesk.tickets import TicketService

if TYPE_CHECKING:
    from helpdesk.account_store import AccountStore
    from helpdesk.accounts import AccountService
    from helpdesk.inbound import InboundMail
    from helpdesk.mail.outbound import MailIdentity
    from helpdesk.mailer import MailBucket, Mailer
    from helpdesk.notifications import Notifier


@cache
def dynamodb() -> Any:
    return boto3.client("dynamodb")


@cache
def ticket_store() -> TicketStore:
    return TicketStore(dynamodb(), settings().table_name)


@cache
def ticket_service() -> TicketService:
    return TicketService(ticket_store(), settings())


@cache
def account_store() -> AccountStore:
    from helpdesk.account_store import AccountStore

    return AccountStore(dynamodb(), settings().table_name)


@cache
def account_service() -> AccountService:
    from helpdesk.accounts import AccountService  # parses addresses: only its functions load it

    return AccountService(account_store())


# ---------------------------------------------------------------- the e-mail channel
# Imported lazily (like the accounts above): a function loads only the modules it uses, which
# keeps the ticket functions' cold start free of the mail code.
@cache
def mail_identity() -> MailIdentity:
    from helpdesk.mail.outbound import MailIdentity
    from helpdesk.mail.signing import MailSigner

    config = mail_settings()
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=config.signing_secret)["SecretString"]
    return MailIdentity(signer=MailSigner(secret.encode(), config.domain), from_address=config.sender)


@cache
def mailer() -> Mailer:
    from helpdesk.mailer import Mailer

    config = mail_settings()
    return Mailer(boto3.client("sesv2"), config.sender, config.configuration_set)


@cache
def mail_bucket() -> MailBucket:
    from helpdesk.mailer import MailBucket

    config = mail_settings()
    return MailBucket(boto3.client("s3"), config.bucket, config.inbound_prefix, config.attachments_prefix)


def inbound_mail() -> InboundMail:
    from helpdesk.inbound import InboundMail
    from helpdesk.mail.notices import MailNotices

    config = settings()
    limits = f"{config.max_attachments} files, {config.max_attachment_bytes // (1024 * 1024)} MB"
    return InboundMail(
        tickets=ticket_service(),
        accounts=account_service(),
        store=ticket_store(),
        signer=mail_identity().signer,
        settings=config,
        notices=MailNotices(mail_identity(), mailer().send, limits),
        save_attachment=mail_bucket().save_attachment,
    )


def notifier() -> Notifier:
    from helpdesk.notifications import Notifier

    return Notifier(
        store=ticket_store(),
        accounts=account_store(),
        mailer=mailer(),
        identity=mail_identity(),
        settings=settings(),
    )
