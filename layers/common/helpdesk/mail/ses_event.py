"""The SES receipt-rule event (Lambda action), read leniently: real events omit verdicts (no
dmarcVerdict when no DMARC record), carry dmarcPolicy as a string or an object, and add fields
over time. Powertools' SesModel is stricter than what SES sends, so this is our own."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PASS, FAIL = "PASS", "FAIL"


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Verdict(_Lenient):
    status: str = "PROCESSING_FAILED"


class SesReceipt(_Lenient):
    recipients: list[str] = Field(default_factory=list)
    timestamp: datetime | None = None
    spf: Verdict | None = Field(default=None, alias="spfVerdict")
    dkim: Verdict | None = Field(default=None, alias="dkimVerdict")
    spam: Verdict | None = Field(default=None, alias="spamVerdict")
    virus: Verdict | None = Field(default=None, alias="virusVerdict")
    dmarc: Verdict | None = Field(default=None, alias="dmarcVerdict")
    dmarc_policy: str | dict[str, Any] | None = Field(default=None, alias="dmarcPolicy")

    def passed(self, verdict: Verdict | None) -> bool:
        return verdict is not None and verdict.status.upper() == PASS

    @staticmethod
    def failed(verdict: Verdict | None) -> bool:
        """Only an explicit FAIL counts: a missing or GRAY verdict is no verdict."""
        return verdict is not None and verdict.status.upper() == FAIL


class SesMail(_Lenient):
    message_id: str = Field(alias="messageId", min_length=1)
    source: str = ""
    destination: list[str] = Field(default_factory=list)
    timestamp: datetime | None = None


class SesNotification(_Lenient):
    mail: SesMail
    receipt: SesReceipt


class SesRecord(_Lenient):
    event_source: str = Field(default="aws:ses", alias="eventSource")
    ses: SesNotification


class SesEvent(_Lenient):
    records: list[SesRecord] = Field(alias="Records", min_length=1)
