"""Signatures that let a reply find its ticket without trusting the sender's word for it.

Our Reply-To address and our Message-IDs carry the ticket ID and an HMAC of it made with a secret
of the stack, so knowing (or guessing) a ticket ID is not enough to write into that ticket.
    reply address: soporte+NZ-12345678.k3j5w2q9d8x4m6ta@support.example
    Message-ID:    <NZ-12345678.1a2b3c4d.k3j5w2q9d8x4m6ta@support.example>
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

from helpdesk.domain.ids import normalize_ticket_id

_SIGNATURE_CHARS = 16  # base32 characters: 80 bits


class MailSigner:
    def __init__(self, secret: bytes, domain: str) -> None:
        if len(secret) < 16:
            raise ValueError("the mail signing secret must be at least 16 bytes")
        self._secret = secret
        self.domain = domain.lower()

    def _sign(self, purpose: str, value: str) -> str:
        digest = hmac.new(self._secret, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
        return base64.b32encode(digest).decode().lower()[:_SIGNATURE_CHARS]

    def _valid(self, purpose: str, value: str, signature: str) -> bool:
        # compare_digest refuses non-ASCII text (TypeError): such a signature is simply not ours.
        if not signature.isascii():
            return False
        return hmac.compare_digest(self._sign(purpose, value), signature.lower())

    # ---------------------------------------------------------------- reply address
    def reply_address(self, mailbox: str, ticket_id: str) -> str:
        """`mailbox` is the department's local part (e.g. "soporte")."""
        return f"{mailbox}+{ticket_id}.{self._sign('reply', ticket_id)}@{self.domain}"

    def ticket_from_reply_address(self, address: str) -> str | None:
        """The ticket a (normalized) recipient address stands for, if it is ours and its signature
        holds; None otherwise (not ours, no tag, forged or damaged)."""
        match = re.fullmatch(r"[^@+]+\+([^@.]+)\.([a-z2-7]+)@(.+)", address, re.IGNORECASE)
        if not match or match.group(3).lower() != self.domain:
            return None
        ticket_id = normalize_ticket_id(match.group(1))
        if ticket_id is None or not self._valid("reply", ticket_id, match.group(2)):
            return None
        return ticket_id

    # ---------------------------------------------------------------- Message-ID
    def message_id(self, ticket_id: str, unique: str) -> str:
        """A Message-ID (with angle brackets) for a mail we send about `ticket_id`."""
        return f"<{ticket_id}.{unique}.{self._sign('message-id', ticket_id)}@{self.domain}>"

    def ticket_from_message_id(self, message_id: str) -> str | None:
        match = re.fullmatch(
            r"<?([^.@<>]+)\.([^.@<>]+)\.([a-z2-7]+)@([^<>]+)>?", message_id.strip(), re.IGNORECASE
        )
        if not match or match.group(4).lower() != self.domain:
            return None
        ticket_id = normalize_ticket_id(match.group(1))
        if ticket_id is None or not self._valid("message-id", ticket_id, match.group(3)):
            return None
        return ticket_id

    # ---------------------------------------------------------------- address confirmation
    def confirmation_token(self, account_id: str, address: str, nonce: str, expires_epoch: int) -> str:
        """A link token naming the account and address it confirms. The nonce is the claim's
        current one (single use: confirming or asking again replaces it); the expiry is signed."""
        payload = json.dumps([account_id, address, nonce, expires_epoch], separators=(",", ":"))
        body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return f"{body}.{self._sign('confirm', body)}"

    def read_confirmation_token(self, token: str) -> tuple[str, str, str, int] | None:
        """(account, address, nonce, expires epoch) of a token we made; None when forged or damaged."""
        body, _, signature = token.strip().partition(".")
        if not body or len(token) > 2048 or not self._valid("confirm", body, signature):
            return None
        try:
            account_id, address, nonce, expires = json.loads(
                base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            )
        except (ValueError, TypeError):
            return None
        if not all(isinstance(v, str) for v in (account_id, address, nonce)) or not isinstance(expires, int):
            return None
        return account_id, address, nonce, expires

    # ---------------------------------------------------------------- satisfaction ratings
    def rating_token(self, ticket_id: str, closed_epoch_ms: int) -> str:
        """A link token scoped to one closing of one ticket (its closed_at, in milliseconds): it
        rates that closing and no other, and says nothing a reader could use elsewhere."""
        body = f"{ticket_id}.{closed_epoch_ms}"
        return f"{body}.{self._sign('rating', body)}"

    def read_rating_token(self, token: str) -> tuple[str, int] | None:
        """(ticket, closed_at in ms) of a token we made; None when forged or damaged."""
        match = re.fullmatch(r"(NZ-\d{8})\.(\d{1,15})\.([a-z2-7]{16})", token.strip())
        if not match or not self._valid("rating", f"{match.group(1)}.{match.group(2)}", match.group(3)):
            return None
        return match.group(1), int(match.group(2))

    def confirmation_code(self, account_id: str, address: str, nonce: str) -> str:
        """The short code of a claim, for people who type it: 8 base32 characters (40 bits) shown
        as XXXX-XXXX; guessing is bounded by the attempts allowed per address."""
        code = self._sign("confirm-code", f"{account_id}\n{address}\n{nonce}")[:8].upper()
        return f"{code[:4]}-{code[4:]}"

    @staticmethod
    def same_code(expected: str, typed: str) -> bool:
        """Codes compare without the dash, spaces or case."""

        def clean(text: str) -> str:
            return re.sub(r"[\s-]", "", text).upper()

        return hmac.compare_digest(clean(expected), clean(typed))
