"""Signed reply addresses and Message-IDs: a ticket ID alone cannot point mail into a ticket."""

import pytest

from helpdesk.mail.addresses import normalize_address, parse_mailbox
from helpdesk.mail.signing import MailSigner

SIGNER = MailSigner(b"a-test-secret-of-32-bytes-length", "Soporte.Netz0.example")


def test_reply_address_round_trip():
    address = SIGNER.reply_address("soporte", "NZ-12345678")
    assert address.startswith("soporte+NZ-12345678.")
    assert address.endswith("@soporte.netz0.example")
    assert SIGNER.ticket_from_reply_address(address) == "NZ-12345678"
    assert SIGNER.ticket_from_reply_address(address.upper().replace("@SOPORTE", "@soporte")) == "NZ-12345678"


@pytest.mark.parametrize(
    "forged",
    [
        "soporte+NZ-12345679.{sig}@soporte.netz0.example",  # another ticket, same signature
        "soporte+NZ-12345678.aaaaaaaaaaaaaaaa@soporte.netz0.example",  # made-up signature
        "soporte+NZ-12345678@soporte.netz0.example",  # no signature
        "soporte+NZ-12345678.{sig}@evil.example",  # not our domain
        "soporte@soporte.netz0.example",
    ],
)
def test_forged_reply_addresses_point_nowhere(forged):
    signature = SIGNER.reply_address("soporte", "NZ-12345678").split(".")[1].split("@")[0]
    assert SIGNER.ticket_from_reply_address(forged.format(sig=signature)) is None


def test_another_secret_does_not_verify():
    other = MailSigner(b"another-secret-of-32-bytes-long!", "soporte.netz0.example")
    assert other.ticket_from_reply_address(SIGNER.reply_address("soporte", "NZ-12345678")) is None
    assert other.ticket_from_message_id(SIGNER.message_id("NZ-12345678", "x1")) is None


def test_message_id_round_trip_and_forgery():
    message_id = SIGNER.message_id("NZ-12345678", "abc")
    assert message_id.startswith("<NZ-12345678.abc.")
    assert SIGNER.ticket_from_message_id(message_id) == "NZ-12345678"
    assert SIGNER.ticket_from_message_id(message_id.replace("NZ-12345678", "NZ-87654321")) is None
    assert SIGNER.ticket_from_message_id("<CAFoo123@mail.gmail.com>") is None


def test_short_secrets_are_refused():
    with pytest.raises(ValueError, match="16 bytes"):
        MailSigner(b"short", "x.example")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ana@Cliente.EXAMPLE", "Ana@cliente.example"),
        (" ana@cliente.example ", "ana@cliente.example"),
        ("ana+tickets@cliente.example", "ana+tickets@cliente.example"),
        ("Ana <ana@cliente.example>", None),
        ("ana@cliente", None),
        (".ana@cliente.example", None),
        ("ana@-cliente.example", None),
        ("ana@cliente.example.", None),
    ],
)
def test_normalize_address(text, expected):
    assert normalize_address(text) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Ana Pérez <ana@Cliente.example>", ("Ana Pérez", "ana@cliente.example")),
        ("ana@cliente.example", ("", "ana@cliente.example")),
        ("a@x.example, b@y.example", None),
        ("Ana <ana@cliente.example", None),
        ("", None),
        ("x: a <b@c.example>", None),
        ("undisclosed: a@b.example;", None),
    ],
)
def test_parse_mailbox(header, expected):
    assert parse_mailbox(header) == expected


@pytest.mark.parametrize("signature", ["é" * 26, "ª", "aaaa\u00ff"])
def test_a_signature_with_non_ascii_characters_is_forged_not_an_error(signature):
    # hmac.compare_digest raises TypeError on non-ASCII text; the fuzzer sent such a token.
    assert SIGNER.read_confirmation_token(f"eyJ4IjoxfQ.{signature}") is None
    assert SIGNER.ticket_from_reply_address(f"soporte+NZ-12345678.{signature}@soporte.netz0.example") is None
