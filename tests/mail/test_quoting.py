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
    text = f"{NEW}\n\nLe 24 nov. 2026 à 18:05, Soporte Netz0 a écrit :\n> {REPLY_ABOVE_MARKER}\n> Bonjour"

    # The French attribution is not recognized: it stays, the quote from our marker on goes.
    assert strip_quoted(text) == f"{NEW}\n\nLe 24 nov. 2026 à 18:05, Soporte Netz0 a écrit :"


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
    ],
)
def test_the_customers_own_words_are_not_mistaken_for_attributions(own_words: str) -> None:
    text = f"{own_words}\n\nGracias"

    assert strip_quoted(text) == text


def test_a_mail_that_is_only_history_is_kept_whole() -> None:
    text = f"> {REPLY_ABOVE_MARKER}\n> Hola, Ana:\n"

    assert strip_quoted(text) == text.strip()


def test_forwarded_mail_keeps_attributions_and_quotes_but_not_our_marker() -> None:
    forwarded = (
        "Mirad esto:\n\n-----Original Message-----\nFrom: Banco\nSent: hoy\nSubject: Aviso\n\n> Importe"
    )

    assert strip_quoted(forwarded, forwarded=True) == forwarded
    assert strip_quoted(f"{forwarded}\n\n{REPLY_ABOVE_MARKER}\nHola", forwarded=True) == forwarded
