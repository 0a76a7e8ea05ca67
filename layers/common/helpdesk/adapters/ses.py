"""Sending mail through SES (v2)."""

from __future__ import annotations

from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from email.message import EmailMessage


class Mailer:
    def __init__(self, client: Any, sender: str, configuration_set: str | None) -> None:
        self._client = client
        self._sender = sender
        self._configuration_set = configuration_set

    def send(self, message: EmailMessage) -> str:
        """Send a composed message to its To/Cc recipients; returns SES's message id."""
        recipients = [
            address for _name, address in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))
        ]
        request: dict[str, Any] = {
            "FromEmailAddress": self._sender,
            "Destination": {"ToAddresses": recipients},
            "Content": {"Raw": {"Data": message.as_bytes()}},
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        return str(self._client.send_email(**request)["MessageId"])
