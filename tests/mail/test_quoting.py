# ruff: noqa: RUF001  # Russian attributions and header labels are test cases
"""Quoted-history removal, one mail client's convention at a time."""

from __future__ import annotations

import pytest

from helpdesk.mail.quoting import REPLY_ABOVE_MARKER, strip_quoted

NEW = "Ya funciona, gracias.\n\nAna"


@pytest.mark.parametrize(
    "history",
    [
        # Gmail, English, the attribution wrapped over two lines
        "On Tue, Nov 24, 2026 at 6:05 PM Netz0 Support <\nsoporte@soporte.netz0.example> wrote:\n\n> Hello",
        # Gmail, Spanish, on one line
        "El mar, 24 nov 2026 a las 18:05, Soporte Netz0 (<soporte@soporte.netz0.example>) escribió:\n> Hola",
        # Apple Mail, English and Spanish
        "On Nov 24, 2026, at 18:05, Netz0 Support <soporte@soporte.netz0.example> wrote:\n\n> Hello",
        "El 24 nov 2026, a las 18:05, Soporte Netz0 <soporte@soporte.netz0.example> escribió:\n\n> Hola",
        # Thunderbird
        "On 24/11/2026 18:05, Netz0 Support wrote:\n> Hello",
        # Outlook, plain-text replies
        "-----Original Message-----\nFrom: Netz0 Support\nSent: Tuesday, November 24, 2026 6:05 PM\nHello",
        "-----Mensaje original-----\nDe: Soporte Netz0\nEnviado el: martes\nHola",
        # Outlook's header block, English and Spanish, with and without its rule
        "________________________________\nFrom: Netz0 Support <soporte@soporte.netz0.example>\n"
        "Sent: Tuesday, November 24, 2026 6:05 PM\nTo: Ana\nSubject: [#NZ-48213907] Web\n\nHello",
        "De: Soporte Netz0 <soporte@soporte.netz0.example>\nEnviado: martes, 24 de noviembre de 2026 18:05\n"
        "Para: Ana\nCC: Pedro\nAsunto: [#NZ-48213907] Web\n\nHola",
        # Outlook for Mac, and Gmail's rendering of Outlook's bold labels
        "From: Netz0 Support <soporte@soporte.netz0.example>\nDate: Tuesday, 24 November 2026 at 18:05\n"
        "To: Ana\nSubject: Web\n\nHello",
        "*From:* Netz0 Support\n*Sent:* Tuesday, November 24, 2026 6:05 PM\n*To:* Ana\n*Subject:* Web\n\nHi",
        # Our marker alone: unquoted, quoted, quoted twice, and wrapped by the client
        f"{REPLY_ABOVE_MARKER}\nHola, Ana:",
        f"> {REPLY_ABOVE_MARKER}\n> Hola, Ana:",
        f">> {REPLY_ABOVE_MARKER}\n>> Hola, Ana:",
        "> ##- Responda por encima de esta línea / Reply\n> above this line -##\n> Hola, Ana:",
        # Unknown client: only trailing quoted lines
        "> Hola, Ana:\n>\n> Luis ha respondido.",
    ],
)
def test_history_below_the_new_text_is_cut(history: str) -> None:
    assert strip_quoted(f"{NEW}\n\n{history}\n") == NEW


def test_unknown_attribution_line_before_our_marker_is_cut_with_the_quote() -> None:
    text = f"{NEW}\n\nSoporte Netz0 kirjoitti 24.11.2026 klo 18.05:\n> {REPLY_ABOVE_MARKER}\n> Hei"

    # The Finnish attribution is not recognized: it stays, the quote from our marker on goes.
    assert strip_quoted(text) == f"{NEW}\n\nSoporte Netz0 kirjoitti 24.11.2026 klo 18.05:"


@pytest.mark.parametrize(
    "attribution",
    [
        # Wrapped over two and three lines, and "wrote:" glued to the address
        "On Dec 16, 2026, at 12:47 PM, Netz0 Support\n<soporte@soporte.netz0.example>\nwrote:",
        "On Tue, Nov 24, 2026 at 8:59 AM, Netz0 Support\n<soporte@soporte.netz0.example>wrote:",
        # Yahoo
        "--- On Tue, 24/11/26, Netz0 Support <soporte@soporte.netz0.example> wrote:",
        # Other languages, as Gmail, Apple Mail, Thunderbird and Android write them
        "Le mar. 24 nov. 2026 à 18:05, Soporte Netz0 <soporte@soporte.netz0.example> a écrit :",
        "Am Di., 24. Nov. 2026 um 18:05 Uhr schrieb Netz0 Support <soporte@soporte.netz0.example>:",
        "Em ter., 24 de nov. de 2026 às 18:05, Netz0 Support <soporte@soporte.netz0.example>\nescreveu:",
        "Il giorno mar 24 nov 2026 alle ore 18:05 Netz0 Support <soporte@soporte.netz0.example> ha\nscritto:",
        "Op di 24 nov. 2026 om 18:05 schreef Netz0 Support <soporte@soporte.netz0.example>:",
        "Op 24 nov. 2026 om 18:05 heeft Netz0 Support <soporte@soporte.netz0.example> het\n"
        "volgende geschreven:",
        '24.11.2026 18:05 пользователь "Netz0 Support" <\nsoporte@soporte.netz0.example> написал:',
        "24.11.2026 18:05, Netz0 Support пишет:",
    ],
)
def test_attributions_wrapped_or_in_other_languages_are_cut_with_the_quote(attribution: str) -> None:
    assert strip_quoted(f"{NEW}\n\n{attribution}\n\n> Hola, Ana:\n> Luis ha respondido.\n") == NEW


@pytest.mark.parametrize(
    "block",
    [
        # Hotmail: Date first, no rule above
        "Date: Tue, 24 Nov 2026 18:05:00 +0100\nSubject: [#NZ-48213907] Web\n"
        "From: soporte@soporte.netz0.example\nTo: ana@cliente.example",
        # Windows Mail in Russian: no subject line
        "От: Netz0 Support (mailto:soporte@soporte.netz0.example)\nОтправлено: 24 ноября 2026 г. 18:05\n"
        "Кому: Ana (mailto:ana@cliente.example)",
        # Yahoo: From, Subject, To, Date
        "From: Netz0 Support <soporte@soporte.netz0.example>\nSubject: [#NZ-48213907] Web\n"
        "To: ana@cliente.example\nDate: Tuesday, November 24, 2026, 6:05 PM",
        # Outlook in German, French (a space before the colon), Portuguese, Italian, Dutch
        "Von: Netz0 Support\nGesendet: Dienstag, 24. November 2026 18:05\nAn: Ana\nBetreff: Web",
        "De : Netz0 Support\nEnvoyé : mardi 24 novembre 2026 18:05\nÀ : Ana\nObjet : Web",
        "De: Netz0 Support\nEnviado: terça-feira, 24 de novembro de 2026 18:05\nPara: Ana\nAssunto: Web",
        "Da: Netz0 Support\nInviato: martedì 24 novembre 2026 18:05\nA: Ana\nOggetto: Web",
        "Van: Netz0 Support\nVerzonden: dinsdag 24 november 2026 18:05\nAan: Ana\nOnderwerp: Web",
        # Outlook's rule in other languages
        "-----Ursprüngliche Nachricht-----\nVon: Netz0 Support",
        "-----Message d'origine-----\nDe : Netz0 Support",
    ],
)
def test_header_blocks_without_a_rule_are_cut(block: str) -> None:
    assert strip_quoted(f"{NEW}\n\n{block}\n\nHola, Ana:\nLuis ha respondido.") == NEW


def test_a_reply_below_the_quote_keeps_the_reply_and_drops_the_quote() -> None:
    # Thunderbird and Android users reply underneath, and the mail starts with the attribution.
    text = f"On 24/11/2026 18:05, Netz0 Support wrote:\n> {REPLY_ABOVE_MARKER}\n> Hola, Ana:\n\n{NEW}"

    assert strip_quoted(text) == NEW
    assert strip_quoted(f"> {REPLY_ABOVE_MARKER}\n> Hola, Ana:\n\n{NEW}") == NEW
    assert strip_quoted("Hola:\nOn 24/11/2026 18:05, Netz0 Support wrote:\n> ¿Qué versión?\n\n8.3") == (
        "Hola:\n\n8.3"
    )


def test_answers_written_between_quotes_below_an_attribution_keep_everything_they_need() -> None:
    text = (
        "On 24/11/2026 18:05, Luis <soporte@soporte.netz0.example> wrote:\n\n"
        "> ¿Qué versión de PHP usa?\n\n8.3\n\n> ¿Desde cuándo falla?\n\nDesde ayer.\n\n"
        "> Un saludo,\n> Luis\n>\n> On 23/11/2026 10:00, Ana wrote:\n> > No carga la web\n\n"
        "-- \nAna Pérez\nCliente SL"
    )

    assert strip_quoted(text) == (
        "On 24/11/2026 18:05, Luis <soporte@soporte.netz0.example> wrote:\n\n"
        "> ¿Qué versión de PHP usa?\n\n8.3\n\n> ¿Desde cuándo falla?\n\nDesde ayer.\n\n"
        "-- \nAna Pérez\nCliente SL"
    )


def test_a_quote_before_a_list_footer_goes_and_the_customers_text_stays() -> None:
    text = (
        "Hi,\nOn Tue, 2026-11-24 at 18:02 +0100, Luis wrote:\n> How do I empty a bucket?\n\n"
        "List the keys and delete each one.\n\n> \n> -Luis\n> ____\n> users mailing list\n\n"
        "_______________________________________________\nusers mailing list\nusers@lists.example"
    )

    assert strip_quoted(text) == (
        "Hi,\n\nList the keys and delete each one.\n\n"
        "_______________________________________________\nusers mailing list\nusers@lists.example"
    )


def test_answers_written_between_quotes_are_kept() -> None:
    text = "> ¿Qué versión de PHP usa?\n8.3\n\n> ¿Desde cuándo falla?\nDesde ayer.\n\n> Un saludo, Luis"

    assert strip_quoted(text) == "> ¿Qué versión de PHP usa?\n8.3\n\n> ¿Desde cuándo falla?\nDesde ayer."


@pytest.mark.parametrize(
    "own_words",
    [
        "On Monday your technician wrote: restart the server. I did.",
        "On Monday your technician wrote:",  # no date digits: not an attribution
        "El martes el técnico escribió:",
        "From: the web panel\nI cannot log in.",  # a From: line without Sent: and Subject:
        "From: Madrid\nTo: Barcelona\nI need the invoice.",  # from and to, but no date
        "Saludos\n24.11.2026 18:05 escribí al panel:",  # a date, but no attribution verb
    ],
)
def test_the_customers_own_words_are_not_mistaken_for_attributions(own_words: str) -> None:
    text = f"{own_words}\n\nGracias"

    assert strip_quoted(text) == text


def test_a_mail_that_is_only_a_forwarded_header_block_is_kept_whole() -> None:
    text = (
        "----- Original Nachricht ----\nVon: a@cliente.example\nAn: b@cliente.example\n"
        "Datum: 30.05.2026\n\nHallo"
    )

    assert strip_quoted(text) == text


def test_rules_closing_the_text_go_and_a_footer_between_them_stays() -> None:
    text = f"{NEW}\n\n________\nCliente SL, Calle Mayor 1\n________"

    assert strip_quoted(text) == f"{NEW}\n\n________\nCliente SL, Calle Mayor 1"


def test_a_mail_that_is_only_history_is_kept_whole() -> None:
    text = f"> {REPLY_ABOVE_MARKER}\n> Hola, Ana:\n"

    assert strip_quoted(text) == text.strip()


def test_forwarded_mail_keeps_attributions_and_quotes_but_not_our_marker() -> None:
    forwarded = (
        "Mirad esto:\n\n-----Original Message-----\nFrom: Banco\nSent: hoy\nSubject: Aviso\n\n> Importe"
    )

    assert strip_quoted(forwarded, forwarded=True) == forwarded
    assert strip_quoted(f"{forwarded}\n\n{REPLY_ABOVE_MARKER}\nHola", forwarded=True) == forwarded
