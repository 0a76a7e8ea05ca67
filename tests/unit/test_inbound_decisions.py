"""What inbound mail becomes, decided on in-memory stores: the order of the rules, typed
decisions with their reasons, and exactly one effect per message. Bad inputs tried: failed
virus/spam/DMARC verdicts, no SPF and no DKIM pass, automatic mail of each kind, unknown and
missing senders, another account's ticket id in the subject, a forged reply address, redelivery
by SES and the same Message-ID through another SES message, unparseable bytes already handled."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from helpdesk.domain.models import AttachmentRef, Channel
from helpdesk.mail.parse import Attachment
from helpdesk.mail.signing import MailSigner
from helpdesk.services import inbound_mail
from helpdesk.services.accounts import AccountService
from helpdesk.services.inbound_mail import InboundDecision, InboundMail, Outcome
from helpdesk.services.tickets import TicketService
from tests.support.domain import ANA, BRUNO, SETTINGS, T0, sequence
from tests.support.fakes import InMemoryAccounts, InMemoryMarkers, InMemoryTickets
from tests.support.mail import COMERCIAL, MAIL_DOMAIN, mail, receipt

SIGNER = MailSigner(b"unit-test-secret", MAIL_DOMAIN)


class Notices:
    def __init__(self) -> None:
        self.unknown: list[str] = []
        self.refused: list[tuple[str, str, tuple[str, ...]]] = []
        self.languages: list[str] = []

    def unknown_sender(self, to: str, subject: str, now: datetime) -> None:
        self.unknown.append(to)

    def attachments_refused(
        self, to: str, ticket_id: str, names: tuple[str, ...], now: datetime, *, language: str
    ) -> None:
        self.refused.append((to, ticket_id, names))
        self.languages.append(language)


class Desk:
    def __init__(self) -> None:
        self.markers = InMemoryMarkers()
        self.store = InMemoryTickets(self.markers)
        self.accounts = InMemoryAccounts()
        self.tickets = TicketService(
            self.store, SETTINGS, ticket_ids=sequence("NZ-3000000"), message_ids=sequence("m")
        )
        self.notices = Notices()
        self.saved: list[str] = []
        self.inbound = InboundMail(
            tickets=self.tickets,
            accounts=AccountService(self.accounts),
            markers=self.markers,
            signer=SIGNER,
            settings=SETTINGS.model_copy(update={"max_attachments": 1}),
            notices=self.notices,
            save_attachment=self._save,
        )
        self.count = 0
        self.accounts.add_email("acct-1001", "ana@cliente.example", T0, 20)
        self.accounts.add_email("acct-2002", "bruno@otro.example", T0, 20)

    def _save(self, ses_id: str, index: int, attachment: Attachment) -> AttachmentRef:
        self.saved.append(attachment.filename)
        return AttachmentRef(
            attachment.filename, attachment.content_type, attachment.size, f"{ses_id}/{index}"
        )

    def deliver(
        self, raw: bytes, *, ses_id: str | None = None, at: datetime = T0, **options: object
    ) -> Outcome:
        self.count += 1
        notification = receipt(ses_id or f"ses{self.count:030d}", raw, at, **options)  # type: ignore[arg-type]
        return self.inbound.process(notification, raw, at)


@pytest.fixture
def desk() -> Desk:
    return Desk()


def test_a_mail_from_an_authorized_address_opens_a_ticket_in_its_department(desk):
    outcome = desk.deliver(mail(to=COMERCIAL), to=(COMERCIAL,))
    assert (outcome.decision, outcome.reason, outcome.code) == (
        InboundDecision.NEW_TICKET,
        None,
        "new_ticket",
    )
    ticket = desk.store.tickets[outcome.ticket_id]
    assert (ticket.department, ticket.account_id, ticket.subject) == (
        "comercial",
        "acct-1001",
        "No puedo acceder al webmail",
    )
    first = desk.store.messages[ticket.id][0]
    assert (first.channel, first.email.from_address) == (Channel.EMAIL, "ana@cliente.example")


@pytest.mark.parametrize(
    ("verdicts", "decision"),
    [
        ({"virus": "FAIL"}, InboundDecision.VIRUS),
        ({"spam": "FAIL"}, InboundDecision.SPAM),
        ({"dmarc": "FAIL"}, InboundDecision.DMARC_FAIL),
        ({"spf": "FAIL", "dkim": "FAIL"}, InboundDecision.UNAUTHENTICATED),
        ({"spf": "GRAY", "dkim": "MISSING"}, InboundDecision.UNAUTHENTICATED),
    ],
)
def test_failed_verdicts_drop_the_mail_unanswered_and_mark_it(desk, verdicts, decision):
    outcome = desk.deliver(mail(), ses_id="ses-dropped", verdicts=verdicts)
    assert outcome.decision is decision
    assert desk.store.tickets == {}
    assert desk.notices.unknown == []
    assert desk.markers.marked["ses:ses-dropped"] == {"decision": decision.value}


def test_one_passing_of_spf_or_dkim_is_enough(desk):
    assert desk.deliver(mail(), verdicts={"spf": "FAIL"}).decision is InboundDecision.NEW_TICKET


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "auto_submitted"),
        ({"Precedence": "bulk"}, "precedence"),
        ({"List_Id": "<clientes.lists.example>"}, "mailing_list"),
        ({"X_Netz0_Helpdesk": "notification"}, "our_own"),
    ],
)
def test_automatic_mail_is_dropped_with_its_reason(desk, headers, reason):
    outcome = desk.deliver(mail(**headers))
    assert (outcome.decision, outcome.reason, outcome.code) == (
        InboundDecision.AUTOMATIC,
        reason,
        f"automatic:{reason}",
    )
    assert desk.store.tickets == {}


def test_an_unknown_sender_gets_one_notice_a_day(desk):
    stranger = mail(sender="quien@desconocido.example")
    assert desk.deliver(stranger).decision is InboundDecision.UNKNOWN_SENDER
    desk.deliver(mail(sender="quien@desconocido.example"), at=T0 + timedelta(hours=23))
    desk.deliver(mail(sender="quien@desconocido.example"), at=T0 + timedelta(hours=25))
    assert desk.notices.unknown == ["quien@desconocido.example"] * 2
    assert desk.store.tickets == {}


def test_a_ticket_id_in_the_subject_answers_the_senders_own_ticket(desk):
    ticket = desk.tickets.open_ticket(ANA, department="soporte", subject="web", body="b", now=T0)
    outcome = desk.deliver(mail(subject=f"Re: [#{ticket.id}] web", body="Sigue igual"))
    assert (outcome.decision, outcome.reason, outcome.ticket_id) == (
        InboundDecision.REPLY,
        "subject",
        ticket.id,
    )
    assert [m.body for m in desk.store.messages[ticket.id]] == ["b", "Sigue igual"]


def test_our_signed_reply_address_is_the_strongest_evidence(desk):
    ticket = desk.tickets.open_ticket(ANA, department="soporte", subject="web", body="b", now=T0)
    address = SIGNER.reply_address("soporte", ticket.id)
    outcome = desk.deliver(mail(to=address), to=(address,))
    assert (outcome.decision, outcome.reason) == (InboundDecision.REPLY, "reply_address")


def test_another_accounts_ticket_is_never_followed(desk):
    theirs = desk.tickets.open_ticket(BRUNO, department="soporte", subject="x", body="b", now=T0)
    outcome = desk.deliver(mail(subject=f"Re: [#{theirs.id}] x"))
    assert outcome.decision is InboundDecision.NEW_TICKET
    assert outcome.ticket_id != theirs.id
    assert len(desk.store.messages[theirs.id]) == 1


def test_a_forged_reply_address_is_ignored(desk):
    ticket = desk.tickets.open_ticket(ANA, department="soporte", subject="web", body="b", now=T0)
    forged = f"soporte+{ticket.id}.0000000000@{MAIL_DOMAIN}"
    assert desk.deliver(mail(to=forged), to=(forged,)).decision is InboundDecision.NEW_TICKET


def test_a_redelivery_by_ses_is_a_duplicate_and_is_not_parsed_again(desk, monkeypatch):
    raw = mail()
    first = desk.deliver(raw, ses_id="ses-1")

    def no_parsing(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("a duplicate was parsed")

    monkeypatch.setattr(inbound_mail, "parse_message", no_parsing)
    again = desk.deliver(raw, ses_id="ses-1")
    assert again.decision is InboundDecision.DUPLICATE
    assert list(desk.store.tickets) == [first.ticket_id]


def test_the_same_message_id_through_another_ses_message_is_a_duplicate(desk):
    desk.deliver(mail(message_id="<una-vez@mail.cliente.example>"), ses_id="ses-a")
    again = desk.deliver(mail(message_id="<una-vez@mail.cliente.example>"), ses_id="ses-b")
    assert again.decision is InboundDecision.DUPLICATE
    assert len(desk.store.tickets) == 1


def test_a_duplicate_racing_the_first_delivery_has_no_second_effect(desk):
    raw = mail()
    late: list[Outcome] = []
    desk.store.before_next_write(lambda: late.append(desk.deliver(raw, ses_id="ses-same")))
    first = desk.deliver(raw, ses_id="ses-same")
    assert {first.decision, late[0].decision} == {InboundDecision.NEW_TICKET, InboundDecision.DUPLICATE}
    assert len(desk.store.tickets) == 1


def test_an_empty_mail_still_opens_a_ticket_with_placeholders(desk):
    outcome = desk.deliver(mail(subject="", body=""))
    ticket = desk.store.tickets[outcome.ticket_id]
    assert ticket.subject == "(sin asunto)"
    assert desk.store.messages[ticket.id][0].body == "(mensaje sin texto)"


def test_a_long_subject_is_cut_to_the_limit(desk):
    outcome = desk.deliver(mail(subject="palabra " * 60))
    subject = desk.store.tickets[outcome.ticket_id].subject
    assert len(subject) == 200
    assert subject.endswith("…")


def test_attachments_beyond_the_limit_are_refused_and_the_sender_told(desk):
    message = mail()
    from email import message_from_bytes, policy

    parsed = message_from_bytes(message, policy=policy.default)
    parsed.add_attachment(b"uno", maintype="application", subtype="pdf", filename="uno.pdf")
    parsed.add_attachment(b"dos", maintype="application", subtype="pdf", filename="dos.pdf")
    outcome = desk.deliver(parsed.as_bytes())
    assert outcome.refused_attachments == ("dos.pdf",)
    assert desk.saved == ["uno.pdf"]
    assert desk.notices.refused == [("ana@cliente.example", outcome.ticket_id, ("dos.pdf",))]


def test_the_attachments_notice_is_in_the_accounts_language(desk):
    from email import message_from_bytes, policy

    desk.accounts.set_language("acct-1001", "en")
    parsed = message_from_bytes(mail(), policy=policy.default)
    for name in ("uno.pdf", "dos.pdf"):
        parsed.add_attachment(b"x", maintype="application", subtype="pdf", filename=name)
    desk.deliver(parsed.as_bytes())
    assert desk.notices.languages == ["en"]
