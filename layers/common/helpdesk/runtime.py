"""The wiring: the objects a function builds once per container (at cold start) and reuses while
warm. The only module that knows which concrete store or adapter serves which service."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3

from helpdesk.config import mail_settings, settings, sla_policies
from helpdesk.services.tickets import TicketService
from helpdesk.store.tickets import DynamoTicketStore

if TYPE_CHECKING:
    from helpdesk.adapters.files import FileBucket
    from helpdesk.adapters.mail_bucket import MailBucket
    from helpdesk.adapters.ses import Mailer
    from helpdesk.mail.compose import MailIdentity
    from helpdesk.services.account_lookup import AccountLookup
    from helpdesk.services.accounts import AccountService
    from helpdesk.services.address_confirmation import AddressConfirmation
    from helpdesk.services.assignment import AssignmentService
    from helpdesk.services.auto_close import AutoCloser
    from helpdesk.services.auto_close_reminder import AutoCloseReminder
    from helpdesk.services.canned_replies import CannedReplyService
    from helpdesk.services.customer_mail import CustomerMail
    from helpdesk.services.escalation import Escalator
    from helpdesk.services.event_publishing import EventPublisher
    from helpdesk.services.export import AccountExport
    from helpdesk.services.files import FileService
    from helpdesk.services.inbound_mail import InboundMail
    from helpdesk.services.mail_feedback import MailFeedbackService
    from helpdesk.services.merge import TicketMerger
    from helpdesk.services.notifications import Notifier
    from helpdesk.services.operators import OperatorDirectory
    from helpdesk.services.ratings import RatingService
    from helpdesk.services.reports import ReportAggregator, ReportService
    from helpdesk.services.search import SearchIndexer, TicketSearch
    from helpdesk.services.staff_notifications import StaffNotifier
    from helpdesk.services.ticket_attributes import TicketAttributes
    from helpdesk.services.tickets_for_customers import TicketsForCustomers
    from helpdesk.store.accounts import DynamoAccountStore
    from helpdesk.store.markers import DynamoMarkerStore
    from helpdesk.store.reports import DynamoReportStore


@cache
def dynamodb() -> Any:
    """The process's one DynamoDB client (tests hook its events to stage races)."""
    return boto3.client("dynamodb")


@cache
def ticket_store() -> DynamoTicketStore:
    return DynamoTicketStore(dynamodb(), settings().table_name)


@cache
def ticket_service() -> TicketService:
    # The SLA document is parsed on first use: only the functions that show SLA state pay for it.
    return TicketService(ticket_store(), settings(), sla_policies=sla_policies)


def canned_replies() -> CannedReplyService:
    from helpdesk.services.canned_replies import CannedReplyService
    from helpdesk.store.canned import DynamoCannedReplies

    return CannedReplyService(DynamoCannedReplies(dynamodb(), settings().table_name), settings())


def ticket_merger() -> TicketMerger:
    from helpdesk.services.merge import TicketMerger

    return TicketMerger(ticket_store())


@cache
def ticket_search() -> TicketSearch:
    from helpdesk.services.search import TicketSearch
    from helpdesk.store.search_index import DynamoSearchIndex

    return TicketSearch(DynamoSearchIndex(dynamodb(), settings().table_name))


def account_export() -> AccountExport:
    from helpdesk.services.export import AccountExport

    return AccountExport(ticket_store())


def search_indexer() -> SearchIndexer:
    from helpdesk.services.search import SearchIndexer
    from helpdesk.store.search_index import DynamoSearchIndex

    return SearchIndexer(DynamoSearchIndex(dynamodb(), settings().table_name))


@cache
def ticket_attributes() -> TicketAttributes:
    from helpdesk.services.ticket_attributes import TicketAttributes

    return TicketAttributes(ticket_store())


def auto_closer() -> AutoCloser:
    from helpdesk.services.auto_close import AutoCloser

    return AutoCloser(ticket_store(), settings())


def auto_close_reminder() -> AutoCloseReminder:
    from helpdesk.services.auto_close_reminder import AutoCloseReminder

    return AutoCloseReminder(ticket_store(), settings())


def escalator() -> Escalator:
    from helpdesk.services.escalation import Escalator

    return Escalator(ticket_store(), settings(), sla_policies())


@cache
def report_store() -> DynamoReportStore:
    from helpdesk.store.reports import DynamoReportStore

    return DynamoReportStore(dynamodb(), settings().table_name)


def report_aggregator() -> ReportAggregator:
    from helpdesk.services.reports import ReportAggregator

    return ReportAggregator(report_store(), sla_policies())


def report_service() -> ReportService:
    from helpdesk.services.reports import ReportService

    return ReportService(report_store(), settings(), sla_policies)


def marker_store() -> DynamoMarkerStore:
    from helpdesk.store.markers import DynamoMarkerStore

    return DynamoMarkerStore(dynamodb(), settings().table_name)


@cache
def operator_directory() -> OperatorDirectory:
    """The operators group (Cognito) with the operators' preferences (the table); one per
    container, so its copy of the group is reused while the container is warm."""
    from helpdesk.adapters.cognito import CognitoOperators
    from helpdesk.services.operators import OperatorDirectory
    from helpdesk.store.operators import DynamoOperatorStore

    config = settings()
    if not config.user_pool_id:
        raise RuntimeError("USER_POOL_ID is not set (the template's UserPool)")
    members = CognitoOperators(boto3.client("cognito-idp"), config.user_pool_id, config.operators_group)
    return OperatorDirectory(members, DynamoOperatorStore(dynamodb(), config.table_name), config)


@cache
def assignment_service() -> AssignmentService:
    from helpdesk.services.assignment import AssignmentService

    return AssignmentService(ticket_service(), operator_directory())


@cache
def account_store() -> DynamoAccountStore:
    from helpdesk.store.accounts import DynamoAccountStore

    return DynamoAccountStore(dynamodb(), settings().table_name)


@cache
def account_service() -> AccountService:
    from helpdesk.services.accounts import AccountService  # parses addresses: only its functions load it

    return AccountService(account_store())


@cache
def account_lookup() -> AccountLookup:
    from helpdesk.services.account_lookup import AccountLookup

    return AccountLookup(account_store())


@cache
def tickets_for_customers() -> TicketsForCustomers:
    from helpdesk.services.tickets_for_customers import TicketsForCustomers

    return TicketsForCustomers(ticket_service(), account_lookup())


def customer_mail() -> CustomerMail:
    from helpdesk.services.customer_mail import CustomerMail

    return CustomerMail(account_store())


@cache
def address_confirmation() -> AddressConfirmation:
    from helpdesk.services.address_confirmation import AddressConfirmation

    return AddressConfirmation(
        store=account_store(),
        markers=marker_store(),
        identity=mail_identity(),
        send=mailer().send,
        portal_url=mail_settings().portal_url,
    )


# ---------------------------------------------------------------- files (web uploads, downloads)
@cache
def file_bucket() -> FileBucket:
    from botocore.config import Config

    from helpdesk.adapters.files import FileBucket

    # SigV4 for the presigned POST and links (S3 refuses SigV2 on buckets made since 2020).
    return FileBucket(boto3.client("s3", config=Config(signature_version="s3v4")), mail_settings().bucket)


@cache
def file_service() -> FileService:
    from helpdesk.services.files import FileService

    return FileService(ticket_service(), file_bucket, settings())


# ---------------------------------------------------------------- the e-mail channel
# Imported lazily (like the accounts above): a function loads only the modules it uses, which
# keeps the ticket functions' cold start free of the mail code.
@cache
def mail_identity() -> MailIdentity:
    from helpdesk.mail.compose import MailIdentity
    from helpdesk.mail.signing import MailSigner

    config = mail_settings()
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=config.signing_secret)["SecretString"]
    return MailIdentity(
        signer=MailSigner(secret.encode(), config.domain),
        from_address=config.sender,
        portal_url=config.portal_url,
    )


@cache
def mailer() -> Mailer:
    from helpdesk.adapters.ses import Mailer

    config = mail_settings()
    return Mailer(boto3.client("sesv2"), config.sender, config.configuration_set)


@cache
def mail_bucket() -> MailBucket:
    from helpdesk.adapters.mail_bucket import MailBucket

    config = mail_settings()
    return MailBucket(boto3.client("s3"), config.bucket, config.inbound_prefix, config.attachments_prefix)


def inbound_mail() -> InboundMail:
    from helpdesk.mail.notices import MailNotices
    from helpdesk.services.inbound_mail import InboundMail

    config = settings()
    return InboundMail(
        tickets=ticket_service(),
        accounts=account_service(),
        markers=marker_store(),
        signer=mail_identity().signer,
        settings=config,
        notices=MailNotices(
            mail_identity(),
            # The SES client is made when a notice is first sent: most inbound mail needs none, and
            # making it at cold start cost every container the SES service model (docs/decisions.md).
            lambda message: mailer().send(message),
            files=config.max_attachments,
            megabytes=config.max_attachment_bytes // (1024 * 1024),
        ),
        save_attachment=mail_bucket().save_attachment,
    )


@cache
def rating_service() -> RatingService:
    from helpdesk.services.ratings import RatingService
    from helpdesk.store.ratings import DynamoRatingStore

    store = DynamoRatingStore(dynamodb(), settings().table_name)
    return RatingService(store, ticket_store(), mail_identity().signer)


def notifier() -> Notifier:
    from helpdesk.services.notifications import Notifier

    return Notifier(
        threads=ticket_store(),
        markers=marker_store(),
        accounts=account_store(),
        mailer=mailer(),
        identity=mail_identity(),
        settings=settings(),
    )


def staff_notifier() -> StaffNotifier:
    from helpdesk.services.staff_notifications import StaffNotifier

    return StaffNotifier(
        threads=ticket_store(),
        markers=marker_store(),
        directory=operator_directory(),
        mailer=mailer(),
        identity=mail_identity(),
        settings=settings(),
        portal_url=mail_settings().portal_url,
    )


def mail_feedback() -> MailFeedbackService:
    from helpdesk.services.mail_feedback import MailFeedbackService

    return MailFeedbackService(account_store())


@cache
def events_client() -> Any:
    """The process's one EventBridge client (the bench counts its calls, as dynamodb()'s)."""
    return boto3.client("events")


def event_publisher() -> EventPublisher:
    from helpdesk.adapters.event_bus import EventBridgeBus
    from helpdesk.config import event_settings
    from helpdesk.services.event_publishing import EventPublisher

    bus = EventBridgeBus(events_client(), event_settings().bus_name)
    return EventPublisher(tickets=ticket_store(), markers=marker_store(), bus=bus)
